/* SPDX-License-Identifier: MIT */
/*
 * lrmi_calls.c - a libx86 client as vbetool and get-edid are: linked against
 * libx86.so.1 by soname (biosx's, found through its RUNPATH or
 * LD_LIBRARY_PATH), it makes LRMI calls and prints what came back, one
 * "name value" line each, for tests/compat/lrmi.py to compare with
 * `biosx int --json`. Userspace test program.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "compat/lrmi/lrmi.h"

static void hex(const char *name, const unsigned char *p, size_t n)
{
	printf("%s ", name);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

int main(void)
{
	struct LRMI_regs r;

	if (!LRMI_init())
		return 3;
	const size_t base = LRMI_base_addr();
	printf("base %#zx\n", base);

	/* INT 11h: the equipment word. */
	memset(&r, 0, sizeof r);
	if (!LRMI_int(0x11, &r))
		return 4;
	printf("int11.eax %08x\n", r.eax);

	/* VBE 4F00h into a buffer of LRMI_alloc_real, as vbetool addresses it. */
	unsigned char *buf = LRMI_alloc_real(512);
	if (!buf)
		return 5;
	const uint32_t linear = (uint32_t)((uintptr_t)buf - base);
	memcpy(buf, "VBE2", 4);
	memset(&r, 0, sizeof r);
	r.eax = 0x4f00;
	r.es = (unsigned short)(linear >> 4);
	r.edi = linear & 0xf;
	if (!LRMI_int(0x10, &r))
		return 4;
	printf("buffer %05x\n", linear);
	printf("vbe.eax %08x\n", r.eax);
	hex("vbe.block", buf, 512);
	/* The OEM string's far pointer, followed as a program does: base + seg*16 + off. */
	uint16_t off, seg;
	memcpy(&off, buf + 6, 2);
	memcpy(&seg, buf + 8, 2);
	const char *oem = (const char *)(base + ((uint32_t)seg << 4) + off);
	printf("vbe.oem %.80s\n", oem);

	/* A block given back is handed out again (first fit). */
	LRMI_free_real(buf);
	unsigned char *again = LRMI_alloc_real(16);
	printf("realloc %s\n", again == buf ? "same" : "moved");

	/* LRMI_call: code the program wrote into real-mode memory. */
	static const unsigned char code[] = {0xb8, 0x34, 0x12, /* mov ax, 0x1234 */
					     0xf9,	       /* stc */
					     0xcb};	       /* retf */
	memcpy(again, code, sizeof code);
	memset(&r, 0, sizeof r);
	r.cs = (unsigned short)(((uintptr_t)again - base) >> 4);
	r.ip = 0;
	if (!LRMI_call(&r))
		return 4;
	printf("call.eax %08x\n", r.eax);
	printf("call.cf %d\n", r.flags & 1);

	/* A vector out of range is refused, not run. */
	printf("int256 %d\n", LRMI_int(256, &r));
	return 0;
}
