// arena.cpp - the real-mode buffers of a session. Userspace.
#include "lib/arena.h"

#include <algorithm>

#include "x86/realmode.h"

namespace biosx::lib {

ArenaBounds arena_bounds(Memory& mem)
{
    uint32_t end = kArenaCeiling;
    const uint32_t ebda = uint32_t{mem.read16(BIOSX_BDA_EBDA_SEG)} << 4;
    if (ebda >= 0x80000 && ebda < BIOSX_VGA_BEGIN) end = std::min(end, ebda);
    const uint32_t top = uint32_t{mem.read16(BIOSX_BDA_MEMSIZE_KB)} * 1024;
    if (top > kArenaBegin) end = std::min(end, top);
    end &= ~0xfu;
    return {kArenaBegin, std::max(end, kArenaBegin + 0x10)};
}

std::optional<uint32_t> Arena::alloc(size_t len)
{
    if (len == 0 || len > bounds_.end - bounds_.begin) return std::nullopt;
    const uint32_t need = static_cast<uint32_t>((len + 15) & ~size_t{15});
    uint32_t at = bounds_.begin;
    for (const auto& [start, size] : used_) {
        if (start - at >= need) break;
        at = start + size;
    }
    if (at > bounds_.end || bounds_.end - at < need) return std::nullopt;
    used_.emplace(at, need);
    return at;
}

bool Arena::free(uint32_t linear) { return used_.erase(linear) == 1; }

}  // namespace biosx::lib
