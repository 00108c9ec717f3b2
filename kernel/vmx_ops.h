/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmx_ops.h - the VMX instructions as inline functions, and the VMCS field
 * encodings generated from the project's one table (src/core/x86/).
 * Kernel, VMX root operation, interrupts off.
 */
#ifndef BIOSX_VMX_OPS_H
#define BIOSX_VMX_OPS_H

#include <linux/types.h>

#include "vmcs_fields.h"
#include "exit_reasons.h"
#include "vmx_msrs.h"

#define X(name, enc, width, group) BIOSX_VMCS_##name = enc,
enum biosx_vmcs_encoding { BIOSX_VMCS_FIELDS(X) };
#undef X

#define X(name, nr) BIOSX_EXIT_##name = nr,
enum biosx_exit_reason { BIOSX_EXIT_REASONS(X) };
#undef X

/* VMX instructions report failure in CF (VMfailInvalid) or ZF
 * (VMfailValid); "setna" catches both. SDM Vol. 3C §31.2. */
static __always_inline int vmx_on(u64 pa)
{
	u8 bad;

	asm volatile("vmxon %1; setna %0" : "=qm"(bad) : "m"(pa) : "cc", "memory");
	return bad;
}

static __always_inline void vmx_off(void)
{
	asm volatile("vmxoff" : : : "cc", "memory");
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
