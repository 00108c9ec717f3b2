// subcommand.cpp - what every subcommand file shares: the global options'
// values, the memory and backend they choose, the printers. Userspace CLI.
#include "cli/subcommand.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "core/call/call_input.h"

namespace biosx::cli {

GlobalOptions& globals()
{
    static GlobalOptions g;
    return g;
}

Machine open_machine_from_globals(bool print_note)
{
    MachineOptions o;
    o.image = globals().image;
    o.backend = globals().backend;
    Machine s = open_machine(o);
    if (print_note && !s.note.empty()) std::fprintf(stderr, "%s\n", s.note.c_str());
    return s;
}

bool use_color()
{
    return !globals().json && isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
}

void print_json(const nlohmann::json& j)
{
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

void add_strategy_option(CLI::App* sub, std::string& strategy)
{
    sub->add_option("--strategy", strategy,
                    "vmx: guest strategy, auto (unrestricted guest when the CPU has it), unrestricted or vm86")
        ->check(CLI::IsMember(std::vector<std::string>(std::begin(kStrategies), std::end(kStrategies))))
        ->capture_default_str()
        ->group("VMX");
}

}  // namespace biosx::cli
