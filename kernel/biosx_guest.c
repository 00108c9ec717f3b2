// SPDX-License-Identifier: GPL-2.0
/*
 * biosx_guest.c - the guest's memory: the 1 MiB + 64 KiB real-mode area
 * shared with userspace through mmap(), how it is initialised from the host,
 * the EPT that maps nothing but that area (unrestricted guest), and the page
 * tables and TSS of the virtual-8086 strategy. Kernel, process context.
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

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

/* Copies [pa, pa + len) of host physical memory into the guest area at the
 * same address, a page at a time: RAM (IVT, BDA, EBDA) comes from the direct
 * map; the VGA window and ROMs are not RAM, and one mapping must not span
 * the PCI windows they sit in (the resource sanity check warns). */
static void copy_from_host(struct biosx_file *f, unsigned long pa, size_t len)
{
	unsigned long end = pa + len;

	while (pa < end) {
		size_t n = min_t(unsigned long, end, (pa & PAGE_MASK) + PAGE_SIZE) - pa;
		void *src = memremap(pa, n, MEMREMAP_WB);

		if (src) {
			memcpy((u8 *)f->mem + pa, src, n);
			memunmap(src);
		} else {
			void __iomem *io = ioremap(pa, n);

			if (io) {
				memcpy_fromio((u8 *)f->mem + pa, io, n);
				iounmap(io);
			}
		}
		pa += n;
	}
}

/*
 * What ROM-BIOS code expects to find (biosx's documented choice, see
 * docs/module.md): the host's IVT and BDA, the EBDA the BDA points at, and
 * copies of the VGA window and the ROM area 0xA0000-0xFFFFF. Copies, not the
 * host's pages: a routine can then scribble anywhere in its 1 MiB without
 * touching memory Linux or a device owns; the price is that a BIOS writing
 * its own data in shadowed ROM or the VGA window changes only the copy.
 * Conventional memory beyond that is private and zeroed.
 */
void biosx_guest_init_memory(struct biosx_file *f)
{
	u16 ebda_seg;
	unsigned long ebda;

	memset(f->mem, 0, BIOSX_GUEST_BYTES);
	copy_from_host(f, 0, BIOSX_BDA_BASE + BIOSX_BDA_SIZE);
	ebda_seg = *(u16 *)((u8 *)f->mem + BIOSX_BDA_EBDA_SEG);
	ebda = (unsigned long)ebda_seg << 4;
	/* An EBDA lives below the VGA window, in the last 128 KiB of
	 * conventional memory; anything else is not trusted. */
	if (ebda >= 0x80000 && ebda < BIOSX_VGA_BEGIN)
		copy_from_host(f, ebda, BIOSX_VGA_BEGIN - ebda);
	copy_from_host(f, BIOSX_VGA_BEGIN, BIOSX_REALMODE_END - BIOSX_VGA_BEGIN);
}

/* EPT entries: read/write/execute, memory type WB for leaf entries (SDM Vol.
 * 3C §29.3.2, Tables 29-2..29-6). */
#define EPT_RWX 0x7ull
#define EPT_MT_WB (6ull << 3)

/*
 * The EPT maps guest-physical 0..BIOSX_GUEST_BYTES to the guest area's
 * pages and nothing else: any access outside it is an EPT violation.
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
	for (i = 0; i < BIOSX_GUEST_PAGES; i++)
		pt[i] = biosx_guest_page_pa(f, i) | EPT_RWX | EPT_MT_WB;
	/* EPTP: WB paging-structure memory type, 4-level walk (SDM §25.6.11). */
	return page_to_phys(f->ept[0]) | (3ull << 3) | 6ull;
}

/* 32-bit paging entries: present, writable, user (SDM Vol. 3A §4.3). */
#define PTE_PWU 0x7u

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
	for (i = 0; i < BIOSX_GUEST_PAGES; i++)
		pt[i] = (u32)biosx_guest_page_pa(f, i) | PTE_PWU;
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
