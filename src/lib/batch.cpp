// batch.cpp - parsing one line of `biosx batch`. Userspace.
#include "lib/batch.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/format.h"
#include "core/run/io_policy.h"
#include "core/run/registers.h"
#include "core/call/call_input.h"
#include "core/run/start_state.h"

namespace biosx::lib {

namespace {

using nlohmann::json;

constexpr std::string_view kFields[] = {"int",     "call",    "regs",       "write",   "read",
                                        "max_instructions", "timeout", "io_log", "virtual_io", "pass_io",
                                        "allow_port", "strategy", "id"};

// "int, call, ..., id": the known fields, for the unknown-field message.
std::string field_list()
{
    std::string out;
    for (auto f : kFields) out += (out.empty() ? "" : ", ") + std::string(f);
    return out;
}

// A number or a string, as the command line would have read it: "0x10",
// "10h" or 16; "2.5" or 2.5.
std::string scalar_text(const json& v, const std::string& what, bool allow_fraction = false)
{
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_unsigned() || (allow_fraction && v.is_number())) return v.dump();
    fail(ErrorKind::usage, what + ": expected a number or a string, not " + printable(v.dump(), 40));
}

std::vector<std::string> strings(const json& v, const std::string& what)
{
    std::vector<std::string> out;
    if (v.is_string()) return {v.get<std::string>()};
    if (!v.is_array()) fail(ErrorKind::usage, what + ": expected a string or an array of strings");
    for (const auto& e : v) {
        if (!e.is_string()) fail(ErrorKind::usage, what + ": expected strings, not " + printable(e.dump(), 40));
        out.push_back(e.get<std::string>());
    }
    return out;
}

bool flag(const json& v, const std::string& what)
{
    if (!v.is_boolean()) fail(ErrorKind::usage, what + ": expected true or false");
    return v.get<bool>();
}

}  // namespace

BatchCall parse_batch_line(std::string_view text, json& id)
{
    json j;
    try {
        // Every object's keys once: a parser keeps the last of duplicates.
        std::vector<std::vector<std::string>> keys;
        j = json::parse(text, [&](int, json::parse_event_t ev, json& parsed) {
            if (ev == json::parse_event_t::object_start) keys.emplace_back();
            else if (ev == json::parse_event_t::object_end) keys.pop_back();
            else if (ev == json::parse_event_t::key) {
                auto name = parsed.get<std::string>();
                if (std::find(keys.back().begin(), keys.back().end(), name) != keys.back().end())
                    fail(ErrorKind::usage, "\"" + printable(name) + "\" appears twice in one object");
                keys.back().push_back(std::move(name));
            }
            return true;
        });
    } catch (const json::exception& e) {
        std::string why = e.what();
        if (auto p = why.find("] "); p != std::string::npos) why = why.substr(p + 2);
        fail(ErrorKind::usage, "not valid JSON: " + printable(why, 120));
    }
    if (!j.is_object())
        fail(ErrorKind::usage, "expected a JSON object such as {\"int\":\"0x11\"} (docs/batch.md)");
    if (auto it = j.find("id"); it != j.end()) id = *it;
    for (const auto& [key, v] : j.items())
        if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields))
            fail(ErrorKind::usage, "unknown field \"" + printable(key) + "\" (known: " + field_list() + ")");

    BatchCall c;
    c.id = id;
    RunRequest& req = c.spec.req;
    const bool is_int = j.contains("int"), is_call = j.contains("call");
    if (is_int == is_call) fail(ErrorKind::usage, "give exactly one of \"int\" (VECTOR) and \"call\" (SEG:OFF)");
    if (is_int) {
        req.entry.kind = Entry::Kind::interrupt;
        req.entry.vector = parse_vector(scalar_text(j["int"], "int"));
    } else {
        req.entry.kind = Entry::Kind::far_call;
        const json& t = j["call"];
        if (!t.is_string()) fail(ErrorKind::usage, "call: expected \"SEG:OFF\" (e.g. \"c000:0003\")");
        parse_seg_off(t.get<std::string>(), "call", &req.entry.seg, &req.entry.off);
    }
    req.regs = default_registers();
    if (auto it = j.find("regs"); it != j.end()) {
        if (!it->is_object()) fail(ErrorKind::usage, "regs: expected an object such as {\"ax\":\"0x4f00\"}");
        apply_assignments(req.regs, parse_regs_json(it->dump(), "regs"));
    }
    if (auto it = j.find("write"); it != j.end())
        for (const auto& w : strings(*it, "write")) c.spec.writes.push_back(parse_buffer_write(w));
    if (auto it = j.find("read"); it != j.end())
        for (const auto& r : strings(*it, "read")) c.spec.reads.push_back(parse_buffer_read(r));
    if (auto it = j.find("max_instructions"); it != j.end())
        req.limits.max_instructions =
            parse_max_instructions(scalar_text(*it, "max_instructions"), "max_instructions");
    if (auto it = j.find("timeout"); it != j.end())
        req.limits.timeout_s = parse_timeout(scalar_text(*it, "timeout", true), "timeout");
    if (auto it = j.find("io_log"); it != j.end()) req.log_io = flag(*it, "io_log");
    // The port policy as the command line's --virtual-io, --pass-io and
    // --allow-port (a port on the hard floor refused with its reason).
    req.io.virtual_io = false;
    if (auto it = j.find("virtual_io"); it != j.end()) req.io.virtual_io = flag(*it, "virtual_io");
    if (auto it = j.find("pass_io"); it != j.end()) req.io.pass_io = flag(*it, "pass_io");
    if (req.io.virtual_io && req.io.pass_io)
        fail(ErrorKind::usage, "virtual_io and pass_io exclude each other");
    if (auto it = j.find("allow_port"); it != j.end())
        req.io.allow = parse_allowed_ports(strings(*it, "allow_port"), *host_port_map());
    if (auto it = j.find("strategy"); it != j.end()) {
        if (!it->is_string()) fail(ErrorKind::usage, "strategy: expected \"auto\", \"unrestricted\" or \"vm86\"");
        req.strategy = parse_strategy(it->get<std::string>(), "strategy");
    }
    return c;
}

json batch_error(size_t number, const json& id, ErrorKind kind, const std::string& message)
{
    json e = {{"schema", "biosx.error"},
              {"schema_version", 1},
              {"line", number},
              {"error",
               {{"kind", kind == ErrorKind::usage ? "usage" : kind == ErrorKind::environment ? "environment" : "incomplete"},
                {"exit_code", static_cast<int>(exit_code_for(kind))},
                {"message", message}}}};
    if (!id.is_null()) e["id"] = id;
    return e;
}

}  // namespace biosx::lib
