// x86emu_exit.h - x86emu_run with the two ways out of it that libx86emu
// lacks: a host divide fault inside it, and a callback that has ended the
// run in the middle of an instruction. Userspace, emulation backend.
//
// Host divide faults. libx86emu (3.5: ops.c x86emuOp_aam, prim_ops.c
// idiv_word/idiv_long) computes AAM and IDIV with the host's DIV and IDIV,
// so three guest instructions fault on the host instead of raising #DE in the
// guest: AAM 0 (it notes the #DE, then divides anyway), and the quotient
// overflow INT_MIN / -1 of IDIV r/m16 (DX:AX = 8000:0000) and IDIV r/m32
// (EDX:EAX = 2^63). A CPU raises #DE for all three (SDM Vol. 2A, AAM and
// IDIV). Found by fuzz_emu: the host's SIGFPE killed biosx (docs/fuzzing.md).
//
// Runs ended inside an instruction. libx86emu runs a REP MOVS/STOS/LODS/
// CMPS/SCAS's whole count in one loop that x86emu_stop() does not reach
// (it is read between instructions): with a 32-bit count (67h prefix) one
// instruction made 2^32 memory accesses, past --timeout and past an access
// outside the memory that had already ended the run. Found by fuzz_emu.
// (INS/OUTS never run there: on_code hands them to shared/x86/string_io.h.)
//
// The trace log's end. x86emu_run (3.5: decode.c) ends every run by
// appending its status lines ("* no proper code\n", "* timeout\n", ...: at
// most 91 bytes and a NUL) to the --trace log buffer without checking the
// room left; its per-instruction logging keeps 512 bytes free only before an
// instruction it logs. A run that stops at its first instruction logs none:
// every INS/OUTS does (on_code hands it over), so a routine of ~3,900 of them
// in a row appended those lines past the end of the 64 KiB buffer (heap
// overflow, found by fuzz_emu). run_x86emu flushes the log to the trace file
// first whenever less than kLogTrailerRoom bytes are free.
#pragma once

#include <cstddef>

#include <x86emu.h>

namespace biosx {

// Free log bytes run_x86emu keeps for libx86emu's end-of-run lines.
inline constexpr std::size_t kLogTrailerRoom = 1024;

enum class X86emuExit {
    returned,      // x86emu_run returned by itself
    divide_fault,  // a SIGFPE inside libx86emu's code: the guest's #DE at saved CS:EIP
    left,          // a callback called leave_x86emu()
};

// x86emu_run(emu, 0), with the exits above. A SIGFPE anywhere but in
// libx86emu's code goes to the handler that was in place before, as if this
// one did not exist; biosx's handler is installed only while some thread is
// inside this function.
X86emuExit run_x86emu(x86emu_t* emu);

// From a memory callback of the run_x86emu on this thread: leaves
// x86emu_run at once (the caller's frames must hold no object with a
// destructor: they are skipped). Returns, doing nothing, when this thread is
// not inside run_x86emu (biosx's own accesses through libx86emu).
void leave_x86emu();

}  // namespace biosx
