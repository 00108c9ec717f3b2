/* entry_frame.h - the state every run starts from, whichever backend runs
 * it: the routine's entry point (from the IVT for INT n), the checks that
 * refuse an entry with no routine behind it, the return trap, and the frame
 * pushed below the caller's SS:SP. Pure C over a byte pointer and a size, no
 * OS: the module's BIOSX_IOC_RUN (kernel/biosx_run.c) and userspace
 * (src/core/run/start_state.cpp, for every other backend) both call it, so a call
 * starts from the very same bytes and registers on either side.
 *
 *   linear
 *   0x00000  +--------------------------+
 *            | IVT: vector n at 4n,     |  INT n: CS:IP of the handler
 *            |      OFF then SEG        |  (0000:0000: no handler)
 *   0x00400  +--------------------------+
 *            | BDA                      |
 *   0x00600  | F4  the return trap      |  BIOSX_TRAP_LINEAR: HLT, where
 *            |                          |  the routine's IRET/RETF lands
 *            |         ...              |
 *            | IP     = 0600  SP - 6    |  INT n: FLAGS, CS, IP pushed,
 *            | CS     = 0000  SP - 4    |  as INT n does (3 words)
 *            | FLAGS          SP - 2    |
 *   SS:SP -> +--------------------------+  the caller's stack top
 *
 *            | IP     = 0600  SP - 4    |  far call: CS, IP pushed,
 *            | CS     = 0000  SP - 2    |  as CALL FAR does (2 words)
 *   SS:SP -> +--------------------------+
 *
 * SP wraps inside the 64 KiB stack segment, as a real-mode push does.
 *
 * Which checks: an entry is refused when INT n finds 0000:0000 in the IVT,
 * and when the first 16 bytes at the entry point are all 00h or all FFh.
 * The module used to apply only the first and userspace both; both now apply
 * both, because the second is a fact about the guest's memory just as the
 * first is: all-00 or all-FF bytes are erased flash or unbacked address
 * space (a UEFI machine without a CSM leaves the IVT pointing at such
 * bytes), never a routine, and running them only ends in a fault or the
 * timeout with nothing said about why. The module applies them for any
 * caller of the ioctl, not only for biosx.
 */
#ifndef BIOSX_X86_ENTRY_FRAME_H
#define BIOSX_X86_ENTRY_FRAME_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#include <stdint.h>
#endif

#include "realmode.h"

/* Why an entry is refused (0: it is not). */
#define BIOSX_ENTRY_ACCEPTED 0
#define BIOSX_ENTRY_NO_HANDLER 1     /* INT n: the IVT entry is 0000:0000 */
#define BIOSX_ENTRY_NO_CODE 2        /* the entry point holds all 00h or all FFh */
#define BIOSX_ENTRY_FRAME_OUTSIDE 3  /* the trap or the frame lies outside memory */

/* Bytes at the entry point looked at by the all-00h/all-FFh check. */
#define BIOSX_ENTRY_CODE_PROBE 16u

/* Words pushed below SS:SP: FLAGS, CS, IP for INT n; CS, IP for a call. */
#define BIOSX_ENTRY_FRAME_WORDS(is_int) ((is_int) ? 3u : 2u)

/* The registers the start state sets; the others go in as the caller has them. */
struct biosx_entry_regs {
	uint32_t esp, eip, eflags;
	uint16_t cs, ss;
};

static inline uint32_t biosx_linear(uint16_t seg, uint16_t off)
{
	return ((uint32_t)seg << 4) + off;
}

/* The linear address of the I-th word pushed (0 first) below SS:SP. */
static inline uint32_t biosx_entry_frame_word(uint16_t ss, uint32_t esp, unsigned int i)
{
	return biosx_linear(ss, (uint16_t)(esp - 2 * (i + 1)));
}

/* Whether the bytes at LINEAR can be a routine's first instructions (not
 * all 00h, not all FFh, and inside memory). */
static inline int biosx_entry_has_code(const uint8_t *mem, size_t size, uint32_t linear)
{
	size_t n, i;
	int zeros = 1, ones = 1;

	if (linear >= size)
		return 0;
	n = size - linear < BIOSX_ENTRY_CODE_PROBE ? size - linear : BIOSX_ENTRY_CODE_PROBE;
	for (i = 0; i < n; i++) {
		zeros &= mem[linear + i] == 0x00;
		ones &= mem[linear + i] == 0xff;
	}
	return !zeros && !ones;
}

/*
 * The routine's entry point: for INT n the handler in the IVT, for a far
 * call SEG:OFF as given. *SEG and *OFF are set even when the entry is
 * refused, so that a message can name them. Returns BIOSX_ENTRY_*.
 */
static inline int biosx_entry_point(const uint8_t *mem, size_t size, int is_int, uint8_t vector,
				    uint16_t *seg, uint16_t *off)
{
	if (is_int) {
		uint32_t ivt = BIOSX_IVT_BASE + 4u * vector;

		if (ivt + 4 > size)
			return BIOSX_ENTRY_NO_HANDLER;
		*off = (uint16_t)(mem[ivt] | mem[ivt + 1] << 8);
		*seg = (uint16_t)(mem[ivt + 2] | mem[ivt + 3] << 8);
		if (!*seg && !*off)
			return BIOSX_ENTRY_NO_HANDLER;
	}
	return biosx_entry_has_code(mem, size, biosx_linear(*seg, *off)) ? BIOSX_ENTRY_ACCEPTED
									   : BIOSX_ENTRY_NO_CODE;
}

static inline void biosx_entry_push16(uint8_t *mem, struct biosx_entry_regs *r, uint16_t v)
{
	uint16_t sp = (uint16_t)(r->esp - 2);
	uint32_t at = biosx_linear(r->ss, sp);

	r->esp = (r->esp & 0xffff0000u) | sp;
	mem[at] = (uint8_t)v;
	mem[at + 1] = (uint8_t)(v >> 8);
}

/*
 * Writes the return trap and the frame, and points CS:IP at SEG:OFF (the
 * entry point found above). Nothing is written when the trap or a word of
 * the frame would lie outside memory (BIOSX_ENTRY_FRAME_OUTSIDE).
 * INT n as the CPU does it in real-address mode (SDM Vol. 2A, INT n): push
 * FLAGS, CS, IP, then clear IF, TF and AC. EFLAGS bit 1 is always 1.
 */
static inline int biosx_entry_push_frame(uint8_t *mem, size_t size, int is_int, uint16_t seg, uint16_t off,
					 struct biosx_entry_regs *r)
{
	unsigned int i;

	if (BIOSX_TRAP_LINEAR >= size)
		return BIOSX_ENTRY_FRAME_OUTSIDE;
	for (i = 0; i < BIOSX_ENTRY_FRAME_WORDS(is_int); i++)
		if (biosx_entry_frame_word(r->ss, r->esp, i) + 2 > size)
			return BIOSX_ENTRY_FRAME_OUTSIDE;
	mem[BIOSX_TRAP_LINEAR] = BIOSX_TRAP_OPCODE;
	if (is_int)
		biosx_entry_push16(mem, r, (uint16_t)r->eflags);
	biosx_entry_push16(mem, r, BIOSX_TRAP_SEG);
	biosx_entry_push16(mem, r, BIOSX_TRAP_OFF);
	if (is_int)
		r->eflags &= ~(BIOSX_EFLAGS_IF | BIOSX_EFLAGS_TF | BIOSX_EFLAGS_AC);
	r->eflags |= BIOSX_EFLAGS_FIXED1;
	r->cs = seg;
	r->eip = off;
	return BIOSX_ENTRY_ACCEPTED;
}

/* Both steps: the entry point, then the trap and the frame. */
static inline int biosx_entry_prepare(uint8_t *mem, size_t size, int is_int, uint8_t vector, uint16_t seg,
				      uint16_t off, struct biosx_entry_regs *r)
{
	int err = biosx_entry_point(mem, size, is_int, vector, &seg, &off);

	return err ? err : biosx_entry_push_frame(mem, size, is_int, seg, off, r);
}

#endif /* BIOSX_X86_ENTRY_FRAME_H */
