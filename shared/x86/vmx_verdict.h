/* vmx_verdict.h - which of biosx's two strategies a CPU can run (unrestricted
 * guest, virtual-8086, or neither), decided once from its VMX capability MSRs
 * by named predicates that also give the reason for a "no". Pure C, no OS:
 * the module's probe acts on it (kernel/biosx_probe.c) and `biosx caps` shows
 * it (src/core/caps/caps_decode.cpp), so the two cannot disagree.
 *
 * A question can also be undecidable: a saved caps file may lack a value, a
 * read may have failed. Every predicate answers BIOSX_VMX_YES, BIOSX_VMX_NO
 * or BIOSX_VMX_UNKNOWN, and for anything but YES sets *why to one sentence.
 */
#ifndef BIOSX_X86_VMX_VERDICT_H
#define BIOSX_X86_VMX_VERDICT_H

#include "vmx_msrs.h"

#define BIOSX_VMX_NO 0
#define BIOSX_VMX_YES 1
#define BIOSX_VMX_UNKNOWN 2

/* What biosx cannot run without, whatever the strategy: HLT exiting (the
 * trap stub), I/O bitmaps, MOV-DR exiting (the host's debug registers),
 * external-interrupt and NMI exiting (the host keeps its interrupts),
 * host address-space size, and the debug-control load/save pair (the
 * guest's DR7/DEBUGCTL are never the host's). */
#define BIOSX_PIN_REQUIRED (BIOSX_PIN_EXT_INTR_EXITING | BIOSX_PIN_NMI_EXITING)
#define BIOSX_PROC_REQUIRED (BIOSX_PROC_HLT_EXITING | BIOSX_PROC_USE_IO_BITMAPS | BIOSX_PROC_MOV_DR_EXITING)
#define BIOSX_EXIT_REQUIRED (BIOSX_EXITCTL_HOST_ADDR_SPACE_SIZE | BIOSX_EXITCTL_SAVE_DEBUG_CONTROLS)
#define BIOSX_ENTRY_REQUIRED BIOSX_ENTRYCTL_LOAD_DEBUG_CONTROLS

/* The INVEPT types biosx flushes with (SDM Vol. 3C §31.3, INVEPT). */
#define BIOSX_INVEPT_SINGLE 1u /* the mappings of one EPTP */
#define BIOSX_INVEPT_ALL 2u

/* What is known of one CPU's capability MSRs: msr[i] is entry i of
 * BIOSX_VMX_MSRS (the layout of struct biosx_caps in uapi/biosx.h), and bit
 * i of KNOWN says that it is known. An MSR the SDM says does not exist is
 * known to be 0: it allows nothing. */
struct biosx_vmx_values {
	unsigned int cpuid1_ecx;
	unsigned int known;
	unsigned long long msr[BIOSX_VMX_MSR_COUNT];
};

/* Settles KNOWN from what was read: bit i of PRESENT says msr[i] holds a
 * value read (or recorded). An MSR not read is known to be 0 when the
 * existence rules of vmx_msrs.h say it does not exist, and unknown when they
 * say it does (the read failed, or a saved file lacks it) or cannot tell. A
 * value recorded for an MSR that does not exist is dropped. */
static inline void biosx_vmx_values_settle(struct biosx_vmx_values *v, unsigned int present)
{
	static const unsigned int index[] = {
#define BIOSX_INDEX_(name, idx, rule) idx,
		BIOSX_VMX_MSRS(BIOSX_INDEX_)
#undef BIOSX_INDEX_
	};
	static const unsigned char rule[] = {
#define BIOSX_RULE_(name, idx, r) r,
		BIOSX_VMX_MSRS(BIOSX_RULE_)
#undef BIOSX_RULE_
	};
	struct biosx_vmx_msr_facts facts = { v->cpuid1_ecx, 0, 0, 0, 0, 0 };
	unsigned int i;

	v->known = 0;
	/* In table order: each rule reads only MSRs earlier in the table. */
	for (i = 0; i < BIOSX_VMX_MSR_COUNT; i++) {
		const int exists = biosx_vmx_msr_exists(rule[i], &facts);

		if (exists == BIOSX_MSR_EXISTS_NO)
			v->msr[i] = 0;
		else if (!(present & (1u << i)))
			continue;
		v->known |= 1u << i;
		biosx_vmx_msr_fact(&facts, index[i], v->msr[i]);
	}
}

/* "IA32_VMX_... is not known", for the MSR in table slot SLOT. */
static inline const char *biosx_vmx_unknown_text(unsigned int slot)
{
	switch (slot) {
#define BIOSX_UNKNOWN_(name, idx, rule) \
	case BIOSX_VMX_MSR_SLOT_##name: \
		return #name " is not known (it could not be read, or the saved file lacks it)";
		BIOSX_VMX_MSRS(BIOSX_UNKNOWN_)
#undef BIOSX_UNKNOWN_
	}
	return "a VMX capability MSR is not known";
}

/* The value of the MSR in SLOT: YES with *value, or UNKNOWN with *why. */
static inline int biosx_vmx_value(const struct biosx_vmx_values *v, unsigned int slot,
				  unsigned long long *value, const char **why)
{
	if (!(v->known & (1u << slot))) {
		*why = biosx_vmx_unknown_text(slot);
		return BIOSX_VMX_UNKNOWN;
	}
	*value = v->msr[slot];
	return BIOSX_VMX_YES;
}

/* The slot whose value says what the control word of SLOT (one of the four
 * plain control MSRs) may be: its TRUE MSR when IA32_VMX_BASIC[55] is 1,
 * since that one also says which default1 controls may be 0 (SDM Vol. 3D
 * §A.2). The allowed-1 settings are the same in both. */
static inline unsigned int biosx_vmx_control_slot(const struct biosx_vmx_values *v, unsigned int slot)
{
	if (!(v->known & (1u << BIOSX_VMX_MSR_SLOT_IA32_VMX_BASIC)) ||
	    !(v->msr[BIOSX_VMX_MSR_SLOT_IA32_VMX_BASIC] & BIOSX_VMX_BASIC_TRUE_CTLS))
		return slot;
	switch (slot) {
	case BIOSX_VMX_MSR_SLOT_IA32_VMX_PINBASED_CTLS:
		return BIOSX_VMX_MSR_SLOT_IA32_VMX_TRUE_PINBASED_CTLS;
	case BIOSX_VMX_MSR_SLOT_IA32_VMX_PROCBASED_CTLS:
		return BIOSX_VMX_MSR_SLOT_IA32_VMX_TRUE_PROCBASED_CTLS;
	case BIOSX_VMX_MSR_SLOT_IA32_VMX_EXIT_CTLS:
		return BIOSX_VMX_MSR_SLOT_IA32_VMX_TRUE_EXIT_CTLS;
	case BIOSX_VMX_MSR_SLOT_IA32_VMX_ENTRY_CTLS:
		return BIOSX_VMX_MSR_SLOT_IA32_VMX_TRUE_ENTRY_CTLS;
	}
	return slot;
}

/* The allowed-1 settings of a 32-bit control word: bits 63:32 of its
 * capability MSR (SDM Vol. 3D §A.3.1). */
static inline int biosx_vmx_allowed1(const struct biosx_vmx_values *v, unsigned int slot, unsigned int *allowed1,
				     const char **why)
{
	unsigned long long cap = 0;
	const int a = biosx_vmx_value(v, biosx_vmx_control_slot(v, slot), &cap, why);

	*allowed1 = (unsigned int)(cap >> 32);
	return a;
}

/* "\"<the SDM's name>\" cannot be 1" for the lowest control of MISSING,
 * named by the tables of vmx_msrs.h. */
#define BIOSX_CANNOT_BE_1_(name, bit, what) \
	case bit: \
		return "\"" what "\" cannot be 1";
static inline const char *biosx_vmx_cannot_be_1(unsigned int slot, unsigned int missing)
{
	unsigned int bit = 0;

	while (bit < 31 && !(missing & (1u << bit)))
		bit++;
	switch (slot) {
	case BIOSX_VMX_MSR_SLOT_IA32_VMX_PINBASED_CTLS:
		switch (bit) { BIOSX_PIN_BASED_CONTROLS(BIOSX_CANNOT_BE_1_) }
		break;
	case BIOSX_VMX_MSR_SLOT_IA32_VMX_PROCBASED_CTLS:
		switch (bit) { BIOSX_CPU_BASED_CONTROLS(BIOSX_CANNOT_BE_1_) }
		break;
	case BIOSX_VMX_MSR_SLOT_IA32_VMX_PROCBASED_CTLS2:
		switch (bit) { BIOSX_SECONDARY_EXEC_CONTROLS(BIOSX_CANNOT_BE_1_) }
		break;
	case BIOSX_VMX_MSR_SLOT_IA32_VMX_EXIT_CTLS:
		switch (bit) { BIOSX_VM_EXIT_CONTROLS(BIOSX_CANNOT_BE_1_) }
		break;
	case BIOSX_VMX_MSR_SLOT_IA32_VMX_ENTRY_CTLS:
		switch (bit) { BIOSX_VM_ENTRY_CONTROLS(BIOSX_CANNOT_BE_1_) }
		break;
	}
	return "a VMX control biosx needs cannot be 1";
}
#undef BIOSX_CANNOT_BE_1_

/* Whether every control of WANT may be 1 in the word of SLOT. */
static inline int biosx_vmx_allows(const struct biosx_vmx_values *v, unsigned int slot, unsigned int want,
				   const char **why)
{
	unsigned int allowed1;
	const int a = biosx_vmx_allowed1(v, slot, &allowed1, why);

	if (a != BIOSX_VMX_YES)
		return a;
	if ((allowed1 & want) != want) {
		*why = biosx_vmx_cannot_be_1(slot, want & ~allowed1);
		return BIOSX_VMX_NO;
	}
	return BIOSX_VMX_YES;
}

/* "IA32_VMX_EPT_VPID_CAP lacks \"<capability>\"", named by the table. */
static inline const char *biosx_vmx_ept_lacks(unsigned int bit)
{
	switch (bit) {
#define BIOSX_EPT_LACKS_(name, b, what) \
	case b: \
		return "IA32_VMX_EPT_VPID_CAP lacks \"" what "\"";
		BIOSX_EPT_VPID_CAP_BITS(BIOSX_EPT_LACKS_)
#undef BIOSX_EPT_LACKS_
	}
	return "IA32_VMX_EPT_VPID_CAP lacks a capability biosx needs";
}

/* ---- The conditions, one named predicate each ---------------------------- */

/* VMXON outside SMX needs CPUID.1:ECX.VMX and IA32_FEATURE_CONTROL locked
 * with "enable VMX outside SMX" set; otherwise it raises #GP (SDM Vol. 3C
 * §24.7). Linux locks the MSR at boot (arch/x86/kernel/cpu/feat_ctl.c), so
 * an unlocked one is not biosx's to change. */
static inline int biosx_vmx_enabled(const struct biosx_vmx_values *v, const char **why)
{
	unsigned long long fc = 0;
	int a;

	if (!(v->cpuid1_ecx & BIOSX_CPUID1_ECX_VMX)) {
		*why = "the CPU has no VMX (CPUID.1:ECX.VMX = 0)";
		return BIOSX_VMX_NO;
	}
	a = biosx_vmx_value(v, BIOSX_VMX_MSR_SLOT_IA32_FEATURE_CONTROL, &fc, why);
	if (a != BIOSX_VMX_YES)
		return a;
	if (!(fc & BIOSX_FEATCTL_LOCKED)) {
		*why = "IA32_FEATURE_CONTROL is not locked: VMXON would fault (Linux locks it at boot)";
		return BIOSX_VMX_NO;
	}
	if (!(fc & BIOSX_FEATCTL_VMX_OUTSIDE_SMX)) {
		*why = "IA32_FEATURE_CONTROL is locked with VMX outside SMX disabled (enable VT-x in the firmware setup)";
		return BIOSX_VMX_NO;
	}
	return BIOSX_VMX_YES;
}

/* Every MSR that exists wherever VMX does (SDM Vol. 3D §A.1-§A.9: BASIC,
 * the control MSRs and, with BASIC[55], their TRUE forms, MISC, the CR0/CR4
 * FIXED MSRs, VMCS_ENUM) is known: the module uses each of them. */
static inline int biosx_vmx_has_capability_msrs(const struct biosx_vmx_values *v, const char **why)
{
	unsigned long long basic = 0;
	const int a = biosx_vmx_value(v, BIOSX_VMX_MSR_SLOT_IA32_VMX_BASIC, &basic, why);

	if (a != BIOSX_VMX_YES)
		return a;
#define BIOSX_NEEDED_(name, idx, rule) \
	if ((rule == BIOSX_MSR_IF_VMX || (rule == BIOSX_MSR_IF_TRUE_CTLS && (basic & BIOSX_VMX_BASIC_TRUE_CTLS))) && \
	    !(v->known & (1u << BIOSX_VMX_MSR_SLOT_##name))) { \
		*why = biosx_vmx_unknown_text(BIOSX_VMX_MSR_SLOT_##name); \
		return BIOSX_VMX_UNKNOWN; \
	}
	BIOSX_VMX_MSRS(BIOSX_NEEDED_)
#undef BIOSX_NEEDED_
	return BIOSX_VMX_YES;
}

/* The VMXON region and the VMCS are one page each: the size IA32_VMX_BASIC
 * reports must fit (at most 4096, SDM Vol. 3D §A.1). */
static inline int biosx_vmx_has_page_sized_vmcs(const struct biosx_vmx_values *v, const char **why)
{
	unsigned long long basic = 0;
	const int a = biosx_vmx_value(v, BIOSX_VMX_MSR_SLOT_IA32_VMX_BASIC, &basic, why);

	if (a != BIOSX_VMX_YES)
		return a;
	if (((basic >> BIOSX_VMX_BASIC_VMCS_SIZE_SHIFT) & BIOSX_VMX_BASIC_VMCS_SIZE_MASK) > 4096) {
		*why = "the VMCS region IA32_VMX_BASIC[44:32] reports exceeds 4096 bytes";
		return BIOSX_VMX_NO;
	}
	return BIOSX_VMX_YES;
}

/* The controls of BIOSX_*_REQUIRED may be 1 (SDM Vol. 3D §A.3-§A.5;
 * allowed-0 settings never forbid a 1). */
static inline int biosx_vmx_has_required_controls(const struct biosx_vmx_values *v, const char **why)
{
	static const unsigned int slot[] = {
		BIOSX_VMX_MSR_SLOT_IA32_VMX_PINBASED_CTLS, BIOSX_VMX_MSR_SLOT_IA32_VMX_PROCBASED_CTLS,
		BIOSX_VMX_MSR_SLOT_IA32_VMX_EXIT_CTLS, BIOSX_VMX_MSR_SLOT_IA32_VMX_ENTRY_CTLS,
	};
	static const unsigned int want[] = {
		BIOSX_PIN_REQUIRED, BIOSX_PROC_REQUIRED, BIOSX_EXIT_REQUIRED, BIOSX_ENTRY_REQUIRED,
	};
	int answer = BIOSX_VMX_YES;
	const char *first_unknown = 0;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		const int a = biosx_vmx_allows(v, slot[i], want[i], why);

		if (a == BIOSX_VMX_NO)
			return a;
		if (a == BIOSX_VMX_UNKNOWN && answer == BIOSX_VMX_YES) {
			answer = a;
			first_unknown = *why;
		}
	}
	if (answer != BIOSX_VMX_YES)
		*why = first_unknown;
	return answer;
}

/* "CR<n>.<NAME> is fixed to 1" for the lowest bit of FORCED in CR0 (CR = 0)
 * or CR4, named by the tables of vmx_msrs.h. */
static inline const char *biosx_vmx_fixed1_text(unsigned int cr, unsigned long long forced)
{
	unsigned int bit = 0;

	while (bit < 63 && !((forced >> bit) & 1))
		bit++;
#define BIOSX_FIXED1_(name, b) \
	case b: \
		return BIOSX_CR_NAME_ "." #name " is fixed to 1 in VMX operation (IA32_VMX_" BIOSX_CR_NAME_ "_FIXED0)";
	if (cr == 0) {
		switch (bit) {
#define BIOSX_CR_NAME_ "CR0"
		BIOSX_CR0_BITS(BIOSX_FIXED1_)
#undef BIOSX_CR_NAME_
		}
	} else {
		switch (bit) {
#define BIOSX_CR_NAME_ "CR4"
		BIOSX_CR4_BITS(BIOSX_FIXED1_)
#undef BIOSX_CR_NAME_
		}
	}
#undef BIOSX_FIXED1_
	return "a control-register bit biosx cannot run with is fixed to 1 in VMX operation";
}

/* The guest's CR0 is FIXED0 plus ET and NE in either strategy (SDM Vol. 3D
 * §A.7): a CPU that forced EM or TS would fault every x87 instruction of the
 * routine, CD or NW would run it uncached. */
#define BIOSX_CR0_BAD_FIXED1 (BIOSX_CR0_EM | BIOSX_CR0_TS | BIOSX_CR0_NW | BIOSX_CR0_CD)
static inline int biosx_vmx_has_guest_cr0(const struct biosx_vmx_values *v, const char **why)
{
	unsigned long long fixed0 = 0;
	const int a = biosx_vmx_value(v, BIOSX_VMX_MSR_SLOT_IA32_VMX_CR0_FIXED0, &fixed0, why);

	if (a != BIOSX_VMX_YES)
		return a;
	if (fixed0 & BIOSX_CR0_BAD_FIXED1) {
		*why = biosx_vmx_fixed1_text(0, fixed0 & BIOSX_CR0_BAD_FIXED1);
		return BIOSX_VMX_NO;
	}
	return BIOSX_VMX_YES;
}

/* EPT as biosx builds it (kernel/biosx_guest.c): secondary controls with
 * "enable EPT", a 4-level walk and write-back paging structures (the EPTP
 * checks of SDM Vol. 3C §27.2.1.1 against Vol. 3D §A.10), and an INVEPT
 * type to flush with: without INVEPT a freed and reused EPT root could be
 * walked through stale cached translations (SDM Vol. 3C §29.4.3.1). */
static inline int biosx_vmx_has_ept(const struct biosx_vmx_values *v, const char **why)
{
	unsigned long long cap = 0;
	int a = biosx_vmx_allows(v, BIOSX_VMX_MSR_SLOT_IA32_VMX_PROCBASED_CTLS, BIOSX_PROC_ACTIVATE_SECONDARY_CONTROLS, why);

	if (a == BIOSX_VMX_YES)
		a = biosx_vmx_allows(v, BIOSX_VMX_MSR_SLOT_IA32_VMX_PROCBASED_CTLS2, BIOSX_PROC2_ENABLE_EPT, why);
	if (a == BIOSX_VMX_YES)
		a = biosx_vmx_value(v, BIOSX_VMX_MSR_SLOT_IA32_VMX_EPT_VPID_CAP, &cap, why);
	if (a != BIOSX_VMX_YES)
		return a;
	if (!((cap >> BIOSX_EPTCAP_EPT_PAGE_WALK_4) & 1)) {
		*why = biosx_vmx_ept_lacks(BIOSX_EPTCAP_EPT_PAGE_WALK_4);
		return BIOSX_VMX_NO;
	}
	if (!((cap >> BIOSX_EPTCAP_EPT_MEMTYPE_WB) & 1)) {
		*why = biosx_vmx_ept_lacks(BIOSX_EPTCAP_EPT_MEMTYPE_WB);
		return BIOSX_VMX_NO;
	}
	if (!((cap >> BIOSX_EPTCAP_INVEPT) & 1)) {
		*why = biosx_vmx_ept_lacks(BIOSX_EPTCAP_INVEPT);
		return BIOSX_VMX_NO;
	}
	if (!((cap >> BIOSX_EPTCAP_INVEPT_SINGLE_CONTEXT) & 1) && !((cap >> BIOSX_EPTCAP_INVEPT_ALL_CONTEXT) & 1)) {
		*why = "INVEPT offers neither the single-context nor the all-context type";
		return BIOSX_VMX_NO;
	}
	return BIOSX_VMX_YES;
}

/* The INVEPT type biosx flushes with: single-context where the CPU has it,
 * else all-context; 0 when it has neither (then biosx_vmx_has_ept() is NO). */
static inline unsigned int biosx_vmx_invept_type(const struct biosx_vmx_values *v)
{
	const unsigned long long cap = v->msr[BIOSX_VMX_MSR_SLOT_IA32_VMX_EPT_VPID_CAP];

	if (!(v->known & (1u << BIOSX_VMX_MSR_SLOT_IA32_VMX_EPT_VPID_CAP)) || !((cap >> BIOSX_EPTCAP_INVEPT) & 1))
		return 0;
	if ((cap >> BIOSX_EPTCAP_INVEPT_SINGLE_CONTEXT) & 1)
		return BIOSX_INVEPT_SINGLE;
	if ((cap >> BIOSX_EPTCAP_INVEPT_ALL_CONTEXT) & 1)
		return BIOSX_INVEPT_ALL;
	return 0;
}

/* "Unrestricted guest" may be 1 (it also needs "enable EPT": SDM Vol. 3C
 * §27.2.1.1; that is biosx_vmx_has_ept()). */
static inline int biosx_vmx_has_unrestricted_guest_control(const struct biosx_vmx_values *v, const char **why)
{
	const int a = biosx_vmx_allows(v, BIOSX_VMX_MSR_SLOT_IA32_VMX_PROCBASED_CTLS,
				       BIOSX_PROC_ACTIVATE_SECONDARY_CONTROLS, why);

	if (a != BIOSX_VMX_YES)
		return a;
	return biosx_vmx_allows(v, BIOSX_VMX_MSR_SLOT_IA32_VMX_PROCBASED_CTLS2, BIOSX_PROC2_UNRESTRICTED_GUEST, why);
}

/* Virtual-8086 mode runs in a protected-mode, paged guest (CR0.PE = PG = 1)
 * with CR4.VME (SDM Vol. 3C §27.3.1.1, Vol. 3A §21.3): FIXED1 must allow
 * those bits, and FIXED0 must force no CR4 bit but VMXE and VME, since the
 * routine runs at CPL 3 under biosx's 32-bit, two-level page tables. */
static inline int biosx_vmx_has_vm86_control_registers(const struct biosx_vmx_values *v, const char **why)
{
	unsigned long long cr0_fixed1 = 0, cr4_fixed0 = 0, cr4_fixed1 = 0;
	int a = biosx_vmx_value(v, BIOSX_VMX_MSR_SLOT_IA32_VMX_CR0_FIXED1, &cr0_fixed1, why);

	if (a == BIOSX_VMX_YES)
		a = biosx_vmx_value(v, BIOSX_VMX_MSR_SLOT_IA32_VMX_CR4_FIXED0, &cr4_fixed0, why);
	if (a == BIOSX_VMX_YES)
		a = biosx_vmx_value(v, BIOSX_VMX_MSR_SLOT_IA32_VMX_CR4_FIXED1, &cr4_fixed1, why);
	if (a != BIOSX_VMX_YES)
		return a;
	if (!(cr0_fixed1 & BIOSX_CR0_PE) || !(cr0_fixed1 & BIOSX_CR0_PG)) {
		*why = "CR0.PE and CR0.PG cannot both be 1 in VMX operation (IA32_VMX_CR0_FIXED1)";
		return BIOSX_VMX_NO;
	}
	if (!(cr4_fixed1 & BIOSX_CR4_VME)) {
		*why = "CR4.VME cannot be 1 in VMX operation (IA32_VMX_CR4_FIXED1[0] = 0)";
		return BIOSX_VMX_NO;
	}
	if (cr4_fixed0 & ~(BIOSX_CR4_VMXE | BIOSX_CR4_VME)) {
		*why = biosx_vmx_fixed1_text(4, cr4_fixed0 & ~(BIOSX_CR4_VMXE | BIOSX_CR4_VME));
		return BIOSX_VMX_NO;
	}
	return BIOSX_VMX_YES;
}

/* ---- The strategies ------------------------------------------------------ */

#define BIOSX_VMX_CONDITIONS(X) \
	X(VMX_ENABLED, biosx_vmx_enabled) \
	X(CAPABILITY_MSRS, biosx_vmx_has_capability_msrs) \
	X(PAGE_SIZED_VMCS, biosx_vmx_has_page_sized_vmcs) \
	X(REQUIRED_CONTROLS, biosx_vmx_has_required_controls) \
	X(GUEST_CR0, biosx_vmx_has_guest_cr0) \
	X(EPT, biosx_vmx_has_ept) \
	X(UNRESTRICTED_GUEST_CONTROL, biosx_vmx_has_unrestricted_guest_control) \
	X(VM86_CONTROL_REGISTERS, biosx_vmx_has_vm86_control_registers)

#define BIOSX_COND_ENUM_(name, fn) BIOSX_COND_##name,
enum { BIOSX_VMX_CONDITIONS(BIOSX_COND_ENUM_) BIOSX_COND_COUNT };
#undef BIOSX_COND_ENUM_

/* Condition COND (BIOSX_COND_*). */
static inline int biosx_vmx_condition(const struct biosx_vmx_values *v, unsigned int cond, const char **why)
{
	switch (cond) {
#define BIOSX_COND_CASE_(name, fn) \
	case BIOSX_COND_##name: \
		return fn(v, why);
		BIOSX_VMX_CONDITIONS(BIOSX_COND_CASE_)
#undef BIOSX_COND_CASE_
	}
	*why = "not a condition";
	return BIOSX_VMX_UNKNOWN;
}

/* The two strategies and what each needs, as bits 1 << BIOSX_COND_*. */
#define BIOSX_VMX_STRATEGY_UNRESTRICTED 1 /* = BIOSX_STRATEGY_UNRESTRICTED (uapi) */
#define BIOSX_VMX_STRATEGY_VM86 2         /* = BIOSX_STRATEGY_VM86 (uapi) */
#define BIOSX_COND_COMMON \
	((1u << BIOSX_COND_VMX_ENABLED) | (1u << BIOSX_COND_CAPABILITY_MSRS) | (1u << BIOSX_COND_PAGE_SIZED_VMCS) | \
	 (1u << BIOSX_COND_REQUIRED_CONTROLS) | (1u << BIOSX_COND_GUEST_CR0))
static inline unsigned int biosx_vmx_strategy_needs(int strategy)
{
	if (strategy == BIOSX_VMX_STRATEGY_UNRESTRICTED)
		return BIOSX_COND_COMMON | (1u << BIOSX_COND_EPT) | (1u << BIOSX_COND_UNRESTRICTED_GUEST_CONTROL);
	return BIOSX_COND_COMMON | (1u << BIOSX_COND_VM86_CONTROL_REGISTERS);
}

/* Whether STRATEGY can run: NO when any condition it needs is NO (*why the
 * first such), else UNKNOWN when any is unknown, else YES. */
static inline int biosx_vmx_can_run(const struct biosx_vmx_values *v, int strategy, const char **why)
{
	const unsigned int needs = biosx_vmx_strategy_needs(strategy);
	const char *first_unknown = 0, *w = 0;
	unsigned int cond;

	for (cond = 0; cond < BIOSX_COND_COUNT; cond++) {
		int a;

		if (!(needs & (1u << cond)))
			continue;
		a = biosx_vmx_condition(v, cond, &w);
		if (a == BIOSX_VMX_NO) {
			*why = w;
			return a;
		}
		if (a == BIOSX_VMX_UNKNOWN && !first_unknown)
			first_unknown = w;
	}
	if (first_unknown) {
		*why = first_unknown;
		return BIOSX_VMX_UNKNOWN;
	}
	return BIOSX_VMX_YES;
}

/* The verdict: unrestricted guest where it can run, else virtual-8086, else
 * none; unknown while the answer that decides it is unknown. */
#define BIOSX_VERDICT_UNKNOWN 0
#define BIOSX_VERDICT_UNRESTRICTED BIOSX_VMX_STRATEGY_UNRESTRICTED
#define BIOSX_VERDICT_VM86 BIOSX_VMX_STRATEGY_VM86
#define BIOSX_VERDICT_NONE 3

struct biosx_vmx_verdict {
	int verdict;                /* BIOSX_VERDICT_* */
	int unrestricted, vm86;     /* BIOSX_VMX_YES, _NO or _UNKNOWN */
	const char *unrestricted_why, *vm86_why; /* the first reason, when not YES */
};

static inline void biosx_vmx_judge(const struct biosx_vmx_values *v, struct biosx_vmx_verdict *out)
{
	out->unrestricted_why = 0;
	out->vm86_why = 0;
	out->unrestricted = biosx_vmx_can_run(v, BIOSX_VMX_STRATEGY_UNRESTRICTED, &out->unrestricted_why);
	out->vm86 = biosx_vmx_can_run(v, BIOSX_VMX_STRATEGY_VM86, &out->vm86_why);
	if (out->unrestricted == BIOSX_VMX_YES)
		out->verdict = BIOSX_VERDICT_UNRESTRICTED;
	else if (out->unrestricted == BIOSX_VMX_UNKNOWN)
		out->verdict = BIOSX_VERDICT_UNKNOWN;
	else if (out->vm86 == BIOSX_VMX_YES)
		out->verdict = BIOSX_VERDICT_VM86;
	else
		out->verdict = out->vm86 == BIOSX_VMX_NO ? BIOSX_VERDICT_NONE : BIOSX_VERDICT_UNKNOWN;
}

static inline const char *biosx_vmx_verdict_name(int verdict)
{
	switch (verdict) {
	case BIOSX_VERDICT_UNRESTRICTED: return "unrestricted";
	case BIOSX_VERDICT_VM86: return "vm86";
	case BIOSX_VERDICT_NONE: return "none";
	}
	return "unknown";
}

/* Features that change how a run goes, not whether it can:
 * the VMX-preemption timer ends each slice on the CPU's own clock (SDM Vol.
 * 3C §26.5.1; its rate is in IA32_VMX_MISC[4:0]); without it an hrtimer does. */
static inline int biosx_vmx_has_preemption_timer(const struct biosx_vmx_values *v)
{
	const char *why;
	unsigned long long misc;

	if (biosx_vmx_value(v, BIOSX_VMX_MSR_SLOT_IA32_VMX_MISC, &misc, &why) != BIOSX_VMX_YES)
		return BIOSX_VMX_UNKNOWN;
	return biosx_vmx_allows(v, BIOSX_VMX_MSR_SLOT_IA32_VMX_PINBASED_CTLS, BIOSX_PIN_VMX_PREEMPTION_TIMER, &why);
}

/* The guest's IA32_EFER is 0 and the host's comes back on exit: by the
 * entry/exit "load IA32_EFER" controls where the CPU has them, else by the
 * VM-entry and VM-exit MSR-load lists (SDM Vol. 3C §27.4, §28.6). */
static inline int biosx_vmx_has_load_efer(const struct biosx_vmx_values *v)
{
	const char *why;
	const int a = biosx_vmx_allows(v, BIOSX_VMX_MSR_SLOT_IA32_VMX_ENTRY_CTLS, BIOSX_ENTRYCTL_LOAD_IA32_EFER, &why);

	if (a != BIOSX_VMX_YES)
		return a;
	return biosx_vmx_allows(v, BIOSX_VMX_MSR_SLOT_IA32_VMX_EXIT_CTLS, BIOSX_EXITCTL_LOAD_IA32_EFER, &why);
}

#endif /* BIOSX_X86_VMX_VERDICT_H */
