/* hwbp.c - a host hardware breakpoint keeps firing across biosx runs.
 * Runs in the Bochs guest (static binary): arms a perf hardware write
 * breakpoint (DR0-DR3/DR7) on a variable of its own, counts hits, then
 * makes BIOSX_IOC_RUN calls whose routine writes DR0-DR3 and DR7 and reads
 * them back, and counts again on the same CPU. Before biosx.ko intercepted
 * MOV DR and restored the host's breakpoints after each exit, the second
 * count stayed at zero. Exit 0 when every write after the runs was seen.
 * Usage: hwbp RUNS */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../shared/uapi/biosx.h"

static volatile uint64_t watched;

static int arm(void)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_BREAKPOINT;
	a.size = sizeof(a);
	a.bp_type = HW_BREAKPOINT_W;
	a.bp_addr = (uintptr_t)&watched;
	a.bp_len = HW_BREAKPOINT_LEN_8;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static uint64_t hits(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return ~0ull;
	return n;
}

int main(int argc, char **argv)
{
	/* 2000:0000: mov eax,0x12345678; mov dr0..dr3,eax; mov eax,0x3ff;
	 * mov dr7,eax; mov ebx,dr0; mov ecx,dr7; retf */
	static const uint8_t code[] = {
		0x66, 0xb8, 0x78, 0x56, 0x34, 0x12, 0x0f, 0x23, 0xc0, 0x0f, 0x23, 0xc8,
		0x0f, 0x23, 0xd0, 0x0f, 0x23, 0xd8, 0x66, 0xb8, 0xff, 0x03, 0x00, 0x00,
		0x0f, 0x23, 0xf8, 0x0f, 0x21, 0xc3, 0x0f, 0x21, 0xf9, 0xcb,
	};
	int runs = argc > 1 ? atoi(argv[1]) : 20, i, bp, dev;
	uint64_t before, after;
	cpu_set_t cpus;
	uint8_t *mem;
	struct biosx_run r;

	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	bp = arm();
	if (bp < 0) {
		perror("hwbp: perf_event_open (breakpoint)");
		return 2;
	}
	for (i = 0; i < 10; i++)
		watched++;
	before = hits(bp);
	dev = open("/dev/biosx", O_RDWR);
	mem = dev < 0 ? MAP_FAILED : mmap(NULL, BIOSX_GUEST_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, dev, 0);
	if (mem == MAP_FAILED) {
		perror("hwbp: /dev/biosx");
		return 2;
	}
	memcpy(mem + 0x20000, code, sizeof(code));
	for (i = 0; i < runs; i++) {
		memset(&r, 0, sizeof(r));
		r.entry = BIOSX_ENTRY_FAR_CALL;
		r.seg = 0x2000;
		r.regs.esp = 0x7c00;
		r.regs.eflags = 2;
		r.timeout_ms = 1000;
		if (ioctl(dev, BIOSX_IOC_RUN, &r)) {
			perror("hwbp: BIOSX_IOC_RUN");
			return 1;
		}
		/* Virtual-8086 mode: MOV DR at CPL 3 is #GP before any exit
		 * (SDM Vol. 2A MOV-debug registers); the host's DR7 was still
		 * reset by the exit itself. */
		if (r.strategy == BIOSX_STRATEGY_VM86 && r.end == BIOSX_END_EXCEPTION && r.vector_out == 13) {
			watched++;
			continue;
		}
		if (r.end != BIOSX_END_RETURN_TRAP) {
			fprintf(stderr, "hwbp: run %d failed (end %u)\n", i, r.end);
			return 1;
		}
		if (r.regs.ebx != 0x12345678 || r.regs.ecx != 0x3ff) {
			fprintf(stderr, "hwbp: the routine's own DR0/DR7 read back as %#x/%#x\n", r.regs.ebx,
				r.regs.ecx);
			return 1;
		}
		watched++;
	}
	after = hits(bp);
	printf("hwbp: %llu hits before, %llu after %d runs (want %llu)\n", (unsigned long long)before,
	       (unsigned long long)after, runs, (unsigned long long)before + runs);
	return after == before + (uint64_t)runs ? 0 : 1;
}
