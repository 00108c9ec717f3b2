// print_run.cpp - the text view of one run: input vs output registers,
// changed ones marked, EFLAGS decoded with CF called out. Userspace CLI.
#include "cli/print_run.h"

#include <cstdio>

#include "core/format.h"

namespace biosx::cli {

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

void print_run_text(std::ostream& os, const CallSpec& spec, const CallOutcome& out, bool color)
{
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
                          a.disposition == IoDisposition::denied ? "DENIED"
                                                                 : std::string(disposition_name(a.disposition)).c_str());
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
               << (c.disposition == IoDisposition::denied ? "DENIED (hard floor)" : "virtual") << "  " << c.count
               << "\n";
        if (r.port_counts_lost) os << "  and " << r.port_counts_lost << " more accesses not counted\n";
    }
}

}  // namespace biosx::cli
