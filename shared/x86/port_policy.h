/* port_policy.h - the port I/O policy for a BIOS routine running on a live
 * host, once, for the emulation backend (src/core/run/io_policy.cpp) and the
 * module (kernel/biosx_io.c). Pure C, no OS: static inline functions over a
 * caller-owned map of 65536 bytes, one per port.
 *
 * Every port has a class for reads and one for writes (map byte: read class
 * in bits 3:0, write class in bits 7:4). The classes are ordered from the
 * least to the most restrictive, so that an access of 2 or 4 bytes gets the
 * class of its most restrictive byte (SDM Vol. 1 §19.2: a word or dword
 * access to port P touches P..P+1 or P..P+3).
 *
 *  PASS     the hardware performs it (display adapter, delay ports)
 *  CMOS     mediated: 0x70 index kept per run, 0x71 data under the host's lock
 *  PCI      mediated: 0xCF8 address latch kept per run, 0xCFC-0xCFF data
 *           through the host's PCI configuration accessors
 *  VIRTUAL  the default: a read gives all ones, a write is dropped
 *  FLOOR    refused, whatever flag or option: reset, DMA, PIC, PIT, SMI
 *
 * Which class reaches the hardware in a run is the caller's business
 * (biosx_port_access()): --virtual-io makes everything above the floor
 * VIRTUAL, --pass-io makes VIRTUAL ports PASS, --allow-port makes the ports
 * it names PASS; the floor stays the floor.
 */
#ifndef BIOSX_X86_PORT_POLICY_H
#define BIOSX_X86_PORT_POLICY_H

enum biosx_port_class {
	BIOSX_PORT_PASS = 0,
	BIOSX_PORT_CMOS = 1,
	BIOSX_PORT_PCI = 2,
	BIOSX_PORT_VIRTUAL = 3,
	BIOSX_PORT_FLOOR = 4,
};

/* How a run treats the ports above the floor. */
enum biosx_io_mode {
	BIOSX_IO_MODE_HOST = 0,    /* the table as it is (a live host) */
	BIOSX_IO_MODE_VIRTUAL = 1, /* nothing reaches the hardware (images, --virtual-io) */
	BIOSX_IO_MODE_PASS = 2,    /* experts: VIRTUAL ports pass (--pass-io) */
};

#define BIOSX_PORTS 65536u
#define BIOSX_PCI_CONFIG_ADDRESS 0x0cf8u
#define BIOSX_PCI_CONFIG_DATA 0x0cfcu
#define BIOSX_CMOS_INDEX 0x0070u
#define BIOSX_CMOS_DATA 0x0071u
#define BIOSX_CMOS_NMI_DISABLE 0x80u /* bit 7 of the index: never written */

#define BIOSX_PC(read, write) ((unsigned char)((read) | ((write) << 4)))

/*
 * BIOSX_PORT_POLICY(X) expands X(FIRST, LAST, READ_CLASS, WRITE_CLASS, "why")
 * per range; a port in no range is VIRTUAL both ways. Later entries win over
 * earlier ones (0x80 inside the DMA page registers).
 */
#define BIOSX_PORT_POLICY(X) \
	X(0x0000, 0x001f, FLOOR, FLOOR, "8237 DMA controller 1 (and aliases): a DMA address is a host physical address") \
	X(0x0020, 0x0021, FLOOR, FLOOR, "master PIC: remaps or masks Linux's interrupts; reads depend on its OCW3 state") \
	X(0x0022, 0x0023, FLOOR, FLOOR, "chipset configuration index/data and the IMCR (APIC vs PIC routing)") \
	X(0x0040, 0x0043, FLOOR, FLOOR, "PIT: Linux's timer/calibration; a read moves the latch flip-flop") \
	X(0x0061, 0x0061, PASS, VIRTUAL, "system control port B: reads poll the refresh toggle (BIOS delays); writes gate the speaker and NMI sources") \
	X(0x0064, 0x0064, VIRTUAL, FLOOR, "keyboard controller commands (0xFE pulses CPU reset, 0xD1 drives A20)") \
	X(0x0070, 0x0071, CMOS, CMOS, "CMOS/RTC: the index races with Linux's RTC code; bit 7 of the index masks NMI") \
	X(0x0080, 0x008f, FLOOR, FLOOR, "8237 DMA page registers") \
	X(0x0080, 0x0080, PASS, PASS, "POST code / I/O delay port") \
	X(0x0092, 0x0092, VIRTUAL, FLOOR, "system control port A: fast A20 and fast reset") \
	X(0x00a0, 0x00a1, FLOOR, FLOOR, "slave PIC: remaps or masks Linux's interrupts") \
	X(0x00b2, 0x00b3, FLOOR, FLOOR, "APM/SMI command and status: enters SMM") \
	X(0x00c0, 0x00df, FLOOR, FLOOR, "8237 DMA controller 2") \
	X(0x00ed, 0x00ed, PASS, PASS, "I/O delay port (Linux's io_delay=0xed)") \
	X(0x01ce, 0x01d0, PASS, PASS, "display adapter extension index/data (ATI VGA Wonder; the Bochs/QEMU VBE interface, whose VGA BIOS sets VBE modes here; a word at 0x1CF spans 0x1D0)") \
	X(0x03b0, 0x03df, PASS, PASS, "VGA (MDA, CGA, EGA/VGA registers): the display adapter's own ports") \
	X(0x040b, 0x040b, FLOOR, FLOOR, "8237 DMA controller 1 extended mode (EISA)") \
	X(0x0480, 0x048f, FLOOR, FLOOR, "8237 DMA high page registers (EISA)") \
	X(0x04d0, 0x04d1, FLOOR, FLOOR, "ELCR: edge/level trigger of the PIC's interrupts") \
	X(0x04d6, 0x04d6, FLOOR, FLOOR, "8237 DMA controller 2 extended mode (EISA)") \
	X(0x0cf8, 0x0cfb, VIRTUAL, VIRTUAL, "PCI CONFIG_ADDRESS is a dword register (byte/word accesses here are not it)") \
	X(0x0cf9, 0x0cf9, VIRTUAL, FLOOR, "reset control register: a byte write resets the machine") \
	X(0x0cfc, 0x0cff, PCI, PCI, "PCI CONFIG_DATA: the host's configuration cycles interleave with the routine's")

/* One range of the map, both directions. */
static inline void biosx_port_map_set(unsigned char *map, unsigned int first, unsigned int last,
				      unsigned int read_class, unsigned int write_class)
{
	unsigned int p;

	for (p = first; p <= last && p < BIOSX_PORTS; p++)
		map[p] = BIOSX_PC(read_class, write_class);
}

/* The static table; a caller adds what it learns about its host after
 * (biosx_port_map_fadt(), the display adapters' I/O BARs). */
static inline void biosx_port_map_init(unsigned char *map)
{
	unsigned int p;

	for (p = 0; p < BIOSX_PORTS; p++)
		map[p] = BIOSX_PC(BIOSX_PORT_VIRTUAL, BIOSX_PORT_VIRTUAL);
#define BIOSX_PORT_POLICY_SET(first, last, rd, wr, why) \
	biosx_port_map_set(map, first, last, BIOSX_PORT_##rd, BIOSX_PORT_##wr);
	BIOSX_PORT_POLICY(BIOSX_PORT_POLICY_SET)
#undef BIOSX_PORT_POLICY_SET
}

static inline unsigned int biosx_fadt_u32(const unsigned char *t, unsigned int at)
{
	return t[at] | t[at + 1] << 8 | t[at + 2] << 16 | (unsigned int)t[at + 3] << 24;
}

/* A Generic Address Structure (ACPI 6.5 §5.2.3.2: space ID, bit width, bit
 * offset, access size, then the 64-bit address at byte 4) in system I/O
 * space: its port, or 0. */
static inline unsigned int biosx_fadt_gas_port(const unsigned char *t, unsigned int len, unsigned int at)
{
	if (at + 12 > len || t[at] != 1 /* SystemIO */ || biosx_fadt_u32(t, at + 8))
		return 0;
	return biosx_fadt_u32(t, at + 4) <= 0xffff ? biosx_fadt_u32(t, at + 4) : 0;
}

/* Floor ports from the FADT (ACPI 6.5 §5.2.9, raw table with its 36-byte
 * header): SMI_CMD (48), PM1a/PM1b control (64, 68; PM1_CNT_LEN at 89;
 * their 64-bit forms at 172, 184), PM2 control (72, PM2_CNT_LEN 90; 196) and
 * the reset register (GAS at 116). PM1 control puts the machine to sleep
 * (SLP_EN), SMI_CMD enters SMM and switches ACPI off, the reset register
 * resets. Returns how many ranges were added. */
static inline int biosx_port_map_fadt(unsigned char *map, const unsigned char *t, unsigned int len)
{
	static const struct { unsigned short legacy, len_at, gas; } blk[] = {
		{ 64, 89, 172 }, { 68, 89, 184 }, { 72, 90, 196 },
	};
	unsigned int i, port, n, added = 0;

	if (len < 116 || t[0] != 'F' || t[1] != 'A' || t[2] != 'C' || t[3] != 'P')
		return 0;
	port = biosx_fadt_u32(t, 48);
	if (port && port <= 0xffff) {
		biosx_port_map_set(map, port, port, BIOSX_PORT_FLOOR, BIOSX_PORT_FLOOR);
		added++;
	}
	for (i = 0; i < sizeof(blk) / sizeof(blk[0]); i++) {
		port = biosx_fadt_gas_port(t, len, blk[i].gas);
		if (!port)
			port = biosx_fadt_u32(t, blk[i].legacy);
		n = t[blk[i].len_at] ? t[blk[i].len_at] : 1;
		if (port && port <= 0xffff) {
			biosx_port_map_set(map, port, port + n - 1, BIOSX_PORT_FLOOR, BIOSX_PORT_FLOOR);
			added++;
		}
	}
	port = biosx_fadt_gas_port(t, len, 116);
	if (port) {
		biosx_port_map_set(map, port, port, BIOSX_PORT_FLOOR, BIOSX_PORT_FLOOR);
		added++;
	}
	return added;
}

static inline int biosx_port_allowed(const unsigned char *allow, unsigned int port)
{
	return allow && (allow[(port & 0xffff) >> 3] >> (port & 7) & 1);
}

/*
 * The class one access gets in a run: each byte's class for the direction,
 * after the run's mode and --allow-port bitmap (8 KiB, a set bit opens the
 * port; may be NULL), and the most restrictive of them. A dword at 0xCF8 is
 * PCI CONFIG_ADDRESS (PCI Local Bus 3.0 §3.2.2.3.2: only dword accesses
 * there are), so it is classified as a whole.
 */
static inline unsigned int biosx_port_access(const unsigned char *map, const unsigned char *allow,
					     unsigned int mode, unsigned int port, unsigned int size, int write)
{
	unsigned int i, c, worst = BIOSX_PORT_PASS;

	for (i = 0; i < size; i++) {
		unsigned int p = (port + i) & 0xffff;

		c = write ? map[p] >> 4 : map[p] & 0xf;
		if (size == 4 && port == BIOSX_PCI_CONFIG_ADDRESS)
			c = BIOSX_PORT_PCI;
		if (c != BIOSX_PORT_FLOOR) {
			if (mode == BIOSX_IO_MODE_VIRTUAL)
				c = BIOSX_PORT_VIRTUAL;
			else if (biosx_port_allowed(allow, p))
				c = BIOSX_PORT_PASS;
			else if (mode == BIOSX_IO_MODE_PASS && c == BIOSX_PORT_VIRTUAL)
				c = BIOSX_PORT_PASS;
		}
		if (c > worst)
			worst = c;
	}
	return worst;
}

/* Whether a port may run without a VM exit: a byte access to it passes.
 * The CPU checks the bit of every byte an access touches (SDM Vol. 3C
 * §26.1.3), so a word across a passed and a virtual port still exits. */
static inline int biosx_port_runs_free(const unsigned char *map, const unsigned char *allow,
				       unsigned int mode, unsigned int port)
{
	return biosx_port_access(map, allow, mode, port, 1, 0) == BIOSX_PORT_PASS &&
	       biosx_port_access(map, allow, mode, port, 1, 1) == BIOSX_PORT_PASS;
}

#endif
