// call.cpp - one BIOS call end to end, and its JSON form. Userspace.
#include "core/call/call.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/files.h"
#include "core/format.h"
#include "x86/realmode.h"

namespace biosx {

namespace {

// The linear addresses of the words biosx pushes below SS:SP: FLAGS, CS, IP
// for INT, CS, IP for a far call. SP wraps inside the segment.
std::vector<uint32_t> frame_words(const RunRequest& req)
{
    std::vector<uint32_t> w;
    int n = req.entry.kind == Entry::Kind::interrupt ? 3 : 2;
    uint16_t sp = static_cast<uint16_t>(req.regs[Reg::esp]);
    for (int i = 0; i < n; ++i) {
        sp = static_cast<uint16_t>(sp - 2);
        w.push_back((req.regs[Reg::ss] << 4) + sp);
    }
    return w;
}

}  // namespace

CallOutcome run_call(Backend& backend, Memory& mem, const CallSpec& spec)
{
    // Validate every range first: a bad --read must not leave a half-done run.
    auto size = mem.size();
    for (const auto& w : spec.writes)
        if (w.linear + w.bytes.size() > size)
            fail(ErrorKind::usage, "--write " + w.spec + ": " + std::to_string(w.bytes.size()) + " bytes at " +
                                       hex(w.linear, 5) + " run past the end of memory (" + hex(size, 5) + ")");
    for (const auto& r : spec.reads)
        if (uint64_t{r.linear} + r.len > size)
            fail(ErrorKind::usage, "--read " + r.spec + ": " + std::to_string(r.len) + " bytes at " + hex(r.linear, 5) +
                                       " run past the end of memory (" + hex(size, 5) + ")");
    // biosx's own bytes: the return trap and the frame pushed below SS:SP.
    // A user write there would be silently replaced, so it is refused.
    const auto frame = frame_words(spec.req);
    const std::string stack = "--ss " + hex(spec.req.regs[Reg::ss], 4) + " --sp " +
                              hex(spec.req.regs[Reg::esp] & 0xffff, 4);
    for (uint32_t a : frame)
        if (uint64_t{a} + 2 > size)
            fail(ErrorKind::usage, stack + ": the return frame biosx pushes below SS:SP (" + hex(a, 5) + "-" +
                                       hex(a + 1, 5) + ") lies outside the memory (" + hex(size, 5) + " bytes)");
    const uint32_t lo = *std::min_element(frame.begin(), frame.end()), hi = *std::max_element(frame.begin(), frame.end()) + 1;
    for (const auto& w : spec.writes) {
        const uint64_t b = w.linear, e = b + w.bytes.size();
        if (b <= BIOSX_TRAP_LINEAR && BIOSX_TRAP_LINEAR < e)
            fail(ErrorKind::usage, "--write " + w.spec + ": overlaps biosx's return trap at " +
                                       hex(BIOSX_TRAP_LINEAR, 5) + " (0000:0600, 1 byte); write elsewhere");
        for (uint32_t a : frame)
            if (b < a + 2u && a < e)
                fail(ErrorKind::usage, "--write " + w.spec + ": overlaps the return frame biosx pushes below SS:SP at " +
                                           hex(lo, 5) + "-" + hex(hi, 5) + " (" + stack + "); write elsewhere or move the stack");
    }
    for (const auto& w : spec.writes) mem.write(w.linear, w.bytes);

    CallOutcome out;
    out.entry = spec.req.entry;
    out.in = spec.req.regs;
    out.source = mem.describe();
    out.result = backend.run(mem, spec.req);
    for (const auto& r : spec.reads) out.read_back.push_back(mem.read(r.linear, r.len));
    return out;
}

nlohmann::json call_to_json(const CallSpec& spec, const CallOutcome& out)
{
    using nlohmann::json;
    const RunResult& res = out.result;
    json j;
    j["schema"] = "biosx.run";
    j["schema_version"] = kJsonSchemaVersion;
    if (out.entry.kind == Entry::Kind::interrupt)
        j["entry"] = {{"kind", "int"}, {"vector", out.entry.vector}};
    else
        j["entry"] = {{"kind", "call"},
                      {"segment", out.entry.seg},
                      {"offset", out.entry.off},
                      {"linear", (uint32_t{out.entry.seg} << 4) + out.entry.off}};
    j["backend"] = res.backend;
    if (!res.strategy.empty()) j["strategy"] = res.strategy;
    j["source"] = out.source;
    j["in"] = to_json(out.in);
    j["out"] = to_json(res.regs);
    j["flags_in"] = decode_eflags(out.in[Reg::eflags]);
    j["flags_out"] = decode_eflags(res.regs[Reg::eflags]);
    json changed = json::array();
    for (int i = 0; i < kRegCount; ++i)
        if (out.in.v[i] != res.regs.v[i]) changed.push_back(std::string(reg_name(static_cast<Reg>(i))));
    j["changed"] = changed;
    j["carry"] = (res.regs[Reg::eflags] & 1) != 0;
    json end = {{"kind", std::string(end_kind_name(res.end.kind))},
                {"completed", res.end.kind == EndKind::return_trap},
                {"message", res.end.message}};
    if (res.end.vector >= 0) end["vector"] = res.end.vector;
    if (res.end.error_code >= 0) end["error_code"] = res.end.error_code;
    if (res.end.kind == EndKind::ept_violation || res.end.kind == EndKind::bad_memory)
        end["address"] = res.end.address;
    j["end"] = end;
    json counts = {{"instructions", res.instructions}, {"exits", res.exits}};
    if (!res.exits_by_reason.empty()) counts["exits_by_reason"] = res.exits_by_reason;
    if (res.tsc_cycles) counts["tsc_cycles"] = res.tsc_cycles;
    j["counts"] = counts;
    j["elapsed_us"] = static_cast<uint64_t>(res.elapsed_s * 1e6 + 0.5);
    json bufs = json::array();
    for (size_t i = 0; i < spec.reads.size() && i < out.read_back.size(); ++i)
        bufs.push_back({{"segment", spec.reads[i].seg},
                        {"offset", spec.reads[i].off},
                        {"linear", spec.reads[i].linear},
                        {"length", spec.reads[i].len},
                        {"hex", hex_string(out.read_back[i])}});
    j["buffers"] = bufs;
    json io = json::array();
    for (const auto& a : res.io)
        io.push_back({{"port", a.port},
                      {"dir", a.write ? "out" : "in"},
                      {"size", a.size},
                      {"value", a.value},
                      {"disposition", std::string(disposition_name(a.disposition))}});
    j["io_count"] = res.io.size();
    json ports = json::array();
    for (const auto& c : res.port_counts)
        ports.push_back({{"port", hex(c.port, 4)},
                         {"dir", c.write ? "out" : "in"},
                         {"disposition", std::string(disposition_name(c.disposition))},
                         {"count", c.count}});
    j["io_ports"] = ports;
    if (res.port_counts_lost) j["io_ports_lost"] = res.port_counts_lost;
    if (spec.req.log_io) j["io"] = io;
    if (res.msr_count) {
        json msrs = json::array();
        for (const auto& m : res.msrs)
            msrs.push_back({{"index", m.index},
                            {"dir", m.write ? "wrmsr" : "rdmsr"},
                            {"value", m.value},
                            {"value_hex", hex(m.value, 16)},
                            {"disposition", m.write ? "dropped" : m.host_value ? "host" : "virtual"}});
        j["msr_count"] = res.msr_count;
        j["msr"] = msrs;
    }
    return j;
}

}  // namespace biosx
