// SPDX-License-Identifier: GPL-2.0
/*
 * biosx_vmx.c - one BIOS call in a VMX guest: enter VMX operation on this
 * CPU, build the VMCS for the chosen strategy (real mode under "unrestricted
 * guest", or virtual-8086 mode under a paged protected-mode guest), run
 * until the routine returns to the trap stub, handle the exits in between,
 * record the VMCS, and leave VMX operation again.
 * Kernel: process context in, then VMX root with preemption and interrupts
 * off (interrupts are let in briefly after an external-interrupt exit).
 */
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>

#include "biosx_priv.h"
#include "realmode.h"
#include "vmx_ops.h"

struct biosx_vmx_caps biosx_caps;
struct biosx_stats biosx_stats;

#define BIT32(n) (1u << (n))
/* A bound on exits per run, besides the clock: a routine doing port I/O
 * with --io-log exits once per access. */
#define BIOSX_MAX_EXITS 2000000u

/* The values one control word may take: allowed-0 settings in the low half
 * of its capability MSR, allowed-1 in the high half (SDM Vol. 3D §A.3). */
static u32 adjust_controls(u32 want, u64 cap)
{
	return (want | (u32)cap) & (u32)(cap >> 32);
}

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
	 * with bit 2 set; Linux itself locks it at boot (feat_ctl.c). */
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &fc) || !(fc & FEAT_CTL_LOCKED) ||
	    !(fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_info("biosx: VMX is locked off in IA32_FEATURE_CONTROL (0x%llx)\n", fc);
		return -ENODEV;
	}
	rdmsrl(MSR_IA32_VMX_BASIC, c->basic);
	truectl = c->basic & BIOSX_VMX_BASIC_TRUE_CTLS;
	/* With BASIC[55] the TRUE MSRs say which default-1 controls may be 0
	 * (SDM Vol. 3D §A.2). */
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
	c->has_proc2 = (c->proc >> 32) & BIT32(31);
	if (c->has_proc2) {
		rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS2, c->proc2);
		if ((c->proc2 >> 32) & (BIT32(1) | BIT32(5)))
			rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, c->ept_vpid);
	}
	/* EPT as biosx builds it: 4-level walk, write-back structures. */
	c->ept = c->has_proc2 && ((c->proc2 >> 32) & BIT32(1)) && (c->ept_vpid & BIT_ULL(6)) &&
		 (c->ept_vpid & BIT_ULL(14));
	c->unrestricted = c->ept && ((c->proc2 >> 32) & BIT32(7));
	c->preemption_timer = (c->pin >> 32) & BIT32(6);
	pr_info("biosx: VMX revision %llu, strategy %s, preemption timer %s\n",
		c->basic & BIOSX_VMX_BASIC_REVISION_MASK,
		c->unrestricted ? "unrestricted guest" : "virtual-8086", c->preemption_timer ? "yes" : "no");
	return 0;
}

/* Host state the VM exit does not restore by itself. */
struct host_saved {
	u16 ds, es, fs, gs;
	unsigned long dr7;
	u64 debugctl;
	bool has_debugctl;
};

static u64 tr_base(void)
{
	struct desc_ptr gdt;
	u16 tr;
	struct ldttss_desc *d;

	native_store_gdt(&gdt);
	asm volatile("str %0" : "=rm"(tr));
	d = (struct ldttss_desc *)(gdt.address + (tr & ~7));
	return d->base0 | ((u64)d->base1 << 16) | ((u64)d->base2 << 24) | ((u64)d->base3 << 32);
}

/* SDM Vol. 3C §25.5 host-state area, §26.2.3 checks on it. */
static int write_host_state(struct host_saved *hs)
{
	struct desc_ptr gdt, idt;
	u16 cs, ss, tr;
	u64 v;
	int e = 0;

	savesegment(cs, cs);
	savesegment(ss, ss);
	savesegment(ds, hs->ds);
	savesegment(es, hs->es);
	savesegment(fs, hs->fs);
	savesegment(gs, hs->gs);
	asm volatile("str %0" : "=rm"(tr));
	/* Host selectors must have RPL 0 and TI 0; DS/ES are reloaded after
	 * the run instead. A 64-bit caller has null FS/GS selectors. */
	if ((hs->fs & 7) || (hs->gs & 7))
		return -EOPNOTSUPP;
	e |= vmcs_write(BIOSX_VMCS_HOST_CS_SELECTOR, cs & ~7);
	e |= vmcs_write(BIOSX_VMCS_HOST_SS_SELECTOR, ss & ~7);
	e |= vmcs_write(BIOSX_VMCS_HOST_DS_SELECTOR, (hs->ds & 7) ? 0 : hs->ds);
	e |= vmcs_write(BIOSX_VMCS_HOST_ES_SELECTOR, (hs->es & 7) ? 0 : hs->es);
	e |= vmcs_write(BIOSX_VMCS_HOST_FS_SELECTOR, hs->fs);
	e |= vmcs_write(BIOSX_VMCS_HOST_GS_SELECTOR, hs->gs);
	e |= vmcs_write(BIOSX_VMCS_HOST_TR_SELECTOR, tr);
	e |= vmcs_write(BIOSX_VMCS_HOST_CR0, read_cr0());
	e |= vmcs_write(BIOSX_VMCS_HOST_CR3, __read_cr3());
	e |= vmcs_write(BIOSX_VMCS_HOST_CR4, cr4_read_shadow());
	rdmsrl(MSR_FS_BASE, v);
	e |= vmcs_write(BIOSX_VMCS_HOST_FS_BASE, v);
	rdmsrl(MSR_GS_BASE, v);
	e |= vmcs_write(BIOSX_VMCS_HOST_GS_BASE, v);
	e |= vmcs_write(BIOSX_VMCS_HOST_TR_BASE, tr_base());
	native_store_gdt(&gdt);
	store_idt(&idt);
	e |= vmcs_write(BIOSX_VMCS_HOST_GDTR_BASE, gdt.address);
	e |= vmcs_write(BIOSX_VMCS_HOST_IDTR_BASE, idt.address);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	e |= vmcs_write(BIOSX_VMCS_HOST_IA32_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	e |= vmcs_write(BIOSX_VMCS_HOST_IA32_SYSENTER_ESP, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	e |= vmcs_write(BIOSX_VMCS_HOST_IA32_SYSENTER_EIP, v);
	return e ? -EIO : 0;
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

static int write_guest_state(struct biosx_file *f, const struct biosx_regs *r, int strategy, bool bad_entry)
{
	const struct biosx_vmx_caps *c = &biosx_caps;
	bool vm86 = strategy == BIOSX_STRATEGY_VM86;
	u64 cr0, cr4, rflags;
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
	e |= vmcs_write(BIOSX_VMCS_GUEST_DR7, 0x400);
	e |= vmcs_write(BIOSX_VMCS_GUEST_IA32_DEBUGCTL, 0);

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

	rflags = (r->eflags & 0x3f7fd7u) | 0x2;  /* keep the architectural bits */
	rflags &= ~(u64)X86_EFLAGS_VM;
	if (vm86)
		rflags |= X86_EFLAGS_VM | X86_EFLAGS_IOPL; /* IOPL 3: CLI/STI/PUSHF/POPF/IRET run natively */
	e |= vmcs_write(BIOSX_VMCS_GUEST_RFLAGS, rflags);
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

static int write_controls(struct biosx_file *f, int strategy, u32 timer)
{
	const struct biosx_vmx_caps *c = &biosx_caps;
	u32 pin, proc, proc2 = 0, exit, entry;
	int e = 0;

	/* Host interrupts and NMIs exit and reach the host; the preemption
	 * timer bounds a run on the CPU's own clock (SDM Vol. 3C §26.5.1). */
	pin = BIT32(0) | BIT32(3) | (c->preemption_timer ? BIT32(6) : 0);
	/* HLT exits (the trap stub), port I/O through the bitmaps. No MSR
	 * bitmap: every RDMSR/WRMSR exits. */
	proc = BIT32(7) | BIT32(25) | (c->has_proc2 ? BIT32(31) : 0);
	if (strategy == BIOSX_STRATEGY_UNRESTRICTED)
		proc2 = BIT32(1) | BIT32(7); /* enable EPT, unrestricted guest */
	exit = BIT32(9);	/* host address-space size: back to 64-bit */
	entry = 0;		/* IA-32e mode guest stays 0 */

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
	e |= vmcs_write(BIOSX_VMCS_VM_EXIT_MSR_LOAD_COUNT, 0);
	e |= vmcs_write(BIOSX_VMCS_VM_ENTRY_MSR_LOAD_COUNT, 0);
	e |= vmcs_write(BIOSX_VMCS_VM_ENTRY_INTR_INFO_FIELD, 0);
	e |= vmcs_write(BIOSX_VMCS_IO_BITMAP_A, page_to_phys(f->io_bitmap[0]));
	e |= vmcs_write(BIOSX_VMCS_IO_BITMAP_B, page_to_phys(f->io_bitmap[1]));
	if (strategy == BIOSX_STRATEGY_UNRESTRICTED)
		e |= vmcs_write(BIOSX_VMCS_EPT_POINTER, biosx_ept_pointer(f));
	if (c->preemption_timer)
		e |= vmcs_write(BIOSX_VMCS_VMX_PREEMPTION_TIMER_VALUE, timer);
	return e ? -EIO : 0;
}

struct run_ctx {
	struct biosx_file *f;
	struct biosx_run *run;
	struct biosx_io_run io; /* port I/O state of the run (biosx_io.c) */
	struct biosx_gprs gprs;
	ktime_t deadline;
	bool done;
};

static void end_run(struct run_ctx *x, u32 end)
{
	x->run->end = end;
	x->done = true;
}

static void skip_instruction(void)
{
	vmcs_write(BIOSX_VMCS_GUEST_RIP,
		   vmcs_read(BIOSX_VMCS_GUEST_RIP) + vmcs_read(BIOSX_VMCS_VM_EXIT_INSTRUCTION_LEN));
}

static u32 guest_linear_ip(void)
{
	return (u32)(vmcs_read(BIOSX_VMCS_GUEST_CS_BASE) + (vmcs_read(BIOSX_VMCS_GUEST_RIP) & 0xffff));
}

static u8 guest_byte(struct biosx_file *f, u32 linear)
{
	return linear < BIOSX_GUEST_BYTES ? ((u8 *)f->mem)[linear] : 0;
}

/* Port I/O exit: the policy and the access itself are biosx_io.c's;
 * INS/OUTS are not emulated and end the run (docs/module.md). */
static void exit_io(struct run_ctx *x)
{
	if (biosx_io_exit(&x->io, x->run, &x->gprs.rax))
		end_run(x, BIOSX_END_UNHANDLED);
	else
		skip_instruction();
}

static void handle_exception(struct run_ctx *x)
{
	u32 info = vmcs_read(BIOSX_VMCS_VM_EXIT_INTR_INFO);
	u32 vector = info & 0xff, type = (info >> 8) & 7;
	u32 ip = guest_linear_ip();

	if (type == 2) {	/* an NMI meant for the host: deliver it there */
		asm volatile("int $2");
		return;
	}
	/* vm86: HLT at CPL 3 raises #GP instead of exiting (SDM Vol. 3A
	 * §20.2.7); the trap stub's HLT is the normal end of a run. */
	if (vector == 13 && guest_byte(x->f, ip) == BIOSX_TRAP_OPCODE) {
		end_run(x, ip == BIOSX_TRAP_LINEAR ? BIOSX_END_RETURN_TRAP : BIOSX_END_HALT);
		return;
	}
	x->run->vector_out = vector;
	x->run->error_code = (info & BIT32(11)) ? vmcs_read(BIOSX_VMCS_VM_EXIT_INTR_ERROR_CODE) : ~0ull;
	end_run(x, BIOSX_END_EXCEPTION);
}

static void handle_cpuid(struct run_ctx *x)
{
	u32 a, b, c, d;

	/* The host's answer, without VMX: the routine is not a hypervisor. */
	cpuid_count((u32)x->gprs.rax, (u32)x->gprs.rcx, &a, &b, &c, &d);
	if ((u32)x->gprs.rax == 1)
		c &= ~BIT32(5);
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
	 * would never let it in, and every re-entry would exit at once. */
	local_irq_enable();
	asm volatile("nop");
	local_irq_disable();
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

/* No MSR bitmap, so every RDMSR exits (SDM Vol. 3C §26.1.3). Reads are
 * answered from the host where they do not fault; a faulting one ends the
 * run as the #GP it would have been. */
static void exit_rdmsr(struct run_ctx *x)
{
	u64 v;

	if (rdmsrl_safe((u32)x->gprs.rcx, &v)) {
		x->run->vector_out = 13;
		x->run->error_code = 0;
		end_run(x, BIOSX_END_EXCEPTION);
		return;
	}
	x->gprs.rax = (u32)v;
	x->gprs.rdx = v >> 32;
	skip_instruction();
}

/* WRMSR never reaches the host's MSRs; INVD (always exits, SDM Vol. 3C
 * §26.1.2) would drop dirty cache lines of the whole machine. Both are
 * skipped as if they had been done. */
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

static void exit_preemption_timer(struct run_ctx *x)
{
	end_run(x, BIOSX_END_TIMEOUT);
}

/* Everything biosx does not emulate ends the run with the reason and the
 * qualification, never silently: among them XSETBV, GETSEC, WBINVD,
 * the VMX instructions, CR and DR accesses the masks trap, task switches. */
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
	[BIOSX_EXIT_MSR_WRITE] = exit_skip,
	[BIOSX_EXIT_INVD] = exit_skip,
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

/* Every field of the table that the CPU's VMREAD accepts (fields of
 * controls this CPU lacks fail VMREAD with VMfailValid). */
static void record_vmcs(struct biosx_file *f)
{
	static const u32 encodings[] = {
#define X(name, enc, width, group) enc,
		BIOSX_VMCS_FIELDS(X)
#undef X
	};
	struct biosx_vmcs_record *r = f->record;
	unsigned int i, n = 0;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(encodings) && n < BIOSX_VMCS_RECORD_MAX; i++) {
		if (BIOSX_VMCS_ENC_INDEX(encodings[i]) > BIOSX_VMX_VMCS_ENUM_MAX_INDEX(biosx_caps.vmcs_enum))
			continue;
		if (vmcs_read_safe(encodings[i], &v))
			continue;
		r->fields[n].encoding = encodings[i];
		r->fields[n].reserved = 0;
		r->fields[n].value = v;
		n++;
	}
	r->nfields = n;
	r->vmxon_pa = page_to_phys(f->vmxon);
	r->vmcs_pa = page_to_phys(f->vmcs);
	r->valid = 1;
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
	/* The VM and IOPL bits are the vm86 scaffolding, not the routine's. */
	r->eflags = vmcs_read(BIOSX_VMCS_GUEST_RFLAGS);
	if (x->run->strategy == BIOSX_STRATEGY_VM86)
		r->eflags &= ~(u32)(X86_EFLAGS_VM | X86_EFLAGS_IOPL);
	r->cs = vmcs_read(BIOSX_VMCS_GUEST_CS_SELECTOR);
	r->ds = vmcs_read(BIOSX_VMCS_GUEST_DS_SELECTOR);
	r->es = vmcs_read(BIOSX_VMCS_GUEST_ES_SELECTOR);
	r->fs = vmcs_read(BIOSX_VMCS_GUEST_FS_SELECTOR);
	r->gs = vmcs_read(BIOSX_VMCS_GUEST_GS_SELECTOR);
	r->ss = vmcs_read(BIOSX_VMCS_GUEST_SS_SELECTOR);
}

/* The preemption timer counts down once every 2^MISC[4:0] TSC ticks. */
static u32 preemption_ticks(u32 timeout_ms)
{
	u64 ticks = (u64)tsc_khz * timeout_ms >> (biosx_caps.misc & BIOSX_VMX_MISC_PREEMPT_RATE_MASK);

	return ticks > 0xffffffffull ? 0xffffffffu : (u32)ticks;
}

/* The guest loop, in VMX root with a current VMCS. */
static void run_guest(struct run_ctx *x)
{
	struct biosx_run *run = x->run;
	int launched = 0;
	u64 t0;

	while (!x->done) {
		u32 reason;

		t0 = rdtsc();
		if (biosx_vmenter(&x->gprs, launched)) {
			run->tsc_cycles += rdtsc() - t0;
			run->error_code = vmcs_read(BIOSX_VMCS_VM_INSTRUCTION_ERROR);
			end_run(x, BIOSX_END_ENTRY_FAILURE);
			break;
		}
		run->tsc_cycles += rdtsc() - t0;
		launched = 1;
		reason = vmcs_read(BIOSX_VMCS_VM_EXIT_REASON);
		run->exit_reason = reason;
		run->exits++;
		if ((reason & 0xffff) < BIOSX_EXIT_REASONS_MAX)
			run->exit_counts[reason & 0xffff]++;
		if (reason & BIT32(31)) {	/* VM-entry failure, SDM §28.8 */
			run->error_code = reason;
			run->qualification = vmcs_read(BIOSX_VMCS_EXIT_QUALIFICATION);
			end_run(x, BIOSX_END_ENTRY_FAILURE);
			break;
		}
		handle_exit(x, reason & 0xffff);
		if (!x->done && (ktime_after(ktime_get(), x->deadline) || run->exits >= BIOSX_MAX_EXITS ||
				 fatal_signal_pending(current)))
			end_run(x, BIOSX_END_TIMEOUT);
	}
	save_guest_regs(x);
}

int biosx_run(struct biosx_file *f, struct biosx_run *run, const u8 *allow, struct biosx_io_entry *io_log)
{
	const struct biosx_vmx_caps *c = &biosx_caps;
	struct run_ctx x = { .f = f, .run = run, .io = { .allow = allow, .log = io_log } };
	struct host_saved hs;
	struct biosx_regs r = run->regs;
	u32 timeout_ms = run->timeout_ms ? run->timeout_ms : 5000;
	u64 vmxon_pa = page_to_phys(f->vmxon), vmcs_pa = page_to_phys(f->vmcs);
	int strategy, err;

	if (run->flags & BIOSX_RUN_FORCE_UNRESTRICTED) {
		if (!c->unrestricted)
			return -ENODEV;
		strategy = BIOSX_STRATEGY_UNRESTRICTED;
	} else if (run->flags & BIOSX_RUN_FORCE_VM86) {
		strategy = BIOSX_STRATEGY_VM86;
	} else {
		strategy = c->unrestricted ? BIOSX_STRATEGY_UNRESTRICTED : BIOSX_STRATEGY_VM86;
	}
	err = prepare_entry(f, &r, run);
	if (err)
		return err;
	run->strategy = strategy;
	if (strategy == BIOSX_STRATEGY_VM86)
		biosx_vm86_tables(f);
	biosx_io_bitmaps(f, allow, run->flags);
	x.gprs = (struct biosx_gprs){ r.eax, r.ebx, r.ecx, r.edx, r.esi, r.edi, r.ebp };
	*(u32 *)page_address(f->vmxon) = c->basic & BIOSX_VMX_BASIC_REVISION_MASK;
	*(u32 *)page_address(f->vmcs) = c->basic & BIOSX_VMX_BASIC_REVISION_MASK;

	/* From here on this CPU only: no preemption, no migration, FPU state of
	 * the caller saved (the routine may use x87), interrupts off. */
	kernel_fpu_begin();
	local_irq_disable();
	if (cr4_read_shadow() & X86_CR4_VMXE) {
		local_irq_enable();
		kernel_fpu_end();
		pr_info_ratelimited("biosx: VMX is already in use on CPU %d (KVM?); not running\n",
				    smp_processor_id());
		return -EBUSY;
	}
	get_debugreg(hs.dr7, 7);
	/* Not every CPU model has IA32_DEBUGCTL (Bochs' Core 2 has not). */
	hs.has_debugctl = !rdmsrl_safe(MSR_IA32_DEBUGCTLMSR, &hs.debugctl);
	cr4_set_bits_irqsoff(X86_CR4_VMXE);
	err = -EIO;
	if (vmx_on(vmxon_pa))
		goto out_cr4;
	if (vmcs_clear(vmcs_pa) || vmcs_load(vmcs_pa))
		goto out_vmxoff;
	err = write_host_state(&hs);
	if (!err)
		err = write_controls(f, strategy, preemption_ticks(timeout_ms));
	if (!err)
		err = write_guest_state(f, &r, strategy, run->flags & BIOSX_RUN_TEST_BAD_ENTRY);
	if (!err) {
		x.deadline = ktime_add_ms(ktime_get(), timeout_ms);
		run_guest(&x);
		record_vmcs(f);
	}
	vmcs_clear(vmcs_pa);
out_vmxoff:
	vmx_off();
out_cr4:
	cr4_clear_bits_irqsoff(X86_CR4_VMXE);
	/* VM exit leaves TR's limit at 0x67 and DR7/DEBUGCTL cleared (SDM Vol.
	 * 3C §28.5.2, §28.3.1); DS/ES were null in the host fields. */
	invalidate_tss_limit();
	set_debugreg(hs.dr7, 7);
	if (hs.has_debugctl)
		wrmsrl(MSR_IA32_DEBUGCTLMSR, hs.debugctl);
	loadsegment(ds, hs.ds);
	loadsegment(es, hs.es);
	local_irq_enable();
	kernel_fpu_end();

	if (!err && f->record->valid)
		memcpy(f->record->raw, page_address(f->vmcs), sizeof(f->record->raw));
	biosx_stats.last_vmxon_pa = vmxon_pa;
	biosx_stats.last_vmcs_pa = vmcs_pa;
	atomic64_inc(&biosx_stats.runs);
	atomic64_add(run->exits, &biosx_stats.exits);
	return err;
}

/* The shared MSR table (src/core/x86/vmx_msrs.h) in its own order: entry i
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
			return (caps->present & BIT32(i)) ? caps->msr[i] : 0;
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
			caps->present |= BIT32(i);
}

int biosx_read_caps(struct biosx_caps *caps)
{
	if (caps->cpu >= nr_cpu_ids || !cpu_online(caps->cpu))
		return -EINVAL;
	memset(caps->msr, 0, sizeof(caps->msr));
	return smp_call_function_single(caps->cpu, read_caps_on_cpu, caps, 1);
}
