// fuzz_batch_line.cpp - one line of `biosx batch` (JSON with duplicate-key
// detection at every depth, the fields parsed by the command line's own
// parsers) and, with byte 0 bit 0 set, a state file checked against a
// 1 MiB memory. Both are untrusted input of libbiosx sessions.
#include "fuzz_common.h"
#include "lib/batch.h"
#include "lib/state_file.h"

using namespace biosx;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0) return 0;
    const std::string text = fuzz::text_of(data + 1, size - 1);
    if (data[0] & 1) {
        fuzz::VecMemory m(std::vector<uint8_t>(kRealModeSize, 0));
        const uint64_t id = lib::image_id(m);
        fuzz::refused_ok([&] {
            lib::decode_state({data + 1, size - 1}, m, id, "--state fuzz");
            // A state that loads is exactly what saving gives back.
            if (lib::encode_state(m, id) != std::vector<uint8_t>(data + 1, data + size)) __builtin_trap();
        });
        return 0;
    }
    nlohmann::json id;
    fuzz::refused_ok([&] {
        lib::BatchCall c = lib::parse_batch_line(text, id);
        if (c.spec.req.entry.kind == Entry::Kind::interrupt && c.spec.req.entry.vector > 0xff) __builtin_trap();
        if (c.spec.req.limits.timeout_s <= 0 || c.spec.req.limits.timeout_s > kMaxTimeoutS) __builtin_trap();
        for (const auto& r : c.spec.reads)
            if (r.len == 0 || r.len > (1u << 20)) __builtin_trap();
        fuzz::dump_size(lib::batch_error(1, id, ErrorKind::usage, "line 1: fuzz"));
    });
    return 0;
}
