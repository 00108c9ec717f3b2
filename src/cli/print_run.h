// print_run.h - the text view of one run. Userspace CLI.
#pragma once

#include <ostream>

#include "core/call/call.h"

namespace biosx::cli {

void print_run_text(std::ostream& os, const CallSpec& spec, const CallOutcome& out, bool color);
// `biosx int ... --dump-vmcs`: the VMCS of the run just made.

}  // namespace biosx::cli
