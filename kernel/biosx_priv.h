/* SPDX-License-Identifier: GPL-2.0 */
/*
 * biosx_priv.h - the module's internal declarations: per-file state, the guest
 * area, the capabilities read at load, and the entry points of each part
 * (device, capabilities, VMCS, VMCS record, run, I/O, guest memory, host).
 * Kernel, process context.
 */
#ifndef BIOSX_INTERNAL_H
#define BIOSX_INTERNAL_H

#include <linux/hrtimer.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <asm/desc_defs.h>

struct seq_file;

#include "uapi/biosx.h"
#include "x86/vmx_verdict.h"

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
	struct page *msr_area;   /* VM-entry/exit MSR-load lists (EFER), where needed */
	struct biosx_vmcs_record *record; /* last run's VMCS, for GET_VMCS */
	/* The routine's x87 state between slices (FXSAVE image, 16-byte
	 * aligned; the guest has CR4.OSFXSR clear, so x87/MMX is all it has). */
	u8 fpu[512] __aligned(16);
	struct hrtimer kick;     /* ends a slice where there is no preemption timer */
	bool host_vga;           /* this run: GPA 0xA0000-0xBFFFF are the machine's VGA window */
	bool kicked;
};

/* Host state kept across one slice of VMX operation (biosx_host.c). */
struct biosx_host {
	struct desc_ptr idt;
	u16 ldt, ds, es, fs, gs;
	u64 kernel_gs_base, efer, debugctl;
	unsigned long cr3, cr4; /* as last written to HOST_CR3/HOST_CR4 */
	bool has_debugctl;
};

/* VMX capability values read once at load, on the CPU that loads the module,
 * and what the verdict of shared/x86/vmx_verdict.h made of them
 * (biosx_probe.c); all CPUs must agree. The control words (pin, proc, exit,
 * entry) are the TRUE MSRs where IA32_VMX_BASIC[55] says they exist. The
 * BIOSX_*_REQUIRED controls come from the same header. */
struct biosx_vmx_caps {
	u64 basic, pin, proc, exit, entry, misc;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1, vmcs_enum;
	u64 proc2, ept_vpid, proc3, exit2, vmfunc;
	unsigned long invept_type; /* BIOSX_INVEPT_SINGLE or _ALL; 0 without EPT */
	bool has_proc2;
	bool unrestricted, vm86;   /* the strategies that can run */
	bool preemption_timer, load_efer;
};
extern struct biosx_vmx_caps biosx_caps;

/* The values one control word may take: allowed-0 settings in the low half
 * of its capability MSR, allowed-1 in the high half (SDM Vol. 3D §A.3). */
static inline u32 biosx_adjust_controls(u32 want, u64 cap)
{
	return (want | (u32)cap) & (u32)(cap >> 32);
}

/* Counters for /proc/biosx. */
struct biosx_stats {
	atomic64_t runs, exits;
	u64 last_vmxon_pa, last_vmcs_pa;
};
extern struct biosx_stats biosx_stats;

/* biosx_guest.c */
int biosx_guest_alloc(struct biosx_file *f);
void biosx_guest_free(struct biosx_file *f);
void biosx_guest_load(void);
void biosx_guest_unload(void);
void biosx_guest_proc_show(struct seq_file *m);
void biosx_guest_init_memory(struct biosx_file *f);
u64 biosx_guest_page_pa(struct biosx_file *f, unsigned long index);
u64 biosx_ept_pointer(struct biosx_file *f);
void biosx_vm86_tables(struct biosx_file *f);

/* biosx_host.c */
DECLARE_PER_CPU(bool, biosx_in_vmx);
int biosx_host_vmxon(struct biosx_host *h, u64 vmxon_pa);
void biosx_host_vmxoff(struct biosx_host *h);
int biosx_host_write_vmcs(struct biosx_host *h);
void biosx_host_before_entry(struct biosx_host *h);
void biosx_host_after_exit(struct biosx_host *h);
void biosx_host_emergency_vmxoff(void);

/* biosx_main.c */
bool biosx_shutting_down(void);
bool biosx_may_see_kernel_addresses(void);
/* biosx_io.c: the port policy (shared/x86/port_policy.h) and the I/O
 * exit. State one run keeps between its I/O exits: */
struct biosx_io_run {
	const u8 *allow;		/* 8 KiB: ports --allow-port opened, or NULL */
	struct biosx_io_entry *log;	/* io_log_cap entries, or NULL */
	u32 pci_address;		/* the run's own PCI CONFIG_ADDRESS latch */
	u8 cmos_index;			/* the run's own CMOS index, NMI bit stripped */
};
/* What the I/O exit asks of the exit loop (biosx_io_exit()). */
enum biosx_io_next {
	BIOSX_IO_NEXT,	/* done: skip the instruction */
	BIOSX_IO_AGAIN,	/* a REP INS/OUTS with elements left: enter at it again */
	BIOSX_IO_END,	/* the run ends with run->end (a fault of INS/OUTS, or unhandled) */
};
int biosx_io_load(void);
void biosx_io_unload(void);
void biosx_io_proc_show(struct seq_file *m);
void biosx_io_bitmaps(struct biosx_file *f, const u8 *allow, u32 run_flags);
void biosx_io_access(struct biosx_io_run *io, struct biosx_run *run, u16 port, unsigned int size, bool in,
		     u32 *value);
int biosx_io_exit(struct biosx_io_run *io, struct biosx_run *run, struct biosx_gprs *gprs, u8 *mem);
/* biosx_string_io.c: INS/OUTS at the I/O exit (qualification Q) */
int biosx_string_io_exit(struct biosx_io_run *io, struct biosx_run *run, struct biosx_gprs *gprs, u8 *mem, u64 q);

/* biosx_caps.c */
void biosx_read_caps_local(struct biosx_caps *caps);
int biosx_read_caps(struct biosx_caps *caps);

/* biosx_probe.c */
int biosx_vmx_probe(void);
bool biosx_cap_allows(unsigned int cap, unsigned int bit);

/* biosx_vmcs.c */
int biosx_vmcs_write_controls(struct biosx_file *f, int strategy);
int biosx_vmcs_write_guest(struct biosx_file *f, const struct biosx_regs *r, int strategy, bool bad_entry);
void biosx_vmcs_read_guest(struct biosx_regs *r, const struct biosx_gprs *gprs, int strategy);
void biosx_msr_load_host_efer(struct biosx_file *f, u64 efer);

/* biosx_record.c */
void biosx_record_vmcs(struct biosx_file *f);
void biosx_hide_addresses(struct biosx_vmcs_record *r);

/* biosx_run.c (biosx_exits.c is reached through biosx_run.h) */
int biosx_run(struct biosx_file *f, struct biosx_run *run, const u8 *allow, struct biosx_io_entry *io_log);
void biosx_kick_init(struct biosx_file *f);

/* biosx_vmenter.S: loads the guest GPRs, VMLAUNCH (launched == 0) or
 * VMRESUME, and on VM exit stores them back. 0 after a VM exit, 1 when the
 * instruction failed (VMfail). */
int biosx_vmenter(struct biosx_gprs *gprs, int launched);
/* biosx_vmenter.S: calls the kernel's NMI entry (asm_exc_nmi_noist) on the
 * current stack with an interrupt frame, for an NMI that caused a VM exit. */
void biosx_call_nmi_handler(unsigned long entry);

#endif
