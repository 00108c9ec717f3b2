// subcommand.h - what every subcommand shares (memory source, backend, JSON)
// and the helpers callbacks use to reach the core. Userspace CLI.
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

// The options registered on the top-level app (they may be given before or
// after the subcommand).
GlobalOptions& globals();

// Opens memory and backend for a subcommand; prints the fallback note, if
// any, on stderr (unless `print_note` is false: the caller decides).
Machine open_machine_from_globals(bool print_note = true);

// True when stdout is a terminal and NO_COLOR is unset (and not --json).
bool use_color();

// Prints one JSON document on stdout. Bytes a hostile image or file put in a
// string that are not UTF-8 are replaced (U+FFFD) instead of throwing.
void print_json(const nlohmann::json& j);

// The command line a user typed, through main(): every option value that
// is empty is refused, and each subcommand's --help lists the global
// options it accepts.
void refuse_empty_values(CLI::App& app);
void list_global_options(CLI::App& app);

// Subcommand registration: one function per file.
void setup_int(CLI::App& app);
void setup_call(CLI::App& app);
void setup_caps(CLI::App& app);
void setup_dump_vmcs(CLI::App& app);
void setup_memmap(CLI::App& app);
void setup_completion(CLI::App& app);

}  // namespace biosx::cli
