// test_vbe_info.cpp - the VBE info block's far pointers made buffer offsets
// (fix_vbe_info) on handcrafted memory: objects inside the block stay,
// others are copied into the spare half, truncated and terminated, bad
// pointers become 0. Read back as uvesafb reads them: buffer + offset.
// Pure code; userspace.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>
#include <video/uvesafb.h>

#include "compat/v86d/vbe_info_fixup.h"

using biosx::v86d::fix_vbe_info;

namespace {

constexpr uint32_t kBuffer = 0x20000; // 2000:0000

struct Machine {
    std::vector<uint8_t> mem = std::vector<uint8_t>(1 << 20, 0xcc);
    std::vector<uint8_t> buf = std::vector<uint8_t>(sizeof(vbe_ib), 0);

    void put_string(uint32_t at, const std::string& s) { std::memcpy(&mem[at], s.c_str(), s.size() + 1); }
    void put_modes(uint32_t at, const std::vector<uint16_t>& modes)
    {
        for (size_t i = 0; i < modes.size(); ++i) {
            mem[at + 2 * i] = modes[i] & 0xff;
            mem[at + 2 * i + 1] = modes[i] >> 8;
        }
        mem[at + 2 * modes.size()] = mem[at + 2 * modes.size() + 1] = 0xff;
    }
    void point(size_t field, uint16_t seg, uint16_t off)
    {
        uint32_t far = uint32_t{seg} << 16 | off;
        std::memcpy(&mem[kBuffer + field], &far, 4);
    }
    // The call's end: the buffer as the helper reads it back.
    void run()
    {
        std::memcpy(buf.data(), &mem[kBuffer], buf.size());
        result = fix_vbe_info(buf, kBuffer, mem);
    }
    uint32_t ptr(size_t field) const
    {
        uint32_t v;
        std::memcpy(&v, &buf[field], 4);
        return v;
    }
    // As uvesafb_vbe_getinfo() prints them.
    std::string string_at(size_t field) const { return reinterpret_cast<const char*>(buf.data()) + ptr(field); }
    // As uvesafb_vbe_getmodes() counts them.
    std::vector<uint16_t> modes() const
    {
        std::vector<uint16_t> out;
        for (size_t at = ptr(offsetof(vbe_ib, mode_list_ptr));; at += 2) {
            REQUIRE(at + 1 < buf.size());
            uint16_t m = static_cast<uint16_t>(buf[at] | buf[at + 1] << 8);
            if (m == 0xffff)
                return out;
            out.push_back(m);
        }
    }
    biosx::v86d::VbeInfoFixup result;
};

}  // namespace

TEST_CASE("a mode list inside the block stays, strings in the ROM are copied after it")
{
    Machine m;
    m.put_modes(kBuffer + 0x22, {0x100, 0x101, 0x112});
    m.point(offsetof(vbe_ib, mode_list_ptr), 0x2000, 0x22);
    m.put_string(0xc0100, "Video BIOS OEM");
    m.point(offsetof(vbe_ib, oem_string_ptr), 0xc000, 0x100);
    m.put_string(0xc0200, "Vendor");
    m.point(offsetof(vbe_ib, oem_vendor_name_ptr), 0xc010, 0x100); // same bytes, other segment
    m.put_string(0xc0300, "Product");
    m.point(offsetof(vbe_ib, oem_product_name_ptr), 0xc000, 0x300);
    m.point(offsetof(vbe_ib, oem_product_rev_ptr), 0, 0);
    m.run();

    CHECK(m.ptr(offsetof(vbe_ib, mode_list_ptr)) == 0x22);
    CHECK(m.modes() == std::vector<uint16_t>{0x100, 0x101, 0x112});
    CHECK(m.ptr(offsetof(vbe_ib, oem_string_ptr)) == 512);
    CHECK(m.string_at(offsetof(vbe_ib, oem_string_ptr)) == "Video BIOS OEM");
    CHECK(m.string_at(offsetof(vbe_ib, oem_vendor_name_ptr)) == "Vendor");
    CHECK(m.string_at(offsetof(vbe_ib, oem_product_name_ptr)) == "Product");
    CHECK(m.ptr(offsetof(vbe_ib, oem_product_rev_ptr)) == 0); // null stays absent
    CHECK(m.result.modes == 3);
    CHECK(m.result.copied == 3);
    CHECK(m.result.dropped == 1);
    CHECK_FALSE(m.result.modes_truncated);
}

TEST_CASE("a mode list in the ROM is copied first, a string inside the block stays")
{
    Machine m;
    m.put_modes(0xc4000, {0x4112, 0x101});
    m.point(offsetof(vbe_ib, mode_list_ptr), 0xc400, 0);
    m.put_string(kBuffer + 0x100, "in the OEM data");
    m.point(offsetof(vbe_ib, oem_string_ptr), 0x2000, 0x100);
    m.run();
    CHECK(m.ptr(offsetof(vbe_ib, mode_list_ptr)) == 512);
    CHECK(m.modes() == std::vector<uint16_t>{0x4112, 0x101});
    CHECK(m.ptr(offsetof(vbe_ib, oem_string_ptr)) == 0x100);
    CHECK(m.string_at(offsetof(vbe_ib, oem_string_ptr)) == "in the OEM data");
}

TEST_CASE("a list or string running out of room is cut and terminated")
{
    Machine m;
    std::vector<uint16_t> many(400);
    for (size_t i = 0; i < many.size(); ++i)
        many[i] = static_cast<uint16_t>(0x100 + i);
    m.put_modes(0xc4000, many);
    m.point(offsetof(vbe_ib, mode_list_ptr), 0xc400, 0);
    m.put_string(0xc0100, "OEM");
    m.point(offsetof(vbe_ib, oem_string_ptr), 0xc000, 0x100);
    m.run();
    // 512 spare bytes: 255 modes and the terminator, nothing left for the string.
    auto modes = m.modes();
    CHECK(modes.size() == 255);
    CHECK(modes.back() == 0x100 + 254);
    CHECK(m.result.modes_truncated);
    CHECK(m.ptr(offsetof(vbe_ib, oem_string_ptr)) == 0);

    // A string with no NUL within 256 bytes (0xCC fill): 256 bytes and a NUL.
    Machine n;
    n.put_modes(kBuffer + 0x22, {0x101});
    n.point(offsetof(vbe_ib, mode_list_ptr), 0x2000, 0x22);
    n.point(offsetof(vbe_ib, oem_string_ptr), 0x3000, 0);
    n.run();
    CHECK(n.string_at(offsetof(vbe_ib, oem_string_ptr)) == std::string(256, '\xcc'));
}

TEST_CASE("a list inside the block whose terminator lies past it is copied, not trusted")
{
    Machine m;
    std::vector<uint16_t> modes(20, 0x101);
    m.put_modes(kBuffer + 500, modes); // runs past byte 511
    m.point(offsetof(vbe_ib, mode_list_ptr), 0x2000, 500);
    m.run();
    CHECK(m.ptr(offsetof(vbe_ib, mode_list_ptr)) == 512);
    CHECK(m.modes() == modes);
}

TEST_CASE("pointers outside memory become 0, a buffer shorter than the block is left alone")
{
    Machine m;
    m.put_modes(kBuffer + 0x22, {0x101});
    m.point(offsetof(vbe_ib, mode_list_ptr), 0x2000, 0x22);
    m.point(offsetof(vbe_ib, oem_string_ptr), 0xffff, 0xfff0); // 0x10FFE0, past 1 MiB
    m.run();
    CHECK(m.ptr(offsetof(vbe_ib, oem_string_ptr)) == 0);

    std::vector<uint8_t> small(100, 0x5a);
    auto r = fix_vbe_info(small, kBuffer, m.mem);
    CHECK(r.modes == 0);
    CHECK(small == std::vector<uint8_t>(100, 0x5a));
}
