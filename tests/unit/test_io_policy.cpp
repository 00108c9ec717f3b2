// test_io_policy.cpp - the port policy shared with the module
// (shared/x86/port_policy.h): the hard floor at every width and alignment,
// the mediated, passed and virtual classes in each mode, the FADT's ports,
// and the emulation backend refusing and counting per port.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "core/call/call.h"
#include "core/backend/mediated_io.h"
#include "core/run/io_policy.h"
#include "core/run/start_state.h"
#include "image_memory.h"
#include "x86/port_policy.h"
#include "x86/realmode.h"

using namespace biosx;
using TestMemory = biosx::test::ImageMemory;

namespace {

// Every port the shared table puts on the floor, per direction.
std::vector<uint16_t> floor_ports(bool write)
{
    std::vector<uint16_t> out;
    const PortMap& m = *static_port_map();
    for (uint32_t p = 0; p < BIOSX_PORTS; ++p)
        if (((write ? m[p] >> 4 : m[p] & 0xf)) == BIOSX_PORT_FLOOR) out.push_back(static_cast<uint16_t>(p));
    return out;
}

IoPolicy host_policy()
{
    IoPolicy p;
    p.virtual_io = false;
    p.map = static_port_map();
    return p;
}

// Code for `mov dx,PORT ; out dx,al|ax|eax` (or in), 16-bit real mode.
void emit(std::vector<uint8_t>& code, uint16_t port, unsigned size, bool write)
{
    code.insert(code.end(), {0xba, static_cast<uint8_t>(port), static_cast<uint8_t>(port >> 8)});
    if (size == 4) code.push_back(0x66);
    code.push_back(static_cast<uint8_t>((write ? 0xee : 0xec) | (size == 1 ? 0 : 1)));
}

// Runs CODE (then IRET) as the INT 60h handler of a fresh image.
CallOutcome run_code(Backend& b, std::vector<uint8_t> code, CallSpec& s)
{
    TestMemory m;
    code.push_back(0xcf);  // iret
    m.handler(0x60, 0x0100, code);
    s.req.entry.vector = 0x60;
    s.req.regs = default_registers();
    s.req.regs[Reg::eax] = 0x12345678;
    return run_call(b, m, s);
}

}  // namespace

TEST_CASE("the hard floor: 1-, 2- and 4-byte accesses at every alignment touching a floor port are refused")
{
    IoPolicy modes[4] = {host_policy(), host_policy(), host_policy(), IoPolicy{}};
    modes[1].pass_io = true;
    modes[2].allow = {{0, 0xffff}};  // --allow-port cannot open the floor either
    int checked = 0;
    for (bool write : {true, false}) {
        auto ports = floor_ports(write);
        REQUIRE(ports.size() > 100);
        for (uint16_t p : ports)
            for (unsigned size : {1u, 2u, 4u})
                for (unsigned back = 0; back < size; ++back) {
                    uint16_t start = static_cast<uint16_t>(p - back);
                    // A dword at 0xCF8 is PCI CONFIG_ADDRESS, not the reset
                    // register at 0xCF9 (PCI Local Bus 3.0 §3.2.2.3.2).
                    if (start == 0xcf8 && size == 4) continue;
                    for (const auto& pol : modes) {
                        INFO("port " << p << " start " << start << " size " << size << " write " << write);
                        CHECK(pol.classify(start, size, write) == PortClass::floor);
                        ++checked;
                    }
                }
    }
    CHECK(checked > 2000);
    CHECK(host_policy().classify(0xcf8, 4, true) == PortClass::pci);
    CHECK(host_policy().classify(0xcf8, 2, true) == PortClass::floor);  // touches 0xCF9 as a word: not CONFIG_ADDRESS
    CHECK(host_policy().classify(0xcf9, 1, false) == PortClass::virtual_);
}

TEST_CASE("the floor holds the ports that can hurt a live host")
{
    IoPolicy h = host_policy();
    for (uint16_t p : {0xcf9, 0x92, 0x64, 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x43, 0x22, 0x23, 0xb2, 0xb3,
                       0x00, 0x0f, 0x81, 0x87, 0x8f, 0xc0, 0xde})
        CHECK_MESSAGE(h.classify(p, 1, true) == PortClass::floor, "port " << p);
    CHECK(h.classify(0x80, 1, true) == PortClass::pass);   // POST / delay port
    CHECK(h.classify(0x80, 2, true) == PortClass::floor);  // a word at 0x80 reaches the page register 0x81
    CHECK(h.classify(0x64, 1, false) == PortClass::virtual_);  // status reads: not floor, but not passed either
    CHECK(!floor_reason(*static_port_map(), 0x64).empty());
    CHECK(floor_reason(*static_port_map(), 0x3c0).empty());
    CHECK(floor_reason(*static_port_map(), 0x80).empty());
}

TEST_CASE("the classes above the floor in each mode")
{
    IoPolicy h = host_policy();
    // mediated
    CHECK(h.classify(0x70, 1, true) == PortClass::cmos);
    CHECK(h.classify(0x71, 1, false) == PortClass::cmos);
    CHECK(h.classify(0x71, 2, false) == PortClass::virtual_);  // reaches 0x72
    CHECK(h.classify(0xcfc, 4, false) == PortClass::pci);
    CHECK(h.classify(0xcfe, 2, true) == PortClass::pci);
    CHECK(h.classify(0xcff, 2, false) == PortClass::virtual_);  // reaches 0xD00
    // passed: VGA, delay ports, the refresh toggle of port B (reads only)
    CHECK(h.classify(0x3c0, 1, true) == PortClass::pass);
    CHECK(h.classify(0x3d4, 2, true) == PortClass::pass);
    CHECK(h.classify(0x3de, 4, true) == PortClass::virtual_);  // reaches 0x3E0
    // the VBE interface of the Bochs/QEMU VGA BIOS: word index and data
    CHECK(h.classify(0x1ce, 2, true) == PortClass::pass);
    CHECK(h.classify(0x1cf, 2, false) == PortClass::pass);  // reaches 0x1D0
    CHECK(h.classify(0x1d0, 2, false) == PortClass::virtual_);  // reaches 0x1D1
    CHECK(h.classify(0x1cd, 1, true) == PortClass::virtual_);
    CHECK(h.classify(0xed, 1, true) == PortClass::pass);
    CHECK(h.classify(0x61, 1, false) == PortClass::pass);
    CHECK(h.classify(0x61, 1, true) == PortClass::virtual_);
    // virtual by default: keyboard data, UART, anything unknown
    for (uint16_t p : {0x60, 0x3f8, 0x3fa, 0x1234, 0xffff}) CHECK(h.classify(p, 1, false) == PortClass::virtual_);

    IoPolicy pass = host_policy();
    pass.pass_io = true;
    CHECK(pass.classify(0x1234, 1, true) == PortClass::pass);
    CHECK(pass.classify(0x70, 1, true) == PortClass::cmos);  // mediated stays mediated
    CHECK(pass.classify(0xcfc, 4, true) == PortClass::pci);

    IoPolicy allow = host_policy();
    allow.allow = {{0x3f8, 0x3ff}};
    CHECK(allow.classify(0x3f8, 1, true) == PortClass::pass);
    CHECK(allow.classify(0x3fe, 4, true) == PortClass::virtual_);  // 0x400, 0x401 not allowed
    CHECK(allow.classify(0x2f8, 1, true) == PortClass::virtual_);

    IoPolicy virt;  // images, --virtual-io
    for (uint16_t p : {0x70, 0x71, 0xcfc, 0x3c0, 0x80, 0x1234}) CHECK(virt.classify(p, 1, true) == PortClass::virtual_);
    CHECK(virt.classify(0xcf8, 4, true) == PortClass::virtual_);
}

TEST_CASE("over an image no port reaches the hardware, whatever the options asked")
{
    IoPolicy asked = host_policy();
    asked.pass_io = true;
    asked.allow = {{0x3f8, 0x3ff}};
    const IoPolicy image = asked.over(MemoryKind::image);
    CHECK(image.virtual_io);
    CHECK_FALSE(image.pass_io);
    CHECK(image.allow.empty());
    CHECK(asked.classify(0x3f8, 1, true) == PortClass::pass);
    CHECK(image.classify(0x3f8, 1, true) == PortClass::virtual_);
    CHECK(image.classify(0x80, 1, true) == PortClass::virtual_);  // the delay port, passed over the host
    const IoPolicy host = asked.over(MemoryKind::host);
    CHECK_FALSE(host.virtual_io);
    CHECK(host.pass_io);
    CHECK(host.allow.size() == 1);
}

TEST_CASE("the FADT's SMI_CMD, PM1/PM2 control and reset register join the floor")
{
    std::vector<uint8_t> t(244, 0);
    t[0] = 'F', t[1] = 'A', t[2] = 'C', t[3] = 'P';
    auto put32 = [&](size_t at, uint32_t v) {
        for (int i = 0; i < 4; ++i) t[at + i] = static_cast<uint8_t>(v >> (8 * i));
    };
    put32(48, 0x00b2);   // SMI_CMD
    put32(64, 0x0404);   // PM1a_CNT_BLK (legacy)
    put32(68, 0x0504);   // PM1b_CNT_BLK (legacy) ...
    t[184] = 1;          // ... but X_PM1b_CNT_BLK in system I/O wins
    put32(184 + 4, 0x0604);
    put32(72, 0x0800);   // PM2_CNT_BLK
    t[89] = 2, t[90] = 1;
    t[116] = 1;          // RESET_REG: system I/O, 0x0cf9
    put32(116 + 4, 0x0cf9);
    PortMap m(*static_port_map());
    CHECK(biosx_port_map_fadt(m.data(), t.data(), static_cast<unsigned>(t.size())) == 5);
    IoPolicy p = host_policy();
    p.map = std::make_shared<PortMap>(m);
    for (uint16_t port : {0x404, 0x405, 0x604, 0x605, 0x800})
        for (bool w : {true, false}) CHECK_MESSAGE(p.classify(port, 1, w) == PortClass::floor, "port " << port);
    CHECK(p.classify(0x504, 1, true) == PortClass::virtual_);
    CHECK(p.classify(0x403, 2, true) == PortClass::floor);
    CHECK(p.classify(0x406, 1, true) == PortClass::virtual_);
    CHECK(p.classify(0xcf9, 1, false) == PortClass::floor);  // the reset register, both ways now
    CHECK(!floor_reason(m, 0x404).empty());
    t[0] = 'X';  // not a FADT: nothing added
    CHECK(biosx_port_map_fadt(m.data(), t.data(), static_cast<unsigned>(t.size())) == 0);
}

TEST_CASE("mediation keeps the run's own CMOS index (NMI bit never kept) and PCI address latch")
{
    MediatedIo io;
    uint32_t v = 0x8f;
    CHECK(io.cmos(0x70, 1, true, v));
    CHECK(io.cmos_index == 0x0f);
    v = 0;
    CHECK(io.cmos(0x70, 1, false, v));
    CHECK(v == 0x0f);
    v = 0x55;
    CHECK(!io.cmos(0x71, 1, true, v));  // 0x00-0x0D belong to the host's RTC driver: never written
    CHECK(!io.cmos(0x70, 2, true, v));  // a word at the index is not mediated
    v = 0x80001234;
    CHECK(io.pci(0xcf8, 4, true, v));
    v = 0;
    CHECK(io.pci(0xcf8, 4, false, v));
    CHECK(v == 0x80001234);
    v = 0x7fffffff;
    CHECK(io.pci(0xcf8, 4, true, v));
    CHECK(!io.pci(0xcfc, 4, false, v));  // enable bit clear: no configuration cycle, virtual
}

TEST_CASE("emulation backend: every width and alignment around every floor port is refused and counted per port")
{
    auto b = make_emu_backend();
    int runs = 0;
    for (bool write : {true, false}) {
        for (uint16_t p : floor_ports(write)) {
            std::vector<uint8_t> code;
            int accesses = 0;
            for (unsigned size : {1u, 2u, 4u})
                for (unsigned back = 0; back < size; ++back) {
                    uint16_t start = static_cast<uint16_t>(p - back);
                    if (start == 0xcf8 && size == 4) continue;
                    emit(code, start, size, write);
                    ++accesses;
                }
            CallSpec s;
            auto out = run_code(*b, code, s);
            REQUIRE(out.result.end.kind == EndKind::return_trap);
            REQUIRE(out.result.io.size() == static_cast<size_t>(accesses));
            uint64_t counted = 0;
            for (const auto& a : out.result.io) {
                INFO("floor port " << p << ": access at " << a.port << " size " << int(a.size));
                CHECK(a.disposition == IoDisposition::denied);
                if (!write) CHECK(a.value == (a.size == 4 ? 0xffffffffu : (1u << (8 * a.size)) - 1));
            }
            for (const auto& c : out.result.port_counts) {
                CHECK(c.disposition == IoDisposition::denied);
                CHECK(c.write == write);
                counted += c.count;
            }
            CHECK(counted == static_cast<uint64_t>(accesses));
            ++runs;
        }
    }
    CHECK(runs > 200);
}

TEST_CASE("per-port counts: in the result, in --json, refused and virtual apart")
{
    std::vector<uint8_t> code;
    for (int i = 0; i < 3; ++i) emit(code, 0x3f8, 1, false);  // virtual x3
    emit(code, 0x63, 2, true);                                 // word reaching 0x64: refused, counted at 0x63
    emit(code, 0x3f8, 1, true);                                // virtual out
    CallSpec s;
    auto b = make_emu_backend();
    auto out = run_code(*b, code, s);
    REQUIRE(out.result.port_counts.size() == 3);
    CHECK(out.result.port_counts[0].port == 0x3f8);
    CHECK(!out.result.port_counts[0].write);
    CHECK(out.result.port_counts[0].count == 3);
    CHECK(out.result.port_counts[1].port == 0x63);
    CHECK(out.result.port_counts[1].disposition == IoDisposition::denied);
    auto j = call_to_json(s, out);
    REQUIRE(j["io_ports"].size() == 3);
    CHECK(j["io_ports"][0]["port"] == "0x03f8");
    CHECK(j["io_ports"][0]["dir"] == "in");
    CHECK(j["io_ports"][0]["disposition"] == "virtual");
    CHECK(j["io_ports"][0]["count"] == 3);
    CHECK(j["io_ports"][1]["disposition"] == "denied");
    CHECK(j["io_ports"][2]["dir"] == "out");
}
