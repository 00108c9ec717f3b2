// main.cpp - the biosx command: looks the subcommand up, runs it, and maps
// errors to the documented exit codes. Userspace CLI.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/common.h"
#include "core/error.h"

namespace {

constexpr const char* kExitCodes =
    "Exit codes:\n"
    "  0  success (a BIOS call that returns CF=1 is still a success)\n"
    "  2  usage or bad input: options, register values, files\n"
    "  3  environment: no BIOS handler, no permission, backend or device unavailable\n"
    "  4  the routine did not complete: timeout, instruction limit, exception, halt\n"
    "  5  the call completed with CF=1 and --fail-on-carry was given\n";

}  // namespace

int main(int argc, char** argv)
{
    using namespace biosx;
    CLI::App app{"biosx - run real-mode ROM-BIOS routines from 64-bit Linux (VMX module or libx86emu)", "biosx"};
    app.set_version_flag("--version", "biosx " BIOSX_VERSION);
    app.footer(kExitCodes);
    app.require_subcommand(1);
    auto& g = cli::globals();
    app.add_option("--image", g.image, "Run over a real-mode snapshot FILE (physical address = file offset, >= 1 MiB)")
        ->type_name("FILE");
    app.add_option("--backend", g.backend, "Execution backend: auto (vmx when /dev/biosx is usable, else emu), emu, vmx")
        ->check(CLI::IsMember({"auto", "emu", "vmx"}));
    app.add_flag("--json", g.json, "Print one JSON object instead of text");

    cli::setup_int_and_call(app);
    cli::setup_caps(app);
    cli::setup_dump_vmcs(app);
    cli::setup_memmap(app);
    for (auto* sub : app.get_subcommands({})) sub->fallthrough();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);
        // One line naming the problem, then where to look.
        std::fprintf(stderr, "biosx: %s (see biosx --help)\n", e.what());
        return static_cast<int>(ExitCode::usage);
    } catch (const Error& e) {
        std::fprintf(stderr, "biosx: %s\n", e.what());
        return static_cast<int>(exit_code_for(e.kind()));
    } catch (const cli::Exit& e) {
        return e.code;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "biosx: internal error: %s\n", e.what());
        return 70;
    }
    return 0;
}
