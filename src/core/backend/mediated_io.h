// mediated_io.h - the mediated port classes for the emulation backend over the
// host: what a root process honestly has instead of the kernel's locked
// CMOS and PCI accessors (/dev/nvram, /dev/rtc0, the PCI functions' sysfs
// config files). Userspace.
#pragma once

#include <cstdint>

namespace biosx {

// One run's own CMOS index and PCI CONFIG_ADDRESS latch; the host's index
// and address registers are never written by the routine.
struct MediatedIo {
    uint8_t cmos_index = 0;
    uint32_t pci_address = 0;
    // Each returns true when it mediated the access (value read or written),
    // false when the access is to be treated as virtual.
    bool cmos(uint16_t port, unsigned size, bool write, uint32_t& value);
    bool pci(uint16_t port, unsigned size, bool write, uint32_t& value);
};

}  // namespace biosx
