// kvm_state.h - the vCPU state of a real-mode run through KVM: biosx's
// Registers as kvm_regs/kvm_sregs and back, and the exception stubs the kvm
// backend ends a run with (docs/kvm.md). Pure code, no /dev/kvm. Userspace.
#pragma once

#include <cstdint>
#include <linux/kvm.h>

#include "core/run/registers.h"
#include "core/run/vcpu_state.h"

namespace biosx::kvm {

// Real mode as the CPU is after reset with the routine's registers: CR0.PE
// and PG clear, EFER 0, each segment base = selector << 4 with a 64 KiB
// limit (SDM Vol. 3A §20.1.1), the IDTR at the IVT (base 0, limit 3FFh).
// Fields not named here keep what `s` held (KVM_GET_SREGS).
void real_mode_sregs(kvm_sregs& s, const Registers& r);
kvm_regs to_kvm_regs(const Registers& r);
Registers from_kvm(const kvm_regs& r, const kvm_sregs& s);
// The system state of `s`, for --dump-vmcs on the kvm backend.
VcpuState vcpu_state(const kvm_sregs& s);

// The CPU exceptions a run ends with: their IVT entries point, during the
// run, at one HLT each at kExceptionStubs + vector (0000:0610 + n), beside
// the return trap. Vectors a BIOS also uses as software interrupts or IRQs
// it calls itself (INT 5 print screen, INT 8-0Bh, 10h and up) are left alone.
inline constexpr uint32_t kExceptionStubs = 0x610;
inline constexpr uint8_t kTrappedExceptions[] = {0, 1, 6, 7, 12, 13};
// The vector whose stub holds the HLT at `linear`, or -1.
int stub_vector(uint32_t linear);

}  // namespace biosx::kvm
