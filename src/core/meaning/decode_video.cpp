// decode_video.cpp - decoders of INT 10h AH=0Fh (the current video mode) and
// the VESA BIOS Extension calls AX=4F00h (controller information), 4F01h
// (mode information; both decoded from the buffer when it was read back) and
// 4F03h (the current mode). Meanings from Ralf Brown's Interrupt List,
// release 61 (#00010, #00077-#00083) and VBE 3.0. Userspace, pure code.
#include <cstdio>

#include "core/meaning/meaning.h"
#include "core/format.h"

namespace biosx::meaning {

namespace {

// The IBM modes of #00010 as the VGA BIOS sets them (08h-0Ch are PCjr,
// Tandy or reserved; 14h and up belong to each adapter).
const char* ibm_mode_name(unsigned m)
{
    switch (m) {
    case 0x00: return "text 40x25, 16 grey (colour on MCGA/VGA)";
    case 0x01: return "text 40x25, 16 colours";
    case 0x02: return "text 80x25, 16 grey (colour on MCGA/VGA)";
    case 0x03: return "text 80x25, 16 colours";
    case 0x04: return "graphics 320x200, 4 colours";
    case 0x05: return "graphics 320x200, 4 grey (colour on MCGA/VGA)";
    case 0x06: return "graphics 640x200, 2 colours";
    case 0x07: return "text 80x25, monochrome";
    case 0x0d: return "graphics 320x200, 16 colours";
    case 0x0e: return "graphics 640x200, 16 colours";
    case 0x0f: return "graphics 640x350, monochrome";
    case 0x10: return "graphics 640x350, 16 colours";
    case 0x11: return "graphics 640x480, 2 colours";
    case 0x12: return "graphics 640x480, 16 colours";
    case 0x13: return "graphics 320x200, 256 colours";
    default: return nullptr;
    }
}

// The VESA-defined mode numbers (#00083); VBE 2.0 stopped defining new ones.
const char* vesa_mode_name(unsigned m)
{
    switch (m) {
    case 0x100: return "640x400, 256 colours";
    case 0x101: return "640x480, 256 colours";
    case 0x102: return "800x600, 16 colours";
    case 0x103: return "800x600, 256 colours";
    case 0x104: return "1024x768, 16 colours";
    case 0x105: return "1024x768, 256 colours";
    case 0x106: return "1280x1024, 16 colours";
    case 0x107: return "1280x1024, 256 colours";
    case 0x108: return "text 80x60";
    case 0x109: return "text 132x25";
    case 0x10a: return "text 132x43";
    case 0x10b: return "text 132x50";
    case 0x10c: return "text 132x60";
    case 0x10d: return "320x200, 32K colours (1:5:5:5)";
    case 0x10e: return "320x200, 64K colours (5:6:5)";
    case 0x10f: return "320x200, 16.8M colours (8:8:8)";
    case 0x110: return "640x480, 32K colours (1:5:5:5)";
    case 0x111: return "640x480, 64K colours (5:6:5)";
    case 0x112: return "640x480, 16.8M colours (8:8:8)";
    case 0x113: return "800x600, 32K colours (1:5:5:5)";
    case 0x114: return "800x600, 64K colours (5:6:5)";
    case 0x115: return "800x600, 16.8M colours (8:8:8)";
    case 0x116: return "1024x768, 32K colours (1:5:5:5)";
    case 0x117: return "1024x768, 64K colours (5:6:5)";
    case 0x118: return "1024x768, 16.8M colours (8:8:8)";
    case 0x119: return "1280x1024, 32K colours (1:5:5:5)";
    case 0x11a: return "1280x1024, 64K colours (5:6:5)";
    case 0x11b: return "1280x1024, 16.8M colours (8:8:8)";
    case 0x120: return "1600x1200, 256 colours";
    case 0x121: return "1600x1200, 32K colours (1:5:5:5)";
    case 0x122: return "1600x1200, 64K colours (5:6:5)";
    default: return nullptr;
    }
}

void mode_name(Fields& f, unsigned mode)
{
    const char* n = mode < 0x100 ? ibm_mode_name(mode) : vesa_mode_name(mode);
    if (n) f.push_back(str("mode_name", n));
}

// A NUL-terminated string a VBE far pointer points to (the VBE strings are
// at most 256 bytes with their NUL).
std::string string_at(const CallView& v, uint32_t ptr)
{
    auto b = v.bytes_at(far_linear(ptr), 256);
    return memmap::Reader(b).cstr(0, 256, b.size());
}

void pointer_string(const CallView& v, Structure& s, const std::string& key, uint32_t ptr)
{
    far_pointer(s.fields, key + "_at", ptr);
    if (ptr) s.fields.push_back(str(key, string_at(v, ptr)));
}


// Direct-colour layout: size and position of the red, green, blue and
// reserved fields, one byte each, from `at`.
void colour_masks(Fields& f, const memmap::Reader& r, size_t at, const std::string& prefix)
{
    static const char* kColours[] = {"red", "green", "blue", "reserved"};
    for (int i = 0; i < 4; ++i) {
        f.push_back(num(prefix + kColours[i] + "_mask_size", r.u8(at + 2 * i)));
        f.push_back(num(prefix + kColours[i] + "_field_position", r.u8(at + 2 * i + 1)));
    }
}

}  // namespace

void decode_video_mode(const CallView& v, Decoded& d)
{
    const uint8_t al = v.lo(Reg::eax);
    d.fields.push_back(num("mode", al & 0x7f, 2));
    mode_name(d.fields, al & 0x7f);
    // "If mode was set with bit 7 set ("no blanking"), the returned mode
    // will also have bit 7 set."
    d.fields.push_back(flag("screen_not_cleared", al & 0x80));
    d.fields.push_back(num("columns", v.hi(Reg::eax)));
    d.fields.push_back(num("active_page", v.hi(Reg::ebx)));
}

void decode_vbe_current(const CallView& v, Decoded& d)
{
    // VBE 3.0, Function 03h: BX bits 13-0 the mode, bit 14 the linear frame
    // buffer, bit 15 memory not cleared at the last mode set.
    const uint16_t bx = v.w(Reg::ebx);
    d.fields.push_back(num("mode", bx & 0x3fff, 3));
    mode_name(d.fields, bx & 0x3fff);
    d.fields.push_back(flag("linear_frame_buffer", bx >> 14 & 1));
    d.fields.push_back(flag("memory_not_cleared", bx >> 15 & 1));
}

void decode_vbe_info(const CallView& v, Decoded& d)
{
    const uint32_t at = (v.out()[Reg::es] << 4) + v.w(Reg::edi);
    auto b = read_back_block(v, d, static_cast<uint16_t>(v.out()[Reg::es]), v.w(Reg::edi), 0x14, 512, "the VbeInfoBlock");
    if (b.empty()) return;
    memmap::Reader r(b);
    Structure s{"vbe_controller_info", "VbeInfoBlock", at, static_cast<uint32_t>(b.size()), {}, {}};
    s.fields.push_back(str("signature", r.text(0, 4)));
    const uint16_t version = r.u16(4);
    s.fields.push_back(num("version_bcd", version, 4));
    char ver[16];
    std::snprintf(ver, sizeof ver, "%x.%x", version >> 8, version & 0xff);
    s.fields.push_back(str("version", ver));
    pointer_string(v, s, "oem_string", r.u32(6));
    const uint32_t caps = r.u32(10);
    s.fields.push_back(num("capabilities", caps, 8));
    flag_bits(s.fields, caps, {{0, "dac_switchable_to_8_bits"}, {1, "not_vga_compatible"}, {2, "ramdac_blank_bit"},
                          {3, "hardware_stereo"}, {4, "stereo_via_evc"}});
    const uint32_t modes_ptr = r.u32(14);
    far_pointer(s.fields, "video_modes_at", modes_ptr);
    std::vector<uint64_t> modes;
    auto list = v.bytes_at(far_linear(modes_ptr), 2 * 1024);
    for (size_t i = 0; i + 1 < list.size(); i += 2) {
        uint16_t m = static_cast<uint16_t>(list[i] | list[i + 1] << 8);
        if (m == 0xffff) break;
        modes.push_back(m);
    }
    s.fields.push_back(num("mode_count", modes.size()));
    s.lists.push_back({"modes", modes});
    const uint16_t blocks = r.u16(18);
    s.fields.push_back(num("total_memory_blocks", blocks));
    s.fields.push_back(num("total_memory_kib", uint64_t{blocks} * 64));
    // VBE 2.0+: software revision and three more strings.
    if (version >= 0x200 && b.size() >= 0x22) {
        s.fields.push_back(num("oem_software_rev", r.u16(20), 4));
        pointer_string(v, s, "oem_vendor_name", r.u32(22));
        pointer_string(v, s, "oem_product_name", r.u32(26));
        pointer_string(v, s, "oem_product_rev", r.u32(30));
    }
    if (r.text(0, 4) != "VESA") d.notes.push_back("the signature is not \"VESA\"");
    d.structure = std::move(s);
}

void decode_vbe_mode_info(const CallView& v, Decoded& d)
{
    const unsigned mode = v.in()[Reg::ecx] & 0xffff;
    d.fields.push_back(num("mode", mode & 0x3fff, 3));
    mode_name(d.fields, mode & 0x3fff);
    const uint32_t at = (v.out()[Reg::es] << 4) + v.w(Reg::edi);
    auto b = read_back_block(v, d, static_cast<uint16_t>(v.out()[Reg::es]), v.w(Reg::edi), 0x12, 256, "the ModeInfoBlock");
    if (b.empty()) return;
    memmap::Reader r(b);
    Structure s{"vbe_mode_info", "ModeInfoBlock", at, static_cast<uint32_t>(b.size()), {}, {}};
    auto& f = s.fields;
    const uint16_t attr = r.u16(0);
    f.push_back(num("attributes", attr, 4));
    flag_bits(f, attr, {{0, "supported"}, {2, "bios_output"}, {3, "colour"}, {4, "graphics"}, {5, "not_vga_compatible"},
                   {6, "no_windowed_mode"}, {7, "linear_frame_buffer"}, {8, "double_scan"}, {9, "interlaced"},
                   {10, "triple_buffering"}, {11, "stereo"}, {12, "dual_display_start"}});
    f.push_back(num("window_a_attributes", r.u8(2), 2));
    f.push_back(num("window_b_attributes", r.u8(3), 2));
    f.push_back(num("window_granularity_kib", r.u16(4)));
    f.push_back(num("window_size_kib", r.u16(6)));
    f.push_back(num("window_a_segment", r.u16(8), 4));
    f.push_back(num("window_b_segment", r.u16(10), 4));
    far_pointer(f, "window_function", r.u32(12));
    f.push_back(num("bytes_per_scan_line", r.u16(16)));
    if (r.has(0, 0x28)) {  // optional for VESA modes before VBE 1.2
        f.push_back(num("width", r.u16(0x12)));
        f.push_back(num("height", r.u16(0x14)));
        f.push_back(num("char_width", r.u8(0x16)));
        f.push_back(num("char_height", r.u8(0x17)));
        f.push_back(num("planes", r.u8(0x18)));
        f.push_back(num("bits_per_pixel", r.u8(0x19)));
        f.push_back(num("banks", r.u8(0x1a)));
        const uint8_t model = r.u8(0x1b);
        static const char* kModels[] = {"text", "CGA graphics", "Hercules graphics", "planar (16-colour EGA)",
                                        "packed pixel", "non-chain 4, 256 colour", "direct colour", "YUV"};
        f.push_back(num("memory_model", model, 2));
        f.push_back(str("memory_model_name", model < 8 ? kModels[model] : model < 0x10 ? "reserved by VESA" : "OEM"));
        f.push_back(num("bank_size_kib", r.u8(0x1c)));
        // The count less one, as for every image count of the block.
        f.push_back(num("image_pages", r.u8(0x1d) + 1u));
        colour_masks(f, r, 0x1f, "");
        f.push_back(num("direct_colour_info", r.u8(0x27), 2));
    }
    if (r.has(0, 0x32)) {  // VBE 2.0
        f.push_back(num("phys_base_pointer", r.u32(0x28), 8));
        f.push_back(num("offscreen_memory_offset", r.u32(0x2c), 8));
        f.push_back(num("offscreen_memory_kib", r.u16(0x30)));
    }
    // VBE 3.0 fields, when the block says it is one (byte 1Eh is 01h).
    if (r.has(0, 0x42) && r.u8(0x1e) == 1) {
        f.push_back(num("linear_bytes_per_scan_line", r.u16(0x32)));
        f.push_back(num("banked_image_pages", r.u8(0x34) + 1u));
        f.push_back(num("linear_image_pages", r.u8(0x35) + 1u));
        colour_masks(f, r, 0x36, "linear_");
        f.push_back(num("max_pixel_clock_hz", r.u32(0x3e)));
    }
    d.structure = std::move(s);
}

}  // namespace biosx::meaning
