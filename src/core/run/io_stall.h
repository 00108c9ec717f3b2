// io_stall.h - why a run that hit its limit may have spun: the virtual
// ports it kept accessing, named in its end message. Used by every backend.
// Userspace, pure code.
#pragma once

#include <string>

#include "core/run/run.h"

namespace biosx {

// For a run stopped by --timeout or --max-instructions while it kept
// accessing virtual ports (a loop waiting on a device that is not there:
// INT 1Ah polling the RTC's update-in-progress bit over an image without
// CMOS), the clause naming those ports to append to its end message;
// "" for any other run. `image`: the memory is a snapshot file.
std::string polling_note(const RunResult& r, bool image);

}  // namespace biosx
