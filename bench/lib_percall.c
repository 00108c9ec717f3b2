/* lib_percall.c - the per-call cost of libbiosx's C API on the emulation
 * backend over a snapshot: INT 11h (SeaBIOS: 51 instructions) and a far
 * call to a lone RETF (the fixed cost of a call: start state, trap, emulator
 * reset, result). Medians of ROUNDS rounds of CALLS calls each, in one
 * process on one core. Userspace benchmark (docs/performance.md).
 *   lib_percall IMAGE [CALLS [ROUNDS]] */
#include <biosx/biosx.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median ns per call of `calls` calls of INT vector (far == 0) or of a far
 * call to seg:0 (far != 0), over `rounds` rounds. */
static double median_ns(struct biosx_session *s, int far, uint16_t seg, long calls, int rounds)
{
	double ns[64];
	for (int r = 0; r < rounds; r++) {
		double t0 = now();
		for (long i = 0; i < calls; i++) {
			struct biosx_registers regs;
			biosx_registers_init(&regs);
			int rc = far ? biosx_far_call(s, seg, 0, &regs) : biosx_int(s, 0x11, &regs);
			if (rc != BIOSX_OK) {
				fprintf(stderr, "lib_percall: %s\n", biosx_session_error(s));
				exit(1);
			}
		}
		ns[r] = (now() - t0) / calls * 1e9;
	}
	qsort(ns, rounds, sizeof ns[0], cmp);
	return ns[rounds / 2];
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return fprintf(stderr, "usage: lib_percall IMAGE [CALLS [ROUNDS]]\n"), 2;
	long calls = argc > 2 ? atol(argv[2]) : 100000;
	int rounds = argc > 3 ? atoi(argv[3]) : 7;
	if (calls < 1 || rounds < 1 || rounds > 64)
		return fprintf(stderr, "lib_percall: CALLS >= 1, ROUNDS 1..64\n"), 2;
	struct biosx_open_options o;
	struct biosx_session *s;
	uint16_t seg, off;
	biosx_open_options_init(&o);
	o.backend = BIOSX_BACKEND_EMU;
	o.image = argv[1];
	if (biosx_session_open(&s, &o) != BIOSX_OK || biosx_alloc(s, 16, &seg, &off) != BIOSX_OK)
		return fprintf(stderr, "lib_percall: %s\n", biosx_last_error()), 1;
	const uint8_t retf = 0xcb;
	biosx_write(s, (uint32_t)seg << 4, &retf, 1);
	double int11 = median_ns(s, 0, 0, calls, rounds);
	double empty = median_ns(s, 1, seg, calls, rounds);
	printf("libbiosx, emu over %s: %ld calls x %d rounds, medians\n", argv[1], calls, rounds);
	printf("  INT 11h        %8.0f ns/call  %9.0f calls/s\n", int11, 1e9 / int11);
	printf("  far call RETF  %8.0f ns/call  %9.0f calls/s\n", empty, 1e9 / empty);
	biosx_session_close(s);
	return 0;
}
