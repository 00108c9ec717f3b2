// SPDX-License-Identifier: GPL-2.0
/*
 * biosx_probe.c - what this CPU's VMX offers biosx, decided once at load:
 * whether VMX may be used at all, the controls biosx cannot run without,
 * EPT as biosx builds it, INVEPT, unrestricted guest, the preemption timer
 * and the EFER controls. Each decision is a named predicate over the
 * capability MSRs (SDM Vol. 3D Appendix A); biosx_run.c picks a run's
 * strategy from them, biosx_vmcs.c its controls.
 * Kernel: process context (module init); biosx_cap_allows() from anywhere.
 */
#include <linux/kernel.h>
#include <asm/cpufeature.h>
#include <asm/msr-index.h>

#include "biosx_priv.h"
#include "vmx_ops.h"

struct biosx_vmx_caps biosx_caps;

/* Whether the 1-setting of a control is allowed (SDM Vol. 3D §A.3-§A.5). */
static bool allowed1(u64 cap, u32 bit)
{
	return (cap >> 32) & bit;
}

/* Whether every control of WANT can be 1 in a word whose capability MSR
 * is CAP (allowed-0 settings never forbid a 1). */
static bool controls_allowed(u32 want, u64 cap)
{
	return (biosx_adjust_controls(want, cap) & want) == want;
}

static bool has_required_controls(const struct biosx_vmx_caps *c)
{
	return controls_allowed(BIOSX_PIN_REQUIRED, c->pin) &&
	       controls_allowed(BIOSX_PROC_REQUIRED, c->proc) &&
	       controls_allowed(BIOSX_EXIT_REQUIRED, c->exit) &&
	       controls_allowed(BIOSX_ENTRY_REQUIRED, c->entry);
}

static bool has_ept_cap(const struct biosx_vmx_caps *c, unsigned int bit)
{
	return (c->ept_vpid >> bit) & 1;
}

/* EPT as biosx builds it: 4-level walk and write-back structures. */
static bool has_ept(const struct biosx_vmx_caps *c)
{
	return c->has_proc2 && allowed1(c->proc2, BIOSX_PROC2_ENABLE_EPT) &&
	       has_ept_cap(c, BIOSX_EPTCAP_EPT_PAGE_WALK_4) && has_ept_cap(c, BIOSX_EPTCAP_EPT_MEMTYPE_WB);
}

/* The INVEPT type biosx flushes with (single-context where the CPU has
 * it, else all-context), or 0 when it has neither. Without INVEPT a freed
 * and reused EPT root could be walked through stale cached translations
 * (SDM Vol. 3C §29.4.3.1). */
static unsigned long ept_invept_type(const struct biosx_vmx_caps *c)
{
	if (!has_ept_cap(c, BIOSX_EPTCAP_INVEPT))
		return 0;
	if (has_ept_cap(c, BIOSX_EPTCAP_INVEPT_SINGLE_CONTEXT))
		return BIOSX_INVEPT_SINGLE;
	if (has_ept_cap(c, BIOSX_EPTCAP_INVEPT_ALL_CONTEXT))
		return BIOSX_INVEPT_ALL;
	return 0;
}

/* Real mode under "unrestricted guest" needs EPT (SDM Vol. 3C §26.2.1.1)
 * and, for biosx, an INVEPT type; lacking any of it, the vm86 strategy is
 * used. */
static bool has_unrestricted_guest(const struct biosx_vmx_caps *c)
{
	return c->ept && c->invept_type && allowed1(c->proc2, BIOSX_PROC2_UNRESTRICTED_GUEST);
}

/* The VMX-preemption timer ends each slice on the CPU's own clock (SDM
 * Vol. 3C §26.5.1); without it an hrtimer does (biosx_run.c). */
static bool has_preemption_timer(const struct biosx_vmx_caps *c)
{
	return allowed1(c->pin, BIOSX_PIN_VMX_PREEMPTION_TIMER);
}

/* The guest's IA32_EFER is 0 and the host's comes back on exit: by the
 * entry/exit controls where the CPU has them, else by the VM-entry and
 * VM-exit MSR-load lists (SDM Vol. 3C §27.4, §28.6), as KVM's
 * add_atomic_switch_msr() does. */
static bool has_load_efer(const struct biosx_vmx_caps *c)
{
	return allowed1(c->entry, BIOSX_ENTRYCTL_LOAD_IA32_EFER) && allowed1(c->exit, BIOSX_EXITCTL_LOAD_IA32_EFER);
}

int biosx_vmx_probe(void)
{
	struct biosx_vmx_caps *c = &biosx_caps;
	struct biosx_caps raw = {};
	bool truectl, ok;
	u64 fc = 0;

	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		pr_info("biosx: this CPU has no VMX (or firmware disabled it in IA32_FEATURE_CONTROL)\n");
		return -ENODEV;
	}
	/* Every capability MSR this CPU has, by the SDM's existence rules. */
	biosx_read_caps_local(&raw);
	/* SDM Vol. 3C §24.7: VMXON outside SMX needs FEATURE_CONTROL locked
	 * with bit 2 set; Linux itself locks it at boot (feat_ctl.c). Each
	 * run checks again on the CPU it runs on (biosx_host_vmxon()). */
	if (!biosx_caps_msr(&raw, BIOSX_MSR_IA32_FEATURE_CONTROL, &fc) || !(fc & FEAT_CTL_LOCKED) ||
	    !(fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_info("biosx: VMX is locked off in IA32_FEATURE_CONTROL (0x%llx)\n", fc);
		return -ENODEV;
	}
	ok = biosx_caps_msr(&raw, BIOSX_MSR_IA32_VMX_BASIC, &c->basic);
	truectl = c->basic & BIOSX_VMX_BASIC_TRUE_CTLS;
	/* With BASIC[55] the TRUE MSRs say which default-1 controls may be 0
	 * (SDM Vol. 3D §A.2); biosx asks for every control it relies on by
	 * name, so a default-1 control the TRUE masks let go is never lost. */
	ok = ok && biosx_caps_msr(&raw, truectl ? BIOSX_MSR_IA32_VMX_TRUE_PINBASED_CTLS
						 : BIOSX_MSR_IA32_VMX_PINBASED_CTLS, &c->pin);
	ok = ok && biosx_caps_msr(&raw, truectl ? BIOSX_MSR_IA32_VMX_TRUE_PROCBASED_CTLS
						 : BIOSX_MSR_IA32_VMX_PROCBASED_CTLS, &c->proc);
	ok = ok && biosx_caps_msr(&raw, truectl ? BIOSX_MSR_IA32_VMX_TRUE_EXIT_CTLS
						 : BIOSX_MSR_IA32_VMX_EXIT_CTLS, &c->exit);
	ok = ok && biosx_caps_msr(&raw, truectl ? BIOSX_MSR_IA32_VMX_TRUE_ENTRY_CTLS
						 : BIOSX_MSR_IA32_VMX_ENTRY_CTLS, &c->entry);
	ok = ok && biosx_caps_msr(&raw, BIOSX_MSR_IA32_VMX_MISC, &c->misc);
	ok = ok && biosx_caps_msr(&raw, BIOSX_MSR_IA32_VMX_CR0_FIXED0, &c->cr0_fixed0);
	ok = ok && biosx_caps_msr(&raw, BIOSX_MSR_IA32_VMX_CR0_FIXED1, &c->cr0_fixed1);
	ok = ok && biosx_caps_msr(&raw, BIOSX_MSR_IA32_VMX_CR4_FIXED0, &c->cr4_fixed0);
	ok = ok && biosx_caps_msr(&raw, BIOSX_MSR_IA32_VMX_CR4_FIXED1, &c->cr4_fixed1);
	ok = ok && biosx_caps_msr(&raw, BIOSX_MSR_IA32_VMX_VMCS_ENUM, &c->vmcs_enum);
	if (!ok) {
		pr_info("biosx: a VMX capability MSR the SDM says this CPU has could not be read\n");
		return -ENODEV;
	}
	/* The MSRs that exist only with some capability: absent ones read 0,
	 * and a 0 allows nothing. */
	c->has_proc2 = biosx_caps_msr(&raw, BIOSX_MSR_IA32_VMX_PROCBASED_CTLS2, &c->proc2);
	biosx_caps_msr(&raw, BIOSX_MSR_IA32_VMX_EPT_VPID_CAP, &c->ept_vpid);
	biosx_caps_msr(&raw, BIOSX_MSR_IA32_VMX_VMFUNC, &c->vmfunc);
	biosx_caps_msr(&raw, BIOSX_MSR_IA32_VMX_PROCBASED_CTLS3, &c->proc3);
	biosx_caps_msr(&raw, BIOSX_MSR_IA32_VMX_EXIT_CTLS2, &c->exit2);

	if (!has_required_controls(c)) {
		pr_info("biosx: this CPU lacks a VMX control biosx needs (HLT, I/O bitmap, MOV-DR, interrupt or debug-control exiting)\n");
		return -ENODEV;
	}
	c->ept = has_ept(c);
	c->invept_type = ept_invept_type(c);
	if (c->ept && !c->invept_type)
		pr_info("biosx: EPT without a usable INVEPT type; using the virtual-8086 strategy\n");
	c->unrestricted = has_unrestricted_guest(c);
	c->preemption_timer = has_preemption_timer(c);
	c->load_efer = has_load_efer(c);
	pr_info("biosx: VMX revision %llu, strategy %s, preemption timer %s\n",
		c->basic & BIOSX_VMX_BASIC_REVISION_MASK,
		c->unrestricted ? "unrestricted guest" : "virtual-8086", c->preemption_timer ? "yes" : "no");
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
