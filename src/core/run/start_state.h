// start_state.h - turns a RunRequest into the CPU state at the routine's first
// instruction: IVT lookup, handler sanity check, return trap, pushed frame.
// Shared by every backend so they agree register for register. Userspace.
#pragma once

#include "core/run/memory.h"
#include "core/run/run.h"

namespace biosx {

// Registers a run starts from unless the user sets them: all zero but
// EFLAGS (bit 1, always one) and the stack (SS:SP = 0000:7C00).
Registers default_registers();

struct StartState {
    Registers regs;          // CS:EIP = handler, SS:ESP below the pushed frame
    uint16_t handler_seg = 0, handler_off = 0;
};

// Looks the vector up (for INT), refuses a vector with no BIOS handler,
// writes the trap stub and the return frame into `mem`, and returns the
// state to start from. Throws Error(environment) for a missing handler.
StartState prepare_start(Memory& mem, const RunRequest& req);

// Throws Error(environment) when the entry has no BIOS handler (vector
// 0000:0000 or pointing at bytes that hold no code). Changes nothing.
void check_entry(Memory& mem, const Entry& e);

}  // namespace biosx
