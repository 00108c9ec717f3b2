// test_entry_frame.cpp - the start state of shared/x86/entry_frame.h, which
// biosx.ko's BIOSX_IOC_RUN and userspace both apply: entry point, refusals,
// return trap and frame, byte for byte. Userspace.
#include <doctest/doctest.h>

#include <vector>

#include "x86/entry_frame.h"

namespace {

struct Guest {
    std::vector<uint8_t> m = std::vector<uint8_t>(0x110000, 0);
    void put16(uint32_t at, uint16_t v)
    {
        m[at] = static_cast<uint8_t>(v);
        m[at + 1] = static_cast<uint8_t>(v >> 8);
    }
    uint16_t get16(uint32_t at) const { return static_cast<uint16_t>(m[at] | m[at + 1] << 8); }
};

}  // namespace

TEST_CASE("entry frame: INT n pushes FLAGS, CS, IP, clears IF TF AC, lands on the IVT's handler")
{
    Guest g;
    g.put16(0x10 * 4, 0x0065);  // INT 10h -> C000:0065
    g.put16(0x10 * 4 + 2, 0xc000);
    g.m[0xc0065] = 0x55;
    biosx_entry_regs r{};
    r.ss = 0x1000;
    r.esp = 0x12340100;  // the upper half is kept, SP moves
    r.eflags = BIOSX_EFLAGS_IF | BIOSX_EFLAGS_TF | BIOSX_EFLAGS_AC | BIOSX_EFLAGS_CF;
    REQUIRE(biosx_entry_prepare(g.m.data(), g.m.size(), 1, 0x10, 0, 0, &r) == BIOSX_ENTRY_ACCEPTED);
    CHECK(r.cs == 0xc000);
    CHECK(r.eip == 0x0065);
    CHECK(r.esp == 0x123400fa);
    CHECK(r.eflags == (BIOSX_EFLAGS_CF | BIOSX_EFLAGS_FIXED1));
    CHECK(g.m[BIOSX_TRAP_LINEAR] == BIOSX_TRAP_OPCODE);
    CHECK(g.get16(0x100fa) == BIOSX_TRAP_OFF);
    CHECK(g.get16(0x100fc) == BIOSX_TRAP_SEG);
    CHECK(g.get16(0x100fe) == (BIOSX_EFLAGS_IF | BIOSX_EFLAGS_TF | BIOSX_EFLAGS_CF));  // as the caller had them
    for (unsigned i = 0; i < 3; ++i) CHECK(biosx_entry_frame_word(0x1000, 0x12340100, i) == 0x100fe - 2 * i);
}

TEST_CASE("entry frame: a far call pushes CS, IP and keeps the flags, SP wrapping inside its segment")
{
    Guest g;
    g.m[0xe0003] = 0xcb;
    biosx_entry_regs r{};
    r.ss = 0x2000;
    r.esp = 0x0002;  // the second push wraps to SS:FFFE
    r.eflags = BIOSX_EFLAGS_IF;
    REQUIRE(biosx_entry_prepare(g.m.data(), g.m.size(), 0, 0, 0xe000, 0x0003, &r) == BIOSX_ENTRY_ACCEPTED);
    CHECK(r.cs == 0xe000);
    CHECK(r.eip == 0x0003);
    CHECK(r.esp == 0xfffe);
    CHECK(r.eflags == (BIOSX_EFLAGS_IF | BIOSX_EFLAGS_FIXED1));
    CHECK(g.get16(0x20000) == BIOSX_TRAP_SEG);
    CHECK(g.get16(0x2fffe) == BIOSX_TRAP_OFF);
}

TEST_CASE("entry frame: 0000:0000 in the IVT, all-00h and all-FFh code are refused and nothing is written")
{
    Guest g;
    biosx_entry_regs r{};
    r.esp = 0x7c00;
    uint16_t seg = 0, off = 0;
    CHECK(biosx_entry_point(g.m.data(), g.m.size(), 1, 0x15, &seg, &off) == BIOSX_ENTRY_NO_HANDLER);
    g.put16(0x15 * 4, 0x1000);
    g.put16(0x15 * 4 + 2, 0xf000);  // F000:1000, all zero
    CHECK(biosx_entry_point(g.m.data(), g.m.size(), 1, 0x15, &seg, &off) == BIOSX_ENTRY_NO_CODE);
    CHECK(seg == 0xf000);  // named for the message
    CHECK(off == 0x1000);
    std::fill(g.m.begin() + 0xf1000, g.m.begin() + 0xf1010, 0xff);
    CHECK(biosx_entry_prepare(g.m.data(), g.m.size(), 1, 0x15, 0, 0, &r) == BIOSX_ENTRY_NO_CODE);
    g.m[0xf100f] = 0xcf;  // one byte of code in the 16 looked at is enough
    CHECK(biosx_entry_point(g.m.data(), g.m.size(), 1, 0x15, &seg, &off) == BIOSX_ENTRY_ACCEPTED);
    CHECK(biosx_entry_prepare(g.m.data(), g.m.size(), 0, 0, 0xd000, 0, &r) == BIOSX_ENTRY_NO_CODE);
    CHECK(g.m[BIOSX_TRAP_LINEAR] == 0);
    CHECK(r.esp == 0x7c00);
}

TEST_CASE("entry frame: a frame past the end of a smaller memory is refused before any byte is written")
{
    std::vector<uint8_t> m(0x100000, 0);
    m[0xf0000] = 0xcb;
    biosx_entry_regs r{};
    r.ss = 0xffff;
    r.esp = 0xffff;  // FFFF:FFFB..FFFF:FFFE lie above 1 MiB
    CHECK(biosx_entry_prepare(m.data(), m.size(), 0, 0, 0xf000, 0, &r) == BIOSX_ENTRY_FRAME_OUTSIDE);
    CHECK(m[BIOSX_TRAP_LINEAR] == 0);
    CHECK(r.esp == 0xffff);
    r.ss = 0xefff;  // EFFF:FFFB.. = 0xFFFEB..: inside
    CHECK(biosx_entry_prepare(m.data(), m.size(), 0, 0, 0xf000, 0, &r) == BIOSX_ENTRY_ACCEPTED);
}
