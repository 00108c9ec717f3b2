// caps_file.cpp - the text format of `biosx caps --save/--from`, the same
// format tests/vm/msrdump.c writes for tests/vm/cpu-models/<MODEL>.msr
// (docs/caps.md). Userspace.
#include <cctype>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "core/caps/caps.h"
#include "core/error.h"
#include "core/files.h"
#include "core/format.h"

namespace biosx::caps {

namespace {

std::string hex(uint64_t v, int digits = 0)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(v));
    return buf;
}

std::optional<uint64_t> number(const std::string& s)
{
    if (s.empty()) return std::nullopt;
    uint64_t v = 0;
    size_t i = 0;
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    for (; i < s.size(); ++i) {
        const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else
            return std::nullopt;
        if (v > (UINT64_MAX - d) / base) return std::nullopt;
        v = v * base + d;
    }
    return v;
}

}  // namespace

RawCaps parse_caps_file(const std::string& text, const std::string& origin)
{
    RawCaps raw;
    raw.source = "file " + origin;
    // A text format: a NUL or other control byte means this is not one
    // (and its bytes must not reach the terminal in a message).
    for (size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
            fail(ErrorKind::usage, origin + ": not a caps file (binary data at byte " + std::to_string(i) +
                                       "; expected the text biosx caps --save writes)");
    }
    std::istringstream in(text);
    std::string line;
    int lineno = 0;
    CpuValues* cur = nullptr;
    std::set<int> seen_cpus;
    auto bad = [&](const std::string& why) { fail(ErrorKind::usage, origin + ":" + std::to_string(lineno) + ": " + why); };
    auto cpu = [&]() -> CpuValues& {
        if (!cur) {
            // Values before any "cpu N" line belong to CPU 0.
            raw.cpus.push_back(CpuValues{});
            seen_cpus.insert(0);
            cur = &raw.cpus.back();
        }
        return *cur;
    };
    auto want = [&](const std::vector<std::string>& t, size_t n, const char* usage) {
        if (t.size() != n) bad(std::string("expected \"") + usage + "\"");
    };
    auto num = [&](const std::string& s, const char* what, uint64_t max) {
        auto v = number(s);
        if (!v) bad(std::string(what) + " \"" + printable(s) + "\" is not a number");
        if (*v > max) bad(std::string(what) + " " + printable(s) + " does not fit in " + (max == 0xffffffffull ? "32" : "64") + " bits");
        return *v;
    };

    while (std::getline(in, line)) {
        ++lineno;
        if (auto h = line.find('#'); h != std::string::npos) line.erase(h);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::istringstream ls(line);
        std::vector<std::string> t;
        for (std::string w; ls >> w;) t.push_back(w);
        if (t.empty()) continue;
        const std::string& k = t[0];
        if (k == "cpu-model") {
            if (t.size() < 2) bad("expected \"cpu-model NAME\"");
            raw.model = line.substr(line.find(t[1], line.find(k) + k.size()));
            while (!raw.model.empty() && std::isspace(static_cast<unsigned char>(raw.model.back()))) raw.model.pop_back();
        } else if (k == "vendor") {
            want(t, 2, "vendor NAME");
            raw.vendor = t[1];
        } else if (k == "source") {
            want(t, 2, "source NAME");
        } else if (k.rfind("cpuid", 0) == 0) {
            // cpuid<LEAF>.<reg>, LEAF in hex: cpuid1.ecx, cpuid8000000a.edx
            const auto dot = k.find('.');
            const std::string leaf = dot == std::string::npos ? "" : k.substr(5, dot - 5);
            const std::string reg = dot == std::string::npos ? "" : k.substr(dot + 1);
            auto lv = number("0x" + leaf);
            if (leaf.empty() || !lv || *lv > 0xffffffffull || (reg != "eax" && reg != "ebx" && reg != "ecx" && reg != "edx"))
                bad("\"" + printable(k) + "\" is not cpuid<LEAF>.<eax|ebx|ecx|edx>");
            want(t, 2, "cpuidLEAF.REG VALUE");
            char key[32];
            std::snprintf(key, sizeof key, "%llx.%s", static_cast<unsigned long long>(*lv), reg.c_str());
            raw.cpuid[key] = static_cast<uint32_t>(num(t[1], "value", 0xffffffffull));
        } else if (k == "cpu") {
            want(t, 2, "cpu N");
            const int n = static_cast<int>(num(t[1], "CPU number", 0xffffff));
            if (!seen_cpus.insert(n).second) bad("CPU " + printable(t[1]) + " appears twice");
            raw.cpus.push_back(CpuValues{});
            cur = &raw.cpus.back();
            cur->cpu = n;
        } else if (k == "msr") {
            want(t, 3, "msr INDEX VALUE");
            const auto idx = static_cast<uint32_t>(num(t[1], "MSR index", 0xffffffffull));
            const uint64_t val = num(t[2], "MSR value", UINT64_MAX);
            auto& c = cpu();
            if (c.msr.count(idx) || c.absent.count(idx)) bad("MSR " + hex(idx) + " appears twice");
            c.msr[idx] = val;
        } else if (k == "absent") {
            want(t, 2, "absent INDEX");
            const auto idx = static_cast<uint32_t>(num(t[1], "MSR index", 0xffffffffull));
            auto& c = cpu();
            if (c.msr.count(idx) || c.absent.count(idx)) bad("MSR " + hex(idx) + " appears twice");
            c.absent[idx] = true;
        } else {
            bad("unknown keyword \"" + printable(k) + "\" (expected cpu-model, vendor, cpuidLEAF.REG, cpu, msr or absent)");
        }
    }
    // A "cpu N" section without values says nothing, and --save could not
    // write it back (fuzz_caps_file finding, tests/fuzz/regressions/caps_file).
    for (const auto& c : raw.cpus)
        if (c.msr.empty() && c.absent.empty())
            fail(ErrorKind::usage, origin + ": CPU " + std::to_string(c.cpu) + " has no \"msr\" or \"absent\" lines");
    if (raw.vendor.empty()) fail(ErrorKind::usage, origin + ": no \"vendor\" line");
    if (!raw.cpuid_reg("1.ecx")) fail(ErrorKind::usage, origin + ": no \"cpuid1.ecx\" line");
    if (raw.has_vmx() && raw.cpus.empty()) fail(ErrorKind::usage, origin + ": CPUID says VMX but the file has no \"msr\" lines");
    return raw;
}

RawCaps load_caps_file(const std::string& path)
{
    auto bytes = read_input(path, "--from");
    return parse_caps_file(std::string(bytes.begin(), bytes.end()), path);
}

std::string format_caps_file(const RawCaps& raw)
{
    std::ostringstream o;
    o << "# biosx caps --save: raw VMX capability values (format: docs/caps.md)\n";
    if (!raw.source.empty()) o << "source " << raw.source.substr(0, raw.source.find(' ')) << "\n";
    o << "cpu-model " << (raw.model.empty() ? "unknown" : raw.model) << "\n";
    o << "vendor " << (raw.vendor.empty() ? "unknown" : raw.vendor) << "\n";
    // cpuid1.ecx first, as msrdump writes it, then any other leaf.
    if (auto e = raw.cpuid_reg("1.ecx")) o << "cpuid1.ecx " << hex(*e, 8) << "\n";
    for (const auto& [k, v] : raw.cpuid)
        if (k != "1.ecx") o << "cpuid" << k << " " << hex(v, 8) << "\n";
    const bool sections = raw.cpus.size() > 1 || (raw.cpus.size() == 1 && raw.cpus[0].cpu != 0);
    for (const auto& c : raw.cpus) {
        if (sections) o << "cpu " << c.cpu << "\n";
        std::set<uint32_t> all;
        for (const auto& [i, v] : c.msr) all.insert(i);
        for (const auto& [i, v] : c.absent) all.insert(i);
        for (uint32_t i : all) {
            char idx[16];
            std::snprintf(idx, sizeof idx, "0x%03x", i);
            if (auto it = c.msr.find(i); it != c.msr.end())
                o << "msr " << idx << " " << hex(it->second, 16) << "\n";
            else
                o << "absent " << idx << "\n";
        }
    }
    return o.str();
}

}  // namespace biosx::caps
