// run.h - the run model every backend shares: what to run (Entry, Limits,
// RunRequest) and how it ended (EndKind, RunEnd, RunResult). No backend in
// it: the backends (src/core/backend/) take a RunRequest and return a
// RunResult. Userspace.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/run/io_policy.h"
#include "core/run/registers.h"
#include "core/run/vcpu_state.h"

namespace biosx {

// What to run: INT n through the IVT, or a far call to SEG:OFF.
struct Entry {
    enum class Kind { interrupt, far_call } kind = Kind::interrupt;
    uint8_t vector = 0;
    uint16_t seg = 0, off = 0;
};

// The documented ranges (docs/biosx.1): --max-instructions 1..10^12,
// --timeout (0, 60] seconds on every backend (the module runs at most
// 60000 ms, in slices; sub-millisecond values round up to 1 ms there).
inline constexpr uint64_t kMaxInstructionsLimit = 1'000'000'000'000;
inline constexpr double kMaxTimeoutS = 60.0;

struct Limits {
    uint64_t max_instructions = 50'000'000;  // emu only
    double timeout_s = 5.0;                  // wall clock, every backend
};

struct RunRequest {
    Entry entry;
    Registers regs;  // as the routine sees them at its first instruction's caller
    Limits limits;
    IoPolicy io;
    FILE* trace = nullptr;  // --trace: instructions and I/O, or nullptr
    bool log_io = false;    // --io-log: every access listed (vmx: exits on every port)
    std::string strategy = "auto";  // vmx: auto | unrestricted | vm86
    bool test_bad_entry = false;    // vmx test hook: make VM entry fail
};

// How a run ended. `return_trap` is the only success.
enum class EndKind {
    return_trap,        // IRET/RETF landed on the trap stub
    timeout,            // wall-clock limit
    instruction_limit,  // emu instruction limit
    halt,               // HLT outside the trap
    exception,          // CPU exception in the guest (vector, error code)
    triple_fault,
    ept_violation,      // access outside the guest area (address)
    entry_failure,      // VM-entry failed (VM-instruction error)
    bad_memory,         // access outside the memory source
    machine_check,      // #MC during the run (vmx: the host's handler ran)
    interrupted,        // fatal signal or shutdown (vmx)
    other,
};
std::string_view end_kind_name(EndKind k);

struct RunEnd {
    EndKind kind = EndKind::other;
    std::string message;     // one sentence for humans
    int vector = -1;         // exception vector, when kind == exception
    int64_t error_code = -1; // exception error code / VM-instruction error
    uint64_t address = 0;    // faulting address (ept_violation, bad_memory)
};

// The ends every backend can report, spelled once so that one end kind
// reads the same whichever backend ran the routine.
RunEnd returned_to_trap();
RunEnd halted(uint16_t cs, uint16_t ip);
// "CPU exception 13 (#GP general protection) at f000:1234, error code 0"
// (shared/x86/exceptions.h); error_code < 0 when the CPU pushed none.
RunEnd cpu_exception(unsigned vector, uint16_t cs, uint16_t ip, int64_t error_code = -1);
RunEnd timed_out(double timeout_s);
// "read from 0x110000, outside the memory source (1048576 bytes)"; WHAT is
// "read from", "write to" or "fetch from".
RunEnd outside_memory(std::string_view what, uint64_t addr, size_t mem_size);

// One RDMSR/WRMSR of the routine (vmx backend: no WRMSR reaches an MSR;
// a read gets the host's value only for the module's allow-list, else 0).
struct MsrAccess {
    uint32_t index = 0;
    bool write = false;
    bool host_value = false;  // the read returned the host's real value
    uint64_t value = 0;
};

// Port accesses a result lists (the module's log holds as many): a REP
// INS/OUTS can make billions, which are counted, not kept.
inline constexpr size_t kIoLogMax = 65536;

struct RunResult {
    Registers regs;
    RunEnd end;
    std::string backend;                       // "emu", "vmx" or "kvm"
    uint64_t instructions = 0;                 // emu: executed instructions
    uint64_t exits = 0;                        // vmx: VM exits
    std::map<std::string, uint64_t> exits_by_reason;
    uint64_t tsc_cycles = 0;                   // vmx
    double elapsed_s = 0;
    std::string strategy;                      // vmx: "unrestricted" or "vm86"
    uint64_t msr_count = 0;                    // vmx: RDMSR/WRMSR executed
    std::vector<MsrAccess> msrs;               // vmx: the first of them (the module keeps 16)
    uint64_t io_count = 0;                     // port accesses (vmx: those that exited)
    std::vector<IoAccess> io;                  // the first kIoLogMax of them, in order
    std::vector<PortCount> port_counts;        // refused and virtual accesses, per port
    uint64_t port_counts_lost = 0;             // vmx: not counted, the module's table was full
    std::optional<VcpuState> vcpu;             // kvm: the vCPU's system state after the run
};

}  // namespace biosx
