// fuzz_snapshot.cpp - the snapshot trailer (docs/snapshot.md) of arbitrary
// files: the footer and the device-state sections are refused with one
// line, or read; what is read is written back the same.
#include "core/run/snapshot.h"
#include "fuzz_common.h"

using namespace biosx;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    // The input is the end of a file of 1 MiB + input bytes.
    std::span<const uint8_t> tail(data, size);
    const uint64_t file_size = (uint64_t{1} << 20) + size;
    fuzz::refused_ok([&] {
        auto l = snapshot::parse_footer(tail, file_size, "fuzz");
        if (l.memory_bytes + l.trailer_bytes != file_size) __builtin_trap();
        if (l.trailer_bytes > size) return;  // the memory would hold part of it: not this input's business
        auto s = snapshot::parse_trailer(tail.last(l.trailer_bytes), "fuzz");
        auto again = snapshot::encode_trailer(s, l.memory_bytes);
        auto back = snapshot::parse_trailer(again, "fuzz");
        if (s.cmos.has_value() != back.cmos.has_value()) __builtin_trap();
        if (s.cmos && (s.cmos->bytes != back.cmos->bytes || s.cmos->known != back.cmos->known)) __builtin_trap();
    });
    return 0;
}
