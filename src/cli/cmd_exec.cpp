// cmd_exec.cpp - `biosx exec [--] PROGRAM ARGS...`: runs an unmodified
// libx86 (LRMI) program -- vbetool, get-edid -- against biosx's
// libx86.so.1 (docs/lrmi.md): that library's directory in front of
// LD_LIBRARY_PATH, the global options in the BIOSX_* variables it reads,
// then execvp. Userspace CLI.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

#include "cli/subcommand.h"
#include "core/error.h"
#include "core/format.h"

namespace biosx::cli {

namespace {

namespace fs = std::filesystem;

struct ExecOptions {
    std::string strategy = "auto";
    std::vector<std::string> argv;
};

// The directory holding biosx's libx86.so.1: compat/ beside the binary in
// the build tree, else the installed layout's place relative to bindir.
std::string compat_dir()
{
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) fail(ErrorKind::environment, "exec: cannot find the biosx binary (/proc/self/exe): " + ec.message());
    const fs::path candidates[] = {exe.parent_path() / "compat", exe.parent_path() / BIOSX_COMPAT_FROM_BINDIR};
    for (const auto& d : candidates)
        if (fs::exists(d / "libx86.so.1", ec)) return fs::weakly_canonical(d, ec).string();
    fail(ErrorKind::environment, "exec: biosx's libx86.so.1 is in neither " + candidates[0].string() + " nor " +
                                     fs::weakly_canonical(candidates[1], ec).string());
}

void set_env(const char* name, const std::string& value)
{
    if (::setenv(name, value.c_str(), 1) != 0)
        fail(ErrorKind::environment, std::string("exec: cannot set ") + name + ": " + std::strerror(errno));
}

[[noreturn]] void run_exec(const ExecOptions& o)
{
    if (globals().json) fail(ErrorKind::usage, "exec: --json does not apply (the program prints what it prints)");
    const std::string dir = compat_dir();
    const char* old = std::getenv("LD_LIBRARY_PATH");
    set_env("LD_LIBRARY_PATH", old && *old ? dir + ":" + old : dir);
    set_env("BIOSX_BACKEND", globals().backend);
    set_env("BIOSX_STRATEGY", o.strategy);
    // The program may change directory: the image by its absolute path.
    if (globals().image.empty())
        ::unsetenv("BIOSX_IMAGE");
    else
        set_env("BIOSX_IMAGE", fs::absolute(globals().image).string());

    std::vector<char*> args;
    for (const auto& a : o.argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    const int err = errno;
    const std::string what = "exec: cannot run " + printable(o.argv[0]) + ": ";
    if (err == ENOENT)
        fail(ErrorKind::usage, what + (o.argv[0].find('/') == std::string::npos ? "no such program in PATH"
                                                                                : "no such file"));
    fail(ErrorKind::environment, what + std::strerror(err));
}

}  // namespace

void setup_exec(CLI::App& app)
{
    static ExecOptions o;
    auto* sub = app.add_subcommand("exec", "Run an unmodified libx86 (LRMI) program, such as vbetool or get-edid, "
                                           "with its BIOS calls on biosx");
    sub->footer("Example: biosx --backend emu exec -- vbetool vbemode get (docs/lrmi.md)");
    add_strategy_option(sub, o.strategy);
    // PROGRAM and everything after it are the program's, options included:
    // CLI11 leaves them unparsed, in order ("remaining"). The positional is
    // only there to be listed and to keep "--" in exec; it takes no value
    // itself (its check refuses every word, which then stays unparsed).
    static std::string listed;
    sub->add_option("program", listed, "The program to run (found in PATH) and its arguments; -- before it "
                                       "when it starts with -")
        ->type_name("PROGRAM [ARGS...]")
        ->check(CLI::Validator([](std::string&) { return std::string("left to the program"); }, "", ""));
    sub->validate_positionals();
    sub->prefix_command();
    sub->callback([sub] {
        o.argv = sub->remaining();
        if (!o.argv.empty() && o.argv.front() == "--")
            o.argv.erase(o.argv.begin());
        else if (!o.argv.empty() && o.argv.front().starts_with("-"))
            fail(ErrorKind::usage, "exec: unknown option " + printable(o.argv.front()) +
                                       " (the program's own options go after PROGRAM)");
        if (o.argv.empty()) fail(ErrorKind::usage, "exec: no PROGRAM given (biosx exec [--] PROGRAM [ARGS...])");
        run_exec(o);
    });
}

}  // namespace biosx::cli
