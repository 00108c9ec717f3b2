// error.h - the errors the core reports and the exit codes main() maps them to.
#pragma once

#include <stdexcept>
#include <string>

namespace biosx {

// Documented exit codes (README, biosx --help, docs/exit-codes.md).
enum class ExitCode : int {
    ok = 0,
    usage = 2,        // bad command line, bad register value, bad file content
    environment = 3,  // no BIOS, no permission, backend or device unavailable
    incomplete = 4,   // the routine did not complete: timeout, limit, fault
    carry = 5,        // completed with CF=1 and --fail-on-carry was given
    internal = 70,    // a bug in biosx (EX_SOFTWARE); never a user's input
};

enum class ErrorKind { usage, environment, incomplete };

// One clear sentence naming what was wrong, and the category that decides
// the exit code.
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const { return kind_; }

private:
    ErrorKind kind_;
};

inline ExitCode exit_code_for(ErrorKind k)
{
    switch (k) {
    case ErrorKind::usage: return ExitCode::usage;
    case ErrorKind::environment: return ExitCode::environment;
    case ErrorKind::incomplete: return ExitCode::incomplete;
    }
    return ExitCode::usage;
}

[[noreturn]] inline void fail(ErrorKind k, const std::string& msg) { throw Error(k, msg); }

}  // namespace biosx
