// run.cpp - the run model's names (end kinds) and the parsers of its limits. Userspace.
#include "core/run/run.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/error.h"
#include "core/format.h"
#include "x86/exceptions.h"

namespace biosx {

std::string_view end_kind_name(EndKind k)
{
    switch (k) {
    case EndKind::return_trap: return "return_trap";
    case EndKind::timeout: return "timeout";
    case EndKind::instruction_limit: return "instruction_limit";
    case EndKind::halt: return "halt";
    case EndKind::exception: return "exception";
    case EndKind::triple_fault: return "triple_fault";
    case EndKind::ept_violation: return "ept_violation";
    case EndKind::entry_failure: return "entry_failure";
    case EndKind::bad_memory: return "bad_memory";
    case EndKind::machine_check: return "machine_check";
    case EndKind::interrupted: return "interrupted";
    case EndKind::other: return "other";
    }
    return "other";
}

RunEnd returned_to_trap() { return {EndKind::return_trap, "the routine returned to the trap"}; }

RunEnd halted(uint16_t cs, uint16_t ip)
{
    return {EndKind::halt, "HLT at " + seg_off(cs, ip) + " outside the return trap"};
}

RunEnd cpu_exception(unsigned vector, uint16_t cs, uint16_t ip, int64_t error_code)
{
    RunEnd e;
    e.kind = EndKind::exception;
    e.vector = static_cast<int>(vector);
    e.error_code = error_code;
    std::string name;
    if (const char* n = biosx_exception_name(vector)) {
        const char* m = biosx_exception_mnemonic(vector);
        name = std::string(" (") + (std::string_view(m) != n ? std::string(m) + " " : "") + n + ")";
    }
    e.message = "CPU exception " + std::to_string(vector) + name + " at " + seg_off(cs, ip);
    if (error_code >= 0) e.message += ", error code " + hex(static_cast<uint64_t>(error_code));
    return e;
}

RunEnd timed_out(double timeout_s)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", timeout_s);
    return {EndKind::timeout, std::string("stopped after the ") + buf + " s time limit (--timeout)"};
}

RunEnd outside_memory(std::string_view what, uint64_t addr, size_t mem_size)
{
    return {EndKind::bad_memory,
            std::string(what) + " " + hex(addr, 5) + ", outside the memory source (" + std::to_string(mem_size) + " bytes)",
            -1, -1, addr};
}

}  // namespace biosx
