// subcommand.h - what main.cpp and each subcommand file share: the global
// options' values, the machine they choose, the printers, the exit a
// callback may ask for, and each file's setup function. Userspace CLI.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "core/machine.h"

namespace biosx::cli {

// Thrown by a callback that has printed everything and only sets the exit code.
struct Exit {
    int code;
};

struct GlobalOptions {
    std::string image;
    std::string backend = "auto";
    bool json = false;
};

// The values of the global options (main.cpp's table registers them).
GlobalOptions& globals();

// Opens memory and backend for a subcommand; prints the fallback note, if
// any, on stderr (unless `print_note` is false: the caller decides).
Machine open_machine_from_globals(bool print_note = true);

// True when stdout is a terminal and NO_COLOR is unset (and not --json).
bool use_color();

// Prints one JSON document on stdout. Bytes a hostile image or file put in a
// string that are not UTF-8 are replaced (U+FFFD) instead of throwing.
void print_json(const nlohmann::json& j);

// --strategy (the vmx guest strategy, one of kStrategies), as int, call and
// exec take it.
void add_strategy_option(CLI::App* sub, std::string& strategy);

// Each subcommand file registers its command, options and callback.
void setup_int(CLI::App& app);
void setup_call(CLI::App& app);
void setup_caps(CLI::App& app);
void setup_dump_vmcs(CLI::App& app);
void setup_memmap(CLI::App& app);
void setup_completion(CLI::App& app);
void setup_batch(CLI::App& app);
void setup_vbe(CLI::App& app);
void setup_edid(CLI::App& app);
void setup_exec(CLI::App& app);

}  // namespace biosx::cli
