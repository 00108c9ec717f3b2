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

void refuse_empty_values(CLI::App& app)
{
    const CLI::Validator non_empty(
        [](std::string& v) { return v.empty() ? std::string("the value is empty") : std::string(); }, "", "non-empty");
    for (CLI::Option* o : app.get_options())
        if (o->get_expected_min() > 0) o->check(non_empty);
    for (CLI::App* sub : app.get_subcommands({})) refuse_empty_values(*sub);
}

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

}  // namespace biosx::cli
