// main.cpp - the biosx command: looks the subcommand up, runs it, and maps
// errors to the documented exit codes. Userspace CLI.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli/subcommand.h"
#include "core/error.h"
#include "core/format.h"

namespace {

using biosx::cli::GlobalOptions;

constexpr const char* kExitCodes =
    "Exit codes:\n"
    "  0  success (a BIOS call that returns CF=1 is still a success)\n"
    "  2  usage or bad input: options, register values, files\n"
    "  3  environment: no BIOS handler, no permission, backend or device unavailable\n"
    "  4  the routine did not complete: timeout, instruction limit, exception, halt\n"
    "  5  the call completed with CF=1 and --fail-on-carry was given\n"
    " 70  internal error: a bug in biosx (please report it with the command line)\n";

// The global options, listed once: each is registered on the app from this
// table (it may be given before or after the subcommand), and
// named_command() knows from it which ones take a value.
struct GlobalOption {
    const char* name;
    const char* type_name;               // shown in --help, or nullptr for CLI11's own
    const char* help;
    std::string GlobalOptions::*value;   // an option with a value stores it here
    bool GlobalOptions::*flag;           // a flag here
    std::vector<std::string> choices;    // the values allowed, when a fixed set
};
const GlobalOption kGlobalOptions[] = {
    {"--image", "FILE", "Run over a real-mode snapshot FILE (physical address = file offset, >= 1 MiB)",
     &GlobalOptions::image, nullptr, {}},
    {"--backend", nullptr, "Execution backend: auto (vmx when /dev/biosx is usable, else kvm over the host when /dev/kvm is, else emu), emu, vmx, kvm",
     &GlobalOptions::backend, nullptr, {"auto", "emu", "vmx", "kvm"}},
    {"--json", nullptr, "Print one JSON object instead of text", nullptr, &GlobalOptions::json, {}},
};

void add_global_options(CLI::App& app)
{
    auto& g = biosx::cli::globals();
    for (const auto& o : kGlobalOptions) {
        if (o.flag) {
            app.add_flag(o.name, g.*o.flag, o.help);
            continue;
        }
        CLI::Option* opt = app.add_option(o.name, g.*o.value, o.help);
        if (o.type_name) opt->type_name(o.type_name);
        if (!o.choices.empty()) opt->check(CLI::IsMember(o.choices));
    }
}

bool takes_value(std::string_view arg)
{
    for (const auto& o : kGlobalOptions)
        if (o.value && arg == o.name) return true;
    return false;
}

// Every option value given empty is refused ("--image ''"), in every
// subcommand alike.
void refuse_empty_values(CLI::App& app)
{
    const CLI::Validator non_empty(
        [](std::string& v) { return v.empty() ? std::string("the value is empty") : std::string(); }, "", "non-empty");
    for (CLI::Option* o : app.get_options())
        if (o->get_expected_min() > 0) o->check(non_empty);
    for (CLI::App* sub : app.get_subcommands({})) refuse_empty_values(*sub);
}

// Each subcommand's --help lists the global options it accepts.
void list_global_options(CLI::App& app)
{
    std::string text = "Global options (before or after the subcommand):\n";
    for (const CLI::Option* o : app.get_options()) {
        if (!o->nonpositional() || o->get_lnames().empty()) continue;
        const std::string n = o->get_lnames().front();
        if (n == "help" || n == "version") continue;
        std::string left = "  --" + n + (o->get_expected_min() > 0 ? " " + o->get_type_name() : "");
        if (left.size() < 26) left.resize(26, ' ');
        text += left + " " + o->get_description() + "\n";
    }
    for (CLI::App* sub : app.get_subcommands({})) {
        std::string f = sub->get_footer();
        sub->footer(text + (f.empty() ? "" : "\n" + f + "\n"));
    }
}

// The subcommand table: main only looks a command up and sets it up.
struct Command {
    const char* name;
    void (*setup)(CLI::App&);
};
constexpr Command kCommands[] = {
    {"int", biosx::cli::setup_int},
    {"call", biosx::cli::setup_call},
    {"batch", biosx::cli::setup_batch},
    {"caps", biosx::cli::setup_caps},
    {"dump-vmcs", biosx::cli::setup_dump_vmcs},
    {"memmap", biosx::cli::setup_memmap},
    {"vbe", biosx::cli::setup_vbe},
    {"edid", biosx::cli::setup_edid},
    {"exec", biosx::cli::setup_exec},
    {"completion", biosx::cli::setup_completion},
};

// The subcommand named on the command line, if any. Only that one is set
// up: building every option of every subcommand costs more than a whole
// INT 11h under emulation (docs/performance.md). `unknown` is the first
// word that is neither an option nor a command.
const Command* named_command(int argc, char** argv, std::string_view* unknown)
{
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (takes_value(a)) {
            ++i;  // skip the option's value
            continue;
        }
        if (a.starts_with("-")) continue;
        for (const auto& c : kCommands)
            if (a == c.name) return &c;
        *unknown = a;
        return nullptr;
    }
    return nullptr;
}

}  // namespace

int main(int argc, char** argv)
{
    using namespace biosx;
    CLI::App app{"biosx - run real-mode ROM-BIOS routines from 64-bit Linux (VMX module or libx86emu)", "biosx"};
    app.set_version_flag("--version", "biosx " BIOSX_VERSION);
    app.footer(kExitCodes);
    app.require_subcommand(1);
    add_global_options(app);

    // `completion` describes every subcommand, so it needs them all.
    std::string_view unknown;
    const Command* named = named_command(argc, argv, &unknown);
    if (!unknown.empty()) {
        std::string known;
        for (const auto& c : kCommands) known += std::string(known.empty() ? "" : ", ") + c.name;
        std::fprintf(stderr, "biosx: '%s' is not a biosx command (%s; see biosx --help)\n",
                     printable(unknown).c_str(), known.c_str());
        return static_cast<int>(ExitCode::usage);
    }
    if (named && std::string_view(named->name) != "completion")
        named->setup(app);
    else
        for (const auto& c : kCommands) c.setup(app);
    // Global options after the subcommand: passed up to the app -- but a
    // prefix command (exec) would pass up its program's arguments too, so it
    // takes the global options itself.
    for (auto* sub : app.get_subcommands({})) {
        if (sub->get_prefix_command())
            add_global_options(*sub);
        else
            sub->fallthrough();
    }
    refuse_empty_values(app);
    list_global_options(app);

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
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "biosx: out of memory\n");
        return static_cast<int>(ExitCode::environment);
    } catch (const std::exception& e) {
        // Every input problem is an Error with its own code; this is a bug.
        std::fprintf(stderr, "biosx: internal error (a bug in biosx; please report it): %s\n", printable(e.what(), 200).c_str());
        return static_cast<int>(ExitCode::internal);
    }
    return 0;
}
