// cmd_vbe.cpp - `biosx vbe` (the controller), `biosx vbe modes` (every mode
// in one table), `biosx vbe mode` (the current one) and `biosx vbe mode set
// N`: one session per command, through lib/vbe.h. Thin: parses, calls,
// prints. Userspace CLI.
#include <iostream>
#include <optional>
#include <nlohmann/json.hpp>

#include "cli/session.h"
#include "cli/subcommand.h"
#include "core/error.h"
#include "core/format.h"
#include "lib/vbe.h"
#include "lib/vbe_render.h"

namespace biosx::cli {

namespace {

struct VbeOptions {
    std::string sort = "mode";
    std::string set_mode;
    bool linear = false;
};

nlohmann::json document(lib::Session& s, nlohmann::json body)
{
    nlohmann::json j = {{"schema", "biosx.vbe"}, {"schema_version", lib::kVbeSchemaVersion},
                        {"backend", s.backend().name()}, {"source", s.memory().describe()}};
    j.update(body);
    return j;
}

void controller()
{
    auto s = open_session_from_globals();
    const auto c = lib::vbe_controller(*s);
    print_notes(*s);
    if (globals().json)
        print_json(document(*s, lib::vbe_controller_json(c)));
    else
        std::cout << lib::render_vbe_controller(c);
}

void modes(const VbeOptions& o)
{
    auto s = open_session_from_globals();
    const auto c = lib::vbe_controller(*s);
    std::vector<lib::VbeModeRow> rows;
    for (uint16_t m : lib::vbe_mode_list(c)) {
        lib::VbeModeRow r;
        r.number = m;
        try {
            r.info = lib::vbe_mode(*s, m);
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::usage) throw;
            r.error = e.what();  // one mode the BIOS lists but will not describe
        }
        rows.push_back(std::move(r));
    }
    lib::sort_vbe_modes(rows, o.sort);
    print_notes(*s);
    if (globals().json)
        print_json(document(*s, lib::vbe_modes_json(rows)));
    else
        std::cout << lib::render_vbe_modes(rows);
}

// The current mode, with its 4F01h information when the BIOS gives it.
void current(lib::Session& s, const nlohmann::json& extra = nlohmann::json::object())
{
    const auto cur = lib::vbe_current_mode(s);
    const meaning::Decoded* ip = nullptr;
    uint64_t mode = 0;
    for (const auto& f : cur.fields)
        if (f.key == "mode") mode = std::get<uint64_t>(f.value);
    std::optional<meaning::Decoded> mi;
    if (mode >= 0x100) {
        try {
            mi = lib::vbe_mode(s, static_cast<uint16_t>(mode));
            ip = &*mi;
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::usage) throw;
        }
    }
    print_notes(s);
    if (globals().json) {
        nlohmann::json body = lib::vbe_current_json(cur, ip);
        if (!extra.empty()) body.update(extra);
        print_json(document(s, body));
    } else {
        std::cout << lib::render_vbe_current(cur, ip);
    }
}

void mode(const VbeOptions& o)
{
    auto s = open_session_from_globals();
    if (o.set_mode.empty()) {
        current(*s);
        return;
    }
    uint64_t n = parse_number(o.set_mode, "vbe mode set N");
    if (n > 0x3fff)
        fail(ErrorKind::usage, "vbe mode set " + printable(o.set_mode) + ": a VBE mode number is 0..0x3fff "
                                                                         "(--linear adds bit 14)");
    const uint16_t bx = static_cast<uint16_t>(n | (o.linear ? 0x4000 : 0));
    lib::vbe_set_mode(*s, bx);
    if (!globals().json) std::cout << "set VBE mode " << hex(bx, 4) << "\n";
    current(*s, {{"set", bx}});
}

}  // namespace

void setup_vbe(CLI::App& app)
{
    static VbeOptions o;
    auto* vbe = app.add_subcommand("vbe", "The VESA BIOS Extension: the controller (VBE version, OEM strings, video "
                                          "memory, capabilities, mode list); `modes`, `mode`, `mode set N`");
    vbe->footer("Examples: biosx vbe; biosx vbe modes --sort resolution; sudo biosx vbe mode set 0x101");
    auto* modes_cmd = vbe->add_subcommand("modes", "Every mode of the controller's list, described by 4F01h: number, "
                                                   "resolution, bits per pixel, memory model, linear frame buffer, attributes");
    modes_cmd->add_option("--sort", o.sort, "Order of the table: mode, resolution, bpp, model or lfb (default mode)")
        ->type_name("KEY")
        ->check(CLI::IsMember({"mode", "resolution", "bpp", "model", "lfb"}));
    auto* mode_cmd = vbe->add_subcommand("mode", "The current VBE mode (4F03h) and its resolution (4F01h)");
    auto* set_cmd = mode_cmd->add_subcommand(
        "set", "Set VBE mode N (4F02h). Over the host this switches the machine's display: the console goes "
               "graphical until a text mode is set again (biosx int 0x10 --ax 0x0003)");
    set_cmd->add_option("N", o.set_mode, "The VBE mode number (0x100-0x3fff, as `vbe modes` lists them)")
        ->required()
        ->type_name("N");
    set_cmd->add_flag("--linear", o.linear, "Ask for the linear frame buffer (bit 14 of BX)");
    for (auto* c : {modes_cmd, mode_cmd, set_cmd}) c->fallthrough();
    vbe->require_subcommand(0, 1);
    mode_cmd->require_subcommand(0, 1);
    modes_cmd->callback([] { modes(o); });
    set_cmd->callback([] { mode(o); });
    mode_cmd->callback([mode_cmd] {
        if (mode_cmd->get_subcommands().empty()) mode(o);
    });
    vbe->callback([vbe] {
        if (vbe->get_subcommands().empty()) controller();
    });
}

}  // namespace biosx::cli
