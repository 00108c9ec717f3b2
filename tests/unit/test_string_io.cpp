// test_string_io.cpp - INS/OUTS as both backends run them
// (shared/x86/string_io.h: the decoder and the element loop the module's
// I/O exit runs too) and through the emulation backend end to end: element
// size, DF, address size, segment overrides, 64 KiB wrap, limit faults,
// REP counts of 0 and of 2^32, and the port policy per element.
#include <doctest/doctest.h>

#include <chrono>
#include <cstring>
#include <vector>

#include "core/call/call.h"
#include "core/run/start_state.h"
#include "image_memory.h"
#include "x86/string_io.h"

using namespace biosx;

namespace {

biosx_strio decode(std::vector<uint8_t> code, int default32 = 0, int* rc = nullptr)
{
    biosx_strio s{};
    int r = biosx_strio_decode(code.data(), static_cast<unsigned>(code.size()), default32, &s);
    if (rc) *rc = r;
    else REQUIRE(r == 0);
    return s;
}

int decode_rc(std::vector<uint8_t> code)
{
    int rc = 0;
    decode(std::move(code), 0, &rc);
    return rc;
}

// A port that records what it saw and answers IN with 0xA0 + element number.
struct Port {
    struct Access {
        unsigned port, size;
        bool in;
        unsigned value;
    };
    std::vector<Access> seen;
    static void fn(void* ctx, unsigned port, unsigned size, int in, unsigned* value)
    {
        auto* p = static_cast<Port*>(ctx);
        if (in) *value = (0xa0u + static_cast<unsigned>(p->seen.size())) & (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1);
        p->seen.push_back({port, size, in != 0, *value});
    }
};

biosx_strio_regs regs(unsigned long long rcx, unsigned long long rsi, unsigned long long rdi, int df = 0,
                      unsigned long long base = 0x30000)
{
    biosx_strio_regs r{};
    r.rcx = rcx;
    r.rsi = rsi;
    r.rdi = rdi;
    r.df = df;
    r.base = base;
    r.limit = 0xffff;
    return r;
}

// Runs CODE (then RETF) at 2000:0000 of a fresh image with DS=3000, ES=4000,
// SS:SP=5000:FFF0 on the emulation backend; REGS adjusts the registers.
template <class F>
CallOutcome run(std::vector<uint8_t> code, F regs_fn, IoPolicy io = {}, double timeout_s = 2)
{
    test::ImageMemory m;
    code.push_back(0xcb);  // retf
    m.write(0x20000, code);
    for (unsigned i = 0; i < 0x100; ++i) {
        m.bytes()[0x30100 + i] = static_cast<uint8_t>(0x10 + i);  // DS:0100..
        m.bytes()[0x40100 + i] = static_cast<uint8_t>(0x80 + i);  // ES:0100..
    }
    CallSpec s;
    s.req.entry.kind = Entry::Kind::far_call;
    s.req.entry.seg = 0x2000;
    s.req.entry.off = 0;
    s.req.regs = default_registers();
    s.req.regs[Reg::ds] = 0x3000;
    s.req.regs[Reg::es] = 0x4000;
    s.req.regs[Reg::ss] = 0x5000;
    s.req.regs[Reg::esp] = 0xfff0;
    s.req.io = std::move(io);
    s.req.limits.timeout_s = timeout_s;
    regs_fn(s.req.regs);
    s.reads.push_back({"4000:0100:16", 0x4000, 0x100, 0x40100, 16});
    auto b = make_emu_backend();
    return run_call(*b, m, s);
}

}  // namespace

TEST_CASE("string I/O decoder: opcodes, operand and address size, REP, segment prefixes")
{
    auto s = decode({0x6c});
    CHECK((s.size == 1 && s.in && !s.rep && !s.addr32 && s.seg == BIOSX_SEG_ES && s.len == 1 && !s.lock));
    CHECK(decode({0x6d}).size == 2);
    CHECK(decode({0x66, 0x6d}).size == 4);
    CHECK(decode({0x66, 0x66, 0x6d}).size == 4);  // a repeated prefix does not toggle back
    s = decode({0x6e});
    CHECK((!s.in && s.size == 1 && s.seg == BIOSX_SEG_DS));
    CHECK(decode({0x2e, 0x6e}).seg == BIOSX_SEG_CS);
    CHECK(decode({0x26, 0x3e, 0x6e}).seg == BIOSX_SEG_DS);  // the last segment prefix counts
    s = decode({0x64, 0xf3, 0x6f});
    CHECK((s.seg == BIOSX_SEG_FS && s.rep && s.size == 2 && s.len == 3));
    CHECK(decode({0x2e, 0x6c}).seg == BIOSX_SEG_ES);  // INS writes ES:(E)DI whatever the prefix
    CHECK(decode({0x36, 0x6f}).seg == BIOSX_SEG_SS);
    CHECK(decode({0x67, 0x6c}).addr32);
    CHECK(decode({0x67, 0x67, 0x6c}).addr32);
    CHECK(decode({0xf2, 0x6c}).rep);  // REPNE repeats INS/OUTS like REP
    CHECK(decode({0xf0, 0x6c}).lock);
    // a 32-bit code segment: the prefixes select the 16-bit forms
    CHECK(decode({0x6d}, 1).size == 4);
    CHECK(decode({0x66, 0x6d}, 1).size == 2);
    CHECK(!decode({0x67, 0x6c}, 1).addr32);
    // not INS/OUTS, or not a whole instruction
    CHECK(decode_rc({0x90}) == -1);
    CHECK(decode_rc({0xec}) == -1);
    CHECK(decode_rc({0xf3}) == -1);
    std::vector<uint8_t> longest(14, 0x3e);
    longest.push_back(0x6c);
    CHECK(decode(longest).len == 15);
    longest.insert(longest.begin(), 0x3e);
    CHECK(decode_rc(longest) == -1);  // 16 bytes: longer than any instruction
}

TEST_CASE("string I/O elements: size, DF, upper register halves, 64 KiB wrap")
{
    std::vector<uint8_t> mem(0x110000);
    Port p;
    biosx_strio s = decode({0xf3, 0x6d});  // rep insw
    auto r = regs(0xabcd0003, 0, 0x77770100);
    r.base = 0x40000;
    CHECK(biosx_strio_run(&s, 0x1234, &r, mem.data(), mem.size(), 100, Port::fn, &p) == BIOSX_STRIO_DONE);
    CHECK(r.rcx == 0xabcd0000);  // CX counted, the upper half of ECX untouched
    CHECK(r.rdi == 0x77770106);  // DI moved by 2 per word
    REQUIRE(p.seen.size() == 3);
    CHECK((p.seen[0].port == 0x1234 && p.seen[0].size == 2 && p.seen[0].in));
    CHECK(mem[0x40100] == 0xa0);
    CHECK(mem[0x40102] == 0xa1);
    CHECK(mem[0x40104] == 0xa2);

    // DF = 1: backwards, dwords
    p.seen.clear();
    s = decode({0xf3, 0x66, 0x6d});
    r = regs(2, 0, 0x200, 1, 0x40000);
    CHECK(biosx_strio_run(&s, 0x10, &r, mem.data(), mem.size(), 100, Port::fn, &p) == BIOSX_STRIO_DONE);
    CHECK(r.rdi == 0x1f8);
    CHECK(mem[0x40200] == 0xa0);
    CHECK(mem[0x401fc] == 0xa1);

    // a 16-bit offset wraps inside its segment: DI 0xFFFF -> 0x0000
    s = decode({0x6c});
    r = regs(0, 0, 0xffff, 0, 0x40000);
    CHECK(biosx_strio_run(&s, 0x10, &r, mem.data(), mem.size(), 1, Port::fn, &p) == BIOSX_STRIO_DONE);
    CHECK(r.rdi == 0);
    CHECK(mem[0x4ffff] != 0);

    // OUTS reads DS:SI (the segment given), SI moves, the count of a non-REP stays
    p.seen.clear();
    mem[0x30100] = 0x5a;
    s = decode({0x6e});
    r = regs(7, 0x100, 0, 0, 0x30000);
    CHECK(biosx_strio_run(&s, 0x80, &r, mem.data(), mem.size(), 1, Port::fn, &p) == BIOSX_STRIO_DONE);
    REQUIRE(p.seen.size() == 1);
    CHECK((!p.seen[0].in && p.seen[0].value == 0x5a));
    CHECK((r.rsi == 0x101 && r.rcx == 7));
}

TEST_CASE("string I/O faults: an element beyond the segment limit does no port access")
{
    std::vector<uint8_t> mem(0x110000);
    Port p;
    biosx_strio s = decode({0xf3, 0x6d});
    auto r = regs(5, 0, 0xfffc, 0, 0x40000);  // words at FFFC, FFFE, then FFFF..10000
    r.rdi = 0xfffc;
    CHECK(biosx_strio_run(&s, 0x1234, &r, mem.data(), mem.size(), 100, Port::fn, &p) == BIOSX_STRIO_DONE);
    // FFFC and FFFE fit, then DI wraps to 0000: no fault with an even start
    CHECK(p.seen.size() == 5);

    p.seen.clear();
    r = regs(3, 0, 0xfffd, 0, 0x40000);  // FFFD, then FFFF: the second word crosses the limit
    CHECK(biosx_strio_run(&s, 0x1234, &r, mem.data(), mem.size(), 100, Port::fn, &p) == BIOSX_STRIO_GP);
    CHECK(p.seen.size() == 1);
    CHECK((r.rcx == 2 && r.rdi == 0xffff));  // the registers name the faulting element

    p.seen.clear();
    s = decode({0x36, 0x6f});  // outsw ss:[si]
    r = regs(0, 0xffff, 0, 0, 0x50000);
    CHECK(biosx_strio_run(&s, 0x1234, &r, mem.data(), mem.size(), 1, Port::fn, &p) == BIOSX_STRIO_SS);
    CHECK(p.seen.empty());

    // outside the memory given (only reachable with a limit above 64 KiB)
    s = decode({0x67, 0x6c});
    r = regs(0, 0, 0x10, 0, 0xffff0);
    r.limit = 0xffffffff;
    CHECK(biosx_strio_run(&s, 0x1234, &r, mem.data(), 0x100000, 1, Port::fn, &p) == BIOSX_STRIO_OUTSIDE);
    CHECK(r.linear == 0x100000);
    CHECK(p.seen.empty());
}

TEST_CASE("string I/O REP: a count of 0 does nothing, a batch leaves the rest for the next execution")
{
    std::vector<uint8_t> mem(0x110000);
    Port p;
    biosx_strio s = decode({0xf3, 0x6e});
    auto r = regs(0xffff0000, 0x100, 0);
    CHECK(biosx_strio_run(&s, 0x80, &r, mem.data(), mem.size(), 100, Port::fn, &p) == BIOSX_STRIO_DONE);
    CHECK(p.seen.empty());  // CX = 0 (the upper half of ECX does not count)
    CHECK(r.rsi == 0x100);

    r = regs(10, 0x100, 0);
    CHECK(biosx_strio_run(&s, 0x80, &r, mem.data(), mem.size(), 4, Port::fn, &p) == BIOSX_STRIO_MORE);
    CHECK((r.rcx == 6 && r.rsi == 0x104 && p.seen.size() == 4));
    CHECK(biosx_strio_run(&s, 0x80, &r, mem.data(), mem.size(), 4, Port::fn, &p) == BIOSX_STRIO_MORE);
    CHECK(biosx_strio_run(&s, 0x80, &r, mem.data(), mem.size(), 4, Port::fn, &p) == BIOSX_STRIO_DONE);
    CHECK((r.rcx == 0 && r.rsi == 0x10a && p.seen.size() == 10));

    // 32-bit address size: ECX counts, ESI moves past 0xFFFF
    p.seen.clear();
    s = decode({0x67, 0xf3, 0x6e});
    r = regs(0x00010001, 0xfffe, 0);
    r.limit = 0xffffffff;
    CHECK(biosx_strio_run(&s, 0x80, &r, mem.data(), mem.size(), 3, Port::fn, &p) == BIOSX_STRIO_MORE);
    CHECK((r.rcx == 0xfffe && r.rsi == 0x10001));
}

TEST_CASE("emulation backend: INS/OUTS at every element size, both directions of DF, by the port policy")
{
    // rep insw from a virtual port: all ones, DI by 2, the count in CX
    auto o = run({0xba, 0x34, 0x12, 0xf3, 0x6d}, [](Registers& r) {
        r[Reg::ecx] = 0x55550003;
        r[Reg::edi] = 0x100;
    });
    REQUIRE(o.result.end.kind == EndKind::return_trap);
    CHECK(o.result.regs[Reg::ecx] == 0x55550000);
    CHECK(o.result.regs[Reg::edi] == 0x106);
    CHECK(o.result.io_count == 3);
    REQUIRE(o.result.port_counts.size() == 1);
    CHECK(o.result.port_counts[0].count == 3);
    CHECK(o.read_back[0][0] == 0xff);
    CHECK(o.read_back[0][5] == 0xff);
    CHECK(o.read_back[0][6] == 0x86);  // untouched

    // outsb reads DS:SI, not ES:SI (libx86emu 3.5's own OUTS reads ES)
    o = run({0xba, 0x34, 0x12, 0x6e}, [](Registers& r) { r[Reg::esi] = 0x100; });
    REQUIRE(o.result.io.size() == 1);
    CHECK(o.result.io[0].value == 0x10);
    CHECK(o.result.regs[Reg::esi] == 0x101);
    // a CS override: the code's own first byte (mov dx = 0xBA)
    o = run({0xba, 0x34, 0x12, 0x2e, 0x6e}, [](Registers& r) { r[Reg::esi] = 0; });
    REQUIRE(o.result.io.size() == 1);
    CHECK(o.result.io[0].value == 0xba);

    // std; rep outsd; cld: backwards, dwords
    o = run({0xba, 0x34, 0x12, 0xfd, 0xf3, 0x66, 0x6f, 0xfc}, [](Registers& r) {
        r[Reg::ecx] = 2;
        r[Reg::esi] = 0x104;
    });
    REQUIRE(o.result.io.size() == 2);
    CHECK(o.result.io[0].value == 0x17161514u);
    CHECK(o.result.io[1].value == 0x13121110u);
    CHECK(o.result.regs[Reg::esi] == 0xfc);

    // REP with CX = 0: nothing, and the next instruction runs
    o = run({0xf3, 0x6c, 0x90}, [](Registers& r) { r[Reg::ecx] = 0; });
    CHECK(o.result.end.kind == EndKind::return_trap);
    CHECK(o.result.io_count == 0);
}

TEST_CASE("emulation backend: every element of a REP OUTS to a floor port is refused and counted")
{
    // (virtual I/O: the floor is refused in every mode)
    auto o = run({0xba, 0x63, 0x00, 0xf3, 0x6f}, [](Registers& r) {  // rep outsw at 0x63: each word reaches 0x64
        r[Reg::ecx] = 5;
        r[Reg::esi] = 0x100;
    });
    REQUIRE(o.result.end.kind == EndKind::return_trap);
    REQUIRE(o.result.io.size() == 5);
    for (const auto& a : o.result.io) CHECK(a.disposition == IoDisposition::denied);
    REQUIRE(o.result.port_counts.size() == 1);
    CHECK(o.result.port_counts[0].disposition == IoDisposition::denied);
    CHECK(o.result.port_counts[0].count == 5);
}

TEST_CASE("emulation backend: string I/O faults, LOCK, a 32-bit count past the segment limit, REP loops ending at the timeout")
{
    // a word at ES:FFFF crosses the limit: #GP(0), at the instruction, no access
    auto o = run({0xba, 0x34, 0x12, 0x6d}, [](Registers& r) { r[Reg::edi] = 0xffff; });
    CHECK(o.result.end.kind == EndKind::exception);
    CHECK(o.result.end.vector == 13);
    CHECK(o.result.end.error_code == 0);
    CHECK(o.result.regs[Reg::eip] == 3);
    CHECK(o.result.io_count == 0);
    // through SS: #SS(0)
    o = run({0xba, 0x34, 0x12, 0x36, 0x6f}, [](Registers& r) { r[Reg::esi] = 0xffff; });
    CHECK(o.result.end.vector == 12);
    // LOCK INS: #UD, as the CPU raises before any exit
    o = run({0xf0, 0x6c}, [](Registers&) {});
    CHECK(o.result.end.kind == EndKind::exception);
    CHECK(o.result.end.vector == 6);

    // a32 rep insb with ECX = 0xFFFFFFFF into a 64 KiB segment: the offsets
    // pass the limit at 0x10000 (#GP) long before the count runs out
    o = run({0xba, 0x34, 0x12, 0x67, 0xf3, 0x6c}, [](Registers& r) {
        r[Reg::ecx] = 0xffffffff;
        r[Reg::edi] = 0;
    });
    CHECK(o.result.end.vector == 13);
    CHECK(o.result.regs[Reg::edi] == 0x10000);
    CHECK(o.result.regs[Reg::ecx] == 0xffffffffu - 0x10000);
    CHECK(o.result.io_count == 0x10000);
    CHECK(o.result.io.size() == 0x10000);

    // rep outsb with CX = 0xFFFF, SI wrapping round DS again and again, in a
    // loop: ends at --timeout, and the log keeps only the first kIoLogMax
    auto t0 = std::chrono::steady_clock::now();
    o = run({0xba, 0x34, 0x12, 0xb9, 0xff, 0xff, 0xf3, 0x6e, 0xeb, 0xf9}, [](Registers&) {}, IoPolicy{}, 0.3);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(o.result.end.kind == EndKind::timeout);
    CHECK(s < 3);
    CHECK(o.result.io.size() == kIoLogMax);
    CHECK(o.result.io_count > kIoLogMax);
}
