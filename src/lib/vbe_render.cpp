// vbe_render.cpp - `biosx vbe` and `biosx edid` as text and JSON. Userspace.
#include "lib/vbe_render.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/format.h"

namespace biosx::lib {

namespace {

using nlohmann::json;

const memmap::Fields* fields_of(const meaning::Decoded& d)
{
    return d.structure ? &d.structure->fields : nullptr;
}

// A number field of `f`, or `dflt`.
uint64_t number(const memmap::Fields* f, std::string_view key, uint64_t dflt = 0)
{
    if (f)
        for (const auto& x : *f)
            if (x.key == key)
                if (auto* n = std::get_if<uint64_t>(&x.value)) return *n;
    return dflt;
}

std::string text(const memmap::Fields* f, std::string_view key)
{
    if (f)
        for (const auto& x : *f)
            if (x.key == key) return memmap::field_text(x);
    return "";
}

bool yes(const memmap::Fields* f, std::string_view key)
{
    if (f)
        for (const auto& x : *f)
            if (x.key == key)
                if (auto* b = std::get_if<bool>(&x.value)) return *b;
    return false;
}

// The attribute words a reader of the table wants (VBE 3.0 ModeAttributes).
std::string attributes(const memmap::Fields* f)
{
    std::string a;
    for (const char* k : {"supported", "graphics", "colour", "linear_frame_buffer", "no_windowed_mode", "bios_output"})
        if (yes(f, k)) a += std::string(a.empty() ? "" : " ") + (std::string_view(k) == "linear_frame_buffer" ? "lfb" : k);
    return a.empty() ? "-" : a;
}

void block(std::string& o, const memmap::Fields& f)
{
    for (const auto& x : f) {
        std::string k = x.key;
        if (k.size() < 30) k.resize(30, ' ');
        o += "  " + k + " " + memmap::field_text(x) + "\n";
    }
}

}  // namespace

void sort_vbe_modes(std::vector<VbeModeRow>& rows, const std::string& key)
{
    auto rank = [&](const VbeModeRow& r) {
        const auto* f = fields_of(r.info);
        const uint64_t w = number(f, "width"), h = number(f, "height"), bpp = number(f, "bits_per_pixel");
        if (key == "resolution") return std::tuple<uint64_t, uint64_t, uint64_t>{w * h, bpp, r.number};
        if (key == "bpp") return std::tuple<uint64_t, uint64_t, uint64_t>{bpp, w * h, r.number};
        if (key == "model") return std::tuple<uint64_t, uint64_t, uint64_t>{number(f, "memory_model"), w * h, r.number};
        if (key == "lfb") return std::tuple<uint64_t, uint64_t, uint64_t>{number(f, "phys_base_pointer"), w * h, r.number};
        return std::tuple<uint64_t, uint64_t, uint64_t>{r.number, 0, 0};
    };
    std::stable_sort(rows.begin(), rows.end(), [&](const VbeModeRow& a, const VbeModeRow& b) {
        if (a.error.empty() != b.error.empty()) return a.error.empty();
        return rank(a) < rank(b);
    });
}

std::string render_vbe_controller(const meaning::Decoded& c)
{
    const auto* f = fields_of(c);
    std::string o = "VBE " + text(f, "version") + " controller (signature " + text(f, "signature") + ")\n";
    char line[200];
    std::snprintf(line, sizeof line, "  %-16s %s\n  %-16s %s\n  %-16s %s\n  %-16s %s\n  %-16s %s\n", "OEM",
                  text(f, "oem_string").c_str(), "vendor", text(f, "oem_vendor_name").c_str(), "product",
                  text(f, "oem_product_name").c_str(), "revision", text(f, "oem_product_rev").c_str(), "software rev",
                  text(f, "oem_software_rev").c_str());
    o += line;
    std::snprintf(line, sizeof line, "  %-16s %llu KiB (%llu blocks of 64 KiB)\n", "video memory",
                  static_cast<unsigned long long>(number(f, "total_memory_kib")),
                  static_cast<unsigned long long>(number(f, "total_memory_blocks")));
    o += line;
    std::string caps;
    for (const char* k : {"dac_switchable_to_8_bits", "not_vga_compatible", "ramdac_blank_bit", "hardware_stereo", "stereo_via_evc"})
        if (yes(f, k)) caps += std::string(caps.empty() ? "" : ", ") + k;
    std::snprintf(line, sizeof line, "  %-16s %s (%s)\n", "capabilities", text(f, "capabilities").c_str(),
                  caps.empty() ? "none" : caps.c_str());
    o += line;
    const auto modes = vbe_mode_list(c);
    o += "  modes            " + std::to_string(modes.size()) + ":";
    for (size_t i = 0; i < modes.size(); ++i) o += std::string(i % 12 == 0 ? "\n    " : " ") + hex(modes[i], 3);
    o += "\n";
    for (const auto& n : c.notes) o += "note: " + n + "\n";
    return o;
}

std::string render_vbe_modes(const std::vector<VbeModeRow>& rows)
{
    std::string o = "mode    resolution  bpp  memory model              LFB          attributes\n";
    char line[200];
    for (const auto& r : rows) {
        if (!r.error.empty()) {
            std::snprintf(line, sizeof line, "%-6s  %s\n", hex(r.number, 3).c_str(), r.error.c_str());
            o += line;
            continue;
        }
        const auto* f = fields_of(r.info);
        char res[32];
        std::snprintf(res, sizeof res, "%llux%llu", static_cast<unsigned long long>(number(f, "width")),
                      static_cast<unsigned long long>(number(f, "height")));
        const uint64_t lfb = number(f, "phys_base_pointer");
        std::snprintf(line, sizeof line, "%-6s  %-10s  %3llu  %-24s  %-11s  %s\n", hex(r.number, 3).c_str(), res,
                      static_cast<unsigned long long>(number(f, "bits_per_pixel")), text(f, "memory_model_name").c_str(),
                      lfb ? hex(lfb, 8).c_str() : "-", attributes(f).c_str());
        o += line;
    }
    o += std::to_string(rows.size()) + " modes\n";
    return o;
}

std::string render_vbe_current(const meaning::Decoded& cur, const meaning::Decoded* info)
{
    std::string o = "current VBE mode\n";
    block(o, cur.fields);
    if (info && info->structure) {
        const auto* f = fields_of(*info);
        char line[160];
        std::snprintf(line, sizeof line, "  %-30s %llux%llu, %llu bpp, %s\n", "resolution",
                      static_cast<unsigned long long>(number(f, "width")),
                      static_cast<unsigned long long>(number(f, "height")),
                      static_cast<unsigned long long>(number(f, "bits_per_pixel")), text(f, "memory_model_name").c_str());
        o += line;
    }
    return o;
}

std::string render_edid(unsigned port, const DdcCapabilities& ddc, const meaning::Edid& e)
{
    char line[160];
    std::snprintf(line, sizeof line, "EDID of port %u (DDC1 %s, DDC2 %s, %u s per block)\n", port,
                  ddc.level & 1 ? "yes" : "no", ddc.level & 2 ? "yes" : "no", ddc.seconds_per_block);
    std::string o = line;
    block(o, meaning::edid_fields(e));
    for (const auto& n : e.notes) o += "note: " + n + "\n";
    return o;
}

json vbe_controller_json(const meaning::Decoded& c)
{
    json j;
    j["controller"] = c.structure ? memmap::fields_to_json(c.structure->fields) : json::object();
    j["modes"] = vbe_mode_list(c);
    j["notes"] = c.notes;
    return j;
}

json vbe_modes_json(const std::vector<VbeModeRow>& rows)
{
    json a = json::array();
    for (const auto& r : rows) {
        json m;
        m["mode"] = r.number;
        if (!r.error.empty())
            m["error"] = r.error;
        else if (r.info.structure)
            m["info"] = memmap::fields_to_json(r.info.structure->fields);
        a.push_back(m);
    }
    return {{"modes", a}};
}

json vbe_current_json(const meaning::Decoded& cur, const meaning::Decoded* info)
{
    json j;
    j["current"] = memmap::fields_to_json(cur.fields);
    if (info && info->structure) j["info"] = memmap::fields_to_json(info->structure->fields);
    return j;
}

json edid_json(unsigned port, const DdcCapabilities& ddc, const std::vector<uint8_t>& bytes, const meaning::Edid& e)
{
    json j;
    j["port"] = port;
    j["ddc"] = {{"level", ddc.level}, {"ddc1", bool(ddc.level & 1)}, {"ddc2", bool(ddc.level & 2)},
                {"seconds_per_block", ddc.seconds_per_block}};
    j["blocks"] = bytes.size() / meaning::kEdidBlock;
    std::string hexs;
    for (uint8_t b : bytes) hexs += hex_digits(b, 2);
    j["hex"] = hexs;
    j["decoded"] = memmap::fields_to_json(meaning::edid_fields(e));
    j["notes"] = e.notes;
    return j;
}

}  // namespace biosx::lib
