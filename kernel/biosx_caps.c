// SPDX-License-Identifier: GPL-2.0
/*
 * biosx_caps.c - reads CPUID.1:ECX and the VMX capability MSRs of one CPU,
 * each only when the SDM says it exists there (the rules of
 * shared/x86/vmx_msrs.h, which userspace applies too): for the probe at
 * load (biosx_probe.c) and for BIOSX_IOC_GET_CAPS.
 * Kernel: process context; the reading itself runs on the CPU read, with
 * preemption off (or in its IPI handler).
 */
#include <linux/bits.h>
#include <linux/cpumask.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "biosx_priv.h"

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
static_assert(ARRAY_SIZE(caps_msr_index) == BIOSX_VMX_MSR_COUNT &&
	      BIOSX_VMX_MSR_COUNT == ARRAY_SIZE(((struct biosx_caps *)0)->msr),
	      "struct biosx_caps.msr[] must hold one value per MSR of BIOSX_VMX_MSRS");
static_assert(BIOSX_VMX_MSR_COUNT <= 32, "struct biosx_caps.present has one bit per MSR");

/* CPUID.1 and every capability MSR that exists on this CPU, never one that
 * does not: the table is read in order, and each rule depends only on MSRs
 * earlier in it, which are known (read, or absent and then 0) by then. */
static void read_caps_on_cpu(void *arg)
{
	struct biosx_caps *caps = arg;
	struct biosx_vmx_msr_facts facts = {};
	u32 a, b, c, d;
	unsigned int i;

	cpuid(1, &a, &b, &c, &d);
	caps->cpuid1_ecx = c;
	facts.cpuid1_ecx = c;
	caps->present = 0;
	for (i = 0; i < ARRAY_SIZE(caps_msr_index); i++) {
		if (biosx_vmx_msr_exists(caps_msr_rule[i], &facts) == BIOSX_MSR_EXISTS_YES &&
		    !rdmsrl_safe(caps_msr_index[i], &caps->msr[i]))
			caps->present |= BIT(i);
		biosx_vmx_msr_fact(&facts, caps_msr_index[i], (caps->present & BIT(i)) ? caps->msr[i] : 0);
	}
}

/* The capabilities of the CPU this runs on (the probe at load). */
void biosx_read_caps_local(struct biosx_caps *caps)
{
	memset(caps->msr, 0, sizeof(caps->msr));
	caps->cpu = get_cpu();
	read_caps_on_cpu(caps);
	put_cpu();
}

/* BIOSX_IOC_GET_CAPS: the CPU userspace asked for, read there. */
int biosx_read_caps(struct biosx_caps *caps)
{
	if (caps->cpu >= nr_cpu_ids || !cpu_online(caps->cpu))
		return -EINVAL;
	memset(caps->msr, 0, sizeof(caps->msr));
	return smp_call_function_single(caps->cpu, read_caps_on_cpu, caps, 1);
}
