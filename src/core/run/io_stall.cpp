// io_stall.cpp - naming the virtual ports a run spun on. Userspace, pure code.
#include "core/run/io_stall.h"

#include <algorithm>

#include "core/format.h"

namespace biosx {

namespace {

// A port accessed this often before the limit struck was polled, not used
// once in passing (a BIOS initialising a device touches each port a few
// times; a wait loop, thousands of times a second).
constexpr uint64_t kPolled = 100;

}  // namespace

std::string polling_note(const RunResult& r, bool image)
{
    if (r.end.kind != EndKind::timeout && r.end.kind != EndKind::instruction_limit) return "";
    std::vector<PortCount> polled;
    for (const auto& c : r.port_counts)
        if (c.disposition == IoDisposition::virtual_ && c.count >= kPolled) polled.push_back(c);
    if (polled.empty()) return "";
    std::sort(polled.begin(), polled.end(), [](const PortCount& a, const PortCount& b) { return a.count > b.count; });
    if (polled.size() > 4) polled.resize(4);
    std::string s = " while polling virtual ports";
    bool cmos = false;
    for (size_t i = 0; i < polled.size(); ++i) {
        const auto& c = polled[i];
        s += std::string(i ? ", " : " ") + hex(c.port, 4) + " (" + (c.write ? "out" : "in") + ", " +
             std::to_string(c.count) + " times)";
        cmos = cmos || c.port == 0x70 || c.port == 0x71;
    }
    s += ", which never answer (reads give all ones)";
    if (cmos)
        s += image ? "; 0x70/0x71 are the CMOS/RTC: a snapshot that carries the CMOS answers them (docs/snapshot.md)"
                   : "; 0x70/0x71 are the CMOS/RTC: drop --virtual-io to have them mediated";
    return s;
}

}  // namespace biosx
