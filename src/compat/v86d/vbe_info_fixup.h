// vbe_info_fixup.h - the VBE info block (INT 10h AX=4F00h) made readable to
// uvesafb: its far pointers (OEM string, vendor, product, revision, mode
// list) point into real-mode memory uvesafb cannot see, so each becomes an
// offset into the task buffer, the object copied into the buffer's spare
// half when it is not already inside the 512-byte block. uvesafb then reads
// buffer + offset (uvesafb_vbe_getinfo(), uvesafb_vbe_getmodes()).
// Pure code over byte spans. Userspace.
#pragma once

#include <cstdint>
#include <span>

namespace biosx::v86d {

// What the fix-up did, for the task log and the tests.
struct VbeInfoFixup {
    unsigned modes = 0;        // mode numbers in the list uvesafb will read
    unsigned copied = 0;       // objects copied into the spare half
    unsigned dropped = 0;      // pointers set to 0: null, outside memory, no room
    bool modes_truncated = false;
};

// The standard block is 512 bytes; uvesafb sends struct vbe_ib, 1024 bytes,
// whose second half (misc_data) receives what has to be copied.
constexpr size_t kVbeInfoBlockSize = 512;

// fix_vbe_info() - rewrite the far pointers of the info block in @buffer
// (what the BIOS left at linear address @buffer_linear, buffer.size() bytes)
// as offsets into @buffer. @memory is the session's real-mode memory after
// the call (physical address = index), the source of every object.
// An object lying whole (terminator included) in the first 512 bytes of the
// buffer keeps its place; any other is copied after byte 511, the mode list
// first (it is what uvesafb needs), then OEM string, vendor, product and
// revision, each truncated to the room left and terminated (0xFFFF, NUL).
// A null pointer, one outside @memory, or one with no room left becomes 0,
// which uvesafb reads as absent. A buffer under 512 bytes is left alone.
VbeInfoFixup fix_vbe_info(std::span<uint8_t> buffer, uint32_t buffer_linear, std::span<const uint8_t> memory);

}  // namespace biosx::v86d
