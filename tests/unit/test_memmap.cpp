// test_memmap.cpp - the memmap scanners on crafted images: checksums that
// fail, lengths that run past the end, unaligned signatures, pointers out of
// range, truncated spans, random bytes. Run under AddressSanitizer (the
// `asan` preset) they also prove no read leaves the span.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <random>

#include "core/memmap/memmap.h"

using namespace biosx::memmap;

namespace {

// Notes of `t` that say a structure inside it was not decoded.
std::vector<std::string> inside_notes(const Table& t)
{
    std::vector<std::string> out;
    for (const auto& n : t.notes)
        if (n.find("lies inside this one") != std::string::npos) out.push_back(n);
    return out;
}

struct Img {
    std::vector<uint8_t> b;
    explicit Img(size_t n = 1u << 20) : b(n, 0) {}
    void str(uint32_t a, std::string_view s)
    {
        for (size_t i = 0; i < s.size(); ++i) b.at(a + i) = static_cast<uint8_t>(s[i]);
    }
    void u8(uint32_t a, uint8_t v) { b.at(a) = v; }
    void u16(uint32_t a, uint16_t v) { u8(a, v & 0xff), u8(a + 1, v >> 8); }
    void u32(uint32_t a, uint32_t v) { u16(a, v & 0xffff), u16(a + 2, v >> 16); }
    // Sets byte `at` so that [a, a+len) sums to zero.
    void fix(uint32_t a, uint32_t len, uint32_t at)
    {
        b.at(at) = 0;
        uint8_t s = 0;
        for (uint32_t i = 0; i < len; ++i) s = static_cast<uint8_t>(s + b.at(a + i));
        b.at(at) = static_cast<uint8_t>(-s);
    }
    std::span<const uint8_t> span() const { return b; }

    // An SMBIOS 2.8 entry point at `a` pointing at `table`.
    void smbios2(uint32_t a, uint32_t table = 0xf1000)
    {
        str(a, "_SM_");
        u8(a + 5, 0x1f);
        u8(a + 6, 2), u8(a + 7, 8);
        u16(a + 8, 0x51);
        str(a + 0x10, "_DMI_");
        u16(a + 0x16, 0x184);
        u32(a + 0x18, table);
        u16(a + 0x1c, 9);
        u8(a + 0x1e, 0x28);
        fix(a + 0x10, 0x0f, a + 0x15);
        fix(a, 0x1f, a + 4);
    }
    void rsdp2(uint32_t a)
    {
        str(a, "RSD PTR ");
        str(a + 9, "BOCHS ");
        u8(a + 15, 2);
        u32(a + 16, 0x7fe1a7d);
        u32(a + 20, 36);
        u32(a + 24, 0x7fe1b00);
        fix(a, 20, a + 8);
        fix(a, 36, a + 32);
    }
};

const Table* find(const std::vector<Table>& ts, std::string_view sig)
{
    for (const auto& t : ts)
        if (t.signature == sig) return &t;
    return nullptr;
}

std::string field(const Table& t, std::string_view key)
{
    for (const auto& f : t.fields)
        if (f.key == key) return field_text(f);
    return "<missing>";
}

// Regions cover [0, limit) in order with no gap and no overlap.
void check_cover(const Scan& s, uint32_t limit)
{
    REQUIRE(!s.regions.empty());
    CHECK(s.regions.front().begin == 0);
    CHECK(s.regions.back().end == limit);
    for (size_t i = 1; i < s.regions.size(); ++i) {
        CHECK(s.regions[i - 1].end == s.regions[i].begin);
        CHECK(s.regions[i].begin < s.regions[i].end);
    }
}

}  // namespace

TEST_CASE("memmap: SMBIOS 2.x entry point, valid and with each checksum broken")
{
    Img m;
    m.smbios2(0xf0010);
    auto ts = scan_tables(m.span());
    REQUIRE(ts.size() == 1);  // the intermediate _DMI_ is part of _SM_, not a second table
    CHECK(ts[0].status == "ok");
    CHECK(field(ts[0], "version") == "2.8");
    CHECK(field(ts[0], "table_address") == "0x000f1000");
    CHECK(field(ts[0], "structures") == "9");

    SUBCASE("entry-point checksum")
    {
        m.b[0xf0010 + 8] ^= 1;
        auto t = scan_tables(m.span());
        REQUIRE(t.size() == 1);
        CHECK(t[0].status == "bad_checksum");
        CHECK_FALSE(t[0].trusted());
        CHECK(t[0].notes.back() == "the fields above are not trusted");
    }
    SUBCASE("intermediate checksum only")
    {
        m.b[0xf0010 + 0x16] ^= 1;
        m.fix(0xf0010, 0x1f, 0xf0014);  // the outer sum holds again, the inner does not
        auto t = scan_tables(m.span());
        REQUIRE(t.size() == 1);
        CHECK(t[0].status == "bad_checksum");
    }
    SUBCASE("impossible length")
    {
        m.u8(0xf0015, 4);
        auto t = scan_tables(m.span());
        REQUIRE(t.size() == 1);
        CHECK(t[0].status == "bad_length");
    }
}

TEST_CASE("memmap: ACPI RSDP revision 2, both checksums")
{
    Img m;
    m.rsdp2(0xe0040);
    auto ts = scan_tables(m.span());
    REQUIRE(ts.size() == 1);
    CHECK(ts[0].status == "ok");
    CHECK(field(ts[0], "oem_id") == "BOCHS ");
    CHECK(field(ts[0], "revision") == "2");
    CHECK(field(ts[0], "rsdt_address") == "0x07fe1a7d");
    CHECK(field(ts[0], "xsdt_address") == "0x0000000007fe1b00");
    CHECK(ts[0].length == 36);

    m.b[0xe0040 + 28] ^= 0x80;  // inside the extended part only
    ts = scan_tables(m.span());
    CHECK(ts[0].status == "bad_checksum");

    SUBCASE("a huge length field is refused, not summed")
    {
        m.u32(0xe0040 + 20, 0xfffffff0);
        ts = scan_tables(m.span());
        CHECK(ts[0].status == "bad_length");
    }
}

TEST_CASE("memmap: a signature off the 16-byte grid is ignored")
{
    Img m;
    m.smbios2(0xf0018);
    m.rsdp2(0xf0104);
    m.str(0xf0201, "_MP_");
    CHECK(scan_tables(m.span()).empty());
    // decode_table itself still reads it when asked directly.
    auto t = decode_table(m.span(), 0xf0018);
    REQUIRE(t);
    CHECK(t->status == "ok");
}

TEST_CASE("memmap: tables truncated by the end of the span")
{
    SUBCASE("MP pointer in the last 8 bytes of a short span")
    {
        Img m(0xffff8);
        m.str(0xffff0, "_MP_");
        auto ts = scan_tables(m.span());
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].status == "truncated");
        CHECK(ts[0].fields.empty());
    }
    SUBCASE("$PIR whose size runs past 1 MiB")
    {
        Img m;
        m.str(0xfffe0, "$PIR");
        m.u16(0xfffe6, 32 + 16 * 30);
        auto ts = scan_tables(m.span());
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].status == "truncated");
    }
    SUBCASE("RSDP revision 2 whose extended part is cut")
    {
        Img m(0xffff0 + 24);
        m.str(0xffff0, "RSD PTR ");
        m.u8(0xffff0 + 15, 2);
        m.fix(0xffff0, 20, 0xffff8);
        auto ts = scan_tables(m.span());
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].status == "truncated");
    }
    SUBCASE("signature split by the end")
    {
        Img m(0xffff2);
        m.str(0xffff0, "RS");
        CHECK(scan_tables(m.span()).empty());
    }
}

TEST_CASE("memmap: MP floating pointer leads to its configuration table")
{
    Img m;
    m.str(0xf5000, "_MP_");
    m.u32(0xf5004, 0xf5010);
    m.u8(0xf5008, 1);
    m.u8(0xf5009, 4);
    m.fix(0xf5000, 16, 0xf500a);
    m.str(0xf5010, "PCMP");
    m.u16(0xf5014, 44);
    m.u8(0xf5016, 4);
    m.str(0xf5018, "BOCHSCPU");
    m.str(0xf5020, "0.1         ");
    m.u32(0xf5034, 0xfee00000);
    m.fix(0xf5010, 44, 0xf5017);
    auto ts = scan_tables(m.span());
    REQUIRE(ts.size() == 2);
    CHECK(ts[0].signature == "_MP_");
    CHECK(ts[1].signature == "PCMP");
    CHECK(ts[1].status == "ok");
    CHECK(field(ts[1], "oem_id") == "BOCHSCPU");
    CHECK(field(ts[1], "local_apic_address") == "0xfee00000");

    SUBCASE("a pointer outside the memory is noted, not followed")
    {
        m.u32(0xf5004, 0xfffffff0);
        m.fix(0xf5000, 16, 0xf500a);
        ts = scan_tables(m.span());
        REQUIRE(ts.size() == 1);
        CHECK(ts[0].notes.at(0).find("outside the memory source") != std::string::npos);
    }
}

// Found by profiling the fuzz target (docs/fuzzing.md, findings): every
// paragraph of E0000-FFFFF a "$PIR" claiming 64 KiB made 8,192 overlapping
// tables of 4,093 slots each; a 1 MiB image took 179 s and 6 GB, and printed
// 1.3 GB. Repro: tests/fuzz/regressions/memmap_scan/.
TEST_CASE("memmap: a structure inside another of its kind is noted, not decoded")
{
    SUBCASE("overlapping $PIR tables")
    {
        Img m;
        for (uint32_t a = 0xf0000; a < 0xf0400; a += 16) {
            m.str(a, "$PIR");
            m.u16(a + 6, 0x200);  // 30 slots, checksum left wrong
        }
        auto ts = scan_tables(m.span());
        REQUIRE(ts.size() == 2);  // f0000 and f0200, each with the 31 inside it noted
        CHECK(ts[0].address == 0xf0000);
        CHECK(ts[0].status == "bad_checksum");
        CHECK(ts[1].address == 0xf0200);
        const auto inside = inside_notes(ts[0]);
        REQUIRE(inside.size() == 31);
        CHECK(inside[0] == "another \"$PIR\" at 0xf0010 lies inside this one; not decoded");
        CHECK(inside_notes(ts[1]).size() == 31);
    }
    SUBCASE("a storm over the whole BIOS area stays linear")
    {
        Img m;
        for (uint32_t a = 0xe0000; a < 0x100000; a += 16) {
            m.str(a, "$PIR");
            m.u16(a + 6, 0xfff0);
        }
        size_t fields = 0;
        for (const auto& t : scan(m.span()).tables) fields += t.fields.size();
        CHECK(fields < 0x20000 / 8);  // about one slot per paragraph, not 16 million
    }
    SUBCASE("an impossible length hides nothing")
    {
        Img m;
        m.str(0xf0000, "$PIR");
        m.u16(0xf0006, 0x21);  // not 32 + 16n: bad_length
        m.str(0xf0010, "$PIR");
        m.u16(0xf0016, 32);
        auto ts = scan_tables(m.span());
        REQUIRE(ts.size() == 2);
        CHECK(ts[0].status == "bad_length");
    }
    SUBCASE("configuration tables: each once, none inside the one before")
    {
        Img m;
        auto mp = [&](uint32_t a, uint32_t cfg) {
            m.str(a, "_MP_");
            m.u32(a + 4, cfg);
            m.u8(a + 8, 1);
            m.fix(a, 16, a + 10);
        };
        mp(0xf5000, 0x10000);
        mp(0xf5010, 0x10000);
        mp(0xf5020, 0x10010);
        mp(0xf5030, 0x11000);
        for (uint32_t a : {0x10000u, 0x10010u, 0x11000u}) {
            m.str(a, "PCMP");
            m.u16(a + 4, 0x1000);
        }
        auto ts = scan_tables(m.span());
        std::vector<uint32_t> pcmp;
        for (const auto& t : ts)
            if (t.signature == "PCMP") pcmp.push_back(t.address);
        CHECK(pcmp == std::vector<uint32_t>{0x10000, 0x11000});
        CHECK(inside_notes(*find(ts, "PCMP")) ==
              std::vector<std::string>{"another \"PCMP\" at 0x10010 lies inside this one; not decoded"});
    }
}

TEST_CASE("memmap: the other signatures decode")
{
    Img m;
    // BIOS32 service directory
    m.str(0xf0000, "_32_");
    m.u32(0xf0004, 0xfd3ac);
    m.u8(0xf0009, 1);
    m.fix(0xf0000, 16, 0xf000a);
    // PnP BIOS
    m.str(0xf0010, "$PnP");
    m.u8(0xf0014, 0x10);
    m.u8(0xf0015, 0x21);
    m.u16(0xf001d, 0xd253);
    m.u16(0xf001f, 0xf000);
    m.fix(0xf0010, 0x21, 0xf0018);
    // SMBIOS 3
    m.str(0xf0040, "_SM3_");
    m.u8(0xf0046, 0x18);
    m.u8(0xf0047, 3), m.u8(0xf0048, 2);
    m.u32(0xf004c, 0x1000);
    m.u32(0xf0050, 0x7fff0000);
    m.fix(0xf0040, 0x18, 0xf0045);
    // legacy DMI
    m.str(0xf0060, "_DMI_");
    m.u16(0xf0066, 0x100);
    m.u32(0xf0068, 0xf8000);
    m.u8(0xf006e, 0x21);
    m.fix(0xf0060, 0x0f, 0xf0065);
    auto ts = scan_tables(m.span());
    REQUIRE(ts.size() == 4);
    for (const auto& t : ts) CHECK_MESSAGE(t.status == "ok", t.signature);
    CHECK(field(*find(ts, "_32_"), "entry_point") == "0x000fd3ac");
    CHECK(field(*find(ts, "$PnP"), "real_mode_entry") == "f000:d253");
    CHECK(field(*find(ts, "$PnP"), "version") == "1.0");
    CHECK(field(*find(ts, "_SM3_"), "version") == "3.2.0");
    CHECK(field(*find(ts, "_SM3_"), "table_address") == "0x000000007fff0000");
    CHECK(field(*find(ts, "_DMI_"), "bcd_revision") == "2.1");
}

TEST_CASE("memmap: option ROMs")
{
    Img m;
    // A 4 KiB VGA ROM with a PCI data structure and a PnP header.
    const uint32_t r = 0xc0000;
    m.u16(r, 0xaa55);
    m.u8(r + 2, 8);
    m.u8(r + 3, 0xe9);
    m.u16(r + 0x18, 0x40);
    m.u16(r + 0x1a, 0x60);
    m.str(r + 0x40, "PCIR");
    m.u16(r + 0x44, 0x1234);
    m.u16(r + 0x46, 0x1111);
    m.u16(r + 0x4a, 0x18);
    m.u8(r + 0x4d, 0x00), m.u8(r + 0x4e, 0x00), m.u8(r + 0x4f, 0x03);
    m.u16(r + 0x50, 8);
    m.u8(r + 0x55, 0x80);
    m.str(r + 0x60, "$PnP");
    m.u8(r + 0x64, 1);
    m.u8(r + 0x65, 2);
    m.u16(r + 0x6e, 0x100);
    m.u16(r + 0x70, 0x110);
    m.str(r + 0x100, "Acme");
    m.str(r + 0x110, "Frobnicator VGA");
    m.fix(r + 0x60, 0x20, r + 0x69);
    m.fix(r, 4096, r + 4095);
    // A second ROM right after, on the next 2 KiB boundary.
    m.u16(0xc1000, 0xaa55);
    m.u8(0xc1002, 1);
    m.fix(0xc1000, 512, 0xc11ff);

    auto roms = scan_option_roms(m.span());
    REQUIRE(roms.size() == 2);
    CHECK(roms[0].size == 4096);
    CHECK(roms[0].checksum_ok);
    REQUIRE(roms[0].pcir);
    CHECK(field(*roms[0].pcir, "vendor") == "0x1234");
    CHECK(field(*roms[0].pcir, "class_code") == "030000");
    CHECK(field(*roms[0].pcir, "last_image") == "yes");
    REQUIRE(roms[0].pnp);
    CHECK(roms[0].pnp->status == "ok");
    CHECK(field(*roms[0].pnp, "manufacturer") == "Acme");
    CHECK(field(*roms[0].pnp, "product") == "Frobnicator VGA");
    CHECK(roms[0].label == "1234:1111 VGA display");
    CHECK(roms[1].address == 0xc1000);
    CHECK(roms[1].checksum_ok);
    CHECK(roms[1].likely());

    SUBCASE("corrupt ROM checksum")
    {
        m.b[r + 10] ^= 1;
        roms = scan_option_roms(m.span());
        CHECK_FALSE(roms[0].checksum_ok);
        CHECK(roms[0].likely());  // still has its PCI header
    }
    SUBCASE("PCI and PnP pointers leading outside the ROM")
    {
        m.u16(r + 0x18, 0xfff0);
        m.u16(r + 0x1a, 0xfffe);
        roms = scan_option_roms(m.span());
        CHECK_FALSE(roms[0].pcir);
        CHECK_FALSE(roms[0].pnp);
    }
}

TEST_CASE("memmap: a ROM whose length runs past 1 MiB")
{
    Img m;
    m.u16(0xef800, 0xaa55);
    m.u8(0xef802, 0xff);  // 127.5 KiB: to 0x10f600
    m.u16(0xef818, 0xfff0);  // PCIR pointer far past the end
    m.str(0xefff0 + 0, "");
    auto s = scan(m.span());
    REQUIRE(s.roms.size() == 1);
    CHECK(s.roms[0].truncated);
    CHECK_FALSE(s.roms[0].checksum_ok);
    CHECK_FALSE(s.roms[0].pcir);
    check_cover(s, 0x100000);
    // The system BIOS keeps its region despite the ROM's claim.
    CHECK(s.regions.back().kind == "system_bios");
    CHECK(s.regions.back().begin == 0xf0000);
}

TEST_CASE("memmap: a 0x55AA at the very end of a short span")
{
    Img m(0xc0002);
    m.u16(0xc0000, 0xaa55);
    auto roms = scan_option_roms(m.span());
    REQUIRE(roms.size() == 1);
    CHECK(roms[0].size == 0);
}

TEST_CASE("memmap: regions, EBDA and conventional memory")
{
    Img m;
    m.u16(0x413, 639);
    m.u16(0x40e, 0x9fc0);
    m.u8(0x9fc00, 1);
    auto s = scan(m.span());
    check_cover(s, 0x100000);
    auto kind_at = [&](uint32_t a) {
        for (const auto& r : s.regions)
            if (a >= r.begin && a < r.end) return r.kind;
        return std::string("?");
    };
    CHECK(kind_at(0) == "ivt");
    CHECK(kind_at(0x400) == "bda");
    CHECK(kind_at(0x9fbff) == "ram");
    CHECK(kind_at(0x9fc00) == "ebda");
    CHECK(kind_at(0xa0000) == "vga");
    CHECK(kind_at(0xf0000) == "system_bios");
    CHECK(s.notes.empty());

    SUBCASE("EBDA pointer above 640 KiB")
    {
        m.u16(0x40e, 0xb000);
        s = scan(m.span());
        check_cover(s, 0x100000);
        CHECK(kind_at(0x9fc00) == "reserved");
        REQUIRE(s.notes.size() == 1);
        CHECK(s.notes[0].find("outside") != std::string::npos);
    }
    SUBCASE("EBDA pointer at the top of the address space")
    {
        m.u16(0x40e, 0xffff);
        s = scan(m.span());
        check_cover(s, 0x100000);
        CHECK(s.notes.size() == 1);
        CHECK(s.tables.empty());
    }
    SUBCASE("EBDA size byte larger than what is left below 640 KiB")
    {
        m.u8(0x9fc00, 0xff);
        s = scan(m.span());
        check_cover(s, 0x100000);
        CHECK(kind_at(0x9ffff) == "ebda");
        CHECK(kind_at(0xa0000) == "vga");
    }
    SUBCASE("memory size beyond 640 KiB")
    {
        m.u16(0x413, 0xffff);
        s = scan(m.span());
        check_cover(s, 0x100000);
        CHECK(kind_at(0x1000) == "reserved");
    }
    SUBCASE("an RSDP in the EBDA's first KiB is found")
    {
        m.rsdp2(0x9fc10);
        s = scan(m.span());
        REQUIRE(s.tables.size() == 1);
        CHECK(s.tables[0].address == 0x9fc10);
    }
}

TEST_CASE("memmap: IVT targets and BDA fields")
{
    Img m;
    m.u16(0x413, 639);
    m.u16(0xc0000, 0xaa55);
    m.u8(0xc0002, 4);
    m.fix(0xc0000, 2048, 0xc07ff);
    m.u32(0x10 * 4, 0xc0000003);  // c000:0003
    m.u32(0x11 * 4, 0xf000f84d);
    m.u32(0x12 * 4, 0x00001234);  // 0000:1234, RAM
    m.u32(0x13 * 4, 0xffffffff);  // ffff:ffff, above 1 MiB
    m.u16(0x400, 0x3f8);
    m.u16(0x410, 0x4263);  // diskette, FPU, 80x25 colour, 2 drives, 1 serial, 1 parallel
    m.u8(0x449, 3);
    m.u16(0x44a, 80);
    m.u8(0x484, 24);
    m.u32(0x46c, 0x12345);
    m.u8(0x417, 0x20);
    auto s = scan(m.span());
    REQUIRE(s.ivt.size() == 256);
    CHECK(s.ivt[0x10].target == "option_rom");
    CHECK(s.ivt[0x10].target_name.find("c0000") != std::string::npos);
    CHECK(s.ivt[0x11].target == "system_bios");
    CHECK(s.ivt[0x12].target == "ram");
    CHECK(s.ivt[0x13].target == "above_1mib");
    CHECK(s.ivt[0x13].linear == 0x10ffef);
    CHECK(s.ivt[0x20].target == "unset");
    CHECK(s.ivt[0x1e].data);
    REQUIRE(s.bda);
    CHECK(s.bda->com[0] == 0x3f8);
    CHECK(s.bda->columns == 80);
    CHECK(s.bda->rows == 25);
    CHECK(s.bda->ticks == 0x12345);
    CHECK(s.bda->kbd_active == std::vector<std::string>{"num lock on"});
    auto eq = fields_to_json(s.bda->equipment_fields);
    CHECK(eq["diskette_present"] == true);
    CHECK(eq["math_coprocessor"] == true);
    CHECK(eq["initial_video"] == "80x25 colour");
    CHECK(eq["diskette_drives"] == 2);
    CHECK(eq["serial_ports"] == 1);
    CHECK(eq["parallel_ports"] == 1);
}

TEST_CASE("memmap: spans too short for the IVT or BDA")
{
    for (size_t n : {size_t{0}, size_t{1}, size_t{0x3ff}, size_t{0x400}, size_t{0x4ff}, size_t{0x500}, size_t{0xc0001}}) {
        Img m(n);
        auto s = scan(m.span());
        CHECK(s.ivt.empty() == (n < 0x400));
        CHECK(s.bda.has_value() == (n >= 0x500));
        if (n) check_cover(s, static_cast<uint32_t>(n));
        CHECK_FALSE(s.bios.present);
        CHECK_NOTHROW(scan_to_json(s, {}, "test").dump());
    }
}

TEST_CASE("memmap: random bytes and signature storms stay inside the span")
{
    std::mt19937 rng(1234);
    const std::string_view sigs[] = {"_SM_", "_SM3_", "_DMI_", "RSD PTR ", "_MP_", "PCMP", "$PIR", "$PnP", "_32_", "$PMM"};
    for (int round = 0; round < 24; ++round) {
        size_t n = round % 3 == 0 ? (1u << 20) : 0xc0000 + rng() % 0x40000;
        Img m(n);
        for (auto& x : m.b) x = static_cast<uint8_t>(rng());
        // Signatures on every 16-byte boundary of the top 64 KiB, 0x55AA on
        // every 2 KiB boundary, with random lengths after them.
        for (uint32_t a = 0xf0000; a + 8 <= n; a += 16) m.str(a, sigs[rng() % std::size(sigs)]);
        for (uint32_t a = 0xc0000; a + 2 <= n && a < 0xf0000; a += 0x800) m.u16(a, 0xaa55);
        m.u16(0x40e, static_cast<uint16_t>(rng()));
        auto s = scan(m.span());
        if (n >= 0x100000) check_cover(s, 0x100000);
        for (const auto& t : s.tables) CHECK(!t.status.empty());
        CHECK_NOTHROW(scan_to_json(s, {}, "random").dump());
    }
}

TEST_CASE("memmap: JSON object shape")
{
    Img m;
    m.smbios2(0xf0010);
    m.b[0xf0018] ^= 1;
    auto s = scan(m.span());
    auto j = scan_to_json(s, {}, "image:x");
    CHECK(j["schema"] == "biosx.memmap");
    CHECK(j["schema_version"] == 3);
    CHECK(j["regions"][0]["begin"] == 0);
    CHECK(j["tables"][0]["status"] == "bad_checksum");
    CHECK(j["tables"][0]["trusted"] == false);
    CHECK(j["tables"][0]["address"] == 0xf0010);
    Sections only;
    only = {false, false, false, false, true};
    auto k = scan_to_json(s, only, "image:x");
    CHECK_FALSE(k.contains("ivt"));
    CHECK(k.contains("tables"));
}

TEST_CASE("memmap: size_text")
{
    CHECK(size_text(0) == "0 bytes");
    CHECK(size_text(1024) == "1 KiB");
    CHECK(size_text(0x9fc00 - 0x500) == "637.8 KiB");
    CHECK(size_text(0x7ee0000) == "126.9 MiB");
    CHECK(size_text(uint64_t{3} << 32) == "12 GiB");
    CHECK(size_text(~uint64_t{0}) == "16777216.0 TiB");
}

TEST_CASE("memmap: fields refilled in place equal a fresh object (repeats, slots, 64-bit companions)")
{
    using biosx::memmap::Field;
    using biosx::memmap::Fields;
    const Fields a = {{"base", uint64_t{0x123456789abcull}, 16}, {"slot", uint64_t{1}, 0},
                      {"name", std::string("x"), 0}, {"dev", uint64_t{2}, 0}, {"dev", uint64_t{3}, 0}};
    const Fields b = {{"slot", uint64_t{4}, 0}, {"slot", uint64_t{5}, 0}, {"dev", true, 0}, {"other", std::string("y"), 0}};
    const Fields c = {};
    nlohmann::json o = nlohmann::json::object();
    for (const Fields* f : {&a, &b, &a, &c, &b}) {
        biosx::memmap::fill_fields_json(o, *f);
        CHECK(o.dump() == biosx::memmap::fields_to_json(*f).dump());
    }
    biosx::memmap::fill_fields_json(o, a);
    CHECK(o["base_hex"] == "0x0000123456789abc");
    CHECK(o["slot"] == nlohmann::json::array({1}));
    CHECK(o["dev"] == nlohmann::json::array({2, 3}));
}
