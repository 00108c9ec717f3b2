// SPDX-License-Identifier: GPL-2.0
/*
 * biosx_probe.c - what this CPU's VMX offers biosx, decided once at load by
 * the verdict of shared/x86/vmx_verdict.h (the predicates `biosx caps`
 * shows too): whether VMX may be used at all, which strategy runs by
 * default and which may be forced, the INVEPT type, the preemption timer
 * and the EFER controls. biosx_run.c picks a run's strategy from them,
 * biosx_vmcs.c its controls.
 * Kernel: process context (module init); biosx_cap_allows() from anywhere.
 */
#include <linux/kernel.h>
#include <asm/cpufeature.h>

#include "biosx_priv.h"
#include "vmx_ops.h"

struct biosx_vmx_caps biosx_caps;

static_assert(sizeof(((struct biosx_vmx_values *)0)->msr) == sizeof(((struct biosx_caps *)0)->msr),
	      "struct biosx_caps.msr[] and struct biosx_vmx_values.msr[] are both BIOSX_VMX_MSRS in table order");
static_assert(BIOSX_VMX_STRATEGY_UNRESTRICTED == BIOSX_STRATEGY_UNRESTRICTED &&
	      BIOSX_VMX_STRATEGY_VM86 == BIOSX_STRATEGY_VM86, "the verdict's strategies are the ABI's");

/* The value of the MSR in table slot SLOT, known (the verdict said YES for
 * every MSR it needs) or 0. */
static u64 slot_value(const struct biosx_vmx_values *v, unsigned int slot)
{
	return (v->known & BIT(slot)) ? v->msr[slot] : 0;
}

int biosx_vmx_probe(void)
{
	struct biosx_vmx_caps *c = &biosx_caps;
	struct biosx_caps raw = {};
	struct biosx_vmx_values v = {};
	struct biosx_vmx_verdict verdict;

	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		pr_info("biosx: this CPU has no VMX (or firmware disabled it in IA32_FEATURE_CONTROL)\n");
		return -ENODEV;
	}
	/* Every capability MSR this CPU has, by the SDM's existence rules;
	 * one that exists but could not be read stays unknown. */
	biosx_read_caps_local(&raw);
	v.cpuid1_ecx = raw.cpuid1_ecx;
	memcpy(v.msr, raw.msr, sizeof(v.msr));
	biosx_vmx_values_settle(&v, raw.present);

	biosx_vmx_judge(&v, &verdict);
	if (verdict.verdict != BIOSX_VERDICT_UNRESTRICTED && verdict.verdict != BIOSX_VERDICT_VM86) {
		/* An unknown answer here means an MSR the SDM says exists could
		 * not be read: the module cannot run on a guess. Each run checks
		 * IA32_FEATURE_CONTROL again on its own CPU (biosx_host_vmxon()). */
		if (verdict.unrestricted_why == verdict.vm86_why)
			pr_info("biosx: VMX cannot be used: %s\n", verdict.vm86_why);
		else
			pr_info("biosx: no strategy can run: unrestricted guest: %s; virtual-8086: %s\n",
				verdict.unrestricted_why, verdict.vm86_why);
		return -ENODEV;
	}
	c->unrestricted = verdict.unrestricted == BIOSX_VMX_YES;
	c->vm86 = verdict.vm86 == BIOSX_VMX_YES;

	/* The words biosx writes: each control word's TRUE MSR where BASIC[55]
	 * says it exists (it also frees default1 controls, SDM Vol. 3D §A.2). */
	c->basic = slot_value(&v, BIOSX_VMX_MSR_SLOT_IA32_VMX_BASIC);
	c->pin = slot_value(&v, biosx_vmx_control_slot(&v, BIOSX_VMX_MSR_SLOT_IA32_VMX_PINBASED_CTLS));
	c->proc = slot_value(&v, biosx_vmx_control_slot(&v, BIOSX_VMX_MSR_SLOT_IA32_VMX_PROCBASED_CTLS));
	c->exit = slot_value(&v, biosx_vmx_control_slot(&v, BIOSX_VMX_MSR_SLOT_IA32_VMX_EXIT_CTLS));
	c->entry = slot_value(&v, biosx_vmx_control_slot(&v, BIOSX_VMX_MSR_SLOT_IA32_VMX_ENTRY_CTLS));
	c->misc = slot_value(&v, BIOSX_VMX_MSR_SLOT_IA32_VMX_MISC);
	c->cr0_fixed0 = slot_value(&v, BIOSX_VMX_MSR_SLOT_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = slot_value(&v, BIOSX_VMX_MSR_SLOT_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = slot_value(&v, BIOSX_VMX_MSR_SLOT_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = slot_value(&v, BIOSX_VMX_MSR_SLOT_IA32_VMX_CR4_FIXED1);
	c->vmcs_enum = slot_value(&v, BIOSX_VMX_MSR_SLOT_IA32_VMX_VMCS_ENUM);
	/* The MSRs that exist only with some capability: an absent one is 0,
	 * and a 0 allows nothing. */
	c->has_proc2 = raw.present & BIT(BIOSX_VMX_MSR_SLOT_IA32_VMX_PROCBASED_CTLS2);
	c->proc2 = slot_value(&v, BIOSX_VMX_MSR_SLOT_IA32_VMX_PROCBASED_CTLS2);
	c->ept_vpid = slot_value(&v, BIOSX_VMX_MSR_SLOT_IA32_VMX_EPT_VPID_CAP);
	c->vmfunc = slot_value(&v, BIOSX_VMX_MSR_SLOT_IA32_VMX_VMFUNC);
	c->proc3 = slot_value(&v, BIOSX_VMX_MSR_SLOT_IA32_VMX_PROCBASED_CTLS3);
	c->exit2 = slot_value(&v, BIOSX_VMX_MSR_SLOT_IA32_VMX_EXIT_CTLS2);

	c->invept_type = biosx_vmx_invept_type(&v);
	c->preemption_timer = biosx_vmx_has_preemption_timer(&v) == BIOSX_VMX_YES;
	c->load_efer = biosx_vmx_has_load_efer(&v) == BIOSX_VMX_YES;
	/* One line; the strategy that cannot run (at most one here) ends it
	 * with the first reason, the one `biosx caps` lists first. */
	pr_info("biosx: VMX revision %llu, strategy %s, preemption timer %s%s%s\n",
		c->basic & BIOSX_VMX_BASIC_REVISION_MASK,
		c->unrestricted ? "unrestricted guest" : "virtual-8086", c->preemption_timer ? "yes" : "no",
		!c->unrestricted ? "; no unrestricted guest: " : !c->vm86 ? "; no virtual-8086: " : "",
		!c->unrestricted ? verdict.unrestricted_why : !c->vm86 ? verdict.vm86_why : "");
	return 0;
}

/* Whether the 1-setting of bit BIT of capability CAP is allowed: the
 * BIOSX_CAP_* classes of vmcs_fields.h over the MSRs read at load. */
bool biosx_cap_allows(unsigned int cap, unsigned int bit)
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
