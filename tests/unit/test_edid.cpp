// test_edid.cpp - the EDID decoder (core/meaning/edid.h) on a block built
// here field by field (VESA E-EDID 1.4 layout), a bad checksum, a short
// input and an extension count that does not match.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "core/meaning/edid.h"

using namespace biosx::meaning;

namespace {

void fix_checksum(std::vector<uint8_t>& b, size_t block = 0)
{
    uint8_t s = 0;
    for (size_t i = 0; i < 127; ++i) s = static_cast<uint8_t>(s + b[block * 128 + i]);
    b[block * 128 + 127] = static_cast<uint8_t>(0x100 - s);
}

void text_descriptor(std::vector<uint8_t>& b, size_t at, uint8_t tag, const char* s)
{
    b[at + 3] = tag;
    size_t i = 5;
    for (; *s && i < 18; ++i, ++s) b[at + i] = static_cast<uint8_t>(*s);
    if (i < 18) b[at + i++] = 0x0a;
    for (; i < 18; ++i) b[at + i] = 0x20;
}

// "DEL" 0xa0b1, serial 0x01020304, week 12 of 2020, EDID 1.4, digital,
// 53 x 30 cm; DTD 1: 1920x1080, 148.5 MHz, blanking 280/45, sync 88+44 /
// 4+5, 531 x 299 mm; range 48-75 Hz V, 30-83 kHz H, 170 MHz; name
// "TEST MON"; one extension announced.
std::vector<uint8_t> sample()
{
    std::vector<uint8_t> b(256, 0);
    const uint8_t header[8] = {0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0};
    std::copy(header, header + 8, b.begin());
    const uint16_t id = ('D' - '@') << 10 | ('E' - '@') << 5 | ('L' - '@');
    b[8] = id >> 8;
    b[9] = id & 0xff;
    b[10] = 0xb1;
    b[11] = 0xa0;
    b[12] = 4, b[13] = 3, b[14] = 2, b[15] = 1;
    b[16] = 12;
    b[17] = 30;
    b[18] = 1, b[19] = 4;
    b[20] = 0xa5;
    b[21] = 53, b[22] = 30;
    const uint8_t dtd[18] = {0x02, 0x3a,            // 14850 x 10 kHz
                             0x80, 0x18, 0x71,      // h active 0x780, blank 0x118
                             0x38, 0x2d, 0x40,      // v active 0x438, blank 0x2d
                             0x58, 0x2c, 0x45, 0x00,  // h sync 88/44, v sync 4/5
                             0x13, 0x2b, 0x21,      // 0x213 x 0x12b mm
                             0, 0, 0x1e};
    std::copy(dtd, dtd + 18, b.begin() + 0x36);
    b[0x48 + 3] = 0xfd;
    b[0x48 + 5] = 48, b[0x48 + 6] = 75, b[0x48 + 7] = 30, b[0x48 + 8] = 83, b[0x48 + 9] = 17;
    text_descriptor(b, 0x5a, 0xfc, "TEST MON");
    text_descriptor(b, 0x6c, 0xff, "SN123");
    b[126] = 1;
    fix_checksum(b);
    b[128] = 0x02;
    fix_checksum(b, 1);
    return b;
}

}  // namespace

TEST_CASE("EDID: block 0 decoded field by field, both checksums good")
{
    const Edid e = decode_edid(sample());
    CHECK(e.header_ok);
    REQUIRE(e.checksum_ok.size() == 2);
    CHECK((e.checksum_ok[0] && e.checksum_ok[1]));
    CHECK(e.manufacturer == "DEL");
    CHECK(e.product_code == 0xa0b1);
    CHECK(e.serial == 0x01020304);
    CHECK(e.week == 12);
    CHECK(e.year == 2020);
    CHECK(!e.model_year);
    CHECK((e.version == 1 && e.revision == 4));
    CHECK(e.digital);
    CHECK((e.width_cm == 53 && e.height_cm == 30));
    REQUIRE(e.preferred);
    CHECK(e.preferred->pixel_clock_khz == 148500);
    CHECK((e.preferred->h_active == 1920 && e.preferred->h_blank == 280));
    CHECK((e.preferred->v_active == 1080 && e.preferred->v_blank == 45));
    CHECK((e.preferred->h_sync_offset == 88 && e.preferred->h_sync_width == 44));
    CHECK((e.preferred->v_sync_offset == 4 && e.preferred->v_sync_width == 5));
    CHECK((e.preferred->width_mm == 531 && e.preferred->height_mm == 299));
    CHECK(e.preferred->refresh_hz() == doctest::Approx(60.0));
    REQUIRE(e.range);
    CHECK((e.range->min_v_hz == 48 && e.range->max_v_hz == 75));
    CHECK((e.range->min_h_khz == 30 && e.range->max_h_khz == 83));
    CHECK(e.range->max_pixel_clock_mhz == 170);
    CHECK(e.name == "TEST MON");
    CHECK(e.serial_text == "SN123");
    CHECK(e.extensions == 1);
    CHECK(e.notes.empty());
    bool preferred = false;
    for (const auto& f : edid_fields(e))
        if (f.key == "preferred_mode") preferred = std::get<std::string>(f.value) == "1920x1080 60.00 Hz";
    CHECK(preferred);
}

TEST_CASE("EDID: a bad checksum, a wrong header, a short input, a missing extension are notes")
{
    auto b = sample();
    b[20] ^= 1;  // block 0's sum is no longer 0
    Edid e = decode_edid(b);
    CHECK(!e.checksum_ok[0]);
    CHECK(e.checksum_ok[1]);
    REQUIRE(!e.notes.empty());
    CHECK(e.notes[0] == "block 0: checksum does not add up to 0");

    b = sample();
    b[0] = 1;
    CHECK(!decode_edid(b).header_ok);

    e = decode_edid(std::vector<uint8_t>(100, 0));
    CHECK(!e.header_ok);
    REQUIRE(e.notes.size() == 1);
    CHECK(e.notes[0] == "shorter than one 128-byte block (100 bytes)");

    b = sample();
    b[126] = 3;  // three announced, one given
    fix_checksum(b);
    e = decode_edid(b);
    CHECK(e.notes.back() == "byte 126 announces 3 extension block(s), 1 given");
}
