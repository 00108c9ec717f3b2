// SPDX-License-Identifier: GPL-2.0
/*
 * biosx_io.c - port I/O of a BIOS routine on a live host: the port policy
 * (shared/x86/port_policy.h) completed at load with the FADT's ACPI ports
 * and the display adapters' I/O BARs, the VMX I/O bitmaps of a run, and the
 * I/O-instruction exit, where every access is refused (hard floor),
 * virtual, mediated (CMOS/RTC and PCI configuration space through the
 * kernel's own locked accessors) or passed to the hardware.
 * Kernel: load, unload and the bitmaps in process context; biosx_io_exit()
 * in VMX root with interrupts off, so it takes spinlocks only.
 */
#include <linux/acpi.h>
#include <linux/bsearch.h>
#include <linux/io.h>
#include <linux/mc146818rtc.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "biosx_priv.h"
#include "x86/port_policy.h"
#include "vmx_ops.h"

/* The policy of this host: the shared table, then what load found. */
static u8 port_map[BIOSX_PORTS];
/* Ports that exit in each mode without --allow-port, as the VMX I/O
 * bitmaps A (0x0000-0x7FFF) and B (0x8000-0xFFFF) want them: a set bit
 * makes an access touching the port exit (SDM Vol. 3C §25.6.4). */
static u8 exit_bits_host[BIOSX_PORTS / 8], exit_bits_pass[BIOSX_PORTS / 8];
static unsigned int fadt_ranges, display_ranges;

/*
 * PCI functions of domain 0 present at load, sorted by bus/devfn, each with
 * a reference held (pci_dev_get()). The mediated configuration accesses run
 * with interrupts off in VMX root, where pci_find_bus() or
 * pci_get_domain_bus_and_slot() (pci_bus_sem, device lists) must not be
 * called; a function added later reads as absent (all ones).
 */
struct biosx_pci_fn {
	u16 bdf;	/* PCI_DEVID(bus, devfn), as CONFIG_ADDRESS bits 23:8 */
	bool display;	/* class code 03h: the routine may write its config */
	struct pci_dev *dev;
};
static struct biosx_pci_fn *pci_fns;
static unsigned int pci_nfns;

static int pci_fn_cmp(const void *a, const void *b)
{
	return (int)((const struct biosx_pci_fn *)a)->bdf - (int)((const struct biosx_pci_fn *)b)->bdf;
}

static unsigned int io_mode(u32 run_flags)
{
	if (run_flags & BIOSX_RUN_VIRTUAL_IO)
		return BIOSX_IO_MODE_VIRTUAL;
	if (run_flags & BIOSX_RUN_PASS_IO)
		return BIOSX_IO_MODE_PASS;
	return BIOSX_IO_MODE_HOST;
}

static void set_exit_bit(u8 *bits, unsigned int port)
{
	bits[port >> 3] |= 1u << (port & 7);
}

/* The ACPI registers the FADT names (SMI_CMD, PM1a/b and PM2 control, the
 * reset register) join the floor; acpi_get_table() hands out the firmware's
 * raw table, which the shared parser reads. */
static void add_fadt_ports(void)
{
#ifdef CONFIG_ACPI
	struct acpi_table_header *t;

	if (acpi_disabled || ACPI_FAILURE(acpi_get_table(ACPI_SIG_FADT, 0, &t)))
		return;
	fadt_ranges = biosx_port_map_fadt(port_map, (const unsigned char *)t, t->length);
	acpi_put_table(t);
#endif
}

/* Every PCI function of domain 0 (configuration mechanism #1 reaches no
 * other), and the I/O BARs of display-class ones (PCI_BASE_CLASS_DISPLAY)
 * pass like the VGA ports. */
static int collect_pci_functions(void)
{
	struct pci_dev *pdev = NULL;
	unsigned int n = 0, i = 0, bar, p;

	for_each_pci_dev(pdev)
		n++;
	pci_fns = kcalloc(n ? n : 1, sizeof(*pci_fns), GFP_KERNEL);
	if (!pci_fns)
		return -ENOMEM;
	pdev = NULL;
	for_each_pci_dev(pdev) {
		if (i == n) {	/* a function arrived meanwhile */
			pci_dev_put(pdev);
			break;
		}
		if (pci_domain_nr(pdev->bus))
			continue;
		pci_fns[i].bdf = PCI_DEVID(pdev->bus->number, pdev->devfn);
		pci_fns[i].display = (pdev->class >> 16) == PCI_BASE_CLASS_DISPLAY;
		pci_fns[i].dev = pci_dev_get(pdev);
		if (pci_fns[i].display) {
			for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
				resource_size_t start = pci_resource_start(pdev, bar);
				resource_size_t end = pci_resource_end(pdev, bar);

				if (!(pci_resource_flags(pdev, bar) & IORESOURCE_IO) || !start || end > 0xffff)
					continue;
				for (p = start; p <= end; p++)
					if (port_map[p] == BIOSX_PC(BIOSX_PORT_VIRTUAL, BIOSX_PORT_VIRTUAL))
						port_map[p] = BIOSX_PC(BIOSX_PORT_PASS, BIOSX_PORT_PASS);
				display_ranges++;
			}
		}
		i++;
	}
	pci_nfns = i;
	sort(pci_fns, pci_nfns, sizeof(*pci_fns), pci_fn_cmp, NULL);
	return 0;
}

int biosx_io_load(void)
{
	unsigned int p;
	int err;

	biosx_port_map_init(port_map);
	add_fadt_ports();
	err = collect_pci_functions();
	if (err)
		return err;
	for (p = 0; p < BIOSX_PORTS; p++) {
		if (!biosx_port_runs_free(port_map, NULL, BIOSX_IO_MODE_HOST, p))
			set_exit_bit(exit_bits_host, p);
		if (!biosx_port_runs_free(port_map, NULL, BIOSX_IO_MODE_PASS, p))
			set_exit_bit(exit_bits_pass, p);
	}
	return 0;
}

void biosx_io_unload(void)
{
	unsigned int i;

	for (i = 0; i < pci_nfns; i++)
		pci_dev_put(pci_fns[i].dev);
	kfree(pci_fns);
	pci_fns = NULL;
	pci_nfns = 0;
}

void biosx_io_proc_show(struct seq_file *m)
{
	seq_printf(m, "io_floor_fadt_ranges %u\n", fadt_ranges);
	seq_printf(m, "io_display_bar_ranges %u\n", display_ranges);
	seq_printf(m, "io_pci_functions %u\n", pci_nfns);
}

/*
 * The I/O bitmaps of one run (SDM Vol. 3C §25.6.4, "use I/O bitmaps"):
 * only ports that pass run without an exit; with BIOSX_RUN_LOG_IO, or when
 * nothing passes, every port exits. The CPU checks the bit of every byte an
 * access touches (§26.1.3), so a word that straddles into a port that is not
 * passed exits too, and biosx_io_exit() classifies it as a whole.
 */
void biosx_io_bitmaps(struct biosx_file *f, const u8 *allow, u32 run_flags)
{
	u8 *a = page_address(f->io_bitmap[0]), *b = page_address(f->io_bitmap[1]);
	unsigned int mode = io_mode(run_flags), i, p;
	const u8 *base = mode == BIOSX_IO_MODE_PASS ? exit_bits_pass : exit_bits_host;

	BUILD_BUG_ON(BIOSX_PORTS / 8 != 2 * PAGE_SIZE);
	if ((run_flags & BIOSX_RUN_LOG_IO) || mode == BIOSX_IO_MODE_VIRTUAL) {
		memset(a, 0xff, PAGE_SIZE);
		memset(b, 0xff, PAGE_SIZE);
		return;
	}
	memcpy(a, base, PAGE_SIZE);
	memcpy(b, base + PAGE_SIZE, PAGE_SIZE);
	if (!allow)
		return;
	for (i = 0; i < BIOSX_PORTS / 8; i++) {
		if (!allow[i])
			continue;
		for (p = i * 8; p < i * 8 + 8; p++)
			if (biosx_port_runs_free(port_map, allow, mode, p)) {
				u8 *bm = p < 0x8000 ? a : b;

				bm[(p & 0x7fff) >> 3] &= ~(1u << (p & 7));
			}
	}
}

/*
 * CMOS/RTC (MC146818 at 0x70/0x71). The index is this run's own: the host's
 * index register is only ever written by CMOS_READ()/CMOS_WRITE() with
 * bit 7 (NMI disable) clear, and each data access is one index+data pair
 * under rtc_lock, the lock Linux's own RTC code holds around them
 * (arch/x86/kernel/rtc.c). Not mediated (virtual): accesses wider than a
 * byte, reads of register C (they clear the interrupt flags the host's
 * rtc-cmos driver waits for), and writes to the clock and its control
 * registers 0x00-0x0D, which belong to the host; the NVRAM (0x0E-0x7F) is
 * read and written.
 */
static bool cmos_access(struct biosx_io_run *io, u16 port, unsigned int size, bool in, u32 *value)
{
	unsigned long flags;
	u8 reg = io->cmos_index;

	if (size != 1)
		return false;
	if (port == BIOSX_CMOS_INDEX) {
		if (in)
			*value = reg;
		else
			io->cmos_index = *value & 0x7f & ~BIOSX_CMOS_NMI_DISABLE;
		return true;
	}
	if (in ? reg == RTC_REG_C : reg <= RTC_REG_D)
		return false;
	spin_lock_irqsave(&rtc_lock, flags);
	if (in)
		*value = CMOS_READ(reg);
	else
		CMOS_WRITE(*value, reg);
	spin_unlock_irqrestore(&rtc_lock, flags);
	return true;
}

static int pci_config_read(struct pci_dev *dev, unsigned int reg, unsigned int size, u32 *value)
{
	u8 b;
	u16 w;
	int err;

	if (size == 1) {
		err = pci_read_config_byte(dev, reg, &b);
		*value = b;
	} else if (size == 2) {
		err = pci_read_config_word(dev, reg, &w);
		*value = w;
	} else {
		err = pci_read_config_dword(dev, reg, value);
	}
	return err;
}

static int pci_config_write(struct pci_dev *dev, unsigned int reg, unsigned int size, u32 value)
{
	if (size == 1)
		return pci_write_config_byte(dev, reg, value);
	if (size == 2)
		return pci_write_config_word(dev, reg, value);
	return pci_write_config_dword(dev, reg, value);
}

/*
 * PCI configuration mechanism #1 (PCI Local Bus 3.0 §3.2.2.3.2). The
 * CONFIG_ADDRESS latch (a dword at 0xCF8) is this run's own; a data access
 * at 0xCFC-0xCFF becomes pci_read_config_*()/pci_write_config_*() on the
 * function it addresses, which take the kernel's pci_lock and do the
 * address and data cycles atomically. A function that did not exist at
 * load reads all ones, as absent hardware does. Writes reach display-class
 * functions only (a video BIOS programs its own device); writes elsewhere
 * would move BARs or switch off decoding under Linux's drivers (virtual).
 */
static bool pci_access(struct biosx_io_run *io, u16 port, unsigned int size, bool in, u32 *value)
{
	struct biosx_pci_fn key = { .bdf = (io->pci_address >> 8) & 0xffff };
	const struct biosx_pci_fn *fn;
	unsigned int reg, i;
	u32 v;

	if (port == BIOSX_PCI_CONFIG_ADDRESS) {
		if (in)
			*value = io->pci_address;
		else
			io->pci_address = *value;
		return true;
	}
	if (!(io->pci_address & BIT(31)))	/* enable bit clear: no configuration cycle */
		return false;
	reg = (io->pci_address & 0xfc) + (port - BIOSX_PCI_CONFIG_DATA);
	fn = bsearch(&key, pci_fns, pci_nfns, sizeof(*pci_fns), pci_fn_cmp);
	if (!fn)
		return true;	/* *value is all ones already; a write goes nowhere */
	if (!in && !fn->display)
		return false;
	if (!(reg & (size - 1))) {
		if (!in)
			pci_config_write(fn->dev, reg, size, *value);
		else if (pci_config_read(fn->dev, reg, size, value))
			*value = ~0u;	/* the caller masks it to the access size */
		return true;
	}
	/* An unaligned word (at 0xCFD or 0xCFF within the register): bytewise,
	 * as the PCI accessors take aligned accesses only. */
	for (i = 0; i < size; i++) {
		if (in) {
			if (pci_config_read(fn->dev, reg + i, 1, &v))
				v = 0xff;
			*value = (*value & ~(0xffu << (8 * i))) | v << (8 * i);
		} else {
			pci_config_write(fn->dev, reg + i, 1, (*value >> (8 * i)) & 0xff);
		}
	}
	return true;
}

/* A refused or virtual access, counted per port and direction. */
static void count_port(struct biosx_run *run, u16 port, u8 flags)
{
	u32 i;

	for (i = 0; i < run->port_counts_used; i++)
		if (run->port_counts[i].port == port && run->port_counts[i].flags == flags) {
			run->port_counts[i].count++;
			return;
		}
	if (i == BIOSX_PORT_COUNTS_MAX) {
		run->port_counts_lost++;
		return;
	}
	run->port_counts[i] = (struct biosx_port_count){ .port = port, .flags = flags, .count = 1 };
	run->port_counts_used++;
}

static u32 port_in(u16 port, unsigned int size)
{
	return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

static void port_out(u16 port, unsigned int size, u32 value)
{
	if (size == 1)
		outb(value, port);
	else if (size == 2)
		outw(value, port);
	else
		outl(value, port);
}

/*
 * One port access of a run, by the policy (shared/x86/port_policy.h): the
 * access gets the class of its most restrictive byte (biosx_port_access())
 * and is refused (hard floor), virtual, mediated or passed; an access kept
 * from the hardware is counted per port, every access is logged with
 * --io-log. *value is the value written (OUT) or receives the value read
 * (IN: all ones unless mediated or passed), SIZE bytes of it. IN/OUT and
 * every element of INS/OUTS (biosx_string_io.c) come here.
 */
void biosx_io_access(struct biosx_io_run *io, struct biosx_run *run, u16 port, unsigned int size, bool in,
		     u32 *value)
{
	u32 mask = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	u32 v = in ? mask : *value & mask;
	u8 flags = in ? 0 : BIOSX_IO_WRITE;

	switch (biosx_port_access(port_map, io->allow, io_mode(run->flags), port, size, !in)) {
	case BIOSX_PORT_FLOOR:
		flags |= BIOSX_IO_DENIED;
		break;
	case BIOSX_PORT_CMOS:
		if (cmos_access(io, port, size, in, &v))
			flags |= BIOSX_IO_MEDIATED;
		break;
	case BIOSX_PORT_PCI:
		if (pci_access(io, port, size, in, &v))
			flags |= BIOSX_IO_MEDIATED;
		break;
	case BIOSX_PORT_PASS:
		flags |= BIOSX_IO_PASSED;
		if (in)
			v = port_in(port, size);
		else
			port_out(port, size, v);
		break;
	default:	/* BIOSX_PORT_VIRTUAL */
		break;
	}
	v &= mask;
	if (!(flags & (BIOSX_IO_PASSED | BIOSX_IO_MEDIATED)))
		count_port(run, port, flags);
	if (in)
		*value = v;
	if (io->log && run->io_log_count < run->io_log_cap) {
		struct biosx_io_entry *l = &io->log[run->io_log_count];

		l->port = port;
		l->size = size;
		l->flags = flags;
		l->value = v;
	}
	run->io_log_count++;
}

/*
 * The I/O-instruction exit (basic reason 30). Exit qualification, SDM Vol.
 * 3C §28.2.1, Table 28-5: bits 2:0 size - 1, bit 3 direction (1 = IN),
 * bit 4 string instruction, bit 5 REP prefixed, bits 31:16 the port. IN and
 * OUT are one access here; INS and OUTS go to biosx_string_io_exit().
 */
int biosx_io_exit(struct biosx_io_run *io, struct biosx_run *run, struct biosx_gprs *gprs, u8 *mem)
{
	u64 q = vmcs_read(BIOSX_VMCS_EXIT_QUALIFICATION);
	unsigned int size = (q & 7) + 1;
	bool in = q & 8;
	u32 mask = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	u32 value = (u32)gprs->rax;

	if (q & 16)
		return biosx_string_io_exit(io, run, gprs, mem, q);
	biosx_io_access(io, run, q >> 16, size, in, &value);
	if (in)
		gprs->rax = (gprs->rax & ~(u64)mask) | (value & mask);
	return BIOSX_IO_NEXT;
}
