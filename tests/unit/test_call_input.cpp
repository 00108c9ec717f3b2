// test_call_input.cpp - what a user writes for one call, parsed in the core:
// registers from all three sources, --allow-port against the hard floor,
// --timeout/--max-instructions, and caps' --cpu.
#include <doctest/doctest.h>
#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "core/call/call_input.h"
#include "core/caps/caps.h"
#include "core/error.h"
#include "core/run/io_policy.h"
#include "test_errors.h"

using namespace biosx;
using biosx::test::usage_error;

TEST_CASE("registers: defaults, then --regs, then --regs-file, then the flags")
{
    RegisterInput in;
    Registers r = parse_registers(in);
    CHECK(r[Reg::eflags] == 0x2);
    CHECK(r[Reg::ss] == 0x0000);
    CHECK(r[Reg::esp] == 0x7c00);
    CHECK(r[Reg::eax] == 0);

    char path[] = "/tmp/biosx-regs-XXXXXX";
    int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    ::close(fd);
    std::ofstream(path) << R"({"ebx": 7, "ecx": "0x30"})";
    in.json = R"({"eax": "0x11111111", "ebx": 1, "esp": "0x1000"})";
    in.file = path;
    in.flags = {{"al", "0x22"}, {"ecx", "0x40"}, {"ax", "0x3300"}};
    r = parse_registers(in);
    std::remove(path);
    CHECK(r[Reg::eax] == 0x11113322);  // --regs, then --ax, then --al (widest first)
    CHECK(r[Reg::ebx] == 7);           // the file overrides --regs
    CHECK(r[Reg::ecx] == 0x40);        // the flag overrides the file
    CHECK(r[Reg::esp] == 0x1000);
    CHECK(r[Reg::eflags] == 0x2);

    in = {};
    in.flags = {{"ah", "1"}, {"ah", "2"}};
    CHECK(usage_error([&] { parse_registers(in); }).find("ah is already set by --ah") != std::string::npos);
    in.flags = {{"xyz", "1"}};
    CHECK(usage_error([&] { parse_registers(in); }).find("--xyz: not a register") == 0);
    in.flags = {{"al", "0x100"}};
    CHECK(usage_error([&] { parse_registers(in); }).find("--al: 0x100 does not fit in 8 bits") == 0);
}

TEST_CASE("--allow-port: ports and ranges above the hard floor; the floor is refused with its reason")
{
    const PortMap& map = *static_port_map();
    auto r = parse_allowed_ports({"0x3f8-0x3ff", "0x2f8"}, map);
    REQUIRE(r.size() == 2);
    CHECK(r[0].first == 0x3f8);
    CHECK(r[0].last == 0x3ff);
    CHECK(r[1].first == 0x2f8);
    CHECK(r[1].last == 0x2f8);
    CHECK(usage_error([&] { parse_allowed_ports({"0x20"}, map); }).find("port 0x0020 is on the hard floor (") !=
          std::string::npos);
    CHECK(usage_error([&] { parse_allowed_ports({"0x60-0x64"}, map); }).find("port 0x0064 is on the hard floor") !=
          std::string::npos);
    CHECK(usage_error([&] { parse_allowed_ports({"5-3"}, map); }).find("FIRST-LAST within 0..0xffff") !=
          std::string::npos);
    CHECK(usage_error([&] { parse_allowed_ports({"0x10000"}, map); }).find("within 0..0xffff") != std::string::npos);
}

TEST_CASE("limits: an empty text keeps the default, a bad one names its option")
{
    const Limits d;
    Limits l = parse_limits("", "");
    CHECK(l.timeout_s == d.timeout_s);
    CHECK(l.max_instructions == d.max_instructions);
    l = parse_limits("2.5", "1000");
    CHECK(l.timeout_s == 2.5);
    CHECK(l.max_instructions == 1000);
    CHECK(usage_error([] { parse_limits("61"); }) == "--timeout: 61 is outside (0, 60] seconds");
    CHECK(usage_error([] { parse_limits("", "0"); }) == "--max-instructions: 0 is outside 1..1000000000000");
    // --max-instructions is checked first, as the options are listed.
    CHECK(usage_error([] { parse_limits("x", "0"); }).find("--max-instructions") == 0);
}

TEST_CASE("caps --cpu: 0..8191, and a saved file must hold that CPU")
{
    CHECK(caps::parse_cpu("8191") == 8191);
    CHECK(caps::parse_cpu("0x10") == 16);
    CHECK(usage_error([] { caps::parse_cpu("8192"); }) == "--cpu 8192: outside 0..8191");
    caps::RawCaps raw;
    raw.cpus.resize(2);
    raw.cpus[0].cpu = 0;
    raw.cpus[1].cpu = 3;
    CHECK(caps::cpu_index(raw, 3, "f.msr") == 1);
    CHECK(usage_error([&] { caps::cpu_index(raw, 2, "f.msr"); }) == "--cpu 2: f.msr has no such CPU");
}
