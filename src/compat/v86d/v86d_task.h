// v86d_task.h - one uvesafb task run in a libbiosx session: the registers
// in, the buffer placed in conventional memory at ES:DI or ES:BX, INT 10h,
// the registers and (TF_BUF_RET, TF_VBEIB) the buffer out, the VBE info
// block's pointers made offsets. Over the C API of include/biosx/biosx.h
// only. Userspace.
#pragma once

#include <biosx/biosx.h>

#include <string>

#include "compat/v86d/uvesafb_protocol.h"
#include "compat/v86d/vbe_info_fixup.h"

namespace biosx::v86d {

// What running one task did.
struct TaskOutcome {
    int status = BIOSX_OK;       // biosx_run()'s, or biosx_alloc()'s when no buffer could be had
    std::string error;           // the session's message when status is not BIOSX_OK
    bool ran = false;            // the routine started (it may not have returned)
    biosx_registers in{};        // what the routine started with (buffer address included)
    biosx_result result{};       // the run: end, registers out, instructions or exits, time
    uint16_t buffer_segment = 0; // where the buffer was, 0 when the task had none
    bool vbe_fixed = false;      // TF_VBEIB: the pointers were rewritten
    VbeInfoFixup vbe{};
};

// run_task() - run @r in @s and leave the answer in @r (registers, buffer),
// ready for build_reply(). When the routine did not return, or nothing
// could run, @r keeps the registers it came with: AX still holds the VBE
// function number, never 004Fh, so uvesafb sees the call failed and does
// not wait for its timeout. Every task is an INT 10h, as uvesafb's are.
TaskOutcome run_task(biosx_session* s, Request& r);

// task_log_line() - one line on a task and its outcome: seq, flags, buffer,
// the registers in and out, how the run ended, and the VBE fix-up.
std::string task_log_line(const Request& r, const TaskOutcome& o);

}  // namespace biosx::v86d
