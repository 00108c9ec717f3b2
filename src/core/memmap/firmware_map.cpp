// firmware_map.cpp - the firmware's memory map from the BIOS itself: INT 15h E820h
// walked through a Backend, E801h and AH=88h as fallbacks. Userspace.
#include "core/memmap/firmware_map.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/error.h"
#include "core/format.h"
#include "core/memmap/decoder.h"
#include "core/run/start_state.h"
#include "x86/realmode.h"

namespace biosx::memmap {

namespace {

struct FirmwareQuery {
    Backend& backend;
    Memory& mem;
    const FirmwareMapOptions& opt;
    FirmwareMap& out;
    std::set<uint16_t> ports = {};

    // One INT 15h; a call that does not return ends everything: its
    // registers mean nothing.
    Registers int15(Registers in, const std::string& what)
    {
        RunRequest req;
        req.entry.kind = Entry::Kind::interrupt;
        req.entry.vector = 0x15;
        req.regs = in;
        req.limits = opt.limits;
        req.io = opt.io;
        RunResult r = backend.run(mem, req);
        ++out.calls;
        out.instructions += r.instructions;
        out.elapsed_s += r.elapsed_s;
        for (const auto& io : r.io)
            if (!io.write && io.disposition == IoDisposition::virtual_) {
                ++out.virtual_reads;
                ports.insert(io.port);
            }
        out.virtual_ports.assign(ports.begin(), ports.end());
        if (r.end.kind != EndKind::return_trap)
            fail(ErrorKind::incomplete, "INT 15h " + what + " did not complete: " + r.end.message);
        return r.regs;
    }
};

bool carry(const Registers& r) { return r[Reg::eflags] & BIOSX_EFLAGS_CF; }

// INT 15h E820h (ACPI 6.5 §15.1): ES:DI buffer, ECX its size, EDX 'SMAP',
// EBX the continuation (0 first). Returns false when the BIOS refuses the
// very first call, i.e. does not support it.
bool walk_e820(FirmwareQuery& c)
{
    FirmwareMap& out = c.out;
    const uint32_t buf = kE820BufSeg * 16u + kE820BufOff;
    std::set<uint32_t> seen{0};
    uint32_t cont = 0;
    for (int i = 0;; ++i) {
        if (i == kE820MaxEntries) {
            out.notes.push_back("stopped after " + std::to_string(kE820MaxEntries) +
                                " calls: the BIOS never returned EBX=0; the list may be incomplete");
            break;
        }
        // ACPI 3.0: the caller sets the extended attributes to 1 so a BIOS
        // that fills only 20 bytes leaves the entry enabled.
        std::vector<uint8_t> init(24, 0);
        init[20] = 1;
        c.mem.write(buf, init);
        Registers in = default_registers();
        in[Reg::eax] = 0xe820;
        in[Reg::edx] = kE820Smap;
        in[Reg::ecx] = 24;
        in[Reg::ebx] = cont;
        in[Reg::es] = kE820BufSeg;
        in[Reg::edi] = kE820BufOff;
        Registers r = c.int15(in, "E820h (EBX=" + hex(cont, 8) + ")");
        if (carry(r) || r[Reg::eax] != kE820Smap) {
            std::string why = carry(r) ? "CF=1" : "EAX=" + hex(r[Reg::eax], 8) + " instead of 'SMAP'";
            if (i == 0) {
                out.notes.push_back("E820h is not supported: the first call returned " + why);
                return false;
            }
            // Some BIOSes end the list this way instead of with EBX=0.
            out.notes.push_back("the BIOS ended the list with " + why + " at EBX=" + hex(cont, 8));
            break;
        }
        uint32_t ecx = r[Reg::ecx];
        if (ecx < 20) {
            out.notes.push_back("call " + std::to_string(i + 1) + " returned ECX=" + std::to_string(ecx) +
                                " (< 20 bytes); entry ignored");
        } else {
            // ACPI 6.5 §15.1, the address range descriptor: base, length,
            // type, extended attributes.
            const auto b = c.mem.read(buf, 24);
            const Reader entry(b);
            E820Entry e;
            e.base = entry.u64(0);
            e.length = entry.u64(8);
            e.type = entry.u32(16);
            e.bytes = std::min<uint32_t>(ecx, 24);
            e.ext_attributes = e.bytes >= 24 ? entry.u32(20) : 1;
            e.continuation = r[Reg::ebx];
            out.entries.push_back(e);
        }
        cont = r[Reg::ebx];
        if (cont == 0) break;
        if (!seen.insert(cont).second) {
            out.notes.push_back("the BIOS returned the continuation value " + hex(cont, 8) +
                                " a second time; the walk stopped there");
            break;
        }
    }
    out.method = "e820";
    std::map<uint32_t, E820Total> totals;
    for (const auto& e : out.entries) {
        // ACPI 3.0: bit 0 clear means "ignore this entry".
        if (e.bytes >= 24 && !(e.ext_attributes & 1)) continue;
        auto& t = totals[e.type];
        t.type = e.type;
        t.bytes += e.length;
        ++t.entries;
    }
    for (const auto& [type, t] : totals) out.totals.push_back(t);
    return true;
}

// INT 15h AX=E801h (Phoenix BIOS 4.0): AX/BX or, on some BIOSes, CX/DX.
bool try_e801(FirmwareQuery& c)
{
    Registers in = default_registers();
    in[Reg::eax] = 0xe801;
    Registers r = c.int15(in, "AX=E801h");
    if (carry(r)) {
        c.out.notes.push_back("E801h is not supported either (CF=1, AH=" + hex((r[Reg::eax] >> 8) & 0xff, 2) + ")");
        return false;
    }
    uint32_t ax = r[Reg::eax] & 0xffff, bx = r[Reg::ebx] & 0xffff, cx = r[Reg::ecx] & 0xffff, dx = r[Reg::edx] & 0xffff;
    c.out.method = "e801";
    c.out.e801_from_cx_dx = ax == 0 && bx == 0;
    c.out.e801_kib_1m_16m = c.out.e801_from_cx_dx ? cx : ax;
    c.out.e801_blocks_above_16m = c.out.e801_from_cx_dx ? dx : bx;
    return true;
}

// INT 15h AH=88h (IBM PC AT): KiB of extended memory in AX.
bool try_88(FirmwareQuery& c)
{
    Registers in = default_registers();
    in[Reg::eax] = 0x8800;
    Registers r = c.int15(in, "AH=88h");
    if (carry(r)) {
        c.out.notes.push_back("AH=88h is not supported either (CF=1)");
        return false;
    }
    c.out.method = "88h";
    c.out.kib_above_1m = r[Reg::eax] & 0xffff;
    return true;
}

}  // namespace

std::string e820_type_name(uint32_t type)
{
    switch (type) {
    case 1: return "usable";
    case 2: return "reserved";
    case 3: return "ACPI reclaimable";
    case 4: return "ACPI NVS";
    case 5: return "unusable";
    case 6: return "disabled";
    case 7: return "persistent memory";
    case 12: return "persistent memory (legacy type 12)";
    default: return "type " + std::to_string(type);
    }
}

std::vector<std::string> e820_attribute_names(uint32_t attr)
{
    // ACPI 3.0 Table 14-2 (bits 0-1), ACPI 4.0 (bits 2-3).
    std::vector<std::string> n;
    n.push_back(attr & 1 ? "enabled" : "disabled (ignore this entry)");
    if (attr & 2) n.push_back("non-volatile");
    if (attr & 4) n.push_back("slow access");
    if (attr & 8) n.push_back("hardware error log");
    if (attr & ~0xfu) n.push_back("other bits " + hex(attr & ~0xfu, 8));
    return n;
}

FirmwareMap firmware_map(Backend& backend, Memory& mem, const FirmwareMapOptions& opt)
{
    FirmwareMap out;
    out.method = "none";
    FirmwareQuery c{backend, mem, opt, out};
    if (!walk_e820(c) && !try_e801(c)) try_88(c);
    if (out.virtual_reads) {
        std::string list;
        for (auto p : out.virtual_ports) list += (list.empty() ? "" : ", ") + hex(p, 2);
        out.notes.push_back("the BIOS read I/O ports " + std::to_string(out.virtual_reads) + " times (" + list +
                            ") and those reads were virtual (all ones): sizes it takes from the CMOS or chipset "
                            "at call time may not be the machine's");
    }
    return out;
}

}  // namespace biosx::memmap
