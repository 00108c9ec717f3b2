// backend.h - the one small interface every execution backend implements
// (emu: libx86emu; vmx: /dev/biosx). Takes a RunRequest and a memory view,
// returns a RunResult (src/core/run/run.h). Userspace.
#pragma once

#include <memory>
#include <string>

#include "core/run/memory.h"
#include "core/run/run.h"

namespace biosx {

class Backend {
public:
    virtual ~Backend() = default;
    virtual std::string name() const = 0;
    // Runs `req` over `mem`. Throws Error for problems before the run starts
    // (environment, usage); anything that happens during the run is in
    // RunResult::end.
    virtual RunResult run(Memory& mem, const RunRequest& req) = 0;
};

std::unique_ptr<Backend> make_emu_backend();

}  // namespace biosx
