// cmd_int_call.cpp - `biosx int VECTOR` and `biosx call SEG:OFF`: parse
// registers and buffers, run the call in a libbiosx session (the code path
// a program takes), print the outcome. Userspace CLI.
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/session.h"
#include "cli/subcommand.h"
#include "core/call/call.h"
#include "core/call/call_input.h"
#include "core/error.h"
#include "core/files.h"
#include "core/format.h"
#include "core/vmx/vmcs_record.h"

namespace biosx::cli {

namespace {

struct RunOptions {
    std::string target;  // VECTOR or SEG:OFF
    std::map<std::string, std::vector<std::string>> reg_flags;  // alias -> values given
    std::string regs_json, regs_file;
    std::vector<std::string> writes, reads, allow_ports;
    std::string read_to, trace_file, strategy = "auto", state;
    bool trace = false, io_log = false, fail_on_carry = false, virtual_io = false, pass_io = false,
         dump_vmcs = false, test_bad_entry = false;
    std::string max_instructions, timeout;
};

void run(const RunOptions& o, Entry::Kind kind)
{
    // Everything the user gave is checked before anything is opened for
    // writing or run: a refused command leaves no file behind.
    CallSpec spec;
    Entry& e = spec.req.entry;
    e.kind = kind;
    if (kind == Entry::Kind::interrupt)
        e.vector = parse_vector(o.target);
    else
        parse_seg_off(o.target, "SEG:OFF", &e.seg, &e.off);
    RegisterInput regs{o.regs_json, o.regs_file, {}};
    for (const auto& [name, values] : o.reg_flags)
        for (const auto& v : values) regs.flags.emplace_back(name, v);
    spec.req.regs = parse_registers(regs);
    for (const auto& w : o.writes) spec.writes.push_back(parse_buffer_write(w));
    for (const auto& r : o.reads) spec.reads.push_back(parse_buffer_read(r));
    if (!o.read_to.empty() && spec.reads.empty())
        fail(ErrorKind::usage, "--read-to " + o.read_to + ": give at least one --read SEG:OFF:LEN to save");
    if (!o.trace_file.empty() && !o.trace)
        fail(ErrorKind::usage, "--trace-file " + o.trace_file + ": only meaningful with --trace");
    spec.req.limits = parse_limits(o.timeout, o.max_instructions);
    spec.req.log_io = o.io_log;
    spec.req.strategy = o.strategy;
    spec.req.test_bad_entry = o.test_bad_entry;

    // The port policy (docs/module.md): the hard floor is checked before
    // anything opens; over the host the table applies, with --virtual-io,
    // --pass-io and --allow-port (over an image: IoPolicy::over).
    spec.req.io.allow = parse_allowed_ports(o.allow_ports, *host_port_map());
    auto session = open_session_from_globals();
    const std::string backend = session->backend().name();
    if (o.dump_vmcs && backend != "vmx" && backend != "kvm") {
        bool chosen = !globals().image.empty() || globals().backend == "emu";
        fail(chosen ? ErrorKind::usage : ErrorKind::environment,
             "--dump-vmcs needs the vmx or kvm backend, and this run would use " + backend +
                 (chosen ? " (use --backend kvm, or drop --image / --backend emu)"
                         : " (/dev/biosx and /dev/kvm are not usable here)"));
    }
    spec.req.io.virtual_io = o.virtual_io;
    spec.req.io.pass_io = o.pass_io;

    // Outputs last of all checks: never a file this command reads.
    std::optional<OutputFile> trace, read_to;
    if (o.trace) {
        if (o.trace_file.empty() || o.trace_file == "-") {
            spec.req.trace = stderr;
        } else {
            trace.emplace(o.trace_file, "--trace-file");
            spec.req.trace = trace->stream();
        }
    }
    if (!o.read_to.empty()) read_to.emplace(o.read_to, "--read-to");
    std::optional<StateFile> state;
    if (!o.state.empty()) state.emplace(*session, o.state);

    CallOutcome out = session->call(spec);
    print_notes(*session);
    std::optional<vmx::VmcsRecord> vmcs;
    // KVM keeps its VMCS (or VMCB) in the kernel: the kvm backend shows the
    // vCPU's system state instead.
    const bool vcpu_only = o.dump_vmcs && backend == "kvm";
    if (o.dump_vmcs && !vcpu_only) vmcs = vmx::fetch_last_vmcs();

    if (trace) trace->commit();
    if (state) state->save();
    if (read_to) {
        for (const auto& b : out.read_back) read_to->write(b);
        read_to->commit();
    }
    if (globals().json) {
        nlohmann::json j = call_to_json(spec, out);
        if (vmcs) j["vmcs"] = vmx::vmcs_to_json(*vmcs);
        if (vcpu_only && out.result.vcpu) j["vcpu"] = vcpu_to_json(*out.result.vcpu);
        print_json(j);
    } else {
        std::cout << render_call_text(spec, out, use_color());
        if (vmcs) std::cout << "\n" << vmx::render_vmcs_text(*vmcs);
        if (vcpu_only && out.result.vcpu)
            std::cout << "\nno VMCS to show: KVM keeps it in the kernel (kvm backend)\n"
                      << render_vcpu_text(*out.result.vcpu);
    }

    if (out.result.end.kind != EndKind::return_trap) {
        std::fprintf(stderr, "biosx: the routine did not complete: %s\n", out.result.end.message.c_str());
        throw Exit{static_cast<int>(ExitCode::incomplete)};
    }
    if (o.fail_on_carry && (out.result.regs[Reg::eflags] & 1)) throw Exit{static_cast<int>(ExitCode::carry)};
}

void add_run_options(CLI::App* sub, RunOptions& o)
{
    for (const auto& a : reg_aliases()) {
        std::string name(a.name);
        sub->add_option("--" + name, o.reg_flags[name], "Input " + std::to_string(a.bits) + "-bit register " + name)
            ->type_name("N")
            ->group("Registers (hex 0x4f00 / 4f00h, or decimal)");
    }
    sub->add_option("--regs", o.regs_json,
                    "Registers as a JSON object, e.g. '{\"eax\":\"0xe820\",\"ecx\":24}' (widest first, each once)")
        ->type_name("JSON")->group("Registers (hex 0x4f00 / 4f00h, or decimal)");
    sub->add_option("--regs-file", o.regs_file, "Registers from a JSON file, or - for stdin")
        ->type_name("FILE")->group("Registers (hex 0x4f00 / 4f00h, or decimal)");
    sub->add_option("--write", o.writes, "Write bytes before the run: SEG:OFF=HEX or SEG:OFF=@FILE (repeatable)")
        ->type_name("SPEC")->group("Buffers");
    sub->add_option("--read", o.reads, "Read bytes back after the run: SEG:OFF:LEN (repeatable)")
        ->type_name("SPEC")->group("Buffers");
    sub->add_option("--read-to", o.read_to, "Save the --read bytes, raw and in order, to FILE")
        ->type_name("FILE")->group("Buffers");
    sub->add_option("--max-instructions", o.max_instructions, "Emulation: stop after N instructions (1..10^12)")
        ->type_name("N")->default_str(std::to_string(Limits{}.max_instructions))->group("Limits");
    sub->add_option("--timeout", o.timeout, "Stop after SECONDS of wall-clock time, (0, 60]")
        ->type_name("SECONDS")->default_str("5")->group("Limits");
    sub->add_flag("--io-log", o.io_log, "List every port access in the output")->group("I/O");
    auto* virt = sub->add_flag("--virtual-io", o.virtual_io, "Never touch hardware ports, even over host memory")
                     ->group("I/O");
    sub->add_flag("--pass-io", o.pass_io,
                  "Experts: every port above the hard floor that would be virtual reaches the hardware")
        ->excludes(virt)
        ->group("I/O");
    sub->add_option("--allow-port", o.allow_ports,
                    "Let PORT or FIRST-LAST reach the hardware (never the hard floor: reset, DMA, PIC, PIT, SMI)")
        ->type_name("PORTS")->group("I/O");
    sub->add_flag("--trace", o.trace, "Trace every instruction (CS:IP, disassembly) and I/O access to stderr")
        ->group("Debugging");
    sub->add_option("--trace-file", o.trace_file, "With --trace: write the trace to FILE instead of stderr")
        ->type_name("FILE")->group("Debugging");
    sub->add_flag("--fail-on-carry", o.fail_on_carry, "Exit with code 5 when the call returns CF=1");
    add_state_option(sub, o.state);
    add_strategy_option(sub, o.strategy);
    // Test hook of the VM tests: an invalid guest state, so the entry fails.
    sub->add_flag("--test-bad-entry", o.test_bad_entry, "")->group("");
    sub->add_flag("--dump-vmcs", o.dump_vmcs, "After the run, dump the VMCS (vmx backend; JSON \"vmcs\") or the vCPU's system state (kvm; \"vcpu\")")
        ->group("Debugging");
}


// One run subcommand: its target positional, the shared options, the callback.
void add_run_subcommand(CLI::App& app, RunOptions& o, Entry::Kind kind, const char* name, const char* help,
                        const char* target, const char* target_help, const char* example)
{
    auto* sub = app.add_subcommand(name, help);
    sub->add_option(target, o.target, target_help)->required();
    add_run_options(sub, o);
    sub->footer(std::string("Example: ") + example);
    sub->callback([&o, kind] { run(o, kind); });
}

}  // namespace

void setup_int(CLI::App& app)
{
    static RunOptions opts;
    add_run_subcommand(app, opts, Entry::Kind::interrupt, "int",
                       "Run a BIOS interrupt handler (INT VECTOR) and print the registers", "VECTOR",
                       "Interrupt number: 0x11, 11h or 17",
                       "biosx int 0x15 --eax 0xe820 --edx 0x534d4150 --ecx 24 --es 0 --di 0x7e00 --read 0000:7e00:24");
}

void setup_call(CLI::App& app)
{
    static RunOptions opts;
    add_run_subcommand(app, opts, Entry::Kind::far_call, "call",
                       "Far-call a real-mode entry point SEG:OFF that returns with RETF", "SEG:OFF",
                       "Entry point, hex: c000:0003", "biosx call c000:0003 --ax 0 --json");
}

}  // namespace biosx::cli
