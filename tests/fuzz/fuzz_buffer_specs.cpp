// fuzz_buffer_specs.cpp - SEG:OFF, --write SEG:OFF=HEX, --read SEG:OFF:LEN
// and hex strings; then run_call's range checks (trap stub, return frame,
// end of memory) against a small memory, with a backend that must never be
// reached when a check refuses. No @FILE: that reads the file system.
#include "core/call/call.h"
#include "core/call/call_input.h"
#include "core/format.h"
#include "core/run/start_state.h"
#include "fuzz_common.h"

using namespace biosx;

namespace {
class NeverBackend final : public Backend {
public:
    std::string name() const override { return "never"; }
    RunResult run(Memory&, const RunRequest&) override
    {
        RunResult r;
        r.end.kind = EndKind::return_trap;
        return r;
    }
};
}  // namespace

// Inputs up to 1 KiB: eight specs of SEG:OFF:LEN or SEG:OFF=HEX with room
// for data that reaches the trap, the frame or the end of memory.
BIOSX_FUZZ_MAX_LEN(1024)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::string text = fuzz::text_of(data, size);
    if (text.find('@') != std::string::npos) return 0;
    fuzz::refused_ok([&] {
        uint16_t s = 0, o = 0;
        uint32_t lin = parse_seg_off(text, "SEG:OFF", &s, &o);
        if (lin != (uint32_t{s} << 4) + o) __builtin_trap();
    });
    fuzz::refused_ok([&] { parse_hex_string(text, "--write"); });
    // Several specs separated by newlines, as repeated options.
    CallSpec spec;
    spec.req.entry = {Entry::Kind::far_call, 0, 0x2000, 0};
    spec.req.regs = default_registers();
    size_t start = 0;
    for (int i = 0; i < 8 && start <= text.size(); ++i) {
        size_t nl = text.find('\n', start);
        std::string one = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        start = nl == std::string::npos ? text.size() + 1 : nl + 1;
        fuzz::refused_ok([&] { spec.writes.push_back(parse_buffer_write(one)); });
        fuzz::refused_ok([&] {
            BufferRead r = parse_buffer_read(one);
            if (r.len == 0 || r.len > (1u << 20)) __builtin_trap();
            spec.reads.push_back(r);
        });
    }
    if (size > 0) {
        spec.req.regs[Reg::ss] = static_cast<uint32_t>(data[0]) << 8 | (size > 1 ? data[1] : 0);
        spec.req.regs[Reg::esp] = size > 2 ? static_cast<uint32_t>(data[2]) << 8 : 0x7c00;
    }
    // The memory's contents do not matter (nothing runs); its size does.
    static fuzz::VecMemory small(std::vector<uint8_t>(kRealModeSize, 0)), large(std::vector<uint8_t>(kRealModeSize + kHmaSize, 0));
    fuzz::VecMemory& mem = size & 1 ? large : small;
    NeverBackend b;
    fuzz::refused_ok([&] {
        CallOutcome out = run_call(b, mem, spec);
        if (out.read_back.size() != spec.reads.size()) __builtin_trap();
        // Megabyte reads make megabyte hex strings: the JSON of small ones
        // covers the same code at a fraction of the time.
        size_t total = 0;
        for (const auto& r : spec.reads) total += r.len;
        if (total <= 4096) fuzz::dump_size(call_to_json(spec, out));
    });
    return 0;
}
