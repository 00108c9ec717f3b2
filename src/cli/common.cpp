// common.cpp - shared CLI options and helpers. Userspace CLI.
#include "cli/common.h"

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace biosx::cli {

GlobalOptions& globals()
{
    static GlobalOptions g;
    return g;
}

Source open_source_from_globals()
{
    SourceOptions o;
    o.image = globals().image;
    o.backend = globals().backend;
    Source s = open_source(o);
    if (!s.note.empty()) std::fprintf(stderr, "%s\n", s.note.c_str());
    return s;
}

bool use_color()
{
    return !globals().json && isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
}

}  // namespace biosx::cli
