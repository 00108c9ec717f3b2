// test_decode.cpp - the decoders of the known-calls table, one case per
// call. Every expected value is worked out by hand from the published
// meaning (Ralf Brown's Interrupt List release 61, table numbers cited;
// VBE 3.0), not taken from the decoder's own output.
#include <doctest/doctest.h>
#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "core/meaning/meaning.h"

using namespace biosx;
using namespace biosx::meaning;

namespace {

// A call's registers: `in` as the caller set them, `out` as returned.
struct Call {
    Input input;
    Call(uint8_t vector, uint32_t eax_in) { input.vector = vector, input.in[Reg::eax] = eax_in; }
    Call& in(Reg r, uint32_t v) { return input.in[r] = v, *this; }
    Call& out(Reg r, uint32_t v) { return input.out[r] = v, *this; }
    Call& carry() { return input.out[Reg::eflags] |= 1, *this; }
    Decoded run() const
    {
        auto d = decode_call(input);
        REQUIRE(d.has_value());
        return *d;
    }
};

const Field* field(const Fields& f, std::string_view key)
{
    auto it = std::find_if(f.begin(), f.end(), [&](const Field& x) { return x.key == key; });
    return it == f.end() ? nullptr : &*it;
}

uint64_t number(const Fields& f, std::string_view key)
{
    const Field* x = field(f, key);
    REQUIRE_MESSAGE(x, "no field " << key);
    REQUIRE(std::holds_alternative<uint64_t>(x->value));
    return std::get<uint64_t>(x->value);
}

bool yes(const Fields& f, std::string_view key)
{
    const Field* x = field(f, key);
    REQUIRE_MESSAGE(x, "no field " << key);
    REQUIRE(std::holds_alternative<bool>(x->value));
    return std::get<bool>(x->value);
}

std::string text(const Fields& f, std::string_view key)
{
    const Field* x = field(f, key);
    REQUIRE_MESSAGE(x, "no field " << key);
    REQUIRE(std::holds_alternative<std::string>(x->value));
    return std::get<std::string>(x->value);
}

bool has_note(const Decoded& d, std::string_view part)
{
    return std::any_of(d.notes.begin(), d.notes.end(), [&](const std::string& n) { return n.find(part) != n.npos; });
}

void put16(std::vector<uint8_t>& m, size_t at, uint16_t v) { m[at] = v & 0xff, m[at + 1] = v >> 8; }
void put32(std::vector<uint8_t>& m, size_t at, uint32_t v) { put16(m, at, v & 0xffff), put16(m, at + 2, v >> 16); }

}  // namespace

TEST_CASE("decode table: one row per call, unknown calls decode to nothing")
{
    std::set<std::string_view> ids;
    std::set<std::tuple<int, int, int>> keys;
    for (const auto& c : known_calls()) {
        CHECK(ids.insert(c.id).second);
        CHECK(keys.insert({c.vector, static_cast<int>(c.selector), c.function}).second);
        CHECK(static_cast<bool>(c.decode));
        CHECK(!c.name.empty());
    }
    // The calls issue 16 names, each in the table.
    for (auto id : {"int11", "int12", "int13_08", "int13_15", "int15_e820", "int15_e801", "int15_88", "int15_c0",
                    "int16_02", "int1a_02", "int1a_04", "int10_0f", "int10_4f00", "int10_4f01", "int10_4f03"})
        CHECK_MESSAGE(ids.count(id), id);
    CHECK(ids.size() == 15);

    CHECK_FALSE(decode_call(Call(0x13, 0x0201).input).has_value());  // INT 13h AH=02h: not in the table
    CHECK_FALSE(decode_call(Call(0x21, 0x4c00).input).has_value());
    CHECK_FALSE(decode_call(Call(0x10, 0x4f02).input).has_value());  // AX selects: 4F02h is not 4F00h/01h/03h
    CHECK(find_call(0x15, Registers{{0xe820}})->id == "int15_e820");
    CHECK(find_call(0x15, Registers{{0x123488ff}})->id == "int15_88");  // AH selects
}

TEST_CASE("decode int11: equipment word bits (#00226)")
{
    // 4227h: bit 0 diskette, 1 coprocessor, 2 pointing device, 5-4 = 10b
    // (80x25 colour), 7-6 = 00b (one drive), 11-9 = 001b, 15-14 = 01b.
    auto d = Call(0x11, 0).out(Reg::eax, 0x4227).run();
    CHECK(d.ok);
    CHECK(yes(d.fields, "diskette_present"));
    CHECK(yes(d.fields, "math_coprocessor"));
    CHECK(yes(d.fields, "pointing_device"));
    CHECK(text(d.fields, "initial_video") == "80x25 colour");
    CHECK(number(d.fields, "diskette_drives") == 1);
    CHECK(number(d.fields, "serial_ports") == 1);
    CHECK(number(d.fields, "parallel_ports") == 1);
    CHECK_FALSE(yes(d.fields, "game_port"));
    // 0E61h in a dirty EAX: 7-6 = 01b (two drives), 11-9 = 111b, 5-4 = 10b;
    // no coprocessor; the high word is not part of the word.
    d = Call(0x11, 0).out(Reg::eax, 0xffff0e61).run();
    CHECK(number(d.fields, "diskette_drives") == 2);
    CHECK(number(d.fields, "serial_ports") == 7);
    CHECK(number(d.fields, "parallel_ports") == 0);
    CHECK_FALSE(yes(d.fields, "math_coprocessor"));
    CHECK(text(d.fields, "initial_video") == "80x25 colour");
    // 0030h: no diskette (bit 0 clear: bits 7-6 say nothing), monochrome.
    d = Call(0x11, 0).out(Reg::eax, 0x00f0).run();
    CHECK(number(d.fields, "diskette_drives") == 0);
    CHECK(text(d.fields, "initial_video") == "80x25 monochrome");
}

TEST_CASE("decode int12: KiB from address 0")
{
    auto d = Call(0x12, 0).out(Reg::eax, 0x027f).run();
    CHECK(number(d.fields, "kib") == 639);
    CHECK(number(d.fields, "bytes") == 639 * 1024);
}

TEST_CASE("decode int13_08: packed CHS, drive type (#00242), status (#00234)")
{
    // A 1.44M diskette: CH=4Fh, CL=12h (sector 18, cylinder bits 9-8 = 0),
    // DH=01h, BL=04h.
    auto d = Call(0x13, 0x0800).in(Reg::edx, 0x00)
                 .out(Reg::ebx, 0x04).out(Reg::ecx, 0x4f12).out(Reg::edx, 0x0101)
                 .out(Reg::es, 0xf000).out(Reg::edi, 0xefc7).run();
    CHECK(d.ok);
    CHECK(number(d.fields, "cylinders") == 80);
    CHECK(number(d.fields, "heads") == 2);
    CHECK(number(d.fields, "sectors_per_track") == 18);
    CHECK(number(d.fields, "chs_bytes") == 1474560);
    CHECK(number(d.fields, "drives") == 1);
    CHECK(number(d.fields, "drive_type") == 4);
    CHECK(text(d.fields, "drive_type_name") == "1.44M");
    CHECK(text(d.fields, "parameter_table") == "f000:efc7");
    CHECK(number(d.fields, "parameter_table_linear") == 0xfefc7);
    // A hard disk at the CHS limit: CH=FEh, CL=FFh: cylinder 3FEh (bits 9-8
    // from CL bits 7-6), sector 63; DH=FEh: 255 heads.
    d = Call(0x13, 0x0800).in(Reg::edx, 0x80).out(Reg::ecx, 0xfeff).out(Reg::edx, 0xfe01).run();
    CHECK(number(d.fields, "max_cylinder") == 1022);
    CHECK(number(d.fields, "max_sector") == 63);
    CHECK(number(d.fields, "heads") == 255);
    CHECK(number(d.fields, "chs_sectors") == 1023ull * 255 * 63);
    CHECK(text(d.fields, "drive_kind") == "hard disk");
    CHECK(field(d.fields, "drive_type") == nullptr);  // BL: diskettes only
    // CF=1, AH=07h.
    d = Call(0x13, 0x0800).in(Reg::edx, 0x80).out(Reg::eax, 0x0700).carry().run();
    CHECK_FALSE(d.ok);
    CHECK(d.error_register == "ah");
    CHECK(d.error_code == 7);
    CHECK(d.error == "drive parameter activity failed (hard disk)");
    CHECK(d.fields.empty());
}

TEST_CASE("decode int13_15: disk type and CX:DX sectors")
{
    // AH=03h hard disk, CX:DX = 0003F000h sectors.
    auto d = Call(0x13, 0x1500).in(Reg::edx, 0x80).out(Reg::eax, 0x0300).out(Reg::ecx, 0x0003).out(Reg::edx, 0xf000).run();
    CHECK(number(d.fields, "type") == 3);
    CHECK(text(d.fields, "type_name") == "hard disk");
    CHECK(number(d.fields, "sectors") == 0x3f000);
    CHECK(number(d.fields, "bytes") == 0x3f000ull * 512);
    d = Call(0x13, 0x1500).out(Reg::eax, 0x0200).run();
    CHECK(text(d.fields, "type_name") == "diskette or removable drive with change-line support");
    CHECK(field(d.fields, "sectors") == nullptr);
    d = Call(0x13, 0x1500).out(Reg::eax, 0x0100).carry().run();
    CHECK(d.error == "invalid function in AH or invalid parameter");
}

TEST_CASE("decode int15_88: KiB above 1 MiB, or #00496 status")
{
    auto d = Call(0x15, 0x8800).out(Reg::eax, 0x7c00).run();
    CHECK(number(d.fields, "kib_above_1m") == 31744);
    CHECK(number(d.fields, "bytes_above_1m") == 31744ull * 1024);
    d = Call(0x15, 0x8800).out(Reg::eax, 0x8600).carry().run();
    CHECK_FALSE(d.ok);
    CHECK(d.error_code == 0x86);
    CHECK(d.error == "function not supported");
    d = Call(0x15, 0x8800).out(Reg::eax, 0x8000).carry().run();
    CHECK(d.error == "invalid command (PC, PCjr)");
}

TEST_CASE("decode int15_e801: KiB 1-16 MiB, 64 KiB blocks above; CX/DX when AX=BX=0")
{
    auto d = Call(0x15, 0xe801).out(Reg::eax, 0x3c00).out(Reg::ebx, 0x0100).out(Reg::ecx, 0x3c00).out(Reg::edx, 0x0100).run();
    CHECK(number(d.fields, "kib_1m_16m") == 15360);
    CHECK(number(d.fields, "blocks_above_16m") == 256);
    CHECK(number(d.fields, "bytes_above_1m") == 15ull * 1024 * 1024 + 16ull * 1024 * 1024);
    d = Call(0x15, 0xe801).out(Reg::ecx, 0x3c00).out(Reg::edx, 0x06fe).run();
    CHECK(number(d.fields, "bytes_above_1m") == 15360ull * 1024 + 0x6feull * 65536);
    CHECK(has_note(d, "CX and DX"));
}

TEST_CASE("decode int15_e820: the entry read back (#00580/#00581, ACPI 3.0 attributes)")
{
    // Base 100000h, length 1EF0000h, type 1, extended attributes 1, at 0000:7E00.
    std::vector<uint8_t> buf(24);
    put32(buf, 0, 0x100000);
    put32(buf, 8, 0x1ef0000);
    put32(buf, 16, 1);
    put32(buf, 20, 1);
    Call c(0x15, 0xe820);
    c.in(Reg::edx, 0x534d4150).in(Reg::ecx, 24).in(Reg::edi, 0x7e00)
        .out(Reg::eax, 0x534d4150).out(Reg::ebx, 3).out(Reg::ecx, 24).out(Reg::edi, 0x7e00);
    c.input.buffers.push_back({0x7e00, buf});
    auto d = c.run();
    CHECK(d.ok);
    CHECK(number(d.fields, "continuation") == 3);
    CHECK_FALSE(yes(d.fields, "last"));
    REQUIRE(d.structure.has_value());
    CHECK(d.structure->name == "e820_entry");
    CHECK(number(d.structure->fields, "base") == 0x100000);
    CHECK(number(d.structure->fields, "end") == 0x1ff0000);
    CHECK(text(d.structure->fields, "type_name") == "usable");
    CHECK(text(d.structure->fields, "extended_attributes_name") == "enabled");
    // A 20-byte answer of type 3 (ACPI reclaim) above 4 GiB, continuation 0.
    put32(buf, 4, 1);
    put32(buf, 16, 3);
    c.out(Reg::ecx, 20).out(Reg::ebx, 0);
    c.input.buffers[0].bytes = buf;
    d = c.run();
    CHECK(yes(d.fields, "last"));
    CHECK(number(d.structure->fields, "base") == 0x100100000ull);
    CHECK(text(d.structure->fields, "type_name") == "ACPI reclaimable");
    CHECK(field(d.structure->fields, "extended_attributes") == nullptr);
    // JSON: 64-bit values keep an exact hex string.
    auto j = to_json(d);
    CHECK(j["structure"]["fields"]["base_hex"] == "0x0000000100100000");
    // Not read back: no structure, a note with the --read that would do it.
    c.input.buffers.clear();
    d = c.run();
    CHECK_FALSE(d.structure.has_value());
    CHECK(has_note(d, "--read 0000:7e00:20"));
    // EAX not 'SMAP': the BIOS does not support it, whatever CF says.
    d = Call(0x15, 0xe820).out(Reg::eax, 0xe820).run();
    CHECK_FALSE(d.ok);
    CHECK(d.error_register == "eax");
    d = Call(0x15, 0xe820).out(Reg::eax, 0x8600).carry().run();
    CHECK(d.error_code == 0x86);
}

TEST_CASE("decode int15_c0: the ROM configuration table (#00509-#00514)")
{
    // At F000:E6F5: 8 bytes follow; model FCh, submodel 01h, revision 0;
    // feature 1 = 74h (bits 6, 5, 4, 2: second 8259, RTC, INT 15h/4Fh from
    // INT 09h, EBDA); 2 = 40h (bit 6: INT 16h/09h); 4 = 50h (bit 6 EEPROM,
    // bits 5-3 = 010b: ABIOS in ROM); 5 = 01h (flash EPROM).
    const std::vector<uint8_t> table = {0x08, 0x00, 0xfc, 0x01, 0x00, 0x74, 0x40, 0x00, 0x50, 0x01};
    Call c(0x15, 0xc000);
    c.out(Reg::es, 0xf000).out(Reg::ebx, 0xe6f5);
    c.input.buffers.push_back({0xfe6f5, table});
    auto d = c.run();
    CHECK(text(d.fields, "table") == "f000:e6f5");
    REQUIRE(d.structure.has_value());
    const auto& f = d.structure->fields;
    CHECK(number(f, "model") == 0xfc);
    CHECK(number(f, "submodel") == 1);
    CHECK(yes(f, "second_pic"));
    CHECK(yes(f, "rtc_installed"));
    CHECK(yes(f, "int15_4f_called_by_int09"));
    CHECK(yes(f, "ebda_allocated"));
    CHECK_FALSE(yes(f, "dma3_used_by_disk_bios"));
    CHECK_FALSE(yes(f, "micro_channel"));
    CHECK(yes(f, "int16_09_supported"));
    CHECK_FALSE(yes(f, "dma_32bit"));
    CHECK(yes(f, "eeprom"));
    CHECK(number(f, "abios") == 2);
    CHECK(text(f, "abios_name") == "supported in ROM");
    CHECK(yes(f, "flash_eprom"));
    // A table that says it holds 3 bytes (Tandy 1000SL/TL): no feature bytes.
    const std::vector<uint8_t> tandy = {0x03, 0x00, 0xff, 0x00, 0x01};
    c.input.buffers[0].bytes = tandy;
    d = c.run();
    CHECK(number(d.structure->fields, "model") == 0xff);
    CHECK(field(d.structure->fields, "feature_1") == nullptr);
    // Unsupported: CF=1, AH=86h.
    d = Call(0x15, 0xc000).out(Reg::eax, 0x8600).carry().run();
    CHECK(d.error == "function not supported");
}

TEST_CASE("decode int16_02: shift flags (#00582)")
{
    // 63h: bits 0, 1 (both shifts), 5 (NumLock), 6 (CapsLock).
    auto d = Call(0x16, 0x0200).out(Reg::eax, 0x0263).run();
    CHECK(yes(d.fields, "right_shift_pressed"));
    CHECK(yes(d.fields, "left_shift_pressed"));
    CHECK(yes(d.fields, "num_lock_active"));
    CHECK(yes(d.fields, "caps_lock_active"));
    CHECK_FALSE(yes(d.fields, "ctrl_pressed"));
    CHECK_FALSE(yes(d.fields, "alt_pressed"));
    CHECK_FALSE(yes(d.fields, "scroll_lock_active"));
    CHECK_FALSE(yes(d.fields, "insert_active"));
}

TEST_CASE("decode int1a_02: BCD time, daylight saving, failure by CF")
{
    auto d = Call(0x1a, 0x0200).out(Reg::ecx, 0x2359).out(Reg::edx, 0x5801).run();
    CHECK(number(d.fields, "hour") == 23);
    CHECK(number(d.fields, "minute") == 59);
    CHECK(number(d.fields, "second") == 58);
    CHECK(text(d.fields, "time") == "23:59:58");
    CHECK(yes(d.fields, "daylight_saving"));
    // All ones (what virtual ports read): not BCD, said so, no time.
    d = Call(0x1a, 0x0200).out(Reg::ecx, 0xffff).out(Reg::edx, 0xff00).run();
    CHECK(field(d.fields, "time") == nullptr);
    CHECK(has_note(d, "ch=0xff is not BCD"));
    CHECK(has_note(d, "dh=0xff is not BCD"));
    d = Call(0x1a, 0x0200).carry().run();
    CHECK_FALSE(d.ok);
    CHECK(d.error_register == "cf");
}

TEST_CASE("decode int1a_04: BCD century, year, month, day")
{
    auto d = Call(0x1a, 0x0400).out(Reg::ecx, 0x2026).out(Reg::edx, 0x0131).run();
    CHECK(number(d.fields, "year") == 2026);
    CHECK(number(d.fields, "month") == 1);
    CHECK(number(d.fields, "day") == 31);
    CHECK(text(d.fields, "date") == "2026-01-31");
    d = Call(0x1a, 0x0400).out(Reg::ecx, 0x1999).out(Reg::edx, 0x1300).run();
    CHECK(number(d.fields, "year") == 1999);
    CHECK(has_note(d, "is not a date"));
}

TEST_CASE("decode int10_0f: video mode (#00010), columns, page")
{
    auto d = Call(0x10, 0x0f00).out(Reg::eax, 0x5003).out(Reg::ebx, 0x0100).run();
    CHECK(number(d.fields, "mode") == 3);
    CHECK(text(d.fields, "mode_name") == "text 80x25, 16 colours");
    CHECK(number(d.fields, "columns") == 80);
    CHECK(number(d.fields, "active_page") == 1);
    CHECK_FALSE(yes(d.fields, "screen_not_cleared"));
    // Mode 13h set with bit 7 ("no blanking").
    d = Call(0x10, 0x0f00).out(Reg::eax, 0x2893).run();
    CHECK(number(d.fields, "mode") == 0x13);
    CHECK(text(d.fields, "mode_name") == "graphics 320x200, 256 colours");
    CHECK(yes(d.fields, "screen_not_cleared"));
    d = Call(0x10, 0x0f00).out(Reg::eax, 0x5054).run();
    CHECK(field(d.fields, "mode_name") == nullptr);  // an adapter's own mode
}

TEST_CASE("decode int10_4f03: current mode and the VBE status")
{
    // BX=4118h: mode 118h with the linear frame buffer (bit 14).
    auto d = Call(0x10, 0x4f03).out(Reg::eax, 0x004f).out(Reg::ebx, 0x4118).run();
    CHECK(d.ok);
    CHECK(number(d.fields, "mode") == 0x118);
    CHECK(text(d.fields, "mode_name") == "1024x768, 16.8M colours (8:8:8)");
    CHECK(yes(d.fields, "linear_frame_buffer"));
    CHECK_FALSE(yes(d.fields, "memory_not_cleared"));
    d = Call(0x10, 0x4f03).out(Reg::eax, 0x014f).run();
    CHECK_FALSE(d.ok);
    CHECK(d.error == "function call failed");
    d = Call(0x10, 0x4f03).out(Reg::eax, 0x034f).run();
    CHECK(d.error == "function call invalid in the current video mode");
    d = Call(0x10, 0x4f03).out(Reg::eax, 0x4f03).run();  // AL unchanged: no VBE
    CHECK(d.error == "function not supported (AL is not 4Fh)");
}

TEST_CASE("decode int10_4f00: the VbeInfoBlock, its strings and mode list")
{
    // A VBE 2.0 block at 2000:0000; the OEM string in the ROM at C000:0100,
    // the mode list in the block's reserved area (offset 22h), as many VGA
    // BIOSes place it.
    std::vector<uint8_t> mem(1 << 20, 0);
    const size_t at = 0x20000;
    std::memcpy(&mem[at], "VESA", 4);
    put16(mem, at + 4, 0x0200);
    put32(mem, at + 6, 0xc0000100);
    put32(mem, at + 10, 0x1);
    put32(mem, at + 14, 0x20000022);
    put16(mem, at + 18, 0x0100);  // 256 x 64 KiB
    put16(mem, at + 20, 0x0102);
    put32(mem, at + 22, 0xc0000110);
    put32(mem, at + 26, 0xc0000120);
    put32(mem, at + 30, 0);
    put16(mem, at + 0x22, 0x101);
    put16(mem, at + 0x24, 0x118);
    put16(mem, at + 0x26, 0xffff);
    std::memcpy(&mem[0xc0100], "Test OEM\0", 9);
    std::memcpy(&mem[0xc0110], "Vendor\0", 7);
    std::memcpy(&mem[0xc0120], "Product\0", 8);
    Call c(0x10, 0x4f00);
    c.in(Reg::es, 0x2000).out(Reg::eax, 0x004f).out(Reg::es, 0x2000);
    c.input.memory = mem;
    c.input.buffers.push_back({at, std::span<const uint8_t>(mem).subspan(at, 512)});
    auto d = c.run();
    REQUIRE(d.structure.has_value());
    const auto& f = d.structure->fields;
    CHECK(text(f, "signature") == "VESA");
    CHECK(text(f, "version") == "2.0");
    CHECK(text(f, "oem_string") == "Test OEM");
    CHECK(text(f, "oem_string_at") == "c000:0100");
    CHECK(yes(f, "dac_switchable_to_8_bits"));
    CHECK_FALSE(yes(f, "not_vga_compatible"));
    CHECK(number(f, "total_memory_kib") == 16384);
    CHECK(number(f, "oem_software_rev") == 0x0102);
    CHECK(text(f, "oem_vendor_name") == "Vendor");
    CHECK(text(f, "oem_product_name") == "Product");
    CHECK(field(f, "oem_product_rev") == nullptr);  // a null pointer
    REQUIRE(d.structure->lists.size() == 1);
    CHECK(d.structure->lists[0].second == std::vector<uint64_t>{0x101, 0x118});
    auto j = to_json(d);
    CHECK(j["structure"]["modes"] == nlohmann::json::array({0x101, 0x118}));
    // VBE 1.2: the 2.0 fields are not there.
    put16(mem, at + 4, 0x0102);
    d = c.run();
    CHECK(field(d.structure->fields, "oem_vendor_name") == nullptr);
    // Not read back.
    c.input.buffers.clear();
    d = c.run();
    CHECK_FALSE(d.structure.has_value());
    CHECK(has_note(d, "--read 2000:0000:512"));
}

TEST_CASE("decode int10_4f01: the ModeInfoBlock")
{
    // 640x480, 8 bits per pixel, packed pixel (model 04h), linear frame
    // buffer at E0000000h; attributes 9Bh = bits 0, 1, 3, 4, 7; 0Bh image
    // pages less one; VBE 2.0 (byte 1Eh = 0: no VBE 3.0 fields).
    std::vector<uint8_t> b(256, 0);
    put16(b, 0x00, 0x009b);
    put16(b, 0x10, 640);
    put16(b, 0x12, 640);
    put16(b, 0x14, 480);
    b[0x19] = 8;
    b[0x1b] = 4;
    b[0x1d] = 0x0b;
    put32(b, 0x28, 0xe0000000);
    Call c(0x10, 0x4f01);
    c.in(Reg::ecx, 0x4101).out(Reg::eax, 0x004f).out(Reg::edi, 0x8000);
    c.input.buffers.push_back({0x8000, b});
    auto d = c.run();
    CHECK(number(d.fields, "mode") == 0x101);
    CHECK(text(d.fields, "mode_name") == "640x480, 256 colours");
    REQUIRE(d.structure.has_value());
    const auto& f = d.structure->fields;
    CHECK(yes(f, "supported"));
    CHECK(yes(f, "colour"));
    CHECK(yes(f, "graphics"));
    CHECK(yes(f, "linear_frame_buffer"));
    CHECK_FALSE(yes(f, "bios_output"));
    CHECK_FALSE(yes(f, "not_vga_compatible"));
    CHECK(number(f, "width") == 640);
    CHECK(number(f, "height") == 480);
    CHECK(number(f, "bits_per_pixel") == 8);
    CHECK(text(f, "memory_model_name") == "packed pixel");
    CHECK(number(f, "image_pages") == 12);
    CHECK(number(f, "phys_base_pointer") == 0xe0000000);
    CHECK(field(f, "max_pixel_clock_hz") == nullptr);
    // Byte 1Eh = 01h: a VBE 3.0 block, with its linear-mode fields.
    b[0x1e] = 1;
    put32(b, 0x3e, 135000000);
    c.input.buffers[0].bytes = b;
    d = c.run();
    CHECK(number(d.structure->fields, "max_pixel_clock_hz") == 135000000);
}

TEST_CASE("decode: the text block and the JSON object")
{
    auto d = Call(0x13, 0x0800).in(Reg::edx, 0x80).out(Reg::eax, 0x0100).carry().run();
    Registers in, out;
    in[Reg::eax] = 0x0800, in[Reg::edx] = 0x80;
    out[Reg::eax] = 0x0100, out[Reg::eflags] = 3;
    std::string t = to_text(d, in, out);
    CHECK(t.find("INT 13h AH=08h: get drive parameters") != t.npos);
    CHECK(t.find("dl     0x80") != t.npos);
    CHECK(t.find("failed   CF=1 ah=0x01: invalid function in AH or invalid parameter") != t.npos);
    auto j = to_json(d);
    CHECK(j["call"] == "int13_08");
    CHECK(j["selector"] == "ah");
    CHECK(j["function"] == 8);
    CHECK(j["ok"] == false);
    CHECK(j["error"]["code"] == 1);
    CHECK(j["error"]["register"] == "ah");
    j = to_json(Call(0x11, 0).out(Reg::eax, 0x0227).run());
    CHECK_FALSE(j.contains("selector"));
    CHECK(j["fields"]["serial_ports"] == 1);
}

TEST_CASE("decode: the JSON object refilled in place equals a fresh one, call after call")
{
    // What `biosx batch` does: one `decoded` member refilled for every line.
    // Calls with and without selector, error, structure-free fields, and a
    // failing one between, in an order that adds and drops members.
    const Decoded calls[] = {
        Call(0x11, 0).out(Reg::eax, 0x0227).run(),
        Call(0x13, 0x0800).in(Reg::edx, 0x80).out(Reg::eax, 0x0100).carry().run(),
        Call(0x12, 0).out(Reg::eax, 0x027f).run(),
        Call(0x11, 0).out(Reg::eax, 0x4461).run(),
        Call(0x13, 0x0800).in(Reg::edx, 0x80).out(Reg::ecx, 0x3d3f).out(Reg::edx, 0x0f01).run(),
        Call(0x11, 0).out(Reg::eax, 0x0227).run(),
    };
    nlohmann::json reused = nlohmann::json::object();
    for (const auto& d : calls) {
        fill_json(reused, d);
        CHECK(reused == to_json(d));
        CHECK(reused.dump() == to_json(d).dump());
    }
}
