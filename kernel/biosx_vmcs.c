// SPDX-License-Identifier: GPL-2.0
/*
 * biosx_vmcs.c - the VMCS of a run as biosx writes it: the VM-execution,
 * VM-exit and VM-entry controls (each word within the allowed-0/allowed-1
 * masks of its capability MSR), the guest state of each strategy (real
 * mode under unrestricted guest, or virtual-8086 mode under a paged
 * protected-mode guest), the EFER MSR-load lists, and the guest registers
 * read back at the end. The host-state area is biosx_host.c's.
 * Kernel: VMX root with the run's VMCS current, preemption and interrupts off.
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "biosx_priv.h"
#include "vmx_ops.h"

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

/* The guest-state area for STRATEGY, from the registers the run starts
 * with (SDM Vol. 3C §25.4, checked on entry by §27.3.1). */
int biosx_vmcs_write_guest(struct biosx_file *f, const struct biosx_regs *r, int strategy, bool bad_entry)
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

/* The VM-execution, VM-exit and VM-entry control fields (SDM Vol. 3C
 * §25.6-§25.8), each word within what its capability MSR allows. */
int biosx_vmcs_write_controls(struct biosx_file *f, int strategy)
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

	e |= vmcs_write(BIOSX_VMCS_PIN_BASED_VM_EXEC_CONTROL, biosx_adjust_controls(pin, c->pin));
	e |= vmcs_write(BIOSX_VMCS_CPU_BASED_VM_EXEC_CONTROL, biosx_adjust_controls(proc, c->proc));
	if (c->has_proc2)
		e |= vmcs_write(BIOSX_VMCS_SECONDARY_VM_EXEC_CONTROL, biosx_adjust_controls(proc2, c->proc2));
	e |= vmcs_write(BIOSX_VMCS_VM_EXIT_CONTROLS, biosx_adjust_controls(exit, c->exit));
	e |= vmcs_write(BIOSX_VMCS_VM_ENTRY_CONTROLS, biosx_adjust_controls(entry, c->entry));
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
		l[1] = (struct biosx_msr_load){ MSR_EFER, 0, 0 }; /* host value: biosx_msr_load_host_efer() */
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

/* The host's EFER for the VM-exit MSR-load list, on CPUs without the
 * load-EFER controls: written before each slice's entry, on the CPU that
 * runs it. */
void biosx_msr_load_host_efer(struct biosx_file *f, u64 efer)
{
	((struct biosx_msr_load *)page_address(f->msr_area))[1].value = efer;
}

/* The registers handed back at the end of a run: the GPRs the VMCS does
 * not hold from GPRS, the rest from the guest-state area. */
void biosx_vmcs_read_guest(struct biosx_regs *r, const struct biosx_gprs *gprs, int strategy)
{
	r->eax = gprs->rax;
	r->ebx = gprs->rbx;
	r->ecx = gprs->rcx;
	r->edx = gprs->rdx;
	r->esi = gprs->rsi;
	r->edi = gprs->rdi;
	r->ebp = gprs->rbp;
	r->esp = vmcs_read(BIOSX_VMCS_GUEST_RSP);
	r->eip = vmcs_read(BIOSX_VMCS_GUEST_RIP);
	/* VM, IOPL and the real IF are the vm86 scaffolding; the routine's
	 * IF is VIF there. */
	r->eflags = routine_eflags(vmcs_read(BIOSX_VMCS_GUEST_RFLAGS), strategy == BIOSX_STRATEGY_VM86);
	r->cs = vmcs_read(BIOSX_VMCS_GUEST_CS_SELECTOR);
	r->ds = vmcs_read(BIOSX_VMCS_GUEST_DS_SELECTOR);
	r->es = vmcs_read(BIOSX_VMCS_GUEST_ES_SELECTOR);
	r->fs = vmcs_read(BIOSX_VMCS_GUEST_FS_SELECTOR);
	r->gs = vmcs_read(BIOSX_VMCS_GUEST_GS_SELECTOR);
	r->ss = vmcs_read(BIOSX_VMCS_GUEST_SS_SELECTOR);
}
