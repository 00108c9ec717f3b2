// machine.h - picks the memory source and backend from the user's choice and
// what this machine offers (image, module, /dev/mem, the bundled snapshot).
// Userspace.
#pragma once

#include <memory>
#include <string>

#include "core/backend/backend.h"
#include "core/run/memory.h"

namespace biosx {

struct SourceOptions {
    std::string image;             // --image FILE, or empty
    std::string backend = "auto";  // auto | emu | vmx
};

struct Source {
    std::unique_ptr<Memory> mem;
    std::unique_ptr<Backend> backend;
    std::string note;                  // one line for stderr when a fallback was taken
    // The host's BIOS was not reachable (why) and the bundled SeaBIOS
    // snapshot stands in: fine to explore, wrong to save as "this machine's".
    bool bundled = false;
    std::string host_unreachable;
};

Source open_source(const SourceOptions& opt);

// The vmx backend and its memory, when the module is present; null when the
// device is absent. Throws Error(environment) when it is there but unusable.
std::unique_ptr<Backend> make_vmx_backend_if_present();
// The kernel's lockdown level when raised ("integrity", "confidentiality"),
// from /sys/kernel/security/lockdown; empty when none or unknown.
std::string lockdown_level();
std::unique_ptr<Memory> open_vmx_memory_if_present();

}  // namespace biosx
