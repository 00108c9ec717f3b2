// fuzz_memmap_scan.cpp - the memmap scanners (IVT, BDA, EBDA, option ROMs,
// BIOS tables) over arbitrary images of any size, and their JSON. Byte 0
// picks the layout: the input itself as the whole image (any size, often
// shorter than the structures it claims), or the input placed where the
// scanners look (system BIOS area, option ROM area, low memory) inside a
// 1 MiB or larger image.
#include <algorithm>
#include <map>

#include "core/memmap/memmap.h"
#include "fuzz_common.h"

using namespace biosx;

// Inputs up to 3 + 4096 bytes: a 4 KiB window of tables, headers or ROM,
// the largest structure the scanners decode in full short of a $PIR's
// slots (a longer one is cut short by mode 4 instead).
BIOSX_FUZZ_MAX_LEN(3 + 4096)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 3) return 0;
    const uint8_t mode = data[0] % 5;
    const uint32_t slot = (static_cast<uint32_t>(data[1]) << 8 | data[2]);
    data += 3;
    size -= 3;
    // One zeroed image reused: the input is placed, scanned, and zeroed
    // again (a fresh 1 MiB per input made this target 50 times slower).
    static std::vector<uint8_t> zero(0x100000 + 0x10000, 0);
    std::span<const uint8_t> img;
    size_t placed_at = 0, placed = 0;
    auto place = [&](size_t total, uint32_t at) {
        placed_at = at;
        placed = at < total ? std::min(size, total - at) : 0;
        std::copy(data, data + placed, zero.begin() + at);
        img = std::span<const uint8_t>(zero.data(), total);
    };
    switch (mode) {
    case 0: img = std::span<const uint8_t>(data, size); break;          // any size
    case 1: place(0x100000, 0xe0000 + (slot % 0x2000) * 16); break;    // tables, 16-byte steps
    case 2: place(0x100000, 0xc0000 + (slot % 0x60) * 0x800); break;   // option ROMs, 2 KiB steps
    case 3: place(0x100000 + (slot & 0xff) * 0x100, 0); break;          // IVT, BDA, EBDA pointer
    case 4: place(0xe0000 + slot * 4, 0xe0000 + (slot % 0x2000) * 16); break;  // cut short
    }
    memmap::Scan s = memmap::scan(img);
    // The IVT's 256 objects dominate the JSON's cost and hold no parsed data.
    fuzz::dump_size(memmap::scan_to_json(s, {true, false, true, true, true}, "image:fuzz"));
    if (s.ivt.size() > 256) __builtin_trap();
    for (const auto& t : s.tables)
        for (const auto& f : t.fields) memmap::field_text(f);
    // Structures of one kind never overlap (scan_tables' rule), so the
    // report stays linear in the image however headers are stacked.
    std::map<std::string, uint64_t> end_of;
    for (const auto& t : s.tables) {  // in address order
        uint64_t& e = end_of[t.signature];
        if (t.address < e) __builtin_trap();
        if (t.status == "ok" || t.status == "bad_checksum") e = uint64_t{t.address} + t.length;
    }
    // Regions tile [0, min(size, 1 MiB)) in order.
    uint32_t at = 0;
    for (const auto& r : s.regions) {
        if (r.begin != at || r.end < r.begin) __builtin_trap();
        at = r.end;
    }
    std::fill(zero.begin() + placed_at, zero.begin() + placed_at + placed, 0);
    return 0;
}
