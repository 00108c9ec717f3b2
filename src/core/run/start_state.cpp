// start_state.cpp - the start state of a run, identical for every backend.
// Userspace.
#include "core/run/start_state.h"

#include <algorithm>

#include "core/error.h"
#include "core/format.h"
#include "x86/realmode.h"

namespace biosx {

Registers default_registers()
{
    Registers r;
    r[Reg::eflags] = BIOSX_EFLAGS_FIXED1;
    r[Reg::ss] = BIOSX_DEFAULT_SS;
    r[Reg::esp] = BIOSX_DEFAULT_SP;
    return r;
}

namespace {

// Code that is all 0x00 or all 0xFF is erased flash or unbacked address
// space: a UEFI machine without a CSM leaves the IVT pointing at such bytes.
bool looks_like_code(Memory& mem, uint32_t linear)
{
    auto m = mem.bytes();
    if (linear >= m.size()) return false;
    size_t n = std::min<size_t>(16, m.size() - linear);
    auto first = m.begin() + linear;
    bool zeros = std::all_of(first, first + n, [](uint8_t b) { return b == 0x00; });
    bool ones = std::all_of(first, first + n, [](uint8_t b) { return b == 0xff; });
    return !(zeros || ones);
}

void push16(Memory& mem, Registers& r, uint16_t v)
{
    // Real-mode pushes wrap SP inside the 64 KiB stack segment.
    uint16_t sp = static_cast<uint16_t>(r[Reg::esp] - 2);
    r[Reg::esp] = (r[Reg::esp] & 0xffff0000u) | sp;
    mem.write16((r[Reg::ss] << 4) + sp, v);
}

}  // namespace

void check_entry(Memory& mem, const Entry& e)
{
    if (e.kind == Entry::Kind::interrupt) {
        uint32_t ivt = e.vector * 4u;
        uint16_t off = mem.read16(ivt), seg = mem.read16(ivt + 2);
        std::string where = "INT " + hex(e.vector, 2) + " (IVT entry " + seg_off(seg, off) + ")";
        // A snapshot has no firmware type of its own to blame.
        if (seg == 0 && off == 0)
            fail(ErrorKind::environment, where + (mem.kind() == MemoryKind::image
                                                      ? ": there is no BIOS handler for this vector in this snapshot"
                                                      : ": there is no BIOS handler for this vector; "
                                                        "the machine may boot with UEFI and no CSM"));
        if (!looks_like_code(mem, (seg << 4) + off))
            fail(ErrorKind::environment, where + ": there is no BIOS handler for this vector; "
                                                 "it points at memory that holds no code");
    } else if (!looks_like_code(mem, (e.seg << 4) + e.off)) {
        fail(ErrorKind::environment,
             "call " + seg_off(e.seg, e.off) + ": there is no code at this address (all 00 or FF bytes)");
    }
}

StartState prepare_start(Memory& mem, const RunRequest& req)
{
    StartState s;
    s.regs = req.regs;
    const Entry& e = req.entry;
    check_entry(mem, e);
    if (e.kind == Entry::Kind::interrupt) {
        s.handler_off = mem.read16(e.vector * 4u);
        s.handler_seg = mem.read16(e.vector * 4u + 2);
    } else {
        s.handler_seg = e.seg;
        s.handler_off = e.off;
    }

    const uint8_t stub[] = {BIOSX_TRAP_OPCODE};
    mem.write(BIOSX_TRAP_LINEAR, stub);

    Registers& r = s.regs;
    if (e.kind == Entry::Kind::interrupt) {
        // What INT n does in real mode (SDM Vol. 2A, INT n, REAL-ADDRESS-MODE):
        // push FLAGS, CS, IP; clear IF, TF (and AC); load CS:IP from the IVT.
        push16(mem, r, static_cast<uint16_t>(r[Reg::eflags]));
        push16(mem, r, BIOSX_TRAP_SEG);
        push16(mem, r, BIOSX_TRAP_OFF);
        r[Reg::eflags] &= ~(BIOSX_EFLAGS_IF | BIOSX_EFLAGS_TF | (1u << 18));
    } else {
        push16(mem, r, BIOSX_TRAP_SEG);
        push16(mem, r, BIOSX_TRAP_OFF);
    }
    r[Reg::eflags] |= BIOSX_EFLAGS_FIXED1;
    r[Reg::cs] = s.handler_seg;
    r[Reg::eip] = s.handler_off;
    return s;
}

bool at_trap(const Registers& regs)
{
    return (regs[Reg::cs] << 4) + (regs[Reg::eip] & 0xffff) == BIOSX_TRAP_LINEAR;
}

}  // namespace biosx
