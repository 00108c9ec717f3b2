// host_sync.h - over the host, the machine's BIOS state is the machine's:
// after each run, the bytes the routine changed in the session's BDA and
// EBDA are written back to physical memory through /dev/mem (never the
// IVT, never anything else). Userspace, root.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/run/memory.h"

namespace biosx::lib {

// The ranges written back: the BDA (0x400-0x4FF) and, when the BDA's EBDA
// segment points into 0x80000-0x9FFFF, the EBDA up to the VGA window.
struct SyncRange {
    uint32_t begin, end;
};
std::vector<SyncRange> sync_ranges(Memory& mem);

class HostSync {
public:
    // `device` is /dev/mem; the tests pass a file standing in for it.
    explicit HostSync(std::string device = "/dev/mem") : device_(std::move(device)) {}
    ~HostSync();
    HostSync(const HostSync&) = delete;
    HostSync& operator=(const HostSync&) = delete;

    // Remembers the BDA and EBDA as they are before a run.
    void before(Memory& mem);
    // Writes every byte that differs from what before() saw, in runs of
    // changed bytes, and reads each run back. Returns "" or one line for
    // the user when the kernel refused: for the whole device (lockdown,
    // permissions) it stops trying for the rest of the session; for one
    // range (the EBDA on a page CONFIG_STRICT_DEVMEM treats as RAM) it
    // stops trying that range and keeps the others.
    std::string after(Memory& mem);
    // Bytes written back so far (for tests and the documentation's figures).
    uint64_t written() const { return written_; }

private:
    // One line for the user: why the write-back stopped, and lockdown if raised.
    std::string refusal_note(const std::string& why);

    std::string device_;
    int fd_ = -1;
    bool gave_up_ = false;
    std::vector<uint32_t> refused_;  // starts of ranges the kernel does not keep
    uint64_t written_ = 0;
    std::vector<SyncRange> ranges_;
    std::vector<uint8_t> saved_;
};

}  // namespace biosx::lib
