// io_policy.h - what happens to port I/O a BIOS routine performs, for every
// backend: the shared table (shared/x86/port_policy.h: hard floor,
// mediated CMOS and PCI configuration, passed display and delay ports,
// everything else virtual), the run's mode and --allow-port. Userspace.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/run/memory.h"

namespace biosx {

struct PortRange {
    uint16_t first, last;
};

// The class of each port, one byte per port (read class in bits 3:0, write
// class in bits 7:4; enum biosx_port_class).
using PortMap = std::vector<uint8_t>;

// The shared table alone: what biosx knows without looking at a host.
std::shared_ptr<const PortMap> static_port_map();
// The table completed from this host as the module completes it at load:
// the FADT's ACPI registers join the floor (/sys/firmware/acpi/tables/FACP),
// the I/O BARs of display-class PCI functions pass (/sys/bus/pci/devices).
// Whatever cannot be read (not root, no ACPI) is left as the table has it.
std::shared_ptr<const PortMap> host_port_map();

enum class PortClass { pass = 0, cmos = 1, pci = 2, virtual_ = 3, floor = 4 };

struct IoPolicy {
    // virtual_io: nothing above the floor reaches the hardware (images,
    // --virtual-io). Otherwise the host's table applies, and pass_io
    // (--pass-io, experts) lets every virtual port through.
    bool virtual_io = true;
    bool pass_io = false;
    std::vector<PortRange> allow;  // --allow-port: these reach the hardware
    // The port map; null means static_port_map() when virtual, host_port_map() otherwise.
    std::shared_ptr<const PortMap> map;

    const PortMap& port_map() const;
    // The class an access gets: that of its most restrictive byte.
    PortClass classify(uint16_t port, unsigned size, bool write) const;
    // --allow-port as the module's bitmap (8 KiB, a set bit opens the port).
    std::vector<uint8_t> allow_bitmap() const;
    // This policy for a run over memory of `kind`: over an image no port
    // reaches the hardware whatever was asked (the snapshot's machine is
    // not this one), so it is virtual with nothing passed or allowed.
    IoPolicy over(MemoryKind kind) const;
};

// Why PORT is on the hard floor of MAP (in either direction), or "" when it
// is not.
std::string floor_reason(const PortMap& map, uint16_t port);

// snapshot: served from the device state a snapshot carries (its CMOS).
enum class IoDisposition { virtual_, passed, denied, mediated, snapshot };
std::string_view disposition_name(IoDisposition d);

struct IoAccess {
    uint16_t port = 0;
    uint8_t size = 1;  // bytes: 1, 2, 4
    bool write = false;
    uint32_t value = 0;
    IoDisposition disposition = IoDisposition::virtual_;
};

// How often a run's accesses to one port (the port the instruction named)
// were kept from the hardware: refused (denied) or virtual.
struct PortCount {
    uint16_t port = 0;
    bool write = false;
    IoDisposition disposition = IoDisposition::virtual_;
    uint64_t count = 0;
};
void count_port(std::vector<PortCount>& counts, const IoAccess& a);

}  // namespace biosx
