// subcommand.cpp - what every subcommand file shares: the global options'
// values, the memory and backend they choose, the printers. Userspace CLI.
#include "cli/subcommand.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unistd.h>

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

}  // namespace biosx::cli
