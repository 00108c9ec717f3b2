// firmware_map.h - the firmware's memory map, asked of the BIOS itself through a
// Backend: INT 15h E820h, falling back to E801h and then AH=88h. Userspace.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/backend/backend.h"

namespace biosx::memmap {

// Where the E820 buffer goes: 0000:7E00, just above the default stack
// (0000:7C00 grows down) and far from the return trap at 0000:0600. The
// memory is a private copy, so overwriting what a snapshot had there is fine.
inline constexpr uint16_t kE820BufSeg = 0x0000, kE820BufOff = 0x7e00;
inline constexpr uint32_t kE820Smap = 0x534d4150;  // 'SMAP'
inline constexpr int kE820MaxEntries = 128;

struct E820Entry {
    uint64_t base = 0, length = 0;
    uint32_t type = 0;
    uint32_t bytes = 0;            // ECX the BIOS returned: 20 or 24
    uint32_t ext_attributes = 1;   // ACPI 3.0; 1 (enabled) when only 20 bytes came back
    uint32_t continuation = 0;     // EBX after this call
    uint64_t end() const { return base + length; }  // exclusive
};

struct E820Total {
    uint32_t type = 0;
    uint64_t bytes = 0;
    int entries = 0;
};

struct FirmwareMap {
    std::string method;  // "e820", "e801", "88h", or "none"
    std::vector<E820Entry> entries;
    std::vector<E820Total> totals;  // per type, in type order
    // E801h: KiB between 1 and 16 MiB, and 64 KiB blocks above 16 MiB.
    uint32_t e801_kib_1m_16m = 0, e801_blocks_above_16m = 0;
    bool e801_from_cx_dx = false;  // the BIOS answered in CX/DX, AX/BX were 0
    // AH=88h: KiB above 1 MiB.
    uint32_t kib_above_1m = 0;
    uint64_t calls = 0, instructions = 0;
    // Port reads that were virtual (over an image they return all ones):
    // a BIOS that reads the CMOS for memory sizes then answers from garbage.
    uint64_t virtual_reads = 0;
    std::vector<uint16_t> virtual_ports;  // distinct, ascending
    double elapsed_s = 0;
    std::vector<std::string> notes;  // why a method was not used, why the walk stopped
};

// Name of an E820 type ("usable", "reserved", "ACPI reclaimable", ...).
std::string e820_type_name(uint32_t type);
// Names of the set ACPI 3.0 extended attribute bits.
std::vector<std::string> e820_attribute_names(uint32_t attr);

struct FirmwareMapOptions {
    Limits limits;
    IoPolicy io;
};

// Asks the BIOS in `mem` through `backend`. Throws Error(incomplete) when a
// call does not return (timeout, fault), naming the call.
FirmwareMap firmware_map(Backend& backend, Memory& mem, const FirmwareMapOptions& opt);

// The "e820" member of the memmap JSON object.
nlohmann::json firmware_map_to_json(const FirmwareMap& m);

}  // namespace biosx::memmap
