// session.h - the CLI's libbiosx session: opened from the global options
// (--image, --backend) with the command's fallback to the bundled snapshot,
// and the --state FILE that carries an image's RAM between invocations.
// Userspace CLI.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "core/files.h"
#include "lib/session.h"

namespace biosx::cli {

// Opens the session the global options name; prints the fallback note, if
// any, on stderr.
std::unique_ptr<lib::Session> open_session_from_globals();

// --state FILE over an image: read before the first call (when the file
// exists), written after the last one, atomically (a temporary file beside
// it, renamed into place); refused over the host and when FILE is, by
// inode, a file the command reads (the image). The output is prepared by
// the constructor, before anything runs, so a refused --state runs nothing.
class StateFile {
public:
    StateFile(lib::Session& s, const std::string& path);
    // Writes the session's RAM to the file.
    void save();

private:
    lib::Session& s_;
    std::optional<OutputFile> out_;
};

// Registers --state on a subcommand.
void add_state_option(CLI::App* sub, std::string& path);

// Prints the session's notes (a refused write-back, ...) on stderr.
void print_notes(lib::Session& s);

}  // namespace biosx::cli
