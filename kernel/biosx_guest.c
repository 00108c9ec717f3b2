// SPDX-License-Identifier: GPL-2.0
/*
 * biosx_guest.c - the guest's memory: the 1 MiB + 64 KiB real-mode area
 * shared with userspace through mmap(), how it is initialised from the host,
 * the EPT that maps nothing but that area (unrestricted guest), and the page
 * tables and TSS of the virtual-8086 strategy. Kernel, process context.
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <asm/unaligned.h>

#include "biosx_priv.h"
#include "x86/realmode.h"

static struct page *zpage(void)
{
	/* Below 4 GiB: the vm86 guest's 32-bit page tables and CR3 hold these
	 * pages' physical addresses. Charged to the opener's memory cgroup,
	 * as KVM charges its per-VM pages (GFP_KERNEL_ACCOUNT). */
	return alloc_page(GFP_KERNEL_ACCOUNT | GFP_DMA32 | __GFP_ZERO);
}

int biosx_guest_alloc(struct biosx_file *f)
{
	int i;

	f->mem = vmalloc_32_user(BIOSX_GUEST_BYTES);
	if (!f->mem)
		return -ENOMEM;
	for (i = 0; i < 4; i++)
		if (!(f->ept[i] = zpage()))
			return -ENOMEM;
	for (i = 0; i < BIOSX_TSS_PAGES; i++)
		if (!(f->tss[i] = zpage()))
			return -ENOMEM;
	for (i = 0; i < 2; i++)
		if (!(f->io_bitmap[i] = zpage()))
			return -ENOMEM;
	f->pgdir = zpage();
	f->pgtab = zpage();
	f->vmxon = zpage();
	f->vmcs = zpage();
	f->msr_area = zpage();
	f->record = kzalloc(sizeof(*f->record), GFP_KERNEL_ACCOUNT);
	if (!f->pgdir || !f->pgtab || !f->vmxon || !f->vmcs || !f->msr_area || !f->record)
		return -ENOMEM;
	return 0;
}

void biosx_guest_free(struct biosx_file *f)
{
	int i;

	vfree(f->mem);
	for (i = 0; i < 4; i++)
		if (f->ept[i])
			__free_page(f->ept[i]);
	for (i = 0; i < BIOSX_TSS_PAGES; i++)
		if (f->tss[i])
			__free_page(f->tss[i]);
	for (i = 0; i < 2; i++)
		if (f->io_bitmap[i])
			__free_page(f->io_bitmap[i]);
	if (f->pgdir)
		__free_page(f->pgdir);
	if (f->pgtab)
		__free_page(f->pgtab);
	if (f->vmxon)
		__free_page(f->vmxon);
	if (f->vmcs)
		__free_page(f->vmcs);
	if (f->msr_area)
		__free_page(f->msr_area);
	kfree(f->record);
}

u64 biosx_guest_page_pa(struct biosx_file *f, unsigned long index)
{
	return page_to_phys(vmalloc_to_page((u8 *)f->mem + (index << PAGE_SHIFT)));
}

/*
 * The host's low memory a guest area starts from (biosx_guest_init_memory()),
 * mapped once at load: open() then only copies. Mapping and unmapping the
 * ~100 pages at every open took 23 of the 29 ms an open/run/close cycle cost
 * in Bochs. A piece never crosses a page, so that no mapping spans two of
 * the PCI windows and ROM resources that divide this range (ioremap's
 * resource sanity check). RAM is never ioremap()ed: memremap() hands out
 * the direct map for System RAM and calls ioremap_cache() for everything
 * else, as /dev/mem does page by page (xlate_dev_mem_ptr()); the low ISA
 * range is write-back in the kernel's own page tables (PAT leaves it
 * untracked), so that cache type aliases nothing. ioremap() (UC-) is the
 * fallback where memremap() refuses.
 */
struct host_piece {
	unsigned long pa;
	unsigned int len;
	bool io;	/* from ioremap(): read with memcpy_fromio() */
	void *va;
};
#define HOST_PIECES_MAX ((BIOSX_REALMODE_END >> PAGE_SHIFT) + 2)
static struct host_piece host_pieces[HOST_PIECES_MAX];
static unsigned int host_npieces, host_nio;
static unsigned long host_ebda;

static void map_host_range(unsigned long pa, size_t len)
{
	unsigned long end = pa + len;

	while (pa < end && host_npieces < HOST_PIECES_MAX) {
		size_t n = min_t(unsigned long, end, (pa & PAGE_MASK) + PAGE_SIZE) - pa;
		struct host_piece *p = &host_pieces[host_npieces];

		p->pa = pa;
		p->len = n;
		p->io = false;
		p->va = memremap(pa, n, MEMREMAP_WB);
		if (!p->va) {
			p->va = (void __force *)ioremap(pa, n);
			p->io = p->va;
		}
		if (p->va) {
			host_npieces++;
			host_nio += p->io;
		}
		pa += n;
	}
}

/*
 * What ROM-BIOS code expects to find (biosx's documented choice, see
 * docs/module.md): the host's IVT and BDA, the EBDA the BDA points at, and
 * the VGA window and the ROM area 0xA0000-0xFFFFF. The EBDA's place is
 * read from the BDA here; firmware sets it before the OS starts and Linux
 * never moves it (it reserves it at boot, reserve_bios_regions()).
 */
void biosx_guest_load(void)
{
	u16 ebda_seg = 0;

	map_host_range(0, BIOSX_BDA_BASE + BIOSX_BDA_SIZE);
	if (host_npieces && !host_pieces[0].pa) {
		u8 *at = (u8 *)host_pieces[0].va + BIOSX_BDA_EBDA_SEG;

		ebda_seg = host_pieces[0].io ? readw((void __iomem __force *)at) : get_unaligned((u16 *)at);
	}
	/* An EBDA lives below the VGA window, in the last 128 KiB of
	 * conventional memory; anything else is not trusted. */
	host_ebda = (unsigned long)ebda_seg << 4;
	if (host_ebda >= 0x80000 && host_ebda < BIOSX_VGA_BEGIN)
		map_host_range(host_ebda, BIOSX_VGA_BEGIN - host_ebda);
	else
		host_ebda = 0;
	map_host_range(BIOSX_VGA_BEGIN, BIOSX_REALMODE_END - BIOSX_VGA_BEGIN);
}

void biosx_guest_unload(void)
{
	while (host_npieces) {
		struct host_piece *p = &host_pieces[--host_npieces];

		if (p->io)
			iounmap((void __iomem __force *)p->va);
		else
			memunmap(p->va);
	}
	host_nio = 0;
}

void biosx_guest_proc_show(struct seq_file *m)
{
	seq_printf(m, "host_low_memory_pieces %u (%u through ioremap), ebda 0x%lx\n", host_npieces, host_nio, host_ebda);
}

/*
 * A fresh guest area: copies of the pieces above at their own addresses.
 * Copies, not the host's pages: a routine can then scribble anywhere in its
 * 1 MiB without touching memory Linux or a device owns; the price is that a
 * BIOS writing its own data in shadowed ROM or the VGA window changes only
 * the copy. Conventional memory beyond that is private and zero
 * (vmalloc_32_user() hands out zeroed pages).
 */
void biosx_guest_init_memory(struct biosx_file *f)
{
	unsigned int i;

	for (i = 0; i < host_npieces; i++) {
		const struct host_piece *p = &host_pieces[i];

		if (p->io)
			memcpy_fromio((u8 *)f->mem + p->pa, (void __iomem __force *)p->va, p->len);
		else
			memcpy((u8 *)f->mem + p->pa, p->va, p->len);
	}
}

/* EPT entries: read/write/execute, memory type WB for leaf entries (SDM Vol.
 * 3C §29.3.2, Tables 29-2..29-6); UC (type 0) for the machine's VGA window. */
#define EPT_RWX 0x7ull
#define EPT_MT_UC (0ull << 3)
#define EPT_MT_WB (6ull << 3)

/*
 * Where guest-physical page `index` lives on the host, and whether it is
 * device memory: the area's own page, or -- for a run with
 * BIOSX_RUN_HOST_VGA -- the machine's legacy VGA window at the same address
 * (physical 0xA0000-0xBFFFF, as /dev/mem and libx86 give it).
 */
static u64 guest_frame(struct biosx_file *f, unsigned long index, bool *device)
{
	u64 gpa = (u64)index << PAGE_SHIFT;

	*device = f->host_vga && gpa >= BIOSX_VGA_BEGIN && gpa < BIOSX_ROM_BEGIN;
	return *device ? gpa : biosx_guest_page_pa(f, index);
}

/*
 * The EPT maps guest-physical 0..BIOSX_GUEST_BYTES to the guest area's
 * pages (or, with BIOSX_RUN_HOST_VGA, 0xA0000-0xBFFFF to the machine's VGA
 * window) and nothing else: any access outside it is an EPT violation.
 * The VGA frames are UC in the EPT: with the guest's paging off its PAT
 * type is WB (SDM Vol. 3C §29.3.7.2), and the EPT type takes the place of
 * the MTRRs in the combination (Vol. 3A §12.5.2.2, Table 12-7), so the
 * access is UC -- what KVM gives MMIO (vmx_get_mt_mask()). A changed map is
 * never walked stale: every run starts with INVEPT (biosx_run.c).
 */
u64 biosx_ept_pointer(struct biosx_file *f)
{
	u64 *pml4 = page_address(f->ept[0]), *pdpt = page_address(f->ept[1]);
	u64 *pd = page_address(f->ept[2]), *pt = page_address(f->ept[3]);
	unsigned long i;

	memset(pt, 0, PAGE_SIZE);
	pml4[0] = page_to_phys(f->ept[1]) | EPT_RWX;
	pdpt[0] = page_to_phys(f->ept[2]) | EPT_RWX;
	pd[0] = page_to_phys(f->ept[3]) | EPT_RWX;
	for (i = 0; i < BIOSX_GUEST_PAGES; i++) {
		bool device;
		u64 pa = guest_frame(f, i, &device);

		pt[i] = pa | EPT_RWX | (device ? EPT_MT_UC : EPT_MT_WB);
	}
	/* EPTP: WB paging-structure memory type, 4-level walk (SDM §25.6.11). */
	return page_to_phys(f->ept[0]) | (3ull << 3) | 6ull;
}

/* 32-bit paging entries: present, writable, user; PCD|PWT make the VGA
 * window's frames UC whatever the MTRRs say (SDM Vol. 3A §4.3, §12.12.3). */
#define PTE_PWU 0x7u
#define PTE_PWT_PCD 0x18u

/*
 * The virtual-8086 strategy's protected-mode scaffolding: a page directory
 * whose one page table maps linear 0..BIOSX_GUEST_BYTES to the guest area and
 * the next pages to the TSS. Without EPT, guest-physical is host-physical,
 * so these entries hold the real addresses of the area's pages; the guest
 * can reach nothing else. The TSS redirects every INT n to the real-mode IVT
 * (interrupt-redirection bitmap all zero, CR4.VME, SDM Vol. 3A §21.3.3) and
 * lets every port through its own I/O bitmap, so that only the VMX I/O
 * bitmaps decide which accesses exit (SDM Vol. 3C §26.1.3).
 */
void biosx_vm86_tables(struct biosx_file *f)
{
	u32 *pd = page_address(f->pgdir), *pt = page_address(f->pgtab);
	unsigned long i;
	u8 *tss;

	memset(pd, 0, PAGE_SIZE);
	memset(pt, 0, PAGE_SIZE);
	pd[0] = (u32)page_to_phys(f->pgtab) | PTE_PWU;
	for (i = 0; i < BIOSX_GUEST_PAGES; i++) {
		bool device;
		u64 pa = guest_frame(f, i, &device);

		pt[i] = (u32)pa | PTE_PWU | (device ? PTE_PWT_PCD : 0);
	}
	for (i = 0; i < BIOSX_TSS_PAGES; i++) {
		pt[BIOSX_GUEST_PAGES + i] = (u32)page_to_phys(f->tss[i]) | PTE_PWU;
		memset(page_address(f->tss[i]), 0, PAGE_SIZE);
	}
	/* The TSS spans pages that need not be contiguous: write it through
	 * each page. I/O map base at offset 102; the redirection bitmap is the
	 * 32 bytes before the I/O bitmap (both already zero); the I/O bitmap
	 * ends with 0xFF at offset IOMAP_BASE + 8192. */
	tss = page_address(f->tss[0]);
	*(u16 *)(tss + 102) = BIOSX_TSS_IOMAP_BASE;
	i = BIOSX_TSS_IOMAP_BASE + 8192;
	*((u8 *)page_address(f->tss[i >> PAGE_SHIFT]) + (i & ~PAGE_MASK)) = 0xff;
}
