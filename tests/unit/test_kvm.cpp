// test_kvm.cpp - the kvm backend: its pure parts (real-mode segment state,
// exit names, exception stubs) everywhere, and runs in a KVM guest where
// /dev/kvm is usable (else SKIP with the reason): answers equal to the
// emulation backend's over the SeaBIOS snapshot, and the ends of a loop and
// of an undefined opcode.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <linux/kvm.h>
#include <nlohmann/json.hpp>
#include <pthread.h>
#include <thread>

#include "core/backend/backend.h"
#include "core/backend/kvm_state.h"
#include "core/call/call.h"
#include "core/device/kvm_device.h"
#include "core/memmap/firmware_map.h"
#include "core/run/image.h"
#include "core/run/start_state.h"
#include "image_memory.h"
#include "x86/realmode.h"

using namespace biosx;
using biosx::test::int_spec;

namespace {


// True when KVM runs here; otherwise says SKIP and why.
bool kvm_here()
{
    std::string why = KvmDevice::unusable_reason();
    if (!why.empty()) MESSAGE("SKIP: " << why);
    return why.empty();
}

}  // namespace

TEST_CASE("kvm: real mode as KVM_SET_SREGS takes it")
{
    kvm_sregs s{};
    s.cr0 = 0x60000011;  // CD NW ET PE
    s.efer = 0x500;
    Registers r = default_registers();
    r[Reg::cs] = 0xf000;
    r[Reg::ds] = 0x0040;
    r[Reg::ss] = 0x1234;
    kvm::real_mode_sregs(s, r);
    CHECK(s.cr0 == 0x60000010);
    CHECK(s.efer == 0);
    CHECK(s.cs.base == 0xf0000);
    CHECK(s.cs.selector == 0xf000);
    CHECK(s.cs.limit == 0xffff);
    CHECK(s.cs.type == 0x0b);
    CHECK(s.ds.base == 0x400);
    CHECK(s.ds.type == 0x03);
    CHECK(s.ss.base == 0x12340);
    CHECK((s.ss.present == 1 && s.ss.s == 1 && s.ss.dpl == 0 && s.ss.db == 0 && s.ss.g == 0));
    CHECK(s.idt.base == 0);
    CHECK(s.idt.limit == 0x3ff);
    kvm_regs k = kvm::to_kvm_regs(r);
    CHECK(k.rsp == BIOSX_DEFAULT_SP);
    CHECK(k.rflags == BIOSX_EFLAGS_FIXED1);
    Registers back = kvm::from_kvm(k, s);
    for (int i = 0; i < kRegCount; ++i) CHECK(back.v[i] == r.v[i]);
}

TEST_CASE("kvm: the vCPU's system state (--dump-vmcs on kvm) as text and JSON")
{
    kvm_sregs s{};
    s.cr0 = 0x60000011;
    s.apic_base = 0xfee00900;
    Registers r = default_registers();
    r[Reg::cs] = 0xf000;
    r[Reg::ss] = 0x1234;
    kvm::real_mode_sregs(s, r);
    s.tr.type = 0x0b;
    s.ldt.unusable = 1;
    const VcpuState v = kvm::vcpu_state(s);
    CHECK(v.seg[0].selector == 0xf000);
    CHECK(v.seg[0].base == 0xf0000);
    CHECK(v.seg[5].base == 0x12340);
    CHECK(v.cr0 == 0x60000010);
    CHECK(v.idt_limit == 0x3ff);
    const std::string t = render_vcpu_text(v);
    CHECK(t.find("  cs    f000  base 000f0000  limit 0000ffff  type b code/data dpl 0 P\n") != std::string::npos);
    CHECK(t.find("  ss    1234  base 00012340") != std::string::npos);
    CHECK(t.find("  tr    0000  base 00000000  limit 00000000  type b system dpl 0 not-present\n") != std::string::npos);
    CHECK(t.find("  ldtr  0000  base 00000000  limit 00000000  unusable\n") != std::string::npos);
    CHECK(t.find("  cr0   60000010  (PE=0 PG=0)\n") != std::string::npos);
    CHECK(t.find("  idtr  base 00000000  limit 03ff\n") != std::string::npos);
    CHECK(t.find("  efer  0  (LME=0 LMA=0)\n  apic_base fee00900\n") != std::string::npos);
    const nlohmann::json j = vcpu_to_json(v);
    CHECK(j["segments"]["cs"]["base"] == 0xf0000);
    CHECK(j["segments"]["cs"]["type"] == 0x0b);
    CHECK(j["segments"]["ldtr"]["unusable"] == true);
    CHECK(j["cr0"] == 0x60000010);
    CHECK(j["idt"]["limit"] == 0x3ff);
    CHECK(j["apic_base"] == 0xfee00900u);
}

TEST_CASE("kvm: exit names and exception stubs")
{
    CHECK(kvm_exit_name(KVM_EXIT_IO) == "KVM_EXIT_IO");
    CHECK(kvm_exit_name(KVM_EXIT_HLT) == "KVM_EXIT_HLT");
    CHECK(kvm_exit_name(KVM_EXIT_SHUTDOWN) == "KVM_EXIT_SHUTDOWN");
    CHECK(kvm_exit_name(999) == "KVM_EXIT_999");
    CHECK(KvmDevice::ioctl_name(KVM_RUN) == "KVM_RUN");
    CHECK(KvmDevice::ioctl_name(KVM_SET_SREGS) == "KVM_SET_SREGS");
    CHECK(kvm::stub_vector(kvm::kExceptionStubs + 6) == 6);
    CHECK(kvm::stub_vector(kvm::kExceptionStubs + 5) == -1);  // INT 5 is print screen
    CHECK(kvm::stub_vector(BIOSX_TRAP_LINEAR) == -1);
    // The stubs lie in the 16 bytes after the trap, below anything a BIOS call's frame uses.
    CHECK(kvm::kExceptionStubs > BIOSX_TRAP_LINEAR);
    CHECK(kvm::kExceptionStubs + 13 < BIOSX_TRAP_LINEAR + 0x100);
}

#ifdef BIOSX_SNAPSHOT
TEST_CASE("kvm: INT 11h and the E820 walk over the SeaBIOS snapshot equal the emulator's")
{
    if (!kvm_here()) return;
    auto kvm_mem = open_image(BIOSX_SNAPSHOT);
    auto emu_mem = open_image(BIOSX_SNAPSHOT);
    auto kvm_b = make_kvm_backend();
    auto emu_b = make_emu_backend();
    auto k = run_call(*kvm_b, *kvm_mem, int_spec(0x11)).result;
    auto e = run_call(*emu_b, *emu_mem, int_spec(0x11)).result;
    REQUIRE(k.end.kind == EndKind::return_trap);
    CHECK(k.backend == "kvm");
    for (int i = 0; i < kRegCount; ++i) CHECK(k.regs.v[i] == e.regs.v[i]);
    CHECK(k.regs[Reg::eax] == kvm_mem->read16(BIOSX_BDA_EQUIPMENT));
    CHECK(k.exits >= 1);
    CHECK(k.exits_by_reason["KVM_EXIT_HLT"] == 1);
    REQUIRE(k.vcpu);
    CHECK(k.vcpu->seg[0].selector == k.regs[Reg::cs]);
    CHECK((k.vcpu->cr0 & 1) == 0);  // still real mode

    // The same VM again: the backend keeps it from call to call.
    auto k2 = run_call(*kvm_b, *kvm_mem, int_spec(0x12)).result;
    CHECK(k2.end.kind == EndKind::return_trap);
    CHECK((k2.regs[Reg::eax] & 0xffff) == kvm_mem->read16(BIOSX_BDA_MEMSIZE_KB));

    memmap::FirmwareMapOptions opt;
    auto km = memmap::firmware_map(*kvm_b, *kvm_mem, opt);
    auto em = memmap::firmware_map(*emu_b, *emu_mem, opt);
    CHECK(km.method == "e820");
    REQUIRE(km.entries.size() == em.entries.size());
    CHECK(km.entries.size() >= 2);
    for (size_t i = 0; i < km.entries.size(); ++i) {
        CHECK(km.entries[i].base == em.entries[i].base);
        CHECK(km.entries[i].length == em.entries[i].length);
        CHECK(km.entries[i].type == em.entries[i].type);
    }
}
#endif

TEST_CASE("kvm: a loop ends at the timeout, UD2 with exception 6, HLT and a wild access by their kinds")
{
    if (!kvm_here()) return;
    biosx::test::ImageMemory m;
    m.handler(0x20, 0x300, {0xeb, 0xfe});              // jmp $
    m.handler(0x21, 0x400, {0x90, 0x0f, 0x0b});        // nop ; ud2
    m.handler(0x22, 0x500, {0xfa, 0xf4});              // cli ; hlt
    m.handler(0x23, 0x600, {0xb8, 0xff, 0xff, 0x8e, 0xd8, 0xa0, 0x10, 0x00});  // mov ax,ffff; mov ds,ax; mov al,[0010]
    m.handler(0x24, 0x700, {0xb0, 0x41, 0xe6, 0x80, 0xe4, 0x61, 0xcf});       // mov al,41h; out 80h,al; in al,61h; iret
    m.handler(0x25, 0x800, {0x31, 0xc9, 0xf7, 0xf1});  // xor cx,cx ; div cx -> #DE
    auto b = make_kvm_backend();
    auto s = int_spec(0x20);
    s.req.limits.timeout_s = 0.1;
    auto loop = run_call(*b, m, s).result;
    CHECK(loop.end.kind == EndKind::timeout);
    CHECK(loop.elapsed_s >= 0.1);
    CHECK(loop.elapsed_s < 2.0);

    // A signal the program sends itself (not the run's timer) does not end
    // the run: it still lasts until its own time limit.
    s.req.limits.timeout_s = 0.5;
    const pthread_t self = pthread_self();
    std::thread poke([self] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        sigval v{};
        pthread_sigqueue(self, SIGRTMIN, v);
    });
    auto poked = run_call(*b, m, s).result;
    poke.join();
    CHECK(poked.end.kind == EndKind::timeout);
    CHECK(poked.elapsed_s >= 0.5);

    // #DE is delivered through the IVT by the CPU: the stub ends the run.
    auto de = run_call(*b, m, int_spec(0x25)).result;
    CHECK(de.end.kind == EndKind::exception);
    CHECK(de.end.vector == 0);
    CHECK(de.end.message == "CPU exception 0 (#DE divide error) at f000:0802");
    CHECK(de.regs[Reg::esp] == BIOSX_DEFAULT_SP - 6);  // the INT frame is still there, the exception's is not
    CHECK(m.read16(0) == 0);                            // the IVT entry is back as it was

    // KVM intercepts #UD to emulate the instructions it knows, and queues
    // #UD for the rest (exception 6, as in the Bochs guests); the /dev/kvm
    // of this project's build machines reports an emulation failure
    // instead. Either way the run must not complete.
    auto ud = run_call(*b, m, int_spec(0x21)).result;
    CHECK(ud.end.kind != EndKind::return_trap);
    if (ud.end.kind == EndKind::exception)
        CHECK(ud.end.vector == 6);
    else
        CHECK(ud.exits_by_reason["KVM_EXIT_INTERNAL_ERROR"] == 1);

    auto hlt = run_call(*b, m, int_spec(0x22)).result;
    CHECK(hlt.end.kind == EndKind::halt);
    CHECK(hlt.end.message == "HLT at f000:0501 outside the return trap");

    auto wild = run_call(*b, m, int_spec(0x23)).result;
    CHECK(wild.end.kind == EndKind::bad_memory);
    CHECK(wild.end.address == 0x100000);

    auto io = run_call(*b, m, int_spec(0x24)).result;
    CHECK(io.end.kind == EndKind::return_trap);
    CHECK(io.io_count == 2);
    CHECK(io.exits_by_reason["KVM_EXIT_IO"] == 2);
    REQUIRE(io.io.size() == 2);
    CHECK(io.io[0].port == 0x80);
    CHECK(io.io[0].write);
    CHECK(io.io[0].value == 0x41);
    CHECK(io.io[1].port == 0x61);
    CHECK((io.regs[Reg::eax] & 0xff) == 0xff);  // virtual: all ones, as on the emulator
}
