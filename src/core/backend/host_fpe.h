// host_fpe.h - x86emu_run with libx86emu's own host divide faults turned
// into the guest's #DE. Userspace, emulation backend.
//
// libx86emu (3.5: ops.c x86emuOp_aam, prim_ops.c idiv_word/idiv_long)
// computes AAM and IDIV with the host's DIV and IDIV, so three guest
// instructions fault on the host instead of raising #DE in the guest: AAM 0
// (it notes the #DE, then divides anyway), and the quotient overflow
// INT_MIN / -1 of IDIV r/m16 (DX:AX = 8000:0000) and IDIV r/m32 (EDX:EAX =
// 2^63). A CPU raises #DE for all three (SDM Vol. 2A, AAM and IDIV). Found by
// fuzz_emu: the host's SIGFPE killed biosx (docs/fuzzing.md).
#pragma once

#include <x86emu.h>

namespace biosx {

// x86emu_run(emu, 0). Returns false when a SIGFPE was raised inside
// libx86emu's code: the run stopped at that instruction (saved CS:EIP), with
// no register written by it. A SIGFPE anywhere else goes to the handler that
// was in place before, as if this one did not exist; biosx's handler is
// installed only while some thread is inside this function.
bool run_x86emu_guarded(x86emu_t* emu);

}  // namespace biosx
