// lockdown.h - the kernel's lockdown level (/sys/kernel/security/lockdown),
// which refuses /dev/mem, port I/O and unsigned modules such as biosx.ko:
// every "permission denied" biosx explains names it when it is raised.
// Userspace.
#pragma once

#include <string>

namespace biosx {

// "integrity" or "confidentiality" when lockdown is raised; empty when it
// is "none" or the file cannot be read.
std::string lockdown_level();

}  // namespace biosx
