// SPDX-License-Identifier: GPL-2.0
/*
 * biosx_run.c - one BIOSX_IOC_RUN: the start state (shared/x86/
 * entry_frame.h), the strategy, then slices until the routine returns to
 * the trap stub or the run ends otherwise. A slice enters VMX operation on
 * whatever CPU this is, loads the VMCS, runs the guest loop (VM entry, exit,
 * biosx_handle_exit()), and leaves VMX operation again; between slices the
 * CPU belongs to Linux.
 * Kernel: process context between slices; within one, VMX root with
 * preemption and interrupts off for a few milliseconds at most (interrupts
 * are let in briefly after an external-interrupt exit).
 */
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <asm/fpu/api.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#include "biosx_run.h"
#include "vmx_ops.h"
#include "x86/entry_frame.h"

struct biosx_stats biosx_stats;

/* A bound on exits per run, besides the clock: a routine doing port I/O
 * with --io-log exits once per access. */
#define BIOSX_MAX_EXITS 2000000u
/* A run keeps its CPU (preemption and interrupts off, VMX operation) for
 * one slice at most, then leaves VMX operation, lets the scheduler, RCU
 * and signals in, and goes on with the same guest state. */
#define BIOSX_SLICE_NS (4 * NSEC_PER_MSEC)

/* The routine's entry point, the return trap and the frame pushed below
 * SS:SP, by the rules userspace applies too (shared/x86/entry_frame.h),
 * so that every backend starts a call from the very same state. */
static int prepare_entry(struct biosx_file *f, struct biosx_regs *r, const struct biosx_run *run)
{
	struct biosx_entry_regs e = { .esp = r->esp, .eflags = r->eflags, .ss = r->ss };
	bool is_int = run->entry == BIOSX_ENTRY_INT;

	if (biosx_entry_prepare(f->mem, BIOSX_GUEST_BYTES, is_int, run->vector, run->seg, run->off, &e))
		return -ENOENT;
	r->esp = e.esp;
	r->eflags = e.eflags;
	r->cs = e.cs;
	r->eip = e.eip;
	return 0;
}

/* The preemption timer counts down once every 2^MISC[4:0] TSC ticks
 * (SDM Vol. 3C §26.5.1). */
static u32 preemption_ticks(u64 ns)
{
	u64 ticks = div_u64((u64)tsc_khz * ns, NSEC_PER_MSEC) >> (biosx_caps.misc & BIOSX_VMX_MISC_PREEMPT_RATE_MASK);

	return ticks > 0xffffffffull ? 0xffffffffu : (u32)ticks;
}

/* Where the CPU has no VMX-preemption timer, a pinned hrtimer ends the
 * slice: its interrupt is an external-interrupt exit on this CPU whatever
 * the routine does with IF (the real IF of a vm86 guest stays set), and it
 * fires on nohz_full CPUs too, which get no tick. */
static enum hrtimer_restart slice_kick(struct hrtimer *t)
{
	struct biosx_file *f = container_of(t, struct biosx_file, kick);

	WRITE_ONCE(f->kicked, true);
	return HRTIMER_NORESTART;
}

void biosx_kick_init(struct biosx_file *f)
{
	hrtimer_init(&f->kick, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	f->kick.function = slice_kick;
}

/* The guest loop of one slice, in VMX root with a current VMCS. */
static void run_guest(struct run_ctx *x)
{
	struct biosx_run *run = x->run;
	u64 t0;

	while (!x->done && !x->slice_over) {
		u32 reason;

		biosx_host_before_entry(&x->host);
		t0 = rdtsc();
		if (biosx_vmenter(&x->gprs, x->launched)) {
			biosx_host_after_exit(&x->host);
			run->tsc_cycles += rdtsc() - t0;
			/* VMfail: the VM-instruction error is the first VMREAD. */
			run->error_code = vmcs_read(BIOSX_VMCS_VM_INSTRUCTION_ERROR);
			end_run(x, BIOSX_END_ENTRY_FAILURE);
			break;
		}
		biosx_host_after_exit(&x->host);
		run->tsc_cycles += rdtsc() - t0;
		x->launched = 1;
		reason = vmcs_read(BIOSX_VMCS_VM_EXIT_REASON);
		run->exit_reason = reason;
		run->exits++;
		if (BIOSX_EXIT_REASON_BASIC(reason) < BIOSX_EXIT_REASONS_MAX)
			run->exit_counts[BIOSX_EXIT_REASON_BASIC(reason)]++;
		biosx_handle_exit(x, reason);
		if (x->done)
			break;
		if (ktime_after(ktime_get(), x->deadline) || run->exits >= BIOSX_MAX_EXITS)
			end_run(x, BIOSX_END_TIMEOUT);
		else if (fatal_signal_pending(current) || biosx_shutting_down())
			end_run(x, BIOSX_END_INTERRUPTED);
		else if (READ_ONCE(x->f->kicked))
			x->slice_over = true;
	}
}

/*
 * One slice: enter VMX operation on whatever CPU this is, load the VMCS
 * (guest state written on the first slice only; the host state for this
 * CPU every time), run, save, VMCLEAR and leave. VMCLEAR makes the VMCS
 * loadable on another CPU next time (SDM Vol. 3C §25.1, §25.11.1), as
 * KVM's loaded_vmcs_clear() before a vCPU migrates.
 */
static int run_slice(struct run_ctx *x)
{
	const struct biosx_vmx_caps *c = &biosx_caps;
	struct biosx_file *f = x->f;
	u64 vmcs_pa = page_to_phys(f->vmcs), left;
	int err;

	/* No preemption, no migration; the caller's FPU state saved (the
	 * routine may use x87); interrupts off except after an
	 * external-interrupt exit. */
	kernel_fpu_begin();
	x->slice_end = ktime_add_ns(ktime_get(), BIOSX_SLICE_NS);
	x->slice_over = false;
	WRITE_ONCE(f->kicked, false);
	if (!c->preemption_timer)
		hrtimer_start(&f->kick, ns_to_ktime(BIOSX_SLICE_NS), HRTIMER_MODE_REL_PINNED_HARD);
	local_irq_disable();
	err = biosx_host_vmxon(&x->host, page_to_phys(f->vmxon));
	if (err)
		goto out_irq;
	err = -EIO;
	if (!x->started && vmcs_clear(vmcs_pa))
		goto out_vmxoff;
	if (vmcs_load(vmcs_pa))
		goto out_vmxoff;
	if (!x->started) {
		err = biosx_vmcs_write_controls(f, x->strategy);
		if (!err)
			err = biosx_vmcs_write_guest(f, &x->run->regs, x->strategy,
						     x->run->flags & BIOSX_RUN_TEST_BAD_ENTRY);
		if (err)
			goto out_vmclear;
		x->started = true;
	}
	err = biosx_host_write_vmcs(&x->host);
	if (err)
		goto out_vmclear;
	if (!c->load_efer)
		biosx_msr_load_host_efer(f, x->host.efer);
	if (c->preemption_timer) {
		left = max_t(s64, ktime_to_ns(ktime_sub(x->deadline, ktime_get())), 0);
		vmcs_write(BIOSX_VMCS_VMX_PREEMPTION_TIMER_VALUE, preemption_ticks(min_t(u64, left, BIOSX_SLICE_NS)));
	}
	/* Cached EPT translations tagged with this EPTP may be left from a
	 * previous owner of the root page, on this CPU: VMXON and VM
	 * transitions do not drop them (SDM Vol. 3C §29.4.3.4). KVM does an
	 * INVEPT whenever a root is loaded on a CPU (vmx_flush_tlb_current). */
	if (x->strategy == BIOSX_STRATEGY_UNRESTRICTED &&
	    vmx_invept(c->invept_type, vmcs_read(BIOSX_VMCS_EPT_POINTER)))
		goto out_vmclear;
	if (x->fpu_saved)
		asm volatile("fxrstor64 %0" : : "m"(*(u8 (*)[512])f->fpu));
	x->launched = 0;	/* VMCLEAR made the launch state "clear" */
	run_guest(x);
	asm volatile("fxsave64 %0" : "=m"(*(u8 (*)[512])f->fpu));
	x->fpu_saved = true;
	if (x->done) {
		biosx_vmcs_read_guest(&x->run->regs, &x->gprs, x->strategy);
		biosx_record_vmcs(f);
	}
	err = 0;
out_vmclear:
	vmcs_clear(vmcs_pa);
out_vmxoff:
	biosx_host_vmxoff(&x->host);
out_irq:
	local_irq_enable();
	kernel_fpu_end();
	if (!c->preemption_timer)
		hrtimer_cancel(&f->kick);
	return err;
}

int biosx_run(struct biosx_file *f, struct biosx_run *run, const u8 *allow, struct biosx_io_entry *io_log)
{
	const struct biosx_vmx_caps *c = &biosx_caps;
	struct run_ctx x = { .f = f, .run = run, .io = { .allow = allow, .log = io_log } };
	u32 timeout_ms = run->timeout_ms ? run->timeout_ms : 5000;
	int err;

	if (run->flags & BIOSX_RUN_FORCE_UNRESTRICTED) {
		if (!c->unrestricted)
			return -ENODEV;
		x.strategy = BIOSX_STRATEGY_UNRESTRICTED;
	} else if (run->flags & BIOSX_RUN_FORCE_VM86) {
		if (!c->vm86)
			return -ENODEV;
		x.strategy = BIOSX_STRATEGY_VM86;
	} else {
		x.strategy = c->unrestricted ? BIOSX_STRATEGY_UNRESTRICTED : BIOSX_STRATEGY_VM86;
	}
	err = prepare_entry(f, &run->regs, run);
	if (err)
		return err;
	run->strategy = x.strategy;
	/* Read by the EPT and the vm86 page table built for this run. */
	f->host_vga = run->flags & BIOSX_RUN_HOST_VGA;
	if (x.strategy == BIOSX_STRATEGY_VM86)
		biosx_vm86_tables(f);
	biosx_io_bitmaps(f, allow, run->flags);
	x.gprs = (struct biosx_gprs){ run->regs.eax, run->regs.ebx, run->regs.ecx, run->regs.edx,
				      run->regs.esi, run->regs.edi, run->regs.ebp };
	x.dr[6] = 0xffff0ff0;	/* DR6 and DR7 as after RESET (SDM Vol. 3B §18.2) */
	x.dr[7] = 0x400;
	*(u32 *)page_address(f->vmxon) = c->basic & BIOSX_VMX_BASIC_REVISION_MASK;
	*(u32 *)page_address(f->vmcs) = c->basic & BIOSX_VMX_BASIC_REVISION_MASK;
	f->record->valid = 0;
	x.deadline = ktime_add_ms(ktime_get(), timeout_ms);

	/* Slices until the run ends; between them the CPU belongs to Linux:
	 * the scheduler, RCU quiescent states, the watchdogs, signals. */
	for (;;) {
		err = run_slice(&x);
		if (err || x.done)
			break;
		cond_resched();
	}
	/* EBUSY is an expected outcome, not a fault: between slices the CPU
	 * is Linux's, and KVM may have turned VMX on there (CR4.VMXE in the
	 * shadow) before the next slice; one line says which case it was. */
	if (!err)
		memcpy(f->record->raw, page_address(f->vmcs), sizeof(f->record->raw));
	else if (err == -EBUSY && x.started)
		pr_info_ratelimited("biosx: VMX is already in use on CPU %d (KVM?); run given up after %u exits\n",
				    raw_smp_processor_id(), run->exits);
	else if (err == -EBUSY)
		pr_info_ratelimited("biosx: VMX is already in use on CPU %d (KVM?); not running\n",
				    raw_smp_processor_id());
	else if (x.started && !x.done)
		pr_info_ratelimited("biosx: run abandoned after %u exits (%d)\n", run->exits, err);
	biosx_stats.last_vmxon_pa = page_to_phys(f->vmxon);
	biosx_stats.last_vmcs_pa = page_to_phys(f->vmcs);
	atomic64_inc(&biosx_stats.runs);
	atomic64_add(run->exits, &biosx_stats.exits);
	return err;
}
