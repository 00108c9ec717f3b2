// SPDX-License-Identifier: GPL-2.0
/*
 * biosx_exits.c - the VM-exit handlers of a run and the table that
 * dispatches them by basic exit reason, as KVM's kvm_vmx_exit_handlers[]:
 * instructions biosx emulates or skips (CPUID, RDMSR/WRMSR, MOV DR, INVD,
 * WBINVD, port I/O through biosx_io.c), the events that end a run (the
 * return trap, exceptions, triple fault, EPT violation, machine checks),
 * the host's own interrupts and NMIs, and the end of a slice. An exit with
 * no handler ends the run with its reason and qualification.
 * Kernel: VMX root with the run's VMCS current, preemption and interrupts
 * off (let in briefly after an external-interrupt exit).
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <asm/idtentry.h>
#include <asm/mce.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/traps.h>
#include <asm/trapnr.h>

#include "biosx_run.h"
#include "vmx_ops.h"
#include "x86/realmode.h"

/* An instruction emulated by the host is skipped, and with it any STI or
 * MOV-SS blocking it was under (KVM: skip_emulated_instruction() clears
 * the interrupt shadow; SDM Vol. 3C §25.4.2 interruptibility state). */
static void skip_instruction(void)
{
	u64 intr = vmcs_read(BIOSX_VMCS_GUEST_INTERRUPTIBILITY_INFO);

	vmcs_write(BIOSX_VMCS_GUEST_RIP,
		   vmcs_read(BIOSX_VMCS_GUEST_RIP) + vmcs_read(BIOSX_VMCS_VM_EXIT_INSTRUCTION_LEN));
	if (intr & (BIOSX_GUEST_INTR_STATE_STI | BIOSX_GUEST_INTR_STATE_MOV_SS))
		vmcs_write(BIOSX_VMCS_GUEST_INTERRUPTIBILITY_INFO,
			   intr & ~(u64)(BIOSX_GUEST_INTR_STATE_STI | BIOSX_GUEST_INTR_STATE_MOV_SS));
}

static u32 guest_linear_ip(void)
{
	return (u32)(vmcs_read(BIOSX_VMCS_GUEST_CS_BASE) + (vmcs_read(BIOSX_VMCS_GUEST_RIP) & 0xffff));
}

static u8 guest_byte(struct biosx_file *f, u32 linear)
{
	return linear < BIOSX_GUEST_BYTES ? ((u8 *)f->mem)[linear] : 0;
}

/* Port I/O exit: the policy, the access and INS/OUTS are biosx_io.c's
 * and biosx_string_io.c's; a REP INS/OUTS with elements left (AGAIN) is
 * entered again where it stands. */
static void exit_io(struct run_ctx *x)
{
	switch (biosx_io_exit(&x->io, x->run, &x->gprs, x->f->mem)) {
	case BIOSX_IO_NEXT:
		skip_instruction();
		break;
	case BIOSX_IO_END:
		end_run(x, x->run->end);
		break;
	}
}

/*
 * A machine check that struck while the guest ran: the host's handler must
 * see it, as it would have without VMX. KVM's kvm_machine_check() calls
 * do_machine_check() with a frame that looks like user mode, so that the
 * handler may kill the task instead of panicking on a "kernel" #MC; biosx
 * does the same and ends the run (SDM Vol. 3B §17.10 on #MC, Vol. 3C
 * §27.9 for a machine check during VM entry, exit reason 41).
 */
static void machine_check(struct run_ctx *x)
{
#ifdef CONFIG_X86_MCE
	struct pt_regs regs = {
		.cs = 3,
		.flags = X86_EFLAGS_IF,
	};

	do_machine_check(&regs);
#endif
	end_run(x, BIOSX_END_MACHINE_CHECK);
}

static void handle_exception(struct run_ctx *x)
{
	u32 info = vmcs_read(BIOSX_VMCS_VM_EXIT_INTR_INFO);
	u32 vector = BIOSX_INTR_INFO_VECTOR(info), type = BIOSX_INTR_INFO_TYPE(info);
	u32 ip = guest_linear_ip();

	if (type == BIOSX_INTR_TYPE_NMI) {	/* an NMI meant for the host: deliver it there */
		biosx_call_nmi_handler((unsigned long)asm_exc_nmi_noist);
		return;
	}
	if (vector == X86_TRAP_MC) {
		machine_check(x);
		return;
	}
	/* vm86: HLT at CPL 3 raises #GP instead of exiting (SDM Vol. 3A
	 * §20.2.7); the trap stub's HLT is the normal end of a run. */
	if (vector == X86_TRAP_GP && guest_byte(x->f, ip) == BIOSX_TRAP_OPCODE) {
		end_run(x, ip == BIOSX_TRAP_LINEAR ? BIOSX_END_RETURN_TRAP : BIOSX_END_HALT);
		return;
	}
	x->run->vector_out = vector;
	x->run->error_code = (info & BIOSX_INTR_INFO_ERROR_CODE_VALID) ? vmcs_read(BIOSX_VMCS_VM_EXIT_INTR_ERROR_CODE) : ~0ull;
	end_run(x, BIOSX_END_EXCEPTION);
}

static void handle_cpuid(struct run_ctx *x)
{
	u32 a, b, c, d;

	/* The host's answer, without VMX: the routine is not a hypervisor. */
	cpuid_count((u32)x->gprs.rax, (u32)x->gprs.rcx, &a, &b, &c, &d);
	if ((u32)x->gprs.rax == 1)
		c &= ~BIOSX_CPUID1_ECX_VMX;
	x->gprs.rax = a;
	x->gprs.rbx = b;
	x->gprs.rcx = c;
	x->gprs.rdx = d;
	skip_instruction();
}

static void exit_external_interrupt(struct run_ctx *x)
{
	/* Let the host take it: acknowledge-interrupt-on-exit is off, so the
	 * interrupt is still pending in the local APIC. STI blocks interrupts
	 * until after the next instruction (SDM Vol. 3A §6.8.3): "sti; cli"
	 * would never let it in, and every re-entry would exit at once.
	 * (KVM acknowledges on exit and calls the IDT handler instead; both
	 * hand the interrupt to the same handler before the next entry.) */
	local_irq_enable();
	asm volatile("nop");
	local_irq_disable();
	/* The scheduler wants the CPU, or the slice is used up. */
	if (need_resched() || ktime_after(ktime_get(), x->slice_end))
		x->slice_over = true;
}

static void exit_triple_fault(struct run_ctx *x)
{
	end_run(x, BIOSX_END_TRIPLE_FAULT);
}

/* HLT exiting (BIOSX_PROC_HLT_EXITING): the trap stub's HLT ends the run;
 * a HLT anywhere else would wait for an interrupt that never comes. */
static void exit_hlt(struct run_ctx *x)
{
	end_run(x, guest_linear_ip() == BIOSX_TRAP_LINEAR ? BIOSX_END_RETURN_TRAP : BIOSX_END_HALT);
}

/* The MSRs a routine may read with their real values: harmless facts about
 * the processor and the memory types firmware set up (TSC, platform ID,
 * microcode revision, MISC_ENABLE, PAT, the MTRRs). Everything else reads
 * as 0 - the host's LSTAR, GS bases or SYSENTER MSRs would hand out kernel
 * addresses - and no WRMSR ever reaches an MSR. Each access is logged. */
static bool msr_readable(u32 index)
{
	switch (index) {
	case MSR_IA32_TSC:
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_UCODE_REV:
	case MSR_IA32_MISC_ENABLE:
	case MSR_IA32_CR_PAT:
	case MSR_MTRRcap:
	case MSR_MTRRdefType:
	case MSR_MTRRfix64K_00000:
	case MSR_MTRRfix16K_80000:
	case MSR_MTRRfix16K_A0000:
		return true;
	}
	return (index >= 0x200 && index <= 0x21f) ||            /* variable MTRRs */
	       (index >= MSR_MTRRfix4K_C0000 && index <= MSR_MTRRfix4K_F8000);
}

static void log_msr(struct run_ctx *x, u32 index, u32 flags, u64 value)
{
	struct biosx_run *run = x->run;

	if (run->msr_count < BIOSX_MSR_LOG_MAX)
		run->msr_log[run->msr_count] = (struct biosx_msr_entry){ index, flags, value };
	run->msr_count++;
}

/* No MSR bitmap, so every RDMSR/WRMSR exits (SDM Vol. 3C §26.1.3). */
static void exit_rdmsr(struct run_ctx *x)
{
	u32 index = (u32)x->gprs.rcx;
	u64 v = 0;
	u32 flags = 0;

	if (msr_readable(index) && !rdmsrl_safe(index, &v))
		flags = BIOSX_MSR_HOST;
	log_msr(x, index, flags, v);
	x->gprs.rax = (u32)v;
	x->gprs.rdx = v >> 32;
	skip_instruction();
}

static void exit_wrmsr(struct run_ctx *x)
{
	log_msr(x, (u32)x->gprs.rcx, BIOSX_MSR_WRITE, ((u64)(u32)x->gprs.rdx << 32) | (u32)x->gprs.rax);
	skip_instruction();
}

/* The general-purpose register an exit qualification names (SDM Vol. 3C
 * Tables 28-3 and 28-4: 0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP, 5 RBP, 6 RSI, 7 RDI). */
static u64 *gpr(struct run_ctx *x, unsigned int n)
{
	switch (n & 7) {
	case 0: return &x->gprs.rax;
	case 1: return &x->gprs.rcx;
	case 2: return &x->gprs.rdx;
	case 3: return &x->gprs.rbx;
	case 5: return &x->gprs.rbp;
	case 6: return &x->gprs.rsi;
	case 7: return &x->gprs.rdi;
	}
	return NULL;	/* RSP lives in the VMCS */
}

/*
 * MOV to/from DR (exit qualification, SDM Vol. 3C Table 28-4): the routine
 * gets debug registers of its own that arm nothing - the real DR0-DR3 and
 * DR6 stay the host's (perf and ptrace breakpoints), and DR7 is the
 * guest's value loaded by the entry controls.
 */
static void exit_mov_dr(struct run_ctx *x)
{
	u64 q = vmcs_read(BIOSX_VMCS_EXIT_QUALIFICATION);
	unsigned int dr = BIOSX_QUAL_DR_NUMBER(q), reg = BIOSX_QUAL_GPR(q);
	bool from_dr = q & BIOSX_QUAL_DR_FROM_DR;
	u64 *r = gpr(x, reg), v;

	if (from_dr) {
		v = x->dr[dr];
		if (r)
			*r = (*r & ~0xffffffffull) | (u32)v;
		else
			vmcs_write(BIOSX_VMCS_GUEST_RSP, (u32)v);
	} else {
		x->dr[dr] = r ? (u32)*r : (u32)vmcs_read(BIOSX_VMCS_GUEST_RSP);
	}
	skip_instruction();
}

/* INVD (always exits, SDM Vol. 3C §26.1.2) and WBINVD (WBINVD exiting)
 * would drop or flush the caches of the whole machine: both are skipped
 * as if they had been done. The guest's memory is ordinary write-back RAM. */
static void exit_skip(struct run_ctx *x)
{
	skip_instruction();
}

/* EPT violation: the routine touched guest-physical memory outside the
 * guest area (the EPT maps nothing else, SDM Vol. 3C §29.3.3.2). */
static void exit_ept_violation(struct run_ctx *x)
{
	x->run->address = vmcs_read(BIOSX_VMCS_GUEST_PHYSICAL_ADDRESS);
	x->run->qualification = vmcs_read(BIOSX_VMCS_EXIT_QUALIFICATION);
	end_run(x, BIOSX_END_EPT_VIOLATION);
}

/* The preemption timer ends a slice; the run ends when its deadline has
 * passed (checked after every exit). */
static void exit_preemption_timer(struct run_ctx *x)
{
	x->slice_over = true;
}

/* Everything biosx does not emulate ends the run with the reason and the
 * qualification, never silently: among them XSETBV, GETSEC, VMCALL and
 * the other VMX instructions, CR accesses the masks trap, task switches. */
static void exit_unhandled(struct run_ctx *x)
{
	x->run->qualification = vmcs_read(BIOSX_VMCS_EXIT_QUALIFICATION);
	end_run(x, BIOSX_END_UNHANDLED);
}

/* The exit handlers, indexed by basic exit reason (SDM Vol. 3D App. C). */
static void (*const exit_handlers[BIOSX_EXIT_REASONS_MAX])(struct run_ctx *x) = {
	[BIOSX_EXIT_EXCEPTION_NMI] = handle_exception,
	[BIOSX_EXIT_EXTERNAL_INTERRUPT] = exit_external_interrupt,
	[BIOSX_EXIT_TRIPLE_FAULT] = exit_triple_fault,
	[BIOSX_EXIT_HLT] = exit_hlt,
	[BIOSX_EXIT_CPUID] = handle_cpuid,
	[BIOSX_EXIT_MSR_READ] = exit_rdmsr,
	[BIOSX_EXIT_MSR_WRITE] = exit_wrmsr,
	[BIOSX_EXIT_DR_ACCESS] = exit_mov_dr,
	[BIOSX_EXIT_INVD] = exit_skip,
	[BIOSX_EXIT_WBINVD] = exit_skip,
	[BIOSX_EXIT_IO_INSTRUCTION] = exit_io,
	[BIOSX_EXIT_EPT_VIOLATION] = exit_ept_violation,
	[BIOSX_EXIT_PREEMPTION_TIMER] = exit_preemption_timer,
};

/* One exit, REASON as the exit-reason field holds it (SDM Vol. 3C
 * §25.9.1). Returns with x->done set when the run is over. */
void biosx_handle_exit(struct run_ctx *x, u32 reason)
{
	u32 basic = BIOSX_EXIT_REASON_BASIC(reason);

	/* A machine check during VM entry is reported as an entry failure
	 * with basic reason 41: the host's handler first. */
	if (basic == BIOSX_EXIT_MCE_DURING_VMENTRY) {
		machine_check(x);
		return;
	}
	if (reason & BIOSX_EXIT_REASON_ENTRY_FAILURE) {	/* VM-entry failure, SDM Vol. 3C §27.8 */
		x->run->error_code = reason;
		x->run->qualification = vmcs_read(BIOSX_VMCS_EXIT_QUALIFICATION);
		end_run(x, BIOSX_END_ENTRY_FAILURE);
		return;
	}
	if (basic < ARRAY_SIZE(exit_handlers) && exit_handlers[basic])
		exit_handlers[basic](x);
	else
		exit_unhandled(x);
}
