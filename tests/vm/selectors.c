/* selectors.c - what a biosx run leaves in the CPU's descriptor-table
 * registers, seen from userspace on the same CPU (static binary, run in the
 * Bochs guest of tests/vm).
 *
 * A VM exit loads GDTR and IDTR with limit 0xFFFF and a null LDTR (SDM Vol.
 * 3C §28.5.2); the host must put its own back (KVM: load_fixmap_gdt(), the
 * saved LDT). Checks, pinned to one CPU after one RUN there:
 *   gdtr-limit       SGDT's limit is the kernel's (skipped under UMIP: SGDT is
 *                    emulated then)
 *   lar-beyond-gdt   LAR and LSL refuse (ZF=0) every selector from the end of
 *                    the GDT up to 0xFFF8; done in a child, which a kernel oops
 *                    kills (reported with the selector it was at)
 *   lar-in-gdt       LAR accepts the user code selector (the probe works)
 *   ldt-control      a process with an LDT (modify_ldt) and DS/ES loaded with
 *                    its selector keeps them across an ordinary syscall
 *   ldt-kept         ... and across BIOSX_IOC_RUN
 *   ldt-usable       ... and can still load the selector (GS) and read memory
 *                    through the descriptor's base
 *   gate-on-entry-stack  an unprivileged child (uid 65534) plants a 64-bit call
 *                    gate (DPL 3, target __KERNEL_CS) in the CPU's entry stack
 *                    and far-calls through it: LAR must refuse the selector and
 *                    the call must raise #GP (SIGSEGV). With the GDT limit a VM
 *                    exit leaves (0xFFFF) the call lands at CPL 0 on the entry
 *                    stack with the user's page tables, and the kernel dies with
 *                    "BUG: ENTRY_TRAMPOLINE stack guard page was hit" (issue 10's
 *                    SMP panic; docs/module.md)
 * Output: "selectors: PASS name" / "selectors: FAIL name: why" lines, then a
 * count; exit status 1 if anything failed, 2 on setup errors.
 *
 *   selectors [--cpu N] [--max-kills K] [--no-run]
 */
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uapi/biosx.h"

/* Linux's GDT: GDT_ENTRIES = 16 descriptors, limit 0x7F (arch/x86/include/
 * asm/segment.h); used when SGDT cannot be trusted (UMIP). */
#define KERNEL_GDT_LIMIT 0x7f
#define USER_CS 0x33 /* __USER_CS: GDT entry 6, RPL 3 */
#define LDT_SEL 0x7  /* LDT entry 0, TI=1, RPL 3 */
#define LDT_MAGIC 0x5a17c0deu

static int passed, failed;

static void pass(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pass(const char *name, const char *fmt, ...)
{
	va_list ap;

	passed++;
	printf("selectors: PASS %s", name);
	if (fmt) {
		printf(" (");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf(")");
	}
	printf("\n");
	fflush(stdout);
}

static void fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	failed++;
	printf("selectors: FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct dtr sgdt(void)
{
	struct dtr d;

	asm volatile("sgdt %0" : "=m"(d));
	return d;
}

static struct dtr sidt(void)
{
	struct dtr d;

	asm volatile("sidt %0" : "=m"(d));
	return d;
}

static int has_umip(void)
{
	uint32_t a = 7, b, c = 0, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (c >> 2) & 1;
}

/* LAR/LSL: 1 when the selector was accepted (ZF=1). */
static int lar(uint32_t sel, uint32_t *ar)
{
	uint32_t v = 0;
	uint8_t ok;

	asm volatile("lar %2, %0\n\tsetz %1" : "+r"(v), "=q"(ok) : "r"(sel) : "cc");
	*ar = v;
	return ok;
}

static int lsl(uint32_t sel, uint32_t *lim)
{
	uint32_t v = 0;
	uint8_t ok;

	asm volatile("lsl %2, %0\n\tsetz %1" : "+r"(v), "=q"(ok) : "r"(sel) : "cc");
	*lim = v;
	return ok;
}

static int pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	return sched_setaffinity(0, sizeof(s), &s);
}

/* One INT 11h through /dev/biosx on the calling CPU (raw syscall: nothing
 * between the ioctl and the caller's view of DS/ES). Returns 0 or -errno. */
static int biosx_run_int11(int fd, struct biosx_run *run)
{
	long rc;

	memset(run, 0, sizeof(*run));
	run->entry = BIOSX_ENTRY_INT;
	run->vector = 0x11;
	run->timeout_ms = 1000;
	run->regs.esp = 0x7c00;
	run->regs.eflags = 0x2;
	rc = syscall(SYS_ioctl, fd, BIOSX_IOC_RUN, run);
	return rc < 0 ? -errno : 0;
}

static int open_biosx(void)
{
	int fd = open("/dev/biosx", O_RDWR | O_CLOEXEC);
	uint32_t ver = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, BIOSX_IOC_VERSION, &ver) || ver != BIOSX_ABI_VERSION) {
		close(fd);
		return -EPROTO;
	}
	return fd;
}

/* ---- (a) selectors beyond the GDT --------------------------------------- */

struct scan {
	volatile uint32_t next;      /* the selector being tried */
	volatile uint32_t lar_ok, lsl_ok, tried;
	volatile uint32_t first[8], first_ar[8], nfirst;
	volatile uint32_t done;
};

static void scan_child(struct scan *s, uint32_t from, uint32_t to)
{
	for (uint32_t sel = from; sel <= to; sel += 8) {
		uint32_t ar, lim;
		int a, l;

		s->next = sel | 3;
		__sync_synchronize();
		a = lar(sel | 3, &ar);
		l = lsl(sel | 3, &lim);
		s->tried++;
		s->lar_ok += a;
		s->lsl_ok += l;
		if ((a || l) && s->nfirst < 8) {
			s->first[s->nfirst] = sel | 3;
			s->first_ar[s->nfirst++] = ar;
		}
	}
	s->done = 1;
	_exit(0);
}

static void check_beyond_gdt(uint32_t limit, int max_kills)
{
	struct scan *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint32_t from = (limit + 1 + 7) & ~7u, kills = 0, killed_at[8];
	int killsig[8];
	char msg[512];
	size_t o = 0;

	if (s == MAP_FAILED) {
		fail("lar-beyond-gdt", "mmap: %s", strerror(errno));
		return;
	}
	memset(s, 0, sizeof(*s));
	while (from <= 0xfff8) {
		pid_t p = fork();
		int st;

		if (p == 0)
			scan_child(s, from, 0xfff8);
		if (p < 0) {
			fail("lar-beyond-gdt", "fork: %s", strerror(errno));
			return;
		}
		waitpid(p, &st, 0);
		if (s->done || !WIFSIGNALED(st))
			break;
		killed_at[kills] = s->next;
		killsig[kills] = WTERMSIG(st);
		printf("selectors: scan child killed by signal %d (%s) at selector 0x%04x (see the kernel log)\n",
		       killsig[kills], strsignal(killsig[kills]), killed_at[kills]);
		fflush(stdout);
		kills++;
		if ((int)kills >= max_kills || kills >= 8)
			break;
		/* resume on the next page of the descriptor table */
		from = ((s->next & ~0xfffu) + 0x1000) & 0xfff8;
		if (from == 0)
			break;
	}
	o += (size_t)snprintf(msg + o, sizeof(msg) - o, "%u selectors 0x%04x..0xfff8 tried, LAR accepted %u, LSL %u",
			      s->tried, (limit + 1 + 7) & ~7u, s->lar_ok, s->lsl_ok);
	for (uint32_t i = 0; i < s->nfirst && o < sizeof(msg); i++)
		o += (size_t)snprintf(msg + o, sizeof(msg) - o, "%s0x%04x ar=0x%x", i ? ", " : "; first: ",
				      s->first[i], s->first_ar[i]);
	for (uint32_t i = 0; i < kills && o < sizeof(msg); i++)
		o += (size_t)snprintf(msg + o, sizeof(msg) - o, "; child killed by signal %d at 0x%04x (kernel oops?)",
				      killsig[i], killed_at[i]);
	if (!s->done && !kills && o < sizeof(msg))
		snprintf(msg + o, sizeof(msg) - o, "; scan did not finish");
	if (s->lar_ok || s->lsl_ok || kills || !s->done)
		fail("lar-beyond-gdt", "%s", msg);
	else
		pass("lar-beyond-gdt", "%s", msg);
	munmap(s, 4096);
}

/* ---- (b) a process with an LDT ------------------------------------------ */

struct ldtres {
	int setup_err;
	uint16_t ds_ctl, es_ctl, ds_run, es_run;
	int run_err;
	uint32_t run_end, run_ax;
	int lar_ok;
	uint32_t lar_ar;
	int gs_load_faulted;
	uint32_t gs_read;
	int done;
};

static sigjmp_buf segv_jmp;
static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(segv_jmp, 1);
}

static void on_segv_sig(int sig)
{
	siglongjmp(segv_jmp, sig);
}

static uint16_t get_ds(void) { uint16_t v; asm volatile("mov %%ds, %0" : "=r"(v)); return v; }
static uint16_t get_es(void) { uint16_t v; asm volatile("mov %%es, %0" : "=r"(v)); return v; }
static void set_ds_es(uint16_t v) { asm volatile("mov %0, %%ds\n\tmov %0, %%es" : : "r"(v)); }

static void ldt_child(struct ldtres *res, int fd)
{
	uint32_t *buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	struct user_desc d;
	struct biosx_run run;
	struct sigaction sa;

	if (buf == MAP_FAILED) {
		res->setup_err = errno;
		_exit(1);
	}
	buf[0] = LDT_MAGIC;
	memset(&d, 0, sizeof(d));
	d.entry_number = 0;
	d.base_addr = (unsigned int)(uintptr_t)buf;
	d.limit = 0xfff;
	d.seg_32bit = 1;
	d.contents = 0; /* data */
	d.useable = 1;
	if (syscall(SYS_modify_ldt, 1, &d, sizeof(d))) {
		res->setup_err = errno;
		_exit(1);
	}
	/* control: an ordinary syscall keeps DS/ES */
	set_ds_es(LDT_SEL);
	syscall(SYS_getpid);
	res->ds_ctl = get_ds();
	res->es_ctl = get_es();
	/* the run */
	set_ds_es(LDT_SEL);
	if (fd >= 0) {
		res->run_err = biosx_run_int11(fd, &run);
	} else { /* --no-run without the module: the same path without the run */
		memset(&run, 0, sizeof(run));
		syscall(SYS_getpid);
	}
	res->ds_run = get_ds();
	res->es_run = get_es();
	res->run_end = run.end;
	res->run_ax = run.regs.eax & 0xffff;
	/* is the LDT still there? */
	res->lar_ok = lar(LDT_SEL, &res->lar_ar);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	if (sigsetjmp(segv_jmp, 1) == 0) {
		uint32_t v;

		/* GS, not FS: glibc's TLS lives in FS. A 64-bit GS load takes
		 * the descriptor's base, so this read goes through the LDT. */
		asm volatile("mov %1, %%gs\n\tmovl %%gs:0, %0" : "=r"(v) : "r"((uint16_t)LDT_SEL) : "memory");
		res->gs_read = v;
	} else {
		res->gs_load_faulted = 1;
	}
	res->done = 1;
	_exit(0);
}

static void check_ldt(int fd)
{
	struct ldtres *res = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t p;
	int st;

	if (res == MAP_FAILED) {
		fail("ldt-kept", "mmap: %s", strerror(errno));
		return;
	}
	memset(res, 0, sizeof(*res));
	p = fork();
	if (p == 0)
		ldt_child(res, fd);
	waitpid(p, &st, 0);
	if (res->setup_err) {
		fail("ldt-setup", "modify_ldt/mmap: %s", strerror(res->setup_err));
		return;
	}
	if (!res->done) {
		fail("ldt-kept", "the LDT child died (%s %d) before it finished", WIFSIGNALED(st) ? "signal" : "exit",
		     WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		return;
	}
	if (res->ds_ctl == LDT_SEL && res->es_ctl == LDT_SEL)
		pass("ldt-control", "DS=ES=0x%x after getpid()", LDT_SEL);
	else
		fail("ldt-control", "DS=0x%04x ES=0x%04x after getpid(), expected 0x%04x: the test itself is wrong",
		     res->ds_ctl, res->es_ctl, LDT_SEL);
	if (res->run_err)
		fail("ldt-run", "BIOSX_IOC_RUN: %s", strerror(-res->run_err));
	else
		pass("ldt-run", "end %u, AX 0x%04x", res->run_end, res->run_ax);
	if (res->ds_run == LDT_SEL && res->es_run == LDT_SEL)
		pass("ldt-kept", "DS=ES=0x%x after %s", LDT_SEL, fd >= 0 ? "BIOSX_IOC_RUN" : "getpid() (--no-run)");
	else
		fail("ldt-kept", "DS=0x%04x ES=0x%04x after BIOSX_IOC_RUN, expected 0x%04x", res->ds_run, res->es_run,
		     LDT_SEL);
	if (res->lar_ok && !res->gs_load_faulted && res->gs_read == LDT_MAGIC)
		pass("ldt-usable", "LAR 0x%x ar=0x%x, read 0x%08x through the LDT descriptor", LDT_SEL, res->lar_ar,
		     res->gs_read);
	else
		fail("ldt-usable", "after the run LAR 0x%x %s; loading it into GS %s%s", LDT_SEL,
		     res->lar_ok ? "accepted" : "refused (LDTR lost?)",
		     res->gs_load_faulted ? "faulted (SIGSEGV)" : "worked",
		     res->gs_load_faulted ? "" : res->gs_read == LDT_MAGIC ? ", read the magic" : ", read a wrong value");
	munmap(res, 4096);
}

/* ---- (c) a call gate planted on the entry stack ------------------------- */

/* cpu_entry_area (arch/x86/include/asm/cpu_entry_area.h): the GDT page, then
 * the entry stack page, whose top is TSS.RSP0. An exception from user mode
 * pushes pt_regs at RSP0; the exit path rewrites only the top 48 bytes (the
 * IRET frame and RDI), so R9 (RSP0-104) and R8 (RSP0-96) keep the user's values
 * afterwards. Seen through the GDT they are the two halves of descriptor
 * (0x2000 - 104) / 8: selector 0x1F9B. */
#define GATE_SEL 0x1F9Bu
#define GATE_TARGET 0xffffffffc0000000ull /* unmapped in the user page tables */

struct gateres {
	int lar_ok;
	uint32_t lar_ar;
	int call_sig;
	int uid;
	int done;
};

static void gate_child(struct gateres *res)
{
	/* 64-bit call gate (SDM Vol. 3A §5.8.3.1): offset, selector 0x10
	 * (__KERNEL_CS), type 0xC, P=1, DPL=3; upper half: offset[63:32]. */
	const uint64_t lo = (GATE_TARGET & 0xffff) | (0x10ull << 16) | (0xECull << 40) |
			    (((GATE_TARGET >> 16) & 0xffff) << 48);
	const uint64_t hi = GATE_TARGET >> 32;
	struct {
		uint32_t off;
		uint16_t sel;
	} __attribute__((packed)) fp = { 0, GATE_SEL };
	struct sigaction sa;
	int sig;

	if (setgid(65534) || setuid(65534))
		_exit(2);
	res->uid = (int)getuid();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv_sig;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	for (int i = 0; i < 20 && !res->lar_ok; i++) {
		volatile char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint32_t ar = 0;
		uint8_t ok = 0;

		if (page == MAP_FAILED)
			_exit(2);
		/* R8/R9 hold the gate across the page fault (the plant) and LAR. */
		asm volatile("mov %[lo], %%r9\n\tmov %[hi], %%r8\n\tmovb $1, (%[p])\n\t"
			     "lar %[sel], %[ar]\n\tsetz %[ok]"
			     : [ar] "+r"(ar), [ok] "=q"(ok)
			     : [lo] "r"(lo), [hi] "r"(hi), [p] "r"(page), [sel] "r"(GATE_SEL)
			     : "r8", "r9", "memory", "cc");
		munmap((void *)page, 4096);
		res->lar_ok = ok;
		res->lar_ar = ar;
	}
	sig = sigsetjmp(segv_jmp, 1);
	if (sig == 0) {
		volatile char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		asm volatile("mov %[lo], %%r9\n\tmov %[hi], %%r8\n\tmovb $1, (%[p])\n\tlcall *(%[fp])"
			     :
			     : [lo] "r"(lo), [hi] "r"(hi), [p] "r"(page), [fp] "r"(&fp)
			     : "r8", "r9", "memory", "cc");
		res->call_sig = 0; /* the far call returned: impossible either way */
	} else {
		res->call_sig = sig;
	}
	res->done = 1;
	_exit(0);
}

static void check_gate(void)
{
	struct gateres *res = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t p;
	int st;

	if (res == MAP_FAILED) {
		fail("gate-on-entry-stack", "mmap: %s", strerror(errno));
		return;
	}
	memset(res, 0, sizeof(*res));
	/* Should this fail the kernel's whole report reaches the console. */
	p = fork();
	if (p == 0)
		gate_child(res);
	waitpid(p, &st, 0);
	if (!res->done)
		fail("gate-on-entry-stack", "the child ended (%s %d) before it finished", WIFSIGNALED(st) ? "signal" : "exit",
		     WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	else if (res->lar_ok)
		fail("gate-on-entry-stack", "uid %d: LAR accepted the planted gate 0x%x (ar=0x%x); the far call %s",
		     res->uid, GATE_SEL, res->lar_ar, res->call_sig ? "faulted" : "returned");
	else if (res->call_sig != SIGSEGV)
		fail("gate-on-entry-stack", "uid %d: the far call through 0x%x ended with signal %d, expected SIGSEGV",
		     res->uid, GATE_SEL, res->call_sig);
	else
		pass("gate-on-entry-stack", "uid %d: LAR refused 0x%x after the plant, the far call took #GP (SIGSEGV)",
		     res->uid, GATE_SEL);
	munmap(res, 4096);
}

/* ------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpu", required_argument, 0, 'c' }, { "max-kills", required_argument, 0, 'k' },
		{ "no-run", no_argument, 0, 'n' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	int cpu = 0, max_kills = 1, no_run = 0, o, fd, umip;
	struct dtr g0, g1, i0, i1;
	uint32_t limit, ar;
	struct biosx_run run;

	while ((o = getopt_long(argc, argv, "c:k:nh", opts, NULL)) != -1) {
		switch (o) {
		case 'c': cpu = atoi(optarg); break;
		case 'k': max_kills = atoi(optarg); break;
		case 'n': no_run = 1; break;
		case 'h':
			printf("usage: selectors [--cpu N] [--max-kills K] [--no-run]\n"
			       "  --cpu N        pin to CPU N (default 0)\n"
			       "  --max-kills K  stop the LAR/LSL scan after K killed children (default 1)\n"
			       "  --no-run       no biosx run before the checks (a self-test of the checks;\n"
			       "                 works without /dev/biosx)\n");
			return 0;
		default: return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pin(cpu)) {
		printf("selectors: FAIL setup: sched_setaffinity(%d): %s\n", cpu, strerror(errno));
		return 2;
	}
	fd = open_biosx();
	if (fd < 0 && !no_run) {
		printf("selectors: FAIL setup: /dev/biosx: %s\n", strerror(-fd));
		return 2;
	}
	umip = has_umip();
	g0 = sgdt();
	i0 = sidt();
	if (!no_run) {
		int e = biosx_run_int11(fd, &run);

		if (e || run.end != BIOSX_END_RETURN_TRAP)
			fail("run", "INT 11h on cpu %d: %s, end %u", cpu, e ? strerror(-e) : "ok", run.end);
		else
			pass("run", "INT 11h on cpu %d: AX 0x%04x", sched_getcpu(), run.regs.eax & 0xffff);
	}
	g1 = sgdt();
	i1 = sidt();
	printf("selectors: cpu %d, UMIP %s; GDTR limit 0x%x before the run, 0x%x after; IDTR limit 0x%x before, 0x%x after\n",
	       sched_getcpu(), umip ? "yes (SGDT/SIDT are emulated: values not real)" : "no", g0.limit, g1.limit,
	       i0.limit, i1.limit);
	if (umip) {
		limit = KERNEL_GDT_LIMIT;
		printf("selectors: SKIP gdtr-limit: UMIP, assuming the kernel's limit 0x%x\n", limit);
	} else {
		limit = KERNEL_GDT_LIMIT;
		if (g1.limit == KERNEL_GDT_LIMIT)
			pass("gdtr-limit", "0x%x", g1.limit);
		else
			fail("gdtr-limit", "0x%x after a run, the kernel's GDT ends at 0x%x", g1.limit, KERNEL_GDT_LIMIT);
	}
	if (lar(USER_CS, &ar))
		pass("lar-in-gdt", "LAR 0x%x ar=0x%x", USER_CS, ar);
	else
		fail("lar-in-gdt", "LAR refused the user code selector 0x%x: the probe is broken", USER_CS);
	check_beyond_gdt(limit, max_kills);
	check_ldt(fd);
	check_gate();
	if (fd >= 0)
		close(fd);
	printf("selectors: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
