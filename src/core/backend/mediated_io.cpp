// mediated_io.cpp - CMOS/RTC and PCI configuration space for the emulation
// backend over the host, through the interfaces the kernel offers a root
// process; each of them takes the kernel's own lock. Userspace.
//
// CMOS/RTC (0x70/0x71): the index is the run's own. NVRAM bytes 0x0E-0x7F
// are /dev/nvram (its offset 0 is CMOS byte 14; the driver holds rtc_lock
// and, on a PC, keeps the checksum of 0x10-0x2D right after a write). The
// clock registers are read from /dev/rtc0 (RTC_RD_TIME) and presented as a
// BCD, 24-hour clock (register B = 0x02, A = 0x26 with UIP clear, D = 0x80),
// which is what a process can have without the chip itself. Writes to
// 0x00-0x0D and reads of the alarm registers and of register C are virtual.
//
// PCI configuration (0xCF8 dword latch, 0xCFC-0xCFF): the function's
// /sys/bus/pci/devices/0000:BB:DD.F/config (the kernel does the access under
// pci_lock); an absent function reads all ones; writes reach display-class
// functions only, as in the module.
#include "core/backend/mediated_io.h"

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
    switch (reg) {
    case 0x0a: value = 0x26; return true;
    case 0x0b: value = 0x02; return true;
    case 0x0d: value = 0x80; return true;
    case 0x00: case 0x02: case 0x04: case 0x06: case 0x07: case 0x08: case 0x09: break;
    default: return false;  // alarms, register C
    }
    int fd = ::open("/dev/rtc0", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    rtc_time t{};
    bool ok = ::ioctl(fd, RTC_RD_TIME, &t) == 0;
    ::close(fd);
    if (!ok) return false;
    int v = reg == 0x00 ? t.tm_sec : reg == 0x02 ? t.tm_min : reg == 0x04 ? t.tm_hour
          : reg == 0x06 ? t.tm_wday + 1 : reg == 0x07 ? t.tm_mday : reg == 0x08 ? t.tm_mon + 1 : t.tm_year % 100;
    value = bcd(v);
    return true;
}

std::string function_path(uint32_t address)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "/sys/bus/pci/devices/0000:%02x:%02x.%x", (address >> 16) & 0xff,
                  (address >> 11) & 0x1f, (address >> 8) & 7);
    return buf;
}

}  // namespace

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
