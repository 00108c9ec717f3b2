// vbe_info_fixup.cpp - the VBE info block's far pointers turned into buffer
// offsets the way uvesafb reads them (vbe_info_fixup.h). Pure code.
// Userspace.
#include "compat/v86d/vbe_info_fixup.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <video/uvesafb.h>

namespace biosx::v86d {

namespace {

// The longest string taken from the BIOS: the VBE strings are a few dozen
// bytes; a pointer to something else must not fill the spare half.
constexpr size_t kMaxString = 256;

uint32_t load32(std::span<const uint8_t> b, size_t at)
{
    uint32_t v;
    std::memcpy(&v, b.data() + at, sizeof(v));
    return v;
}

void store32(std::span<uint8_t> b, size_t at, uint32_t v) { std::memcpy(b.data() + at, &v, sizeof(v)); }

uint16_t load16(std::span<const uint8_t> b, size_t at) { return static_cast<uint16_t>(b[at] | b[at + 1] << 8); }

// The object a far pointer designates, as found in memory: its linear
// address, its length without the terminator, whether the terminator was
// found within the limit.
struct Object {
    size_t linear, length;
    bool terminated;
};

Object find_mode_list(std::span<const uint8_t> memory, size_t linear)
{
    size_t n = 0;
    while (linear + 2 * n + 1 < memory.size()) {
        if (load16(memory, linear + 2 * n) == 0xffff)
            return {linear, 2 * n, true};
        ++n;
    }
    return {linear, 2 * n, false};
}

Object find_string(std::span<const uint8_t> memory, size_t linear)
{
    size_t end = std::min(memory.size(), linear + kMaxString);
    for (size_t i = linear; i < end; ++i)
        if (memory[i] == 0)
            return {linear, i - linear, true};
    return {linear, end - linear, false};
}

class Fixer {
public:
    Fixer(std::span<uint8_t> buffer, uint32_t buffer_linear, std::span<const uint8_t> memory)
        : buf_(buffer), base_(buffer_linear), mem_(memory)
    {
    }

    void fix(size_t field, bool mode_list)
    {
        uint32_t far = load32(buf_, field);
        size_t linear = (size_t{far >> 16} << 4) + (far & 0xffff);
        if (far == 0 || linear >= mem_.size()) {
            drop(field);
            return;
        }
        Object o = mode_list ? find_mode_list(mem_, linear) : find_string(mem_, linear);
        size_t term = mode_list ? 2 : 1;
        // Inside the 512-byte block, terminator included: leave it there.
        if (o.terminated && o.linear >= base_ && o.linear + o.length + term <= base_ + kVbeInfoBlockSize) {
            store32(buf_, field, static_cast<uint32_t>(o.linear - base_));
            if (mode_list)
                result.modes = static_cast<unsigned>(o.length / 2);
            return;
        }
        size_t room = buf_.size() - spare_;
        if (room < term) {
            drop(field);
            return;
        }
        size_t take = std::min(o.length, room - term);
        if (mode_list)
            take &= ~size_t{1};
        std::memcpy(buf_.data() + spare_, mem_.data() + o.linear, take);
        // The terminator: 0xFFFF after a mode list, NUL after a string.
        std::memset(buf_.data() + spare_ + take, mode_list ? 0xff : 0, term);
        store32(buf_, field, static_cast<uint32_t>(spare_));
        spare_ += take + term;
        ++result.copied;
        if (mode_list) {
            result.modes = static_cast<unsigned>(take / 2);
            result.modes_truncated = take < o.length || !o.terminated;
        }
    }

    VbeInfoFixup result;

private:
    void drop(size_t field)
    {
        store32(buf_, field, 0);
        ++result.dropped;
    }

    std::span<uint8_t> buf_;
    size_t base_;
    std::span<const uint8_t> mem_;
    size_t spare_ = kVbeInfoBlockSize;
};

}  // namespace

VbeInfoFixup fix_vbe_info(std::span<uint8_t> buffer, uint32_t buffer_linear, std::span<const uint8_t> memory)
{
    if (buffer.size() < kVbeInfoBlockSize)
        return {};
    Fixer f(buffer, buffer_linear, memory);
    f.fix(offsetof(vbe_ib, mode_list_ptr), true);
    f.fix(offsetof(vbe_ib, oem_string_ptr), false);
    f.fix(offsetof(vbe_ib, oem_vendor_name_ptr), false);
    f.fix(offsetof(vbe_ib, oem_product_name_ptr), false);
    f.fix(offsetof(vbe_ib, oem_product_rev_ptr), false);
    return f.result;
}

}  // namespace biosx::v86d
