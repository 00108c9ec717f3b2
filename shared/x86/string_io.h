/* string_io.h - INS and OUTS (string port I/O) of a real-mode or
 * virtual-8086 routine, once for both backends: the module's I/O exit
 * (kernel/biosx_string_io.c) and the emulation backend
 * (src/core/backend/emu_backend.cpp). Pure C, no OS: the decoder, the
 * address arithmetic of one element, and a bounded loop over the elements
 * that hands each port access to the caller (its port policy).
 *
 * SDM Vol. 2B, INS/INSB/INSW/INSD and OUTS/OUTSB/OUTSW/OUTSD; Vol. 2A §3.3
 * (REP, §2.1.1 prefixes). Per element: the memory operand is ES:(E)DI for
 * INS and DS:(E)SI for OUTS (a segment override applies to OUTS only),
 * (E)SI/(E)DI move by the element size, backwards with RFLAGS.DF = 1, and
 * REP counts (E)CX down to 0; the address size (16 bits unless 0x67 says
 * 32, in real and virtual-8086 mode) picks the 16- or 32-bit registers,
 * and a 16-bit offset wraps inside its 64 KiB segment. RFLAGS is read
 * (DF), never written: INS and OUTS change no flag.
 */
#ifndef BIOSX_X86_STRING_IO_H
#define BIOSX_X86_STRING_IO_H

/* Segment registers in the order of the VMX instruction-information field
 * (SDM Vol. 3C §28.2.5), of the VMCS guest-state fields and of libx86emu. */
enum biosx_seg {
	BIOSX_SEG_ES = 0,
	BIOSX_SEG_CS = 1,
	BIOSX_SEG_SS = 2,
	BIOSX_SEG_DS = 3,
	BIOSX_SEG_FS = 4,
	BIOSX_SEG_GS = 5,
};

/* One INS or OUTS instruction as decoded. */
struct biosx_strio {
	unsigned int size;   /* bytes per element: 1, 2 or 4 */
	int in;              /* INS (port to memory), else OUTS (memory to port) */
	int rep;             /* F3 or F2: both repeat INS/OUTS */
	int addr32;          /* 32-bit address size: ECX, ESI, EDI */
	unsigned int seg;    /* the memory operand's segment (enum biosx_seg) */
	unsigned int len;    /* instruction bytes, prefixes included */
	int lock;            /* an F0 prefix: the CPU raises #UD instead */
};

/* The longest instruction the CPU accepts (SDM Vol. 2A §2.3.11). */
#define BIOSX_INSN_MAX 15u

/*
 * Decodes the instruction at CODE (AVAIL bytes readable there): 0 when it is
 * INS or OUTS, with S filled in, -1 otherwise. DEFAULT32 is CS.D (0 in real
 * and virtual-8086 mode); 0x66 and 0x67 select the other operand and
 * address size, however often they repeat. Of several segment prefixes the
 * last one counts, as on Intel processors.
 */
static inline int biosx_strio_decode(const unsigned char *code, unsigned int avail, int default32,
				     struct biosx_strio *s)
{
	unsigned int i, seg = BIOSX_SEG_DS, op;
	int op32 = default32, a32 = default32, rep = 0, lock = 0;

	for (i = 0; i < avail && i < BIOSX_INSN_MAX; i++) {
		switch (code[i]) {
		case 0x26: seg = BIOSX_SEG_ES; continue;
		case 0x2e: seg = BIOSX_SEG_CS; continue;
		case 0x36: seg = BIOSX_SEG_SS; continue;
		case 0x3e: seg = BIOSX_SEG_DS; continue;
		case 0x64: seg = BIOSX_SEG_FS; continue;
		case 0x65: seg = BIOSX_SEG_GS; continue;
		case 0x66: op32 = !default32; continue;
		case 0x67: a32 = !default32; continue;
		case 0xf0: lock = 1; continue;
		case 0xf2:
		case 0xf3: rep = 1; continue;
		}
		break;
	}
	if (i == avail || i == BIOSX_INSN_MAX)
		return -1;
	op = code[i];
	if (op < 0x6c || op > 0x6f)
		return -1;
	s->size = (op & 1) ? (op32 ? 4 : 2) : 1;
	s->in = !(op & 2);
	s->rep = rep;
	s->addr32 = a32;
	s->seg = s->in ? (unsigned int)BIOSX_SEG_ES : seg; /* INS writes ES:(E)DI, no override */
	s->len = i + 1;
	s->lock = lock;
	return 0;
}

/* The registers one INS/OUTS uses, and the memory operand's segment. */
struct biosx_strio_regs {
	unsigned long long rcx, rsi, rdi;
	int df;                     /* RFLAGS.DF */
	unsigned long long base;    /* segment base of the memory operand */
	unsigned long long limit;   /* its limit, in bytes (0xFFFF in real mode) */
	unsigned long long linear;  /* out: the element's address, for BIOSX_STRIO_OUTSIDE */
};

/* Why biosx_strio_run() returned. */
enum biosx_strio_stop {
	BIOSX_STRIO_DONE = 0,    /* the instruction is complete: go past it */
	BIOSX_STRIO_MORE = 1,    /* REP with elements left after MAX of them: execute it again */
	BIOSX_STRIO_GP = 2,      /* the element is beyond the segment limit: #GP(0) */
	BIOSX_STRIO_SS = 3,      /* the same through SS: #SS(0) */
	BIOSX_STRIO_OUTSIDE = 4, /* the element's linear address is outside the memory given */
};

/* One port access by the caller's policy: for IN, *VALUE receives the
 * value (SIZE bytes); for OUT, *VALUE is the value written. */
typedef void biosx_strio_port_fn(void *ctx, unsigned int port, unsigned int size, int in, unsigned int *value);

/* REG with its low 16 or 32 bits (the address size) replaced by V's: a
 * 16-bit address size leaves the upper half of ECX/ESI/EDI alone. */
static inline unsigned long long biosx_strio_set(unsigned long long reg, unsigned long long v, int addr32)
{
	unsigned long long m = addr32 ? 0xffffffffull : 0xffffull;

	return (reg & ~m) | (v & m);
}

/*
 * Executes up to MAX (>= 1) elements of S on port PORT, over MEM (MEM_SIZE
 * bytes, linear address = index: paging off or identity-mapped, as both
 * backends have it). Per element, the memory operand is checked first
 * (limit, then MEM), so an element that faults performs no port access;
 * then the port access (PORT_IO), the memory access, the index register,
 * and for REP the count. On a fault the registers say which element
 * faulted, as the CPU leaves them: the elements before it are done.
 */
static inline int biosx_strio_run(const struct biosx_strio *s, unsigned int port, struct biosx_strio_regs *r,
				  unsigned char *mem, unsigned long long mem_size, unsigned long max,
				  biosx_strio_port_fn *port_io, void *ctx)
{
	unsigned long long m = s->addr32 ? 0xffffffffull : 0xffffull;
	unsigned long long *index = s->in ? &r->rdi : &r->rsi;
	unsigned long done;

	for (done = 0;; done++) {
		unsigned long long off = *index & m, lin;
		unsigned int v = 0, i;

		if (s->rep && !(r->rcx & m))
			return BIOSX_STRIO_DONE;
		if (done == max)
			return BIOSX_STRIO_MORE;
		if (off + s->size - 1 > r->limit)
			return s->seg == BIOSX_SEG_SS ? BIOSX_STRIO_SS : BIOSX_STRIO_GP;
		lin = (r->base + off) & 0xffffffffull;
		if (lin + s->size > mem_size) {
			r->linear = lin;
			return BIOSX_STRIO_OUTSIDE;
		}
		if (s->in) {
			port_io(ctx, port, s->size, 1, &v);
			for (i = 0; i < s->size; i++)
				mem[lin + i] = (unsigned char)(v >> (8 * i));
		} else {
			for (i = 0; i < s->size; i++)
				v |= (unsigned int)mem[lin + i] << (8 * i);
			port_io(ctx, port, s->size, 0, &v);
		}
		*index = biosx_strio_set(*index, r->df ? off - s->size : off + s->size, s->addr32);
		if (!s->rep)
			return BIOSX_STRIO_DONE;
		r->rcx = biosx_strio_set(r->rcx, (r->rcx & m) - 1, s->addr32);
	}
}

#endif
