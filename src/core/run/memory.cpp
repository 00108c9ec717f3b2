// memory.cpp - bounds-checked access to a Memory, and the host's first MiB
// as one. Userspace.
#include "core/run/memory.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

#include "core/error.h"
#include "core/files.h"
#include "core/format.h"
#include "core/lockdown.h"

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

// Host memory, copied: BIOS code over the host's own IVT/BDA must not change
// the live copies Linux and the firmware share.
class BufferMemory final : public Memory {
public:
    BufferMemory(MemoryKind k, std::string what, std::vector<uint8_t> b)
        : kind_(k), what_(std::move(what)), buf_(std::move(b)) {}
    MemoryKind kind() const override { return kind_; }
    std::string describe() const override { return what_; }
    std::span<uint8_t> bytes() override { return buf_; }

private:
    MemoryKind kind_;
    std::string what_;
    std::vector<uint8_t> buf_;
};


}  // namespace

std::unique_ptr<Memory> open_host_memory()
{
    int fd = ::open("/dev/mem", O_RDONLY | O_CLOEXEC);
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
    std::vector<uint8_t> buf(kRealModeSize);
    try {
        read_at(fd, buf, 0, "/dev/mem");
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    return std::make_unique<BufferMemory>(MemoryKind::host, "host:/dev/mem", std::move(buf));
}

}  // namespace biosx
