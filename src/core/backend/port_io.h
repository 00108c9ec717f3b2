// port_io.h - one port access of a routine, decided by the run's IoPolicy
// exactly as the module decides it (shared/x86/port_policy.h): virtual (or
// the snapshot's CMOS), denied, mediated through the host's kernel, or
// passed to the hardware; logged and counted into the RunResult. Shared by
// the backends that see each access in userspace (emu, kvm). Userspace.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>

#include "core/backend/mediated_io.h"
#include "core/backend/virtual_cmos.h"
#include "core/run/memory.h"
#include "core/run/run.h"

namespace biosx {

struct PortIo {
    IoPolicy io;          // the request's policy as it applies over this run's memory
    MediatedIo mediated;  // this run's CMOS index and PCI address latch
    std::optional<snapshot::VirtualCmos> cmos;  // the snapshot's CMOS, when it carries one
    RunResult* result = nullptr;
    FILE* trace = nullptr;

    // The policy of `req` over `mem`, and the snapshot's CMOS; throws
    // Error(environment) when a port may reach the hardware and this
    // process cannot do port I/O (iopl).
    PortIo(const RunRequest& req, Memory& mem, RunResult& res);
    // One access of SIZE bytes (1, 2, 4); returns the value read (for a
    // write: the value written, masked to SIZE).
    uint32_t access(uint16_t port, unsigned size, bool write, uint32_t value);
};

}  // namespace biosx
