/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmx_ops.h - the VMX instructions as inline functions, and the VMCS field
 * encodings and exit reasons as enums generated from the project's one
 * table (shared/x86/; the control-bit masks come from there as they are).
 * Kernel, VMX root operation, interrupts off.
 */
#ifndef BIOSX_VMX_OPS_H
#define BIOSX_VMX_OPS_H

#include <linux/types.h>
#include <asm/asm.h>

#include "x86/vmcs_fields.h"
#include "x86/exit_reasons.h"
#include "x86/vmx_msrs.h"

#define X(name, enc, width, group) BIOSX_VMCS_##name = enc,
enum biosx_vmcs_encoding { BIOSX_VMCS_FIELDS(X) };
#undef X

#define X(name, nr) BIOSX_EXIT_##name = nr,
enum biosx_exit_reason { BIOSX_EXIT_REASONS(X) };
#undef X

/* VMX instructions report failure in CF (VMfailInvalid) or ZF
 * (VMfailValid); "setna" catches both. SDM Vol. 3C §31.2. */
/* VMXON can also fault (#GP when IA32_FEATURE_CONTROL forbids it on this
 * CPU, #UD without CR4.VMXE): the exception table entry turns a fault into
 * a failure instead of an oops, as KVM's kvm_cpu_vmxon() does. */
static __always_inline int vmx_on(u64 pa)
{
	asm goto("1: vmxon %0\n\t"
			  "jbe %l[fail]\n\t"
			  _ASM_EXTABLE(1b, %l[fail])
			  : : "m"(pa) : "cc", "memory" : fail);
	return 0;
fail:
	return 1;
}

/* VMXOFF outside VMX operation is #UD: tolerated the same way, for the
 * emergency path that cannot know what an NMI interrupted. */
static __always_inline void vmx_off(void)
{
	asm goto("1: vmxoff\n\t"
			  _ASM_EXTABLE(1b, %l[fault])
			  : : : "cc", "memory" : fault);
fault:
	return;
}

/* INVEPT (SDM Vol. 3C §31.3) of TYPE, BIOSX_INVEPT_SINGLE (the mappings of
 * one EPTP) or BIOSX_INVEPT_ALL (shared/x86/vmx_verdict.h). */
static __always_inline int vmx_invept(unsigned long type, u64 eptp)
{
	struct { u64 eptp, reserved; } desc = { eptp, 0 };
	u8 bad;

	asm volatile("invept %1, %2; setna %0" : "=qm"(bad) : "m"(desc), "r"(type) : "cc", "memory");
	return bad;
}

static __always_inline int vmcs_clear(u64 pa)
{
	u8 bad;

	asm volatile("vmclear %1; setna %0" : "=qm"(bad) : "m"(pa) : "cc", "memory");
	return bad;
}

static __always_inline int vmcs_load(u64 pa)
{
	u8 bad;

	asm volatile("vmptrld %1; setna %0" : "=qm"(bad) : "m"(pa) : "cc", "memory");
	return bad;
}

static __always_inline int vmcs_read_safe(unsigned long field, u64 *value)
{
	u8 bad;
	unsigned long v = 0;

	asm volatile("vmread %2, %1; setna %0" : "=qm"(bad), "=rm"(v) : "r"(field) : "cc");
	*value = v;
	return bad;
}

static __always_inline u64 vmcs_read(unsigned long field)
{
	u64 v;

	return vmcs_read_safe(field, &v) ? 0 : v;
}

static __always_inline int vmcs_write(unsigned long field, u64 value)
{
	u8 bad;

	asm volatile("vmwrite %2, %1; setna %0" : "=qm"(bad) : "r"(field), "rm"((unsigned long)value) : "cc");
	return bad;
}

#endif
