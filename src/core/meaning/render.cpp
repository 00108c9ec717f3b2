// render.cpp - a decoded call as the "meaning" block of `biosx int` and as
// the `decoded` member of the biosx.run JSON object (docs/json-schema.md).
// Userspace.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/meaning/meaning.h"
#include "core/format.h"
#include "core/json_fill.h"

namespace biosx::meaning {

namespace {

using nlohmann::json;

// "INT 13h AH=08h": hex digits in upper case, as the interrupt list writes them.
std::string upper_hex(uint64_t v, int digits)
{
    std::string s = hex_digits(v, digits);
    for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return s + "h";
}

std::string call_title(const KnownCall& c)
{
    std::string t = "INT " + upper_hex(c.vector, 2);
    if (c.selector == Selector::ah) t += " AH=" + upper_hex(c.function, 2);
    if (c.selector == Selector::ax) t += " AX=" + upper_hex(c.function, 4);
    return t + ": " + std::string(c.name);
}

// The value of "dl", "eax" or "es:di" in `r`, as hex.
std::string reg_value(std::string_view name, const Registers& r)
{
    auto colon = name.find(':');
    if (colon != std::string_view::npos) {
        const RegAlias* a = find_alias(name.substr(0, colon));
        const RegAlias* b = find_alias(name.substr(colon + 1));
        if (!a || !b) return "?";
        uint32_t va = r[a->reg] >> a->shift & ((1ull << a->bits) - 1);
        uint32_t vb = r[b->reg] >> b->shift & ((1ull << b->bits) - 1);
        return hex_digits(va, a->bits / 4) + ":" + hex_digits(vb, b->bits / 4);
    }
    const RegAlias* a = find_alias(name);
    if (!a) return "?";
    return hex(r[a->reg] >> a->shift & ((1ull << a->bits) - 1), a->bits / 4);
}

void reg_lines(std::string& out, const char* label, std::span<const RegMeaning> regs, const Registers& r)
{
    char line[256];
    bool first = true;
    for (const auto& m : regs) {
        if (m.reg.empty()) break;
        std::snprintf(line, sizeof line, "  %-4s %-6s %-11s %s\n", first ? label : "", std::string(m.reg).c_str(),
                      reg_value(m.reg, r).c_str(), std::string(m.text).c_str());
        out += line;
        first = false;
    }
}

// One line per field; "<key>_name" and "<key>_linear" right after "<key>"
// join its line in parentheses.
void field_lines(std::string& out, const Fields& f, const char* indent)
{
    char line[512];
    for (size_t i = 0; i < f.size(); ++i) {
        const std::string& key = f[i].key;
        std::string v = memmap::field_text(f[i]);
        while (i + 1 < f.size() && (f[i + 1].key == key + "_name" || f[i + 1].key == key + "_linear")) {
            v += " (" + memmap::field_text(f[i + 1]) + ")";
            ++i;
        }
        std::snprintf(line, sizeof line, "%s%-31s %s\n", indent, key.c_str(), v.c_str());
        out += line;
    }
}

std::string list_text(const std::vector<uint64_t>& values, const char* indent)
{
    std::string out, line = indent;
    for (auto v : values) {
        std::string item = hex(v, 3);
        if (line.size() + item.size() + 1 > 76) {
            out += line + "\n";
            line = indent;
        }
        line += " " + item;
    }
    return out + line + "\n";
}

}  // namespace

std::string to_text(const Decoded& d, const Registers& in, const Registers& out)
{
    std::string s = "meaning  " + call_title(*d.call) + "\n";
    reg_lines(s, "in", d.call->in, in);
    if (!d.ok) {
        // The status register as the table names it, or the carry alone.
        std::string status = d.error_register == "cf" ? "CF=1" : "CF=" + std::to_string(out[Reg::eflags] & 1) + " " +
                                                                     d.error_register + "=" + reg_value(d.error_register, out);
        s += "  failed   " + status + ": " + d.error + "\n";
        return s;
    }
    reg_lines(s, "out", d.call->out, out);
    if (!d.fields.empty()) s += "\n";
    field_lines(s, d.fields, "  ");
    if (d.structure) {
        const Structure& st = *d.structure;
        s += "\n  " + st.title + " at " + hex(st.linear, 5) + " (" + std::to_string(st.length) + " bytes read back)\n";
        field_lines(s, st.fields, "    ");
        for (const auto& [key, values] : st.lists) {
            s += "    " + key + " (" + std::to_string(values.size()) + "):\n";
            if (!values.empty()) s += list_text(values, "     ");
        }
    }
    for (const auto& n : d.notes) s += "  note: " + n + "\n";
    return s;
}

void fill_json(json& j, const Decoded& d)
{
    const KnownCall& c = *d.call;
    if (!j.is_object()) j = json::object();
    assign_string(member(j, "call"), c.id);
    assign_string(member(j, "name"), c.name);
    member(j, "vector") = c.vector;
    member(j, "ok") = d.ok;
    if (c.selector != Selector::none) {
        assign_string(member(j, "selector"), c.selector == Selector::ah ? "ah" : "ax");
        member(j, "function") = c.function;
    } else {
        drop_member(j, "selector");
        drop_member(j, "function");
    }
    if (!d.ok) {
        json e = {{"register", d.error_register}, {"text", d.error}};
        if (d.error_code >= 0) e["code"] = d.error_code;
        member(j, "error") = std::move(e);
    } else {
        drop_member(j, "error");
    }
    memmap::fill_fields_json(member(j, "fields"), d.fields);
    if (d.structure) {
        const Structure& st = *d.structure;
        json o = {{"name", st.name}, {"title", st.title}, {"linear", st.linear}, {"length", st.length},
                  {"fields", memmap::fields_to_json(st.fields)}};
        for (const auto& [key, values] : st.lists) o[key] = values;
        member(j, "structure") = std::move(o);
    } else {
        drop_member(j, "structure");
    }
    json& notes = empty_array(j, "notes");
    for (const auto& n : d.notes) notes.push_back(n);
}

json to_json(const Decoded& d)
{
    json j = json::object();
    fill_json(j, d);
    return j;
}

}  // namespace biosx::meaning
