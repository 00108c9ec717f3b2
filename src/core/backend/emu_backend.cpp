// emu_backend.cpp - the emulation backend: runs BIOS code with libx86emu over
// any memory source, on any machine. Userspace.
#include <chrono>
#include <cstring>
#include <optional>
#include <x86emu.h>

#include "core/backend/backend.h"
#include "core/backend/port_io.h"
#include "core/backend/x86emu_exit.h"
#include "core/error.h"
#include "core/format.h"
#include "core/run/io_stall.h"
#include "core/run/start_state.h"
#include "x86/realmode.h"
#include "x86/string_io.h"

namespace biosx {

namespace {

using Clock = std::chrono::steady_clock;

// Everything the libx86emu callbacks need; reached through emu->_private.
struct EmuRun {
    const RunRequest* req = nullptr;
    RunResult* result = nullptr;
    uint32_t trap_linear = BIOSX_TRAP_LINEAR;
    uint64_t instructions = 0;
    uint64_t accesses = 0;  // memory accesses, for the clock inside a REP loop
    Clock::time_point deadline;
    bool stopped = false;  // set when a callback decided how the run ended
    uint8_t* mem = nullptr;
    size_t mem_size = 0;
    PortIo* ports = nullptr;  // every port access, by the run's policy
    // The INS/OUTS on_code stopped x86emu_run at, for run_string_io().
    bool string_io = false;
    biosx_strio strio{};
};

EmuRun* ctx(x86emu_t* emu) { return static_cast<EmuRun*>(emu->_private); }

void end_run(x86emu_t* emu, RunEnd end)
{
    EmuRun* c = ctx(emu);
    if (c->stopped) return;
    c->stopped = true;
    c->result->end = std::move(end);
    x86emu_stop(emu);
}

// A CPU exception ends the run, as the vmx backend's exception bitmap
// makes it end there; ERROR_CODE < 0: the exception has none.
void end_exception(x86emu_t* emu, unsigned num, int64_t error_code)
{
    end_run(emu, cpu_exception(num, emu->x86.saved_cs, static_cast<uint16_t>(emu->x86.saved_eip), error_code));
}

// Prefix bytes as libx86emu's decoder takes them (decode.c, x86emu_run).
bool is_prefix(uint8_t b)
{
    switch (b) {
    case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
    case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
        return true;
    default:
        return false;
    }
}

// True when the instruction at CS:EIP starts with 15 or more prefixes, so
// it is longer than the 15 bytes a CPU decodes: #GP (SDM Vol. 3A §6.15,
// interrupt 13; Vol. 2A §2.3.11). libx86emu takes any number of them, and
// writes the disassembly of each F0/F2/F3 into a 256-byte buffer inside the
// emulator without a bound: some 50 overran it into its own pointer and
// libx86emu wrote through that (fuzz_emu finding, docs/fuzzing.md).
bool too_long(const EmuRun* c, x86emu_t* emu)
{
    const uint32_t eip_mask = ACC_D(emu->x86.R_CS_ACC) ? 0xffffffffu : 0xffffu;
    for (uint32_t i = 0; i < 15; ++i) {
        const uint64_t a = uint64_t{emu->x86.R_CS_BASE} + ((emu->x86.R_EIP + i) & eip_mask);
        if (a >= c->mem_size || !is_prefix(c->mem[a])) return false;
    }
    return true;
}

// Called before every instruction: the return trap, the limits, the
// length of the instruction, INS/OUTS.
int on_code(x86emu_t* emu)
{
    EmuRun* c = ctx(emu);
    if (c->stopped) return 1;
    uint32_t linear = emu->x86.R_CS_BASE + emu->x86.R_EIP;
    if (linear == c->trap_linear) {
        end_run(emu, returned_to_trap());
        return 1;
    }
    if (c->instructions >= c->req->limits.max_instructions) {
        end_run(emu, {EndKind::instruction_limit,
                      "stopped after " + std::to_string(c->instructions) + " instructions (--max-instructions)"});
        return 1;
    }
    // The clock is read every 4096 instructions: cheap, and still well under
    // a millisecond of overshoot.
    if ((c->instructions & 0xfff) == 0 && Clock::now() >= c->deadline) {
        end_run(emu, timed_out(c->req->limits.timeout_s));
        return 1;
    }
    ++c->instructions;
    if (too_long(c, emu)) {
        end_exception(emu, 13, 0);
        return 1;
    }
    // INS/OUTS are biosx's own (run_string_io): x86emu_run returns here.
    if (linear < c->mem_size &&
        biosx_strio_decode(c->mem + linear, static_cast<unsigned>(std::min<size_t>(BIOSX_INSN_MAX, c->mem_size - linear)),
                           ACC_D(emu->x86.R_CS_ACC), &c->strio) == 0) {
        if (c->strio.lock) {
            end_exception(emu, 6, -1);  // LOCK INS/OUTS: #UD (SDM Vol. 2A, LOCK)
            return 1;
        }
        c->string_io = true;
        return 1;
    }
    return 0;
}

unsigned io_width(unsigned type)
{
    switch (type & 0xff) {
    case X86EMU_MEMIO_16: return 2;
    case X86EMU_MEMIO_32: return 4;
    default: return 1;
    }
}

// One port access, through the run's policy (port_io.h). Out of line:
// on_memio() runs for every byte of code fetched and must stay small.
[[gnu::noinline]] unsigned on_io(EmuRun* c, u32 addr, u32* val, bool write, unsigned size)
{
    uint32_t v = c->ports->access(static_cast<uint16_t>(addr), size, write, *val);
    if (!write) *val = v;
    return 0;
}

// Every 65,536th access, and any after the run has ended: libx86emu runs a
// REP string instruction's whole count in one loop (x86emu_exit.h), so the
// run is left from here once it has ended (an access outside the memory)
// or its time is up -- the clock read as rarely as on_code reads it per
// instruction. EIP goes back to the REP, as an interrupted one leaves it.
[[gnu::noinline, gnu::cold]] void in_long_instruction(x86emu_t* emu, EmuRun* c)
{
    if (!c->stopped && Clock::now() >= c->deadline) end_run(emu, timed_out(c->req->limits.timeout_s));
    if (c->stopped) leave_x86emu();
}

// An access past the end of the memory source ends the run.
[[gnu::noinline, gnu::cold]] unsigned outside(x86emu_t* emu, EmuRun* c, u32 addr, u32* val, unsigned kind, unsigned size)
{
    const char* what = kind == X86EMU_MEMIO_W ? "write to" : kind == X86EMU_MEMIO_X ? "fetch from" : "read from";
    end_run(emu, outside_memory(what, addr, c->mem_size));
    if (kind != X86EMU_MEMIO_W) *val = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    return 1;
}

// Every memory and port access of the emulated CPU lands here. Memory is the
// source's own bytes, read and written in place (no per-page bookkeeping:
// libx86emu's page tables cost more than a whole INT 11h); an access outside
// the source ends the run.
unsigned on_memio(x86emu_t* emu, u32 addr, u32* val, unsigned type)
{
    EmuRun* c = ctx(emu);
    if ((++c->accesses & 0xffff) == 0 || c->stopped) [[unlikely]]
        in_long_instruction(emu, c);
    unsigned kind = type & ~0xffu;
    unsigned size = io_width(type);
    if (kind == X86EMU_MEMIO_I || kind == X86EMU_MEMIO_O) [[unlikely]]
        return on_io(c, addr, val, kind == X86EMU_MEMIO_O, size);

    if (uint64_t{addr} + size > c->mem_size) [[unlikely]]
        return outside(emu, c, addr, val, kind, size);
    // One load or store of the access's own width (x86 is little-endian, so
    // is the host): a copy of a variable length went through the stack byte
    // by byte and stalled the wider load that read it back.
    uint8_t* p = c->mem + addr;
    const bool w = kind == X86EMU_MEMIO_W;
    switch (size) {
    case 1:
        if (w) *p = static_cast<uint8_t>(*val); else *val = *p;
        break;
    case 2: {
        uint16_t v = static_cast<uint16_t>(*val);
        if (w) std::memcpy(p, &v, 2); else { std::memcpy(&v, p, 2); *val = v; }
        break;
    }
    default: {
        uint32_t v = *val;
        if (w) std::memcpy(p, &v, 4); else { std::memcpy(&v, p, 4); *val = v; }
        break;
    }
    }
    return 0;
}

// Software INT n inside the BIOS goes through the guest IVT as on a CPU;
// a CPU exception ends the run, as the vmx backend's exception bitmap does.
int on_intr(x86emu_t* emu, u8 num, unsigned type)
{
    // libx86emu raises #DE as a "soft" interrupt with INTR_MODE_RESTART;
    // software INT n and INT3 never carry RESTART.
    if ((type & 0xff) == INTR_TYPE_FAULT || (type & INTR_MODE_RESTART)) {
        end_exception(emu, num, (type & INTR_MODE_ERRCODE) ? int64_t{emu->x86.intr_errcode} : -1);
        return 1;
    }
    return 0;
}

// One element's port access of INS/OUTS, through on_io like IN/OUT.
void string_io_port(void* arg, unsigned port, unsigned size, int in, unsigned* value)
{
    auto* emu = static_cast<x86emu_t*>(arg);
    u32 v = *value;
    on_io(ctx(emu), port, &v, !in, size);
    *value = v;
}

// Elements between two looks at the clock: a REP with a count of 2^32
// still ends at --timeout, as in the module (which re-enters the guest
// every 1024 elements).
constexpr unsigned long kStringIoBatch = 4096;

// The INS/OUTS on_code found, run by the code the module runs at its I/O
// exit (shared/x86/string_io.h), each element's port access by the policy
// (on_io). libx86emu 3.5's own INS/OUTS step (E)SI/(E)DI by 1 whatever the
// element size, read OUTS from ES:SI, and run a REP to its end in one
// instruction, past the clock: biosx does not let it run them.
void run_string_io(x86emu_t* emu, EmuRun* c)
{
    const biosx_strio& s = c->strio;
    biosx_strio_regs r{};
    r.rcx = emu->x86.R_ECX;
    r.rsi = emu->x86.R_ESI;
    r.rdi = emu->x86.R_EDI;
    r.df = (emu->x86.R_EFLG & 0x400) != 0;
    r.base = emu->x86.seg[s.seg].base;
    r.limit = emu->x86.seg[s.seg].limit;
    if (c->req->trace)
        std::fprintf(c->req->trace, "insn %s%s%c at %s (run by biosx: shared/x86/string_io.h)\n", s.rep ? "rep " : "",
                     s.in ? "ins" : "outs", s.size == 1 ? 'b' : s.size == 2 ? 'w' : 'd',
                     seg_off(emu->x86.saved_cs, static_cast<uint16_t>(emu->x86.saved_eip)).c_str());
    int stop;
    do {
        stop = biosx_strio_run(&s, emu->x86.R_DX, &r, c->mem, c->mem_size, kStringIoBatch, string_io_port, emu);
        emu->x86.R_ECX = static_cast<u32>(r.rcx);
        emu->x86.R_ESI = static_cast<u32>(r.rsi);
        emu->x86.R_EDI = static_cast<u32>(r.rdi);
        if (stop == BIOSX_STRIO_MORE && Clock::now() >= c->deadline) {
            end_run(emu, timed_out(c->req->limits.timeout_s));
            return;
        }
    } while (stop == BIOSX_STRIO_MORE);
    switch (stop) {
    case BIOSX_STRIO_DONE:
        // past the instruction; IP wraps in a 16-bit code segment
        emu->x86.R_EIP = ACC_D(emu->x86.R_CS_ACC) ? emu->x86.R_EIP + s.len : (emu->x86.R_EIP + s.len) & 0xffff;
        break;
    case BIOSX_STRIO_GP:
    case BIOSX_STRIO_SS:
        end_exception(emu, stop == BIOSX_STRIO_SS ? 12 : 13, 0);
        break;
    default:
        end_run(emu, outside_memory(s.in ? "write to" : "read from", r.linear, c->mem_size));
        break;
    }
}

void flush_log(x86emu_t* emu, char* buf, unsigned size)
{
    EmuRun* c = ctx(emu);
    if (c->req->trace && size) std::fwrite(buf, 1, size, c->req->trace);
}

void load_regs(x86emu_t* emu, const Registers& r)
{
    emu->x86.R_EAX = r[Reg::eax];
    emu->x86.R_EBX = r[Reg::ebx];
    emu->x86.R_ECX = r[Reg::ecx];
    emu->x86.R_EDX = r[Reg::edx];
    emu->x86.R_ESI = r[Reg::esi];
    emu->x86.R_EDI = r[Reg::edi];
    emu->x86.R_EBP = r[Reg::ebp];
    emu->x86.R_ESP = r[Reg::esp];
    emu->x86.R_EIP = r[Reg::eip];
    emu->x86.R_EFLG = r[Reg::eflags];
    x86emu_set_seg_register(emu, emu->x86.R_CS_SEL, static_cast<u16>(r[Reg::cs]));
    x86emu_set_seg_register(emu, emu->x86.R_DS_SEL, static_cast<u16>(r[Reg::ds]));
    x86emu_set_seg_register(emu, emu->x86.R_ES_SEL, static_cast<u16>(r[Reg::es]));
    x86emu_set_seg_register(emu, emu->x86.R_FS_SEL, static_cast<u16>(r[Reg::fs]));
    x86emu_set_seg_register(emu, emu->x86.R_GS_SEL, static_cast<u16>(r[Reg::gs]));
    x86emu_set_seg_register(emu, emu->x86.R_SS_SEL, static_cast<u16>(r[Reg::ss]));
}

Registers save_regs(x86emu_t* emu)
{
    Registers r;
    r[Reg::eax] = emu->x86.R_EAX;
    r[Reg::ebx] = emu->x86.R_EBX;
    r[Reg::ecx] = emu->x86.R_ECX;
    r[Reg::edx] = emu->x86.R_EDX;
    r[Reg::esi] = emu->x86.R_ESI;
    r[Reg::edi] = emu->x86.R_EDI;
    r[Reg::ebp] = emu->x86.R_EBP;
    r[Reg::esp] = emu->x86.R_ESP;
    r[Reg::eip] = emu->x86.R_EIP;
    r[Reg::eflags] = emu->x86.R_EFLG;
    r[Reg::cs] = emu->x86.R_CS;
    r[Reg::ds] = emu->x86.R_DS;
    r[Reg::es] = emu->x86.R_ES;
    r[Reg::fs] = emu->x86.R_FS;
    r[Reg::gs] = emu->x86.R_GS;
    r[Reg::ss] = emu->x86.R_SS;
    return r;
}

// One emulator per backend, so per session: x86emu_new() allocates and
// zeroes over half a MiB (port maps and statistics), several times the
// cost of a whole INT 11h; x86emu_reset() before each run gives the same
// CPU state for a fraction of it.
class EmuBackend final : public Backend {
public:
    ~EmuBackend() override { x86emu_done(emu_); }
    std::string name() const override { return "emu"; }

    RunResult run(Memory& mem, const RunRequest& req) override
    {
        EmuRun c;
        c.req = &req;
        RunResult result;
        PortIo ports(req, mem, result);
        c.ports = &ports;
        StartState start = prepare_start(mem, req);

        result.backend = name();
        c.result = &result;
        auto m = mem.bytes();
        c.mem_size = m.size();

        if (!emu_) {
            emu_ = x86emu_new(0, 0);
            if (!emu_) fail(ErrorKind::environment, "libx86emu could not allocate an emulator");
            x86emu_set_memio_handler(emu_, on_memio);
            x86emu_set_code_handler(emu_, on_code);
            x86emu_set_intr_handler(emu_, on_intr);
        }
        x86emu_t* emu = emu_;
        x86emu_reset(emu);
        emu->_private = &c;
        // Memory is served by on_memio straight from the source's bytes, so
        // whatever the routine writes lands where --read finds it.
        c.mem = m.data();
        if (req.trace) {
            x86emu_set_log(emu, 1 << 16, flush_log);
            emu->log.trace = X86EMU_TRACE_CODE;
        } else if (emu->log.buf) {
            x86emu_set_log(emu, 0, nullptr);
            emu->log.trace = 0;
        }
        load_regs(emu, start.regs);

        auto t0 = Clock::now();
        c.deadline = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(req.limits.timeout_s));
        // x86emu_run returns at the end of the run, or at an INS/OUTS for run_string_io().
        for (;;) {
            const X86emuExit how = run_x86emu(emu);
            if (how == X86emuExit::divide_fault) {
                // A host division inside libx86emu faulted (x86emu_exit.h):
                // the guest's #DE, as it leaves the CPU: EIP at the
                // instruction, no register written.
                emu->x86.R_EIP = emu->x86.saved_eip;
                end_exception(emu, 0, -1);
                break;
            }
            if (how == X86emuExit::left) {
                // Ended inside a REP loop: EIP at the instruction, as an
                // interrupted REP leaves it (libx86emu has already cleared
                // (E)CX of MOVS and STOS, so the count does not show what
                // was left).
                emu->x86.R_EIP = emu->x86.saved_eip;
                break;
            }
            if (c.stopped || !c.string_io) break;
            c.string_io = false;
            run_string_io(emu, &c);
            if (c.stopped) break;
        }
        result.elapsed_s = std::chrono::duration<double>(Clock::now() - t0).count();
        if (req.trace) x86emu_clear_log(emu, 1);

        // x86emu_run only returns on its own for HLT.
        if (!c.stopped) result.end = halted(emu->x86.saved_cs, static_cast<uint16_t>(emu->x86.saved_eip));
        result.regs = save_regs(emu);
        result.instructions = c.instructions;
        result.end.message += polling_note(result, mem.kind() == MemoryKind::image);
        emu->_private = nullptr;
        return result;
    }

private:
    x86emu_t* emu_ = nullptr;
};

}  // namespace

std::unique_ptr<Backend> make_emu_backend() { return std::make_unique<EmuBackend>(); }

}  // namespace biosx
