// cmd_caps.cpp - `biosx caps`: what this CPU's VMX can do, decoded, and
// which biosx strategy it allows. Thin: reads through the core, prints.
// Userspace CLI.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "core/caps/caps.h"
#include "core/error.h"

namespace biosx::cli {

namespace {

struct CapsOptions {
    int cpu = -1;
    bool all_cpus = false;
    std::string save, from;
};

void run_caps(const CapsOptions& o)
{
    caps::RawCaps raw;
    if (!o.from.empty()) {
        raw = caps::load_caps_file(o.from);
    } else {
        caps::ReadOptions ro;
        if (o.cpu >= 0) ro.cpu = o.cpu;
        ro.all_cpus = o.all_cpus;
        raw = caps::read_host(ro);
    }
    if (!o.save.empty()) {
        std::ofstream f(o.save, std::ios::binary | std::ios::trunc);
        if (!f || !(f << caps::format_caps_file(raw)))
            fail(ErrorKind::environment, "--save " + o.save + ": cannot write the file");
    }
    int index = 0;
    if (!o.from.empty() && o.cpu >= 0) {
        index = -1;
        for (size_t i = 0; i < raw.cpus.size(); ++i)
            if (raw.cpus[i].cpu == o.cpu) index = static_cast<int>(i);
        if (index < 0) fail(ErrorKind::usage, "--cpu " + std::to_string(o.cpu) + ": " + o.from + " has no such CPU");
    }
    const caps::Decoded d = caps::decode(raw, index);
    if (globals().json) {
        std::cout << caps::to_json(d).dump(2) << "\n";
        if (!d.vmx) throw Exit{static_cast<int>(ExitCode::environment)};
        return;
    }
    if (!d.vmx) fail(ErrorKind::environment, caps::no_vmx_line(d));
    std::cout << caps::render_text(d);
}

}  // namespace

void setup_caps(CLI::App& app)
{
    static CapsOptions o;
    auto* sub = app.add_subcommand("caps", "Every VMX capability of the CPU, decoded (SDM Vol. 3D Appendix A), and "
                                           "which biosx strategy it allows");
    sub->footer("Example: biosx caps --all-cpus --json; biosx caps --from tests/vm/cpu-models/corei7_skylake_x.msr");
    auto* cpu = sub->add_option("--cpu", o.cpu, "Read CPU N (default 0)")->check(CLI::NonNegativeNumber);
    sub->add_flag("--all-cpus", o.all_cpus, "Read every online CPU and report CPUs whose values differ")->excludes(cpu);
    sub->add_option("--save", o.save, "Also write the raw values to FILE (docs/caps.md)")->type_name("FILE");
    sub->add_option("--from", o.from, "Decode a file written by --save (or a tests/vm/cpu-models/*.msr dump) instead of this CPU")
        ->type_name("FILE");
    sub->callback([] { run_caps(o); });
}

}  // namespace biosx::cli
