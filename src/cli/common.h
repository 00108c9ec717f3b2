// common.h - options every subcommand shares (memory source, backend, JSON)
// and the helpers callbacks use to reach the core. Userspace CLI.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core/source.h"

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
// any, on stderr.
Source open_source_from_globals();

// True when stdout is a terminal and NO_COLOR is unset (and not --json).
bool use_color();

// Subcommand registration: one function per file.
void setup_int(CLI::App& app);
void setup_call(CLI::App& app);
void setup_caps(CLI::App& app);
void setup_dump_vmcs(CLI::App& app);
void setup_memmap(CLI::App& app);
void setup_completion(CLI::App& app);

}  // namespace biosx::cli
