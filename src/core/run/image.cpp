// image.cpp - snapshot image files (docs/snapshot.md): opened as a private
// copy-on-write mapping of the memory plus the device state the trailer
// carries, written through a temporary file renamed into place, and the
// bundled one found beside the binary. Userspace.
#include "core/run/image.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "core/error.h"
#include "core/files.h"

namespace biosx {

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
    // begins (docs/snapshot.md); a bare image is memory to its end.
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

void save_image(Memory& mem, const std::string& path, uint64_t size)
{
    if (size < kRealModeSize)
        fail(ErrorKind::usage, "--size " + std::to_string(size) + ": an image holds at least 1 MiB (1048576 bytes)");
    if (size > mem.size())
        fail(ErrorKind::usage, "--size " + std::to_string(size) + ": " + mem.describe() + " holds only " +
                                   std::to_string(mem.size()) + " bytes");
    // A temporary file beside the target, renamed when complete; refused
    // when the target is the image being read.
    OutputFile f(path, "--save");
    f.write(mem.bytes().first(size));
    // The device state the memory carries (docs/snapshot.md), after it.
    f.write(snapshot::encode_trailer(mem.devices, size));
    f.commit();
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
