// test_snapshot.cpp - the snapshot format (docs/snapshot.md): footer and
// CMOS section written, read back and refused when damaged; --image and
// --save with device state; the virtual CMOS the emulation backend serves
// over a snapshot (index per run, update-in-progress clear, bytes nobody
// captured left virtual); the host clock's presentation; and the end
// message of a run that spun on virtual ports.
#include <doctest/doctest.h>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include "core/backend/capture_host.h"
#include "core/backend/mediated_io.h"
#include "core/backend/virtual_cmos.h"
#include "core/call/call.h"
#include "core/error.h"
#include "core/files.h"
#include "core/run/image.h"
#include "core/run/snapshot.h"
#include "image_memory.h"

using namespace biosx;
using namespace biosx::snapshot;

namespace {

Cmos sample_cmos()
{
    Cmos c;
    c.bytes.resize(128);
    c.known.assign(128, true);
    for (size_t i = 0; i < 128; ++i) c.bytes[i] = static_cast<uint8_t>(i * 3);
    c.known[0x40] = false;
    return c;
}

std::string temp_path(const char* name) { return "/tmp/biosx-test-" + std::to_string(getpid()) + "-" + name; }

void write_file(const std::string& path, const std::vector<uint8_t>& bytes)
{
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::vector<uint8_t> read_file(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

using TestMemory = test::ImageMemory;

// A far call to `code` at 2000:0000 on the emulation backend, every port virtual.
CallOutcome run_code(Memory& mem, std::vector<uint8_t> code, double timeout = 5)
{
    mem.write(0x20000, code);
    CallSpec spec;
    spec.req.entry.kind = Entry::Kind::far_call;
    spec.req.entry.seg = 0x2000;
    spec.req.regs[Reg::esp] = 0x7c00;
    spec.req.regs[Reg::eflags] = 2;
    spec.req.limits.timeout_s = timeout;
    auto backend = make_emu_backend();
    return run_call(*backend, mem, spec);
}

}  // namespace

TEST_CASE("snapshot: trailer written and read back; a bare image has none")
{
    DeviceState s;
    s.cmos = sample_cmos();
    auto t = encode_trailer(s, kRealModeSize);
    // CMOS section: 8-byte header, 128 bytes, a 16-byte map; 32-byte footer.
    REQUIRE(t.size() == 8 + 144 + 32);
    CHECK(std::string(t.begin(), t.begin() + 4) == "CMOS");
    CHECK(std::string(t.end() - 32, t.end() - 24) == "BIOSXSNP");
    Layout l = parse_footer(t, kRealModeSize + t.size(), "x");
    CHECK(l.memory_bytes == kRealModeSize);
    CHECK(l.trailer_bytes == t.size());
    DeviceState back = parse_trailer(t, "x");
    REQUIRE(back.cmos.has_value());
    CHECK(back.cmos->bytes == s.cmos->bytes);
    CHECK(back.cmos->known == s.cmos->known);
    CHECK(back.cmos->known_count() == 127);
    CHECK(describe(back) == "CMOS 128 bytes, 127 captured");

    CHECK(encode_trailer(DeviceState{}, kRealModeSize).empty());
    std::vector<uint8_t> bare(64, 0x5a);
    l = parse_footer(bare, 12345678, "x");
    CHECK(l.memory_bytes == 12345678);
    CHECK(l.trailer_bytes == 0);

    // A section a newer biosx may add is skipped.
    std::vector<uint8_t> t2 = {'N', 'E', 'W', '!', 2, 0, 0, 0, 0xaa, 0xbb};
    t2.insert(t2.end(), t.begin(), t.end() - 32);
    const uint64_t sections = t2.size();
    auto footer = encode_trailer(DeviceState{}, 0);  // empty: build the footer by hand below
    CHECK(footer.empty());
    std::vector<uint8_t> f = {'B', 'I', 'O', 'S', 'X', 'S', 'N', 'P', 1, 0, 0, 0, 32, 0, 0, 0};
    for (int i = 0; i < 8; ++i) f.push_back(static_cast<uint8_t>(uint64_t{kRealModeSize} >> (8 * i)));
    for (int i = 0; i < 8; ++i) f.push_back(static_cast<uint8_t>(sections >> (8 * i)));
    t2.insert(t2.end(), f.begin(), f.end());
    CHECK(parse_footer(t2, kRealModeSize + t2.size(), "x").trailer_bytes == t2.size());
    CHECK(parse_trailer(t2, "x").cmos->bytes == s.cmos->bytes);
}

TEST_CASE("snapshot: damaged trailers are refused with a reason")
{
    DeviceState s;
    s.cmos = sample_cmos();
    auto t = encode_trailer(s, kRealModeSize);
    CHECK_THROWS_WITH_AS(parse_footer(t, kRealModeSize + t.size() + 1, "f"), doctest::Contains("but the file holds"), Error);
    auto newer = t;
    newer[t.size() - 24] = 2;  // version
    CHECK_THROWS_WITH_AS(parse_footer(newer, kRealModeSize + t.size(), "f"), doctest::Contains("version 2 is newer"), Error);
    auto cut = t;
    cut[4] = 200;  // the CMOS section's length runs past the footer
    CHECK_THROWS_WITH_AS(parse_trailer(cut, "f"), doctest::Contains("runs past the footer"), Error);
    auto odd = t;
    odd[4] = 100;
    // 100 bytes of data, then what is left of the old section read as a header.
    CHECK_THROWS_AS(parse_trailer(odd, "f"), Error);
}

TEST_CASE("snapshot: --image reads the memory up to the footer and the CMOS; --save writes them back")
{
    std::vector<uint8_t> file(kRealModeSize, 0);
    file[0x410] = 0x27;
    DeviceState s;
    s.cmos = sample_cmos();
    auto t = encode_trailer(s, kRealModeSize);
    file.insert(file.end(), t.begin(), t.end());
    const std::string in = temp_path("snap.img"), out = temp_path("copy.img");
    write_file(in, file);
    clear_inputs();
    auto mem = open_image(in);
    CHECK(mem->size() == kRealModeSize);  // the trailer is not memory
    REQUIRE(mem->devices.cmos.has_value());
    CHECK(mem->devices.cmos->bytes[5] == 15);
    save_image(*mem, out, kRealModeSize);
    CHECK(read_file(out) == file);
    // A bare image stays bare.
    mem->devices = {};
    save_image(*mem, out, kRealModeSize);
    CHECK(read_file(out).size() == kRealModeSize);
    std::remove(in.c_str());
    std::remove(out.c_str());
    clear_inputs();
}

TEST_CASE("virtual CMOS: index per run, UIP clear, uncaptured bytes virtual, writes kept")
{
    Cmos c = sample_cmos();
    c.bytes[kCmosRegA] = 0xa6;  // captured mid-update: UIP set
    VirtualCmos v(c);
    uint32_t x = 0;
    // Index 0 at the start of a run.
    CHECK(v.access(0x71, 1, false, x));
    CHECK(x == 0);
    x = 0x85;  // NMI mask bit with index 5
    CHECK(v.access(0x70, 1, true, x));
    CHECK(v.access(0x71, 1, false, x));
    CHECK(x == 15);
    x = kCmosRegA;
    v.access(0x70, 1, true, x);
    CHECK(v.access(0x71, 1, false, x));
    CHECK(x == 0x26);  // 0xA6 with update-in-progress cleared
    x = 0x40;          // not captured: stays virtual
    v.access(0x70, 1, true, x);
    CHECK_FALSE(v.access(0x71, 1, false, x));
    x = 0x99;  // a write captures it
    CHECK(v.access(0x71, 1, true, x));
    CHECK(c.bytes[0x40] == 0x99);
    CHECK(c.known[0x40]);
    CHECK(v.access(0x71, 1, false, x));
    CHECK(x == 0x99);
    CHECK_FALSE(v.access(0x70, 1, false, x));  // the index port is write-only
    CHECK_FALSE(v.access(0x70, 2, true, x));   // word accesses are not the chip's
    CHECK_FALSE(v.access(0x72, 1, true, x));   // no upper bank in 128 bytes
    // Register A not captured: the BIOS default, UIP clear.
    c.known[kCmosRegA] = false;
    x = kCmosRegA;
    v.access(0x70, 1, true, x);
    v.access(0x71, 1, false, x);
    CHECK(x == kCmosRegADefault);
    // A new run starts at index 0 again.
    VirtualCmos w(c);
    CHECK(w.access(0x71, 1, false, x));
    CHECK(x == 0);
    // 256 bytes: the upper bank at 0x72/0x73.
    Cmos big;
    big.bytes.assign(256, 0);
    big.known.assign(256, true);
    big.bytes[0x85] = 0x42;
    VirtualCmos u(big);
    x = 0x05;
    CHECK(u.access(0x72, 1, true, x));
    CHECK(u.access(0x73, 1, false, x));
    CHECK(x == 0x42);
}

TEST_CASE("emulation over a snapshot: CMOS ports answer from it; without it a spin names the ports")
{
    TestMemory mem;
    // mov al,0x0a / out 0x70,al / in al,0x71 / test al,0x80 / jnz (back 8) /
    // mov al,0x09 / out 0x70,al / in al,0x71 / retf: waits for the end of an
    // update, then reads the year.
    const std::vector<uint8_t> code = {0xb0, 0x0a, 0xe6, 0x70, 0xe4, 0x71, 0xa8, 0x80, 0x75, 0xf6,
                                       0xb0, 0x09, 0xe6, 0x70, 0xe4, 0x71, 0xcb};
    auto out = run_code(mem, code, 0.3);
    CHECK(out.result.end.kind == EndKind::timeout);
    CHECK(out.result.end.message.find("while polling virtual ports 0x0070 (out") != std::string::npos);
    CHECK(out.result.end.message.find("0x0071 (in") != std::string::npos);
    CHECK(out.result.end.message.find("a snapshot that carries the CMOS answers them") != std::string::npos);

    Cmos c = sample_cmos();
    c.bytes[kCmosRegA] = 0xa6;
    c.bytes[0x09] = 0x26;
    mem.devices.cmos = c;
    out = run_code(mem, code);
    REQUIRE(out.result.end.kind == EndKind::return_trap);
    CHECK((out.result.regs[Reg::eax] & 0xff) == 0x26);
    bool served = false;
    for (const auto& a : out.result.io) served = served || (a.port == 0x71 && a.disposition == IoDisposition::snapshot);
    CHECK(served);
    CHECK(out.result.port_counts.empty());  // nothing was virtual
}

TEST_CASE("host clock: the registers biosx presents (BCD, 24-hour)")
{
    HostTime t{2026, 1, 31, 23, 59, 58, 6};  // a Saturday
    uint32_t v = 0;
    auto reg = [&](uint8_t r) { return clock_register(t, r, v) ? static_cast<int>(v) : -1; };
    CHECK(reg(0x00) == 0x58);
    CHECK(reg(0x02) == 0x59);
    CHECK(reg(0x04) == 0x23);
    CHECK(reg(0x06) == 0x07);  // day of week 1-7, Sunday = 1
    CHECK(reg(0x07) == 0x31);
    CHECK(reg(0x08) == 0x01);
    CHECK(reg(0x09) == 0x26);
    CHECK(reg(0x0a) == 0x26);  // UIP clear
    CHECK(reg(0x0b) == 0x02);  // 24-hour, BCD
    CHECK(reg(0x0d) == 0x80);
    CHECK(reg(0x01) == -1);  // alarms and register C: not given by the kernel
    CHECK(reg(0x0c) == -1);
}

TEST_CASE("host capture: the century register the FADT names (revision 3 and later)")
{
    std::vector<uint8_t> fadt(244, 0);
    std::memcpy(fadt.data(), "FACP", 4);
    fadt[8] = 3;      // revision
    fadt[108] = 0x32; // CENTURY
    CHECK(century_register(fadt) == 0x32);
    fadt[8] = 2;  // Linux ignores CENTURY before revision 3: so does the capture
    CHECK(century_register(fadt) == 0);
    fadt[8] = 4;
    fadt[108] = 0;
    CHECK(century_register(fadt) == 0);
    fadt[108] = 0x90;  // not in the 128 bytes /dev/nvram and the capture cover
    CHECK(century_register(fadt) == 0);
    CHECK(century_register(std::span<const uint8_t>(fadt).first(100)) == 0);
    fadt[108] = 0x32;
    fadt[0] = 'X';
    CHECK(century_register(fadt) == 0);
}
