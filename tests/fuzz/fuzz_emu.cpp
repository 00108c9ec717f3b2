// fuzz_emu.cpp - the emulation backend on random code: each input is a blob
// of real-mode code far-called at 2000:0000 over a 1 MiB memory, with its
// first bytes choosing some registers. Every run must end by the return
// trap, the instruction limit, the time limit, a fault or HLT, with the
// registers reported, and never touch memory outside the source; some
// inputs run with --trace. At exit
// the target prints how many blobs ended each way (docs/fuzzing.md).
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/backend/backend.h"
#include "core/call/call.h"
#include "core/run/start_state.h"
#include "fuzz_common.h"

using namespace biosx;

namespace {

// 5,000 instructions: a loop reaches the limit in about a millisecond under
// ASan (20,000 made loops three quarters of the campaign's time), and the
// backend still reads the clock once, at instruction 4,096.
constexpr uint64_t kMaxInstructions = 5000;
// A timeout only REP string loops reach (5,000 instructions of anything
// else take a few milliseconds), or (one input in eight) one that has passed
// when the backend first reads the clock, before the first instruction.
constexpr double kTimeoutS = 0.25, kTinyTimeoutS = 1e-9;

constexpr size_t kKinds = static_cast<size_t>(EndKind::other) + 1;
std::array<uint64_t, kKinds> ends{};
uint64_t refused = 0;

void print_ends()
{
    uint64_t total = 0;
    for (auto n : ends) total += n;
    std::fprintf(stderr, "fuzz_emu: %llu blobs ran (%llu refused before running):",
                 static_cast<unsigned long long>(total), static_cast<unsigned long long>(refused));
    for (size_t k = 0; k < kKinds; ++k)
        if (ends[k])
            std::fprintf(stderr, " %s=%llu", std::string(end_kind_name(static_cast<EndKind>(k))).c_str(),
                         static_cast<unsigned long long>(ends[k]));
    std::fprintf(stderr, "\n");
}

}  // namespace

// Inputs up to 4 KiB: 8 bytes of registers and a blob (the target ignores
// longer ones).
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv)
{
    fuzz::default_max_len(argc, argv, 4096);
    std::atexit(print_ends);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 8 || size > 4096) return 0;
    static auto backend = make_emu_backend();
    // Two memories for every input, zeroed before each run (a fresh MiB per
    // input cost an mmap and its page faults under ASan).
    static fuzz::VecMemory small(std::vector<uint8_t>(kRealModeSize, 0)),
        large(std::vector<uint8_t>(kRealModeSize + kHmaSize, 0));
    fuzz::VecMemory& mem = data[0] & 1 ? large : small;
    std::memset(mem.at(0), 0, mem.size());
    std::memcpy(mem.at(0x20000), data + 8, size - 8);
    CallSpec spec;
    spec.req.entry = {Entry::Kind::far_call, 0, 0x2000, 0};
    spec.req.regs = default_registers();
    uint16_t w[4];
    std::memcpy(w, data, 8);
    spec.req.regs[Reg::eax] = w[0];
    spec.req.regs[Reg::ebx] = w[1];
    spec.req.regs[Reg::ds] = w[2];
    spec.req.regs[Reg::es] = w[3];
    spec.req.regs[Reg::eflags] |= (data[1] & 0x80) ? 0x200 : 0;  // IF, sometimes
    spec.req.limits.max_instructions = kMaxInstructions;
    spec.req.limits.timeout_s = (data[1] & 0x70) == 0x70 ? kTinyTimeoutS : kTimeoutS;
    spec.req.io.virtual_io = true;  // never the host's ports
    // --trace (libx86emu's disassembly and log) for one input in 32: it
    // formats every instruction, so it costs as much as the rest together.
    static FILE* devnull = std::fopen("/dev/null", "w");
    spec.req.trace = (data[0] & 0x3e) == 0x3e ? devnull : nullptr;
    bool ran = false;
    fuzz::refused_ok([&] {
        CallOutcome out = run_call(*backend, mem, spec);
        ran = true;
        switch (out.result.end.kind) {
        case EndKind::return_trap:
        case EndKind::instruction_limit:
        case EndKind::timeout:
        case EndKind::halt:
        case EndKind::exception:
        case EndKind::triple_fault:
        case EndKind::bad_memory:
            break;
        default:
            __builtin_trap();  // an end the emulator must not report
        }
        if (out.result.instructions > spec.req.limits.max_instructions + 1) __builtin_trap();
        if (out.result.end.message.empty()) __builtin_trap();
        ++ends[static_cast<size_t>(out.result.end.kind)];
        fuzz::dump_size(call_to_json(spec, out));
    });
    if (!ran) ++refused;
    return 0;
}
