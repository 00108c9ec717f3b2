// io_policy.h - what happens to port I/O a BIOS routine performs, shared by
// every backend: virtual (image), pass to hardware (host), deny list.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace biosx {

struct PortRange {
    uint16_t first, last;
    bool writes_only;  // reads are harmless (status polling), writes are not
    std::string why;
};

// The default deny list: ports whose use by a BIOS routine could reset or
// destabilise a running Linux (reset control, fast A20, keyboard-controller
// commands, PIC and PIT programming).
const std::vector<PortRange>& default_denied_ports();

struct IoPolicy {
    // virtual_io: reads return all ones, writes are dropped (images).
    // !virtual_io: accesses reach the hardware (host memory, root).
    bool virtual_io = true;
    std::vector<PortRange> deny = default_denied_ports();
    // A denied access is not performed: a read returns all ones, a write is
    // dropped, the access is recorded as denied and the routine goes on.
    const PortRange* denied(uint16_t port, bool write) const;
};

enum class IoDisposition { virtual_, passed, denied };

struct IoAccess {
    uint16_t port = 0;
    uint8_t size = 1;  // bytes: 1, 2, 4
    bool write = false;
    uint32_t value = 0;
    IoDisposition disposition = IoDisposition::virtual_;
};

}  // namespace biosx
