// cmd_batch.cpp - `biosx batch [FILE|-]`: many calls in one session, one
// JSON object per line in and out, each answer flushed before the next
// line is read (docs/batch.md). Userspace CLI.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/subcommand.h"
#include "cli/session.h"
#include "core/error.h"
#include "core/files.h"
#include "core/json_fill.h"
#include "lib/batch.h"

namespace biosx::cli {

namespace {

struct BatchOptions {
    std::string input = "-";
    std::string state;
    bool fail_on_carry = false;
};

// One answer on one line, flushed. False when stdout is gone (the reader
// closed the pipe): the stream ends there.
bool emit(const nlohmann::json& j)
{
    std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line += '\n';
    return std::fwrite(line.data(), 1, line.size(), stdout) == line.size() && std::fflush(stdout) == 0;
}

void run(const BatchOptions& o)
{
    FILE* in = stdin;
    if (o.input != "-") {
        in = ::fdopen(open_input(o.input, "batch"), "r");
        if (!in) fail(ErrorKind::environment, "batch " + o.input + ": cannot read it");
    }
    auto session = open_session_from_globals();
    std::optional<StateFile> state;
    if (!o.state.empty()) state.emplace(*session, o.state);

    // A reader that goes away must not kill biosx before the state is saved.
    std::signal(SIGPIPE, SIG_IGN);
    int code = 0;  // the first line's that failed (docs/batch.md)
    // One biosx.run object for every line: filled in place, so the stream
    // costs no allocation per call for it (core/json_fill.h).
    nlohmann::json run_answer = nlohmann::json::object();
    char* buf = nullptr;
    size_t cap = 0;
    size_t number = 0;
    for (ssize_t n; (n = ::getline(&buf, &cap, in)) >= 0;) {
        ++number;
        std::string_view line(buf, static_cast<size_t>(n));
        if (line.ends_with('\n')) line.remove_suffix(1);
        nlohmann::json id, error_answer;
        const nlohmann::json* answer = &run_answer;
        int line_code = 0;
        try {
            lib::BatchCall c = lib::parse_batch_line(line, id);
            CallOutcome out = session->call(c.spec);
            fill_call_json(run_answer, c.spec, out);
            if (!id.is_null())
                member(run_answer, "id") = id;
            else
                run_answer.erase("id");
            if (out.result.end.kind != EndKind::return_trap) line_code = static_cast<int>(ExitCode::incomplete);
            else if (o.fail_on_carry && (out.result.regs[Reg::eflags] & 1)) line_code = static_cast<int>(ExitCode::carry);
        } catch (const Error& e) {
            error_answer = lib::batch_error(number, id, e.kind(), "line " + std::to_string(number) + ": " + e.what());
            answer = &error_answer;
            line_code = static_cast<int>(exit_code_for(e.kind()));
        }
        if (!code) code = line_code;
        print_notes(*session);
        if (!emit(*answer)) break;
    }
    std::free(buf);
    if (in != stdin) std::fclose(in);
    if (state) state->save();
    if (code) throw Exit{code};
}

}  // namespace

void setup_batch(CLI::App& app)
{
    static BatchOptions opts;
    auto* sub = app.add_subcommand("batch", "Run many calls in one session: JSON Lines in, one biosx.run object per line out");
    sub->add_option("FILE", opts.input, "One call per line as a JSON object, or - for stdin (the default)")
        ->type_name("FILE|-");
    add_state_option(sub, opts.state);
    sub->add_flag("--fail-on-carry", opts.fail_on_carry, "A call that returns CF=1 counts as failed (exit code 5)");
    sub->footer("Example: printf '%s\\n' '{\"int\":\"0x11\"}' '{\"int\":\"0x10\",\"regs\":{\"ax\":\"0x0f00\"}}' | biosx batch");
    sub->callback([] { run(opts); });
}

}  // namespace biosx::cli
