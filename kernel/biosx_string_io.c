// SPDX-License-Identifier: GPL-2.0
/*
 * biosx_string_io.c - INS and OUTS of a BIOS routine at the I/O-instruction
 * exit: every element through the run's port policy (biosx_io_access(),
 * the same as IN/OUT), the memory operand checked against its segment and
 * the guest area, and the registers stepped as the CPU steps them, by the
 * code the emulation backend runs too (shared/x86/string_io.h).
 * Kernel: VMX root with interrupts off, a current VMCS.
 */
#include <linux/moduleparam.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "biosx_priv.h"
#include "x86/string_io.h"
#include "vmx_ops.h"

/*
 * Elements of a REP INS/OUTS per exit. Then the guest is entered again at
 * the same instruction, with RCX/RSI/RDI where the elements left them; it
 * exits again at once, and in between host interrupts, the slice and the
 * run's deadline get their turn (SDM Vol. 3A §6.8: a REP string instruction
 * may be interrupted between iterations and resumed). KVM's emulator
 * re-enters the guest every 1024 iterations too (x86_emulate_insn()).
 */
#define BIOSX_STRING_IO_BATCH 1024

static bool string_io_decode;
module_param(string_io_decode, bool, 0444);
MODULE_PARM_DESC(string_io_decode,
		 "test hook: take the address size and segment of INS/OUTS from the instruction bytes even where the CPU reports them (IA32_VMX_BASIC[54])");

struct strio_ctx {
	struct biosx_io_run *io;
	struct biosx_run *run;
};

static void strio_port(void *ctx, unsigned int port, unsigned int size, int in, unsigned int *value)
{
	struct strio_ctx *c = ctx;

	biosx_io_access(c->io, c->run, port, size, in, value);
}

/*
 * The instruction. Size, direction, REP and port are the exit
 * qualification's (SDM Vol. 3C §28.2.1, Table 28-5). The address size and
 * the segment of the memory operand are in the VM-exit instruction-
 * information field where IA32_VMX_BASIC[54] says the CPU reports them
 * for INS/OUTS (§28.2.5, Table 28-8: bits 9:7 address size, 0 = 16-bit,
 * 1 = 32-bit; bits 17:15 segment, undefined for INS, which always writes
 * ES); else they come from the instruction's own prefixes, in the guest
 * area at CS:IP (VM_EXIT_INSTRUCTION_LEN bytes), as KVM's emulator decodes
 * a string I/O instruction. Returns -1 when the bytes there are no INS/OUTS.
 */
static int decode(struct biosx_strio *s, u64 q, const u8 *mem)
{
	u32 len = vmcs_read(BIOSX_VMCS_VM_EXIT_INSTRUCTION_LEN);
	u64 ip = vmcs_read(BIOSX_VMCS_GUEST_CS_BASE) + (vmcs_read(BIOSX_VMCS_GUEST_RIP) & 0xffff);
	bool default32 = vmcs_read(BIOSX_VMCS_GUEST_CS_AR_BYTES) & BIT(14); /* CS.D */
	u32 info;

	if (!len || len > BIOSX_INSN_MAX || ip + len > BIOSX_GUEST_BYTES ||
	    biosx_strio_decode(mem + ip, len, default32, s))
		return -1;
	s->size = (q & 7) + 1;
	s->in = !!(q & BIT(3));
	s->rep = !!(q & BIT(5));
	if ((biosx_caps.basic & BIOSX_VMX_BASIC_INOUT) && !string_io_decode) {
		info = vmcs_read(BIOSX_VMCS_VMX_INSTRUCTION_INFO);
		s->addr32 = ((info >> 7) & 7) == 1;
		if (!s->in)
			s->seg = (info >> 15) & 7;
	}
	return s->seg > BIOSX_SEG_GS ? -1 : 0;
}

/*
 * INS/OUTS exit (qualification Q with bit 4 set). Handled in real mode
 * (unrestricted guest, CR0.PE = 0) and virtual-8086 mode, where a linear
 * address is the guest-physical one and so an index into the guest area
 * (no paging, or the vm86 page table that maps the area 1:1). A routine
 * that switched to protected mode gets the exit reported as unhandled.
 * Returns BIOSX_IO_NEXT when the instruction is complete, BIOSX_IO_AGAIN
 * after BIOSX_STRING_IO_BATCH elements of a REP with more to do (RIP is left
 * at the instruction, and an STI/MOV-SS shadow is cleared as on a skip: the
 * elements done are progress), BIOSX_IO_END with run->end set otherwise.
 */
int biosx_string_io_exit(struct biosx_io_run *io, struct biosx_run *run, struct biosx_gprs *gprs, u8 *mem, u64 q)
{
	struct strio_ctx ctx = { .io = io, .run = run };
	u64 rflags = vmcs_read(BIOSX_VMCS_GUEST_RFLAGS), intr;
	struct biosx_strio s;
	struct biosx_strio_regs r;
	int stop;

	if (((vmcs_read(BIOSX_VMCS_GUEST_CR0) & X86_CR0_PE) && !(rflags & X86_EFLAGS_VM)) || decode(&s, q, mem)) {
		run->qualification = q;
		run->end = BIOSX_END_UNHANDLED;
		return BIOSX_IO_END;
	}
	r = (struct biosx_strio_regs){
		.rcx = gprs->rcx,
		.rsi = gprs->rsi,
		.rdi = gprs->rdi,
		.df = !!(rflags & X86_EFLAGS_DF),
		/* base and limit fields of the six segments sit at the same
		 * distance in each group (SDM Vol. 3D App. B) */
		.base = vmcs_read(BIOSX_VMCS_GUEST_ES_BASE + 2 * s.seg),
		.limit = vmcs_read(BIOSX_VMCS_GUEST_ES_LIMIT + 2 * s.seg),
	};
	stop = biosx_strio_run(&s, q >> 16, &r, mem, BIOSX_GUEST_BYTES, BIOSX_STRING_IO_BATCH, strio_port, &ctx);
	gprs->rcx = r.rcx;
	gprs->rsi = r.rsi;
	gprs->rdi = r.rdi;
	switch (stop) {
	case BIOSX_STRIO_DONE:
		return BIOSX_IO_NEXT;
	case BIOSX_STRIO_MORE:
		intr = vmcs_read(BIOSX_VMCS_GUEST_INTERRUPTIBILITY_INFO);
		if (intr & 3)
			vmcs_write(BIOSX_VMCS_GUEST_INTERRUPTIBILITY_INFO, intr & ~3ull);
		return BIOSX_IO_AGAIN;
	case BIOSX_STRIO_GP:
	case BIOSX_STRIO_SS:
		/* The INS/OUTS exit has priority over the #GP for an offset
		 * beyond the segment limit (SDM Vol. 3C §26.1.1): the fault
		 * the CPU would raise now ends the run like any exception. */
		run->vector_out = stop == BIOSX_STRIO_SS ? X86_TRAP_SS : X86_TRAP_GP;
		run->error_code = 0;
		run->end = BIOSX_END_EXCEPTION;
		return BIOSX_IO_END;
	default:
		/* Not reachable with the 64 KiB limits of real and vm86 mode
		 * (the highest element ends at 0x10FFEF): reported as the EPT
		 * violation the CPU would have had outside the guest area. */
		run->address = r.linear;
		run->end = BIOSX_END_EPT_VIOLATION;
		return BIOSX_IO_END;
	}
}
