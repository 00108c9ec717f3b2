// arena.h - the real-mode buffers of a session: first-fit blocks of
// paragraph-aligned conventional memory the BIOS does not use. Pure
// bookkeeping (no memory is touched). Userspace.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

#include "core/run/memory.h"

namespace biosx::lib {

// Where buffers may go in `mem`: from linear 0x10000 up to the lowest of
// the EBDA's start (BDA word 0x40E), the end of conventional memory (BDA
// word 0x413, KiB) and 0x9F000. Below 0x10000 lie the IVT, the BDA,
// biosx's return trap (0000:0600) and the default stack (below 0000:7C00).
// Implausible BDA words (a zero memory size, an EBDA outside
// 0x80000-0x9FFFF) are ignored. Returns [begin, end), end > begin.
struct ArenaBounds {
    uint32_t begin, end;
};
ArenaBounds arena_bounds(Memory& mem);

inline constexpr uint32_t kArenaBegin = 0x10000;
inline constexpr uint32_t kArenaCeiling = 0x9f000;

class Arena {
public:
    explicit Arena(ArenaBounds b) : bounds_(b) {}
    // The linear address of a free block of at least `len` bytes (rounded
    // up to whole paragraphs), lowest first; nullopt when none is large
    // enough.
    std::optional<uint32_t> alloc(size_t len);
    // False when `linear` is not the start of a live block.
    bool free(uint32_t linear);
    ArenaBounds bounds() const { return bounds_; }
    size_t live() const { return used_.size(); }

private:
    ArenaBounds bounds_;
    std::map<uint32_t, uint32_t> used_;  // start -> length, in bytes
};

}  // namespace biosx::lib
