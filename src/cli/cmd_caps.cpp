// cmd_caps.cpp - `biosx caps`: what this CPU's VMX can do, decoded, and
// which biosx strategy it allows. Thin: reads through the core, prints.
// Userspace CLI.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/subcommand.h"
#include "core/caps/caps.h"
#include "core/device/kvm_device.h"
#include "core/error.h"
#include "core/files.h"

namespace biosx::cli {

namespace {

struct CapsOptions {
    std::string cpu;
    bool all_cpus = false;
    std::string save, from;
};

void run_caps(const CapsOptions& o)
{
    const int cpu = o.cpu.empty() ? -1 : caps::parse_cpu(o.cpu);
    caps::RawCaps raw;
    if (!o.from.empty()) {
        raw = caps::load_caps_file(o.from);
    } else {
        caps::ReadOptions ro;
        if (cpu >= 0) ro.cpu = cpu;
        ro.all_cpus = o.all_cpus;
        raw = caps::read_host(ro);
    }
    const int index = !o.from.empty() && cpu >= 0 ? caps::cpu_index(raw, cpu, o.from) : 0;
    if (!o.save.empty()) {
        OutputFile f(o.save, "--save");
        f.write(caps::format_caps_file(raw));
        f.commit();
    }
    const caps::Decoded d = caps::decode(raw, index);
    // This host's KVM, for the kvm backend (not a file's: --from decodes
    // another machine's MSRs).
    const bool host = o.from.empty();
    const std::string kvm_why = host ? KvmDevice::unusable_reason() : std::string();
    const std::string kvm_line = kvm_why.empty() ? "usable (" + std::string(KvmDevice::kPath) + ", KVM API 12)"
                                                 : "not usable: " + kvm_why;
    if (globals().json) {
        nlohmann::json j = caps::to_json(d);
        if (host) j["kvm"] = {{"usable", kvm_why.empty()}, {"reason", kvm_why}};
        print_json(j);
        if (!d.vmx) throw Exit{static_cast<int>(ExitCode::environment)};
        return;
    }
    if (!d.vmx)
        fail(ErrorKind::environment,
             caps::no_vmx_line(d) + (host && kvm_why.empty() ? "; the kvm backend can run here (" +
                                                                   std::string(KvmDevice::kPath) + " is usable)"
                                                             : ""));
    std::cout << caps::render_text(d);
    if (host) std::cout << "\nkvm backend: " << kvm_line << "\n";
}

}  // namespace

void setup_caps(CLI::App& app)
{
    static CapsOptions o;
    auto* sub = app.add_subcommand("caps", "Every VMX capability of the CPU, decoded (SDM Vol. 3D Appendix A), and "
                                           "which biosx strategy it allows");
    sub->footer("Example: biosx caps --all-cpus --json; biosx caps --from tests/vm/cpu-models/corei7_skylake_x.msr");
    auto* cpu = sub->add_option("--cpu", o.cpu, "Read CPU N, 0..8191 (default 0)")->type_name("N");
    sub->add_flag("--all-cpus", o.all_cpus, "Read every online CPU and report CPUs whose values differ")->excludes(cpu);
    sub->add_option("--save", o.save, "Also write the raw values to FILE (docs/caps.md)")->type_name("FILE");
    sub->add_option("--from", o.from, "Decode a file written by --save (or a tests/vm/cpu-models/*.msr dump) instead of this CPU")
        ->type_name("FILE");
    sub->callback([] { run_caps(o); });
}

}  // namespace biosx::cli
