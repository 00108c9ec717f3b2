// state_file.h - the state file of `--state FILE` and biosx_state_save():
// a session's RAM over an image (IVT, BDA, EBDA, conventional memory,
// 0x00000-0x9FFFF), carried from one process to the next. Userspace.
//
// Format (little-endian): "BIOSXST1" (8 bytes), u32 version (1), u32 RAM
// bytes (0xA0000), u64 image id (FNV-1a 64 of the image's 0xC0000-0xFFFFF
// at open, so a state is never loaded over another BIOS), u64 zero, then
// the RAM bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/run/memory.h"

namespace biosx::lib {

inline constexpr uint32_t kStateRamBytes = 0xa0000;
inline constexpr size_t kStateHeaderBytes = 32;

// The id of the ROM area 0xC0000-0xFFFFF of `mem` (call it before any run:
// a BIOS may write to its shadowed ROM).
uint64_t image_id(Memory& mem);

std::vector<uint8_t> encode_state(Memory& mem, uint64_t id);
// Checks `bytes` (magic, version, size, id) and copies the RAM into `mem`.
// Throws Error(usage) naming `what` ("--state FILE") for anything wrong.
void decode_state(std::span<const uint8_t> bytes, Memory& mem, uint64_t id, const std::string& what);

}  // namespace biosx::lib
