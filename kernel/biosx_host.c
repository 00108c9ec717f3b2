// SPDX-License-Identifier: GPL-2.0
/*
 * biosx_host.c - the host's side of VMX operation: entering and leaving it
 * on this CPU, the host-state area of the VMCS, and the host state a VM exit
 * does not give back by itself (descriptor tables, LDT, data segments,
 * debug registers, IA32_DEBUGCTL, Intel PT). Each step does what KVM's
 * arch/x86/kvm/vmx/ does for the same situation, or says why not.
 * Kernel, VMX root operation, preemption and interrupts off.
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/perf_event.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "biosx_priv.h"
#include "vmx_ops.h"

/* Which CPUs biosx holds in VMX operation right now, for the emergency
 * callback (biosx_main.c) that must leave it at crash or reboot time. */
DEFINE_PER_CPU(bool, biosx_in_vmx);

/* The TSS this CPU's TR points at: the base spread over its GDT descriptor
 * (SDM Vol. 3A §8.2.3, 16-byte system descriptor in IA-32e mode). */
static u64 tr_base(const struct desc_ptr *gdt, u16 tr)
{
	const struct ldttss_desc *d = (const struct ldttss_desc *)(gdt->address + (tr & ~7));

	return d->base0 | ((u64)d->base1 << 16) | ((u64)d->base2 << 24) | ((u64)d->base3 << 32);
}

/*
 * Enter VMX operation on this CPU. The checks are the ones KVM's
 * vmx_hardware_enable() makes: CR4.VMXE already set means another
 * hypervisor (KVM) owns VMX here; X86_FEATURE_VMX is cleared per CPU by
 * the kernel when IA32_FEATURE_CONTROL does not allow VMXON outside SMX on
 * that CPU (arch/x86/kernel/cpu/feat_ctl.c, SDM Vol. 3C §24.7). VMXON
 * itself may still fault (#GP on a firmware that changed its mind, #UD):
 * the exception table turns that into -EIO instead of an oops.
 */
int biosx_host_vmxon(struct biosx_host *h, u64 vmxon_pa)
{
	lockdep_assert_irqs_disabled();
	if (cr4_read_shadow() & X86_CR4_VMXE)
		return -EBUSY;
	if (!this_cpu_has(X86_FEATURE_VMX))
		return -ENODEV;
	/* Intel PT: where IA32_VMX_MISC[14] is 0, VMXON clears
	 * IA32_RTIT_CTL.TraceEn and tracing is unusable in VMX operation
	 * (SDM Vol. 3C, Intel Processor Trace chapter, "VMX Support"); the
	 * PT driver is told around VMX operation, as KVM does. */
	intel_pt_handle_vmx(1);
	cr4_set_bits_irqsoff(X86_CR4_VMXE);
	if (vmx_on(vmxon_pa)) {
		cr4_clear_bits_irqsoff(X86_CR4_VMXE);
		intel_pt_handle_vmx(0);
		return -EIO;
	}
	this_cpu_write(biosx_in_vmx, true);

	/* What the VM exit will not restore: LDTR (loaded null), DS/ES
	 * (the host fields hold null for a user selector), FS/GS selectors
	 * with TI or RPL set, IA32_DEBUGCTL (cleared). SDM Vol. 3C §28.5.1,
	 * §28.5.2. */
	store_ldt(h->ldt);
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	store_idt(&h->idt);
	h->has_debugctl = !rdmsrl_safe(MSR_IA32_DEBUGCTLMSR, &h->debugctl);
	/* The user GS base: load_gs_index() below overwrites it. */
	if (h->ldt || (h->gs & 7))
		rdmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	rdmsrl(MSR_EFER, h->efer);
	h->cr3 = h->cr4 = 0;
	return 0;
}

/*
 * Leave VMX operation and put back what the VM exits took, in KVM's order
 * (vmx_prepare_switch_to_host()): LDT before the selectors that may point
 * into it, GS through load_gs_index() with the user GS base saved around
 * it, the TSS limit (VM exit sets it to 0x67, SDM Vol. 3C §28.5.2), and the
 * GDT limit (set to 0xFFFF by every VM exit: left so, any process on this
 * CPU could load selectors beyond the GDT - into the read-only fixmap
 * pages after it - so load_fixmap_gdt() reloads the real limit). The IDT
 * limit is likewise 0xFFFF after an exit; the saved IDTR is loaded again
 * so that no vector beyond 255 can ever be described.
 */
void biosx_host_vmxoff(struct biosx_host *h)
{
	vmx_off();
	this_cpu_write(biosx_in_vmx, false);
	cr4_clear_bits_irqsoff(X86_CR4_VMXE);
	intel_pt_handle_vmx(0);

	if (h->ldt || (h->gs & 7)) {
		asm volatile("lldt %0" : : "rm"(h->ldt));
		load_gs_index(h->gs);
		wrmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	}
	if (h->fs & 7)
		loadsegment(fs, h->fs);
	if (h->ds | h->es) {
		loadsegment(ds, h->ds);
		loadsegment(es, h->es);
	}
	invalidate_tss_limit();
	load_fixmap_gdt(raw_smp_processor_id());
	load_idt(&h->idt);
	biosx_host_after_exit(h);
}

/* SDM Vol. 3C §25.5 host-state area, §27.2.3 checks on it. Written once per
 * slice: the slice may run on another CPU than the previous one. */
int biosx_host_write_vmcs(struct biosx_host *h)
{
	struct desc_ptr gdt;
	u16 cs, ss, tr;
	u64 v;
	int e = 0;

	savesegment(cs, cs);
	savesegment(ss, ss);
	store_tr(tr);
	native_store_gdt(&gdt);
	/* Host selectors must have RPL 0 and TI 0 (§27.2.3); a user selector
	 * is written as null and reloaded by biosx_host_vmxoff(), as KVM's
	 * vmx_prepare_switch_to_guest() does. */
	e |= vmcs_write(BIOSX_VMCS_HOST_CS_SELECTOR, cs & ~7);
	e |= vmcs_write(BIOSX_VMCS_HOST_SS_SELECTOR, ss & ~7);
	e |= vmcs_write(BIOSX_VMCS_HOST_DS_SELECTOR, 0);
	e |= vmcs_write(BIOSX_VMCS_HOST_ES_SELECTOR, 0);
	e |= vmcs_write(BIOSX_VMCS_HOST_FS_SELECTOR, (h->fs & 7) ? 0 : h->fs);
	e |= vmcs_write(BIOSX_VMCS_HOST_GS_SELECTOR, (h->gs & 7) ? 0 : h->gs);
	e |= vmcs_write(BIOSX_VMCS_HOST_TR_SELECTOR, tr);
	e |= vmcs_write(BIOSX_VMCS_HOST_CR0, read_cr0());
	rdmsrl(MSR_FS_BASE, v);
	e |= vmcs_write(BIOSX_VMCS_HOST_FS_BASE, v);
	rdmsrl(MSR_GS_BASE, v);
	e |= vmcs_write(BIOSX_VMCS_HOST_GS_BASE, v);
	e |= vmcs_write(BIOSX_VMCS_HOST_TR_BASE, tr_base(&gdt, tr));
	e |= vmcs_write(BIOSX_VMCS_HOST_GDTR_BASE, gdt.address);
	e |= vmcs_write(BIOSX_VMCS_HOST_IDTR_BASE, h->idt.address);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	e |= vmcs_write(BIOSX_VMCS_HOST_IA32_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	e |= vmcs_write(BIOSX_VMCS_HOST_IA32_SYSENTER_ESP, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	e |= vmcs_write(BIOSX_VMCS_HOST_IA32_SYSENTER_EIP, v);
	if (biosx_caps.load_efer)
		e |= vmcs_write(BIOSX_VMCS_HOST_IA32_EFER, h->efer);
	return e ? -EIO : 0;
}

/*
 * Right before each VM entry, with interrupts off until the exit: CR3 and
 * CR4 as they are now (an interrupt let in after the last exit may have
 * switched CR3 - a TLB-flush IPI leaving lazy mode - or toggled CR4 bits
 * such as PCE: KVM's vmx_vcpu_run() refreshes both for the same reason),
 * and the IA32_DEBUGCTL value to restore after the exit, read now so that
 * a change made meanwhile (perf, ptrace) is not undone.
 */
void biosx_host_before_entry(struct biosx_host *h)
{
	unsigned long cr3 = __read_cr3(), cr4 = cr4_read_shadow();

	if (cr3 != h->cr3) {
		vmcs_write(BIOSX_VMCS_HOST_CR3, cr3);
		h->cr3 = cr3;
	}
	if (cr4 != h->cr4) {
		vmcs_write(BIOSX_VMCS_HOST_CR4, cr4);
		h->cr4 = cr4;
	}
	if (h->has_debugctl)
		rdmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
}

/*
 * Right after each VM exit, before interrupts are let in: every exit loads
 * DR7 with 0x400 and clears IA32_DEBUGCTL (SDM Vol. 3C §28.5.1). The guest
 * cannot reach DR0-DR3/DR6 (MOV-DR exits), so the host's breakpoints are
 * reinstated from the kernel's own per-CPU copy with hw_breakpoint_restore()
 * when any is active, as KVM's vcpu_enter_guest() does, and DEBUGCTL from
 * the value read before the entry (KVM: vmx_vcpu_run()).
 */
void biosx_host_after_exit(struct biosx_host *h)
{
	if (h->has_debugctl && h->debugctl)
		wrmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
}

/*
 * The emergency path (crash kexec, emergency reboot) runs this on every CPU
 * from an NMI: a CPU left in VMX root operation blocks INIT, and the next
 * kernel could not start it (SDM Vol. 3C §24.8 "Restrictions on VMX
 * operation"). Only CPUs biosx itself put in VMX operation are touched.
 */
void biosx_host_emergency_vmxoff(void)
{
	if (!this_cpu_read(biosx_in_vmx))
		return;
	vmx_off();
	this_cpu_write(biosx_in_vmx, false);
	cr4_clear_bits(X86_CR4_VMXE);
}
