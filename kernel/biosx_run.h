/* SPDX-License-Identifier: GPL-2.0 */
/*
 * biosx_run.h - the state of one run, shared by the run loop (biosx_run.c)
 * and the exit handlers (biosx_exits.c).
 * Kernel: VMX root with the run's VMCS current, preemption and interrupts off.
 */
#ifndef BIOSX_RUN_H
#define BIOSX_RUN_H

#include <linux/ktime.h>

#include "biosx_priv.h"

struct run_ctx {
	struct biosx_file *f;
	struct biosx_run *run;
	struct biosx_io_run io; /* port I/O state of the run (biosx_io.c) */
	struct biosx_gprs gprs;
	ktime_t deadline;
	bool done;
	/* across slices */
	struct biosx_host host;
	int strategy;
	bool started;      /* the VMCS holds the guest's state */
	bool fpu_saved;    /* f->fpu holds the routine's x87 state */
	u64 dr[8];         /* the routine's view of DR0-DR7 (MOV DR exits) */
	/* within a slice */
	int launched;
	bool slice_over;
	ktime_t slice_end;
};

static inline void end_run(struct run_ctx *x, u32 end)
{
	x->run->end = end;
	x->done = true;
}

/* biosx_exits.c: one VM exit, REASON as the VM-exit reason field holds it.
 * Returns with x->done set when the run is over, x->slice_over when the
 * slice is. */
void biosx_handle_exit(struct run_ctx *x, u32 reason);

#endif
