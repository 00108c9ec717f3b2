// test_registers.cpp - register parsing, range checks, JSON in/out.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/format.h"
#include "core/run/registers.h"
#include "core/run/start_state.h"
#include "test_errors.h"

using namespace biosx;
using biosx::test::usage_error;

TEST_CASE("numbers in the notations BIOS documentation uses")
{
    CHECK(parse_number("0x4f00", "x") == 0x4f00);
    CHECK(parse_number("4f00h", "x") == 0x4f00);
    CHECK(parse_number("4F00H", "x") == 0x4f00);
    CHECK(parse_number("17", "x") == 17);
    CHECK(parse_number("0b101", "x") == 5);
    CHECK(parse_number("0x1_0000", "x") == 0x10000);
    CHECK(usage_error([] { parse_number("zz", "--eax"); }).find("--eax: 'zz' is not a number") == 0);
    CHECK(usage_error([] { parse_number("", "--eax"); }).find("--eax") == 0);
    CHECK(usage_error([] { parse_number("0x", "--eax"); }).find("--eax") == 0);
    CHECK(usage_error([] { parse_number("12abc", "--ebx"); }).find("--ebx") == 0);
    CHECK(usage_error([] { parse_number("0x1ffffffffffffffff", "--ecx"); }).find("does not fit in 64 bits") !=
          std::string::npos);
}

TEST_CASE("aliases set the right bits of the right register")
{
    Registers r;
    set_alias(r, *find_alias("eax"), 0x12345678, "--eax");
    set_alias(r, *find_alias("ah"), 0xab, "--ah");
    CHECK(r[Reg::eax] == 0x1234ab78);
    set_alias(r, *find_alias("al"), 0xcd, "--al");
    CHECK(r[Reg::eax] == 0x1234abcd);
    set_alias(r, *find_alias("ax"), 0x4f00, "--ax");
    CHECK(r[Reg::eax] == 0x12344f00);
    set_alias(r, *find_alias("di"), 0x7e00, "--di");
    CHECK(r[Reg::edi] == 0x7e00);
    set_alias(r, *find_alias("es"), 0xc000, "--es");
    CHECK(r[Reg::es] == 0xc000);
    for (auto n : {"ax", "bx", "cx", "dx", "si", "di", "bp", "sp", "ah", "al", "bh", "bl", "ch", "cl", "dh", "dl",
                   "eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp", "eip", "eflags", "cs", "ds", "es", "fs",
                   "gs", "ss"})
        CHECK_MESSAGE(find_alias(n) != nullptr, n);
    CHECK(find_alias("rax") == nullptr);
}

TEST_CASE("a value that does not fit names the flag and the limit")
{
    Registers r;
    CHECK(usage_error([&] { set_alias(r, *find_alias("eax"), 0x100000000ull, "--eax"); }) ==
          "--eax: 0x100000000 does not fit in 32 bits (maximum 0xffffffff)");
    CHECK(usage_error([&] { set_alias(r, *find_alias("ah"), 0x100, "--ah"); }) ==
          "--ah: 0x100 does not fit in 8 bits (maximum 0xff)");
    CHECK(usage_error([&] { set_alias(r, *find_alias("ds"), 0x10000, "--ds"); }) ==
          "--ds: 0x10000 does not fit in 16 bits (maximum 0xffff)");
    CHECK(r == Registers{});  // nothing was changed by the failed sets
}

namespace {
// --regs TEXT applied to `r` by the documented rule.
void apply_regs(Registers& r, const char* text) { apply_assignments(r, parse_regs_json(text, "--regs")); }
}  // namespace

TEST_CASE("registers from JSON: numbers, hex strings, parts; unknown keys refused")
{
    Registers r;
    apply_regs(r, R"({"ah":"0x4f","eax":"0xe820","ecx":24,"es":"7e0h"})");
    CHECK(r[Reg::eax] == 0x4f20);  // full register first, then the part
    CHECK(r[Reg::ecx] == 24);
    CHECK(r[Reg::es] == 0x7e0);
    CHECK(usage_error([&] { apply_regs(r, R"({"eaxx":1})"); }).find("unknown register 'eaxx'") != std::string::npos);
    CHECK(usage_error([&] { apply_regs(r, R"({"eax":-1})"); }).find("negative") != std::string::npos);
    CHECK(usage_error([&] { apply_regs(r, R"({"eax":true})"); }).find("expected a non-negative integer") != std::string::npos);
    CHECK(usage_error([&] { apply_regs(r, R"({"eax":1.5})"); }).find("expected a non-negative integer") != std::string::npos);
    CHECK(usage_error([&] { apply_regs(r, R"([1,2])"); }).find("JSON object") != std::string::npos);
    CHECK(usage_error([&] { apply_regs(r, R"({"al":256})"); }).find("--regs: al: 0x100 does not fit in 8 bits") == 0);
    CHECK(usage_error([&] { apply_regs(r, "{eax:"); }).find("--regs: not valid JSON") == 0);
}

TEST_CASE("JSON registers follow the flags' rule: widest first, narrower parts override, duplicates refused")
{
    // Issue 11: {"ax":"0xe820","ah":"0x12"} used to apply alphabetically (0xe820).
    Registers r;
    apply_regs(r, R"({"ax":"0xe820","ah":"0x12"})");
    CHECK((r[Reg::eax] & 0xffff) == 0x1220);
    Registers f;
    apply_assignments(f, {{find_alias("ah"), "0x12", "--ah"}, {find_alias("ax"), "0xe820", "--ax"}});
    CHECK(f == r);
    Registers w;
    apply_regs(w, R"({"al":1,"ax":"0x2222","eax":"0x33333333","ah":4})");
    CHECK(w[Reg::eax] == 0x33330401);
    CHECK(usage_error([&] { apply_regs(r, R"({"ax":1,"ax":2})"); }) ==
          "--regs: \"ax\" appears twice; give each register once");
    CHECK(usage_error([&] {
              apply_assignments(r, {{find_alias("ax"), "1", "--ax"}, {find_alias("ax"), "2", "--ax"}});
          }).find("already set by --ax") != std::string::npos);
    // Nested objects may repeat keys of the top level without being duplicates.
    CHECK(usage_error([&] { apply_regs(r, R"({"ax":{"ax":1}})"); }).find("expected a non-negative integer") !=
          std::string::npos);
}

// Found while profiling the fuzz targets (docs/fuzzing.md, findings): every
// top-level key was kept and compared with every other before any was
// checked, so a --regs-file of N distinct unknown names cost N^2/2 string
// comparisons (20,000 names: 1 s; the 16 MiB the file may hold: hours).
// Repro: tests/fuzz/regressions/regs_json/.
TEST_CASE("an unknown JSON key is refused where it stands, before the rest is read")
{
    Registers r;
    // The document after the unknown key is never parsed: a syntax error
    // there is not what the message reports.
    CHECK(usage_error([&] { apply_regs(r, R"({"ax":1,"k0":0,"k1":0,)"); }) ==
          "--regs: unknown register 'k0' (known: eax..ss, ax..dx, ah..dl)");
    // Nor is a later duplicate of it.
    CHECK(usage_error([&] { apply_regs(r, R"({"k0":0,"k0":1})"); }) ==
          "--regs: unknown register 'k0' (known: eax..ss, ax..dx, ah..dl)");
    std::string many = "{";
    for (int i = 0; i < 50000; ++i) many += "\"k" + std::to_string(i) + "\":0,";
    many += "\"eax\":1}";
    CHECK(usage_error([&] { apply_regs(r, many.c_str()); }).find("unknown register 'k0'") != std::string::npos);
}

TEST_CASE("registers to JSON are numbers, and read back as the same registers")
{
    Registers r = default_registers();
    r[Reg::eax] = 0xdeadbeef;
    r[Reg::gs] = 0xf000;
    auto j = to_json(r);
    CHECK(j["eax"] == 0xdeadbeefu);
    CHECK(j["gs"] == 0xf000);
    CHECK(j["esp"] == 0x7c00);
    Registers back;
    apply_assignments(back, parse_regs_json(j.dump(), "round trip"));
    CHECK(back == r);
}

TEST_CASE("EFLAGS decoding names CF and friends")
{
    auto j = decode_eflags(0x0247);
    CHECK(j["cf"] == true);
    CHECK(j["pf"] == true);
    CHECK(j["zf"] == true);
    CHECK(j["if"] == true);
    CHECK(j["sf"] == false);
    CHECK(j["iopl"] == 0);
    CHECK(decode_eflags(0x3002)["iopl"] == 3);
}
