/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * biosx.h - user/kernel ABI of /dev/biosx, shared by kernel/ and src/core/.
 * Fixed-width types only; included from C (kernel) and C++ (userspace).
 */
#ifndef _UAPI_BIOSX_H
#define _UAPI_BIOSX_H

#include <linux/types.h>
#include <linux/ioctl.h>

/**
 * struct biosx_regs - the sixteen registers of a real-mode call.
 *
 * The order is the mission's: EAX EBX ECX EDX ESI EDI EBP ESP EIP EFLAGS,
 * then the selectors CS DS ES FS GS SS.  In real and virtual-8086 mode a
 * segment's base is always selector * 16.
 */
struct biosx_regs {
	__u32 eax, ebx, ecx, edx, esi, edi, ebp, esp, eip, eflags;
	__u16 cs, ds, es, fs, gs, ss;
	__u32 reserved; /* must be zero; keeps the struct 8-byte sized */
};

#endif /* _UAPI_BIOSX_H */
