// meaning.h - what the registers of well-known BIOS calls mean: one table of
// calls (vector, AH or AX selector, the registers they read and return) and
// one decoder per call, applied to a finished run. The meanings follow Ralf
// Brown's Interrupt List (release 61, its table numbers cited as #NNNNN) and
// the VESA BIOS Extension 3.0 standard. Userspace, pure code (no I/O).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/memmap/memmap.h"
#include "core/memmap/decoder.h"
#include "core/run/registers.h"

namespace biosx::meaning {

// Decoded values are memmap's fields (key, number/string/boolean, hex
// digits): one way to print and to put into JSON. An enumerated value is
// followed by a "<key>_name" string field.
using memmap::Field;
using memmap::Fields;

// How the function is selected: by AH, by AX, or by the vector alone.
enum class Selector { none, ah, ax };

// How the call reports failure (the register convention of its family).
enum class Failure {
    none,         // the call cannot fail (INT 11h, 12h, 16h/02h, 10h/0Fh)
    carry_disk,   // CF=1, AH = disk status (#00234)
    carry_system, // CF=1, AH = 80h or 86h (#00496)
    carry_clock,  // CF=1: the clock is not running or is being updated
    vbe,          // AL != 4Fh: unsupported; AH != 00h: the VBE status
};

// A register (or part, as registers.h names them, or "es:di") and what it
// holds, for people.
struct RegMeaning {
    std::string_view reg;
    std::string_view text;
};

struct Decoded;
class CallView;
using Decoder = void (*)(const CallView&, Decoded&);

// One row of the table of known calls.
struct KnownCall {
    uint8_t vector = 0;
    Selector selector = Selector::none;
    uint16_t function = 0;          // the AH or AX value
    std::string_view id;            // "int13_08": stable, for JSON and tests
    std::string_view name;          // "get drive parameters"
    Failure failure = Failure::none;
    std::array<RegMeaning, 4> in{};   // registers the call reads, besides the selector
    std::array<RegMeaning, 8> out{};  // registers it returns
    Decoder decode = nullptr;
};

// Every known call, in vector order.
std::span<const KnownCall> known_calls();
// The row for INT `vector` with input registers `in`, or null.
const KnownCall* find_call(uint8_t vector, const Registers& in);

// Bytes a --read brought back after the run.
struct Buffer {
    uint32_t linear = 0;
    std::span<const uint8_t> bytes;
};

// What a decoder may look at: the registers before and after, the bytes read
// back, and the memory after the run (to follow pointers a structure holds).
struct Input {
    uint8_t vector = 0;
    Registers in, out;
    std::vector<Buffer> buffers;
    std::span<const uint8_t> memory;  // may be empty
};

// A structure the call left in memory, decoded from the --read bytes.
struct Structure {
    std::string name;   // "e820_entry", "vbe_controller_info", ...: a JSON identifier
    std::string title;  // for people
    uint32_t linear = 0;
    uint32_t length = 0;
    Fields fields;
    // Lists of numbers (the VBE mode list): JSON arrays.
    std::vector<std::pair<std::string, std::vector<uint64_t>>> lists;
};

struct Decoded {
    const KnownCall* call = nullptr;
    bool ok = true;
    // When !ok: the register that carries the status ("ah", "ax", or "cf"
    // when the carry alone says it), its value (-1 for "cf"), the meaning.
    std::string error_register;
    int64_t error_code = -1;
    std::string error;
    Fields fields;  // what the returned (and, where it helps, the given) registers mean
    std::optional<Structure> structure;
    std::vector<std::string> notes;
};

// The meaning of a completed INT call, or nullopt when it is not a known call.
std::optional<Decoded> decode_call(const Input& input);

// The `decoded` member of the biosx.run JSON object (docs/json-schema.md).
nlohmann::json to_json(const Decoded& d);
// The same, written over `j` in place (core/json_fill.h; `biosx batch`).
void fill_json(nlohmann::json& j, const Decoded& d);
// The "meaning" block of `biosx int`'s text output, ending in a newline.
std::string to_text(const Decoded& d, const Registers& in, const Registers& out);

// Used by the decoders and the tests: the registers of the call, the bytes
// read back, and the memory after the run.
class CallView {
public:
    explicit CallView(const Input& in) : in_(in) {}
    const Registers& in() const { return in_.in; }
    const Registers& out() const { return in_.out; }
    // Low 16 bits, high and low byte of a register after the call.
    uint16_t w(Reg r) const { return static_cast<uint16_t>(in_.out[r]); }
    uint8_t hi(Reg r) const { return static_cast<uint8_t>(in_.out[r] >> 8); }
    uint8_t lo(Reg r) const { return static_cast<uint8_t>(in_.out[r]); }
    bool carry() const { return in_.out[Reg::eflags] & 1; }
    // The bytes at [linear, linear+len) when one --read brought them all
    // back, else an empty span.
    std::span<const uint8_t> read_back(uint32_t linear, size_t len) const;
    // The bytes from `linear` on, at most `max`, of the --read buffer that
    // holds `linear`; empty when none does.
    std::span<const uint8_t> read_back_from(uint32_t linear, size_t max) const;
    // At most `max` bytes from `linear`: a --read buffer's, else the memory's
    // after the run (what a pointer in a structure points to).
    std::span<const uint8_t> bytes_at(uint32_t linear, size_t max) const;
    // The memory after the run (bounds-checked reads; empty when unknown).
    memmap::Reader memory() const { return memmap::Reader(in_.memory); }

private:
    const Input& in_;
};

// Pieces the decoders share (decode_*.cpp), and the tests use.
using memmap::flag;
using memmap::num;
using memmap::str;
// One boolean field per named bit of `word`.
struct Bit {
    int bit;
    const char* key;
};
void flag_bits(Fields& f, uint32_t word, std::initializer_list<Bit> bits);
// A packed BCD byte as its value, or nullopt when a nibble is above 9.
std::optional<unsigned> from_bcd(uint8_t b);
// The block a call left at SEG:OFF as far as a --read brought it back, at
// most `max` bytes; when fewer than `min` came back, a note naming the
// --read that decodes `what`, and an empty span.
std::span<const uint8_t> read_back_block(const CallView& v, Decoded& d, uint16_t seg, uint16_t off, size_t min,
                                         size_t max, const std::string& what);
// A real-mode far pointer (segment in the high word): the linear address,
// and as fields "<key>" ("c000:7e20") and "<key>_linear" (a number).
uint32_t far_linear(uint32_t p);
void far_pointer(Fields& f, const std::string& key, uint32_t p);

// The decoders, one per row of the table.
void decode_equipment(const CallView&, Decoded&);      // INT 11h
void decode_memory_size(const CallView&, Decoded&);    // INT 12h
void decode_video_mode(const CallView&, Decoded&);     // INT 10h AH=0Fh
void decode_vbe_info(const CallView&, Decoded&);       // INT 10h AX=4F00h
void decode_vbe_mode_info(const CallView&, Decoded&);  // INT 10h AX=4F01h
void decode_vbe_current(const CallView&, Decoded&);    // INT 10h AX=4F03h
void decode_drive_params(const CallView&, Decoded&);   // INT 13h AH=08h
void decode_disk_type(const CallView&, Decoded&);      // INT 13h AH=15h
void decode_ext_memory(const CallView&, Decoded&);     // INT 15h AH=88h
void decode_config(const CallView&, Decoded&);         // INT 15h AH=C0h
void decode_e801(const CallView&, Decoded&);           // INT 15h AX=E801h
void decode_e820(const CallView&, Decoded&);           // INT 15h AX=E820h
void decode_shift_flags(const CallView&, Decoded&);    // INT 16h AH=02h
void decode_rtc_time(const CallView&, Decoded&);       // INT 1Ah AH=02h
void decode_rtc_date(const CallView&, Decoded&);       // INT 1Ah AH=04h

// Status texts of the failure conventions.
std::string disk_status_text(uint8_t status);    // #00234
std::string system_status_text(uint8_t status);  // #00496
std::string vbe_status_text(uint8_t ah);         // VBE 3.0, "VBE Return Status"

}  // namespace biosx::meaning
