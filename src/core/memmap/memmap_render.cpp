// memmap_render.cpp - the views of `biosx memmap`'s report: the text (the
// first MiB drawn, the IVT, BDA, option ROMs, BIOS tables, the firmware's
// map) and the `biosx.memmap` JSON object (docs/memmap.md, schema in
// docs/json-schema.md: addresses, sizes and counts as JSON numbers; values
// that may pass 2^53, such as 64-bit fields and E820 bases and lengths,
// also as an exact "<key>_hex" string beside the number). Userspace.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/format.h"
#include "core/json_fill.h"
#include "core/memmap/memmap_report.h"

namespace biosx::memmap {

using nlohmann::json;

std::string field_text(const Field& f)
{
    if (auto* n = std::get_if<uint64_t>(&f.value)) return f.hex_digits ? hex(*n, f.hex_digits) : std::to_string(*n);
    if (auto* b = std::get_if<bool>(&f.value)) return *b ? "yes" : "no";
    return std::get<std::string>(f.value);
}

namespace {

void set_field_value(json& v, const Field& f)
{
    if (auto* n = std::get_if<uint64_t>(&f.value))
        v = *n;
    else if (auto* b = std::get_if<bool>(&f.value))
        v = *b;
    else
        assign_string(v, std::get<std::string>(f.value));
}

json field_value(const Field& f)
{
    json v;
    set_field_value(v, f);
    return v;
}

}  // namespace

void fill_fields_json(json& o, const Fields& fields)
{
    if (!o.is_object()) o = json::object();
    // The members this list sets: a field's key, or (companion) its key
    // with "_hex"; views into `fields`, so the pass allocates nothing.
    struct Key {
        std::string_view key;
        bool companion;
        bool names(std::string_view k) const
        {
            return companion ? k.size() == key.size() + 4 && k.starts_with(key) && k.ends_with("_hex") : k == key;
        }
    };
    thread_local std::vector<Key> seen;
    seen.clear();
    const auto first = [&](std::string_view key, bool companion) {
        for (const auto& k : seen)
            if (k.key == key && k.companion == companion) return false;
        seen.push_back({key, companion});
        return true;
    };
    for (const auto& f : fields) {
        auto* n = std::get_if<uint64_t>(&f.value);
        // A 64-bit field keeps its exact value as a string beside the number.
        if (n && f.hex_digits > 8 && first(f.key, true)) assign_string(member(o, f.key + "_hex"), hex(*n, f.hex_digits));
        json& m = member(o, f.key);
        if (first(f.key, false)) {
            // Keys that repeat by nature ($PIR slots) are arrays even when single.
            if (f.key == "slot")
                set_field_value(empty_array(o, f.key).emplace_back(), f);
            else
                set_field_value(m, f);
        } else {
            if (!m.is_array()) m = json::array({m});
            m.push_back(field_value(f));
        }
    }
    for (auto it = o.begin(); it != o.end();) {
        const std::string& k = it.key();
        if (std::none_of(seen.begin(), seen.end(), [&](const Key& s) { return s.names(k); }))
            it = o.erase(it);
        else
            ++it;
    }
}

json fields_to_json(const Fields& fields)
{
    json o = json::object();
    fill_fields_json(o, fields);
    return o;
}

json table_to_json(const Table& t)
{
    return {
        {"signature", t.signature}, {"name", t.name},       {"address", t.address},
        {"length", t.length},       {"status", t.status},   {"trusted", t.trusted()},
        {"fields", fields_to_json(t.fields)}, {"notes", t.notes},
    };
}

json scan_to_json(const Scan& s, const Sections& sec, const std::string& source)
{
    json j = {{"schema", "biosx.memmap"}, {"schema_version", kMemmapSchemaVersion}, {"source", source},
              {"size", s.size}, {"notes", s.notes}};
    if (sec.map) {
        json regions = json::array();
        for (const auto& r : s.regions)
            regions.push_back({{"begin", r.begin}, {"end", r.end}, {"size", r.end - r.begin},
                               {"kind", r.kind}, {"name", r.name}});
        j["regions"] = regions;
        json bios = {{"present", s.bios.present}};
        if (s.bios.present) {
            bios["reset_vector"] = s.bios.reset_vector;
            bios["date"] = s.bios.date;
            bios["model"] = s.bios.model;
            bios["model_name"] = s.bios.model_name;
        }
        j["bios"] = bios;
    }
    if (sec.ivt) {
        json ivt = json::array();
        for (const auto& v : s.ivt)
            ivt.push_back({{"vector", v.number}, {"segment", v.seg}, {"offset", v.off},
                           {"linear", v.linear}, {"target", v.target}, {"target_name", v.target_name},
                           {"use", std::string(v.use)}, {"data", v.data}});
        j["ivt"] = ivt;
    }
    if (sec.bda) {
        if (!s.bda) {
            j["bda"] = nullptr;
        } else {
            const Bda& b = *s.bda;
            json com = json::array(), lpt = json::array(), cursor = json::array();
            for (auto p : b.com) com.push_back(p);
            for (auto p : b.lpt) lpt.push_back(p);
            for (int p = 0; p < 8; ++p) cursor.push_back({{"page", p}, {"column", b.cursor[p].col}, {"row", b.cursor[p].row}});
            j["bda"] = {
                {"com", com},
                {"lpt", lpt},
                {"equipment", b.equipment},
                {"equipment_fields", fields_to_json(b.equipment_fields)},
                {"memory_kib", b.memory_kib},
                {"ebda_segment", b.ebda_segment},
                {"video",
                 {{"mode", b.video_mode},
                  {"columns", b.columns},
                  {"rows", b.rows},
                  {"active_page", b.active_page},
                  {"crtc_port", b.crtc_port},
                  {"char_height", b.char_height},
                  {"cursor_start", b.cursor_start},
                  {"cursor_end", b.cursor_end},
                  {"cursor", cursor}}},
                {"ticks", b.ticks},
                {"midnight", b.midnight},
                {"keyboard",
                 {{"flags0", b.kbd_flags0},
                  {"flags1", b.kbd_flags1},
                  {"flags3", b.kbd_flags3},
                  {"leds", b.kbd_leds},
                  {"active", b.kbd_active}}},
                {"hard_disks", b.hard_disks},
                {"reset_flag", b.reset_flag},
            };
        }
    }
    if (sec.roms) {
        json roms = json::array();
        for (const auto& r : s.roms)
            roms.push_back({{"address", r.address},
                            {"size", r.size},
                            {"length_byte", r.length_byte},
                            {"truncated", r.truncated},
                            {"checksum_ok", r.checksum_ok},
                            {"checksum_sum", r.checksum_sum},
                            {"likely", r.likely()},
                            {"label", r.label},
                            {"pci", r.pcir ? table_to_json(*r.pcir) : json(nullptr)},
                            {"pnp", r.pnp ? table_to_json(*r.pnp) : json(nullptr)},
                            {"notes", r.notes}});
        j["option_roms"] = roms;
    }
    if (sec.tables) {
        json tables = json::array();
        for (const auto& t : s.tables) tables.push_back(table_to_json(t));
        j["tables"] = tables;
    }
    return j;
}

json firmware_map_to_json(const FirmwareMap& m)
{
    json entries = json::array(), totals = json::array();
    for (const auto& e : m.entries)
        entries.push_back({{"base", e.base},
                           {"base_hex", hex(e.base, 16)},
                           {"length", e.length},
                           {"length_hex", hex(e.length, 16)},
                           {"end", e.end()},
                           {"end_hex", hex(e.end(), 16)},
                           {"type", e.type},
                           {"type_name", e820_type_name(e.type)},
                           {"bytes", e.bytes},
                           {"ext_attributes", e.ext_attributes},
                           {"attributes", e820_attribute_names(e.ext_attributes)},
                           {"continuation", e.continuation}});
    for (const auto& t : m.totals)
        totals.push_back({{"type", t.type}, {"type_name", e820_type_name(t.type)}, {"bytes", t.bytes},
                          {"bytes_hex", hex(t.bytes, 16)}, {"entries", t.entries}});
    json j = {{"method", m.method}, {"entries", entries}, {"totals", totals}, {"calls", m.calls},
              {"instructions", m.instructions}, {"elapsed_us", static_cast<uint64_t>(m.elapsed_s * 1e6)},
              {"virtual_reads", m.virtual_reads}, {"notes", m.notes}};
    json ports = json::array();
    for (auto p : m.virtual_ports) ports.push_back(p);
    j["virtual_ports"] = ports;
    if (m.method == "e801")
        j["e801"] = {{"kib_1m_16m", m.e801_kib_1m_16m},
                     {"blocks_64k_above_16m", m.e801_blocks_above_16m},
                     {"from_cx_dx", m.e801_from_cx_dx},
                     {"total_kib_above_1m", m.e801_kib_1m_16m + uint64_t{m.e801_blocks_above_16m} * 64}};
    if (m.method == "88h") j["kib_above_1m"] = m.kib_above_1m;
    return j;
}

json memmap_to_json(const MemmapReport& r)
{
    json j = scan_to_json(r.scan, r.sections, r.source);
    if (r.firmware_map) {
        j["firmware_map"] = firmware_map_to_json(*r.firmware_map);
        j["backend"] = r.backend;
    }
    return j;
}

json saved_image_to_json(const SavedImage& s)
{
    json save = {{"file", s.file}, {"bytes", s.bytes}, {"cmos", nullptr}, {"notes", s.notes}};
    if (const auto& c = s.devices.cmos)
        save["cmos"] = {{"size", c->bytes.size()}, {"captured", c->known_count()}, {"sources", s.sources}};
    return {{"schema", "biosx.memmap"},
            {"schema_version", kMemmapSchemaVersion},
            {"source", s.source},
            {"save", save}};
}

// ---- text ------------------------------------------------------------------

namespace {


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

}  // namespace

std::string render_memmap_text(const MemmapReport& r)
{
    const Scan& s = r.scan;
    std::ostringstream os;
    os << "Source: " << r.source << " (" << s.size << " bytes)\n";
    for (const auto& n : s.notes) os << "note: " << n << "\n";
    if (r.sections.map) print_map(os, s);
    if (r.sections.ivt) print_ivt(os, s);
    if (r.sections.bda) print_bda(os, s);
    if (r.sections.roms) print_roms(os, s);
    if (r.sections.tables) print_tables(os, s);
    if (r.firmware_map) print_e820(os, *r.firmware_map);
    return os.str();
}

std::string render_saved_image_text(const SavedImage& s)
{
    std::string t = "saved " + std::to_string(s.bytes) + " bytes of " + s.source + " to " + s.file + "\n";
    t += "device state: " + snapshot::describe(s.devices) + "\n";
    for (const auto& x : s.sources) t += "  " + x + "\n";
    for (const auto& n : s.notes) t += "note: " + n + "\n";
    return t;
}

}  // namespace biosx::memmap
