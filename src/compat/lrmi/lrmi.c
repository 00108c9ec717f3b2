/* SPDX-License-Identifier: MIT */
/*
 * lrmi.c - libx86.so.1 over libbiosx: the LRMI calls of vbetool and
 * get-edid run in one biosx session per process (docs/lrmi.md).
 * Userspace; a shared library of its own, installed outside the default
 * library path and put in front of it by `biosx exec` (LD_LIBRARY_PATH).
 *
 * The real-mode space is where libx86 puts it on x86_64: at the process's
 * own addresses 0..0xFFFFF, so that a program that turns a real-mode
 * seg:off into a pointer without LRMI_base_addr() (get-edid does) reads
 * the right bytes. That space is a mirror of the session's memory, copied
 * page by page where it differs: into the session before each call, back
 * after it. Over the host the VGA window of the mirror is the adapter's own
 * (/dev/mem, shared), as the session's is. Page 0 (IVT and BDA) needs
 * CAP_SYS_RAWIO below vm.mmap_min_addr; without it the mirror starts at
 * 0x1000. Where even that is refused, the session's memory is used in
 * place and LRMI_base_addr() says where it is.
 */
#define _GNU_SOURCE
#include "compat/lrmi/lrmi.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "biosx/biosx.h"

/* The ABI binaries were built against (libx86-1 1.1's header, compared field by field). */
_Static_assert(offsetof(struct LRMI_regs, ebx) == 16 && offsetof(struct LRMI_regs, eax) == 28 &&
		       offsetof(struct LRMI_regs, flags) == 32 && offsetof(struct LRMI_regs, ip) == 42 &&
		       offsetof(struct LRMI_regs, ss) == 48 && sizeof(struct LRMI_regs) == 52,
	       "struct LRMI_regs is not libx86.so.1's");

#define SPACE_END 0x100000u /* the real-mode space: 1 MiB */
#define PAGE 0x1000u
#define VGA_START 0xa0000u
#define VGA_END 0xc0000u

static struct {
	struct biosx_session *s;
	uint8_t *mem;	      /* biosx_memory(): the session's own bytes */
	uintptr_t base;	      /* where linear 0 is in the process */
	uint32_t lo;	      /* mirror: first address mapped (0 or PAGE); 0 if none */
	int mirrored;
	int vga_shared;	      /* mirror's VGA window is the adapter's (/dev/mem) */
	int log;	      /* BIOSX_LRMI_LOG: each call's JSON on stderr */
} g;

static void say(const char *what, const char *msg)
{
	fprintf(stderr, "libx86 (biosx): %s: %s\n", what, msg && *msg ? msg : "failed");
}

static void print_notes(void)
{
	const char *n = biosx_session_note(g.s);
	if (*n)
		fprintf(stderr, "libx86 (biosx): %s\n", n);
}

/* A variable's name, the values it may take and what each means. */
struct env_choice {
	const char *name;
	const char *names[5]; /* NULL after the last */
	uint32_t values[5];
	const char *listed;   /* for the message */
};

/*
 * Sets *@out to the meaning of the variable @c names, when it is set and not
 * empty. Return: 1, or 0 after saying the value is not one of @c's.
 */
static int env_choice(const struct env_choice *c, uint32_t *out)
{
	const char *v = getenv(c->name);
	char msg[160];

	if (!v || !*v)
		return 1;
	for (int i = 0; c->names[i]; i++) {
		if (!strcmp(v, c->names[i])) {
			*out = c->values[i];
			return 1;
		}
	}
	snprintf(msg, sizeof msg, "%s=%.40s is not %s", c->name, v, c->listed);
	say("LRMI_init", msg);
	return 0;
}

/*
 * The session's options from the environment `biosx exec` sets (and a user
 * may set by hand): BIOSX_BACKEND, BIOSX_STRATEGY, BIOSX_IMAGE; and
 * BIOSX_LRMI_LOG. Return: 1, or 0 after saying which value is bad.
 */
static int options_from_env(struct biosx_open_options *o)
{
	static const struct env_choice backend = {
		"BIOSX_BACKEND", {"auto", "emu", "vmx", "kvm"},
		{BIOSX_BACKEND_AUTO, BIOSX_BACKEND_EMU, BIOSX_BACKEND_VMX, BIOSX_BACKEND_KVM}, "auto, emu or vmx"};
	static const struct env_choice strategy = {
		"BIOSX_STRATEGY", {"auto", "unrestricted", "vm86", NULL},
		{BIOSX_VMX_AUTO, BIOSX_VMX_UNRESTRICTED, BIOSX_VMX_VM86, 0}, "auto, unrestricted or vm86"};
	const char *img = getenv("BIOSX_IMAGE"), *log = getenv("BIOSX_LRMI_LOG");

	biosx_open_options_init(o);
	if (!env_choice(&backend, &o->backend) || !env_choice(&strategy, &o->strategy))
		return 0;
	if (img && *img)
		o->image = img;
	g.log = log && *log && strcmp(log, "0");
	return 1;
}

static uint8_t *at(uint32_t linear)
{
	return (uint8_t *)(g.base + linear);
}

/*
 * Copies the pages of [@from, SPACE_END) that differ from @src into @dst
 * (both indexed by linear address), leaving out the VGA window when the
 * mirror shares it with the session (both are the adapter's). Comparing
 * first keeps an image's copy-on-write pages shared and the vmx guest's
 * untouched when nothing changed. Page 0 of the mirror is at address 0:
 * not a null pointer here, whatever UBSan's nonnull check of memcmp and
 * memcpy would say.
 */
__attribute__((no_sanitize("undefined"))) static void copy_changed(uintptr_t dst, uintptr_t src)
{
	for (uint32_t a = g.lo; a < SPACE_END; a += PAGE) {
		if (g.vga_shared && a >= VGA_START && a < VGA_END)
			continue;
		if (memcmp((void *)(dst + a), (void *)(src + a), PAGE))
			memcpy((void *)(dst + a), (void *)(src + a), PAGE);
	}
}

static void to_session(void)
{
	if (g.mirrored)
		copy_changed((uintptr_t)g.mem, g.base);
}

static void from_session(void)
{
	if (g.mirrored)
		copy_changed(g.base, (uintptr_t)g.mem);
}

static void unmap_mirror(void)
{
	if (g.mirrored)
		munmap((void *)(uintptr_t)g.lo, SPACE_END - g.lo);
	g.mirrored = g.vga_shared = 0;
	g.lo = 0;
}

/*
 * Maps the mirror at the real-mode addresses themselves, from 0 if the
 * process may (CAP_SYS_RAWIO, or vm.mmap_min_addr 0), else from 0x1000;
 * MAP_FIXED_NOREPLACE: never over anything the process has there. Over the
 * host, the VGA window is then replaced by the adapter's.
 */
static void map_mirror(int over_host)
{
	static const uint32_t starts[] = {0, PAGE};

	for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
		void *p = mmap((void *)(uintptr_t)starts[i], SPACE_END - starts[i], PROT_READ | PROT_WRITE | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			continue;
		if ((uintptr_t)p != starts[i]) { /* a kernel without MAP_FIXED_NOREPLACE took it as a hint */
			munmap(p, SPACE_END - starts[i]);
			continue;
		}
		g.mirrored = 1;
		g.lo = starts[i];
		g.base = 0;
		break;
	}
	if (!g.mirrored) {
		g.base = (uintptr_t)g.mem;
		return;
	}
	if (over_host) {
		int fd = open("/dev/mem", O_RDWR | O_SYNC | O_CLOEXEC);
		if (fd >= 0) {
			void *v = mmap((void *)(uintptr_t)VGA_START, VGA_END - VGA_START, PROT_READ | PROT_WRITE,
				       MAP_SHARED | MAP_FIXED, fd, VGA_START);
			g.vga_shared = v != MAP_FAILED;
			close(fd);
		}
		/* A MAP_FIXED that fails may leave the range unmapped: the mirror's own memory again. */
		if (!g.vga_shared &&
		    mmap((void *)(uintptr_t)VGA_START, VGA_END - VGA_START, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
			unmap_mirror();
			g.base = (uintptr_t)g.mem;
			return;
		}
	}
	from_session();
}

int LRMI_init(void)
{
	struct biosx_open_options o;
	size_t size;

	if (g.s)
		return 1;
	if (!options_from_env(&o))
		return 0;
	if (biosx_session_open(&g.s, &o) != BIOSX_OK) {
		say("LRMI_init", biosx_last_error());
		return 0;
	}
	print_notes();
	g.mem = biosx_memory(g.s, &size);
	if (size < SPACE_END) {
		say("LRMI_init", "the session's memory is smaller than 1 MiB");
		biosx_session_close(g.s);
		g.s = NULL;
		return 0;
	}
	map_mirror(strncmp(biosx_session_source(g.s), "image:", 6) != 0);
	return 1;
}

/* At exit: the session's device and memory go back before the process does. */
__attribute__((destructor)) static void lrmi_fini(void)
{
	if (!g.s)
		return;
	unmap_mirror();
	biosx_session_close(g.s);
	g.s = NULL;
}

/*
 * The registers both structures carry, by where they are in each: the
 * general registers (32 bits in both) and the data segments (16 bits).
 * FLAGS, CS:IP and SS:SP have rules of their own (regs_in, regs_out).
 */
#define PAIR(l, b) {offsetof(struct LRMI_regs, l), offsetof(struct biosx_registers, b)}
static const struct reg_pair {
	size_t lrmi, biosx;
} gprs[] = {PAIR(eax, eax), PAIR(ebx, ebx), PAIR(ecx, ecx), PAIR(edx, edx),
	    PAIR(esi, esi), PAIR(edi, edi), PAIR(ebp, ebp)},
  segs[] = {PAIR(ds, ds), PAIR(es, es), PAIR(fs, fs), PAIR(gs, gs)};
#undef PAIR

/* Copies each pair's @size bytes from one structure to the other. */
static void copy_pairs(const struct reg_pair *p, size_t n, size_t size, void *lrmi, void *biosx, int to_biosx)
{
	for (size_t i = 0; i < n; i++) {
		char *l = (char *)lrmi + p[i].lrmi, *b = (char *)biosx + p[i].biosx;
		memcpy(to_biosx ? b : l, to_biosx ? l : b, size);
	}
}

/*
 * The registers in: EFLAGS from @r->flags but for TF and IF (a routine is
 * entered with interrupts off and not single-stepped); the stack @r->ss:sp
 * unless both are 0, then biosx's (0000:7C00).
 */
static void regs_in(struct LRMI_regs *r, struct biosx_registers *b)
{
	biosx_registers_init(b);
	copy_pairs(gprs, sizeof gprs / sizeof gprs[0], 4, r, b, 1);
	copy_pairs(segs, sizeof segs / sizeof segs[0], 2, r, b, 1);
	b->eflags = (r->flags & ~0x0300u) | 0x2u;
	if (r->ss || r->sp) {
		b->ss = r->ss;
		b->esp = r->sp;
	}
}

/* The registers out: all but CS:IP and SS:SP, which keep what the caller gave. */
static void regs_out(struct biosx_registers *b, struct LRMI_regs *r)
{
	copy_pairs(gprs, sizeof gprs / sizeof gprs[0], 4, r, b, 0);
	copy_pairs(segs, sizeof segs / sizeof segs[0], 2, r, b, 0);
	r->flags = (unsigned short)b->eflags;
}

/* One call: the mirror into the session, the run, the session back. */
static int run(struct biosx_request *q, struct LRMI_regs *r, const char *what)
{
	struct biosx_result res = {.size = sizeof res};
	int rc;

	if (!g.s) {
		say(what, "LRMI_init() has not succeeded");
		return 0;
	}
	regs_in(r, &q->regs);
	to_session();
	rc = biosx_run(g.s, q, &res);
	from_session();
	if (g.log && *biosx_result_json(g.s))
		fprintf(stderr, "%s\n", biosx_result_json(g.s));
	print_notes();
	if (rc == BIOSX_OK || rc == BIOSX_ERR_INCOMPLETE)
		regs_out(&res.regs, r);
	if (rc != BIOSX_OK) {
		say(what, biosx_session_error(g.s));
		return 0;
	}
	return 1;
}

int LRMI_int(int interrupt, struct LRMI_regs *r)
{
	struct biosx_request q;

	if (interrupt < 0 || interrupt > 0xff) {
		say("LRMI_int", "the vector is not 0..255");
		return 0;
	}
	biosx_request_init(&q, (uint8_t)interrupt);
	return run(&q, r, "LRMI_int");
}

int LRMI_call(struct LRMI_regs *r)
{
	struct biosx_request q;

	biosx_request_init(&q, 0);
	q.kind = BIOSX_CALL_FAR;
	q.seg = r->cs;
	q.off = r->ip;
	return run(&q, r, "LRMI_call");
}

void *LRMI_alloc_real(int size)
{
	uint16_t seg, off;

	if (!g.s || size < 0)
		return NULL;
	if (biosx_alloc(g.s, size ? (size_t)size : 1, &seg, &off) != BIOSX_OK)
		return NULL;
	uint32_t linear = ((uint32_t)seg << 4) + off;
	/* Zeroed, as libx86's fresh blocks are; the session gets it before the next call. */
	memset(at(linear), 0, size ? (size_t)size : 1);
	return at(linear);
}

void LRMI_free_real(void *m)
{
	uintptr_t linear = (uintptr_t)m - g.base;

	if (!g.s || !m || linear >= SPACE_END || (linear & 0xf))
		return;
	biosx_free(g.s, (uint16_t)(linear >> 4), 0);
}

size_t LRMI_base_addr(void)
{
	return g.base;
}
