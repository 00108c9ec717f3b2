// tables.cpp - the BIOS tables found by signature on 16-byte boundaries in
// E0000-FFFFF (and, where their specs say so, the EBDA's first KiB): each
// decoded with its checksums verified. Lengths come from the data and are
// checked against the span before any byte is summed. Userspace, pure code.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "core/format.h"
#include "core/memmap/decoder.h"
#include "core/memmap/memmap.h"

namespace biosx::memmap {

namespace {

std::string bcd_version(uint8_t b) { return std::to_string(b >> 4) + "." + std::to_string(b & 0xf); }

// Sets the status from the checksum over [addr, addr+len): truncated when the
// span does not hold it, bad_checksum when the bytes do not sum to zero.
// A worse status already set is kept.
void checksum(Table& t, const Reader& r, uint64_t addr, uint64_t len, const char* what)
{
    if (!r.has(addr, len)) {
        t.status = "truncated";
        t.notes.push_back(std::string(what) + " covers " + std::to_string(len) + " bytes at " + hex(addr, 5) +
                          ", past the end of the memory (" + std::to_string(r.size()) + " bytes)");
        return;
    }
    uint8_t s = r.sum(addr, len);
    if (s != 0) {
        if (t.status == "ok") t.status = "bad_checksum";
        t.notes.push_back(std::string(what) + " does not hold: the " + std::to_string(len) + " bytes sum to " +
                          hex(s, 2) + ", not 0");
    }
}

// The structure is longer than the span holds even for its fixed header.
bool need(Table& t, const Reader& r, uint32_t len)
{
    if (r.has(t.address, len)) return true;
    t.status = "truncated";
    t.notes.push_back("the fixed header needs " + std::to_string(len) + " bytes; the memory ends at " +
                      hex(r.size(), 5));
    return false;
}

void bad_length(Table& t, uint64_t len, const std::string& why)
{
    t.status = "bad_length";
    t.notes.push_back("length " + std::to_string(len) + " is impossible: " + why);
}

// Notes where a structure the table points to lies.
void where(Table& t, const Reader& r, const char* what, uint64_t addr, uint64_t len)
{
    if (!r.has(addr, len))
        t.notes.push_back(std::string(what) + " at " + hex(addr) + " lies outside the memory source (" +
                          std::to_string(r.size()) + " bytes); not examined");
}

std::string seg_off32(uint32_t v) { return seg_off(static_cast<uint16_t>(v >> 16), static_cast<uint16_t>(v)); }

// SMBIOS 2.1+ entry point (DSP0134 §5.2.1): 0x1F bytes, an intermediate
// "_DMI_" anchor at 0x10 with its own checksum over 0x0F bytes.
void smbios2(Table& t, const Reader& r)
{
    uint32_t a = t.address;
    t.name = "SMBIOS 2.x entry point";
    if (!need(t, r, 0x1f)) return;
    uint8_t len = r.u8(a + 5);
    t.length = len;
    if (len < 0x1e) return bad_length(t, len, "an SMBIOS 2.1+ entry point is 0x1f bytes");
    checksum(t, r, a, len, "the entry-point checksum");
    if (!r.matches(a + 0x10, "_DMI_")) {
        if (t.status == "ok") t.status = "bad_checksum";
        t.notes.push_back("the intermediate anchor \"_DMI_\" is missing at offset 0x10");
    } else {
        checksum(t, r, a + 0x10, 0x0f, "the intermediate checksum");
    }
    t.fields = {
        str("version", std::to_string(r.u8(a + 6)) + "." + std::to_string(r.u8(a + 7))),
        num("max_structure_size", r.u16(a + 8)),
        num("entry_point_revision", r.u8(a + 0xa), 2),
        num("table_address", r.u32(a + 0x18), 8),
        num("table_length", r.u16(a + 0x16)),
        num("structures", r.u16(a + 0x1c)),
        str("bcd_revision", bcd_version(r.u8(a + 0x1e))),
    };
    where(t, r, "the structure table", r.u32(a + 0x18), r.u16(a + 0x16));
}

// SMBIOS 3.0 64-bit entry point (DSP0134 §5.2.2): 0x18 bytes.
void smbios3(Table& t, const Reader& r)
{
    uint32_t a = t.address;
    t.name = "SMBIOS 3.x entry point";
    if (!need(t, r, 0x18)) return;
    uint8_t len = r.u8(a + 6);
    t.length = len;
    if (len < 0x18) return bad_length(t, len, "an SMBIOS 3.0 entry point is 0x18 bytes");
    checksum(t, r, a, len, "the entry-point checksum");
    t.fields = {
        str("version", std::to_string(r.u8(a + 7)) + "." + std::to_string(r.u8(a + 8)) + "." +
                           std::to_string(r.u8(a + 9))),
        num("entry_point_revision", r.u8(a + 0xa), 2),
        num("table_max_size", r.u32(a + 0xc)),
        num("table_address", r.u64(a + 0x10), 16),
    };
    where(t, r, "the structure table", r.u64(a + 0x10), r.u32(a + 0xc));
}

// Legacy DMI entry point (DMI 2.0): the 15 bytes SMBIOS 2.x calls the
// intermediate entry point, standing alone.
void dmi(Table& t, const Reader& r)
{
    uint32_t a = t.address;
    t.name = "legacy DMI entry point";
    t.length = 0x0f;
    if (!need(t, r, 0x0f)) return;
    checksum(t, r, a, 0x0f, "the checksum");
    t.fields = {
        num("table_address", r.u32(a + 8), 8),
        num("table_length", r.u16(a + 6)),
        num("structures", r.u16(a + 0xc)),
        str("bcd_revision", bcd_version(r.u8(a + 0xe))),
    };
}

// ACPI RSDP (ACPI 6.5 §5.2.5.3): 20 bytes checked by the first checksum;
// revision 2+ adds a length, the XSDT address and an extended checksum.
void rsdp(Table& t, const Reader& r)
{
    uint32_t a = t.address;
    t.name = "ACPI RSDP";
    t.length = 20;
    if (!need(t, r, 20)) return;
    uint8_t rev = r.u8(a + 15);
    checksum(t, r, a, 20, "the checksum over the first 20 bytes");
    t.fields = {
        str("oem_id", r.text(a + 9, 6)),
        num("revision", rev),
        num("rsdt_address", r.u32(a + 16), 8),
    };
    if (rev >= 2) {
        if (!need(t, r, 36)) return;
        uint32_t len = r.u32(a + 20);
        t.length = len;
        t.fields.push_back(num("length", len));
        t.fields.push_back(num("xsdt_address", r.u64(a + 24), 16));
        if (len < 36 || len > 0x1000) return bad_length(t, len, "a revision-2 RSDP is 36 bytes");
        checksum(t, r, a, len, "the extended checksum");
        where(t, r, "the XSDT", r.u64(a + 24), 36);
    }
    where(t, r, "the RSDT", r.u32(a + 16), 36);
}

// MP floating pointer (Intel MP spec 1.4 §4.1): length in 16-byte units.
void mp(Table& t, const Reader& r)
{
    uint32_t a = t.address;
    t.name = "MP floating pointer";
    if (!need(t, r, 16)) return;
    uint8_t units = r.u8(a + 8);
    t.length = units * 16u;
    if (units == 0) return bad_length(t, 0, "the MP floating pointer is at least 16 bytes");
    checksum(t, r, a, t.length, "the checksum");
    uint8_t rev = r.u8(a + 9);
    t.fields = {
        num("config_table_address", r.u32(a + 4), 8),
        str("spec_revision", rev == 1 ? "1.1" : rev == 4 ? "1.4" : hex(rev, 2)),
        num("default_config", r.u8(a + 11)),
        flag("imcr_present", r.u8(a + 12) & 0x80),
    };
    if (r.u32(a + 4) != 0) where(t, r, "the MP configuration table", r.u32(a + 4), 44);
}

// MP configuration table header (MP spec §4.2), reached from _MP_.
void pcmp(Table& t, const Reader& r)
{
    uint32_t a = t.address;
    t.name = "MP configuration table";
    if (!need(t, r, 44)) return;
    uint16_t len = r.u16(a + 4);
    t.length = len;
    if (len < 44) return bad_length(t, len, "the header alone is 44 bytes");
    checksum(t, r, a, len, "the base-table checksum");
    uint8_t rev = r.u8(a + 6);
    t.fields = {
        str("spec_revision", rev == 1 ? "1.1" : rev == 4 ? "1.4" : hex(rev, 2)),
        str("oem_id", r.text(a + 8, 8)),
        str("product_id", r.text(a + 16, 12)),
        num("entries", r.u16(a + 0x22)),
        num("local_apic_address", r.u32(a + 0x24), 8),
        num("extended_length", r.u16(a + 0x28)),
    };
}

// PCI IRQ routing table (Microsoft "PCI IRQ Routing Table Specification"
// 1.0): 32-byte header, 16 bytes per slot, checksum over the table size.
void pir(Table& t, const Reader& r)
{
    uint32_t a = t.address;
    t.name = "PCI IRQ routing table";
    if (!need(t, r, 32)) return;
    uint16_t size = r.u16(a + 6);
    t.length = size;
    if (size < 32 || (size - 32) % 16 != 0)
        return bad_length(t, size, "the table is a 32-byte header plus 16 bytes per slot");
    checksum(t, r, a, size, "the checksum");
    uint8_t devfn = r.u8(a + 9);
    char bdf[16];
    std::snprintf(bdf, sizeof bdf, "%02x:%02x.%x", r.u8(a + 8), devfn >> 3, devfn & 7);
    uint32_t compat = r.u32(a + 0xc);
    t.fields = {
        str("version", std::to_string(r.u8(a + 5)) + "." + std::to_string(r.u8(a + 4))),
        str("router", bdf),
        num("exclusive_irqs", r.u16(a + 0xa), 4),
        str("compatible_router", hex_digits(compat & 0xffff, 4) + ":" + hex_digits(compat >> 16, 4)),
        num("slots", (size - 32u) / 16),
    };
    if (t.status == "truncated") return;
    for (uint32_t e = a + 32; e + 16 <= a + size; e += 16) {
        uint8_t df = r.u8(e + 1);
        std::snprintf(bdf, sizeof bdf, "%02x:%02x", r.u8(e), df >> 3);
        std::string s = std::string(bdf) + " slot " + std::to_string(r.u8(e + 14));
        for (int pin = 0; pin < 4; ++pin) {
            uint8_t link = r.u8(e + 2 + pin * 3);
            if (link == 0) continue;
            s += std::string(" INT") + static_cast<char>('A' + pin) + "=" + hex(link, 2) + "/" +
                 hex(r.u16(e + 3 + pin * 3), 4);
        }
        t.fields.push_back(str("slot", s));
    }
}

// PnP BIOS installation check structure (PnP BIOS spec 1.0A §4.4).
void pnp_bios(Table& t, const Reader& r)
{
    uint32_t a = t.address;
    t.name = "PnP BIOS installation check";
    if (!need(t, r, 0x21)) return;
    uint8_t len = r.u8(a + 5);
    t.length = len;
    if (len < 0x21) return bad_length(t, len, "the structure is 0x21 bytes");
    checksum(t, r, a, len, "the checksum");
    t.fields = {
        str("version", bcd_version(r.u8(a + 4))),
        num("control", r.u16(a + 6), 4),
        num("event_flag_address", r.u32(a + 9), 8),
        str("real_mode_entry", seg_off(r.u16(a + 0xf), r.u16(a + 0xd))),
        num("pm_entry_offset", r.u16(a + 0x11), 4),
        num("pm_code_base", r.u32(a + 0x13), 8),
        str("oem_device_id", r.u32(a + 0x17) ? eisa_id(r.u32(a + 0x17)) : ""),
        num("real_mode_data_segment", r.u16(a + 0x1b), 4),
        num("pm_data_base", r.u32(a + 0x1d), 8),
    };
}

// BIOS32 service directory (Standard BIOS 32-bit Service Directory
// Proposal 0.4): length in 16-byte units.
void bios32(Table& t, const Reader& r)
{
    uint32_t a = t.address;
    t.name = "BIOS32 service directory";
    if (!need(t, r, 16)) return;
    uint8_t units = r.u8(a + 9);
    t.length = units * 16u;
    if (units == 0) return bad_length(t, 0, "the directory header is 16 bytes");
    checksum(t, r, a, t.length, "the checksum");
    t.fields = {
        num("entry_point", r.u32(a + 4), 8),
        num("revision", r.u8(a + 8)),
    };
}

// POST Memory Manager (PMM spec 1.01 §3.1): only meaningful during POST;
// a BIOS may leave the header behind afterwards.
void pmm(Table& t, const Reader& r)
{
    uint32_t a = t.address;
    t.name = "POST memory manager";
    if (!need(t, r, 0x10)) return;
    uint8_t len = r.u8(a + 5);
    t.length = len;
    if (len < 0x10) return bad_length(t, len, "the structure is 0x10 bytes");
    checksum(t, r, a, len, "the checksum");
    t.fields = {
        num("revision", r.u8(a + 4), 2),
        str("entry", seg_off32(r.u32(a + 7))),
    };
}

struct Kind {
    std::string_view sig;
    void (*decode)(Table&, const Reader&);
};
constexpr Kind kKinds[] = {
    {"_SM_", smbios2}, {"_SM3_", smbios3}, {"_DMI_", dmi}, {"RSD PTR ", rsdp}, {"_MP_", mp},
    {"PCMP", pcmp},    {"$PIR", pir},      {"$PnP", pnp_bios}, {"_32_", bios32}, {"$PMM", pmm},
};

// Only these are searched for; PCMP is reached through _MP_.
constexpr std::string_view kScanned[] = {"_SM_", "_SM3_", "_DMI_", "RSD PTR ", "_MP_",
                                         "$PIR", "$PnP", "_32_", "$PMM"};
// scan_tables() rules a paragraph out by its first byte.
static_assert([] {
    for (auto s : kScanned)
        if (s[0] != '_' && s[0] != 'R' && s[0] != '$') return false;
    return true;
}());

// Bytes a decoded structure covers by its own length, when that length is
// possible and lies inside the memory; 0 otherwise.
uint64_t span_of(const Table& t)
{
    return t.status == "ok" || t.status == "bad_checksum" ? t.length : 0;
}

void note_inside(Table& outer, std::string_view sig, uint32_t addr)
{
    outer.notes.push_back("another \"" + std::string(sig) + "\" at " + hex(addr, 5) +
                          " lies inside this one; not decoded");
}

bool inside_rom(uint32_t addr, const std::vector<OptionRom>& roms)
{
    for (const auto& rom : roms)
        if (addr >= rom.address && addr - rom.address < rom.size) return true;
    return false;
}

}  // namespace

std::optional<Table> decode_table(std::span<const uint8_t> mem, uint32_t addr)
{
    Reader r(mem);
    for (const auto& k : kKinds) {
        if (!r.matches(addr, k.sig)) continue;
        Table t;
        t.signature = std::string(k.sig);
        t.address = addr;
        t.status = "ok";
        k.decode(t, r);
        if (!t.trusted()) t.notes.push_back("the fields above are not trusted");
        return t;
    }
    return std::nullopt;
}

std::vector<Table> scan_tables(std::span<const uint8_t> mem, const std::vector<OptionRom>& roms, uint32_t ebda)
{
    Reader r(mem);
    std::vector<Table> out;
    // A structure never holds another of its own kind, so a signature inside
    // the last one of that kind is noted there and not decoded. This keeps
    // the scan linear: 8,192 overlapping "$PIR" headers each claiming 64 KiB
    // of slots took minutes and gigabytes (docs/fuzzing.md, findings).
    std::map<std::string_view, size_t> last;  // signature -> index in out
    auto scan_range = [&](uint32_t begin, uint32_t end) {
        for (uint32_t a = begin; a < end && r.has(a, 4); a += 16) {
            // Every signature starts with '_', 'R' or '$': most paragraphs
            // are ruled out by one byte (8192 of them per scan).
            const uint8_t first = r.u8(a);
            if (first != '_' && first != 'R' && first != '$') continue;
            for (auto sig : kScanned) {
                if (!r.matches(a, sig)) continue;
                // The "_DMI_" inside an SMBIOS 2.x entry point is part of it.
                if (sig == "_DMI_" && a >= 0x10 && r.matches(a - 0x10, "_SM_")) continue;
                // An option ROM's own PnP expansion header is reported with the ROM.
                if (sig == "$PnP" && inside_rom(a, roms)) continue;
                if (auto l = last.find(sig); l != last.end()) {
                    Table& prev = out[l->second];
                    if (a - uint64_t{prev.address} < span_of(prev)) {
                        note_inside(prev, sig, a);
                        continue;
                    }
                }
                if (auto t = decode_table(mem, a)) {
                    last[sig] = out.size();
                    out.push_back(std::move(*t));
                }
            }
        }
    };
    // ACPI and MP specs both name the EBDA's first KiB as a search area.
    if (ebda >= 0x500 && ebda < 0xa0000) scan_range(ebda, ebda + 0x400);
    scan_range(0xe0000, 0x100000);

    // The configuration tables the MP floating pointers lead to, when they
    // lie inside the memory: each once however many pointers name it, in
    // address order, none inside the one before (the rule above).
    std::set<uint32_t> cfgs;
    for (const auto& t : out)
        if (t.signature == "_MP_" && t.trusted() && r.u32(t.address + 4) != 0) cfgs.insert(r.u32(t.address + 4));
    std::vector<Table> more;
    for (uint32_t cfg : cfgs) {
        if (!r.matches(cfg, "PCMP")) continue;
        if (!more.empty() && cfg - uint64_t{more.back().address} < span_of(more.back())) {
            note_inside(more.back(), "PCMP", cfg);
            continue;
        }
        if (auto c = decode_table(mem, cfg)) more.push_back(std::move(*c));
    }
    for (auto& m : more) out.push_back(std::move(m));
    std::stable_sort(out.begin(), out.end(), [](const Table& x, const Table& y) { return x.address < y.address; });
    return out;
}

}  // namespace biosx::memmap
