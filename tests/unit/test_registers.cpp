// test_registers.cpp - register parsing, range checks, JSON in/out.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/registers.h"
#include "core/run_setup.h"

using namespace biosx;

namespace {
// The message of the Error `f` throws, checking its kind.
template <class F>
std::string error_of(F f, ErrorKind kind = ErrorKind::usage)
{
    try {
        f();
    } catch (const Error& e) {
        CHECK(static_cast<int>(e.kind()) == static_cast<int>(kind));
        return e.what();
    }
    FAIL("no error thrown");
    return "";
}
}  // namespace

TEST_CASE("numbers in the notations BIOS documentation uses")
{
    CHECK(parse_number("0x4f00", "x") == 0x4f00);
    CHECK(parse_number("4f00h", "x") == 0x4f00);
    CHECK(parse_number("4F00H", "x") == 0x4f00);
    CHECK(parse_number("17", "x") == 17);
    CHECK(parse_number("0b101", "x") == 5);
    CHECK(parse_number("0x1_0000", "x") == 0x10000);
    CHECK(error_of([] { parse_number("zz", "--eax"); }).find("--eax: 'zz' is not a number") == 0);
    CHECK(error_of([] { parse_number("", "--eax"); }).find("--eax") == 0);
    CHECK(error_of([] { parse_number("0x", "--eax"); }).find("--eax") == 0);
    CHECK(error_of([] { parse_number("12abc", "--ebx"); }).find("--ebx") == 0);
    CHECK(error_of([] { parse_number("0x1ffffffffffffffff", "--ecx"); }).find("does not fit in 64 bits") !=
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
    CHECK(error_of([&] { set_alias(r, *find_alias("eax"), 0x100000000ull, "--eax"); }) ==
          "--eax: 0x100000000 does not fit in 32 bits (maximum 0xffffffff)");
    CHECK(error_of([&] { set_alias(r, *find_alias("ah"), 0x100, "--ah"); }) ==
          "--ah: 0x100 does not fit in 8 bits (maximum 0xff)");
    CHECK(error_of([&] { set_alias(r, *find_alias("ds"), 0x10000, "--ds"); }) ==
          "--ds: 0x10000 does not fit in 16 bits (maximum 0xffff)");
    CHECK(r == Registers{});  // nothing was changed by the failed sets
}

TEST_CASE("registers from JSON: numbers, hex strings, parts; unknown keys refused")
{
    Registers r;
    apply_json(r, nlohmann::json::parse(R"({"ah":"0x4f","eax":"0xe820","ecx":24,"es":"7e0h"})"), "--regs");
    CHECK(r[Reg::eax] == 0x4f20);  // full register first, then the part
    CHECK(r[Reg::ecx] == 24);
    CHECK(r[Reg::es] == 0x7e0);
    CHECK(error_of([&] { apply_json(r, nlohmann::json::parse(R"({"eaxx":1})"), "--regs"); }).find("unknown register 'eaxx'") !=
          std::string::npos);
    CHECK(error_of([&] { apply_json(r, nlohmann::json::parse(R"({"eax":-1})"), "--regs"); }).find("negative") !=
          std::string::npos);
    CHECK(error_of([&] { apply_json(r, nlohmann::json::parse(R"({"eax":true})"), "--regs"); }).find("expected a number") !=
          std::string::npos);
    CHECK(error_of([&] { apply_json(r, nlohmann::json::parse(R"([1,2])"), "--regs"); }).find("JSON object") !=
          std::string::npos);
    CHECK(error_of([&] { apply_json(r, nlohmann::json::parse(R"({"al":256})"), "--regs"); }).find("--regs: al: 0x100 does not fit in 8 bits") == 0);
}

TEST_CASE("registers to JSON and back are the same registers")
{
    Registers r = default_registers();
    r[Reg::eax] = 0xdeadbeef;
    r[Reg::gs] = 0xf000;
    auto j = to_json(r);
    CHECK(j["eax"] == "0xdeadbeef");
    CHECK(j["gs"] == "0xf000");
    CHECK(j["esp"] == "0x00007c00");
    Registers back;
    apply_json(back, j, "round trip");
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
