// calls.cpp - the table of known BIOS calls and the driver that applies one
// row to a finished run: failure convention first, then the call's decoder.
// Adding a call is one row here, one decoder, one unit test. Userspace,
// pure code.
#include <algorithm>

#include "core/meaning/meaning.h"
#include "core/format.h"

namespace biosx::meaning {

namespace {

// Ralf Brown's Interrupt List release 61 for INT 11h-1Ah and INT 10h AH=0Fh;
// VBE 3.0 ("VBE Functions") for AX=4Fxxh.
const KnownCall kCalls[] = {
    {0x10, Selector::ah, 0x0f, "int10_0f", "get current video mode", Failure::none,
     {},
     {{{"al", "video mode (bit 7: screen not cleared at the last mode set)"},
       {"ah", "character columns"},
       {"bh", "active display page"}}},
     decode_video_mode},
    {0x10, Selector::ax, 0x4f00, "int10_4f00", "VBE: return controller information", Failure::vbe,
     {{{"es:di", "buffer for the 512-byte VbeInfoBlock ('VBE2' in it asks for VBE 2.0+ fields)"}}},
     {{{"ax", "VBE status: AL=4Fh supported, AH=00h successful"}}},
     decode_vbe_info},
    {0x10, Selector::ax, 0x4f01, "int10_4f01", "VBE: return mode information", Failure::vbe,
     {{{"cx", "mode number"}, {"es:di", "buffer for the 256-byte ModeInfoBlock"}}},
     {{{"ax", "VBE status: AL=4Fh supported, AH=00h successful"}}},
     decode_vbe_mode_info},
    {0x10, Selector::ax, 0x4f03, "int10_4f03", "VBE: return current mode", Failure::vbe,
     {},
     {{{"ax", "VBE status: AL=4Fh supported, AH=00h successful"},
       {"bx", "mode number (bits 13-0), linear frame buffer (bit 14), memory not cleared (bit 15)"}}},
     decode_vbe_current},
    {0x11, Selector::none, 0, "int11", "get equipment list", Failure::none,
     {},
     {{{"ax", "equipment word (#00226)"}}},
     decode_equipment},
    {0x12, Selector::none, 0, "int12", "get memory size", Failure::none,
     {},
     {{{"ax", "KiB of contiguous memory from address 0"}}},
     decode_memory_size},
    {0x13, Selector::ah, 0x08, "int13_08", "get drive parameters", Failure::carry_disk,
     {{{"dl", "drive (bit 7 set for a hard disk)"}}},
     {{{"bl", "drive type (diskettes, #00242)"},
       {"ch", "maximum cylinder, low 8 bits"},
       {"cl", "maximum sector (bits 5-0), cylinder bits 9-8 (bits 7-6)"},
       {"dh", "maximum head"},
       {"dl", "number of drives"},
       {"es:di", "drive parameter table (diskettes)"}}},
     decode_drive_params},
    {0x13, Selector::ah, 0x15, "int13_15", "get disk type", Failure::carry_disk,
     {{{"dl", "drive (bit 7 set for a hard disk)"}}},
     {{{"ah", "type: 00h none, 01h diskette without change line, 02h with change line, 03h hard disk"},
       {"cx:dx", "number of 512-byte sectors (hard disks)"}}},
     decode_disk_type},
    {0x15, Selector::ah, 0x88, "int15_88", "get extended memory size", Failure::carry_system,
     {},
     {{{"ax", "KiB of contiguous memory from 1 MiB"}}},
     decode_ext_memory},
    {0x15, Selector::ah, 0xc0, "int15_c0", "get system configuration", Failure::carry_system,
     {},
     {{{"es:bx", "ROM configuration table (#00509)"}}},
     decode_config},
    {0x15, Selector::ax, 0xe801, "int15_e801", "get memory size for >64M configurations", Failure::carry_system,
     {},
     {{{"ax", "KiB between 1 and 16 MiB"},
       {"bx", "64 KiB blocks above 16 MiB"},
       {"cx", "configured KiB between 1 and 16 MiB"},
       {"dx", "configured 64 KiB blocks above 16 MiB"}}},
     decode_e801},
    {0x15, Selector::ax, 0xe820, "int15_e820", "get system memory map", Failure::carry_system,
     {{{"ebx", "continuation value (0: the first entry)"},
       {"ecx", "buffer size (at least 20)"},
       {"edx", "'SMAP' (534D4150h)"},
       {"es:di", "buffer for one address range descriptor (#00580)"}}},
     {{{"eax", "'SMAP' (534D4150h)"},
       {"ebx", "continuation value of the next entry (0: this was the last)"},
       {"ecx", "bytes written to the buffer"}}},
     decode_e820},
    {0x16, Selector::ah, 0x02, "int16_02", "get shift flags", Failure::none,
     {},
     {{{"al", "shift flags (#00582)"}}},
     decode_shift_flags},
    {0x1a, Selector::ah, 0x02, "int1a_02", "get real-time clock time", Failure::carry_clock,
     {},
     {{{"ch", "hour (BCD)"}, {"cl", "minutes (BCD)"}, {"dh", "seconds (BCD)"}, {"dl", "daylight saving time (01h)"}}},
     decode_rtc_time},
    {0x1a, Selector::ah, 0x04, "int1a_04", "get real-time clock date", Failure::carry_clock,
     {},
     {{{"ch", "century (BCD)"}, {"cl", "year (BCD)"}, {"dh", "month (BCD)"}, {"dl", "day (BCD)"}}},
     decode_rtc_date},
};

// Fills the error of `d` when the call's convention says it failed.
bool failed(const KnownCall& c, const CallView& v, Decoded& d)
{
    auto set = [&](std::string reg, int64_t code, std::string text) {
        d.ok = false;
        d.error_register = std::move(reg);
        d.error_code = code;
        d.error = std::move(text);
        return true;
    };
    const uint8_t ah = v.hi(Reg::eax), al = v.lo(Reg::eax);
    switch (c.failure) {
    case Failure::none: return false;
    case Failure::carry_disk: return v.carry() && set("ah", ah, disk_status_text(ah));
    case Failure::carry_system: return v.carry() && set("ah", ah, system_status_text(ah));
    case Failure::carry_clock:
        return v.carry() && set("cf", -1, "the clock is not running or is in the middle of an update");
    case Failure::vbe:
        // VBE 3.0, "VBE Return Status": AL=4Fh means the function exists,
        // AH its outcome.
        if (al != 0x4f) return set("ax", v.w(Reg::eax), "function not supported (AL is not 4Fh)");
        return ah != 0 && set("ax", v.w(Reg::eax), vbe_status_text(ah));
    }
    return false;
}

}  // namespace

std::span<const KnownCall> known_calls() { return kCalls; }

const KnownCall* find_call(uint8_t vector, const Registers& in)
{
    const uint16_t ax = static_cast<uint16_t>(in[Reg::eax]);
    for (const auto& c : kCalls) {
        if (c.vector != vector) continue;
        if (c.selector == Selector::none || (c.selector == Selector::ah && (ax >> 8) == c.function) ||
            (c.selector == Selector::ax && ax == c.function))
            return &c;
    }
    return nullptr;
}

std::optional<Decoded> decode_call(const Input& input)
{
    const KnownCall* c = find_call(input.vector, input.in);
    if (!c) return std::nullopt;
    Decoded d;
    d.call = c;
    CallView v(input);
    if (!failed(*c, v, d)) c->decode(v, d);
    return d;
}

std::span<const uint8_t> CallView::read_back(uint32_t linear, size_t len) const
{
    for (const auto& b : in_.buffers)
        if (linear >= b.linear && uint64_t{linear} + len <= uint64_t{b.linear} + b.bytes.size())
            return b.bytes.subspan(linear - b.linear, len);
    return {};
}

std::span<const uint8_t> CallView::read_back_from(uint32_t linear, size_t max) const
{
    for (const auto& b : in_.buffers)
        if (linear >= b.linear && linear - b.linear < b.bytes.size())
            return b.bytes.subspan(linear - b.linear, std::min(max, b.bytes.size() - (linear - b.linear)));
    return {};
}

std::span<const uint8_t> CallView::bytes_at(uint32_t linear, size_t max) const
{
    if (auto b = read_back_from(linear, max); !b.empty()) return b;
    if (linear >= in_.memory.size()) return {};
    return in_.memory.subspan(linear, std::min(max, in_.memory.size() - linear));
}

std::span<const uint8_t> read_back_block(const CallView& v, Decoded& d, uint16_t seg, uint16_t off, size_t min,
                                         size_t max, const std::string& what)
{
    auto b = v.read_back_from((uint32_t{seg} << 4) + off, max);
    if (b.size() >= min) return b;
    d.notes.push_back(what + " was not read back: --read " + seg_off(seg, off) + ":" + std::to_string(max) +
                      " decodes it");
    return {};
}


void flag_bits(Fields& f, uint32_t word, std::initializer_list<Bit> bits)
{
    for (const auto& b : bits) f.push_back(flag(b.key, word >> b.bit & 1));
}

std::optional<unsigned> from_bcd(uint8_t b)
{
    if ((b >> 4) > 9 || (b & 0xf) > 9) return std::nullopt;
    return (b >> 4) * 10u + (b & 0xfu);
}

uint32_t far_linear(uint32_t p) { return ((p >> 16) << 4) + (p & 0xffff); }

void far_pointer(Fields& f, const std::string& key, uint32_t p)
{
    f.push_back(str(key, seg_off(static_cast<uint16_t>(p >> 16), static_cast<uint16_t>(p))));
    f.push_back(num(key + "_linear", far_linear(p), 5));
}

std::string disk_status_text(uint8_t s)
{
    // #00234, "Values for disk operation status".
    switch (s) {
    case 0x00: return "successful completion";
    case 0x01: return "invalid function in AH or invalid parameter";
    case 0x02: return "address mark not found";
    case 0x03: return "disk write-protected";
    case 0x04: return "sector not found or read error";
    case 0x05: return "reset failed (hard disk)";
    case 0x06: return "disk changed (diskette)";
    case 0x07: return "drive parameter activity failed (hard disk)";
    case 0x08: return "DMA overrun";
    case 0x09: return "data boundary error (DMA across 64K or more than 80h sectors)";
    case 0x0a: return "bad sector detected (hard disk)";
    case 0x0b: return "bad track detected (hard disk)";
    case 0x0c: return "unsupported track or invalid media";
    case 0x0d: return "invalid number of sectors on format (PS/2 hard disk)";
    case 0x0e: return "control data address mark detected (hard disk)";
    case 0x0f: return "DMA arbitration level out of range (hard disk)";
    case 0x10: return "uncorrectable CRC or ECC error on read";
    case 0x11: return "data ECC corrected (hard disk)";
    case 0x20: return "controller failure";
    case 0x31: return "no media in drive (INT 13h extensions)";
    case 0x32: return "incorrect drive type stored in CMOS (Compaq)";
    case 0x40: return "seek failed";
    case 0x80: return "timeout (not ready)";
    case 0xaa: return "drive not ready (hard disk)";
    case 0xb0: return "volume not locked in drive (INT 13h extensions)";
    case 0xb1: return "volume locked in drive (INT 13h extensions)";
    case 0xb2: return "volume not removable (INT 13h extensions)";
    case 0xb3: return "volume in use (INT 13h extensions)";
    case 0xb4: return "lock count exceeded (INT 13h extensions)";
    case 0xb5: return "valid eject request failed (INT 13h extensions)";
    case 0xb6: return "volume present but read protected (INT 13h extensions)";
    case 0xbb: return "undefined error (hard disk)";
    case 0xcc: return "write fault (hard disk)";
    case 0xe0: return "status register error (hard disk)";
    case 0xff: return "sense operation failed (hard disk)";
    default: return "status " + hex(s, 2) + " (not in the interrupt list)";
    }
}

std::string system_status_text(uint8_t s)
{
    // #00496 (INT 15h), also INT 15h AH=C0h's own list.
    switch (s) {
    case 0x80: return "invalid command (PC, PCjr)";
    case 0x86: return "function not supported";
    default: return "status " + hex(s, 2) + " (not in the interrupt list)";
    }
}

std::string vbe_status_text(uint8_t ah)
{
    switch (ah) {
    case 0x00: return "successful";
    case 0x01: return "function call failed";
    case 0x02: return "function not supported by the current hardware configuration";
    case 0x03: return "function call invalid in the current video mode";
    default: return "VBE status " + hex(ah, 2) + " (not defined by VBE 3.0)";
    }
}

}  // namespace biosx::meaning
