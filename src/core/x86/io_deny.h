/* io_deny.h - the default port deny list, once, for the emulation backend
 * (src/core/io_policy.cpp) and the module (kernel/biosx_main.c). Pure C.
 *
 * BIOSX_DEFAULT_DENIED_PORTS(X) expands X(FIRST, LAST, "why") per range.
 * Writes to these ports can reset the machine or take timer and interrupt
 * control away from a running Linux; reads (status polling) are harmless,
 * so only writes are denied.
 */
#ifndef BIOSX_X86_IO_DENY_H
#define BIOSX_X86_IO_DENY_H

#define BIOSX_DEFAULT_DENIED_PORTS(X) \
	X(0x0020, 0x0021, "master PIC: reprogramming remaps or masks Linux's interrupts") \
	X(0x00a0, 0x00a1, "slave PIC: reprogramming remaps or masks Linux's interrupts") \
	X(0x0040, 0x0043, "PIT: reprogramming changes the timer Linux may rely on") \
	X(0x0064, 0x0064, "keyboard controller commands (0xFE pulses CPU reset, 0xD1 drives A20)") \
	X(0x0092, 0x0092, "system control port A: fast A20 and fast reset") \
	X(0x0cf9, 0x0cf9, "reset control register: resets the machine")

#endif
