/* SPDX-License-Identifier: MIT */
/*
 * lrmi.h - the interface of libx86.so.1, the "Linux Real Mode Interface"
 * vbetool and read-edid's get-edid are linked against, as biosx provides it
 * (docs/lrmi.md). Userspace; C ABI. The layout of struct LRMI_regs and the
 * six functions are the ABI of Debian's libx86-1 1.1: binaries built
 * against that library run against this one unchanged.
 */
#ifndef BIOSX_COMPAT_LRMI_H
#define BIOSX_COMPAT_LRMI_H

#include <stddef.h>

#if defined(__GNUC__)
#define LRMI_API __attribute__((visibility("default")))
#else
#define LRMI_API
#endif

/*
 * The registers of one call, in and out. The order is the ABI (it is the
 * order of a vm86 register frame, hence "reserved" where ESP would be):
 * 32-bit general registers first, then 16-bit flags and segments. @ip/@cs
 * name the entry of LRMI_call(); @ss:@sp the stack (both 0: biosx's).
 */
struct LRMI_regs {
	unsigned int edi;
	unsigned int esi;
	unsigned int ebp;
	unsigned int reserved;
	unsigned int ebx;
	unsigned int edx;
	unsigned int ecx;
	unsigned int eax;
	unsigned short int flags;
	unsigned short int es;
	unsigned short int ds;
	unsigned short int fs;
	unsigned short int gs;
	unsigned short int ip;
	unsigned short int cs;
	unsigned short int sp;
	unsigned short int ss;
};

/* Opens the process's biosx session. Return: 1, or 0 (reason on stderr). */
LRMI_API int LRMI_init(void);

/* A far call to @r->cs:@r->ip. Return: 1 when the routine returned, else 0. */
LRMI_API int LRMI_call(struct LRMI_regs *r);

/* INT @interrupt through the session's IVT. Return: as LRMI_call(). */
LRMI_API int LRMI_int(int interrupt, struct LRMI_regs *r);

/* A zeroed, paragraph-aligned block of real-mode memory, or NULL. */
LRMI_API void *LRMI_alloc_real(int size);

/* Gives back a block of LRMI_alloc_real(); anything else is ignored. */
LRMI_API void LRMI_free_real(void *m);

/*
 * Where real-mode linear address 0 is in the process: a real-mode address
 * A is at (char *)LRMI_base_addr() + A. 0 when biosx could map the
 * real-mode space at its own addresses, as libx86 does on x86_64.
 */
LRMI_API size_t LRMI_base_addr(void);

#endif /* BIOSX_COMPAT_LRMI_H */
