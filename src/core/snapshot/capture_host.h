// capture_host.h - the device state of this host for a snapshot
// (`memmap --save` from a live host): the CMOS/RTC contents through the
// kernel's interfaces, never its ports. Userspace.
#pragma once

#include <string>
#include <vector>

#include "core/snapshot/snapshot.h"

namespace biosx::snapshot {

struct HostCapture {
    DeviceState state;                 // empty when nothing could be read
    std::vector<std::string> sources;  // "clock: /dev/rtc0 (RTC_RD_TIME)", "0x0e-0x7f: /dev/nvram"
    std::vector<std::string> notes;    // what could not be read, and why
};

// The clock registers from the RTC (read_host_rtc(): /dev/rtc0, else sysfs)
// as biosx presents them (io_host.h), CMOS bytes 0x0E-0x7F from /dev/nvram
// (root; the nvram module). Bytes neither gives are marked not captured.
HostCapture capture_host_devices();

}  // namespace biosx::snapshot
