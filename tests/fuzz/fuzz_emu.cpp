// fuzz_emu.cpp - the emulation backend on random code: each input is a blob
// of real-mode code far-called at 2000:0000 over a 1 MiB memory, with its
// first bytes choosing some registers. Every run must end by the return
// trap, the instruction limit, the time limit, a fault or HLT, with the
// registers reported, and never touch memory outside the source.
#include <cstring>

#include "core/backend/backend.h"
#include "core/call/call.h"
#include "core/run/start_state.h"
#include "fuzz_common.h"

using namespace biosx;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 8 || size > 4096) return 0;
    static auto backend = make_emu_backend();
    std::vector<uint8_t> bytes(kRealModeSize + (data[0] & 1 ? kHmaSize : 0), 0);
    std::memcpy(bytes.data() + 0x20000, data + 8, size - 8);
    fuzz::VecMemory mem(std::move(bytes));
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
    spec.req.limits.max_instructions = 20000;
    spec.req.limits.timeout_s = 1;
    spec.req.io.virtual_io = true;  // never the host's ports
    fuzz::refused_ok([&] {
        CallOutcome out = run_call(*backend, mem, spec);
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
        fuzz::dump_size(call_to_json(spec, out));
    });
    return 0;
}
