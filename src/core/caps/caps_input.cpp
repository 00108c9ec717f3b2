// caps_input.cpp - what a user writes for `biosx caps`: --cpu N, and which
// CPU of a saved file it names. Userspace.
#include "core/caps/caps.h"
#include "core/error.h"
#include "core/format.h"

namespace biosx::caps {

namespace {

// Linux's largest configuration (CONFIG_MAXSMP) has 8192 CPUs.
constexpr uint64_t kMaxCpu = 8191;

}  // namespace

int parse_cpu(std::string_view text)
{
    uint64_t n = parse_number(text, "--cpu");
    if (n > kMaxCpu) fail(ErrorKind::usage, "--cpu " + printable(text) + ": outside 0..8191");
    return static_cast<int>(n);
}

int cpu_index(const RawCaps& raw, int cpu, const std::string& origin)
{
    for (size_t i = 0; i < raw.cpus.size(); ++i)
        if (raw.cpus[i].cpu == cpu) return static_cast<int>(i);
    fail(ErrorKind::usage, "--cpu " + std::to_string(cpu) + ": " + origin + " has no such CPU");
}

}  // namespace biosx::caps
