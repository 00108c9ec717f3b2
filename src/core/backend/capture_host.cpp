// capture_host.cpp - the host's CMOS/RTC for a snapshot, through /dev/rtc0
// (or sysfs) and /dev/nvram, each of which takes the kernel's rtc_lock.
// Userspace.
#include "core/backend/capture_host.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "core/backend/mediated_io.h"

namespace biosx::snapshot {

namespace {

// /dev/nvram's offset 0 is CMOS byte 14, after the clock's registers
// (drivers/char/nvram.c, NVRAM_FIRST_BYTE on x86).
constexpr size_t kNvramFirst = 14, kCmosSize = 128;

// The host's FADT (root only), or nothing.
std::vector<uint8_t> read_fadt()
{
    std::vector<uint8_t> t(256);
    int fd = ::open("/sys/firmware/acpi/tables/FACP", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    ssize_t n = ::pread(fd, t.data(), t.size(), 0);
    ::close(fd);
    t.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return t;
}

uint8_t bcd(int v) { return static_cast<uint8_t>((v / 10) << 4 | (v % 10)); }

}  // namespace

unsigned century_register(std::span<const uint8_t> fadt)
{
    if (fadt.size() < 109 || std::memcmp(fadt.data(), "FACP", 4) != 0 || fadt[8] < 3) return 0;
    return fadt[108] < kCmosSize ? fadt[108] : 0;
}

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
    const bool have_clock = read_host_rtc(t, &source);
    if (have_clock) {
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
    // Without /dev/nvram the century register is the one NVRAM byte the
    // kernel's clock still tells: the century of the year it read from it.
    if (unsigned century = have_clock ? century_register(read_fadt()) : 0; century >= kNvramFirst && !c.known[century]) {
        c.bytes[century] = bcd(t.year / 100);
        c.known[century] = true;
        char line[96];
        std::snprintf(line, sizeof line, "century register 0x%02x (the FADT's CENTURY): the century of the RTC's year",
                      century);
        out.sources.push_back(line);
    }
    if (c.known_count()) out.state.cmos = std::move(c);
    return out;
}

}  // namespace biosx::snapshot
