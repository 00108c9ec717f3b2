/* hostile.c - a hostile-code campaign against /dev/biosx, run in the Bochs
 * guest of tests/vm (static binary, built by run-module-tests.sh).
 *
 * Talks to the module through its uapi header only: open, BIOSX_IOC_VERSION,
 * mmap of BIOSX_GUEST_BYTES, BIOSX_IOC_RUN with BIOSX_ENTRY_FAR_CALL to code
 * it writes at 2000:0000. Categories of generated code (random bytes, loops,
 * faults, HLT, wild jumps, protected-mode attempts, CR/MSR/DR access, port
 * I/O, privileged and VMX instructions); every run must end with an end kind
 * the category allows (the table below), INT 11h through a fresh open must
 * still equal the BDA word at 0x410 (/dev/mem) after each category and every
 * 100 runs, and no RDMSR may hand out a kernel address.
 *
 *   hostile [--seed N] [--runs N] [--strategy all|auto|unrestricted|vm86]
 *           [--category LIST] [--real-io] [--safe|--no-safe] [--verbose]
 *   hostile --cycles[=N]          open/mmap/run/munmap/close leak check
 *   hostile --smp-loop N --cpu C  INT 11h and IF=1 loop runs pinned to CPU C
 *
 * Output: one summary line per strategy and category, then
 * "hostile: N runs, M failures"; exit status 1 on any failure, 2 on usage or
 * setup errors. See tests/vm/README.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "uapi/biosx.h"

/* ======================================================================
 * Policy: what the module may answer. Edit here when the module changes
 * (a new BIOSX_END_* kind, an exit it starts to emulate, ...).
 * ====================================================================== */

/* Bit n stands for end kind n (BIOSX_END_*); END_BIT(n) works for kinds the
 * header does not name yet (e.g. an END_MACHINE_CHECK or END_INTERRUPTED). */
#define END_BIT(n) (1u << (n))
#define END(k) END_BIT(BIOSX_END_##k)
/* Everything a routine can end with on its own, by the uapi doc: return to
 * the trap, timeout, HLT, exception, triple fault, EPT violation (access
 * outside the guest area), an exit biosx does not emulate. ENTRY_FAILURE is
 * left out: only a routine that leaves a state VMX refuses on re-entry can
 * cause one, which is what the "pm" category sets out to do. */
#define ENDS_GUEST (END(RETURN_TRAP) | END(TIMEOUT) | END(HALT) | END(EXCEPTION) | END(TRIPLE_FAULT) | \
		    END(EPT_VIOLATION) | END(UNHANDLED))

struct gen;
struct rng;
struct env;
typedef void gen_fn(struct gen *g, struct rng *r, const struct env *e, int i);
static gen_fn gen_random, gen_loop_if0, gen_loop_if1, gen_irq, gen_fault, gen_hlt, gen_wild, gen_pm, gen_crmsr,
	gen_io, gen_instr;

#define CAT_TIMELY 1u /* the run must end within timeout_ms + LOOP_SLACK_MS */
static const struct category {
	const char *name;
	uint32_t ends;       /* allowed end kinds (END_BIT) */
	uint32_t timeout_ms; /* default per run (generators may lower it) */
	unsigned int flags;
	gen_fn *gen;
} categories[] = {
	/* random bytes then RETF: anything a routine can do */
	{ "random", ENDS_GUEST, 20, 0, gen_random },
	/* endless loops, IF=0 / IF=1: the deadline (preemption timer, or the
	 * host's check on an exit) must end them, on time */
	{ "loop-if0", END(TIMEOUT), 4, CAT_TIMELY, gen_loop_if0 },
	{ "loop-if1", END(TIMEOUT), 4, CAT_TIMELY, gen_loop_if1 },
	/* IF=1 loops with every IVT vector pointing at a counting stub: host
	 * interrupts must exit, never be delivered to (and acknowledged by)
	 * the guest; a count in the guest's IVT stubs is a failure */
	{ "irq", END(TIMEOUT), 10, CAT_TIMELY, gen_irq },
	/* #UD #DE #GP #SS #BP #OF #BR #DB: every exception exits and ends the
	 * run with its vector (the exception bitmap is all ones) */
	{ "fault", END(EXCEPTION), 50, 0, gen_fault },
	/* HLT anywhere but the trap: END_HALT, IF=0 or 1 */
	{ "hlt", END(HALT), 50, 0, gen_hlt },
	/* far JMP/CALL/IRET/RETF anywhere, into the BIOS, the IVT, the HMA */
	{ "wild", ENDS_GUEST, 20, 0, gen_wild },
	/* LGDT + CR0.PE/LMSW, LIDT, unreal mode, paging, task switch: EPT
	 * violations outside the guest area (unrestricted), #GP (vm86), and a
	 * guest state VMX may refuse on re-entry (ENTRY_FAILURE) */
	{ "pm", ENDS_GUEST | END(ENTRY_FAILURE), 20, 0, gen_pm },
	/* MOV CRn, RDMSR/WRMSR, MOV DRn: emulated, skipped, #GP/#UD or
	 * unhandled CR exits; under unrestricted guest a MOV to CR0 that sets
	 * PG walks page tables at CR3 = 0 into memory the EPT does not map */
	{ "crmsr", END(RETURN_TRAP) | END(EXCEPTION) | END(UNHANDLED) | END(EPT_VIOLATION), 50, 0, gen_crmsr },
	/* IN/OUT/INS/OUTS (REP too, DF = 0 and 1) at widths 1/2/4 around
	 * PIC/PIT/reset/DMA ports (virtual I/O): done, every element of INS/OUTS
	 * an access of its own; or a fault (a word wrapping past port 0xFFFF
	 * is #GP in vm86, whose TSS I/O bitmap ends there) */
	{ "io", END(RETURN_TRAP) | END(EXCEPTION), 50, 0, gen_io },
	/* INVD WBINVD XSETBV VMCALL VMXON CPUID RDTSC RDPMC GETSEC MWAIT BIOS
	 * INTs ...: done, #UD/#GP, unhandled exit; MWAIT/BIOS calls may wait */
	{ "instr", END(RETURN_TRAP) | END(EXCEPTION) | END(UNHANDLED) | END(TIMEOUT) | END(HALT), 20, 0, gen_instr },
};
#define NCAT (sizeof(categories) / sizeof(categories[0]))

/* BIOSX_IOC_RUN errors that are not failures: documented, and caused by the
 * environment (KVM holding VMX, a signal, memory pressure). Every other errno
 * (EINVAL ENOENT ENODEV EIO EOPNOTSUPP EFAULT) means a valid request failed. */
static const int run_errnos_ok[] = { EBUSY, EINTR, ENOMEM };

/* RDMSR results at or above this are kernel addresses (x86-64 4-level and
 * 5-level paging alike): a routine must never see one. */
#define KERNEL_ADDR_MIN 0xffff800000000000ull
/* A loop must end within its timeout plus this (guest milliseconds). */
#define LOOP_SLACK_MS 2000
/* With --real-io reads are real; without it (default) every port is virtual
 * and a read must return all ones (uapi: BIOSX_RUN_VIRTUAL_IO). */
#define CHECK_VIRTUAL_IN_ALL_ONES 1

/* --cycles: defaults and the noise bounds (kB unless said otherwise), for
 * N cycles after CYCLES_WARMUP unmeasured ones and drop_caches on both
 * sides. A per-cycle leak of one page costs 4 kB x N of MemFree (bound: 2 MB
 * + N/8 kB), of one object N objects in its slab cache (bound N/2). Measured
 * noise in Bochs (1,000 cycles, skylake): MemFree +0 kB, Slab +16 kB, no
 * cache beyond +-64 objects. */
#define CYCLES_DEFAULT 10000
#define CYCLES_WARMUP 200
#define BOUND_MEMFREE_DROP_KB(n) (2048 + (n) / 8)
#define BOUND_SLAB_GROW_KB 1024
#define BOUND_VMALLOC_GROW_KB 256
#define BOUND_CACHE_OBJS(n) ((n) / 2 > 256 ? (n) / 2 : 256)

/* ====================================================================== */

#define CODE_SEG 0x2000u
#define CODE_LIN 0x20000u
#define DATA_SEG 0x3000u
#define STACK_SEG 0x4000u
#define STACK_TOP 0xfff0u
#define LAND_SEG 0x6000u   /* landing zone for wild jumps: 0x60000..0x7ffff */
#define LAND_LIN 0x60000u
#define LAND_SIZE 0x20000u
#define IMG_SIZE 0x400     /* CODE_SEG:0000..03FF is rewritten before each run */
#define CODE_MAX 0x200
#define OFF_GDTR 0x200
#define OFF_GDT 0x210
#define OFF_DATA 0x300
#define LOW_RESTORE 0x1000 /* IVT, BDA, trap: restored before each run */
#define STUB_SEG 0x5000u   /* CHK_NO_IVT_HITS: stub for vector v at 5000:v*8, */
#define STUB_LIN 0x50000u  /* counting at 5000:0800+v */
#define STUB_COUNT 0x800u
#define REOPEN_EVERY 50    /* fresh guest memory (BIOS copy) every N runs */
#define INT11_EVERY 100
#define MAX_FAIL_PRINT 12
#define NEND 16

enum check { CHK_NONE, CHK_MSR, CHK_VIRT_IN, CHK_CPUID1, CHK_HLT_AT, CHK_EPT_ADDR, CHK_NO_IVT_HITS, CHK_STRIO };
/* CHK_STRIO's arg: elements | size << 16 | INS << 24 | REP << 25 | DF << 26 */
#define STRIO_ARG(n, size, in, rep, df) \
	((uint64_t)(n) | (uint64_t)(size) << 16 | (uint64_t)(in) << 24 | (uint64_t)(rep) << 25 | (uint64_t)(df) << 26)
#define STRIO_INDEX 0x100u /* SI and DI at the start */

struct gen {
	char name[64];
	uint8_t img[IMG_SIZE];
	int n;
	struct biosx_regs r;
	uint32_t flags;
	uint32_t timeout_ms;
	int want_vector;
	enum check check;
	uint64_t arg;
};

struct rng {
	uint64_t s;
};

struct env {
	int strategy; /* BIOSX_STRATEGY_* */
	uint32_t force;
	int safe;
	int real_io;
};

static uint64_t rnd64(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
static uint32_t rnd(struct rng *r, uint32_t n) { return n ? (uint32_t)(rnd64(r) % n) : 0; }
static uint32_t rnd32(struct rng *r) { return (uint32_t)rnd64(r); }
static uint16_t rnd16(struct rng *r) { return (uint16_t)rnd64(r); }

static void emit(struct gen *g, const uint8_t *b, size_t n)
{
	if (g->n + (int)n > CODE_MAX) {
		fprintf(stderr, "hostile: generator overflow in %s\n", g->name);
		exit(2);
	}
	memcpy(g->img + g->n, b, n);
	g->n += (int)n;
}
#define B(g, ...) emit((g), (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))
static void w16(struct gen *g, uint32_t v) { B(g, v & 0xff, (v >> 8) & 0xff); }
static void w32(struct gen *g, uint32_t v) { w16(g, v & 0xffff); w16(g, v >> 16); }
static void mov_eax(struct gen *g, uint32_t v) { B(g, 0x66, 0xb8); w32(g, v); }
static void mov_ebx(struct gen *g, uint32_t v) { B(g, 0x66, 0xbb); w32(g, v); }
static void mov_ecx(struct gen *g, uint32_t v) { B(g, 0x66, 0xb9); w32(g, v); }
static void mov_edx(struct gen *g, uint32_t v) { B(g, 0x66, 0xba); w32(g, v); }
static void mov_bx(struct gen *g, uint16_t v) { B(g, 0xbb); w16(g, v); }
static void mov_cx(struct gen *g, uint16_t v) { B(g, 0xb9); w16(g, v); }
static void mov_dx(struct gen *g, uint16_t v) { B(g, 0xba); w16(g, v); }
static void jmp_short_to(struct gen *g, int target) { B(g, 0xeb, (uint8_t)(target - (g->n + 2))); }
static void retf(struct gen *g) { B(g, 0xcb); }
static void put16(uint8_t *p, uint32_t v) { p[0] = v & 0xff; p[1] = (v >> 8) & 0xff; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v & 0xffff); put16(p + 2, v >> 16); }

static void setname(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->name, sizeof(g->name), fmt, ap);
	va_end(ap);
}

/* Registers: data at DATA_SEG, stack at STACK_SEG:STACK_TOP, IF=0. */
static void base_regs(struct gen *g, struct rng *r, int random_gprs)
{
	memset(&g->r, 0, sizeof(g->r));
	if (random_gprs) {
		g->r.eax = rnd32(r);
		g->r.ebx = rnd32(r);
		g->r.ecx = rnd32(r);
		g->r.edx = rnd32(r);
		g->r.esi = rnd32(r);
		g->r.edi = rnd32(r);
		g->r.ebp = rnd32(r);
	}
	g->r.ds = g->r.es = DATA_SEG;
	g->r.ss = STACK_SEG;
	g->r.esp = STACK_TOP;
	g->r.eflags = 0x2;
}

/* Without a VMX-preemption timer an IF=0 guest that never exits cannot be
 * stopped (Bochs gives no external-interrupt exit then): in "safe" mode
 * code that could clear IF or leave the prepared memory is neutralised. */
static uint8_t sanitize(uint8_t b)
{
	static const uint8_t unsafe[] = {
		0xfa, /* CLI */ 0x9d, /* POPF */ 0xcf, /* IRET */ 0xcd, /* INT n */
		0xea, 0x9a,       /* far JMP/CALL */ 0xca, 0xcb, /* RETF */ 0xff, /* indirect (far) */
	};
	for (size_t i = 0; i < sizeof(unsafe); i++)
		if (b == unsafe[i])
			return 0x90;
	return b;
}

static void gen_random(struct gen *g, struct rng *r, const struct env *e, int i)
{
	int n = 1 + (int)rnd(r, 64);

	(void)i;
	base_regs(g, r, 1);
	g->r.fs = rnd16(r);
	g->r.gs = rnd16(r);
	g->r.eflags = 0x2 | (rnd32(r) & 0x8d5) | ((e->safe || rnd(r, 2)) ? 0x200 : 0) | (rnd(r, 8) ? 0 : 0x400);
	for (int k = 0; k < n; k++) {
		uint8_t b = (uint8_t)rnd(r, 256);

		B(g, e->safe ? sanitize(b) : b);
	}
	retf(g);
	setname(g, "random-%d-bytes", n);
}

enum { L_JMPSELF, L_PAUSE, L_SLED, L_CPUID, L_IO, L_RDMSR, L_REPSTOS, L_CALLSELF, L_FARSELF, L_PUSHPOP, L_N };
static const char *const loop_names[L_N] = { "jmp-self", "pause", "nop-sled", "cpuid", "in-port", "rdmsr",
					     "rep-stosb", "call-self", "far-jmp-self", "push-pop" };

static void gen_loop(struct gen *g, struct rng *r, const struct env *e, int i, int if1)
{
	int v, top;
	/* The loops that exit on every iteration end by the host's deadline
	 * check even without a preemption timer; RDMSR is #GP in vm86. */
	static const int exiting[] = { L_CPUID, L_IO, L_RDMSR };

	do {
		if (!if1 && e->safe)
			v = exiting[rnd(r, 3)];
		else
			v = i % L_N;
		i++;
	} while (v == L_RDMSR && e->strategy == BIOSX_STRATEGY_VM86);
	base_regs(g, r, 1);
	g->r.eflags = if1 ? 0x202 : 0x2;
	g->timeout_ms = 1 + rnd(r, 4);
	B(g, if1 ? 0xfb : 0xfa);
	if (v == L_RDMSR)
		mov_ecx(g, 0x10);
	if (v == L_REPSTOS)
		g->r.edi = rnd16(r);
	top = g->n;
	switch (v) {
	case L_JMPSELF: B(g, 0xeb, 0xfe); break;
	case L_PAUSE: B(g, 0xf3, 0x90); jmp_short_to(g, top); break;
	case L_SLED:
		for (int k = 16 + (int)rnd(r, 150); k > 0; k--)
			B(g, 0x90);
		B(g, 0xe9);
		w16(g, (uint32_t)(top - (g->n + 2)));
		break;
	case L_CPUID: B(g, 0x66, 0x31, 0xc0, 0x0f, 0xa2); jmp_short_to(g, top); break;
	case L_IO: B(g, 0xe4, 0x80); jmp_short_to(g, top); break;
	case L_RDMSR: B(g, 0x0f, 0x32); jmp_short_to(g, top); break;
	case L_REPSTOS: mov_cx(g, 0xffff); B(g, 0xf3, 0xaa); jmp_short_to(g, top); break;
	case L_CALLSELF: B(g, 0xe8, 0xfd, 0xff); break;
	case L_FARSELF: B(g, 0xea); w16(g, (uint32_t)top); w16(g, CODE_SEG); break;
	case L_PUSHPOP: B(g, 0x50, 0x58); jmp_short_to(g, top); break;
	}
	setname(g, "loop-%s-if%d-%ums", loop_names[v], if1, g->timeout_ms);
}
static void gen_loop_if0(struct gen *g, struct rng *r, const struct env *e, int i) { gen_loop(g, r, e, i, 0); }
static void gen_loop_if1(struct gen *g, struct rng *r, const struct env *e, int i) { gen_loop(g, r, e, i, 1); }
static void gen_irq(struct gen *g, struct rng *r, const struct env *e, int i)
{
	char name[64];

	gen_loop(g, r, e, i, 1);
	g->timeout_ms = 5 + rnd(r, 16);
	g->check = CHK_NO_IVT_HITS;
	*strrchr(g->name, '-') = 0; /* loop-KIND-if1-Nms -> irq-KIND-if1-Mms */
	snprintf(name, sizeof(name), "irq-%s-%ums", g->name + 5, g->timeout_ms);
	memcpy(g->name, name, sizeof(name));
}

static const struct fcase {
	const char *name;
	uint8_t len;
	uint8_t code[20];
	int8_t vector;
} fault_cases[] = {
	{ "ud2", 2, { 0x0f, 0x0b }, 6 },
	{ "ud0", 3, { 0x0f, 0xff, 0xc0 }, 6 },
	{ "lock-nop", 2, { 0xf0, 0x90 }, 6 },
	{ "mov-cs", 2, { 0x8e, 0xc8 }, 6 },
	{ "sse-without-osfxsr", 3, { 0x0f, 0x28, 0xc0 }, 6 },
	{ "div0", 4, { 0x31, 0xc9, 0xf7, 0xf1 }, 0 },                          /* xor cx,cx; div cx */
	{ "idiv-overflow", 9, { 0xb8, 0x00, 0x80, 0x99, 0xbb, 0xff, 0xff, 0xf7, 0xfb }, 0 }, /* -32768 / -1 */
	{ "aam0", 2, { 0xd4, 0x00 }, 0 },
	{ "gp-ds-limit", 4, { 0x8b, 0x06, 0xff, 0xff }, 13 },                 /* mov ax,[0xffff] */
	{ "gp-addr32", 9, { 0x66, 0xbb, 0x00, 0x00, 0x01, 0x00, 0x67, 0x8b, 0x03 }, 13 }, /* mov ax,[ebx=0x10000] */
	{ "gp-eip-beyond-limit", 6, { 0x66, 0xe9, 0x00, 0x00, 0x01, 0x00 }, 13 }, /* jmp rel32 to 0x10006 */
	{ "gp-sysenter", 2, { 0x0f, 0x34 }, 13 },                              /* SYSENTER_CS is 0 */
	{ "ss-limit", 6, { 0xbd, 0xff, 0xff, 0x8b, 0x46, 0x00 }, 12 },        /* mov ax,[bp=0xffff] */
	{ "int3", 1, { 0xcc }, 3 },
	{ "into", 5, { 0xb0, 0x7f, 0x04, 0x01, 0xce }, 4 },                    /* 0x7f+1 sets OF */
	{ "bound", 19, { 0xc7, 0x06, 0x00, 0x03, 0x0a, 0x00, 0xc7, 0x06, 0x02, 0x03, 0x14, 0x00, 0xb8, 0x1e, 0x00,
			 0x62, 0x06, 0x00, 0x03 }, 5 },                                 /* 30 outside [10,20] */
	/* "#PF-like": the last dword of the address space, FFFF:FFFE, crosses
	 * the segment limit (real mode and vm86 have no paging fault to give) */
	{ "pf-like-hma-edge", 11, { 0xb8, 0xff, 0xff, 0x8e, 0xc0, 0x66, 0x26, 0x8b, 0x06, 0xfe, 0xff }, 13 },
	{ "db-single-step", 8, { 0x9c, 0x58, 0x80, 0xcc, 0x01, 0x50, 0x9d, 0x90 }, 1 }, /* POPF sets TF */
};
#define NFAULT (sizeof(fault_cases) / sizeof(fault_cases[0]))

static void gen_fault(struct gen *g, struct rng *r, const struct env *e, int i)
{
	const struct fcase *f = &fault_cases[i % NFAULT];

	base_regs(g, r, 1);
	g->r.eflags = 0x2 | (rnd(r, 2) ? 0x200 : 0);
	for (int k = (int)rnd(r, 4); k > 0; k--)
		B(g, 0x90);
	emit(g, f->code, f->len);
	retf(g);
	g->want_vector = f->vector;
	/* Virtual-8086 mode with CR4.VME and IOPL < 3 (the module's setting):
	 * a POPF that would set TF is #GP (SDM Vol. 3A §20.4.2), not a trap. */
	if (f->vector == 1 && e->strategy == BIOSX_STRATEGY_VM86)
		g->want_vector = 13;
	setname(g, "fault-%s", f->name);
}

static void gen_hlt(struct gen *g, struct rng *r, const struct env *e, int i)
{
	int v = i % 7, if1 = (int)rnd(r, 2);
	static const char *const names[] = { "if0", "if1", "if1-nops", "after-cpuid", "movss-shadow", "loop",
					     "after-io" };

	(void)e;
	base_regs(g, r, 1);
	g->r.eflags = if1 ? 0x202 : 0x2;
	switch (v) {
	case 0: B(g, 0xfa); break;
	case 1: B(g, 0xfb); break;
	case 2:
		B(g, 0xfb);
		for (int k = 1 + (int)rnd(r, 9); k > 0; k--)
			B(g, 0x90);
		break;
	case 3: B(g, 0x66, 0x31, 0xc0, 0x0f, 0xa2); break;
	case 4: B(g, 0x8c, 0xd0, 0x8e, 0xd0); break; /* mov ax,ss; mov ss,ax */
	case 5: break;
	case 6: B(g, 0xe4, 0x80); break;
	}
	g->check = CHK_HLT_AT;
	g->arg = (uint64_t)g->n;
	B(g, 0xf4);
	if (v == 5)
		B(g, 0xeb, 0xfd);
	retf(g);
	setname(g, "hlt-%s%s", names[v], v < 3 ? "" : if1 ? "-if1" : "-if0");
}

/* A far target: anywhere, or (safe mode) inside the landing zone. */
static void far_target(struct rng *r, const struct env *e, uint16_t *seg, uint16_t *off)
{
	if (e->safe) {
		*seg = (uint16_t)(LAND_SEG + rnd(r, 0x1000));
		*off = rnd16(r);
	} else {
		*seg = rnd16(r);
		*off = rnd16(r);
	}
}

static void gen_wild(struct gen *g, struct rng *r, const struct env *e, int i)
{
	static const int safe_kinds[] = { 0, 1, 2, 3, 4, 5, 8, 9 };
	int k = e->safe ? safe_kinds[i % 8] : i % 14;
	uint16_t seg, off;

	base_regs(g, r, 1);
	g->r.eflags = 0x2 | ((e->safe || rnd(r, 2)) ? 0x200 : 0);
	far_target(r, e, &seg, &off);
	switch (k) {
	case 0: B(g, 0xea); w16(g, off); w16(g, seg); setname(g, "wild-jmp-far-%04x:%04x", seg, off); break;
	case 1: B(g, 0x9a); w16(g, off); w16(g, seg); setname(g, "wild-call-far-%04x:%04x", seg, off); break;
	case 2: {
		uint16_t fl = rnd16(r);

		if (e->safe)
			fl |= 0x200;
		B(g, 0x68); w16(g, fl); B(g, 0x68); w16(g, seg); B(g, 0x68); w16(g, off); B(g, 0xcf);
		setname(g, "wild-iret-%04x:%04x-fl%04x", seg, off, fl);
		break;
	}
	case 3: B(g, 0x68); w16(g, seg); B(g, 0x68); w16(g, off); retf(g); setname(g, "wild-retf-%04x:%04x", seg, off); break;
	case 4: {
		uint32_t o = 0x10000u + rnd(r, 0xfff0000u);

		B(g, 0x66, 0xea); w32(g, o); w16(g, CODE_SEG);
		setname(g, "wild-jmp-far32-%04x:%08x", CODE_SEG, o);
		break;
	}
	case 5: B(g, 0xea); w16(g, 0x0600); w16(g, 0x0000); setname(g, "wild-jmp-trap"); break;
	case 6: B(g, 0xea); w16(g, 0xfff0); w16(g, 0xf000); setname(g, "wild-jmp-reset-vector"); break;
	case 7: B(g, 0xea); w16(g, 0xffff); w16(g, 0xffff); setname(g, "wild-jmp-ffff:ffff"); break;
	case 8: {
		uint16_t rel = rnd16(r);

		B(g, 0xe9); w16(g, rel);
		setname(g, "wild-jmp-near-%04x", (unsigned)(g->n + rel) & 0xffff);
		break;
	}
	case 9: /* call far [DS:OFF_DATA] holding the target */
		put16(g->img + OFF_DATA, off);
		put16(g->img + OFF_DATA + 2, seg);
		g->r.ds = CODE_SEG;
		B(g, 0xff, 0x1e); w16(g, OFF_DATA);
		setname(g, "wild-call-far-mem-%04x:%04x", seg, off);
		break;
	case 10: off = (uint16_t)(rnd(r, 0x100) * 4); B(g, 0xea); w16(g, off); w16(g, 0); setname(g, "wild-jmp-ivt-0000:%04x", off); break;
	case 11: B(g, 0xea); w16(g, off); w16(g, 0xf000); setname(g, "wild-jmp-bios-f000:%04x", off); break;
	case 12: B(g, 0xea); w16(g, off); w16(g, 0xc000); setname(g, "wild-jmp-vgarom-c000:%04x", off); break;
	case 13: seg = (uint16_t)(0xffff - rnd(r, 16)); B(g, 0xea); w16(g, off); w16(g, seg); setname(g, "wild-jmp-hma-%04x:%04x", seg, off); break;
	}
	retf(g);
}

/* GDT at CODE_SEG:OFF_GDT, its pseudo-descriptor at OFF_GDTR. */
static void put_gdt(struct gen *g)
{
	static const uint8_t gdt[] = {
		0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0, 0, 0x00, 0x92, 0xcf, 0, /* 0x08 flat 4 GiB data */
		0xff, 0xff, 0, 0, 0x02, 0x9a, 0x00, 0, /* 0x10 16-bit code, base 0x20000 */
		0xff, 0xff, 0, 0, 0x03, 0x92, 0x00, 0, /* 0x18 16-bit data, base 0x30000 */
		0x67, 0x00, 0, 0, 0x03, 0x89, 0x00, 0, /* 0x20 32-bit TSS, base 0x30000 */
	};
	memcpy(g->img + OFF_GDT, gdt, sizeof(gdt));
	put16(g->img + OFF_GDTR, sizeof(gdt) - 1);
	put32(g->img + OFF_GDTR + 2, CODE_LIN + OFF_GDT);
}
static void lgdt(struct gen *g) { put_gdt(g); B(g, 0x2e, 0x0f, 0x01, 0x16); w16(g, OFF_GDTR); }
static void pe_on(struct gen *g) { B(g, 0x0f, 0x20, 0xc0, 0x66, 0x83, 0xc8, 0x01, 0x0f, 0x22, 0xc0); }
static void pe_off(struct gen *g) { B(g, 0x0f, 0x20, 0xc0, 0x66, 0x83, 0xe0, 0xfe, 0x0f, 0x22, 0xc0); }

static uint32_t beyond_address(struct rng *r)
{
	static const uint32_t fixed[] = { 0x110000, 0x1000000, 0xfee00000, 0xfec00000, 0xfed00000, 0xe0000000,
					  0xfffffff0 };
	uint32_t k = rnd(r, 9);

	return k < 7 ? fixed[k] : 0x200000u + (rnd32(r) & 0xffdffff0u);
}

static void gen_pm(struct gen *g, struct rng *r, const struct env *e, int i)
{
	int v = i % 13;
	uint32_t addr = beyond_address(r);

	(void)e;
	base_regs(g, r, 1);
	g->r.fs = g->r.gs = 0;
	B(g, 0xfa);
	switch (v) {
	case 0: case 1: /* PE via MOV CR0, flat DS, read/write beyond the guest area */
		lgdt(g); pe_on(g); mov_bx(g, 8); B(g, 0x8e, 0xdb);
		B(g, 0x67, v ? 0x89 : 0x8b, 0x05); w32(g, addr);
		g->check = CHK_EPT_ADDR; g->arg = addr;
		setname(g, "pm-%s-beyond-%08x", v ? "write" : "read", addr);
		break;
	case 2: /* PE via LMSW */
		lgdt(g); B(g, 0x0f, 0x01, 0xe0, 0x0c, 0x01, 0x0f, 0x01, 0xf0); mov_bx(g, 8); B(g, 0x8e, 0xdb);
		B(g, 0x67, 0x8b, 0x05); w32(g, addr);
		g->check = CHK_EPT_ADDR; g->arg = addr;
		setname(g, "pm-lmsw-read-beyond-%08x", addr);
		break;
	case 3: /* unreal mode: back to real mode with a 4 GiB DS */
		lgdt(g); pe_on(g); mov_bx(g, 8); B(g, 0x8e, 0xdb); pe_off(g);
		mov_ebx(g, addr); B(g, 0x67, 0x8b, 0x03);
		g->check = CHK_EPT_ADDR; g->arg = addr;
		setname(g, "unreal-read-%08x", addr);
		break;
	case 4: case 5: { /* a BIOS-style round trip: PM code segment, an exit inside, back */
		int at;

		lgdt(g); pe_on(g);
		B(g, 0xea); at = g->n; w16(g, 0); w16(g, 0x10);
		put16(g->img + at, (uint32_t)g->n);
		mov_bx(g, 0x18); B(g, 0x8e, 0xdb); B(g, 0xa1); w16(g, 0);
		if (v == 5)
			B(g, 0xe4, 0x80, 0x66, 0x31, 0xc0, 0x0f, 0xa2); /* in al,0x80; cpuid */
		pe_off(g);
		B(g, 0xea); at = g->n; w16(g, 0); w16(g, CODE_SEG);
		put16(g->img + at, (uint32_t)g->n);
		mov_bx(g, DATA_SEG); B(g, 0x8e, 0xdb);
		setname(g, "pm-roundtrip%s", v == 5 ? "-exit-inside" : "");
		break;
	}
	case 6: /* LIDT with a zero limit, then INT */
		put16(g->img + OFF_DATA, 0);
		put32(g->img + OFF_DATA + 2, rnd32(r));
		B(g, 0x2e, 0x0f, 0x01, 0x1e); w16(g, OFF_DATA); B(g, 0xcd, 0x11);
		setname(g, "lidt-limit0-int11");
		break;
	case 7: { /* paging on with a garbage CR3 */
		uint32_t cr3 = rnd32(r) & 0xfffff000u;

		mov_eax(g, cr3); B(g, 0x0f, 0x22, 0xd8); lgdt(g);
		B(g, 0x0f, 0x20, 0xc0, 0x66, 0x0d, 0x01, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0, 0xeb, 0x00, 0x90);
		setname(g, "pm-paging-cr3-%08x", cr3);
		break;
	}
	case 8: /* CR4.PAE and EFER.LME: a long-mode attempt */
		B(g, 0x0f, 0x20, 0xe0, 0x66, 0x83, 0xc8, 0x20, 0x0f, 0x22, 0xe0);
		mov_ecx(g, 0xc0000080); B(g, 0x0f, 0x32, 0x66, 0x0d, 0x00, 0x01, 0x00, 0x00, 0x0f, 0x30);
		setname(g, "long-mode-attempt");
		break;
	case 9: /* a selector beyond the GDT limit */
		lgdt(g); pe_on(g); mov_bx(g, 0xfff8); B(g, 0x8e, 0xdb);
		setname(g, "pm-selector-beyond-gdt");
		break;
	case 10: /* RETF in protected mode to the real-mode return frame (CS 0) */
		lgdt(g); pe_on(g);
		setname(g, "pm-retf-null-cs");
		break;
	case 11: /* a task switch through a TSS selector */
		lgdt(g); pe_on(g); B(g, 0xea); w16(g, 0); w16(g, 0x20);
		setname(g, "pm-task-switch");
		break;
	case 12: /* INT in protected mode with the IVT as IDT */
		lgdt(g); pe_on(g); B(g, 0xcd, 0x10);
		setname(g, "pm-int-through-ivt");
		break;
	}
	retf(g);
}

/* MSRs a routine might read: the host's syscall/sysenter entry points and
 * GS bases first (kernel addresses), then the rest. */
static const uint32_t msr_list[] = {
	0xc0000082, /* LSTAR */ 0xc0000101, /* GS_BASE */ 0xc0000102, /* KERNEL_GS_BASE */
	0x174, 0x175, 0x176, /* SYSENTER_CS/ESP/EIP */ 0xc0000083, /* CSTAR */ 0xc0000100, /* FS_BASE */
	0xc0000080, /* EFER */ 0xc0000081, /* STAR */ 0xc0000084, /* FMASK */ 0xc0000103, /* TSC_AUX */
	0x10, /* TSC */ 0x1b, /* APIC_BASE */ 0x3a, /* FEATURE_CONTROL */ 0x3b, /* TSC_ADJUST */
	0x48, /* SPEC_CTRL */ 0x8b, /* microcode */ 0xe7, 0xe8, /* MPERF APERF */ 0xfe, /* MTRRCAP */
	0x10a, /* ARCH_CAPABILITIES */ 0x179, 0x17a, /* MCG */ 0x1a0, /* MISC_ENABLE */ 0x1d9, /* DEBUGCTL */
	0x200, 0x201, /* MTRR base/mask 0 */ 0x277, /* PAT */ 0x2ff, /* MTRR_DEF_TYPE */ 0x400, 0x401, /* MC0 */
	0x480, 0x481, 0x48b, 0x48c, /* VMX caps */ 0x600, /* DS_AREA */ 0x6e0, /* TSC_DEADLINE */
	0x6a0, 0x6a2, 0x6a4, /* CET */ 0x802, 0x80f, 0x830, /* x2APIC */ 0xda0, /* XSS */
	0x38f, 0x186, 0xc1, /* perf */ 0x1c9, 0x680, 0x6c0, /* LBR */ 0x122, /* TSX_CTRL */
	0x0, 0x8, 0xffffffff, 0x40000000, 0x4b564d00, 0xc0010000, 0xc0011029,
};
#define NMSR (sizeof(msr_list) / sizeof(msr_list[0]))

static void gen_crmsr(struct gen *g, struct rng *r, const struct env *e, int i)
{
	/* 5 of every 8 runs read an MSR (100 runs cover the list), the
	 * others cycle through the 12 kinds below */
	int k = (i / 8 * 3 + i % 8 - 5) % 12;

	(void)e;
	base_regs(g, r, 1);
	if (i % 8 < 5) {
		uint32_t msr = msr_list[(i / 8 * 5 + i % 8) % NMSR];

		mov_ecx(g, msr); B(g, 0x0f, 0x32);
		g->check = CHK_MSR; g->arg = msr;
		setname(g, "rdmsr-0x%x", msr);
		retf(g);
		return;
	}
	switch (k) {
	case 0: case 1: { /* WRMSR (a kernel-looking value), then read back */
		uint32_t msr = msr_list[rnd(r, NMSR)];
		uint64_t v = k ? 0xffffffff81000000ull + (rnd32(r) & 0xfff000) : ((uint64_t)rnd32(r) << 32 | rnd32(r));

		mov_ecx(g, msr); mov_eax(g, (uint32_t)v); mov_edx(g, (uint32_t)(v >> 32)); B(g, 0x0f, 0x30);
		B(g, 0x0f, 0x32);
		g->check = CHK_MSR; g->arg = msr;
		setname(g, "wrmsr-0x%x-rdmsr", msr);
		break;
	}
	case 2: { /* MOV CR0 */
		static const uint32_t v[] = { 0x60000010, 0x80000000, 0x1, 0x80000011, 0x8, 0x10000, 0x40000 };
		uint32_t x = rnd(r, 8) < 7 ? v[rnd(r, 7)] : rnd32(r);

		mov_eax(g, x); B(g, 0x0f, 0x22, 0xc0, 0x0f, 0x20, 0xc0);
		setname(g, "mov-cr0-0x%08x", x);
		break;
	}
	case 3: { uint32_t x = rnd32(r); mov_eax(g, x); B(g, 0x0f, 0x22, 0xd8, 0x0f, 0x20, 0xd8); setname(g, "mov-cr3-0x%08x", x); break; }
	case 4: { /* MOV CR4, one bit at a time or random */
		uint32_t x = rnd(r, 4) ? 1u << rnd(r, 24) : rnd32(r);

		mov_eax(g, x); B(g, 0x0f, 0x22, 0xe0);
		setname(g, "mov-cr4-0x%08x", x);
		break;
	}
	case 5: { static const uint8_t crs[] = { 2, 2, 1, 5, 6, 7 }; /* CR2, or CR1/5/6/7 (#UD) */
		uint32_t n = crs[rnd(r, 6)];

		mov_eax(g, rnd32(r)); B(g, 0x0f, 0x22, (uint8_t)(0xc0 | n << 3), 0x0f, 0x20, (uint8_t)(0xc0 | n << 3));
		setname(g, "mov-cr%u", n);
		break;
	}
	case 6: case 7: { /* MOV DRn write, read */
		uint32_t n = rnd(r, 8), x = rnd(r, 2) ? rnd32(r) : CODE_LIN;

		if (n == 7)
			x = (x & 0xffff00ffu) | 0x400;
		mov_eax(g, x); B(g, 0x0f, 0x23, (uint8_t)(0xc0 | n << 3), 0x0f, 0x21, (uint8_t)(0xc0 | n << 3));
		setname(g, "mov-dr%u-0x%08x", n, x);
		break;
	}
	case 8: { uint32_t n = rnd(r, 8); B(g, 0x0f, 0x21, (uint8_t)(0xc0 | n << 3)); setname(g, "mov-from-dr%u", n); break; }
	case 9: /* DR7.GD, then a DR access: #DB */
		mov_eax(g, 0x2400); B(g, 0x0f, 0x23, 0xf8, 0x0f, 0x21, 0xc0);
		setname(g, "dr7-general-detect");
		break;
	case 10: { /* an execute breakpoint on the next instruction */
		int at;

		mov_eax(g, 0); at = g->n - 4; B(g, 0x0f, 0x23, 0xc0);
		mov_eax(g, 0x401); B(g, 0x0f, 0x23, 0xf8);
		put32(g->img + at, CODE_LIN + (uint32_t)g->n);
		B(g, 0x90);
		setname(g, "dr0-exec-breakpoint");
		break;
	}
	case 11: B(g, 0x0f, 0x01, 0xe0, 0x0f, 0x01, 0xf0, 0x0f, 0x06); setname(g, "smsw-lmsw-clts"); break;
	}
	retf(g);
}

static const uint16_t io_ports[] = {
	0x00, 0x01, 0x08, 0x0a, 0x0b, 0x0c, 0x0d, 0x0f, /* DMA 1 */ 0xc0, 0xc4, 0xd0, 0xd4, 0xd6, 0xd8, 0xda, 0xde,
	0x80, 0x81, 0x87, 0x89, 0x8f, /* DMA page, POST */ 0x20, 0x21, 0xa0, 0xa1, /* PICs */
	0x40, 0x41, 0x42, 0x43, /* PIT */ 0x60, 0x61, 0x64, /* KBC, port B */ 0x92, 0xcf9, /* resets */
	0x70, 0x71, 0xcf8, 0xcfc, 0x4d0, 0x4d1, 0xb2,
};
#define NPORT (sizeof(io_ports) / sizeof(io_ports[0]))

static void gen_io(struct gen *g, struct rng *r, const struct env *e, int i)
{
	uint16_t port = (uint16_t)(io_ports[i % NPORT] + rnd(r, 5) - 3);
	unsigned int size = 1u << rnd(r, 3), op = rnd(r, 8);
	static const char *const ops[] = { "in", "out", "in-dx", "out-dx", "ins", "outs", "rep-ins", "rep-outs" };
	uint8_t pfx = size == 4 ? 0x66 : 0x90, w = size == 1 ? 0 : 1;

	base_regs(g, r, 1);
	if (!e->real_io)
		g->flags |= BIOSX_RUN_VIRTUAL_IO;
	if (op < 2 && port > 0xff)
		op += 2;
	if (op != 0 && op != 1)
		mov_dx(g, port);
	g->r.esi = g->r.edi = STRIO_INDEX;
	if (op >= 4) {
		uint16_t n = op >= 6 ? (uint16_t)(1 + rnd(r, 8)) : 1;
		int df = (int)rnd(r, 2);

		if (op >= 6)
			mov_cx(g, n);
		if (df)
			g->r.eflags |= 0x400;
		g->check = CHK_STRIO;
		g->arg = STRIO_ARG(n, size, !(op & 1), op >= 6, df);
	}
	switch (op) {
	case 0: B(g, pfx, (uint8_t)(0xe4 | w), (uint8_t)port); break;
	case 1: B(g, pfx, (uint8_t)(0xe6 | w), (uint8_t)port); break;
	case 2: B(g, pfx, (uint8_t)(0xec | w)); break;
	case 3: B(g, pfx, (uint8_t)(0xee | w)); break;
	case 4: B(g, pfx, (uint8_t)(0x6c | w)); break;
	case 5: B(g, pfx, (uint8_t)(0x6e | w)); break;
	case 6: B(g, pfx, 0xf3, (uint8_t)(0x6c | w)); break;
	case 7: B(g, pfx, 0xf3, (uint8_t)(0x6e | w)); break;
	}
	if ((op == 0 || op == 2) && CHECK_VIRTUAL_IN_ALL_ONES && !e->real_io) {
		g->check = CHK_VIRT_IN;
		g->arg = size;
	}
	retf(g);
	setname(g, "io-%s%u-0x%x", ops[op], size * 8, port);
}

static void gen_instr(struct gen *g, struct rng *r, const struct env *e, int i)
{
	int k = i % 40;

	(void)e;
	base_regs(g, r, 1);
	g->flags |= BIOSX_RUN_VIRTUAL_IO;
	put32(g->img + OFF_DATA, 0x1000);
	put32(g->img + OFF_DATA + 4, 0);
	g->r.ds = CODE_SEG;
	g->r.ebx = OFF_DATA;
	switch (k) {
	case 0: B(g, 0x0f, 0x08); setname(g, "invd"); break;
	case 1: B(g, 0x0f, 0x09); setname(g, "wbinvd"); break;
	case 2: mov_ecx(g, 0); mov_eax(g, 7); mov_edx(g, 0); B(g, 0x0f, 0x01, 0xd1); setname(g, "xsetbv"); break;
	case 3: mov_ecx(g, 0); B(g, 0x0f, 0x01, 0xd0); setname(g, "xgetbv"); break;
	case 4: B(g, 0x0f, 0x01, 0xc1); setname(g, "vmcall"); break;
	case 5: B(g, 0xf3, 0x0f, 0xc7, 0x36); w16(g, OFF_DATA); setname(g, "vmxon"); break;
	case 6: B(g, 0x0f, 0xc7, 0x36); w16(g, OFF_DATA); setname(g, "vmptrld"); break;
	case 7: B(g, 0x66, 0x0f, 0xc7, 0x36); w16(g, OFF_DATA); setname(g, "vmclear"); break;
	case 8: B(g, 0x0f, 0x01, 0xc2); setname(g, "vmlaunch"); break;
	case 9: B(g, 0x0f, 0x01, 0xc3); setname(g, "vmresume"); break;
	case 10: B(g, 0x0f, 0x01, 0xc4); setname(g, "vmxoff"); break;
	case 11: mov_eax(g, 0x6c16); B(g, 0x0f, 0x78, 0xc3); setname(g, "vmread"); break;
	case 12: mov_eax(g, 0x6c16); B(g, 0x0f, 0x79, 0xd8); setname(g, "vmwrite"); break;
	case 13: mov_eax(g, 1); B(g, 0x66, 0x0f, 0x38, 0x80, 0x06); w16(g, OFF_DATA); setname(g, "invept"); break;
	case 14: mov_eax(g, 1); B(g, 0x66, 0x0f, 0x38, 0x81, 0x06); w16(g, OFF_DATA); setname(g, "invvpid"); break;
	case 15: mov_eax(g, 0); B(g, 0x0f, 0x01, 0xd4); setname(g, "vmfunc"); break;
	case 16: mov_eax(g, rnd(r, 8)); B(g, 0x0f, 0x37); setname(g, "getsec"); break;
	case 17: case 18: case 19: {
		static const uint32_t leaves[] = { 0, 1, 7, 0xa, 0xb, 0xd, 0x12, 0x14, 0x15, 0x40000000, 0x40000001,
						   0x80000000, 0x80000001, 0x80000008, 0x4fffffff, 0xffffffff };
		uint32_t leaf = k == 17 ? 1 : leaves[rnd(r, 16)];

		mov_eax(g, leaf); mov_ecx(g, rnd(r, 3)); B(g, 0x0f, 0xa2);
		if (leaf == 1)
			g->check = CHK_CPUID1;
		setname(g, "cpuid-0x%x", leaf);
		break;
	}
	case 20: B(g, 0x0f, 0x31); setname(g, "rdtsc"); break;
	case 21: B(g, 0x0f, 0x01, 0xf9); setname(g, "rdtscp"); break;
	case 22: case 23: {
		static const uint32_t ctr[] = { 0, 1, 2, 0x40000000, 0x40000001, 0x80000000 };
		uint32_t c = rnd(r, 7) < 6 ? ctr[rnd(r, 6)] : rnd32(r);

		mov_ecx(g, c); B(g, 0x0f, 0x33);
		setname(g, "rdpmc-0x%x", c);
		break;
	}
	case 24: B(g, 0x0f, 0xc7, 0xf0); setname(g, "rdrand"); break;
	case 25: B(g, 0x0f, 0xc7, 0xf8); setname(g, "rdseed"); break;
	case 26: mov_eax(g, CODE_LIN + OFF_DATA); mov_ecx(g, 0); mov_edx(g, 0); B(g, 0x0f, 0x01, 0xc8, 0x0f, 0x01, 0xc9);
		g->timeout_ms = 5; setname(g, "monitor-mwait"); break;
	case 27: B(g, 0x0f, 0x01, 0x3f); setname(g, "invlpg"); break;
	case 28: B(g, 0x0f, 0xaa); setname(g, "rsm"); break;
	case 29: B(g, 0x0f, 0x01, 0x06); w16(g, OFF_DATA); B(g, 0x0f, 0x01, 0x0e); w16(g, OFF_DATA + 8);
		setname(g, "sgdt-sidt"); break;
	case 30: B(g, 0x0f, 0x00, 0xc0, 0x0f, 0x00, 0xc8); setname(g, "sldt-str"); break;
	case 31: B(g, 0x31, 0xc0, 0x0f, 0x00, 0xd0, 0x0f, 0x00, 0xd8); setname(g, "lldt-ltr"); break;
	case 32: B(g, 0x0f, 0x05); setname(g, "syscall"); break;
	case 33: B(g, 0x0f, 0x01, 0xf8); setname(g, "swapgs"); break;
	case 34: B(g, 0x0f, 0x01, 0xcf); setname(g, "encls"); break;
	case 35: B(g, 0x31, 0xc9, 0x31, 0xd2, 0x0f, 0x01, 0xef); setname(g, "wrpkru"); break;
	case 36: B(g, 0x0f, 0xae, 0x06); w16(g, OFF_DATA); setname(g, "fxsave"); break;
	case 37: B(g, 0xf3, 0x0f, 0xc7, 0xf8); setname(g, "rdpid"); break;
	case 38: mov_eax(g, 0xe820); mov_edx(g, 0x534d4150); mov_ecx(g, 20); mov_ebx(g, 0);
		B(g, 0xbf); w16(g, 0x100); g->r.es = DATA_SEG; B(g, 0xcd, 0x15); setname(g, "bios-int15-e820"); break;
	case 39: { static const uint8_t v[] = { 0x11, 0x12, 0x1a };
		uint8_t n = v[rnd(r, 3)];

		B(g, 0xb4, 0x00, 0xcd, n); setname(g, "bios-int%02x", n); break; }
	}
	retf(g);
}

/* ---------------------------------------------------------------------- */

static const char *const end_names[] = { "RETURN_TRAP", "TIMEOUT", "HALT", "EXCEPTION", "TRIPLE_FAULT",
					 "EPT_VIOLATION", "ENTRY_FAILURE", "UNHANDLED" };
static const char *end_name(uint32_t end)
{
	static char buf[16];

	if (end < sizeof(end_names) / sizeof(end_names[0]))
		return end_names[end];
	snprintf(buf, sizeof(buf), "END%u", end);
	return buf;
}
static const char *strategy_name(int s) { return s == BIOSX_STRATEGY_UNRESTRICTED ? "unrestricted" : s == BIOSX_STRATEGY_VM86 ? "vm86" : "auto"; }

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int verbose, dry_run;
static uint16_t bda410;

struct dev {
	int fd;
	uint8_t *mem;
};

static int dev_open(struct dev *d)
{
	uint32_t ver = 0;

	d->fd = open("/dev/biosx", O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		return -errno;
	if (ioctl(d->fd, BIOSX_IOC_VERSION, &ver) < 0 || ver != BIOSX_ABI_VERSION) {
		int e = errno ? errno : EPROTO;

		fprintf(stderr, "hostile: BIOSX_IOC_VERSION: %s (version %u, header %u)\n", strerror(e), ver,
			BIOSX_ABI_VERSION);
		close(d->fd);
		return -e;
	}
	d->mem = mmap(NULL, BIOSX_GUEST_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, 0);
	if (d->mem == MAP_FAILED) {
		int e = errno;

		close(d->fd);
		return -e;
	}
	return 0;
}

static void dev_close(struct dev *d)
{
	munmap(d->mem, BIOSX_GUEST_BYTES);
	close(d->fd);
	d->fd = -1;
}

static int read_bda410(uint16_t *v)
{
	int fd = open("/dev/mem", O_RDONLY | O_CLOEXEC);
	int ok;

	if (fd < 0)
		return -errno;
	ok = pread(fd, v, 2, 0x410) == 2;
	close(fd);
	return ok ? 0 : -EIO;
}

static int errno_ok(int e)
{
	for (size_t i = 0; i < sizeof(run_errnos_ok) / sizeof(run_errnos_ok[0]); i++)
		if (e == run_errnos_ok[i])
			return 1;
	return 0;
}

/* INT 11h through a fresh open: must end at the trap with the BDA's word.
 * Returns 0, or 1 on a failure (printed); EBUSY and the like are reported
 * through *busy and are not failures. */
static int int11_printed;
#define INT11_FAIL(...) (int11_printed++ < MAX_FAIL_PRINT ? printf(__VA_ARGS__) : 0)
static int int11_once(uint32_t force, const char *when, int *busy, int quiet)
{
	struct dev d;
	struct biosx_run run;
	int err = dev_open(&d);

	if (busy)
		*busy = 0;
	if (err) {
		INT11_FAIL("hostile: FAIL int11 (%s): open/mmap /dev/biosx: %s\n", when, strerror(-err));
		return 1;
	}
	memset(&run, 0, sizeof(run));
	run.entry = BIOSX_ENTRY_INT;
	run.vector = 0x11;
	run.flags = force;
	run.timeout_ms = 1000;
	run.regs.esp = 0x7c00;
	run.regs.eflags = 0x2;
	if (ioctl(d.fd, BIOSX_IOC_RUN, &run) < 0) {
		int e = errno;

		dev_close(&d);
		if (busy && errno_ok(e)) {
			*busy = e;
			return 0;
		}
		INT11_FAIL("hostile: FAIL int11 (%s): BIOSX_IOC_RUN: %s\n", when, strerror(e));
		return 1;
	}
	dev_close(&d);
	if (run.end != BIOSX_END_RETURN_TRAP || (run.regs.eax & 0xffff) != bda410) {
		INT11_FAIL("hostile: FAIL int11 (%s): end %s, AX 0x%04x, BDA 0x410 holds 0x%04x\n", when, end_name(run.end),
		       run.regs.eax & 0xffff, bda410);
		return 1;
	}
	if (!quiet && verbose)
		printf("hostile: int11 (%s) 0x%04x ok\n", when, bda410);
	return 0;
}

struct stats {
	unsigned long runs, failures, printed;
	unsigned long ends[NEND];
	unsigned long vectors[32];
	unsigned long errnos[3];
	unsigned long irq_exits;
	double seconds;
};

static void hexdump_code(const struct gen *g, char *out, size_t cap)
{
	size_t o = 0;

	for (int i = 0; i < g->n && o + 3 < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%02x", g->img[i]);
}

static void run_fail(struct stats *st, const char *sname, const struct category *c, int i, const struct gen *g,
		     const struct biosx_run *run, const char *fmt, ...)
{
	char why[256], code[2 * CODE_MAX + 1];
	va_list ap;

	st->failures++;
	if (st->printed++ >= MAX_FAIL_PRINT)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	hexdump_code(g, code, sizeof(code));
	printf("hostile: FAIL [%s] %s #%d %s: %s", sname, c->name, i, g->name, why);
	if (run)
		printf(" (end %s, exit reason 0x%x, vector %u, error 0x%" PRIx64 ", qualification 0x%" PRIx64
		       ", address 0x%" PRIx64 ", at %04x:%04x, exits %u)",
		       end_name(run->end), run->exit_reason, run->vector_out, (uint64_t)run->error_code,
		       (uint64_t)run->qualification, (uint64_t)run->address, run->regs.cs, run->regs.eip & 0xffff,
		       run->exits);
	printf("; code %s\n", code);
}

static uint8_t low_snapshot[LOW_RESTORE];

static void fill_landing(struct dev *d, struct rng *r, int safe)
{
	for (uint32_t k = 0; k < LAND_SIZE; k += 8) {
		uint64_t v = rnd64(r);

		for (int j = 0; j < 8; j++, v >>= 8)
			d->mem[LAND_LIN + k + j] = safe ? sanitize((uint8_t)v) : (uint8_t)v;
	}
}

static int reopen(struct dev *d, struct rng *r, int safe)
{
	int err;

	if (d->fd >= 0)
		dev_close(d);
	err = dev_open(d);
	if (err) {
		printf("hostile: FAIL open/mmap /dev/biosx: %s\n", strerror(-err));
		return 1;
	}
	memcpy(low_snapshot, d->mem, LOW_RESTORE);
	fill_landing(d, r, safe);
	return 0;
}

static void run_one(struct dev *d, const struct env *e, const struct category *c, int i, uint64_t seed,
		    struct stats *st)
{
	struct gen g;
	struct rng r = { seed ^ ((uint64_t)e->strategy << 56) ^ ((uint64_t)(c - categories) << 40) ^ (uint64_t)i };
	struct biosx_run run;
	const char *sname = strategy_name(e->strategy);
	double t0, ms;
	int rc, err;

	rnd64(&r);
	memset(&g, 0, sizeof(g));
	g.timeout_ms = c->timeout_ms;
	g.want_vector = -1;
	g.flags = BIOSX_RUN_VIRTUAL_IO;
	c->gen(&g, &r, e, i);
	if (e->real_io && !strcmp(c->name, "io"))
		g.flags &= ~BIOSX_RUN_VIRTUAL_IO;

	memcpy(d->mem, low_snapshot, LOW_RESTORE);
	memset(d->mem + CODE_LIN, 0, 0x1000);
	memcpy(d->mem + CODE_LIN, g.img, IMG_SIZE);
	if (g.check == CHK_STRIO) /* where INS may write: ES:00C0..013F */
		memset(d->mem + (DATA_SEG << 4) + STRIO_INDEX - 0x40, 0, 0x80);
	if (g.check == CHK_NO_IVT_HITS) {
		for (uint32_t v = 0; v < 256; v++) {
			uint8_t *stub = d->mem + STUB_LIN + v * 8;

			stub[0] = 0x2e; /* inc byte [cs:0800+v]; iret */
			stub[1] = 0xfe;
			stub[2] = 0x06;
			put16(stub + 3, STUB_COUNT + v);
			stub[5] = 0xcf;
			put16(d->mem + v * 4, v * 8);
			put16(d->mem + v * 4 + 2, STUB_SEG);
		}
		memset(d->mem + STUB_LIN + STUB_COUNT, 0, 256);
	}
	memset(&run, 0, sizeof(run));
	run.regs = g.r;
	run.entry = BIOSX_ENTRY_FAR_CALL;
	run.seg = CODE_SEG;
	run.off = 0;
	run.flags = g.flags | e->force;
	run.timeout_ms = g.timeout_ms;

	if (verbose) { /* the name first: should the machine hang, the console shows which run */
		printf("hostile: [%s] %s #%d %s: ", sname, c->name, i, g.name);
		fflush(stdout);
	}
	t0 = now_s();
	rc = ioctl(d->fd, BIOSX_IOC_RUN, &run);
	err = errno;
	ms = (now_s() - t0) * 1000.0;
	st->runs++;
	if (verbose)
		printf("%s%s %.1f ms\n", rc < 0 ? "errno " : end_name(run.end), rc < 0 ? strerror(err) : "", ms);
	if (rc < 0) {
		if (errno_ok(err)) {
			st->errnos[err == EBUSY ? 0 : err == EINTR ? 1 : 2]++;
			return;
		}
		run_fail(st, sname, c, i, &g, NULL, "BIOSX_IOC_RUN failed: %s", strerror(err));
		return;
	}
	st->ends[run.end < NEND ? run.end : NEND - 1]++;
	if (run.end == BIOSX_END_EXCEPTION && run.vector_out < 32)
		st->vectors[run.vector_out]++;
	if (run.end >= 32 || !(c->ends & END_BIT(run.end))) {
		run_fail(st, sname, c, i, &g, &run, "end %s is not one this category allows", end_name(run.end));
		return;
	}
	if (run.end == BIOSX_END_EXCEPTION && g.want_vector >= 0 && run.vector_out != (uint32_t)g.want_vector) {
		run_fail(st, sname, c, i, &g, &run, "exception %u, expected %d", run.vector_out, g.want_vector);
		return;
	}
	if ((c->flags & CAT_TIMELY) && ms > g.timeout_ms + LOOP_SLACK_MS)
		run_fail(st, sname, c, i, &g, &run, "took %.0f ms with timeout_ms %u", ms, g.timeout_ms);
	if (g.check == CHK_NO_IVT_HITS) {
		char hits[256];
		size_t o = 0;

		hits[0] = 0;
		for (uint32_t v = 0; v < 256 && o < sizeof(hits) - 16; v++)
			if (d->mem[STUB_LIN + STUB_COUNT + v])
				o += (size_t)snprintf(hits + o, sizeof(hits) - o, " 0x%02x x%u", v,
						      d->mem[STUB_LIN + STUB_COUNT + v]);
		if (o)
			run_fail(st, sname, c, i, &g, &run, "interrupts reached the guest's IVT:%s (external-interrupt exits: %u)",
				 hits, run.exit_counts[1]);
		else
			st->irq_exits += run.exit_counts[1];
		return;
	}
	if (run.end != BIOSX_END_RETURN_TRAP && g.check != CHK_HLT_AT && g.check != CHK_EPT_ADDR)
		return;
	switch (g.check) {
	case CHK_NONE:
	case CHK_NO_IVT_HITS:
		break;
	case CHK_MSR: {
		uint64_t v = (uint64_t)run.regs.edx << 32 | run.regs.eax;

		if (v >= KERNEL_ADDR_MIN)
			run_fail(st, sname, c, i, &g, &run, "RDMSR 0x%" PRIx64 " gave 0x%016" PRIx64 ", a kernel address",
				 g.arg, v);
		break;
	}
	case CHK_VIRT_IN: {
		uint32_t mask = g.arg == 4 ? 0xffffffffu : (1u << (8 * g.arg)) - 1;

		if ((run.regs.eax & mask) != mask)
			run_fail(st, sname, c, i, &g, &run, "virtual IN read 0x%x, not all ones", run.regs.eax & mask);
		break;
	}
	case CHK_CPUID1:
		if (run.regs.ecx & (1u << 5))
			run_fail(st, sname, c, i, &g, &run, "CPUID.1:ECX shows VMX (0x%08x)", run.regs.ecx);
		break;
	case CHK_HLT_AT:
		if (run.end == BIOSX_END_HALT && (run.regs.cs != CODE_SEG || (run.regs.eip & 0xffff) != g.arg))
			run_fail(st, sname, c, i, &g, &run, "HLT reported at %04x:%04x, it is at %04x:%04" PRIx64,
				 run.regs.cs, run.regs.eip & 0xffff, CODE_SEG, g.arg);
		break;
	case CHK_STRIO: {
		/* every element done and counted, the index moved by all of
		 * them, the count at 0, and INS wrote all ones (virtual) */
		uint32_t n = g.arg & 0xffff, size = (g.arg >> 16) & 0xff, in = (g.arg >> 24) & 1;
		uint32_t rep = (g.arg >> 25) & 1, df = (g.arg >> 26) & 1;
		uint16_t want = (uint16_t)(df ? STRIO_INDEX - n * size : STRIO_INDEX + n * size);
		uint32_t index = in ? run.regs.edi : run.regs.esi, lo, k;

		if ((index & 0xffff) != want || (rep && (run.regs.ecx & 0xffff)) ||
		    (!e->real_io && run.io_log_count != n)) {
			run_fail(st, sname, c, i, &g, &run, "%u elements: %s 0x%x (want 0x%x), CX 0x%x, %u accesses",
				 n, in ? "DI" : "SI", index & 0xffff, want, run.regs.ecx & 0xffff, run.io_log_count);
			break;
		}
		lo = df ? STRIO_INDEX - (n - 1) * size : STRIO_INDEX;
		for (k = 0; in && !e->real_io && k < n * size; k++)
			if (d->mem[(DATA_SEG << 4) + lo + k] != 0xff) {
				run_fail(st, sname, c, i, &g, &run, "INS left byte %u of %u at ES:%04x as 0x%02x",
					 k, n * size, lo + k, d->mem[(DATA_SEG << 4) + lo + k]);
				break;
			}
		break;
	}
	case CHK_EPT_ADDR:
		if (run.end == BIOSX_END_EPT_VIOLATION && run.address != g.arg)
			run_fail(st, sname, c, i, &g, &run, "EPT violation at 0x%" PRIx64 ", the access was to 0x%" PRIx64,
				 (uint64_t)run.address, g.arg);
		break;
	}
}

/* --dry-run: the generated code of each run, for a disassembler. */
static void dry_one(const struct env *e, const struct category *c, int i, uint64_t seed)
{
	struct gen g;
	struct rng r = { seed ^ ((uint64_t)e->strategy << 56) ^ ((uint64_t)(c - categories) << 40) ^ (uint64_t)i };
	char code[2 * CODE_MAX + 1];

	rnd64(&r);
	memset(&g, 0, sizeof(g));
	g.timeout_ms = c->timeout_ms;
	g.want_vector = -1;
	c->gen(&g, &r, e, i);
	hexdump_code(&g, code, sizeof(code));
	printf("%s %s %d %s %s\n", strategy_name(e->strategy), c->name, i, g.name, code);
}

static void print_summary(const char *sname, const char *cname, const struct stats *st)
{
	printf("hostile: [%s] %s: %lu runs, %lu failures, %.2f s; ends", sname, cname, st->runs, st->failures,
	       st->seconds);
	for (int k = 0; k < NEND; k++)
		if (st->ends[k])
			printf(" %s=%lu", end_name((uint32_t)k), st->ends[k]);
	if (st->errnos[0] || st->errnos[1] || st->errnos[2])
		printf(" EBUSY=%lu EINTR=%lu ENOMEM=%lu", st->errnos[0], st->errnos[1], st->errnos[2]);
	printf("; vectors");
	for (int k = 0; k < 32; k++)
		if (st->vectors[k])
			printf(" %d=%lu", k, st->vectors[k]);
	if (st->irq_exits)
		printf("; external-interrupt exits %lu", st->irq_exits);
	printf("\n");
	fflush(stdout);
}

static int read_proc_line(const char *path, const char *key, char *val, size_t cap)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t kl = strlen(key);
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ' ') {
			snprintf(val, cap, "%s", line + kl + 1);
			val[strcspn(val, "\n")] = 0;
			found = 1;
			break;
		}
	fclose(f);
	return found;
}

static int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "hostile: sched_setaffinity(%d): %s\n", cpu, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* --cycles */

struct meminfo {
	long memfree, slab, vmalloc_used;
	int have_slabinfo;
	long long slab_bytes;
};

#define MAX_CACHES 1024
struct cache {
	char name[48];
	long active;
};
static struct cache caches_before[MAX_CACHES];
static int ncaches_before;

static void read_meminfo(struct meminfo *m, struct cache *caches, int *ncaches)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];

	memset(m, 0, sizeof(*m));
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "MemFree: %ld", &m->memfree);
			sscanf(line, "Slab: %ld", &m->slab);
			sscanf(line, "VmallocUsed: %ld", &m->vmalloc_used);
		}
		fclose(f);
	}
	if (ncaches)
		*ncaches = 0;
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return;
	m->have_slabinfo = 1;
	while (fgets(line, sizeof(line), f)) {
		char name[48];
		long active, num, size;

		if (sscanf(line, "%47s %ld %ld %ld", name, &active, &num, &size) != 4)
			continue;
		m->slab_bytes += (long long)active * size;
		if (caches && *ncaches < MAX_CACHES) {
			snprintf(caches[*ncaches].name, sizeof(caches[0].name), "%s", name);
			caches[(*ncaches)++].active = active;
		}
	}
	fclose(f);
}

static void settle(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	sync();
	if (fd >= 0) {
		if (write(fd, "3\n", 2) < 0)
			perror("hostile: drop_caches");
		close(fd);
	}
	usleep(200000);
}

/* One cycle: open, VERSION, mmap, INT 11h (checked against the BDA), munmap,
 * close; the time of each phase is added to t[0..2]. Returns 1 when wrong. */
static int one_cycle(int *busy, double t[3])
{
	struct dev d;
	struct biosx_run run;
	double a = now_s(), b, c;
	int err = dev_open(&d), bad = 0;

	*busy = 0;
	b = now_s();
	if (err) {
		INT11_FAIL("hostile: FAIL cycle: open/mmap /dev/biosx: %s\n", strerror(-err));
		return 1;
	}
	memset(&run, 0, sizeof(run));
	run.entry = BIOSX_ENTRY_INT;
	run.vector = 0x11;
	run.timeout_ms = 1000;
	run.regs.esp = 0x7c00;
	run.regs.eflags = 0x2;
	if (ioctl(d.fd, BIOSX_IOC_RUN, &run) < 0) {
		if (errno_ok(errno))
			*busy = errno;
		else {
			bad = 1;
			INT11_FAIL("hostile: FAIL cycle: BIOSX_IOC_RUN: %s\n", strerror(errno));
		}
	} else if (run.end != BIOSX_END_RETURN_TRAP || (run.regs.eax & 0xffff) != bda410) {
		bad = 1;
		INT11_FAIL("hostile: FAIL cycle: end %s, AX 0x%04x, BDA 0x%04x\n", end_name(run.end),
			   run.regs.eax & 0xffff, bda410);
	}
	c = now_s();
	dev_close(&d);
	t[0] += b - a;
	t[1] += c - b;
	t[2] += now_s() - c;
	return bad;
}

static int cycles_mode(long n)
{
	static struct cache after[MAX_CACHES];
	struct meminfo b, a;
	int nafter = 0, fails = 0, busy;
	long k, wrong = 0, busy_n = 0, bound_objs = BOUND_CACHE_OBJS(n);
	double t0;

	double t[3] = { 0, 0, 0 };

	for (k = 0; k < CYCLES_WARMUP; k++)
		wrong += one_cycle(&busy, t);
	settle();
	read_meminfo(&b, caches_before, &ncaches_before);
	t[0] = t[1] = t[2] = 0;
	t0 = now_s();
	for (k = 0; k < n; k++) {
		wrong += one_cycle(&busy, t);
		busy_n += busy != 0;
		if ((k + 1) % 1000 == 0 && k + 1 < n)
			printf("hostile: cycles %ld/%ld, %.1f s\n", k + 1, n, now_s() - t0);
	}
	t0 = now_s() - t0;
	settle();
	read_meminfo(&a, after, &nafter);
	printf("hostile: cycles %ld (open, VERSION, mmap, INT 11h, munmap, close) in %.1f s, %.2f ms each; %ld wrong, %ld busy\n",
	       n, t0, t0 * 1000 / (double)(n ? n : 1), wrong, busy_n);
	printf("hostile: cycles time per cycle: open+VERSION+mmap %.2f ms, RUN %.2f ms, munmap+close %.2f ms\n",
	       t[0] * 1000 / (double)(n ? n : 1), t[1] * 1000 / (double)(n ? n : 1), t[2] * 1000 / (double)(n ? n : 1));
	printf("hostile: cycles MemFree %ld -> %ld kB (%+ld), Slab %ld -> %ld kB (%+ld), VmallocUsed %ld -> %ld kB (%+ld)",
	       b.memfree, a.memfree, a.memfree - b.memfree, b.slab, a.slab, a.slab - b.slab, b.vmalloc_used,
	       a.vmalloc_used, a.vmalloc_used - b.vmalloc_used);
	if (b.have_slabinfo)
		printf(", slabinfo active bytes %lld -> %lld (%+lld)", b.slab_bytes, a.slab_bytes,
		       a.slab_bytes - b.slab_bytes);
	printf("\n");
	printf("hostile: cycles bounds: MemFree drop <= %ld kB, Slab growth <= %d kB, VmallocUsed growth <= %d kB, no slab cache +%ld objects\n",
	       BOUND_MEMFREE_DROP_KB(n), BOUND_SLAB_GROW_KB, BOUND_VMALLOC_GROW_KB, bound_objs);
	if (wrong) {
		printf("hostile: FAIL cycles: %ld of %ld INT 11h runs wrong\n", wrong, n);
		fails++;
	}
	if (b.memfree - a.memfree > BOUND_MEMFREE_DROP_KB(n)) {
		printf("hostile: FAIL cycles-memfree: dropped %ld kB\n", b.memfree - a.memfree);
		fails++;
	}
	if (a.slab - b.slab > BOUND_SLAB_GROW_KB) {
		printf("hostile: FAIL cycles-slab: grew %ld kB\n", a.slab - b.slab);
		fails++;
	}
	if (a.vmalloc_used - b.vmalloc_used > BOUND_VMALLOC_GROW_KB) {
		printf("hostile: FAIL cycles-vmalloc: grew %ld kB\n", a.vmalloc_used - b.vmalloc_used);
		fails++;
	}
	for (int i = 0; i < nafter; i++)
		for (int j = 0; j < ncaches_before; j++)
			if (!strcmp(after[i].name, caches_before[j].name)) {
				long d = after[i].active - caches_before[j].active;

				if (d >= bound_objs) {
					printf("hostile: FAIL cycles-slab-cache: %s grew by %ld objects\n", after[i].name, d);
					fails++;
				} else if (d >= 64 || d <= -64) {
					printf("hostile: cycles slab cache %s %+ld objects (within bound)\n", after[i].name, d);
				}
				break;
			}
	printf("hostile: cycles: %s\n", fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}

/* ---------------------------------------------------------------------- */
/* --smp-loop: INT 11h runs and short IF=1 loops on one CPU, alongside the
 * same on the other CPUs and KVM activity (tests/vm/hardening-tests.sh). */

static int smp_loop(long n, int cpu)
{
	struct dev d = { .fd = -1 };
	long k, ok11 = 0, okloop = 0, busy = 0, fails = 0;
	double t0 = now_s();

	for (k = 0; k < n; k++) {
		struct biosx_run run;
		int loop = k % 4 == 3, e;

		if (k % 10 == 0) {
			if (d.fd >= 0)
				dev_close(&d);
			e = dev_open(&d);
			if (e) {
				printf("hostile: FAIL smp-loop cpu %d: open/mmap: %s\n", cpu, strerror(-e));
				return 1;
			}
			d.mem[CODE_LIN] = 0xfb;
			d.mem[CODE_LIN + 1] = 0xeb;
			d.mem[CODE_LIN + 2] = 0xfe;
		}
		memset(&run, 0, sizeof(run));
		run.regs.esp = 0x7c00;
		run.regs.eflags = loop ? 0x202 : 0x2;
		if (loop) {
			run.entry = BIOSX_ENTRY_FAR_CALL;
			run.seg = CODE_SEG;
			run.timeout_ms = 2;
		} else {
			run.entry = BIOSX_ENTRY_INT;
			run.vector = 0x11;
			run.timeout_ms = 1000;
		}
		if (ioctl(d.fd, BIOSX_IOC_RUN, &run) < 0) {
			e = errno;
			if (e == EBUSY) {
				busy++;
				continue;
			}
			if (fails++ < MAX_FAIL_PRINT)
				printf("hostile: FAIL smp-loop cpu %d run %ld: BIOSX_IOC_RUN: %s\n", cpu, k, strerror(e));
			continue;
		}
		if (loop ? run.end == BIOSX_END_TIMEOUT
			 : run.end == BIOSX_END_RETURN_TRAP && (run.regs.eax & 0xffff) == bda410) {
			loop ? okloop++ : ok11++;
		} else if (fails++ < MAX_FAIL_PRINT) {
			printf("hostile: FAIL smp-loop cpu %d run %ld (%s): end %s, AX 0x%04x (BDA 0x%04x)\n", cpu, k,
			       loop ? "IF=1 loop" : "INT 11h", end_name(run.end), run.regs.eax & 0xffff, bda410);
		}
	}
	if (d.fd >= 0)
		dev_close(&d);
	printf("hostile: smp-loop cpu %d (on cpu %d at the end): %ld runs, INT 11h right %ld, loops timed out %ld, EBUSY %ld, failures %ld, %.1f s\n",
	       cpu, sched_getcpu(), n, ok11, okloop, busy, fails, now_s() - t0);
	return fails ? 1 : 0;
}

/* ---------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hostile [--seed N] [--runs N] [--strategy all|auto|unrestricted|vm86] [--category LIST]\n"
		"               [--real-io] [--safe|--no-safe] [--cpu C] [--verbose]\n"
		"       hostile --cycles[=N] [--cpu C]\n"
		"       hostile --smp-loop N --cpu C\n"
		"  --seed N        campaign seed (default 1); a run is replayed by seed, strategy, category, index\n"
		"  --runs N        runs per category and strategy (default 100: 11 categories = 1,100 per strategy)\n"
		"  --strategy S    all (default: unrestricted if the CPU has it, and vm86), auto (no FORCE flag),\n"
		"                  unrestricted or vm86 (BIOSX_RUN_FORCE_*); a comma list is accepted\n"
		"  --category L    comma list of categories (default all):");
	for (size_t i = 0; i < NCAT; i++)
		fprintf(f, " %s", categories[i].name);
	fprintf(f, "\n"
		   "  --real-io       the io category without BIOSX_RUN_VIRTUAL_IO (default deny list only; dangerous)\n"
		   "  --safe/--no-safe  force safe mode on/off (default: on when /proc/biosx says no preemption timer):\n"
		   "                  no IF=0 endless loops without exits; random and wild code cannot clear IF\n"
		   "  --cycles[=N]    N (default %d) open/mmap/run/munmap/close cycles; Slab, VmallocUsed, MemFree,\n"
		   "                  /proc/slabinfo before and after against the noise bounds\n"
		   "  --smp-loop N    N runs (INT 11h, every 4th an IF=1 loop) pinned to --cpu; EBUSY counted\n"
		   "  --cpu C         pin to CPU C\n"
		   "  --dry-run       print each run's generated code (hex) instead of running it\n",
		CYCLES_DEFAULT);
}

static int has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; p && *p;) {
		const char *q = strchr(p, ',');
		size_t l = q ? (size_t)(q - p) : strlen(p);

		if (l == n && !strncmp(p, w, n))
			return 1;
		p = q ? q + 1 : NULL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, 0, 's' }, { "runs", required_argument, 0, 'n' },
		{ "strategy", required_argument, 0, 'S' }, { "category", required_argument, 0, 'c' },
		{ "real-io", no_argument, 0, 'R' }, { "safe", no_argument, 0, 'F' }, { "no-safe", no_argument, 0, 'N' },
		{ "cycles", optional_argument, 0, 'C' }, { "smp-loop", required_argument, 0, 'L' },
		{ "cpu", required_argument, 0, 'p' }, { "verbose", no_argument, 0, 'v' }, { "help", no_argument, 0, 'h' },
		{ "dry-run", no_argument, 0, 'D' },
		{ 0, 0, 0, 0 },
	};
	uint64_t seed = 1;
	long runs = 100, cycles = -1, smp = -1;
	const char *strategies = "all", *cats = NULL;
	int safe = -1, real_io = 0, cpu = -1, o, err;
	char val[64];

	while ((o = getopt_long(argc, argv, "s:n:S:c:RFNC::L:p:vh", opts, NULL)) != -1) {
		switch (o) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': runs = strtol(optarg, NULL, 0); break;
		case 'S': strategies = optarg; break;
		case 'c': cats = optarg; break;
		case 'R': real_io = 1; break;
		case 'F': safe = 1; break;
		case 'N': safe = 0; break;
		case 'C': cycles = optarg ? strtol(optarg, NULL, 0) : CYCLES_DEFAULT; break;
		case 'L': smp = strtol(optarg, NULL, 0); break;
		case 'p': cpu = atoi(optarg); break;
		case 'v': verbose = 1; break;
		case 'D': dry_run = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || runs < 0) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (cpu >= 0 && pin_cpu(cpu))
		return 2;
	err = dry_run ? 0 : read_bda410(&bda410);
	if (err) {
		fprintf(stderr, "hostile: /dev/mem at 0x410: %s\n", strerror(-err));
		return 2;
	}
	if (cycles >= 0)
		return cycles_mode(cycles);
	if (smp >= 0)
		return smp_loop(smp, cpu);

	if (safe < 0 && dry_run)
		safe = 0;
	if (safe < 0)
		safe = !(read_proc_line("/proc/biosx", "preemption_timer", val, sizeof(val)) && !strcmp(val, "yes"));
	printf("hostile: seed %" PRIu64 ", %ld runs per category, BDA 0x410 = 0x%04x, safe mode %s\n", seed, runs, bda410,
	       safe ? "on (no VMX-preemption timer: no IF=0 loops without exits, random/wild code keeps IF=1)" : "off");

	unsigned long total = 0, failures = 0;
	double t_all = now_s();
	static const struct { const char *name; int strategy; uint32_t force; } strat[] = {
		{ "auto", 0, 0 },
		{ "unrestricted", BIOSX_STRATEGY_UNRESTRICTED, BIOSX_RUN_FORCE_UNRESTRICTED },
		{ "vm86", BIOSX_STRATEGY_VM86, BIOSX_RUN_FORCE_VM86 },
	};
	for (size_t s = 0; s < 3; s++) {
		struct env e = { strat[s].strategy, strat[s].force, safe, real_io };
		struct dev d = { .fd = -1 };
		struct rng lr = { seed ^ 0x1a9d };
		unsigned long sruns = 0, sfail = 0;
		double t_s = now_s();
		int busy;

		if (!has_word(strategies, strat[s].name) && !(s && !strcmp(strategies, "all")))
			continue;
		if (!e.strategy) { /* auto: whichever the module picks */
			char v[32];

			e.strategy = read_proc_line("/proc/biosx", "strategy", v, sizeof(v)) && !strcmp(v, "unrestricted")
					     ? BIOSX_STRATEGY_UNRESTRICTED : BIOSX_STRATEGY_VM86;
		}
		if (!dry_run) {
			struct dev t;
			struct biosx_run probe;
			int perr = 0;

			if (!dev_open(&t)) {
				memset(&probe, 0, sizeof(probe));
				probe.entry = BIOSX_ENTRY_INT;
				probe.vector = 0x11;
				probe.flags = e.force;
				probe.regs.esp = 0x7c00;
				if (ioctl(t.fd, BIOSX_IOC_RUN, &probe) < 0)
					perr = errno;
				dev_close(&t);
			}
			if (perr == ENODEV) {
				printf("hostile: [%s] skipped: ENODEV (this CPU has no unrestricted guest)\n", strat[s].name);
				continue;
			}
			if (int11_once(e.force, "before", &busy, 0)) {
				failures++;
				continue;
			}
			if (busy) {
				printf("hostile: [%s] skipped: %s\n", strat[s].name, strerror(busy));
				continue;
			}
		}
		for (size_t ci = 0; ci < NCAT; ci++) {
			const struct category *c = &categories[ci];
			struct stats st;
			double t0;
			char when[80];

			if (cats && !has_word(cats, c->name))
				continue;
			memset(&st, 0, sizeof(st));
			if (!dry_run)
				printf("hostile: [%s] %s ...\n", strat[s].name, c->name);
			t0 = now_s();
			for (long i = 0; i < runs && dry_run; i++)
				dry_one(&e, c, (int)i, seed);
			for (long i = 0; i < runs && !dry_run; i++) {
				if (sruns % REOPEN_EVERY == 0 && reopen(&d, &lr, safe)) {
					st.failures++;
					break;
				}
				run_one(&d, &e, c, (int)i, seed, &st);
				if (++sruns % INT11_EVERY == 0) {
					snprintf(when, sizeof(when), "%s after %lu runs", strat[s].name, sruns);
					st.failures += (unsigned long)int11_once(e.force, when, NULL, 0);
				}
			}
			if (dry_run)
				continue;
			snprintf(when, sizeof(when), "%s after %s", strat[s].name, c->name);
			st.failures += (unsigned long)int11_once(e.force, when, NULL, 0);
			st.seconds = now_s() - t0;
			print_summary(strat[s].name, c->name, &st);
			total += st.runs;
			failures += st.failures;
			sfail += st.failures;
		}
		if (d.fd >= 0)
			dev_close(&d);
		printf("hostile: [%s] %lu runs, %lu failures, %.1f s\n", strat[s].name, sruns, sfail, now_s() - t_s);
	}
	printf("hostile: %lu runs, %lu failures (%.1f s)\n", total, failures, now_s() - t_all);
	return failures ? 1 : 0;
}
