// SPDX-License-Identifier: GPL-2.0
/*
 * biosx_record.c - the VMCS record of a run, for BIOSX_IOC_GET_VMCS and
 * `biosx dump-vmcs`: every field of the shared table (shared/x86/
 * vmcs_fields.h) that exists on this CPU as VMREAD returns it, and the
 * zeroing of kernel and host-physical addresses for a reader who may not
 * see them.
 * Kernel: biosx_record_vmcs() in VMX root with the run's VMCS current,
 * interrupts off; biosx_hide_addresses() in process context.
 */
#include <linux/kernel.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "biosx_priv.h"
#include "vmx_ops.h"

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
		if (biosx_cap_allows(conds[i].cap, conds[i].bit))
			return true;
		listed = true;
	}
	return !listed;
}

/* Every field of the table that exists on this CPU, the VM-instruction
 * error first: any later VMREAD that failed would overwrite it. */
void biosx_record_vmcs(struct biosx_file *f)
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
