// roms.cpp - option ROMs: the 0x55AA signature on 2 KiB boundaries in
// C0000-EFFFF, the length byte, the checksum, the PCI data structure and the
// PnP expansion header. Lengths and pointers come from the ROM and are
// checked against the span. Userspace, pure code.
#include <cstdio>

#include "core/format.h"
#include "core/memmap/decoder.h"
#include "core/memmap/memmap.h"

namespace biosx::memmap {

namespace {

constexpr uint32_t kRomScanBegin = 0xc0000, kRomScanEnd = 0xf0000, kRomAlign = 0x800;

// PCI base class names (PCI Code and ID Assignment Specification §1).
std::string class_name(uint8_t base, uint8_t sub)
{
    switch (base) {
    case 0x00: return sub == 1 ? "VGA-compatible (pre-2.0)" : "unclassified";
    case 0x01: return "mass storage";
    case 0x02: return "network";
    case 0x03: return sub == 0 ? "VGA display" : "display";
    case 0x04: return "multimedia";
    case 0x05: return "memory";
    case 0x06: return "bridge";
    case 0x07: return "communication";
    case 0x08: return "system peripheral";
    case 0x09: return "input";
    case 0x0c: return "serial bus";
    default: return "class " + hex(base, 2);
    }
}

std::string code_type(uint8_t t)
{
    switch (t) {
    case 0: return "x86 (PC-AT)";
    case 1: return "Open Firmware";
    case 2: return "PA-RISC";
    case 3: return "EFI";
    default: return hex(t, 2);
    }
}

// PCI data structure (PCI Firmware Spec 3.0 §5.1.2), pointed to by the word
// at ROM offset 0x18. It has no checksum of its own.
std::optional<Table> pcir(const Reader& r, OptionRom& rom, uint32_t limit)
{
    uint16_t ptr = r.u16(rom.address + 0x18);
    if (ptr == 0) return std::nullopt;
    uint32_t a = rom.address + ptr;
    if (!r.matches(a, "PCIR")) {
        rom.notes.push_back("the PCI data pointer " + hex(ptr, 4) + " does not lead to \"PCIR\"");
        return std::nullopt;
    }
    Table t;
    t.signature = "PCIR";
    t.name = "PCI data structure";
    t.address = a;
    t.status = "ok";
    if (!r.has(a, 0x18) || a + 0x18 > limit) {
        t.status = "truncated";
        t.notes.push_back("the 0x18-byte structure runs past the end of the ROM or the memory");
        return t;
    }
    t.length = r.u16(a + 0xa);
    uint8_t progif = r.u8(a + 0xd), sub = r.u8(a + 0xe), base = r.u8(a + 0xf);
    uint32_t image = r.u16(a + 0x10) * 512u;
    t.fields = {
        num("vendor", r.u16(a + 4), 4),
        num("device", r.u16(a + 6), 4),
        str("class_code", hex_digits(base, 2) + hex_digits(sub, 2) + hex_digits(progif, 2)),
        str("class", class_name(base, sub)),
        num("structure_revision", r.u8(a + 0xc)),
        num("code_revision", r.u16(a + 0x12), 4),
        str("code_type", code_type(r.u8(a + 0x14))),
        flag("last_image", r.u8(a + 0x15) & 0x80),
        num("image_length", image),
    };
    if (image != rom.size) t.notes.push_back("the image length differs from the ROM's length byte");
    return t;
}

// PnP expansion header (PnP BIOS spec 1.0A §3.2), pointed to by the word at
// ROM offset 0x1A; its checksum covers length x 16 bytes.
std::optional<Table> pnp(const Reader& r, OptionRom& rom, uint32_t limit)
{
    uint16_t ptr = r.u16(rom.address + 0x1a);
    if (ptr == 0) return std::nullopt;
    uint32_t a = rom.address + ptr;
    if (!r.matches(a, "$PnP")) return std::nullopt;  // many ROMs leave garbage here
    Table t;
    t.signature = "$PnP";
    t.name = "PnP expansion header";
    t.address = a;
    t.status = "ok";
    if (!r.has(a, 0x20) || a + 0x20 > limit) {
        t.status = "truncated";
        t.notes.push_back("the 0x20-byte header runs past the end of the ROM or the memory");
        return t;
    }
    t.length = r.u8(a + 5) * 16u;
    if (t.length < 0x20) {
        t.status = "bad_length";
        t.notes.push_back("length " + std::to_string(t.length) + " is shorter than the 0x20-byte header");
    } else if (!r.has(a, t.length)) {
        t.status = "truncated";
    } else if (r.sum(a, t.length) != 0) {
        t.status = "bad_checksum";
        t.notes.push_back("the checksum does not hold");
    }
    auto string_at = [&](uint16_t p) { return p ? r.cstr(rom.address + p, 80, limit) : std::string(); };
    t.fields = {
        num("revision", r.u8(a + 4)),
        str("device_id", eisa_id(r.u32(a + 0xa))),
        str("manufacturer", string_at(r.u16(a + 0xe))),
        str("product", string_at(r.u16(a + 0x10))),
        str("device_type", hex_digits(r.u8(a + 0x12), 2) + hex_digits(r.u8(a + 0x13), 2) +
                               hex_digits(r.u8(a + 0x14), 2)),
        num("indicators", r.u8(a + 0x15), 2),
        num("bcv", r.u16(a + 0x16), 4),
        num("bev", r.u16(a + 0x1a), 4),
        num("next_header", r.u16(a + 6), 4),
    };
    if (!t.trusted()) t.notes.push_back("the fields above are not trusted");
    return t;
}

}  // namespace

std::vector<OptionRom> scan_option_roms(std::span<const uint8_t> mem)
{
    Reader r(mem);
    std::vector<OptionRom> out;
    uint32_t a = kRomScanBegin;
    while (a < kRomScanEnd && r.has(a, 2)) {
        if (r.u8(a) != 0x55 || r.u8(a + 1) != 0xaa) {
            a += kRomAlign;
            continue;
        }
        OptionRom rom;
        rom.address = a;
        rom.length_byte = r.u8(a + 2);
        rom.size = rom.length_byte * 512u;
        if (!r.has(a, 3) || rom.size == 0) {
            rom.notes.push_back(r.has(a, 3) ? "the length byte is 0: not a usable ROM"
                                            : "the length byte lies past the end of the memory");
            rom.label = "empty";
            out.push_back(std::move(rom));
            a += kRomAlign;
            continue;
        }
        rom.truncated = !r.has(a, rom.size);
        if (rom.truncated) {
            rom.notes.push_back("its " + size_text(rom.size) + " run past the end of the memory at " +
                                hex(r.size(), 5) + "; checksum not computed");
        } else {
            rom.checksum_sum = r.sum(a, rom.size);
            rom.checksum_ok = rom.checksum_sum == 0;
        }
        if (a + rom.size > kRomScanEnd) rom.notes.push_back("it reaches past the option-ROM area into the system BIOS");
        // Pointers inside the header may only lead inside the ROM (and the span).
        uint32_t limit = a + rom.size;
        if (r.has(a, 0x1c)) {
            rom.pcir = pcir(r, rom, limit);
            rom.pnp = pnp(r, rom, limit);
        }
        if (rom.pcir && rom.pcir->fields.size() >= 4) {
            const auto& f = rom.pcir->fields;
            rom.label = hex_digits(std::get<uint64_t>(f[0].value), 4) + ":" +
                        hex_digits(std::get<uint64_t>(f[1].value), 4) + " " + std::get<std::string>(f[3].value);
        } else if (rom.pnp && rom.pnp->fields.size() >= 4 && !std::get<std::string>(rom.pnp->fields[3].value).empty()) {
            rom.label = std::get<std::string>(rom.pnp->fields[3].value);
        } else {
            rom.label = "no PCI data";
        }
        if (!rom.likely())
            rom.notes.push_back("no valid checksum and no PCI or PnP header: either 0x55AA occurs here by chance, "
                                "or the ROM changed itself after initialisation");
        // The next ROM starts on the next 2 KiB boundary after this one.
        uint64_t next = (static_cast<uint64_t>(a) + rom.size + kRomAlign - 1) / kRomAlign * kRomAlign;
        out.push_back(std::move(rom));
        a = static_cast<uint32_t>(std::min<uint64_t>(next, kRomScanEnd));
    }
    return out;
}

}  // namespace biosx::memmap
