// memmap_render.cpp - the `biosx.memmap` JSON object (docs/memmap.md, schema in
// docs/json-schema.md): addresses, sizes and counts as JSON numbers; values
// that may pass 2^53 (64-bit fields, E820 bases and lengths) also as an
// exact "<key>_hex" string beside the number. Userspace.
#include <nlohmann/json.hpp>

#include "core/format.h"
#include "core/memmap/firmware_map.h"
#include "core/memmap/memmap.h"

namespace biosx::memmap {

using nlohmann::json;

std::string field_text(const Field& f)
{
    if (auto* n = std::get_if<uint64_t>(&f.value)) return f.hex_digits ? hex(*n, f.hex_digits) : std::to_string(*n);
    if (auto* b = std::get_if<bool>(&f.value)) return *b ? "yes" : "no";
    return std::get<std::string>(f.value);
}

json fields_to_json(const Fields& fields)
{
    json o = json::object();
    for (const auto& f : fields) {
        json v;
        auto* n = std::get_if<uint64_t>(&f.value);
        // A 64-bit field keeps its exact value as a string beside the number.
        if (n && f.hex_digits > 8 && !o.contains(f.key + "_hex")) o[f.key + "_hex"] = hex(*n, f.hex_digits);
        if (n)
            v = *n;
        else if (auto* b = std::get_if<bool>(&f.value))
            v = *b;
        else
            v = std::get<std::string>(f.value);
        if (!o.contains(f.key)) {
            // Keys that repeat by nature ($PIR slots) are arrays even when single.
            o[f.key] = f.key == "slot" ? json::array({v}) : v;
        } else {
            if (!o[f.key].is_array()) o[f.key] = json::array({o[f.key]});
            o[f.key].push_back(v);
        }
    }
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

}  // namespace biosx::memmap
