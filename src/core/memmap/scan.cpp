// scan.cpp - the region map of the first MiB, the IVT and the BDA decoded,
// and the system BIOS's fixed locations. Pure code over a byte span: every
// pointer the data holds (EBDA segment, memory size, vectors) is checked
// before it is followed. Userspace.
#include <algorithm>

#include "core/format.h"
#include "core/memmap/decoder.h"
#include "core/memmap/memmap.h"
#include "x86/realmode.h"

namespace biosx::memmap {

namespace {

constexpr uint32_t kConvEnd = BIOSX_VGA_BEGIN;  // 640 KiB

// Regions kept sorted and disjoint; a later paint wins over what it covers.
class Canvas {
public:
    void paint(uint32_t b, uint32_t e, std::string kind, std::string name)
    {
        if (b >= e) return;
        std::vector<Region> out;
        for (auto& r : regions_) {
            if (r.end <= b || r.begin >= e) {
                out.push_back(r);
                continue;
            }
            if (r.begin < b) out.push_back({r.begin, b, r.kind, r.name});
            if (r.end > e) out.push_back({e, r.end, r.kind, r.name});
        }
        out.push_back({b, e, std::move(kind), std::move(name)});
        std::sort(out.begin(), out.end(), [](const Region& x, const Region& y) { return x.begin < y.begin; });
        regions_ = std::move(out);
    }
    std::vector<Region> take(uint32_t limit)
    {
        std::vector<Region> out;
        for (auto r : regions_) {
            if (r.begin >= limit) continue;
            r.end = std::min(r.end, limit);
            if (!out.empty() && out.back().end == r.begin && out.back().kind == r.kind && out.back().name == r.name)
                out.back().end = r.end;
            else
                out.push_back(r);
        }
        return out;
    }

private:
    std::vector<Region> regions_;
};

// What the well-known vectors are for (IBM PC/AT Technical Reference; Ralf
// Brown's list for the later ones). `data` marks pointers to tables.
struct VectorUse {
    uint8_t n;
    std::string_view use;
    bool data;
};
constexpr VectorUse kUses[] = {
    {0x00, "divide error", false},        {0x01, "single step", false},
    {0x02, "NMI", false},                 {0x03, "breakpoint", false},
    {0x04, "overflow", false},            {0x05, "print screen", false},
    {0x08, "IRQ0 timer", false},          {0x09, "IRQ1 keyboard", false},
    {0x0a, "IRQ2 cascade", false},        {0x0b, "IRQ3 COM2", false},
    {0x0c, "IRQ4 COM1", false},           {0x0d, "IRQ5", false},
    {0x0e, "IRQ6 diskette", false},       {0x0f, "IRQ7 LPT1", false},
    {0x10, "video", false},               {0x11, "equipment list", false},
    {0x12, "memory size", false},         {0x13, "disk", false},
    {0x14, "serial", false},              {0x15, "system services", false},
    {0x16, "keyboard", false},            {0x17, "printer", false},
    {0x18, "boot failure / ROM BASIC", false}, {0x19, "bootstrap loader", false},
    {0x1a, "time of day / PCI BIOS", false},   {0x1b, "Ctrl-Break", false},
    {0x1c, "user timer tick", false},     {0x1d, "video parameter table", true},
    {0x1e, "diskette parameter table", true}, {0x1f, "8x8 font, upper 128 chars", true},
    {0x40, "diskette (relocated by a disk BIOS)", false}, {0x41, "hard disk 0 parameters", true},
    {0x43, "video font (EGA+)", true},    {0x46, "hard disk 1 parameters", true},
    {0x4a, "RTC alarm (user)", false},    {0x70, "IRQ8 RTC", false},
    {0x71, "IRQ9", false},                {0x72, "IRQ10", false},
    {0x73, "IRQ11", false},               {0x74, "IRQ12 mouse", false},
    {0x75, "IRQ13 FPU", false},           {0x76, "IRQ14 primary IDE", false},
    {0x77, "IRQ15 secondary IDE", false},
};

const Region* region_at(const std::vector<Region>& regions, uint32_t a)
{
    for (const auto& r : regions)
        if (a >= r.begin && a < r.end) return &r;
    return nullptr;
}

std::vector<Vector> decode_ivt(const Reader& r, const std::vector<Region>& regions)
{
    std::vector<Vector> out;
    if (!r.has(0, BIOSX_IVT_SIZE)) return out;
    for (int n = 0; n < 256; ++n) {
        Vector v;
        v.number = static_cast<uint8_t>(n);
        v.off = r.u16(n * 4u);
        v.seg = r.u16(n * 4u + 2);
        v.linear = v.seg * 16u + v.off;
        for (const auto& u : kUses)
            if (u.n == n) v.use = u.use, v.data = u.data;
        const Region* reg = region_at(regions, v.linear);
        if (v.seg == 0 && v.off == 0) {
            v.target = "unset";
            v.target_name = "unset (0000:0000)";
        } else if (v.linear >= BIOSX_REALMODE_END) {
            v.target = "above_1mib";
            v.target_name = "above 1 MiB (HMA)";
        } else if (!reg) {
            v.target = "outside";
            v.target_name = "outside the memory source";
        } else {
            v.target = reg->kind;
            v.target_name = reg->name;
        }
        out.push_back(v);
    }
    return out;
}

Bda decode_bda(const Reader& r)
{
    constexpr uint32_t B = BIOSX_BDA_BASE;
    Bda d;
    for (int i = 0; i < 4; ++i) d.com[i] = r.u16(B + 2 * i);
    for (int i = 0; i < 3; ++i) d.lpt[i] = r.u16(B + 8 + 2 * i);
    d.ebda_segment = r.u16(BIOSX_BDA_EBDA_SEG);
    d.equipment = r.u16(BIOSX_BDA_EQUIPMENT);
    d.equipment_fields = equipment_fields(d.equipment);
    d.memory_kib = r.u16(BIOSX_BDA_MEMSIZE_KB);
    d.kbd_flags0 = r.u8(0x417);
    d.kbd_flags1 = r.u8(0x418);
    d.kbd_flags3 = r.u8(0x496);
    d.kbd_leds = r.u8(0x497);
    static const char* kFlags0[] = {"right shift", "left shift", "ctrl", "alt", "scroll lock on", "num lock on",
                                    "caps lock on", "insert on"};
    static const char* kFlags1[] = {"left ctrl", "left alt", "sysreq down", "pause", "scroll lock down",
                                    "num lock down", "caps lock down", "insert down"};
    for (int b = 0; b < 8; ++b)
        if (d.kbd_flags0 >> b & 1) d.kbd_active.push_back(kFlags0[b]);
    for (int b = 0; b < 8; ++b)
        if (d.kbd_flags1 >> b & 1) d.kbd_active.push_back(kFlags1[b]);
    d.video_mode = r.u8(0x449);
    d.columns = r.u16(0x44a);
    for (int p = 0; p < 8; ++p) d.cursor[p] = {r.u8(0x450 + 2 * p), r.u8(0x451 + 2 * p)};
    d.cursor_end = r.u8(0x460);
    d.cursor_start = r.u8(0x461);
    d.active_page = r.u8(0x462);
    d.crtc_port = r.u16(0x463);
    d.ticks = r.u32(0x46c);
    d.midnight = r.u8(0x470);
    d.reset_flag = r.u16(0x472);
    d.hard_disks = r.u8(0x475);
    // 0x484 holds rows - 1 on EGA and later; 0 there means "not set".
    d.rows = r.u8(0x484) ? static_cast<uint8_t>(r.u8(0x484) + 1) : 0;
    d.char_height = r.u16(0x485);
    return d;
}

BiosId decode_bios_id(const Reader& r)
{
    BiosId id;
    if (!r.has(0xffff0, 16)) return id;
    id.present = true;
    // The reset vector is normally JMP FAR (EA off16 seg16) into the BIOS.
    if (r.u8(0xffff0) == 0xea) {
        id.reset_vector = "jmp far " + seg_off(r.u16(0xffff3), r.u16(0xffff1));
    } else {
        id.reset_vector = "bytes";
        for (uint32_t a = 0xffff0; a < 0xffff5; ++a) id.reset_vector += " " + hex_digits(r.u8(a), 2);
    }
    std::string date = r.text(0xffff5, 8);
    if (date.size() == 8 && date.find('.') == std::string::npos) id.date = date;
    id.model = r.u8(0xffffe);
    switch (id.model) {
    case 0xff: id.model_name = "IBM PC"; break;
    case 0xfe: id.model_name = "IBM PC XT"; break;
    case 0xfd: id.model_name = "IBM PCjr"; break;
    case 0xfc: id.model_name = "IBM PC AT (and most compatibles)"; break;
    case 0xfb: id.model_name = "IBM PC XT (later)"; break;
    case 0xfa: id.model_name = "IBM PS/2 model 30"; break;
    case 0xf9: id.model_name = "IBM PC Convertible"; break;
    case 0xf8: id.model_name = "IBM PS/2 model 80"; break;
    default: id.model_name = "unknown"; break;
    }
    return id;
}

}  // namespace

Fields equipment_fields(uint16_t eq)
{
    // The equipment word as INT 11h returns it and BDA 0x410 holds it (IBM
    // PC AT Technical Reference, "equipment determination"; Ralf Brown's
    // Interrupt List #00226).
    static const char* kVideo[] = {"EGA/VGA or none (own BIOS)", "40x25 colour", "80x25 colour", "80x25 monochrome"};
    return {
        flag("diskette_present", eq & 1),
        flag("math_coprocessor", eq & 2),
        flag("pointing_device", eq & 4),
        str("initial_video", kVideo[(eq >> 4) & 3]),
        num("diskette_drives", (eq & 1) ? ((eq >> 6) & 3) + 1 : 0),
        num("serial_ports", (eq >> 9) & 7),
        flag("game_port", eq & 0x1000),
        flag("internal_modem", eq & 0x2000),
        num("parallel_ports", (eq >> 14) & 3),
    };
}

std::string size_text(uint64_t n)
{
    // Exact units when they fit, else one decimal of the largest unit.
    static const char* kUnit[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (u < 4 && n >> (10 * (u + 1)) > 0) ++u;
    if (u == 0) return std::to_string(n) + " bytes";
    uint64_t unit = uint64_t{1} << (10 * u);
    if (n % unit == 0) return std::to_string(n / unit) + " " + kUnit[u];
    uint64_t tenths = (n * 10 + unit / 2) / unit;  // n < 2^60 here in practice
    if (n > (uint64_t{1} << 59)) tenths = n / (unit / 10);
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " " + kUnit[u];
}

Scan scan(std::span<const uint8_t> mem)
{
    Reader r(mem);
    Scan s;
    s.size = mem.size();
    const uint32_t limit = static_cast<uint32_t>(std::min<size_t>(mem.size(), BIOSX_REALMODE_END));
    if (mem.size() < BIOSX_REALMODE_END)
        s.notes.push_back("the memory holds " + std::to_string(mem.size()) + " bytes, less than 1 MiB; the map stops there");

    if (r.has(0, BIOSX_BDA_BASE + BIOSX_BDA_SIZE)) s.bda = decode_bda(r);
    s.roms = scan_option_roms(mem);

    Canvas c;
    // Conventional memory as INT 12h reports it; what lies between it and
    // 640 KiB is taken by the BIOS (EBDA) or someone else.
    c.paint(0x500, kConvEnd, "reserved", "below 640 KiB, not reported by INT 12h");
    uint32_t conv = 0;
    uint32_t ebda = 0;
    if (s.bda) {
        uint32_t kib = s.bda->memory_kib;
        if (kib == 0 || kib > 640) {
            s.notes.push_back("the BDA's memory size (0x413) says " + std::to_string(kib) +
                              " KiB, outside 1..640; conventional memory is not marked");
        } else {
            conv = kib * 1024;
            if (conv > 0x500) c.paint(0x500, conv, "ram", "conventional memory (" + std::to_string(kib) + " KiB, INT 12h)");
        }
        uint32_t seg = s.bda->ebda_segment;
        uint32_t e = seg * 16;
        if (seg == 0) {
            s.notes.push_back("the BDA holds no EBDA segment (0x40E is 0)");
        } else if (e < 0x500 || e >= kConvEnd) {
            s.notes.push_back("the EBDA segment " + hex(seg, 4) + " (BDA 0x40E) points to " + hex(e, 5) +
                              ", outside 0x00500-0x9ffff; ignored");
        } else {
            ebda = e;
            uint32_t kib_e = r.has(e, 1) ? r.u8(e) : 0;
            uint32_t len = kib_e ? kib_e * 1024 : 1024;
            if (!kib_e) s.notes.push_back("the EBDA's size byte is 0; 1 KiB assumed");
            if (e + len > kConvEnd) {
                s.notes.push_back("the EBDA's " + std::to_string(kib_e) + " KiB at " + hex(e, 5) +
                                  " would pass 640 KiB; cut at 0xa0000");
                len = kConvEnd - e;
            }
            if (conv && e < conv) s.notes.push_back("the EBDA at " + hex(e, 5) + " lies inside the memory INT 12h reports");
            c.paint(e, e + len, "ebda", "EBDA (" + size_text(len) + ")");
        }
    }
    c.paint(0, BIOSX_IVT_SIZE, "ivt", "IVT (256 vectors)");
    c.paint(BIOSX_BDA_BASE, BIOSX_BDA_BASE + BIOSX_BDA_SIZE, "bda", "BDA (BIOS data area)");
    c.paint(0xa0000, 0xb0000, "vga", "VGA graphics window");
    c.paint(0xb0000, 0xb8000, "vga", "monochrome text window");
    c.paint(0xb8000, 0xc0000, "vga", "colour text window");
    c.paint(0xc0000, 0xe0000, "none", "no ROM header");
    c.paint(0xe0000, 0xf0000, "bios_area", "BIOS area (no ROM header)");
    for (const auto& rom : s.roms) {
        if (rom.size == 0) continue;
        c.paint(rom.address, static_cast<uint32_t>(std::min<uint64_t>(uint64_t{rom.address} + rom.size, BIOSX_REALMODE_END)),
                "option_rom",
                "option ROM " + hex_digits(rom.address, 5) + " " + rom.label + (rom.likely() ? "" : " (doubtful)"));
    }
    c.paint(BIOSX_SYSBIOS_BEGIN, BIOSX_REALMODE_END, "system_bios", "system BIOS");
    s.regions = c.take(limit);

    s.ivt = decode_ivt(r, s.regions);
    s.tables = scan_tables(mem, s.roms, ebda);
    s.bios = decode_bios_id(r);
    return s;
}

}  // namespace biosx::memmap
