// capture_host.h - the device state of this host for a snapshot
// (`memmap --save` from a live host): the CMOS/RTC contents through the
// kernel's interfaces, never its ports. Userspace.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/run/snapshot.h"

namespace biosx::snapshot {

struct HostCapture {
    DeviceState state;                 // empty when nothing could be read
    std::vector<std::string> sources;  // "clock: /dev/rtc0 (RTC_RD_TIME)", "0x0e-0x7f: /dev/nvram"
    std::vector<std::string> notes;    // what could not be read, and why
};

// The clock registers from the RTC (read_host_rtc(): /dev/rtc0, else sysfs)
// as biosx presents them (mediated_io.h), CMOS bytes 0x0E-0x7F from /dev/nvram
// (root; the nvram module); without it, the century register the FADT names
// from the RTC's year (the kernel read it from there). Bytes none of these
// gives are marked not captured.
HostCapture capture_host_devices();

// The CMOS index of the RTC's century register as a raw FADT names it
// (ACPI 6.5 §5.2.9, Table 5.9: CENTURY, one byte at offset 108), or 0.
// Linux's RTC driver (mc146818_get_time()) reads the century from that
// register when a FADT of revision 3 (ACPICA's FADT2_REVISION_ID) or later
// names it, so the year RTC_RD_TIME gives holds that byte; an older FADT's
// it ignores, and so does this.
unsigned century_register(std::span<const uint8_t> fadt);

}  // namespace biosx::snapshot
