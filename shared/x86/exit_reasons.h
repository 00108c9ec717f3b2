/* exit_reasons.h - VMX basic exit reasons (SDM Vol. 3D Appendix C), the
 * layouts of the exit information fields biosx reads (interruption
 * information, interruptibility, MOV DR qualification), and VM-instruction
 * error numbers (SDM Vol. 3C §31.4). Pure C, no OS: included
 * by the module (kernel/) and the core library (src/core/vmx/).
 *
 * BIOSX_EXIT_REASONS(X) expands X(NAME, NUMBER); NAME is Linux's spelling
 * without EXIT_REASON_ (names Linux lacks follow the SDM's words).
 * Consumers generate e.g.
 *   #define X(n, v) BIOSX_EXIT_REASON_##n = v,
 *   enum biosx_exit_reason { BIOSX_EXIT_REASONS(X) };
 */
#ifndef BIOSX_X86_EXIT_REASONS_H
#define BIOSX_X86_EXIT_REASONS_H

#define BIOSX_EXIT_REASONS(X) \
	X(EXCEPTION_NMI, 0) \
	X(EXTERNAL_INTERRUPT, 1) \
	X(TRIPLE_FAULT, 2) \
	X(INIT_SIGNAL, 3) \
	X(SIPI_SIGNAL, 4) \
	X(IO_SMI, 5) \
	X(OTHER_SMI, 6) \
	X(INTERRUPT_WINDOW, 7) \
	X(NMI_WINDOW, 8) \
	X(TASK_SWITCH, 9) \
	X(CPUID, 10) \
	X(GETSEC, 11) \
	X(HLT, 12) \
	X(INVD, 13) \
	X(INVLPG, 14) \
	X(RDPMC, 15) \
	X(RDTSC, 16) \
	X(RSM, 17) \
	X(VMCALL, 18) \
	X(VMCLEAR, 19) \
	X(VMLAUNCH, 20) \
	X(VMPTRLD, 21) \
	X(VMPTRST, 22) \
	X(VMREAD, 23) \
	X(VMRESUME, 24) \
	X(VMWRITE, 25) \
	X(VMOFF, 26) \
	X(VMON, 27) \
	X(CR_ACCESS, 28) \
	X(DR_ACCESS, 29) \
	X(IO_INSTRUCTION, 30) \
	X(MSR_READ, 31) \
	X(MSR_WRITE, 32) \
	X(INVALID_STATE, 33) \
	X(MSR_LOAD_FAIL, 34) \
	X(MWAIT_INSTRUCTION, 36) \
	X(MONITOR_TRAP_FLAG, 37) \
	X(MONITOR_INSTRUCTION, 39) \
	X(PAUSE_INSTRUCTION, 40) \
	X(MCE_DURING_VMENTRY, 41) \
	X(TPR_BELOW_THRESHOLD, 43) \
	X(APIC_ACCESS, 44) \
	X(EOI_INDUCED, 45) \
	X(GDTR_IDTR, 46) \
	X(LDTR_TR, 47) \
	X(EPT_VIOLATION, 48) \
	X(EPT_MISCONFIG, 49) \
	X(INVEPT, 50) \
	X(RDTSCP, 51) \
	X(PREEMPTION_TIMER, 52) \
	X(INVVPID, 53) \
	X(WBINVD, 54) \
	X(XSETBV, 55) \
	X(APIC_WRITE, 56) \
	X(RDRAND, 57) \
	X(INVPCID, 58) \
	X(VMFUNC, 59) \
	X(ENCLS, 60) \
	X(RDSEED, 61) \
	X(PML_FULL, 62) \
	X(XSAVES, 63) \
	X(XRSTORS, 64) \
	X(PCONFIG, 65) \
	X(SPP, 66) \
	X(UMWAIT, 67) \
	X(TPAUSE, 68) \
	X(LOADIWKEY, 69) \
	X(ENCLV, 70) \
	X(ENQCMD_PASID_FAIL, 72) \
	X(ENQCMDS_PASID_FAIL, 73) \
	X(BUS_LOCK, 74) \
	X(NOTIFY, 75) \
	X(SEAMCALL, 76) \
	X(TDCALL, 77) \
	X(RDMSRLIST, 78) \
	X(WRMSRLIST, 79)

/* The exit-reason field's other bits (SDM Vol. 3C §25.9.1 Table 25-18). */
#define BIOSX_EXIT_REASON_BASIC(v) ((v) & 0xffffu)
#define BIOSX_EXIT_REASON_SHADOW_STACK_BUSY (1u << 25)
#define BIOSX_EXIT_REASON_BUS_LOCK_ASSERTED (1u << 26)
#define BIOSX_EXIT_REASON_ENCLAVE_MODE (1u << 27)
#define BIOSX_EXIT_REASON_PENDING_MTF (1u << 28)
#define BIOSX_EXIT_REASON_FROM_VMX_ROOT (1u << 29)
#define BIOSX_EXIT_REASON_ENTRY_FAILURE (1u << 31)

/* VM-exit interruption information (SDM Vol. 3C §25.9.2); IDT-vectoring
 * and VM-entry interruption information share the layout (§25.9.3, §25.8.3). */
#define BIOSX_INTR_INFO_VECTOR(v) ((v) & 0xffu)
#define BIOSX_INTR_INFO_TYPE(v) (((v) >> 8) & 7u)
#define BIOSX_INTR_INFO_ERROR_CODE_VALID (1u << 11)
#define BIOSX_INTR_INFO_NMI_UNBLOCKING (1u << 12)
#define BIOSX_INTR_INFO_VALID (1u << 31)
#define BIOSX_INTR_TYPE_EXT_INTR 0u
#define BIOSX_INTR_TYPE_NMI 2u
#define BIOSX_INTR_TYPE_HARD_EXCEPTION 3u
#define BIOSX_INTR_TYPE_SOFT_INTR 4u
#define BIOSX_INTR_TYPE_PRIV_SOFT_EXCEPTION 5u
#define BIOSX_INTR_TYPE_SOFT_EXCEPTION 6u
#define BIOSX_INTR_TYPE_OTHER_EVENT 7u

/* Guest interruptibility state (SDM Vol. 3C §25.4.2). */
#define BIOSX_GUEST_INTR_STATE_STI (1u << 0)
#define BIOSX_GUEST_INTR_STATE_MOV_SS (1u << 1)
#define BIOSX_GUEST_INTR_STATE_SMI (1u << 2)
#define BIOSX_GUEST_INTR_STATE_NMI (1u << 3)
#define BIOSX_GUEST_INTR_STATE_ENCLAVE (1u << 4)

/* Exit qualification of MOV DR (SDM Vol. 3C §28.2.1, Table 28-4); the
 * general-purpose register is numbered as for control-register accesses
 * (Table 28-3): 0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP, 5 RBP, 6 RSI, 7 RDI. */
#define BIOSX_QUAL_DR_NUMBER(q) ((q) & 7u)
#define BIOSX_QUAL_DR_FROM_DR (1u << 4) /* MOV from DR; clear: MOV to DR */
#define BIOSX_QUAL_GPR(q) (((q) >> 8) & 15u)

/* VM-instruction error numbers, X(NAME, NUMBER, "SDM description"). */
#define BIOSX_VM_INSTRUCTION_ERRORS(X) \
	X(VMCALL_IN_ROOT, 1, "VMCALL executed in VMX root operation") \
	X(VMCLEAR_INVALID_ADDR, 2, "VMCLEAR with invalid physical address") \
	X(VMCLEAR_VMXON_PTR, 3, "VMCLEAR with VMXON pointer") \
	X(VMLAUNCH_NONCLEAR, 4, "VMLAUNCH with non-clear VMCS") \
	X(VMRESUME_NONLAUNCHED, 5, "VMRESUME with non-launched VMCS") \
	X(VMRESUME_AFTER_VMXOFF, 6, "VMRESUME after VMXOFF") \
	X(ENTRY_INVALID_CONTROL, 7, "VM entry with invalid control field(s)") \
	X(ENTRY_INVALID_HOST_STATE, 8, "VM entry with invalid host-state field(s)") \
	X(VMPTRLD_INVALID_ADDR, 9, "VMPTRLD with invalid physical address") \
	X(VMPTRLD_VMXON_PTR, 10, "VMPTRLD with VMXON pointer") \
	X(VMPTRLD_BAD_REVISION, 11, "VMPTRLD with incorrect VMCS revision identifier") \
	X(UNSUPPORTED_FIELD, 12, "VMREAD/VMWRITE from/to unsupported VMCS component") \
	X(VMWRITE_READONLY, 13, "VMWRITE to read-only VMCS component") \
	X(VMXON_IN_ROOT, 15, "VMXON executed in VMX root operation") \
	X(ENTRY_INVALID_EXEC_PTR, 16, "VM entry with invalid executive-VMCS pointer") \
	X(ENTRY_NONLAUNCHED_EXEC, 17, "VM entry with non-launched executive VMCS") \
	X(ENTRY_EXEC_NOT_VMXON, 18, "VM entry with executive-VMCS pointer not VMXON pointer") \
	X(VMCALL_NONCLEAR, 19, "VMCALL with non-clear VMCS") \
	X(VMCALL_INVALID_EXIT_CTL, 20, "VMCALL with invalid VM-exit control fields") \
	X(VMCALL_BAD_MSEG_REVISION, 22, "VMCALL with incorrect MSEG revision identifier") \
	X(VMXOFF_DUAL_MONITOR, 23, "VMXOFF under dual-monitor treatment of SMIs and SMM") \
	X(VMCALL_INVALID_SMM_FEATURES, 24, "VMCALL with invalid SMM-monitor features") \
	X(ENTRY_INVALID_EXEC_CTL, 25, "VM entry with invalid VM-execution control fields in executive VMCS") \
	X(ENTRY_MOV_SS_BLOCKING, 26, "VM entry with events blocked by MOV SS") \
	X(INVALID_INVEPT_INVVPID, 28, "Invalid operand to INVEPT/INVVPID")

#endif /* BIOSX_X86_EXIT_REASONS_H */
