// registers.cpp - register names, aliases, parsing and JSON. Userspace.
#include "core/run/registers.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/format.h"

namespace biosx {

namespace {
constexpr std::string_view kNames[kRegCount] = {"eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp",
                                                "eip", "eflags", "cs", "ds", "es", "fs", "gs", "ss"};
}

std::string_view reg_name(Reg r) { return kNames[static_cast<int>(r)]; }
int reg_bits(Reg r) { return static_cast<int>(r) >= static_cast<int>(Reg::cs) ? 16 : 32; }

const std::vector<RegAlias>& reg_aliases()
{
    static const std::vector<RegAlias> aliases = [] {
        std::vector<RegAlias> a;
        for (int i = 0; i < kRegCount; ++i) {
            auto r = static_cast<Reg>(i);
            a.push_back({kNames[i], r, 0, reg_bits(r)});
        }
        // The 16-bit halves BIOS documentation uses (AX, SI, FLAGS, IP...).
        const std::pair<std::string_view, Reg> words[] = {
            {"ax", Reg::eax}, {"bx", Reg::ebx}, {"cx", Reg::ecx}, {"dx", Reg::edx}, {"si", Reg::esi},
            {"di", Reg::edi}, {"bp", Reg::ebp}, {"sp", Reg::esp}, {"ip", Reg::eip}, {"flags", Reg::eflags}};
        for (auto [n, r] : words) a.push_back({n, r, 0, 16});
        const std::tuple<std::string_view, Reg, int> bytes[] = {
            {"ah", Reg::eax, 8}, {"al", Reg::eax, 0}, {"bh", Reg::ebx, 8}, {"bl", Reg::ebx, 0},
            {"ch", Reg::ecx, 8}, {"cl", Reg::ecx, 0}, {"dh", Reg::edx, 8}, {"dl", Reg::edx, 0}};
        for (auto [n, r, s] : bytes) a.push_back({n, r, s, 8});
        return a;
    }();
    return aliases;
}

const RegAlias* find_alias(std::string_view name)
{
    for (const auto& a : reg_aliases())
        if (a.name == name) return &a;
    return nullptr;
}

void set_alias(Registers& regs, const RegAlias& alias, uint64_t value, std::string_view flag)
{
    uint64_t limit = (uint64_t{1} << alias.bits) - 1;
    if (value > limit)
        fail(ErrorKind::usage, std::string(flag) + ": " + hex(value) + " does not fit in " +
                                   std::to_string(alias.bits) + " bits (maximum " + hex(limit) + ")");
    uint32_t mask = static_cast<uint32_t>(limit << alias.shift);
    uint32_t& r = regs[alias.reg];
    r = (r & ~mask) | static_cast<uint32_t>(value << alias.shift);
}

void apply_assignments(Registers& regs, const std::vector<RegAssignment>& as)
{
    for (size_t i = 0; i < as.size(); ++i)
        for (size_t k = 0; k < i; ++k)
            if (as[k].alias == as[i].alias)
                fail(ErrorKind::usage, as[i].what + ": " + std::string(as[i].alias->name) + " is already set by " +
                                           as[k].what + "; give each register once");
    for (int width : {32, 16, 8})
        for (const auto& a : as)
            if (a.alias->bits == width) set_alias(regs, *a.alias, parse_number(a.text, a.what), a.what);
}

namespace {
[[noreturn]] void unknown_key(const std::string& origin, const std::string& key)
{
    fail(ErrorKind::usage, origin + ": unknown register '" + printable(key) + "' (known: eax..ss, ax..dx, ah..dl)");
}
}  // namespace

std::vector<RegAssignment> parse_regs_json(std::string_view text, std::string_view origin)
{
    using nlohmann::json;
    const std::string o(origin);
    std::vector<std::string> keys;
    json j;
    try {
        // A parser keeps the last of duplicate keys; its callback sees them all.
        // An unknown key is refused where it stands, so at most one key per
        // alias is ever kept and compared (with every key kept, a 16 MiB
        // --regs-file of distinct names made this check quadratic: minutes).
        j = json::parse(text, [&](int depth, json::parse_event_t ev, json& parsed) {
            if (ev == json::parse_event_t::key && depth == 1) {
                std::string name = parsed.get<std::string>();
                if (!find_alias(name)) unknown_key(o, name);
                for (const auto& k : keys)
                    if (k == name)
                        fail(ErrorKind::usage, o + ": \"" + printable(name) + "\" appears twice; give each register once");
                keys.push_back(name);
            }
            return true;
        });
    } catch (const json::exception& e) {
        std::string why = e.what();
        if (auto p = why.find("] "); p != std::string::npos) why = why.substr(p + 2);
        fail(ErrorKind::usage, o + ": not valid JSON: " + printable(why, 120));
    }
    if (!j.is_object()) fail(ErrorKind::usage, o + ": expected a JSON object of registers, e.g. {\"ax\":\"0x4f00\"}");
    std::vector<RegAssignment> out;
    for (const auto& [key, val] : j.items()) {
        const RegAlias* a = find_alias(key);
        if (!a) unknown_key(o, key);
        std::string what = o + ": " + key;
        if (val.is_number_unsigned())
            out.push_back({a, std::to_string(val.get<uint64_t>()), what});
        else if (val.is_number_integer())
            fail(ErrorKind::usage, what + ": negative values are not registers");
        else if (val.is_string())
            out.push_back({a, val.get<std::string>(), what});
        else
            fail(ErrorKind::usage, what + ": expected a non-negative integer or a numeric string");
    }
    return out;
}

nlohmann::json to_json(const Registers& regs)
{
    nlohmann::json j = nlohmann::json::object();
    for (int i = 0; i < kRegCount; ++i) j[std::string(kNames[i])] = regs.v[i];
    return j;
}

const std::vector<FlagBit>& eflags_bits()
{
    static const std::vector<FlagBit> bits = {{"cf", 0},  {"pf", 2},  {"af", 4},  {"zf", 6},   {"sf", 7},
                                              {"tf", 8},  {"if", 9},  {"df", 10}, {"of", 11},  {"nt", 14},
                                              {"rf", 16}, {"vm", 17}, {"ac", 18}, {"vif", 19}, {"vip", 20},
                                              {"id", 21}};
    return bits;
}

nlohmann::json decode_eflags(uint32_t eflags)
{
    nlohmann::json j = nlohmann::json::object();
    for (const auto& f : eflags_bits()) j[std::string(f.name)] = ((eflags >> f.bit) & 1) != 0;
    j["iopl"] = (eflags >> 12) & 3;
    return j;
}

}  // namespace biosx
