// backend.h - the one small interface every execution backend implements
// (emu: libx86emu; vmx: /dev/biosx). Takes a RunRequest and a memory view,
// returns a RunResult (src/core/run/run.h). Userspace.
#pragma once

#include <memory>
#include <string>

#include "core/run/memory.h"
#include "core/run/run.h"

namespace biosx {

class BiosxDevice;

class Backend {
public:
    virtual ~Backend() = default;
    virtual std::string name() const = 0;
    // Runs `req` over `mem`. Throws Error for problems before the run starts
    // (environment, usage); anything that happens during the run is in
    // RunResult::end.
    virtual RunResult run(Memory& mem, const RunRequest& req) = 0;
};

// libx86emu over any memory source, on any machine.
std::unique_ptr<Backend> make_emu_backend();

// KVM through /dev/kvm over any memory source of the whole first MiB; one
// VM and vCPU per backend, made at the first run and kept (docs/kvm.md).
std::unique_ptr<Backend> make_kvm_backend();

// biosx.ko through `device`, over that device's guest memory only: the
// backend and the memory of one run share one open file of /dev/biosx.
std::unique_ptr<Backend> make_vmx_backend(std::shared_ptr<BiosxDevice> device);
std::unique_ptr<Memory> make_vmx_memory(std::shared_ptr<BiosxDevice> device);

}  // namespace biosx
