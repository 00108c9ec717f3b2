// start_state.cpp - the start state of a run, identical for every backend:
// the rules of shared/x86/entry_frame.h (the module applies them too), with
// messages that name the entry. Userspace.
#include "core/run/start_state.h"

#include "core/error.h"
#include "core/format.h"
#include "x86/entry_frame.h"
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

void check_entry(Memory& mem, const Entry& e)
{
    // The rules are the module's too (shared/x86/entry_frame.h); here they
    // come with a message that names the entry.
    auto m = mem.bytes();
    const bool is_int = e.kind == Entry::Kind::interrupt;
    uint16_t seg = e.seg, off = e.off;
    const int refused = biosx_entry_point(m.data(), m.size(), is_int, e.vector, &seg, &off);
    if (!refused) return;
    if (!is_int)
        fail(ErrorKind::environment,
             "call " + seg_off(seg, off) + ": there is no code at this address (all 00 or FF bytes)");
    std::string where = "INT " + hex(e.vector, 2) + " (IVT entry " + seg_off(seg, off) + ")";
    // A snapshot has no firmware type of its own to blame.
    if (refused == BIOSX_ENTRY_NO_HANDLER)
        fail(ErrorKind::environment, where + (mem.kind() == MemoryKind::image
                                                  ? ": there is no BIOS handler for this vector in this snapshot"
                                                  : ": there is no BIOS handler for this vector; "
                                                    "the machine may boot with UEFI and no CSM"));
    fail(ErrorKind::environment, where + ": there is no BIOS handler for this vector; "
                                         "it points at memory that holds no code");
}

StartState prepare_start(Memory& mem, const RunRequest& req)
{
    const Entry& e = req.entry;
    const bool is_int = e.kind == Entry::Kind::interrupt;
    check_entry(mem, e);
    StartState s;
    s.regs = req.regs;
    s.handler_seg = e.seg;
    s.handler_off = e.off;
    auto m = mem.bytes();
    biosx_entry_point(m.data(), m.size(), is_int, e.vector, &s.handler_seg, &s.handler_off);

    // The return trap and the frame, as the module writes them.
    Registers& r = s.regs;
    biosx_entry_regs er{};
    er.esp = r[Reg::esp];
    er.eflags = r[Reg::eflags];
    er.ss = static_cast<uint16_t>(r[Reg::ss]);
    if (biosx_entry_push_frame(m.data(), m.size(), is_int, s.handler_seg, s.handler_off, &er))
        fail(ErrorKind::usage, "--ss " + hex(r[Reg::ss], 4) + " --sp " + hex(r[Reg::esp] & 0xffff, 4) +
                                   ": the return trap or the return frame lies outside the memory (" +
                                   std::to_string(m.size()) + " bytes)");
    r[Reg::esp] = er.esp;
    r[Reg::eflags] = er.eflags;
    r[Reg::cs] = er.cs;
    r[Reg::eip] = er.eip;
    return s;
}

}  // namespace biosx
