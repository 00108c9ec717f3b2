/* SPDX-License-Identifier: GPL-2.0 */
/*
 * biosx_priv.h - the module's internal declarations: per-file state, the guest
 * area, and the entry points of each part (device, guest memory, VMX run).
 * Kernel, process context.
 */
#ifndef BIOSX_INTERNAL_H
#define BIOSX_INTERNAL_H

#include <linux/mutex.h>
#include <linux/types.h>

struct seq_file;

#include "uapi/biosx.h"

#define BIOSX_GUEST_PAGES (BIOSX_GUEST_BYTES >> PAGE_SHIFT)
/* virtual-8086 strategy: the TSS (104 bytes, 32-byte interrupt-redirection
 * bitmap, 8 KiB I/O bitmap and its terminating 0xFF byte) follows the guest
 * area in the guest's linear space. SDM Vol. 3A §20.3.3, §21.5.2. */
#define BIOSX_TSS_LINEAR BIOSX_GUEST_BYTES
#define BIOSX_TSS_PAGES 3
#define BIOSX_TSS_IOMAP_BASE (104 + 32)

/* Guest GPRs the VMCS does not hold; order is fixed by biosx_vmenter.S. */
struct biosx_gprs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
};

/* Everything one open file of /dev/biosx owns. */
struct biosx_file {
	struct mutex lock;       /* one RUN at a time per file */
	void *mem;               /* guest area, vmalloc_user, mmap()ed */
	struct page *ept[4];     /* PML4, PDPT, PD, PT: GPA 0..BIOSX_GUEST_BYTES */
	struct page *pgdir;      /* vm86: 32-bit page directory */
	struct page *pgtab;      /* vm86: page table for linear 0..4 MiB */
	struct page *tss[BIOSX_TSS_PAGES];
	struct page *io_bitmap[2];
	struct page *vmxon;
	struct page *vmcs;
	struct biosx_vmcs_record *record; /* last run's VMCS, for GET_VMCS */
};

/* VMX capability values read once at load (CPU 0); all CPUs must agree. */
struct biosx_vmx_caps {
	u64 basic, pin, proc, exit, entry, misc;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1, vmcs_enum;
	u64 proc2, ept_vpid;
	bool has_proc2, unrestricted, ept, preemption_timer;
};
extern struct biosx_vmx_caps biosx_caps;

/* Counters for /proc/biosx. */
struct biosx_stats {
	atomic64_t runs, exits;
	u64 last_vmxon_pa, last_vmcs_pa;
};
extern struct biosx_stats biosx_stats;

/* biosx_guest.c */
int biosx_guest_alloc(struct biosx_file *f);
void biosx_guest_free(struct biosx_file *f);
void biosx_guest_init_memory(struct biosx_file *f);
u64 biosx_guest_page_pa(struct biosx_file *f, unsigned long index);
u64 biosx_ept_pointer(struct biosx_file *f);
void biosx_vm86_tables(struct biosx_file *f);

/* biosx_io.c: the port policy (src/core/x86/port_policy.h) and the I/O
 * exit. State one run keeps between its I/O exits: */
struct biosx_io_run {
	const u8 *allow;		/* 8 KiB: ports --allow-port opened, or NULL */
	struct biosx_io_entry *log;	/* io_log_cap entries, or NULL */
	u32 pci_address;		/* the run's own PCI CONFIG_ADDRESS latch */
	u8 cmos_index;			/* the run's own CMOS index, NMI bit stripped */
};
int biosx_io_load(void);
void biosx_io_unload(void);
void biosx_io_proc_show(struct seq_file *m);
void biosx_io_bitmaps(struct biosx_file *f, const u8 *allow, u32 run_flags);
int biosx_io_exit(struct biosx_io_run *io, struct biosx_run *run, u64 *rax);

/* biosx_vmx.c */
int biosx_vmx_probe(void);
int biosx_run(struct biosx_file *f, struct biosx_run *run, const u8 *allow, struct biosx_io_entry *io_log);
int biosx_read_caps(struct biosx_caps *caps);

/* biosx_vmenter.S: loads the guest GPRs, VMLAUNCH (launched == 0) or
 * VMRESUME, and on VM exit stores them back. 0 after a VM exit, 1 when the
 * instruction failed (VMfail). */
int biosx_vmenter(struct biosx_gprs *gprs, int launched);

#endif
