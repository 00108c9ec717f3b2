// capture_host.cpp - the host's CMOS/RTC for a snapshot, through /dev/rtc0
// (or sysfs) and /dev/nvram, each of which takes the kernel's rtc_lock.
// Userspace.
#include "core/snapshot/capture_host.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "core/io_host.h"

namespace biosx::snapshot {

namespace {

// /dev/nvram's offset 0 is CMOS byte 14, after the clock's registers
// (drivers/char/nvram.c, NVRAM_FIRST_BYTE on x86).
constexpr size_t kNvramFirst = 14, kCmosSize = 128;

}  // namespace

HostCapture capture_host_devices()
{
    HostCapture out;
    Cmos c;
    c.bytes.assign(kCmosSize, 0xff);
    c.known.assign(kCmosSize, false);

    // One read of the clock for all its registers: reading them one by one
    // could straddle a second and give a time that never was.
    HostTime t;
    std::string source;
    if (read_host_rtc(t, &source)) {
        for (uint8_t reg = 0; reg < kNvramFirst; ++reg) {
            uint32_t v = 0;
            if (clock_register(t, reg, v)) c.bytes[reg] = static_cast<uint8_t>(v), c.known[reg] = true;
        }
        out.sources.push_back("clock registers 0x00-0x0d: " + source);
    } else {
        out.notes.push_back("the clock was not captured: neither /dev/rtc0 nor /sys/class/rtc/rtc0 answered");
    }

    int fd = ::open("/dev/nvram", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        out.notes.push_back(std::string("CMOS bytes 0x0e-0x7f were not captured: /dev/nvram: ") + std::strerror(errno) +
                            (errno == ENOENT ? " (modprobe nvram; root)" : ""));
    } else {
        uint8_t buf[kCmosSize - kNvramFirst];
        ssize_t n = ::pread(fd, buf, sizeof buf, 0);
        int e = errno;
        ::close(fd);
        if (n <= 0) {
            out.notes.push_back(std::string("CMOS bytes 0x0e-0x7f were not captured: reading /dev/nvram: ") +
                                (n == 0 ? "end of file" : std::strerror(e)));
        } else {
            for (ssize_t i = 0; i < n; ++i) c.bytes[kNvramFirst + i] = buf[i], c.known[kNvramFirst + i] = true;
            char range[48];
            std::snprintf(range, sizeof range, "CMOS bytes 0x0e-0x%02zx: /dev/nvram", kNvramFirst + n - 1);
            out.sources.push_back(range);
        }
    }
    if (c.known_count()) out.state.cmos = std::move(c);
    return out;
}

}  // namespace biosx::snapshot
