// cmd_edid.cpp - `biosx edid`: the display's EDID through VBE/DDC (4F15h),
// checksums verified and decoded, or the raw bytes for edid-decode. One
// session, through lib/vbe.h. Userspace CLI.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/session.h"
#include "cli/subcommand.h"
#include "core/error.h"
#include "core/format.h"
#include "core/meaning/edid.h"
#include "lib/vbe.h"
#include "lib/vbe_render.h"

namespace biosx::cli {

namespace {

struct EdidOptions {
    std::string port = "0";
    bool raw = false;
};

void run(const EdidOptions& o)
{
    if (o.raw && globals().json) fail(ErrorKind::usage, "edid --raw writes bytes: it cannot be --json too");
    const uint64_t port = parse_number(o.port, "--port");
    if (port > 0xffff) fail(ErrorKind::usage, "--port " + printable(o.port) + ": a controller unit is 0..0xffff");
    auto s = open_session_from_globals();
    const auto ddc = lib::ddc_capabilities(*s, static_cast<unsigned>(port));
    const auto bytes = lib::read_edid(*s, static_cast<unsigned>(port));
    print_notes(*s);
    if (o.raw) {
        if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size() || std::fflush(stdout) != 0)
            fail(ErrorKind::environment, "edid --raw: cannot write to standard output");
        return;
    }
    const auto e = meaning::decode_edid(bytes);
    if (globals().json) {
        nlohmann::json j = {{"schema", "biosx.edid"}, {"schema_version", lib::kEdidSchemaVersion},
                            {"backend", s->backend().name()}, {"source", s->memory().describe()}};
        j.update(lib::edid_json(static_cast<unsigned>(port), ddc, bytes, e));
        print_json(j);
    } else {
        std::cout << lib::render_edid(static_cast<unsigned>(port), ddc, e);
    }
}

}  // namespace

void setup_edid(CLI::App& app)
{
    static EdidOptions o;
    auto* sub = app.add_subcommand("edid", "The display's EDID through VBE/DDC (INT 10h AX=4F15h): block 0 and its "
                                           "extension blocks, checksums verified, decoded");
    sub->footer("Examples: sudo biosx edid; sudo biosx edid --raw | edid-decode");
    sub->add_option("--port", o.port, "The DDC controller unit (CX of 4F15h; 0 the primary display)")->type_name("N");
    sub->add_flag("--raw", o.raw, "Write the EDID bytes (128 per block) to standard output, for edid-decode");
    sub->callback([] { run(o); });
}

}  // namespace biosx::cli
