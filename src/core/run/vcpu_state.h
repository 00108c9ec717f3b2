// vcpu_state.h - the system state of a virtual CPU after a run, for the
// backends whose VMCS or VMCB biosx cannot read (kvm: KVM keeps it in the
// kernel): control registers, EFER, descriptor tables and every segment
// register's hidden part. What `--dump-vmcs` prints there instead of a VMCS.
// Pure data and rendering, no OS. Userspace.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace biosx {

// A segment register with its descriptor cache (SDM Vol. 3A §3.4.3): what
// the CPU uses, which in real mode is base = selector << 4 unless the code
// left protected mode with other values loaded ("unreal mode").
struct SegmentState {
    uint16_t selector = 0;
    uint64_t base = 0;
    uint32_t limit = 0;
    uint8_t type = 0, dpl = 0;
    bool present = false, s = false, db = false, l = false, g = false, avl = false, unusable = false;
};

struct VcpuState {
    // cs ds es fs gs ss tr ldtr, in kSegmentNames' order.
    std::array<SegmentState, 8> seg;
    uint64_t gdt_base = 0, idt_base = 0;
    uint16_t gdt_limit = 0, idt_limit = 0;
    uint64_t cr0 = 0, cr2 = 0, cr3 = 0, cr4 = 0, cr8 = 0, efer = 0, apic_base = 0;
};

inline constexpr const char* kSegmentNames[8] = {"cs", "ds", "es", "fs", "gs", "ss", "tr", "ldtr"};

// A block of text: one line per segment (selector, base, limit, access
// bits), the descriptor tables, the control registers with CR0.PE/PG and
// EFER.LME/LMA named.
std::string render_vcpu_text(const VcpuState& v);
// {"segments": {"cs": {...}, ...}, "gdt": {...}, "idt": {...}, "cr0": N, ...}
nlohmann::json vcpu_to_json(const VcpuState& v);

}  // namespace biosx
