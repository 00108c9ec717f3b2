// source.h - picks the memory source and backend from the user's choice and
// what this machine offers (image, module, /dev/mem, the bundled snapshot).
// Userspace.
#pragma once

#include <memory>
#include <string>

#include "core/backend.h"
#include "core/memory.h"

namespace biosx {

struct SourceOptions {
    std::string image;             // --image FILE, or empty
    std::string backend = "auto";  // auto | emu | vmx
    // Over the host: when its BIOS is not reachable, use the bundled
    // snapshot (the CLI's choice) instead of failing.
    bool bundled_fallback = true;
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

// The vmx backend and its memory, from a new open of /dev/biosx: the
// module gives every open its own guest memory, copied from the host at
// open (kernel/biosx_guest.c), which lasts as long as `s`. False when the
// device is absent; throws Error(environment) when it is there but unusable.
bool open_vmx_if_present(Source& s);
// The kernel's lockdown level when raised ("integrity", "confidentiality"),
// from /sys/kernel/security/lockdown; empty when none or unknown.
std::string lockdown_level();

}  // namespace biosx
