// mediated_io.cpp - CMOS/RTC and PCI configuration space for the emulation
// backend over the host, through the interfaces the kernel offers a root
// process; each of them takes the kernel's own lock. Userspace.
//
// CMOS/RTC (0x70/0x71): the index is the run's own. NVRAM bytes 0x0E-0x7F
// are /dev/nvram (its offset 0 is CMOS byte 14; the driver holds rtc_lock
// and, on a PC, keeps the checksum of 0x10-0x2D right after a write). The
// clock registers are read from /dev/rtc0 (RTC_RD_TIME, else sysfs) and presented as a
// BCD, 24-hour clock (register B = 0x02, A = 0x26 with UIP clear, D = 0x80),
// which is what a process can have without the chip itself. Writes to
// 0x00-0x0D and reads of the alarm registers and of register C are virtual.
//
// PCI configuration (0xCF8 dword latch, 0xCFC-0xCFF): the function's
// /sys/bus/pci/devices/0000:BB:DD.F/config (the kernel does the access under
// pci_lock); an absent function reads all ones; writes reach display-class
// functions only, as in the module.
#include "core/backend/mediated_io.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <linux/rtc.h>
#include <string>
#include <sys/ioctl.h>
#include <unistd.h>

namespace biosx {

namespace {

uint8_t bcd(int v) { return static_cast<uint8_t>((v / 10) << 4 | (v % 10)); }

bool read_clock(uint8_t reg, uint32_t& value)
{
    // Registers A, B and D do not depend on the time, and the alarms and
    // register C are not there: neither needs the clock read.
    HostTime t;
    if (reg == 0x0a || reg == 0x0b || reg == 0x0d || !clock_register(t, reg, value)) return clock_register(t, reg, value);
    return read_host_rtc(t) && clock_register(t, reg, value);
}

std::string read_line(const char* path)
{
    FILE* f = std::fopen(path, "r");
    if (!f) return {};
    char buf[64] = {};
    bool ok = std::fgets(buf, sizeof buf, f) != nullptr;
    std::fclose(f);
    return ok ? buf : "";
}

std::string function_path(uint32_t address)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "/sys/bus/pci/devices/0000:%02x:%02x.%x", (address >> 16) & 0xff,
                  (address >> 11) & 0x1f, (address >> 8) & 7);
    return buf;
}

}  // namespace

bool read_host_rtc(HostTime& t, std::string* source)
{
    int fd = ::open("/dev/rtc0", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        rtc_time r{};
        bool ok = ::ioctl(fd, RTC_RD_TIME, &r) == 0;
        ::close(fd);
        if (ok) {
            t = {r.tm_year + 1900, r.tm_mon + 1, r.tm_mday, r.tm_hour, r.tm_min, r.tm_sec, r.tm_wday};
            if (source) *source = "/dev/rtc0 (RTC_RD_TIME)";
            return true;
        }
    }
    // sysfs: "2026-01-01\n" and "12:34:56\n", the same read of the RTC.
    HostTime s;
    if (std::sscanf(read_line("/sys/class/rtc/rtc0/date").c_str(), "%d-%d-%d", &s.year, &s.month, &s.day) != 3 ||
        std::sscanf(read_line("/sys/class/rtc/rtc0/time").c_str(), "%d:%d:%d", &s.hour, &s.minute, &s.second) != 3)
        return false;
    using namespace std::chrono;
    s.weekday = static_cast<int>(
        weekday(sys_days(year(s.year) / month(static_cast<unsigned>(s.month)) / day(static_cast<unsigned>(s.day))))
            .c_encoding());
    t = s;
    if (source) *source = "/sys/class/rtc/rtc0";
    return true;
}

bool clock_register(const HostTime& t, uint8_t reg, uint32_t& value)
{
    switch (reg) {
    case 0x00: value = bcd(t.second); return true;
    case 0x02: value = bcd(t.minute); return true;
    case 0x04: value = bcd(t.hour); return true;
    case 0x06: value = bcd(t.weekday + 1); return true;  // 1 = Sunday
    case 0x07: value = bcd(t.day); return true;
    case 0x08: value = bcd(t.month); return true;
    case 0x09: value = bcd(t.year % 100); return true;
    case 0x0a: value = 0x26; return true;
    case 0x0b: value = 0x02; return true;
    case 0x0d: value = 0x80; return true;
    default: return false;  // alarms, register C
    }
}

bool MediatedIo::cmos(uint16_t port, unsigned size, bool write, uint32_t& value)
{
    if (size != 1) return false;
    if (port == 0x70) {
        if (write)
            cmos_index = value & 0x7f;  // bit 7 masks NMI: never kept, never written
        else
            value = cmos_index;
        return true;
    }
    if (cmos_index < 0x0e) return write ? false : read_clock(cmos_index, value);
    int fd = ::open("/dev/nvram", (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) return false;
    uint8_t b = static_cast<uint8_t>(value);
    bool ok = write ? ::pwrite(fd, &b, 1, cmos_index - 0x0e) == 1 : ::pread(fd, &b, 1, cmos_index - 0x0e) == 1;
    ::close(fd);
    if (ok && !write) value = b;
    return ok;
}

bool MediatedIo::pci(uint16_t port, unsigned size, bool write, uint32_t& value)
{
    if (port == 0xcf8) {  // a dword: port_policy.h classifies nothing else here as PCI
        if (write)
            pci_address = value;
        else
            value = pci_address;
        return true;
    }
    if (!(pci_address & 0x80000000u)) return false;
    std::string fn = function_path(pci_address);
    unsigned reg = (pci_address & 0xfc) + (port - 0xcfc);
    int fd = ::open((fn + "/config").c_str(), (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) return true;  // no such function: reads give all ones, writes go nowhere
    if (write) {
        FILE* c = std::fopen((fn + "/class").c_str(), "r");
        unsigned long cls = 0;
        if (c) {
            if (std::fscanf(c, "%lx", &cls) != 1) cls = 0;
            std::fclose(c);
        }
        bool display = cls >> 16 == 0x03;
        if (display) {
            uint32_t v = value;
            ssize_t n = ::pwrite(fd, &v, size, reg);
            (void)n;  // a refused configuration write is lost, as on the bus
        }
        ::close(fd);
        return display;
    }
    uint32_t v = 0xffffffffu;
    if (::pread(fd, &v, size, reg) != static_cast<ssize_t>(size)) v = 0xffffffffu;
    ::close(fd);
    value = v;
    return true;
}

}  // namespace biosx
