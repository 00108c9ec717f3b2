// cmd_dump_vmcs.cpp - `biosx dump-vmcs` and `biosx int ... --dump-vmcs`:
// the VMCS of the last vmx run, named, grouped and decoded. Thin: fetches the
// record through the core, prints it. Userspace CLI.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/subcommand.h"
#include "core/error.h"
#include "core/vmx/vmcs_record.h"

namespace biosx::cli {

namespace {

struct DumpVmcsOptions {
    bool raw = false;
};

void print_record(std::ostream& os, const vmx::VmcsRecord& r, bool json, bool raw)
{
    if (json)
        print_json(vmx::vmcs_to_json(r));
    else if (raw)
        os << vmx::render_vmcs_raw(r);
    else
        os << vmx::render_vmcs_text(r);
}

}  // namespace

void setup_dump_vmcs(CLI::App& app)
{
    static DumpVmcsOptions o;
    auto* sub = app.add_subcommand("dump-vmcs", "The VMCS of the last vmx run: every field named, grouped and decoded "
                                                "(needs biosx.ko)");
    sub->footer("Example: sudo biosx --backend vmx int 0x11 && sudo biosx dump-vmcs --raw");
    sub->add_flag("--raw", o.raw, "Print the VMCS region as a hex dump with offsets, and the physical addresses");
    sub->callback([] {
        // KVM keeps its VMCS or VMCB in the kernel, and its VM ends with the
        // process that made it: there is no last run to read back.
        if (globals().backend == "kvm")
            fail(ErrorKind::usage, "dump-vmcs: the kvm backend has no VMCS biosx can read (KVM keeps it in the kernel); "
                                   "`biosx --backend kvm int N --dump-vmcs` prints the vCPU's state after that run");
        print_record(std::cout, vmx::fetch_last_vmcs(), globals().json, o.raw);
    });
}

}  // namespace biosx::cli
