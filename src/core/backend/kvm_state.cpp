// kvm_state.cpp - real-mode vCPU state for KVM, and the exception stubs'
// addresses. Userspace.
#include "core/backend/kvm_state.h"

namespace biosx::kvm {

namespace {

void real_mode_segment(kvm_segment& seg, uint16_t selector, bool code)
{
    seg = {};
    seg.selector = selector;
    seg.base = uint64_t{selector} << 4;
    seg.limit = 0xffff;
    seg.type = code ? 0x0b : 0x03;  // execute/read or read/write, accessed
    seg.present = 1;
    seg.s = 1;
}

}  // namespace

void real_mode_sregs(kvm_sregs& s, const Registers& r)
{
    real_mode_segment(s.cs, static_cast<uint16_t>(r[Reg::cs]), true);
    real_mode_segment(s.ds, static_cast<uint16_t>(r[Reg::ds]), false);
    real_mode_segment(s.es, static_cast<uint16_t>(r[Reg::es]), false);
    real_mode_segment(s.fs, static_cast<uint16_t>(r[Reg::fs]), false);
    real_mode_segment(s.gs, static_cast<uint16_t>(r[Reg::gs]), false);
    real_mode_segment(s.ss, static_cast<uint16_t>(r[Reg::ss]), false);
    s.cr0 &= ~((1ull << 31) | 1ull);  // PG, PE
    s.efer = 0;
    s.idt.base = 0;
    s.idt.limit = 0x3ff;
}

kvm_regs to_kvm_regs(const Registers& r)
{
    kvm_regs k{};
    k.rax = r[Reg::eax];
    k.rbx = r[Reg::ebx];
    k.rcx = r[Reg::ecx];
    k.rdx = r[Reg::edx];
    k.rsi = r[Reg::esi];
    k.rdi = r[Reg::edi];
    k.rbp = r[Reg::ebp];
    k.rsp = r[Reg::esp];
    k.rip = r[Reg::eip];
    k.rflags = r[Reg::eflags];
    return k;
}

Registers from_kvm(const kvm_regs& k, const kvm_sregs& s)
{
    Registers r;
    r[Reg::eax] = static_cast<uint32_t>(k.rax);
    r[Reg::ebx] = static_cast<uint32_t>(k.rbx);
    r[Reg::ecx] = static_cast<uint32_t>(k.rcx);
    r[Reg::edx] = static_cast<uint32_t>(k.rdx);
    r[Reg::esi] = static_cast<uint32_t>(k.rsi);
    r[Reg::edi] = static_cast<uint32_t>(k.rdi);
    r[Reg::ebp] = static_cast<uint32_t>(k.rbp);
    r[Reg::esp] = static_cast<uint32_t>(k.rsp);
    r[Reg::eip] = static_cast<uint32_t>(k.rip);
    r[Reg::eflags] = static_cast<uint32_t>(k.rflags);
    r[Reg::cs] = s.cs.selector;
    r[Reg::ds] = s.ds.selector;
    r[Reg::es] = s.es.selector;
    r[Reg::fs] = s.fs.selector;
    r[Reg::gs] = s.gs.selector;
    r[Reg::ss] = s.ss.selector;
    return r;
}

VcpuState vcpu_state(const kvm_sregs& s)
{
    VcpuState v;
    const kvm_segment* segs[8] = {&s.cs, &s.ds, &s.es, &s.fs, &s.gs, &s.ss, &s.tr, &s.ldt};
    for (size_t i = 0; i < v.seg.size(); ++i) {
        const kvm_segment& k = *segs[i];
        v.seg[i] = {k.selector, k.base,  k.limit,  k.type,  k.dpl,   k.present != 0, k.s != 0,
                    k.db != 0,  k.l != 0, k.g != 0, k.avl != 0, k.unusable != 0};
    }
    v.gdt_base = s.gdt.base;
    v.gdt_limit = s.gdt.limit;
    v.idt_base = s.idt.base;
    v.idt_limit = s.idt.limit;
    v.cr0 = s.cr0;
    v.cr2 = s.cr2;
    v.cr3 = s.cr3;
    v.cr4 = s.cr4;
    v.cr8 = s.cr8;
    v.efer = s.efer;
    v.apic_base = s.apic_base;
    return v;
}

int stub_vector(uint32_t linear)
{
    for (uint8_t v : kTrappedExceptions)
        if (linear == kExceptionStubs + v) return v;
    return -1;
}

}  // namespace biosx::kvm
