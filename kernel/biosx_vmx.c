// SPDX-License-Identifier: GPL-2.0
/*
 * biosx_vmx.c - one BIOS call in a VMX guest: enter VMX operation on this
 * CPU, build the VMCS for the chosen strategy (real mode under "unrestricted
 * guest", or virtual-8086 mode under a paged protected-mode guest), run
 * until the routine returns to the trap stub, handle the exits in between,
 * record the VMCS, and leave VMX operation again.
 * Kernel: process context in, then VMX root with preemption and interrupts
 * off for one slice of a few milliseconds at a time (interrupts are let in
 * briefly after an external-interrupt exit).
 */
#include <linux/hrtimer.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/idtentry.h>
#include <asm/mce.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/traps.h>
#include <asm/trapnr.h>
#include <asm/tsc.h>

#include "biosx_priv.h"
#include "x86/realmode.h"
#include "vmx_ops.h"

struct biosx_vmx_caps biosx_caps;
struct biosx_stats biosx_stats;

/* A bound on exits per run, besides the clock: a routine doing port I/O
 * with --io-log exits once per access. */
#define BIOSX_MAX_EXITS 2000000u
/* A run keeps its CPU (preemption and interrupts off, VMX operation) for
 * one slice at most, then leaves VMX operation, lets the scheduler, RCU
 * and signals in, and goes on with the same guest state. */
#define BIOSX_SLICE_NS (4 * NSEC_PER_MSEC)

/* The values one control word may take: allowed-0 settings in the low half
 * of its capability MSR, allowed-1 in the high half (SDM Vol. 3D §A.3). */
static u32 adjust_controls(u32 want, u64 cap)
{
	return (want | (u32)cap) & (u32)(cap >> 32);
}

/* Whether the 1-setting of a control is allowed (SDM Vol. 3D §A.3-§A.5). */
static bool allowed1(u64 cap, u32 bit)
{
	return (cap >> 32) & bit;
}

/* What biosx cannot run without, whatever the strategy: HLT exiting (the
 * trap stub), I/O bitmaps, MOV-DR exiting (the host's debug registers),
 * external-interrupt and NMI exiting (the host keeps its interrupts),
 * host address-space size, and the debug-control load/save pair (the
 * guest's DR7/DEBUGCTL are never the host's). */
#define BIOSX_PIN_REQUIRED (BIOSX_PIN_EXT_INTR_EXITING | BIOSX_PIN_NMI_EXITING)
#define BIOSX_PROC_REQUIRED (BIOSX_PROC_HLT_EXITING | BIOSX_PROC_USE_IO_BITMAPS | BIOSX_PROC_MOV_DR_EXITING)
#define BIOSX_EXIT_REQUIRED (BIOSX_EXITCTL_HOST_ADDR_SPACE_SIZE | BIOSX_EXITCTL_SAVE_DEBUG_CONTROLS)
#define BIOSX_ENTRY_REQUIRED BIOSX_ENTRYCTL_LOAD_DEBUG_CONTROLS

int biosx_vmx_probe(void)
{
	struct biosx_vmx_caps *c = &biosx_caps;
	bool truectl;
	u64 fc;

	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		pr_info("biosx: this CPU has no VMX (or firmware disabled it in IA32_FEATURE_CONTROL)\n");
		return -ENODEV;
	}
	/* SDM Vol. 3C §24.7: VMXON outside SMX needs FEATURE_CONTROL locked
	 * with bit 2 set; Linux itself locks it at boot (feat_ctl.c). Each
	 * run checks again on the CPU it runs on (biosx_host_vmxon()). */
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &fc) || !(fc & FEAT_CTL_LOCKED) ||
	    !(fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_info("biosx: VMX is locked off in IA32_FEATURE_CONTROL (0x%llx)\n", fc);
		return -ENODEV;
	}
	rdmsrl(MSR_IA32_VMX_BASIC, c->basic);
	truectl = c->basic & BIOSX_VMX_BASIC_TRUE_CTLS;
	/* With BASIC[55] the TRUE MSRs say which default-1 controls may be 0
	 * (SDM Vol. 3D §A.2); biosx asks for every control it relies on by
	 * name, so a default-1 control the TRUE masks let go is never lost. */
	rdmsrl(truectl ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS, c->pin);
	rdmsrl(truectl ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS, c->proc);
	rdmsrl(truectl ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS, c->exit);
	rdmsrl(truectl ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS, c->entry);
	rdmsrl(MSR_IA32_VMX_MISC, c->misc);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, c->cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, c->cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, c->cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, c->cr4_fixed1);
	rdmsrl(MSR_IA32_VMX_VMCS_ENUM, c->vmcs_enum);
	c->has_proc2 = allowed1(c->proc, BIOSX_PROC_ACTIVATE_SECONDARY_CONTROLS);
	if (c->has_proc2) {
		rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS2, c->proc2);
		if (allowed1(c->proc2, BIOSX_PROC2_ENABLE_EPT | BIOSX_PROC2_ENABLE_VPID))
			rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, c->ept_vpid);
		if (allowed1(c->proc2, BIOSX_PROC2_ENABLE_VMFUNC))
			rdmsrl_safe(BIOSX_MSR_IA32_VMX_VMFUNC, &c->vmfunc);
	}
	if (allowed1(c->proc, BIOSX_PROC_ACTIVATE_TERTIARY_CONTROLS))
		rdmsrl_safe(BIOSX_MSR_IA32_VMX_PROCBASED_CTLS3, &c->proc3);
	if (allowed1(c->exit, BIOSX_EXITCTL_ACTIVATE_SECONDARY_CONTROLS))
		rdmsrl_safe(BIOSX_MSR_IA32_VMX_EXIT_CTLS2, &c->exit2);

	if ((adjust_controls(BIOSX_PIN_REQUIRED, c->pin) & BIOSX_PIN_REQUIRED) != BIOSX_PIN_REQUIRED ||
	    (adjust_controls(BIOSX_PROC_REQUIRED, c->proc) & BIOSX_PROC_REQUIRED) != BIOSX_PROC_REQUIRED ||
	    (adjust_controls(BIOSX_EXIT_REQUIRED, c->exit) & BIOSX_EXIT_REQUIRED) != BIOSX_EXIT_REQUIRED ||
	    (adjust_controls(BIOSX_ENTRY_REQUIRED, c->entry) & BIOSX_ENTRY_REQUIRED) != BIOSX_ENTRY_REQUIRED) {
		pr_info("biosx: this CPU lacks a VMX control biosx needs (HLT, I/O bitmap, MOV-DR, interrupt or debug-control exiting)\n");
		return -ENODEV;
	}

	/* EPT as biosx builds it: 4-level walk, write-back structures, and
	 * INVEPT of a type the CPU offers - without it a freed and reused EPT
	 * root could be walked through stale cached translations (SDM Vol. 3C
	 * §29.4.3.1). Lacking any of it, the vm86 strategy is used. */
	c->ept = c->has_proc2 && allowed1(c->proc2, BIOSX_PROC2_ENABLE_EPT) &&
		 (c->ept_vpid & BIT_ULL(BIOSX_EPTCAP_EPT_PAGE_WALK_4)) &&
		 (c->ept_vpid & BIT_ULL(BIOSX_EPTCAP_EPT_MEMTYPE_WB));
	if (c->ept_vpid & BIT_ULL(BIOSX_EPTCAP_INVEPT)) {
		if (c->ept_vpid & BIT_ULL(BIOSX_EPTCAP_INVEPT_SINGLE_CONTEXT))
			c->invept_type = BIOSX_INVEPT_SINGLE;
		else if (c->ept_vpid & BIT_ULL(BIOSX_EPTCAP_INVEPT_ALL_CONTEXT))
			c->invept_type = BIOSX_INVEPT_ALL;
	}
	if (c->ept && !c->invept_type)
		pr_info("biosx: EPT without a usable INVEPT type; using the virtual-8086 strategy\n");
	c->unrestricted = c->ept && c->invept_type && allowed1(c->proc2, BIOSX_PROC2_UNRESTRICTED_GUEST);
	c->preemption_timer = allowed1(c->pin, BIOSX_PIN_VMX_PREEMPTION_TIMER);
	/* The guest's IA32_EFER is 0 and the host's comes back on exit: by
	 * the entry/exit controls where the CPU has them, else by the
	 * VM-entry and VM-exit MSR-load lists (SDM Vol. 3C §27.4, §28.6), as
	 * KVM's add_atomic_switch_msr() does. */
	c->load_efer = allowed1(c->entry, BIOSX_ENTRYCTL_LOAD_IA32_EFER) &&
		       allowed1(c->exit, BIOSX_EXITCTL_LOAD_IA32_EFER);
	pr_info("biosx: VMX revision %llu, strategy %s, preemption timer %s\n",
		c->basic & BIOSX_VMX_BASIC_REVISION_MASK,
		c->unrestricted ? "unrestricted guest" : "virtual-8086", c->preemption_timer ? "yes" : "no");
	return 0;
}

/* A real-mode or virtual-8086 segment: base = selector * 16, 64 KiB. */
static int write_segment(unsigned int sel_field, u16 sel, u32 ar)
{
	/* Selector, base, limit and AR fields of one segment register sit at
	 * the same index in each group (SDM Vol. 3D App. B): derive them. */
	unsigned int idx = sel_field - BIOSX_VMCS_GUEST_ES_SELECTOR;
	int e = 0;

	e |= vmcs_write(sel_field, sel);
	e |= vmcs_write(BIOSX_VMCS_GUEST_ES_BASE + idx, (u64)sel << 4);
	e |= vmcs_write(BIOSX_VMCS_GUEST_ES_LIMIT + idx, 0xffff);
	e |= vmcs_write(BIOSX_VMCS_GUEST_ES_AR_BYTES + idx, ar);
	return e;
}

/*
 * The routine's EFLAGS as the guest runs them. Real mode (unrestricted
 * guest): as they are. Virtual-8086 mode: VM set, IOPL 0 with CR4.VME, so
 * that CLI/STI/PUSHF/POPF/IRET act on VIF and INT n goes through the
 * TSS's interrupt-redirection bitmap to the real-mode IVT (SDM Vol. 3A
 * §20.3 "Interrupt and exception handling in virtual-8086 mode", §20.4.2).
 * The real IF stays 1 whatever the routine does: host interrupts then
 * exit on every CPU, emulated or not, and a CLI loop still ends.
 */
static u64 guest_rflags(u32 eflags, bool vm86)
{
	u64 rflags = (eflags & 0x3f7fd7u) | X86_EFLAGS_FIXED; /* architectural bits only */

	rflags &= ~(u64)(X86_EFLAGS_VM | X86_EFLAGS_VIF | X86_EFLAGS_VIP);
	if (!vm86)
		return rflags;
	rflags &= ~(u64)(X86_EFLAGS_IOPL | X86_EFLAGS_IF);
	if (eflags & X86_EFLAGS_IF)
		rflags |= X86_EFLAGS_VIF;
	return rflags | X86_EFLAGS_VM | X86_EFLAGS_IF;
}

/* The inverse, for the registers handed back. */
static u32 routine_eflags(u64 rflags, bool vm86)
{
	if (!vm86)
		return (u32)rflags;
	rflags &= ~(u64)(X86_EFLAGS_VM | X86_EFLAGS_IOPL | X86_EFLAGS_IF | X86_EFLAGS_VIP);
	if (rflags & X86_EFLAGS_VIF)
		rflags |= X86_EFLAGS_IF;
	return (u32)(rflags & ~(u64)X86_EFLAGS_VIF);
}

static int write_guest_state(struct biosx_file *f, const struct biosx_regs *r, int strategy, bool bad_entry)
{
	const struct biosx_vmx_caps *c = &biosx_caps;
	bool vm86 = strategy == BIOSX_STRATEGY_VM86;
	u64 cr0, cr4;
	/* Access rights: real mode data 0x93 / code 0x9b (present, S, DPL 0,
	 * accessed); virtual-8086 mode requires 0xf3 for all six (SDM Vol. 3C
	 * §27.3.1.2). */
	u32 data_ar = vm86 ? 0xf3 : 0x93, code_ar = vm86 ? 0xf3 : 0x9b;
	int e = 0;

	/* CR0/CR4 must respect the FIXED MSRs; unrestricted guest exempts
	 * PE and PG (SDM Vol. 3D §A.7, Vol. 3C §27.3.1.1). */
	cr0 = (c->cr0_fixed0 | X86_CR0_ET | X86_CR0_NE) & c->cr0_fixed1;
	if (vm86)
		cr0 |= X86_CR0_PE | X86_CR0_PG;
	else
		cr0 &= ~(u64)(X86_CR0_PE | X86_CR0_PG);
	cr4 = (c->cr4_fixed0 | (vm86 ? X86_CR4_VME : 0)) & c->cr4_fixed1;
	e |= vmcs_write(BIOSX_VMCS_GUEST_CR0, cr0);
	e |= vmcs_write(BIOSX_VMCS_GUEST_CR4, cr4);
	e |= vmcs_write(BIOSX_VMCS_GUEST_CR3, vm86 ? page_to_phys(f->pgdir) : 0);
	/* The routine sees CR0/CR4 as a real-mode CPU would; it may not
	 * change the bits VMX needs (those writes exit). */
	e |= vmcs_write(BIOSX_VMCS_CR0_GUEST_HOST_MASK, vm86 ? ~0ull : (c->cr0_fixed0 & ~(u64)(X86_CR0_PE | X86_CR0_PG)));
	e |= vmcs_write(BIOSX_VMCS_CR0_READ_SHADOW, X86_CR0_ET);
	e |= vmcs_write(BIOSX_VMCS_CR4_GUEST_HOST_MASK, ~0ull);
	e |= vmcs_write(BIOSX_VMCS_CR4_READ_SHADOW, 0);
	/* Loaded on entry by "load debug controls" (SDM Vol. 3C §27.3.2.1):
	 * no breakpoint of the host's is ever armed inside the guest. */
	e |= vmcs_write(BIOSX_VMCS_GUEST_DR7, 0x400);
	e |= vmcs_write(BIOSX_VMCS_GUEST_IA32_DEBUGCTL, 0);
	/* EFER as a real-mode CPU has it: 0 (no LME/SCE/NXE of the host's). */
	if (c->load_efer)
		e |= vmcs_write(BIOSX_VMCS_GUEST_IA32_EFER, 0);

	e |= write_segment(BIOSX_VMCS_GUEST_CS_SELECTOR, r->cs, code_ar);
	e |= write_segment(BIOSX_VMCS_GUEST_DS_SELECTOR, r->ds, data_ar);
	e |= write_segment(BIOSX_VMCS_GUEST_ES_SELECTOR, r->es, data_ar);
	e |= write_segment(BIOSX_VMCS_GUEST_FS_SELECTOR, r->fs, data_ar);
	e |= write_segment(BIOSX_VMCS_GUEST_GS_SELECTOR, r->gs, data_ar);
	e |= write_segment(BIOSX_VMCS_GUEST_SS_SELECTOR, r->ss, data_ar);
	/* LDTR unusable; TR a busy 32-bit TSS (vm86: the real one, whose I/O
	 * and redirection bitmaps matter; real mode: a formality). */
	e |= vmcs_write(BIOSX_VMCS_GUEST_LDTR_SELECTOR, 0);
	e |= vmcs_write(BIOSX_VMCS_GUEST_LDTR_AR_BYTES, 0x10000);
	e |= vmcs_write(BIOSX_VMCS_GUEST_TR_SELECTOR, 0);
	e |= vmcs_write(BIOSX_VMCS_GUEST_TR_BASE, vm86 ? BIOSX_TSS_LINEAR : 0);
	e |= vmcs_write(BIOSX_VMCS_GUEST_TR_LIMIT, vm86 ? BIOSX_TSS_IOMAP_BASE + 8192 : 0xffff);
	e |= vmcs_write(BIOSX_VMCS_GUEST_TR_AR_BYTES, 0x8b);
	e |= vmcs_write(BIOSX_VMCS_GUEST_GDTR_BASE, 0);
	e |= vmcs_write(BIOSX_VMCS_GUEST_GDTR_LIMIT, 0);
	/* Real mode: the IDTR is the IVT. vm86: every exception exits, so no
	 * IDT is ever used; a zero limit turns any delivery into a fault. */
	e |= vmcs_write(BIOSX_VMCS_GUEST_IDTR_BASE, 0);
	e |= vmcs_write(BIOSX_VMCS_GUEST_IDTR_LIMIT, vm86 ? 0 : 0x3ff);
	e |= vmcs_write(BIOSX_VMCS_GUEST_SYSENTER_CS, 0);
	e |= vmcs_write(BIOSX_VMCS_GUEST_SYSENTER_ESP, 0);
	e |= vmcs_write(BIOSX_VMCS_GUEST_SYSENTER_EIP, 0);

	e |= vmcs_write(BIOSX_VMCS_GUEST_RFLAGS, guest_rflags(r->eflags, vm86));
	e |= vmcs_write(BIOSX_VMCS_GUEST_RSP, r->esp);
	e |= vmcs_write(BIOSX_VMCS_GUEST_RIP, r->eip);
	e |= vmcs_write(BIOSX_VMCS_GUEST_ACTIVITY_STATE, 0);
	e |= vmcs_write(BIOSX_VMCS_GUEST_INTERRUPTIBILITY_INFO, 0);
	e |= vmcs_write(BIOSX_VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	e |= vmcs_write(BIOSX_VMCS_VMCS_LINK_POINTER, ~0ull);
	if (bad_entry)	/* test hook: CS access rights with the present bit clear */
		e |= vmcs_write(BIOSX_VMCS_GUEST_CS_AR_BYTES, code_ar & ~0x80u);
	return e ? -EIO : 0;
}

/* VM-entry/VM-exit MSR-load lists (SDM Vol. 3C §25.7.2, §25.8.2): one
 * 16-byte entry each, used only for IA32_EFER on CPUs without the
 * load-EFER controls. */
struct biosx_msr_load {
	u32 index, reserved;
	u64 value;
};

static int write_controls(struct biosx_file *f, int strategy)
{
	const struct biosx_vmx_caps *c = &biosx_caps;
	u32 pin, proc, proc2 = 0, exit, entry;
	int e = 0;

	/* Host interrupts and NMIs exit and reach the host; the preemption
	 * timer ends each slice on the CPU's own clock (SDM Vol. 3C §26.2,
	 * §26.5.1). */
	pin = BIOSX_PIN_REQUIRED | (c->preemption_timer ? BIOSX_PIN_VMX_PREEMPTION_TIMER : 0);
	/* HLT exits (the trap stub), port I/O through the bitmaps, MOV DR
	 * exits (the debug registers are the host's: SDM Vol. 3C §26.1.3).
	 * No MSR bitmap: every RDMSR/WRMSR exits. */
	proc = BIOSX_PROC_REQUIRED | (c->has_proc2 ? BIOSX_PROC_ACTIVATE_SECONDARY_CONTROLS : 0);
	if (strategy == BIOSX_STRATEGY_UNRESTRICTED)
		proc2 = BIOSX_PROC2_ENABLE_EPT | BIOSX_PROC2_UNRESTRICTED_GUEST;
	/* WBINVD would write back and flush every cache of the machine: it
	 * exits and is skipped where the CPU can make it exit. */
	proc2 |= BIOSX_PROC2_WBINVD_EXITING;
	exit = BIOSX_EXIT_REQUIRED | (c->load_efer ? BIOSX_EXITCTL_LOAD_IA32_EFER : 0);
	entry = BIOSX_ENTRY_REQUIRED | (c->load_efer ? BIOSX_ENTRYCTL_LOAD_IA32_EFER : 0);

	e |= vmcs_write(BIOSX_VMCS_PIN_BASED_VM_EXEC_CONTROL, adjust_controls(pin, c->pin));
	e |= vmcs_write(BIOSX_VMCS_CPU_BASED_VM_EXEC_CONTROL, adjust_controls(proc, c->proc));
	if (c->has_proc2)
		e |= vmcs_write(BIOSX_VMCS_SECONDARY_VM_EXEC_CONTROL, adjust_controls(proc2, c->proc2));
	e |= vmcs_write(BIOSX_VMCS_VM_EXIT_CONTROLS, adjust_controls(exit, c->exit));
	e |= vmcs_write(BIOSX_VMCS_VM_ENTRY_CONTROLS, adjust_controls(entry, c->entry));
	/* Every exception exits: it ends the run with its vector. */
	e |= vmcs_write(BIOSX_VMCS_EXCEPTION_BITMAP, 0xffffffff);
	e |= vmcs_write(BIOSX_VMCS_PAGE_FAULT_ERROR_CODE_MASK, 0);
	e |= vmcs_write(BIOSX_VMCS_PAGE_FAULT_ERROR_CODE_MATCH, 0);
	e |= vmcs_write(BIOSX_VMCS_CR3_TARGET_COUNT, 0);
	e |= vmcs_write(BIOSX_VMCS_VM_EXIT_MSR_STORE_COUNT, 0);
	if (c->load_efer) {
		e |= vmcs_write(BIOSX_VMCS_VM_EXIT_MSR_LOAD_COUNT, 0);
		e |= vmcs_write(BIOSX_VMCS_VM_ENTRY_MSR_LOAD_COUNT, 0);
	} else {
		struct biosx_msr_load *l = page_address(f->msr_area);
		u64 pa = page_to_phys(f->msr_area);

		l[0] = (struct biosx_msr_load){ MSR_EFER, 0, 0 };
		l[1] = (struct biosx_msr_load){ MSR_EFER, 0, 0 }; /* host value: biosx_run_slice() */
		e |= vmcs_write(BIOSX_VMCS_VM_ENTRY_MSR_LOAD_ADDR, pa);
		e |= vmcs_write(BIOSX_VMCS_VM_ENTRY_MSR_LOAD_COUNT, 1);
		e |= vmcs_write(BIOSX_VMCS_VM_EXIT_MSR_LOAD_ADDR, pa + sizeof(*l));
		e |= vmcs_write(BIOSX_VMCS_VM_EXIT_MSR_LOAD_COUNT, 1);
	}
	e |= vmcs_write(BIOSX_VMCS_VM_ENTRY_INTR_INFO_FIELD, 0);
	e |= vmcs_write(BIOSX_VMCS_IO_BITMAP_A, page_to_phys(f->io_bitmap[0]));
	e |= vmcs_write(BIOSX_VMCS_IO_BITMAP_B, page_to_phys(f->io_bitmap[1]));
	if (strategy == BIOSX_STRATEGY_UNRESTRICTED)
		e |= vmcs_write(BIOSX_VMCS_EPT_POINTER, biosx_ept_pointer(f));
	return e ? -EIO : 0;
}

struct run_ctx {
	struct biosx_file *f;
	struct biosx_run *run;
	struct biosx_io_run io; /* port I/O state of the run (biosx_io.c) */
	struct biosx_gprs gprs;
	ktime_t deadline;
	bool done;
	/* across slices */
	struct biosx_host host;
	int strategy;
	bool started;      /* the VMCS holds the guest's state */
	bool fpu_saved;    /* f->fpu holds the routine's x87 state */
	u64 dr[8];         /* the routine's view of DR0-DR7 (MOV DR exits) */
	/* within a slice */
	int launched;
	bool slice_over;
	ktime_t slice_end;
};

static void end_run(struct run_ctx *x, u32 end)
{
	x->run->end = end;
	x->done = true;
}

/* An instruction emulated by the host is skipped, and with it any STI or
 * MOV-SS blocking it was under (KVM: skip_emulated_instruction() clears
 * the interrupt shadow; SDM Vol. 3C §25.4.2 interruptibility state). */
static void skip_instruction(void)
{
	u64 intr = vmcs_read(BIOSX_VMCS_GUEST_INTERRUPTIBILITY_INFO);

	vmcs_write(BIOSX_VMCS_GUEST_RIP,
		   vmcs_read(BIOSX_VMCS_GUEST_RIP) + vmcs_read(BIOSX_VMCS_VM_EXIT_INSTRUCTION_LEN));
	if (intr & 3)
		vmcs_write(BIOSX_VMCS_GUEST_INTERRUPTIBILITY_INFO, intr & ~3ull);
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
	u32 vector = info & 0xff, type = (info >> 8) & 7;
	u32 ip = guest_linear_ip();

	if (type == 2) {	/* an NMI meant for the host: deliver it there */
		biosx_call_nmi_handler((unsigned long)asm_exc_nmi_noist);
		return;
	}
	if (vector == X86_TRAP_MC) {
		machine_check(x);
		return;
	}
	/* vm86: HLT at CPL 3 raises #GP instead of exiting (SDM Vol. 3A
	 * §20.2.7); the trap stub's HLT is the normal end of a run. */
	if (vector == 13 && guest_byte(x->f, ip) == BIOSX_TRAP_OPCODE) {
		end_run(x, ip == BIOSX_TRAP_LINEAR ? BIOSX_END_RETURN_TRAP : BIOSX_END_HALT);
		return;
	}
	x->run->vector_out = vector;
	x->run->error_code = (info & BIT(11)) ? vmcs_read(BIOSX_VMCS_VM_EXIT_INTR_ERROR_CODE) : ~0ull;
	end_run(x, BIOSX_END_EXCEPTION);
}

static void handle_cpuid(struct run_ctx *x)
{
	u32 a, b, c, d;

	/* The host's answer, without VMX: the routine is not a hypervisor. */
	cpuid_count((u32)x->gprs.rax, (u32)x->gprs.rcx, &a, &b, &c, &d);
	if ((u32)x->gprs.rax == 1)
		c &= ~BIT(5);
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

/* HLT exiting (primary control bit 7): the trap stub's HLT ends the run;
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
 * Table 28-3: 0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP, 5 RBP, 6 RSI, 7 RDI). */
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
 * MOV to/from DR (exit qualification, SDM Vol. 3C Table 28-3): the routine
 * gets debug registers of its own that arm nothing - the real DR0-DR3 and
 * DR6 stay the host's (perf and ptrace breakpoints), and DR7 is the
 * guest's value loaded by the entry controls.
 */
static void exit_mov_dr(struct run_ctx *x)
{
	u64 q = vmcs_read(BIOSX_VMCS_EXIT_QUALIFICATION);
	unsigned int dr = q & 7, reg = (q >> 8) & 15;
	bool from_dr = q & BIT(4);
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

/* One exit. Returns with x->done set when the run is over. */
static void handle_exit(struct run_ctx *x, u32 reason)
{
	if (reason < ARRAY_SIZE(exit_handlers) && exit_handlers[reason])
		exit_handlers[reason](x);
	else
		exit_unhandled(x);
}

/* Whether the 1-setting of bit BIT of capability CAP is allowed: the
 * BIOSX_CAP_* classes of vmcs_fields.h over the MSRs read at load. */
static bool cap_allows(unsigned int cap, unsigned int bit)
{
	const struct biosx_vmx_caps *c = &biosx_caps;

	switch (cap) {
	case BIOSX_CAP_PIN: return (c->pin >> 32 >> bit) & 1;
	case BIOSX_CAP_PROC: return (c->proc >> 32 >> bit) & 1;
	case BIOSX_CAP_PROC2: return c->has_proc2 && ((c->proc2 >> 32 >> bit) & 1);
	case BIOSX_CAP_PROC3: return (c->proc3 >> bit) & 1;
	case BIOSX_CAP_EXIT: return (c->exit >> 32 >> bit) & 1;
	case BIOSX_CAP_EXIT2: return (c->exit2 >> bit) & 1;
	case BIOSX_CAP_ENTRY: return (c->entry >> 32 >> bit) & 1;
	case BIOSX_CAP_VMFUNC: return (c->vmfunc >> bit) & 1;
	case BIOSX_CAP_BASIC: return (c->basic >> bit) & 1;
	}
	return false;
}

/* Whether a field exists on this CPU (SDM Vol. 3D App. B "exists only on
 * processors that support the 1-setting of ...", and IA32_VMX_VMCS_ENUM,
 * §A.9): the rule of vmcs_fields.h, so that no VMREAD of the record fails
 * and overwrites the VM-instruction error. */
static bool field_exists(u32 enc)
{
	static const struct { u32 enc; u8 cap, bit; } conds[] = {
#define X(name, cap, bit) { BIOSX_VMCS_##name, cap, bit },
		BIOSX_VMCS_FIELD_CONDS(X)
#undef X
	};
	bool listed = false;
	unsigned int i;

	if (BIOSX_VMCS_ENC_INDEX(enc) > BIOSX_VMX_VMCS_ENUM_MAX_INDEX(biosx_caps.vmcs_enum))
		return false;
	for (i = 0; i < ARRAY_SIZE(conds); i++) {
		if (conds[i].enc != enc)
			continue;
		if (cap_allows(conds[i].cap, conds[i].bit))
			return true;
		listed = true;
	}
	return !listed;
}

/* Every field of the table that exists on this CPU, the VM-instruction
 * error first: any later VMREAD that failed would overwrite it. */
static void record_vmcs(struct biosx_file *f)
{
	static const u32 encodings[] = {
#define X(name, enc, width, group) enc,
		BIOSX_VMCS_FIELDS(X)
#undef X
	};
	struct biosx_vmcs_record *r = f->record;
	unsigned int i, n = 0;
	u64 v, insn_error = vmcs_read(BIOSX_VMCS_VM_INSTRUCTION_ERROR);

	for (i = 0; i < ARRAY_SIZE(encodings) && n < BIOSX_VMCS_RECORD_MAX; i++) {
		if (!field_exists(encodings[i]))
			continue;
		if (encodings[i] == BIOSX_VMCS_VM_INSTRUCTION_ERROR)
			v = insn_error;
		else if (vmcs_read_safe(encodings[i], &v))
			continue;
		r->fields[n].encoding = encodings[i];
		r->fields[n].reserved = 0;
		r->fields[n].value = v;
		n++;
	}
	r->nfields = n;
	r->vmxon_pa = page_to_phys(f->vmxon);
	r->vmcs_pa = page_to_phys(f->vmcs);
	r->flags = 0;
	r->valid = 1;
}

/* The fields that hold a kernel virtual or a host physical address
 * (vmcs_fields.h), and the VMCS region itself, are zeroed for a reader
 * who may not see kernel addresses (biosx_may_see_kernel_addresses()). */
void biosx_hide_addresses(struct biosx_vmcs_record *r)
{
	static const u32 hidden[] = {
#define X(name) BIOSX_VMCS_##name,
		BIOSX_VMCS_ADDRESS_FIELDS(X)
#undef X
	};
	unsigned int i, j;

	for (i = 0; i < r->nfields && i < BIOSX_VMCS_RECORD_MAX; i++)
		for (j = 0; j < ARRAY_SIZE(hidden); j++)
			if (r->fields[i].encoding == hidden[j])
				r->fields[i].value = 0;
	r->vmxon_pa = 0;
	r->vmcs_pa = 0;
	memset(r->raw, 0, sizeof(r->raw));
	r->flags |= BIOSX_VMCS_ADDRESSES_HIDDEN;
}

/* Pushes a 16-bit word on the guest stack SS:SP, wrapping inside the
 * segment as a real-mode push does. */
static void push16(struct biosx_file *f, struct biosx_regs *r, u16 v)
{
	u16 sp = (u16)(r->esp - 2);
	u32 at = ((u32)r->ss << 4) + sp;

	r->esp = (r->esp & 0xffff0000u) | sp;
	if (at + 1 < BIOSX_GUEST_BYTES) {
		((u8 *)f->mem)[at] = v & 0xff;
		((u8 *)f->mem)[at + 1] = v >> 8;
	}
}

/* Mirrors src/core/run_setup.cpp so that both backends start a call from
 * the very same state: trap stub at 0000:0600, return frame, IF/TF/AC
 * cleared for INT n (SDM Vol. 2A, INT n, real-address mode). */
static int prepare_entry(struct biosx_file *f, struct biosx_regs *r, const struct biosx_run *run)
{
	u8 *m = f->mem;
	u16 seg, off;

	if (run->entry == BIOSX_ENTRY_INT) {
		off = m[run->vector * 4] | m[run->vector * 4 + 1] << 8;
		seg = m[run->vector * 4 + 2] | m[run->vector * 4 + 3] << 8;
		if (!seg && !off)
			return -ENOENT;
	} else {
		seg = run->seg;
		off = run->off;
	}
	m[BIOSX_TRAP_LINEAR] = BIOSX_TRAP_OPCODE;
	if (run->entry == BIOSX_ENTRY_INT) {
		push16(f, r, (u16)r->eflags);
		push16(f, r, BIOSX_TRAP_SEG);
		push16(f, r, BIOSX_TRAP_OFF);
		r->eflags &= ~(X86_EFLAGS_IF | X86_EFLAGS_TF | X86_EFLAGS_AC);
	} else {
		push16(f, r, BIOSX_TRAP_SEG);
		push16(f, r, BIOSX_TRAP_OFF);
	}
	r->eflags |= BIOSX_EFLAGS_FIXED1;
	r->cs = seg;
	r->eip = off;
	return 0;
}

static void save_guest_regs(struct run_ctx *x)
{
	struct biosx_regs *r = &x->run->regs;

	r->eax = x->gprs.rax;
	r->ebx = x->gprs.rbx;
	r->ecx = x->gprs.rcx;
	r->edx = x->gprs.rdx;
	r->esi = x->gprs.rsi;
	r->edi = x->gprs.rdi;
	r->ebp = x->gprs.rbp;
	r->esp = vmcs_read(BIOSX_VMCS_GUEST_RSP);
	r->eip = vmcs_read(BIOSX_VMCS_GUEST_RIP);
	/* VM, IOPL and the real IF are the vm86 scaffolding; the routine's
	 * IF is VIF there. */
	r->eflags = routine_eflags(vmcs_read(BIOSX_VMCS_GUEST_RFLAGS), x->strategy == BIOSX_STRATEGY_VM86);
	r->cs = vmcs_read(BIOSX_VMCS_GUEST_CS_SELECTOR);
	r->ds = vmcs_read(BIOSX_VMCS_GUEST_DS_SELECTOR);
	r->es = vmcs_read(BIOSX_VMCS_GUEST_ES_SELECTOR);
	r->fs = vmcs_read(BIOSX_VMCS_GUEST_FS_SELECTOR);
	r->gs = vmcs_read(BIOSX_VMCS_GUEST_GS_SELECTOR);
	r->ss = vmcs_read(BIOSX_VMCS_GUEST_SS_SELECTOR);
}

/* The preemption timer counts down once every 2^MISC[4:0] TSC ticks
 * (SDM Vol. 3C §26.5.1). */
static u32 preemption_ticks(u64 ns)
{
	u64 ticks = div_u64((u64)tsc_khz * ns, NSEC_PER_MSEC) >> (biosx_caps.misc & BIOSX_VMX_MISC_PREEMPT_RATE_MASK);

	return ticks > 0xffffffffull ? 0xffffffffu : (u32)ticks;
}

/* Where the CPU has no VMX-preemption timer, a pinned hrtimer ends the
 * slice: its interrupt is an external-interrupt exit on this CPU whatever
 * the routine does with IF (the real IF of a vm86 guest stays set), and it
 * fires on nohz_full CPUs too, which get no tick. */
static enum hrtimer_restart slice_kick(struct hrtimer *t)
{
	struct biosx_file *f = container_of(t, struct biosx_file, kick);

	WRITE_ONCE(f->kicked, true);
	return HRTIMER_NORESTART;
}

void biosx_kick_init(struct biosx_file *f)
{
	hrtimer_init(&f->kick, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	f->kick.function = slice_kick;
}

/* The guest loop of one slice, in VMX root with a current VMCS. */
static void run_guest(struct run_ctx *x)
{
	struct biosx_run *run = x->run;
	u64 t0;

	while (!x->done && !x->slice_over) {
		u32 reason;

		biosx_host_before_entry(&x->host);
		t0 = rdtsc();
		if (biosx_vmenter(&x->gprs, x->launched)) {
			biosx_host_after_exit(&x->host);
			run->tsc_cycles += rdtsc() - t0;
			/* VMfail: the VM-instruction error is the first VMREAD. */
			run->error_code = vmcs_read(BIOSX_VMCS_VM_INSTRUCTION_ERROR);
			end_run(x, BIOSX_END_ENTRY_FAILURE);
			break;
		}
		biosx_host_after_exit(&x->host);
		run->tsc_cycles += rdtsc() - t0;
		x->launched = 1;
		reason = vmcs_read(BIOSX_VMCS_VM_EXIT_REASON);
		run->exit_reason = reason;
		run->exits++;
		if ((reason & 0xffff) < BIOSX_EXIT_REASONS_MAX)
			run->exit_counts[reason & 0xffff]++;
		/* A machine check during VM entry is reported as an entry
		 * failure with basic reason 41: the host's handler first. */
		if ((reason & 0xffff) == BIOSX_EXIT_MCE_DURING_VMENTRY) {
			machine_check(x);
			break;
		}
		if (reason & BIT(31)) {	/* VM-entry failure, SDM Vol. 3C §27.8 */
			run->error_code = reason;
			run->qualification = vmcs_read(BIOSX_VMCS_EXIT_QUALIFICATION);
			end_run(x, BIOSX_END_ENTRY_FAILURE);
			break;
		}
		handle_exit(x, reason & 0xffff);
		if (x->done)
			break;
		if (ktime_after(ktime_get(), x->deadline) || run->exits >= BIOSX_MAX_EXITS)
			end_run(x, BIOSX_END_TIMEOUT);
		else if (fatal_signal_pending(current) || biosx_shutting_down())
			end_run(x, BIOSX_END_INTERRUPTED);
		else if (READ_ONCE(x->f->kicked))
			x->slice_over = true;
	}
}

/*
 * One slice: enter VMX operation on whatever CPU this is, load the VMCS
 * (guest state written on the first slice only; the host state for this
 * CPU every time), run, save, VMCLEAR and leave. VMCLEAR makes the VMCS
 * loadable on another CPU next time (SDM Vol. 3C §25.1, §25.11.1), as
 * KVM's loaded_vmcs_clear() before a vCPU migrates.
 */
static int run_slice(struct run_ctx *x)
{
	const struct biosx_vmx_caps *c = &biosx_caps;
	struct biosx_file *f = x->f;
	u64 vmcs_pa = page_to_phys(f->vmcs), left;
	int err;

	/* No preemption, no migration; the caller's FPU state saved (the
	 * routine may use x87); interrupts off except after an
	 * external-interrupt exit. */
	kernel_fpu_begin();
	x->slice_end = ktime_add_ns(ktime_get(), BIOSX_SLICE_NS);
	x->slice_over = false;
	WRITE_ONCE(f->kicked, false);
	if (!c->preemption_timer)
		hrtimer_start(&f->kick, ns_to_ktime(BIOSX_SLICE_NS), HRTIMER_MODE_REL_PINNED_HARD);
	local_irq_disable();
	err = biosx_host_vmxon(&x->host, page_to_phys(f->vmxon));
	if (err)
		goto out_irq;
	err = -EIO;
	if (!x->started && vmcs_clear(vmcs_pa))
		goto out_vmxoff;
	if (vmcs_load(vmcs_pa))
		goto out_vmxoff;
	if (!x->started) {
		err = write_controls(f, x->strategy);
		if (!err)
			err = write_guest_state(f, &x->run->regs, x->strategy,
						x->run->flags & BIOSX_RUN_TEST_BAD_ENTRY);
		if (err)
			goto out_vmclear;
		x->started = true;
	}
	err = biosx_host_write_vmcs(&x->host);
	if (err)
		goto out_vmclear;
	if (!c->load_efer)
		((struct biosx_msr_load *)page_address(f->msr_area))[1].value = x->host.efer;
	if (c->preemption_timer) {
		left = max_t(s64, ktime_to_ns(ktime_sub(x->deadline, ktime_get())), 0);
		vmcs_write(BIOSX_VMCS_VMX_PREEMPTION_TIMER_VALUE, preemption_ticks(min_t(u64, left, BIOSX_SLICE_NS)));
	}
	/* Cached EPT translations tagged with this EPTP may be left from a
	 * previous owner of the root page, on this CPU: VMXON and VM
	 * transitions do not drop them (SDM Vol. 3C §29.4.3.4). KVM does an
	 * INVEPT whenever a root is loaded on a CPU (vmx_flush_tlb_current). */
	if (x->strategy == BIOSX_STRATEGY_UNRESTRICTED &&
	    vmx_invept(c->invept_type, vmcs_read(BIOSX_VMCS_EPT_POINTER)))
		goto out_vmclear;
	if (x->fpu_saved)
		asm volatile("fxrstor64 %0" : : "m"(*(u8 (*)[512])f->fpu));
	x->launched = 0;	/* VMCLEAR made the launch state "clear" */
	run_guest(x);
	asm volatile("fxsave64 %0" : "=m"(*(u8 (*)[512])f->fpu));
	x->fpu_saved = true;
	if (x->done) {
		save_guest_regs(x);
		record_vmcs(f);
	}
	err = 0;
out_vmclear:
	vmcs_clear(vmcs_pa);
out_vmxoff:
	biosx_host_vmxoff(&x->host);
out_irq:
	local_irq_enable();
	kernel_fpu_end();
	if (!c->preemption_timer)
		hrtimer_cancel(&f->kick);
	return err;
}

int biosx_run(struct biosx_file *f, struct biosx_run *run, const u8 *allow, struct biosx_io_entry *io_log)
{
	const struct biosx_vmx_caps *c = &biosx_caps;
	struct run_ctx x = { .f = f, .run = run, .io = { .allow = allow, .log = io_log } };
	u32 timeout_ms = run->timeout_ms ? run->timeout_ms : 5000;
	int err;

	if (run->flags & BIOSX_RUN_FORCE_UNRESTRICTED) {
		if (!c->unrestricted)
			return -ENODEV;
		x.strategy = BIOSX_STRATEGY_UNRESTRICTED;
	} else if (run->flags & BIOSX_RUN_FORCE_VM86) {
		x.strategy = BIOSX_STRATEGY_VM86;
	} else {
		x.strategy = c->unrestricted ? BIOSX_STRATEGY_UNRESTRICTED : BIOSX_STRATEGY_VM86;
	}
	err = prepare_entry(f, &run->regs, run);
	if (err)
		return err;
	run->strategy = x.strategy;
	if (x.strategy == BIOSX_STRATEGY_VM86)
		biosx_vm86_tables(f);
	biosx_io_bitmaps(f, allow, run->flags);
	x.gprs = (struct biosx_gprs){ run->regs.eax, run->regs.ebx, run->regs.ecx, run->regs.edx,
				      run->regs.esi, run->regs.edi, run->regs.ebp };
	x.dr[6] = 0xffff0ff0;	/* DR6 and DR7 as after RESET (SDM Vol. 3B §18.2) */
	x.dr[7] = 0x400;
	*(u32 *)page_address(f->vmxon) = c->basic & BIOSX_VMX_BASIC_REVISION_MASK;
	*(u32 *)page_address(f->vmcs) = c->basic & BIOSX_VMX_BASIC_REVISION_MASK;
	f->record->valid = 0;
	x.deadline = ktime_add_ms(ktime_get(), timeout_ms);

	/* Slices until the run ends; between them the CPU belongs to Linux:
	 * the scheduler, RCU quiescent states, the watchdogs, signals. */
	for (;;) {
		err = run_slice(&x);
		if (err || x.done)
			break;
		cond_resched();
	}
	if (!err)
		memcpy(f->record->raw, page_address(f->vmcs), sizeof(f->record->raw));
	else if (x.started && !x.done)
		pr_info_ratelimited("biosx: run abandoned after %u exits (%d)\n", run->exits, err);
	if (err == -EBUSY)
		pr_info_ratelimited("biosx: VMX is already in use on CPU %d (KVM?); not running\n",
				    raw_smp_processor_id());
	biosx_stats.last_vmxon_pa = page_to_phys(f->vmxon);
	biosx_stats.last_vmcs_pa = page_to_phys(f->vmcs);
	atomic64_inc(&biosx_stats.runs);
	atomic64_add(run->exits, &biosx_stats.exits);
	return err;
}

/* The shared MSR table (shared/x86/vmx_msrs.h) in its own order: entry i
 * is struct biosx_caps.msr[i]. */
static const u32 caps_msr_index[] = {
#define X(name, index, rule) index,
	BIOSX_VMX_MSRS(X)
#undef X
};
static const u8 caps_msr_rule[] = {
#define X(name, index, rule) rule,
	BIOSX_VMX_MSRS(X)
#undef X
};
static_assert(ARRAY_SIZE(caps_msr_index) == ARRAY_SIZE(((struct biosx_caps *)0)->msr),
	      "struct biosx_caps.msr[] must hold one value per MSR of BIOSX_VMX_MSRS");

/* The value of an MSR read earlier in table order, 0 when it is absent. */
static u64 caps_value(const struct biosx_caps *caps, u32 index)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(caps_msr_index); i++)
		if (caps_msr_index[i] == index)
			return (caps->present & BIT(i)) ? caps->msr[i] : 0;
	return 0;
}

/* Whether an MSR exists, by the rule the table gives it (SDM Vol. 3D
 * Appendix A; the rules are spelled out in vmx_msrs.h). Every rule depends
 * only on MSRs that come earlier in the table. */
static bool caps_msr_exists(const struct biosx_caps *caps, unsigned int rule)
{
	u64 basic = caps_value(caps, BIOSX_MSR_IA32_VMX_BASIC);
	u64 proc = caps_value(caps, BIOSX_MSR_IA32_VMX_PROCBASED_CTLS);
	u64 proc2 = caps_value(caps, BIOSX_MSR_IA32_VMX_PROCBASED_CTLS2);
	bool vmx = caps->cpuid1_ecx & BIOSX_CPUID1_ECX_VMX;

	switch (rule) {
	case BIOSX_MSR_IF_VMX_OR_SMX:
		return caps->cpuid1_ecx & (BIOSX_CPUID1_ECX_VMX | BIOSX_CPUID1_ECX_SMX);
	case BIOSX_MSR_IF_VMX:
		return vmx;
	case BIOSX_MSR_IF_TRUE_CTLS:
		return vmx && (basic & BIOSX_VMX_BASIC_TRUE_CTLS);
	case BIOSX_MSR_IF_PROC2:
		return vmx && (proc & BIT_ULL(63));
	case BIOSX_MSR_IF_EPT_OR_VPID:
		return vmx && (proc & BIT_ULL(63)) && (proc2 & (BIT_ULL(33) | BIT_ULL(37)));
	case BIOSX_MSR_IF_VMFUNC:
		return vmx && (proc & BIT_ULL(63)) && (proc2 & BIT_ULL(45));
	case BIOSX_MSR_IF_PROC3:
		return vmx && (proc & BIT_ULL(49));
	case BIOSX_MSR_IF_EXIT2:
		return vmx && (caps_value(caps, BIOSX_MSR_IA32_VMX_EXIT_CTLS) & BIT_ULL(63));
	default:
		return false;
	}
}

/* Runs on the CPU asked for (smp_call_function_single): CPUID.1 and every
 * capability MSR that exists there, never one that does not. */
static void read_caps_on_cpu(void *arg)
{
	struct biosx_caps *caps = arg;
	u32 a, b, c, d;
	unsigned int i;

	cpuid(1, &a, &b, &c, &d);
	caps->cpuid1_ecx = c;
	caps->present = 0;
	for (i = 0; i < ARRAY_SIZE(caps_msr_index); i++)
		if (caps_msr_exists(caps, caps_msr_rule[i]) && !rdmsrl_safe(caps_msr_index[i], &caps->msr[i]))
			caps->present |= BIT(i);
}

int biosx_read_caps(struct biosx_caps *caps)
{
	if (caps->cpu >= nr_cpu_ids || !cpu_online(caps->cpu))
		return -EINVAL;
	memset(caps->msr, 0, sizeof(caps->msr));
	return smp_call_function_single(caps->cpu, read_caps_on_cpu, caps, 1);
}
