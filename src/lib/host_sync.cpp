// host_sync.cpp - writing a run's BDA/EBDA changes back to the machine
// through /dev/mem. Userspace, root.
#include "lib/host_sync.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "core/format.h"
#include "core/lockdown.h"
#include "x86/realmode.h"

namespace biosx::lib {

std::vector<SyncRange> sync_ranges(Memory& mem)
{
    std::vector<SyncRange> r{{BIOSX_BDA_BASE, BIOSX_BDA_BASE + BIOSX_BDA_SIZE}};
    // The same rule as the module's copy at open (kernel/biosx_guest.c): an
    // EBDA lives in the last 128 KiB of conventional memory.
    const uint32_t ebda = uint32_t{mem.read16(BIOSX_BDA_EBDA_SEG)} << 4;
    if (ebda >= 0x80000 && ebda < BIOSX_VGA_BEGIN) r.push_back({ebda, BIOSX_VGA_BEGIN});
    return r;
}

HostSync::~HostSync()
{
    if (fd_ >= 0) ::close(fd_);
}

void HostSync::before(Memory& mem)
{
    ranges_.clear();
    if (!gave_up_)
        for (const auto& r : sync_ranges(mem))
            if (std::find(refused_.begin(), refused_.end(), r.begin) == refused_.end()) ranges_.push_back(r);
    saved_.clear();
    auto m = mem.bytes();
    for (const auto& r : ranges_) saved_.insert(saved_.end(), m.begin() + r.begin, m.begin() + r.end);
}

std::string HostSync::refusal_note(const std::string& why)
{
    std::string level = lockdown_level();
    return "note: the BIOS data the routine changed stays in this session, not on the machine: " + why +
           (level.empty() ? "" : " (kernel lockdown: " + level + ")");
}

std::string HostSync::after(Memory& mem)
{
    if (gave_up_ || ranges_.empty()) return {};
    auto m = mem.bytes();
    size_t k = 0;
    std::string note;
    for (const auto& r : ranges_) {
        for (uint32_t a = r.begin; a < r.end;) {
            if (m[a] == saved_[k + (a - r.begin)]) {
                ++a;
                continue;
            }
            uint32_t b = a;
            while (b < r.end && m[b] != saved_[k + (b - r.begin)]) ++b;
            if (fd_ < 0) {
                fd_ = ::open(device_.c_str(), O_RDWR | O_CLOEXEC);
                if (fd_ < 0) {
                    gave_up_ = true;
                    return refusal_note("cannot open " + device_ + " for writing: " + std::strerror(errno));
                }
            }
            const size_t n = b - a;
            if (::pwrite(fd_, m.data() + a, n, a) != static_cast<ssize_t>(n)) {
                gave_up_ = true;
                return refusal_note("writing " + device_ + " at " + hex(a, 5) + " failed: " + std::strerror(errno));
            }
            // /dev/mem silently skips writes to pages it treats as RAM under
            // CONFIG_STRICT_DEVMEM (devmem_is_allowed() == 2): read back.
            std::vector<uint8_t> back(n);
            if (::pread(fd_, back.data(), n, a) != static_cast<ssize_t>(n) ||
                std::memcmp(back.data(), m.data() + a, n) != 0) {
                refused_.push_back(r.begin);
                note = refusal_note(device_ + " did not keep the bytes written at " + hex(a, 5) + " (the kernel restricts "
                              "that page of /dev/mem; " + hex(r.begin, 5) + "-" + hex(r.end - 1, 5) + " stays)");
                break;
            }
            written_ += n;
            a = b;
        }
        k += r.end - r.begin;
    }
    return note;
}

}  // namespace biosx::lib
