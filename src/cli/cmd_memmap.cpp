// cmd_memmap.cpp - `biosx memmap`: the first MiB drawn and decoded (IVT,
// BDA, option ROMs, BIOS tables), the firmware's E820 map, and --save.
// Thin: the core scans and walks; this file picks sections and prints.
// Userspace CLI.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/common.h"
#include "core/error.h"
#include "core/format.h"
#include "core/memmap/e820.h"
#include "core/memmap/memmap.h"
#include "core/registers.h"
#include "core/snapshot/capture_host.h"

namespace biosx::cli {

namespace {

using namespace biosx::memmap;

struct MemmapOptions {
    bool map = false, ivt = false, bda = false, roms = false, tables = false, e820 = false, all = false;
    std::string save, size, timeout;
};

// ---- text printers -------------------------------------------------------

constexpr int kBoxWidth = 60;  // inside the | |

std::string pad(std::string s, size_t w)
{
    if (s.size() < w) s.append(w - s.size(), ' ');
    return s;
}

void box_line(std::ostream& os, const std::string& left, const std::string& right)
{
    std::string inner = " " + left;
    size_t room = kBoxWidth - 1;
    if (inner.size() + right.size() + 1 > room) inner = inner.substr(0, room - right.size() - 1);
    os << "           |" << pad(inner, room - right.size()) << right << " |\n";
}

void border(std::ostream& os, uint32_t addr)
{
    std::string a = hex(addr, 5);
    os << "  " << pad(a, 8) << " +" << std::string(kBoxWidth, '-') << "+\n";
}

// The map, drawn from the regions: one box per region, the tables found
// inside each listed in it.
void print_map(std::ostream& os, const Scan& s)
{
    os << "Memory map (0x00000-" << hex(s.regions.empty() ? 0 : s.regions.back().end, 5) << ")\n\n";
    for (const auto& r : s.regions) {
        border(os, r.begin);
        box_line(os, r.name, size_text(r.end - r.begin));
        for (const auto& t : s.tables)
            if (t.address >= r.begin && t.address < r.end)
                box_line(os, "  " + hex_digits(t.address, 5) + " " + t.signature + " " + t.name,
                         t.trusted() ? "" : t.status);
    }
    if (!s.regions.empty()) border(os, s.regions.back().end);
    if (s.bios.present) {
        os << "\nSystem BIOS: reset vector " << s.bios.reset_vector;
        if (!s.bios.date.empty()) os << ", date " << s.bios.date;
        os << ", model byte " << hex(s.bios.model, 2) << " (" << s.bios.model_name << ")\n";
    }
}

void print_ivt(std::ostream& os, const Scan& s)
{
    os << "\nInterrupt vector table\n";
    if (s.ivt.empty()) {
        os << "  (the memory is shorter than the IVT)\n";
        return;
    }
    char line[256];
    std::snprintf(line, sizeof line, "  %-9s %-9s  %-7s  %-44s %s\n", "vector", "SEG:OFF", "linear", "points to", "use");
    os << line;
    // Runs of vectors with no known use that share a handler are one line.
    for (size_t i = 0; i < s.ivt.size();) {
        const Vector& v = s.ivt[i];
        size_t j = i + 1;
        if (v.use.empty())
            while (j < s.ivt.size() && s.ivt[j].use.empty() && s.ivt[j].seg == v.seg && s.ivt[j].off == v.off) ++j;
        std::string num = hex_digits(v.number, 2);
        if (j - i > 1) num += "-" + hex_digits(s.ivt[j - 1].number, 2);
        std::string use(v.use);
        if (v.data) use += " (data)";
        std::snprintf(line, sizeof line, "  %-9s %-9s  %-7s  %-44s %s\n", num.c_str(), seg_off(v.seg, v.off).c_str(),
                      hex_digits(v.linear, 5).c_str(), v.target_name.c_str(), use.c_str());
        os << line;
        i = j;
    }
}

void print_bda(std::ostream& os, const Scan& s)
{
    os << "\nBIOS data area (0x00400)\n";
    if (!s.bda) {
        os << "  (the memory is shorter than the BDA)\n";
        return;
    }
    const Bda& b = *s.bda;
    auto ports = [](const uint16_t* p, int n) {
        std::string t;
        for (int i = 0; i < n; ++i) t += (i ? " " : "") + (p[i] ? hex(p[i], 4) : std::string("-"));
        return t;
    };
    os << "  COM1-4 ports:      " << ports(b.com, 4) << "\n";
    os << "  LPT1-3 ports:      " << ports(b.lpt, 3) << "\n";
    os << "  equipment (INT 11h): " << hex(b.equipment, 4) << "\n";
    for (const auto& f : b.equipment_fields) os << "    " << pad(f.key + ":", 20) << field_text(f) << "\n";
    os << "  memory (INT 12h):  " << b.memory_kib << " KiB\n";
    os << "  EBDA segment:      " << hex(b.ebda_segment, 4) << "\n";
    os << "  video mode:        " << hex(b.video_mode, 2) << ", " << b.columns << " columns, "
       << (b.rows ? std::to_string(b.rows) : std::string("?")) << " rows, page " << int(b.active_page)
       << ", CRTC " << hex(b.crtc_port, 4) << ", character height " << b.char_height << "\n";
    os << "  cursor:            ";
    for (int p = 0; p < 8; ++p)
        if (p == 0 || b.cursor[p].col || b.cursor[p].row)
            os << "page " << p << " row " << int(b.cursor[p].row) << " col " << int(b.cursor[p].col) << "  ";
    os << "(shape " << int(b.cursor_start) << "-" << int(b.cursor_end) << ")\n";
    os << "  timer ticks:       " << b.ticks << " (" << b.ticks / 18.2065 << " s since midnight)"
       << (b.midnight ? ", midnight passed" : "") << "\n";
    os << "  keyboard flags:    " << hex(b.kbd_flags0, 2) << " " << hex(b.kbd_flags1, 2) << ", LEDs " << hex(b.kbd_leds, 2);
    for (const auto& k : b.kbd_active) os << ", " << k;
    os << "\n";
    os << "  hard disks:        " << int(b.hard_disks) << "\n";
    os << "  reset flag:        " << hex(b.reset_flag, 4) << (b.reset_flag == 0x1234 ? " (warm boot)" : "") << "\n";
}

void print_fields(std::ostream& os, const Table& t, const std::string& indent)
{
    const char* mark = t.trusted() ? "" : "? ";
    for (const auto& f : t.fields) os << indent << mark << pad(f.key + ":", 24) << field_text(f) << "\n";
    for (const auto& n : t.notes) os << indent << "note: " << n << "\n";
}

std::string status_text(const Table& t)
{
    if (t.status == "ok") return "checksum ok";
    if (t.status == "bad_checksum") return "CHECKSUM FAILS, fields not trusted";
    if (t.status == "truncated") return "TRUNCATED, fields not trusted";
    return "BAD LENGTH, fields not trusted";
}

void print_roms(std::ostream& os, const Scan& s)
{
    os << "\nOption ROMs (55aa on 2 KiB boundaries, 0xc0000-0xeffff): " << s.roms.size() << "\n";
    for (const auto& r : s.roms) {
        os << "  " << hex(r.address, 5) << "  " << pad(size_text(r.size), 10) << " "
           << (r.truncated ? "checksum not computed" : r.checksum_ok ? "checksum ok" : "CHECKSUM FAILS (sum " + hex(r.checksum_sum, 2) + ")")
           << "  " << r.label << "\n";
        for (const auto& n : r.notes) os << "      note: " << n << "\n";
        for (const auto* t : {r.pcir ? &*r.pcir : nullptr, r.pnp ? &*r.pnp : nullptr}) {
            if (!t) continue;
            os << "      " << t->signature << " " << t->name << " at " << hex(t->address, 5)
               << (t->trusted() ? "" : " (" + t->status + ")") << "\n";
            print_fields(os, *t, "        ");
        }
    }
}

void print_tables(std::ostream& os, const Scan& s)
{
    os << "\nBIOS tables (16-byte boundaries, 0xe0000-0xfffff and the EBDA's first KiB): " << s.tables.size() << "\n";
    for (const auto& t : s.tables) {
        os << "  " << hex(t.address, 5) << "  " << pad("\"" + t.signature + "\"", 11) << pad(t.name, 30) << " "
           << t.length << " bytes, " << status_text(t) << "\n";
        print_fields(os, t, "      ");
    }
}

void print_e820(std::ostream& os, const FirmwareMap& m)
{
    os << "\nFirmware memory map: ";
    if (m.method == "e820") {
        os << "INT 15h E820h, " << m.entries.size() << " entries\n";
        char line[200];
        std::snprintf(line, sizeof line, "  %-18s  %-18s  %-18s  %-5s %s\n", "base", "end (exclusive)", "length", "bytes", "type");
        os << line;
        for (const auto& e : m.entries) {
            std::string type = e820_type_name(e.type);
            if (e.bytes >= 24) {
                type += " [";
                auto names = e820_attribute_names(e.ext_attributes);
                for (size_t i = 0; i < names.size(); ++i) type += (i ? ", " : "") + names[i];
                type += "]";
            }
            std::snprintf(line, sizeof line, "  %s  %s  %s  %-5u %s (%s)\n", hex(e.base, 16).c_str(),
                          hex(e.end(), 16).c_str(), hex(e.length, 16).c_str(), e.bytes, type.c_str(),
                          size_text(e.length).c_str());
            os << line;
        }
        os << "  totals:\n";
        for (const auto& t : m.totals)
            os << "    " << pad(e820_type_name(t.type) + ":", 22) << pad(size_text(t.bytes), 14) << "(" << t.bytes
               << " bytes, " << t.entries << (t.entries == 1 ? " entry" : " entries") << ")\n";
    } else if (m.method == "e801") {
        os << "INT 15h E801h (E820h unsupported)\n"
           << "  1-16 MiB:   " << m.e801_kib_1m_16m << " KiB\n"
           << "  above 16 MiB: " << m.e801_blocks_above_16m << " x 64 KiB ("
           << size_text(uint64_t{m.e801_blocks_above_16m} << 16) << ")"
           << (m.e801_from_cx_dx ? "  (from CX/DX)" : "") << "\n";
    } else if (m.method == "88h") {
        os << "INT 15h AH=88h (E820h and E801h unsupported)\n  above 1 MiB: " << m.kib_above_1m << " KiB\n";
    } else {
        os << "none: the BIOS answered neither E820h, E801h nor AH=88h\n";
    }
    for (const auto& n : m.notes) os << "  note: " << n << "\n";
}

// ---- the command ---------------------------------------------------------

void run_memmap(const MemmapOptions& o)
{
    if (!o.size.empty() && o.save.empty()) fail(ErrorKind::usage, "--size " + o.size + ": only meaningful with --save FILE");
    if (!o.save.empty()) {
        uint64_t size = o.size.empty() ? kRealModeSize : parse_number(o.size, "--size");
        Source src = open_source_from_globals(false);
        // "This machine's BIOS" must not silently become QEMU's.
        if (src.bundled)
            fail(ErrorKind::environment, "--save " + o.save + ": the host's BIOS is not reachable (" +
                                             src.host_unreachable +
                                             "); to copy the bundled SeaBIOS snapshot name it with --image");
        // A live host's CMOS/RTC goes with its memory (docs/snapshot.md);
        // an image keeps what it carries.
        snapshot::HostCapture cap;
        if (src.mem->kind() != MemoryKind::image) {
            cap = snapshot::capture_host_devices();
            src.mem->devices = cap.state;
        }
        save_image(*src.mem, o.save, size);
        const auto& cmos = src.mem->devices.cmos;
        if (globals().json) {
            nlohmann::json save = {{"file", o.save}, {"bytes", size}, {"cmos", nullptr}, {"notes", cap.notes}};
            if (cmos)
                save["cmos"] = {{"size", cmos->bytes.size()}, {"captured", cmos->known_count()}, {"sources", cap.sources}};
            print_json(nlohmann::json{{"schema", "biosx.memmap"},
                                      {"schema_version", kMemmapSchemaVersion},
                                      {"source", src.mem->describe()},
                                      {"save", save}});
        } else {
            std::cout << "saved " << size << " bytes of " << src.mem->describe() << " to " << o.save << "\n";
            std::cout << "device state: " << snapshot::describe(src.mem->devices) << "\n";
            for (const auto& x : cap.sources) std::cout << "  " << x << "\n";
            for (const auto& n : cap.notes) std::cout << "note: " << n << "\n";
        }
        return;
    }
    // No section named: everything that only reads memory. E820 runs BIOS
    // code, so it is asked for by name (or --all).
    bool any = o.map || o.ivt || o.bda || o.roms || o.tables || o.e820;
    Sections sec;
    if (any && !o.all) sec = {o.map, o.ivt, o.bda, o.roms, o.tables};
    bool e820 = o.e820 || o.all;
    if (!o.timeout.empty() && !e820) fail(ErrorKind::usage, "--timeout " + o.timeout + ": only meaningful with --e820 or --all");
    const double timeout_s = o.timeout.empty() ? Limits{}.timeout_s : parse_timeout(o.timeout, "--timeout");

    Source src = open_source_from_globals();
    // Scan before anything runs: a run writes its stack and buffer into the memory.
    Scan s = scan(src.mem->bytes());
    FirmwareMap fm;
    if (e820) {
        if (!src.backend) fail(ErrorKind::environment, "--e820 needs a backend that can run BIOS code");
        FirmwareMapOptions fo;
        fo.limits.timeout_s = timeout_s;
        fo.io.virtual_io = src.mem->kind() == MemoryKind::image;
        fm = firmware_map(*src.backend, *src.mem, fo);
    }
    if (globals().json) {
        nlohmann::json j = scan_to_json(s, sec, src.mem->describe());
        if (e820) {
            j["firmware_map"] = firmware_map_to_json(fm);
            j["backend"] = src.backend->name();
        }
        print_json(j);
        return;
    }
    std::ostringstream os;
    os << "Source: " << src.mem->describe() << " (" << s.size << " bytes)\n";
    for (const auto& n : s.notes) os << "note: " << n << "\n";
    if (sec.map) print_map(os, s);
    if (sec.ivt) print_ivt(os, s);
    if (sec.bda) print_bda(os, s);
    if (sec.roms) print_roms(os, s);
    if (sec.tables) print_tables(os, s);
    if (e820) print_e820(os, fm);
    std::cout << os.str();
}

}  // namespace

void setup_memmap(CLI::App& app)
{
    static MemmapOptions o;
    auto* m = app.add_subcommand("memmap", "Show what the first MiB holds: map, IVT, BDA, option ROMs, BIOS tables, E820");
    const char* sections = "Sections (none given: all but --e820)";
    m->add_flag("--map", o.map, "The drawn map of 0-1 MiB and the system BIOS identity")->group(sections);
    m->add_flag("--ivt", o.ivt, "The interrupt vectors and where each points")->group(sections);
    m->add_flag("--bda", o.bda, "The BIOS data area decoded")->group(sections);
    m->add_flag("--roms", o.roms, "Option ROMs with their PCI and PnP headers")->group(sections);
    m->add_flag("--tables", o.tables, "SMBIOS, ACPI RSDP, MP, $PIR, PnP, BIOS32 and PMM structures")->group(sections);
    m->add_flag("--e820", o.e820, "Ask the BIOS for its memory map (INT 15h E820h, else E801h, else 88h); runs BIOS code")
        ->group(sections);
    m->add_flag("--all", o.all, "Every section, --e820 included")->group(sections);
    m->add_option("--timeout", o.timeout, "--e820: stop a call after SECONDS of wall-clock time, (0, 60]")
        ->type_name("SECONDS")->default_str("5");
    m->add_option("--save", o.save,
                  "Write the memory source's first MiB, and its CMOS/RTC contents, to FILE as a snapshot for --image, and stop")
        ->type_name("FILE")->group("Snapshot");
    m->add_option("--size", o.size, "With --save: write N bytes instead of 1 MiB (1 MiB up to what the source holds, at most 16 MiB)")
        ->type_name("N")->group("Snapshot");
    m->footer("Examples: biosx memmap --image seabios.img --tables\n"
              "          biosx memmap --e820 --json\n"
              "          sudo biosx memmap --save my-bios.img");
    m->callback([] { run_memmap(o); });
}

}  // namespace biosx::cli
