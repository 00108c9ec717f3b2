// mediated_io.h - the mediated port classes for the emulation backend over the
// host: what a root process honestly has instead of the kernel's locked
// CMOS and PCI accessors (/dev/nvram, /dev/rtc0, the PCI functions' sysfs
// config files). Userspace.
#pragma once

#include <cstdint>
#include <string>

namespace biosx {

// The host's real-time clock as the kernel reports it.
struct HostTime {
    int year = 0, month = 0, day = 0;      // 2026, 1-12, 1-31
    int hour = 0, minute = 0, second = 0;  // 24-hour
    int weekday = 0;                       // 0 = Sunday
};
// RTC_RD_TIME on /dev/rtc0, else /sys/class/rtc/rtc0/date and time (readable
// by every user). `source` names the one that answered. False when neither.
bool read_host_rtc(HostTime& t, std::string* source = nullptr);
// Clock register `reg` of the MC146818 as biosx presents the host's RTC: a
// BCD, 24-hour clock (register B = 02h), A = 26h (update-in-progress clear),
// D = 80h (valid RAM). False for the alarm registers and register C, which
// the kernel's interfaces do not give.
bool clock_register(const HostTime& t, uint8_t reg, uint32_t& value);

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
