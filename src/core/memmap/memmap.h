// memmap.h - what the first MiB holds: the region map, the IVT and BDA
// decoded, option ROMs, and the BIOS tables in E0000-FFFFF, all read from a
// byte span and nothing else (no I/O). Every length the data gives is
// untrusted: no read leaves the span. Userspace, pure code.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace biosx::memmap {

// One decoded field of a structure: a number (shown in hex when `hex_digits`
// is non-zero, else decimal), a string, or a boolean.
struct Field {
    std::string key;
    std::variant<uint64_t, std::string, bool> value;
    int hex_digits = 0;
};
using Fields = std::vector<Field>;

// A half-open range [begin, end) of physical addresses with a name.
struct Region {
    uint32_t begin = 0, end = 0;
    std::string kind;  // ivt, bda, ram, ebda, reserved, vga, option_rom, bios_area, system_bios, none
    std::string name;  // for people: "EBDA (1 KiB)", "option ROM 1af4:1000"
};

// One IVT vector and where its handler lies.
struct Vector {
    uint8_t number = 0;
    uint16_t seg = 0, off = 0;
    uint32_t linear = 0;
    std::string target;  // unset | system_bios | bios_area | option_rom | ram | ebda | bda | ivt | vga | above_1mib
    std::string target_name;  // "system BIOS", "option ROM c0000", ...
    std::string_view use;     // what the vector is for, when well known ("video", "IRQ0 timer")
    bool data = false;        // the vector holds a pointer to data, not code (1Dh, 1Eh, 1Fh, 41h, 43h, 46h)
};

struct Bda {
    uint16_t com[4] = {}, lpt[3] = {};
    uint16_t equipment = 0;
    Fields equipment_fields;        // the equipment word by field
    uint16_t memory_kib = 0;        // INT 12h answer
    uint16_t ebda_segment = 0;
    uint8_t video_mode = 0;
    uint16_t columns = 0;
    uint8_t rows = 0;               // rows - 1 is stored at 0x484; this is the count
    uint8_t active_page = 0;
    uint16_t crtc_port = 0;
    uint16_t char_height = 0;
    struct Cursor { uint8_t col, row; };
    Cursor cursor[8] = {};
    uint8_t cursor_start = 0, cursor_end = 0;
    uint32_t ticks = 0;             // timer ticks since midnight (18.2 Hz)
    uint8_t midnight = 0;
    uint8_t kbd_flags0 = 0, kbd_flags1 = 0, kbd_flags3 = 0, kbd_leds = 0;
    std::vector<std::string> kbd_active;  // names of the set bits of both flag bytes
    uint8_t hard_disks = 0;
    uint16_t reset_flag = 0;
};

// A table found by signature, or the structures an option ROM points to.
struct Table {
    std::string signature;  // as it appears in memory: "_SM_", "RSD PTR ", ...
    std::string name;       // "SMBIOS 2.x entry point"
    uint32_t address = 0;
    uint32_t length = 0;    // bytes covered by the checksum (as the data says)
    // ok: every checksum holds; bad_checksum: one does not (fields untrusted);
    // truncated: the structure runs past the end of the memory; bad_length:
    // its own length field is impossible.
    std::string status;
    bool trusted() const { return status == "ok"; }
    Fields fields;
    std::vector<std::string> notes;
};

struct OptionRom {
    uint32_t address = 0;
    uint32_t size = 0;        // length byte x 512
    uint8_t length_byte = 0;
    bool truncated = false;   // runs past the end of the memory; checksum not computed
    bool checksum_ok = false;
    uint8_t checksum_sum = 0; // sum of all bytes mod 256 (0 when valid)
    std::optional<Table> pcir;  // PCI data structure ("PCIR")
    std::optional<Table> pnp;   // PnP expansion header ("$PnP")
    std::string label;          // "1234:1111 display" or "no PCI data"
    // A checksum that holds, or a PCI/PnP header: without either, 0x55AA may
    // be a chance pair of bytes in code or data (or a ROM that changed itself).
    bool likely() const { return checksum_ok || pcir || pnp; }
    std::vector<std::string> notes;
};

// The system BIOS's fixed locations at the top of the first MiB.
struct BiosId {
    bool present = false;
    std::string reset_vector;  // "jmp f000:e05b" or the raw bytes
    std::string date;          // F000:FFF5, 8 printable characters, or ""
    uint8_t model = 0;         // F000:FFFE
    std::string model_name;
};

struct Scan {
    size_t size = 0;                  // bytes of the span scanned
    std::vector<Region> regions;      // cover [0, min(size, 1 MiB)) in order, no overlap
    std::vector<Vector> ivt;          // 256 entries, or none when the span is too short
    std::optional<Bda> bda;
    std::vector<OptionRom> roms;
    std::vector<Table> tables;
    BiosId bios;
    std::vector<std::string> notes;   // anything odd: EBDA pointer out of range, ...
};

// Scans `mem` (physical address = index). Never reads outside it.
Scan scan(std::span<const uint8_t> mem);

// Pieces, for the tests and for callers that want one section.
std::vector<OptionRom> scan_option_roms(std::span<const uint8_t> mem);
std::vector<Table> scan_tables(std::span<const uint8_t> mem, const std::vector<OptionRom>& roms = {},
                               uint32_t ebda = 0);
// Decodes the structure at `addr` when it starts with a known signature.
std::optional<Table> decode_table(std::span<const uint8_t> mem, uint32_t addr);

// Which parts of the report a caller wants.
struct Sections {
    bool map = true, ivt = true, bda = true, roms = true, tables = true;
};

// The equipment word (INT 11h, BDA 0x410) by field.
Fields equipment_fields(uint16_t word);

// Size of a structure as text: "1 KiB", "512 bytes", "64 KiB".
std::string size_text(uint64_t bytes);

// A field's value as text ("0x000f6770", "2.8", "yes").
std::string field_text(const Field& f);
// Fields as a JSON object; repeated keys become arrays.
nlohmann::json fields_to_json(const Fields& f);
// The same, written over `o` in place (core/json_fill.h): the members this
// field list has are assigned, any other is removed. What a batch answer
// uses to refill its `decoded` member call after call without allocating.
void fill_fields_json(nlohmann::json& o, const Fields& f);
nlohmann::json table_to_json(const Table& t);
// The documented `biosx.memmap` object (docs/memmap.md), without "e820".
nlohmann::json scan_to_json(const Scan& s, const Sections& sec, const std::string& source);
// 3: `save.cmos` and `save.notes` (docs/json-schema.md, "What changed in version 3").
inline constexpr int kMemmapSchemaVersion = 3;

}  // namespace biosx::memmap
