// call.cpp - one BIOS call end to end, and its JSON form. Userspace.
#include "core/call.h"

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

// A segment or offset as SEG:OFF writes it: hex digits, 0x prefix or h
// suffix optional, at most 16 bits.
uint16_t parse_hex16(std::string_view t, std::string_view what)
{
    std::string_view s = t;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
    else if (s.size() > 1 && (s.back() == 'h' || s.back() == 'H')) s.remove_suffix(1);
    uint64_t v = 0;
    bool ok = !s.empty();
    for (char c : s) {
        int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (d < 0) ok = false;
        else if (v <= 0xffff) v = v << 4 | static_cast<uint64_t>(d);
    }
    if (!ok) fail(ErrorKind::usage, std::string(what) + ": '" + printable(t) + "' is not a hex number (e.g. c000)");
    if (v > 0xffff) fail(ErrorKind::usage, std::string(what) + ": " + printable(t) + " does not fit in 16 bits");
    return static_cast<uint16_t>(v);
}

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

uint32_t parse_seg_off(std::string_view text, std::string_view what, uint16_t* seg, uint16_t* off)
{
    auto colon = text.find(':');
    if (colon == std::string_view::npos)
        fail(ErrorKind::usage, std::string(what) + ": '" + printable(text) + "' is not SEG:OFF (e.g. c000:0003)");
    uint16_t s = parse_hex16(text.substr(0, colon), std::string(what) + " segment");
    uint16_t o = parse_hex16(text.substr(colon + 1), std::string(what) + " offset");
    if (seg) *seg = s;
    if (off) *off = o;
    return (uint32_t{s} << 4) + o;
}

BufferWrite parse_buffer_write(std::string_view spec)
{
    BufferWrite w;
    w.spec = spec;
    auto eq = spec.find('=');
    if (eq == std::string_view::npos)
        fail(ErrorKind::usage, "--write " + printable(spec) + ": expected SEG:OFF=HEX or SEG:OFF=@FILE");
    w.linear = parse_seg_off(spec.substr(0, eq), "--write");
    std::string_view data = spec.substr(eq + 1);
    if (!data.empty() && data[0] == '@') {
        std::string path(data.substr(1));
        // At most the real-mode address space: anything longer runs past it.
        w.bytes = read_input(path, "--write " + printable(spec.substr(0, eq + 1)) + "@", false, kRealModeSize + kHmaSize);
        if (w.bytes.empty()) fail(ErrorKind::usage, "--write " + printable(spec) + ": " + path + " is empty");
    } else {
        w.bytes = parse_hex_string(data, "--write " + printable(spec));
    }
    return w;
}

BufferRead parse_buffer_read(std::string_view spec)
{
    BufferRead r;
    r.spec = spec;
    auto last = spec.rfind(':');
    if (last == std::string_view::npos || spec.find(':') == last)
        fail(ErrorKind::usage, "--read " + printable(spec) + ": expected SEG:OFF:LEN (e.g. 0000:7e00:24)");
    r.linear = parse_seg_off(spec.substr(0, last), "--read", &r.seg, &r.off);
    uint64_t len = parse_number(spec.substr(last + 1), "--read " + printable(spec) + " length");
    if (len == 0 || len > (1u << 20))
        fail(ErrorKind::usage, "--read " + printable(spec) + ": length must be 1..1048576 bytes");
    r.len = static_cast<uint32_t>(len);
    return r;
}

uint8_t parse_vector(std::string_view text)
{
    uint64_t v = parse_number(text, "VECTOR");
    if (v > 0xff) fail(ErrorKind::usage, "VECTOR: " + printable(text) + " is not an interrupt number (0..0xff)");
    return static_cast<uint8_t>(v);
}

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
    // What the registers mean, for a call that completed: the bytes read
    // back, and the memory after the run for the pointers they hold.
    if (out.entry.kind == Entry::Kind::interrupt && out.result.end.kind == EndKind::return_trap) {
        meaning::Input in{out.entry.vector, out.in, out.result.regs, {}, mem.bytes()};
        for (size_t i = 0; i < spec.reads.size(); ++i) in.buffers.push_back({spec.reads[i].linear, out.read_back[i]});
        out.decoded = meaning::decode_call(in);
    }
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
    j["io_count"] = res.io_count;
    json ports = json::array();
    for (const auto& c : res.port_counts)
        ports.push_back({{"port", hex(c.port, 4)},
                         {"dir", c.write ? "out" : "in"},
                         {"disposition", std::string(disposition_name(c.disposition))},
                         {"count", c.count}});
    j["io_ports"] = ports;
    if (res.port_counts_lost) j["io_ports_lost"] = res.port_counts_lost;
    if (spec.req.log_io) j["io"] = io;
    if (out.decoded) j["decoded"] = meaning::to_json(*out.decoded);
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
