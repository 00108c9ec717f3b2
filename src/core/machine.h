// machine.h - the machine a command runs BIOS code on: a memory source
// (image, the module's guest memory, the host's first MiB, or the bundled
// snapshot) and a backend to execute it (vmx or emu), chosen from the
// user's --image/--backend and what this host offers. Userspace.
#pragma once

#include <memory>
#include <string>

#include "core/backend/backend.h"
#include "core/run/memory.h"

namespace biosx {

// What the user asked for; "auto" picks the best this host offers.
struct MachineOptions {
    std::string image;             // --image FILE, or empty
    std::string backend = "auto";  // auto | emu | vmx | kvm
    // Over the host: when its BIOS is not reachable, use the bundled
    // snapshot (the CLI's choice) instead of failing.
    bool bundled_fallback = true;
};

// Memory and backend belong together: the vmx backend runs only over the
// module's guest memory, the emu backend over any other. Each Machine opens
// /dev/biosx itself: the module gives every open file its own guest memory,
// which lasts as long as the Machine (a libbiosx session).
struct Machine {
    std::unique_ptr<Memory> mem;
    std::unique_ptr<Backend> backend;
    std::string note;                  // one line for stderr when a fallback was taken
    // The host's BIOS was not reachable (why) and the bundled SeaBIOS
    // snapshot stands in: fine to explore, wrong to save as "this machine's".
    bool bundled = false;
    std::string host_unreachable;
};

Machine open_machine(const MachineOptions& opt);

}  // namespace biosx
