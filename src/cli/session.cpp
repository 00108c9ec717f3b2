// session.cpp - the CLI's libbiosx session and --state. Userspace CLI.
#include "cli/session.h"

#include <cstdio>
#include <sys/stat.h>

#include "cli/subcommand.h"
#include "core/error.h"

namespace biosx::cli {

std::unique_ptr<lib::Session> open_session_from_globals()
{
    lib::SessionOptions o;
    o.image = globals().image;
    o.backend = globals().backend;
    o.bundled_fallback = true;
    auto s = std::make_unique<lib::Session>(o);
    print_notes(*s);
    return s;
}

StateFile::StateFile(lib::Session& s, const std::string& path) : s_(s)
{
    s_.require_image("--state");
    // The output first: it refuses a FILE that is an input (the image).
    out_.emplace(path, "--state");
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) s_.load_state(path, "--state");
}

void StateFile::save()
{
    out_->write(s_.state_bytes("--state"));
    out_->commit();
}

void add_state_option(CLI::App* sub, std::string& path)
{
    sub->add_option("--state", path,
                    "Over an image: read the guest's RAM from FILE first (when it exists), write it back after")
        ->type_name("FILE");
}

void print_notes(lib::Session& s)
{
    if (auto n = s.take_notes(); !n.empty()) std::fprintf(stderr, "%s\n", n.c_str());
}

}  // namespace biosx::cli
