// memory.cpp - memory sources: image files and the host's first MiB. Userspace.
#include "core/memory.h"
#include "core/source.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "core/error.h"
#include "core/files.h"
#include "core/format.h"

namespace biosx {

uint16_t Memory::read16(uint32_t phys)
{
    auto b = read(phys, 2);
    return static_cast<uint16_t>(b[0] | b[1] << 8);
}

uint32_t Memory::read32(uint32_t phys)
{
    auto b = read(phys, 4);
    return static_cast<uint32_t>(b[0] | b[1] << 8 | b[2] << 16 | static_cast<uint32_t>(b[3]) << 24);
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

// A private copy-on-write mapping of a snapshot file: runs may write to it,
// the file never changes.
class ImageMemory final : public Memory {
public:
    ImageMemory(std::string path, uint8_t* p, size_t n) : path_(std::move(path)), p_(p), n_(n) {}
    ~ImageMemory() override { munmap(p_, n_); }
    MemoryKind kind() const override { return MemoryKind::image; }
    std::string describe() const override { return "image:" + path_; }
    std::span<uint8_t> bytes() override { return {p_, n_}; }

private:
    std::string path_;
    uint8_t* p_;
    size_t n_;
};

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

// Reads all of `buf` from `fd` at `offset`; throws Error(environment) naming `what`.
void read_at(int fd, std::span<uint8_t> buf, uint64_t offset, const std::string& what)
{
    size_t got = 0;
    while (got < buf.size()) {
        ssize_t r = ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(offset + got));
        if (r <= 0)
            fail(ErrorKind::environment, what + ": reading at " + hex(offset + got, 5) + " failed: " +
                                             (r == 0 ? std::string("end of file") : std::strerror(errno)));
        got += static_cast<size_t>(r);
    }
}

}  // namespace

std::unique_ptr<Memory> open_image(const std::string& path, const std::string& what)
{
    // A regular file only: a FIFO would hang, a device has no size.
    int fd = open_input(path, what);
    struct stat st{};
    ::fstat(fd, &st);
    if (st.st_size == 0) {
        ::close(fd);
        fail(ErrorKind::usage, what + " " + path + ": the file is empty; a snapshot holds at least 1 MiB");
    }
    // The footer, if any, says where the memory ends and the device state
    // begins; a bare image is memory to its end.
    const uint64_t file_size = static_cast<uint64_t>(st.st_size);
    std::vector<uint8_t> tail(std::min<uint64_t>(file_size, snapshot::kFooterSize));
    snapshot::Layout layout{file_size, 0};
    std::vector<uint8_t> trailer;
    try {
        read_at(fd, tail, file_size - tail.size(), what + " " + path);
        layout = snapshot::parse_footer(tail, file_size, what + " " + path);
        trailer.resize(std::min<uint64_t>(layout.trailer_bytes, kMaxInputFile));
        if (trailer.size() != layout.trailer_bytes)
            fail(ErrorKind::usage, what + " " + path + ": the device state after the memory is larger than 16 MiB");
        read_at(fd, trailer, layout.memory_bytes, what + " " + path);
    } catch (...) {
        ::close(fd);
        throw;
    }
    if (layout.memory_bytes < kRealModeSize) {
        ::close(fd);
        fail(ErrorKind::usage, what + " " + path + ": " + std::to_string(layout.memory_bytes) +
                                   " bytes is too short; a snapshot holds at least 1 MiB (1048576 bytes) of memory");
    }
    // Larger images are mapped as far as the 32-bit real-mode-reachable window
    // goes; the HMA (up to 0x10FFEF) is the most real-mode code can address.
    size_t n = std::min<size_t>(layout.memory_bytes, size_t{16} << 20);
    void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    int e = errno;
    ::close(fd);
    if (p == MAP_FAILED) fail(ErrorKind::environment, what + " " + path + ": cannot map: " + std::strerror(e));
    auto mem = std::make_unique<ImageMemory>(path, static_cast<uint8_t*>(p), n);
    mem->devices = snapshot::parse_trailer(trailer, what + " " + path);
    return mem;
}

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

std::string default_image_path()
{
    // Next to the binary first (build tree, or an installed tree under any
    // prefix: PREFIX/bin/biosx -> PREFIX/share/biosx), then the configured
    // directories.
    std::vector<std::string> dirs;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        std::string dir(exe, static_cast<size_t>(n));
        dir = dir.substr(0, dir.rfind('/'));
        dirs.push_back(dir + "/share");
        dirs.push_back(dir + "/../share/biosx");
    }
    dirs.push_back(BIOSX_BUILD_DATADIR);
    dirs.push_back(BIOSX_DATADIR);
    for (const auto& d : dirs) {
        std::string p = d + "/seabios.img";
        if (access(p.c_str(), R_OK) == 0) {
            char real[4096];
            return realpath(p.c_str(), real) ? std::string(real) : p;
        }
    }
    return "";
}

}  // namespace biosx
