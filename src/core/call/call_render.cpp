// call_render.cpp - the views of one call: the text (input vs output
// registers, changed ones marked, EFLAGS decoded with CF called out,
// buffers, port and MSR accesses) and the documented JSON object
// (docs/json-schema.md). Userspace.
#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/call/call.h"
#include "core/json_fill.h"
#include "core/format.h"

namespace biosx {

namespace {

std::string flags_line(uint32_t f)
{
    std::string s;
    for (const auto& b : eflags_bits())
        if ((f >> b.bit) & 1) s += (s.empty() ? "" : " ") + std::string(b.name);
    for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return s.empty() ? "-" : s;
}

std::string entry_text(const Entry& e)
{
    if (e.kind == Entry::Kind::interrupt) return "int " + hex(e.vector, 2);
    return "call " + seg_off(e.seg, e.off);
}

}  // namespace

std::string render_call_text(const CallSpec& spec, const CallOutcome& out, bool color)
{
    std::ostringstream os;
    const RunResult& r = out.result;
    const char* bold = color ? "\033[1m" : "";
    const char* hi = color ? "\033[33m" : "";
    const char* red = color ? "\033[31m" : "";
    const char* green = color ? "\033[32m" : "";
    const char* off = color ? "\033[0m" : "";

    os << bold << entry_text(out.entry) << off << "  backend " << r.backend;
    if (!r.strategy.empty()) os << " (" << r.strategy << ")";
    os << "  over " << out.source << "\n";

    char line[160];
    if (r.end.kind == EndKind::return_trap) {
        std::snprintf(line, sizeof line, "returned to the trap after %llu %s in %.3f ms",
                      static_cast<unsigned long long>(r.backend == "emu" ? r.instructions : r.exits),
                      r.backend == "emu" ? "instructions" : "VM exits", r.elapsed_s * 1e3);
        os << green << line << off << "\n\n";
    } else {
        os << red << "did not complete (" << end_kind_name(r.end.kind) << "): " << r.end.message << off << "\n\n";
    }
    if (!r.exits_by_reason.empty()) {
        // vmx: the SDM's exit-reason names; kvm: the KVM_EXIT_* names.
        os << "VM exits by reason:";
        const char* sep = " ";
        for (const auto& [reason, n] : r.exits_by_reason) {
            os << sep << reason << " " << n;
            sep = ", ";
        }
        os << "\n\n";
    }

    os << "reg          in        out\n";
    for (int i = 0; i < kRegCount; ++i) {
        auto reg = static_cast<Reg>(i);
        int w = reg_bits(reg) / 4;
        bool changed = out.in.v[i] != r.regs.v[i];
        std::snprintf(line, sizeof line, "%-6s %10s %10s", std::string(reg_name(reg)).c_str(),
                      hex_digits(out.in.v[i], w).c_str(), hex_digits(r.regs.v[i], w).c_str());
        os << (changed ? hi : "") << line << (changed ? "  *" : "") << (changed ? off : "") << "\n";
    }
    uint32_t f = r.regs[Reg::eflags];
    os << "\nflags  " << flags_line(f) << "   (IOPL " << ((f >> 12) & 3) << ")\n";
    if (f & 1)
        os << red << "CF=1: the BIOS reports failure" << off << " (AH often holds the error code: " << hex((r.regs[Reg::eax] >> 8) & 0xff, 2) << ")\n";
    else
        os << "CF=0: the BIOS reports success\n";
    if (out.decoded) os << "\n" << meaning::to_text(*out.decoded, out.in, r.regs);

    for (size_t i = 0; i < spec.reads.size() && i < out.read_back.size(); ++i) {
        const auto& rd = spec.reads[i];
        os << "\nbuffer " << seg_off(rd.seg, rd.off) << " (" << rd.len << " bytes)\n";
        os << hex_dump(out.read_back[i], rd.linear);
    }
    if (spec.req.log_io) {
        os << "\nport I/O (" << r.io_count << " accesses)\n";
        for (const auto& a : r.io) {
            std::snprintf(line, sizeof line, "  %-3s %s %s %s  %s", a.write ? "out" : "in", hex(a.port, 4).c_str(),
                          a.size == 1 ? "b" : a.size == 2 ? "w" : "d", hex(a.value, a.size * 2).c_str(),
                          std::string(disposition_name(a.disposition)).c_str());
            os << line << "\n";
        }
        if (r.io_count > r.io.size()) os << "  ... " << (r.io_count - r.io.size()) << " more (not kept)\n";
    } else if (r.io_count) {
        os << "\n" << r.io_count << " port accesses (--io-log lists them)\n";
    }
    if (r.msr_count) {
        os << "\nMSR accesses (" << r.msr_count << "; WRMSR is dropped, RDMSR reads 0 unless allow-listed)\n";
        for (const auto& m : r.msrs) {
            std::snprintf(line, sizeof line, "  %s %s %s  %s", m.write ? "wrmsr" : "rdmsr", hex(m.index, 8).c_str(),
                          hex(m.value, 16).c_str(), m.write ? "dropped" : m.host_value ? "host" : "virtual");
            os << line << "\n";
        }
        if (r.msr_count > r.msrs.size()) os << "  ... " << (r.msr_count - r.msrs.size()) << " more\n";
    }
    if (!r.port_counts.empty()) {
        os << "\nports kept from the hardware (accesses):\n";
        for (const auto& c : r.port_counts)
            os << "  " << (c.write ? "out " : "in  ") << hex(c.port, 4) << "  "
               << disposition_name(c.disposition) << (c.disposition == IoDisposition::denied ? " (hard floor)" : "")
               << "  " << c.count
               << "\n";
        if (r.port_counts_lost) os << "  and " << r.port_counts_lost << " more accesses not counted\n";
    }
    return os.str();
}

namespace {

// Sets or removes the optional member `key`.
template <class V>
void optional_member(nlohmann::json& j, std::string_view key, bool present, V&& v)
{
    if (present)
        member(j, key) = std::forward<V>(v);
    else
        drop_member(j, key);
}

}  // namespace

void fill_call_json(nlohmann::json& j, const CallSpec& spec, const CallOutcome& out)
{
    using nlohmann::json;
    const RunResult& res = out.result;
    member(j, "schema") = "biosx.run";
    member(j, "schema_version") = kJsonSchemaVersion;
    json& entry = member(j, "entry");
    if (!entry.is_object() || entry.size() != (out.entry.kind == Entry::Kind::interrupt ? 2u : 4u))
        entry = json::object();
    if (out.entry.kind == Entry::Kind::interrupt) {
        member(entry, "kind") = "int";
        member(entry, "vector") = out.entry.vector;
    } else {
        member(entry, "kind") = "call";
        member(entry, "segment") = out.entry.seg;
        member(entry, "offset") = out.entry.off;
        member(entry, "linear") = (uint32_t{out.entry.seg} << 4) + out.entry.off;
    }
    member(j, "backend") = res.backend;
    optional_member(j, "strategy", !res.strategy.empty(), res.strategy);
    member(j, "source") = out.source;
    fill_json(member(j, "in"), out.in);
    fill_json(member(j, "out"), res.regs);
    fill_eflags(member(j, "flags_in"), out.in[Reg::eflags]);
    fill_eflags(member(j, "flags_out"), res.regs[Reg::eflags]);
    json& changed = empty_array(j, "changed");
    for (int i = 0; i < kRegCount; ++i)
        if (out.in.v[i] != res.regs.v[i]) changed.push_back(reg_name(static_cast<Reg>(i)));
    member(j, "carry") = (res.regs[Reg::eflags] & 1) != 0;
    json& end = member(j, "end");
    member(end, "kind") = end_kind_name(res.end.kind);
    member(end, "completed") = res.end.kind == EndKind::return_trap;
    member(end, "message") = res.end.message;
    optional_member(end, "vector", res.end.vector >= 0, res.end.vector);
    optional_member(end, "error_code", res.end.error_code >= 0, res.end.error_code);
    optional_member(end, "address", res.end.kind == EndKind::ept_violation || res.end.kind == EndKind::bad_memory,
                    res.end.address);
    json& counts = member(j, "counts");
    member(counts, "instructions") = res.instructions;
    member(counts, "exits") = res.exits;
    optional_member(counts, "exits_by_reason", !res.exits_by_reason.empty(), res.exits_by_reason);
    optional_member(counts, "tsc_cycles", res.tsc_cycles != 0, res.tsc_cycles);
    member(j, "elapsed_us") = static_cast<uint64_t>(res.elapsed_s * 1e6 + 0.5);
    json& bufs = empty_array(j, "buffers");
    for (size_t i = 0; i < spec.reads.size() && i < out.read_back.size(); ++i)
        bufs.push_back({{"segment", spec.reads[i].seg},
                        {"offset", spec.reads[i].off},
                        {"linear", spec.reads[i].linear},
                        {"length", spec.reads[i].len},
                        {"hex", hex_string(out.read_back[i])}});
    member(j, "io_count") = res.io_count;
    json& ports = empty_array(j, "io_ports");
    for (const auto& c : res.port_counts)
        ports.push_back({{"port", hex(c.port, 4)},
                         {"dir", c.write ? "out" : "in"},
                         {"disposition", std::string(disposition_name(c.disposition))},
                         {"count", c.count}});
    optional_member(j, "io_ports_lost", res.port_counts_lost != 0, res.port_counts_lost);
    if (spec.req.log_io) {
        json& io = empty_array(j, "io");
        for (const auto& a : res.io)
            io.push_back({{"port", a.port},
                          {"dir", a.write ? "out" : "in"},
                          {"size", a.size},
                          {"value", a.value},
                          {"disposition", std::string(disposition_name(a.disposition))}});
    } else {
        optional_member(j, "io", false, 0);
    }
    if (out.decoded)
        meaning::fill_json(member(j, "decoded"), *out.decoded);
    else
        optional_member(j, "decoded", false, 0);
    if (res.msr_count) {
        json& msrs = empty_array(j, "msr");
        for (const auto& m : res.msrs)
            msrs.push_back({{"index", m.index},
                            {"dir", m.write ? "wrmsr" : "rdmsr"},
                            {"value", m.value},
                            {"value_hex", hex(m.value, 16)},
                            {"disposition", m.write ? "dropped" : m.host_value ? "host" : "virtual"}});
    }
    optional_member(j, "msr_count", res.msr_count != 0, res.msr_count);
    if (!res.msr_count) optional_member(j, "msr", false, 0);
}

nlohmann::json call_to_json(const CallSpec& spec, const CallOutcome& out)
{
    nlohmann::json j = nlohmann::json::object();
    fill_call_json(j, spec, out);
    return j;
}

}  // namespace biosx
