// memory.cpp - bounds-checked access to a Memory, and the host's first MiB
// as one. Userspace.
#include "core/run/memory.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#include "core/error.h"
#include "core/files.h"
#include "core/format.h"
#include "core/lockdown.h"
#include "x86/realmode.h"

namespace biosx {

uint16_t Memory::read16(uint32_t phys)
{
    auto b = read(phys, 2);
    return static_cast<uint16_t>(b[0] | b[1] << 8);
}

void Memory::write16(uint32_t phys, uint16_t v)
{
    const uint8_t b[2] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8)};
    write(phys, b);
}

void Memory::write(uint32_t phys, std::span<const uint8_t> data)
{
    auto m = bytes();
    if (phys > m.size() || data.size() > m.size() - phys)
        fail(ErrorKind::usage, "range " + hex(phys, 5) + "+" + std::to_string(data.size()) +
                                   " lies outside the memory source (" + std::to_string(m.size()) + " bytes)");
    std::memcpy(m.data() + phys, data.data(), data.size());
}

std::vector<uint8_t> Memory::read(uint32_t phys, size_t len)
{
    auto m = bytes();
    if (phys > m.size() || len > m.size() - phys)
        fail(ErrorKind::usage, "range " + hex(phys, 5) + "+" + std::to_string(len) +
                                   " lies outside the memory source (" + std::to_string(m.size()) + " bytes)");
    return {m.begin() + phys, m.begin() + phys + len};
}

namespace {

// The host's first MiB: RAM and ROMs copied, so BIOS code over the host's
// own IVT/BDA cannot change the live copies Linux and the firmware share
// (a session writes back the BDA/EBDA bytes a run changed, on purpose:
// src/lib/host_sync.h); the VGA window is the machine's own, mapped from
// /dev/mem, so what the BIOS draws is on the screen (docs/module.md).
class HostMemory final : public Memory {
public:
    HostMemory(uint8_t* p, bool live_vga) : p_(p), live_vga_(live_vga) {}
    ~HostMemory() override { munmap(p_, kRealModeSize); }
    MemoryKind kind() const override { return MemoryKind::host; }
    std::string describe() const override { return "host:/dev/mem"; }
    std::span<uint8_t> bytes() override { return {p_, kRealModeSize}; }
    bool live_vga() const override { return live_vga_; }

private:
    uint8_t* p_;
    bool live_vga_;
};


}  // namespace

bool map_machine_vga(uint8_t* at, int devmem)
{
    int fd = devmem >= 0 ? devmem : ::open("/dev/mem", O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = mmap(at, BIOSX_ROM_BEGIN - BIOSX_VGA_BEGIN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
                   BIOSX_VGA_BEGIN) != MAP_FAILED;
    if (devmem < 0) ::close(fd);
    return ok;
}

std::unique_ptr<Memory> open_host_memory()
{
    // Read-write when allowed (root), for the VGA window's mapping; a
    // read-only open still gives the copy.
    int fd = ::open("/dev/mem", O_RDWR | O_CLOEXEC);
    if (fd < 0 && (errno == EACCES || errno == EPERM)) fd = ::open("/dev/mem", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT)
            fail(ErrorKind::environment, "/dev/mem does not exist on this machine: load biosx.ko or use --image FILE");
        if ((e == EACCES || e == EPERM) && !lockdown_level().empty())
            fail(ErrorKind::environment, "cannot read /dev/mem: kernel lockdown (" + lockdown_level() +
                                             ") forbids it; use --image FILE");
        if (e == EACCES || e == EPERM)
            fail(ErrorKind::environment,
                 "cannot read /dev/mem: " + std::string(std::strerror(e)) + " (run as root, load biosx.ko, or use --image FILE)");
        fail(ErrorKind::environment, "cannot open /dev/mem: " + std::string(std::strerror(e)));
    }
    void* area = mmap(nullptr, kRealModeSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) {
        ::close(fd);
        fail(ErrorKind::environment, std::string("cannot allocate 1 MiB for the host's memory: ") + std::strerror(errno));
    }
    auto* buf = static_cast<uint8_t*>(area);
    try {
        read_at(fd, std::span<uint8_t>(buf, kRealModeSize), 0, "/dev/mem");
    } catch (...) {
        ::close(fd);
        munmap(area, kRealModeSize);
        throw;
    }
    // The VGA window over the copy, shared with the adapter (uncached, as
    // /dev/mem maps what is not RAM). A refused MAP_FIXED may leave a hole
    // where the copy was, so on failure the copy is mapped and read again.
    constexpr size_t vga_len = BIOSX_ROM_BEGIN - BIOSX_VGA_BEGIN;
    uint8_t* vga = buf + BIOSX_VGA_BEGIN;
    bool live = map_machine_vga(vga, fd);
    if (!live && (mmap(vga, vga_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ||
                  pread(fd, vga, vga_len, BIOSX_VGA_BEGIN) != static_cast<ssize_t>(vga_len))) {
        int e = errno;
        ::close(fd);
        munmap(area, kRealModeSize);
        fail(ErrorKind::environment, std::string("copying the VGA window from /dev/mem failed: ") + std::strerror(e));
    }
    ::close(fd);
    return std::make_unique<HostMemory>(buf, live);
}

}  // namespace biosx
