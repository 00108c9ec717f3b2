// test_call.cpp - buffers, vectors, exit codes, and runs of tiny programs on
// the emulation backend over a crafted memory image.
#include <doctest/doctest.h>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/call/call.h"
#include "core/call/call_input.h"
#include "core/error.h"
#include "core/format.h"
#include "core/run/io_policy.h"
#include "core/run/start_state.h"
#include "test_errors.h"
#include "image_memory.h"
#include "x86/realmode.h"

using namespace biosx;
using biosx::test::int_spec;
using biosx::test::error_of;
using TestMemory = biosx::test::ImageMemory;

namespace {


}  // namespace

TEST_CASE("SEG:OFF, --write and --read specs")
{
    uint16_t s, o;
    CHECK(parse_seg_off("c000:0003", "x", &s, &o) == 0xc0003);
    CHECK(s == 0xc000);
    CHECK(o == 3);
    CHECK(parse_seg_off("0xffff:0x10", "x") == 0x100000);
    CHECK(error_of([] { parse_seg_off("c0000003", "x"); }).first == ErrorKind::usage);
    CHECK(error_of([] { parse_seg_off("10000:0", "x"); }).first == ErrorKind::usage);
    auto w = parse_buffer_write("0000:7e00=55aa 01");
    CHECK(w.linear == 0x7e00);
    CHECK(w.bytes == std::vector<uint8_t>{0x55, 0xaa, 0x01});
    CHECK(error_of([] { parse_buffer_write("0000:7e00=5"); }).first == ErrorKind::usage);
    CHECK(error_of([] { parse_buffer_write("0000:7e00=zz"); }).first == ErrorKind::usage);
    CHECK(error_of([] { parse_buffer_write("0000:7e00"); }).first == ErrorKind::usage);
    CHECK(error_of([] { parse_buffer_write("0000:7e00=@/nonexistent/file"); }).first == ErrorKind::usage);
    auto r = parse_buffer_read("0000:7e00:24");
    CHECK(r.linear == 0x7e00);
    CHECK(r.len == 24);
    CHECK(parse_buffer_read("0000:7e00:0x18").len == 24);
    CHECK(error_of([] { parse_buffer_read("0000:7e00"); }).first == ErrorKind::usage);
    CHECK(error_of([] { parse_buffer_read("0000:7e00:0"); }).first == ErrorKind::usage);
    CHECK(parse_vector("0x15") == 0x15);
    CHECK(parse_vector("15h") == 0x15);
    CHECK(parse_vector("21") == 21);
    CHECK(error_of([] { parse_vector("0x100"); }).first == ErrorKind::usage);
}

TEST_CASE("exit codes are the documented ones")
{
    CHECK(static_cast<int>(exit_code_for(ErrorKind::usage)) == 2);
    CHECK(static_cast<int>(exit_code_for(ErrorKind::environment)) == 3);
    CHECK(static_cast<int>(exit_code_for(ErrorKind::incomplete)) == 4);
    CHECK(static_cast<int>(ExitCode::carry) == 5);
}

TEST_CASE("INT n runs the handler and IRET lands on the trap")
{
    TestMemory m;
    // mov ax, 0x1234 ; stc ; retf 2 (BIOS style: return CF through the flags image)
    m.handler(0x11, 0x100, {0xb8, 0x34, 0x12, 0xf9, 0xca, 0x02, 0x00});
    auto b = make_emu_backend();
    auto out = run_call(*b, m, int_spec(0x11));
    CHECK(out.result.end.kind == EndKind::return_trap);
    CHECK(out.result.regs[Reg::eax] == 0x1234);
    CHECK((out.result.regs[Reg::eflags] & 1) == 1);
    CHECK(out.result.regs[Reg::esp] == BIOSX_DEFAULT_SP);
    CHECK(out.result.regs[Reg::eip] == BIOSX_TRAP_OFF);
    CHECK(out.result.instructions == 3);
    auto j = call_to_json(int_spec(0x11), out);
    CHECK(j["schema_version"] == kJsonSchemaVersion);
    CHECK(j["carry"] == true);
    CHECK(j["out"]["eax"] == 0x1234);
    CHECK(j["end"]["completed"] == true);
}

TEST_CASE("text: the exits of a hardware backend by reason, none for the emulator")
{
    TestMemory m;
    m.handler(0x11, 0x100, {0xcf});  // iret
    auto b = make_emu_backend();
    auto out = run_call(*b, m, int_spec(0x11));
    CHECK(render_call_text(int_spec(0x11), out, false).find("VM exits by reason") == std::string::npos);
    out.result.backend = "kvm";
    out.result.exits = 3;
    out.result.exits_by_reason = {{"KVM_EXIT_HLT", 1}, {"KVM_EXIT_IO", 2}};
    const std::string t = render_call_text(int_spec(0x11), out, false);
    CHECK(t.find("returned to the trap after 3 VM exits") != std::string::npos);
    CHECK(t.find("\nVM exits by reason: KVM_EXIT_HLT 1, KVM_EXIT_IO 2\n") != std::string::npos);
}

TEST_CASE("a vector with no handler is refused before anything runs")
{
    TestMemory m;
    auto b = make_emu_backend();
    CHECK(error_of([&] { run_call(*b, m, int_spec(0x10)); }).first == ErrorKind::environment);
    CHECK(m.bytes()[BIOSX_TRAP_LINEAR] == 0);  // nothing was written
    m.write16(0x10 * 4, 0x1000);
    m.write16(0x10 * 4 + 2, 0xe000);  // points at zeroed memory
    CHECK(error_of([&] { run_call(*b, m, int_spec(0x10)); }).first == ErrorKind::environment);
    std::vector<uint8_t> ff(64, 0xff);
    m.write(0xe1000, ff);  // erased flash
    CHECK(error_of([&] { run_call(*b, m, int_spec(0x10)); }).first == ErrorKind::environment);
}

TEST_CASE("buffers outside memory are refused before the run")
{
    TestMemory m;
    m.handler(0x11, 0x100, {0xcf});
    auto b = make_emu_backend();
    auto s = int_spec(0x11);
    s.reads.push_back(parse_buffer_read("ffff:fff0:64"));
    CHECK(error_of([&] { run_call(*b, m, s); }).first == ErrorKind::usage);
    CHECK(m.bytes()[BIOSX_TRAP_LINEAR] == 0);
    s.reads.clear();
    s.writes.push_back(parse_buffer_write("f000:fffe=010203"));
    CHECK(error_of([&] { run_call(*b, m, s); }).first == ErrorKind::usage);
}

TEST_CASE("buffers are written before and read after the run")
{
    TestMemory m;
    // les di,... no: inc byte [es:di] ; iret
    m.handler(0x15, 0x200, {0x26, 0xfe, 0x05, 0xcf});
    auto b = make_emu_backend();
    auto s = int_spec(0x15);
    s.req.regs[Reg::edi] = 0x7e00;
    s.writes.push_back(parse_buffer_write("0000:7e00=41"));
    s.reads.push_back(parse_buffer_read("0000:7e00:2"));
    auto out = run_call(*b, m, s);
    REQUIRE(out.read_back.size() == 1);
    CHECK(out.read_back[0] == std::vector<uint8_t>{0x42, 0x00});
    CHECK(call_to_json(s, out)["buffers"][0]["hex"] == "4200");
}

TEST_CASE("bounded: an endless loop hits the instruction limit, then the clock")
{
    TestMemory m;
    m.handler(0x20, 0x300, {0xeb, 0xfe});  // jmp $
    auto b = make_emu_backend();
    auto s = int_spec(0x20);
    s.req.limits.max_instructions = 1000;
    auto out = run_call(*b, m, s);
    CHECK(out.result.end.kind == EndKind::instruction_limit);
    CHECK(out.result.instructions == 1000);
    s.req.limits.max_instructions = ~0ull;
    s.req.limits.timeout_s = 0.05;
    out = run_call(*b, m, s);
    CHECK(out.result.end.kind == EndKind::timeout);
    CHECK(out.result.elapsed_s >= 0.05);
    CHECK(out.result.elapsed_s < 1.0);
}

TEST_CASE("HLT outside the trap, exceptions and wild fetches end the run distinctly")
{
    TestMemory m;
    m.handler(0x21, 0x400, {0xfa, 0xf4});                 // cli ; hlt
    m.handler(0x22, 0x500, {0x31, 0xc9, 0xf7, 0xf1});     // xor cx,cx ; div cx -> #DE
    m.handler(0x23, 0x600, {0xea, 0x10, 0x00, 0xff, 0xff});  // jmp ffff:0010 -> 0x100000, past a 1 MiB source
    auto b = make_emu_backend();
    CHECK(run_call(*b, m, int_spec(0x21)).result.end.kind == EndKind::halt);
    auto de = run_call(*b, m, int_spec(0x22)).result;
    CHECK(de.end.kind == EndKind::exception);
    CHECK(de.end.vector == 0);
    // Named from shared/x86/exceptions.h, as the vmx backend names it.
    CHECK(de.end.message == "CPU exception 0 (#DE divide error) at f000:0502");
    CHECK(cpu_exception(13, 0x2000, 0x10, 0).message ==
          "CPU exception 13 (#GP general protection) at 2000:0010, error code 0x0");
    CHECK(cpu_exception(9, 0, 0).message == "CPU exception 9 (coprocessor segment overrun) at 0000:0000");
    CHECK(cpu_exception(15, 0, 0).message == "CPU exception 15 at 0000:0000");
    auto wild = run_call(*b, m, int_spec(0x23)).result;
    CHECK(wild.end.kind == EndKind::bad_memory);
    CHECK(wild.end.address == 0x100000);
}

// fuzz_emu finding (docs/fuzzing.md): libx86emu computes these with the
// host's DIV/IDIV, and the host's SIGFPE killed biosx. A CPU raises #DE and
// writes no register; EIP stays at the instruction. Repro:
// tests/fuzz/regressions/emu/.
TEST_CASE("AAM 0 and IDIV quotient overflow end the run by #DE, not the host by SIGFPE")
{
    struct Case {
        const char* what;
        std::vector<uint8_t> code;
        uint16_t fault_ip;  // offset of the dividing instruction
    };
    const Case cases[] = {
        {"aam 0", {0xb8, 0x34, 0x12, 0xd4, 0x00}, 0x703},  // mov ax,1234h ; aam 0
        {"idiv r/m16", {0xba, 0x00, 0x80, 0x31, 0xc0, 0xbb, 0xff, 0xff, 0xf7, 0xfb}, 0x708},
        {"idiv r/m32",
         {0x66, 0xba, 0, 0, 0, 0x80, 0x66, 0x31, 0xc0, 0x66, 0xbb, 0xff, 0xff, 0xff, 0xff, 0x66, 0xf7, 0xfb},
         0x70f},
    };
    auto b = make_emu_backend();
    for (const auto& c : cases) {
        CAPTURE(std::string(c.what));
        TestMemory m;
        m.handler(0x24, 0x700, c.code);
        const RunResult r = run_call(*b, m, int_spec(0x24)).result;
        CHECK(r.end.kind == EndKind::exception);
        CHECK(r.end.vector == 0);
        CHECK(r.end.message == "CPU exception 0 (#DE divide error) at f000:" + hex_digits(c.fault_ip, 4));
        CHECK(r.regs[Reg::eip] == c.fault_ip);
    }
    // The dividend is left as it was.
    TestMemory m;
    m.handler(0x24, 0x700, cases[0].code);
    CHECK((run_call(*b, m, int_spec(0x24)).result.regs[Reg::eax] & 0xffff) == 0x1234);
}

// fuzz_emu finding (docs/fuzzing.md): libx86emu decoded any number of
// prefixes and wrote the disassembly of each F0/F2/F3 into a 256-byte
// buffer inside the emulator; some 50 overran it and biosx died of SIGSEGV.
// An instruction longer than 15 bytes is #GP on a CPU. Repro:
// tests/fuzz/regressions/emu/.
TEST_CASE("an instruction longer than 15 bytes ends the run by #GP")
{
    auto b = make_emu_backend();
    for (uint8_t prefix : {0xf3, 0xf2, 0xf0, 0x66, 0x26}) {
        CAPTURE(int{prefix});
        TestMemory m;
        std::vector<uint8_t> code(200, prefix);  // far past 15, and past the 256-byte buffer
        code.push_back(0x90);
        m.handler(0x25, 0x800, code);
        const RunResult r = run_call(*b, m, int_spec(0x25)).result;
        CHECK(r.end.kind == EndKind::exception);
        CHECK(r.end.vector == 13);
        CHECK(r.end.message == "CPU exception 13 (#GP general protection) at f000:0800, error code 0x0");
    }
    // 14 prefixes and a one-byte opcode are 15 bytes: they run.
    TestMemory m;
    std::vector<uint8_t> code(14, 0x2e);
    code.push_back(0xcf);  // iret
    m.handler(0x25, 0x800, code);
    CHECK(run_call(*b, m, int_spec(0x25)).result.end.kind == EndKind::return_trap);
}

TEST_CASE("I/O over an image: virtual ports read all ones, the hard floor is refused")
{
    TestMemory m;
    // in al,0x61 ; out 0x64,al ; in ax,0x60 ; iret
    m.handler(0x24, 0x700, {0xe4, 0x61, 0xe6, 0x64, 0xe5, 0x60, 0xcf});
    auto b = make_emu_backend();
    auto s = int_spec(0x24);
    auto out = run_call(*b, m, s);
    REQUIRE(out.result.io.size() == 3);
    CHECK(out.result.io[0].value == 0xff);
    CHECK(out.result.io[0].disposition == IoDisposition::virtual_);
    CHECK(out.result.io[1].write);
    CHECK(out.result.io[1].disposition == IoDisposition::denied);
    CHECK(out.result.io[2].value == 0xffff);
    CHECK((out.result.regs[Reg::eax] & 0xffff) == 0xffff);

    CHECK(out.result.port_counts.size() == 3);  // 0x61 in, 0x64 out, 0x60 in: one access each
}

// fuzz_emu finding (docs/fuzzing.md): libx86emu runs a REP MOVS/STOS's
// whole count in one loop. With a 32-bit count one instruction went on for
// 2^32 accesses after leaving the memory, past --timeout. Reproducer:
// tests/fuzz/regressions/emu/a32-rep-stosb.
TEST_CASE("REP string instructions end with the run: at the end of memory, and by the clock inside the loop")
{
    auto b = make_emu_backend();
    SUBCASE("a32 REP STOSB with ECX = 2^32-1 stops at the first byte past the memory")
    {
        TestMemory m;
        // mov ecx,-1 ; xor edi,edi ; mov es,di ; a32 rep stosb
        m.handler(0x26, 0x900, {0x66, 0xb9, 0xff, 0xff, 0xff, 0xff, 0x66, 0x31, 0xff, 0x8e, 0xc7, 0x67, 0xf3, 0xaa});
        const RunResult r = run_call(*b, m, int_spec(0x26)).result;
        CHECK(r.end.kind == EndKind::bad_memory);
        CHECK(r.end.address == m.size());
        CHECK((r.regs[Reg::eip] & 0xffff) == 0x90b);  // at the REP, as an interrupted one leaves it
    }
    SUBCASE("REP MOVSB of 65,535 in a loop ends by --timeout inside the loop")
    {
        TestMemory m;
        // mov ax,2000h ; mov es,ax ; L: mov cx,ffffh ; xor si,si ; xor di,di ; rep movsb ; jmp L
        m.handler(0x26, 0x900, {0xb8, 0x00, 0x20, 0x8e, 0xc0, 0xb9, 0xff, 0xff, 0x31, 0xf6, 0x31, 0xff, 0xf3,
                                0xa4, 0xeb, 0xf5});
        auto s = int_spec(0x26);
        s.req.limits.timeout_s = 0.05;
        const RunResult r = run_call(*b, m, s).result;
        CHECK_MESSAGE(r.end.kind == EndKind::timeout, r.end.message);
        // on_code reads the clock every 4,096 instructions: ended before the
        // first of those reads, the clock was read inside the REP loops.
        CHECK(r.instructions < 4096);
    }
}

// fuzz_emu finding (docs/fuzzing.md): with --trace, libx86emu appends its
// end-of-run lines to the 64 KiB log buffer unchecked, and every INS/OUTS
// ends an x86emu_run; ~3,900 of them in a row wrote past the buffer (ASan:
// heap-buffer-overflow in x86emu_run). Reproducer:
// tests/fuzz/regressions/emu/trace-log-trailer-overrun. Caught by the asan
// preset; here the run must also end right and the trace be whole.
TEST_CASE("--trace through thousands of INS in a row: the log is flushed before it fills")
{
    TestMemory m;
    // mov ax,5000h ; mov es,ax ; xor di,di ; 8,000 x insb ; iret
    std::vector<uint8_t> code = {0xb8, 0x00, 0x50, 0x8e, 0xc0, 0x31, 0xff};
    code.insert(code.end(), 8000, 0x6c);
    code.push_back(0xcf);
    m.handler(0x28, 0x1000, code);
    auto b = make_emu_backend();
    auto s = int_spec(0x28);
    std::FILE* trace = std::tmpfile();
    REQUIRE(trace);
    s.req.trace = trace;
    const RunResult r = run_call(*b, m, s).result;
    CHECK_MESSAGE(r.end.kind == EndKind::return_trap, r.end.message);
    CHECK((r.regs[Reg::edi] & 0xffff) == 8000);
    CHECK(r.io_count == 8000);
    // The trace holds the IRET: nothing after the INS run was lost.
    std::fseek(trace, 0, SEEK_SET);
    std::string text;
    for (int ch; (ch = std::fgetc(trace)) != EOF;) text += static_cast<char>(ch);
    std::fclose(trace);
    CHECK(text.find("iret") != std::string::npos);
}

TEST_CASE("a write over biosx's return trap or return frame, or a frame outside memory, is refused (issue 11)")
{
    TestMemory m;
    m.handler(0x11, 0x100, {0xb8, 0x34, 0x12, 0xcf});
    auto b = make_emu_backend();
    CallSpec c;
    c.req.entry = {Entry::Kind::far_call, 0, 0x0000, 0x0600};
    c.req.regs = default_registers();
    c.writes.push_back(parse_buffer_write("0000:0600=EBFE"));
    CHECK(error_of([&] { run_call(*b, m, c); }).second ==
          "--write 0000:0600=EBFE: overlaps biosx's return trap at 0x00600 (0000:0600, 1 byte); write elsewhere");
    CHECK(m.bytes()[0x600] == 0);  // nothing was written
    CallSpec s = int_spec(0x11);
    s.writes.push_back(parse_buffer_write("0000:7bf0=00112233445566778899aabbccddeeff"));
    CHECK(error_of([&] { run_call(*b, m, s); }).second.find("overlaps the return frame biosx pushes below SS:SP at 0x07bfa") !=
          std::string::npos);
    CallSpec ok = int_spec(0x11);
    ok.writes.push_back(parse_buffer_write("0000:7bf0=00112233"));
    CHECK(run_call(*b, m, ok).result.end.kind == EndKind::return_trap);
    // A frame that lies outside memory names --ss and --sp.
    ok.req.regs[Reg::ss] = 0xffff;
    ok.req.regs[Reg::esp] = 0xffff;
    CHECK(error_of([&] { run_call(*b, m, ok); }).second.find("--ss 0xffff --sp 0xffff: the return frame") == 0);
}

TEST_CASE("SEG:OFF messages echo what the user wrote")
{
    CHECK(error_of([] { parse_seg_off("zz:0003", "SEG:OFF"); }).second ==
          "SEG:OFF segment: 'zz' is not a hex number (e.g. c000)");
    CHECK(error_of([] { parse_seg_off("c000:12345", "SEG:OFF"); }).second == "SEG:OFF offset: 12345 does not fit in 16 bits");
    uint16_t seg = 0, off = 0;
    CHECK(parse_seg_off("0xc000:3h", "x", &seg, &off) == 0xc0003);
    CHECK(seg == 0xc000);
    CHECK(off == 3);
}
