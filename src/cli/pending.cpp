// pending.cpp - TEMPORARY weak placeholders for subcommands whose files are
// being written; each real definition overrides these. Userspace CLI.
#include "cli/common.h"
#include "cli/print_run.h"
#include "core/error.h"

namespace biosx::cli {
__attribute__((weak)) void setup_caps(CLI::App&) {}
__attribute__((weak)) void setup_dump_vmcs(CLI::App&) {}
__attribute__((weak)) void setup_memmap(CLI::App&) {}
__attribute__((weak)) void print_last_vmcs(std::ostream&, bool)
{
    fail(ErrorKind::environment, "--dump-vmcs needs the vmx backend (load biosx.ko)");
}
}  // namespace biosx::cli
