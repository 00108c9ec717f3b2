// edid.cpp - EDID block 0 decoded (VESA E-EDID Standard, Release A, Rev. 2,
// sections cited per field). Userspace, pure code.
#include "core/meaning/edid.h"

#include <algorithm>
#include <cstdio>

#include "core/memmap/decoder.h"

namespace biosx::meaning {

namespace {

using memmap::num;
using memmap::str;
using memmap::flag;

// A descriptor string (§3.10.3.1): up to 13 bytes, ended by 0Ah and padded
// with spaces.
std::string descriptor_text(std::span<const uint8_t> d)
{
    std::string s;
    for (size_t i = 5; i < 18 && d[i] != 0x0a; ++i) s += (d[i] >= 0x20 && d[i] < 0x7f) ? static_cast<char>(d[i]) : '?';
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

EdidTiming detailed_timing(std::span<const uint8_t> d)
{
    EdidTiming t;
    t.pixel_clock_khz = static_cast<uint32_t>(d[0] | d[1] << 8) * 10;
    t.h_active = static_cast<uint16_t>(d[2] | (d[4] >> 4) << 8);
    t.h_blank = static_cast<uint16_t>(d[3] | (d[4] & 0x0f) << 8);
    t.v_active = static_cast<uint16_t>(d[5] | (d[7] >> 4) << 8);
    t.v_blank = static_cast<uint16_t>(d[6] | (d[7] & 0x0f) << 8);
    t.h_sync_offset = static_cast<uint16_t>(d[8] | (d[11] >> 6 & 3) << 8);
    t.h_sync_width = static_cast<uint16_t>(d[9] | (d[11] >> 4 & 3) << 8);
    t.v_sync_offset = static_cast<uint16_t>((d[10] >> 4) | (d[11] >> 2 & 3) << 4);
    t.v_sync_width = static_cast<uint16_t>((d[10] & 0x0f) | (d[11] & 3) << 4);
    t.width_mm = static_cast<uint16_t>(d[12] | (d[14] >> 4) << 8);
    t.height_mm = static_cast<uint16_t>(d[13] | (d[14] & 0x0f) << 8);
    t.interlaced = d[17] & 0x80;
    return t;
}

}  // namespace

double EdidTiming::refresh_hz() const
{
    const double total = double(h_active + h_blank) * double(v_active + v_blank);
    return total > 0 ? pixel_clock_khz * 1000.0 / total : 0;
}

Edid decode_edid(std::span<const uint8_t> bytes)
{
    Edid e;
    if (bytes.size() < kEdidBlock) {
        e.notes.push_back("shorter than one 128-byte block (" + std::to_string(bytes.size()) + " bytes)");
        return e;
    }
    memmap::Reader r(bytes);
    for (size_t b = 0; b + kEdidBlock <= bytes.size(); b += kEdidBlock) {
        e.checksum_ok.push_back(r.sum(b, kEdidBlock) == 0);
        if (!e.checksum_ok.back())
            e.notes.push_back("block " + std::to_string(b / kEdidBlock) + ": checksum does not add up to 0");
    }
    static const uint8_t kHeader[8] = {0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0};  // §3.3
    e.header_ok = std::equal(kHeader, kHeader + 8, bytes.begin());
    if (!e.header_ok) e.notes.push_back("no EDID header (00 FF FF FF FF FF FF 00)");
    // §3.4: manufacturer ID, three 5-bit letters ('A' = 1), big-endian.
    const uint16_t id = static_cast<uint16_t>(bytes[8] << 8 | bytes[9]);
    for (int sh : {10, 5, 0}) {
        const int c = id >> sh & 0x1f;
        e.manufacturer += (c >= 1 && c <= 26) ? static_cast<char>('@' + c) : '?';
    }
    e.product_code = r.u16(10);
    e.serial = r.u32(12);
    e.week = bytes[16];
    e.model_year = e.week == 0xff;
    e.year = 1990u + bytes[17];
    e.version = bytes[18];
    e.revision = bytes[19];
    e.digital = bytes[20] & 0x80;  // §3.6.1
    e.width_cm = bytes[21];        // §3.6.2
    e.height_cm = bytes[22];
    // §3.10: four 18-byte descriptors from 36h; a non-zero pixel clock makes
    // one a detailed timing, the first of which is the preferred one.
    for (size_t at = 0x36; at < 0x7e; at += 18) {
        auto d = bytes.subspan(at, 18);
        if (d[0] || d[1]) {
            if (!e.preferred) e.preferred = detailed_timing(d);
            continue;
        }
        switch (d[3]) {
        case 0xfc: e.name = descriptor_text(d); break;
        case 0xff: e.serial_text = descriptor_text(d); break;
        case 0xfd: {
            // EDID 1.4: byte 4 adds 255 to a rate whose offset bit is set.
            const bool v14 = e.version == 1 && e.revision >= 4;
            EdidRange g;
            g.min_v_hz = d[5] + (v14 && (d[4] & 0x01) ? 255u : 0u);
            g.max_v_hz = d[6] + (v14 && (d[4] & 0x02) ? 255u : 0u);
            g.min_h_khz = d[7] + (v14 && (d[4] & 0x04) ? 255u : 0u);
            g.max_h_khz = d[8] + (v14 && (d[4] & 0x08) ? 255u : 0u);
            g.max_pixel_clock_mhz = d[9] * 10u;
            e.range = g;
            break;
        }
        default: break;
        }
    }
    e.extensions = bytes[126];
    if (bytes.size() / kEdidBlock != 1u + e.extensions && bytes.size() / kEdidBlock > 1)
        e.notes.push_back("byte 126 announces " + std::to_string(e.extensions) + " extension block(s), " +
                          std::to_string(bytes.size() / kEdidBlock - 1) + " given");
    return e;
}

memmap::Fields edid_fields(const Edid& e)
{
    memmap::Fields f;
    f.push_back(flag("header_ok", e.header_ok));
    bool all = !e.checksum_ok.empty();
    for (bool ok : e.checksum_ok) all = all && ok;
    f.push_back(flag("checksums_ok", all));
    f.push_back(str("manufacturer", e.manufacturer));
    f.push_back(num("product_code", e.product_code, 4));
    f.push_back(num("serial_number", e.serial));
    if (e.model_year) {
        f.push_back(num("model_year", e.year));
    } else {
        f.push_back(num("week", e.week));
        f.push_back(num("year", e.year));
    }
    f.push_back(str("version", std::to_string(e.version) + "." + std::to_string(e.revision)));
    f.push_back(str("input", e.digital ? "digital" : "analog"));
    f.push_back(num("width_cm", e.width_cm));
    f.push_back(num("height_cm", e.height_cm));
    if (!e.name.empty()) f.push_back(str("monitor_name", e.name));
    if (!e.serial_text.empty()) f.push_back(str("serial_string", e.serial_text));
    if (const auto& t = e.preferred) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%ux%u%s %.2f Hz", t->h_active, t->v_active, t->interlaced ? "i" : "",
                      t->refresh_hz());
        f.push_back(str("preferred_mode", buf));
        for (auto [key, v] : {std::pair<const char*, uint32_t>{"pixel_clock_khz", t->pixel_clock_khz},
                              {"h_active", t->h_active}, {"h_blank", t->h_blank}, {"h_sync_offset", t->h_sync_offset},
                              {"h_sync_width", t->h_sync_width}, {"v_active", t->v_active}, {"v_blank", t->v_blank},
                              {"v_sync_offset", t->v_sync_offset}, {"v_sync_width", t->v_sync_width},
                              {"image_width_mm", t->width_mm}, {"image_height_mm", t->height_mm}})
            f.push_back(num(key, v));
        f.push_back(flag("interlaced", t->interlaced));
    }
    if (const auto& g = e.range) {
        f.push_back(num("min_vertical_hz", g->min_v_hz));
        f.push_back(num("max_vertical_hz", g->max_v_hz));
        f.push_back(num("min_horizontal_khz", g->min_h_khz));
        f.push_back(num("max_horizontal_khz", g->max_h_khz));
        f.push_back(num("max_pixel_clock_mhz", g->max_pixel_clock_mhz));
    }
    f.push_back(num("extension_blocks", e.extensions));
    return f;
}

}  // namespace biosx::meaning
