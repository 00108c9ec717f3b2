// call_input.cpp - the parsers of what a user writes for one call.
// Userspace.
#include "core/call/call_input.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/error.h"
#include "core/files.h"
#include "core/format.h"
#include "core/run/memory.h"
#include "core/run/start_state.h"

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

Registers parse_registers(const RegisterInput& in)
{
    Registers r = default_registers();
    if (!in.json.empty()) apply_assignments(r, parse_regs_json(in.json, "--regs"));
    if (!in.file.empty()) {
        auto bytes = read_input(in.file, "--regs-file", true);
        std::string origin = "--regs-file " + (in.file == "-" ? std::string("(stdin)") : in.file);
        apply_assignments(r, parse_regs_json(std::string(bytes.begin(), bytes.end()), origin));
    }
    std::vector<RegAssignment> flags;
    for (const auto& [name, value] : in.flags) {
        const RegAlias* a = find_alias(name);
        if (!a) fail(ErrorKind::usage, "--" + printable(name) + ": not a register (known: eax..ss, ax..dx, ah..dl)");
        flags.push_back({a, value, "--" + name});
    }
    apply_assignments(r, flags);
    return r;
}

std::vector<PortRange> parse_allowed_ports(const std::vector<std::string>& specs, const PortMap& map)
{
    std::vector<PortRange> out;
    for (const auto& s : specs) {
        auto dash = s.find('-');
        uint64_t a = parse_number(s.substr(0, dash), "--allow-port");
        uint64_t b = dash == std::string::npos ? a : parse_number(s.substr(dash + 1), "--allow-port");
        if (a > 0xffff || b > 0xffff || b < a)
            fail(ErrorKind::usage, "--allow-port " + s + ": expected PORT or FIRST-LAST within 0..0xffff");
        for (uint64_t p = a; p <= b; ++p)
            if (auto why = floor_reason(map, static_cast<uint16_t>(p)); !why.empty())
                fail(ErrorKind::usage, "--allow-port " + s + ": port " + hex(p, 4) + " is on the hard floor (" + why +
                                           "); no option opens it");
        out.push_back({static_cast<uint16_t>(a), static_cast<uint16_t>(b)});
    }
    return out;
}

std::string parse_strategy(std::string_view text, std::string_view what)
{
    if (std::find(std::begin(kStrategies), std::end(kStrategies), text) == std::end(kStrategies))
        fail(ErrorKind::usage, std::string(what) + " " + printable(std::string(text), 40) +
                                   ": expected auto, unrestricted or vm86");
    return std::string(text);
}

double parse_timeout(std::string_view text, std::string_view what)
{
    const std::string t(text), w(what);
    char* end = nullptr;
    double v = t.empty() || t[0] == ' ' ? NAN : std::strtod(t.c_str(), &end);
    if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(v) || t.find_first_of("xXnNiIpP") != std::string::npos)
        fail(ErrorKind::usage, w + ": '" + printable(t) + "' is not a number of seconds (e.g. 5 or 0.5)");
    if (!(v > 0) || v > kMaxTimeoutS) fail(ErrorKind::usage, w + ": " + printable(t) + " is outside (0, 60] seconds");
    return v;
}

uint64_t parse_max_instructions(std::string_view text, std::string_view what)
{
    uint64_t v = 0;
    try {
        v = parse_number(text, what);
    } catch (const Error& e) {
        if (std::string_view(e.what()).find("is not a number") != std::string_view::npos) throw;
        v = 0;  // negative or past 64 bits: the range says it all
    }
    if (v < 1 || v > kMaxInstructionsLimit)
        fail(ErrorKind::usage, std::string(what) + ": " + printable(text) + " is outside 1..1000000000000");
    return v;
}

Limits parse_limits(std::string_view timeout, std::string_view max_instructions)
{
    Limits l;
    if (!max_instructions.empty()) l.max_instructions = parse_max_instructions(max_instructions, "--max-instructions");
    if (!timeout.empty()) l.timeout_s = parse_timeout(timeout, "--timeout");
    return l;
}

}  // namespace biosx
