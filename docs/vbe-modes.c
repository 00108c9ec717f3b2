/* vbe-modes.c - libbiosx example: list the video BIOS's VBE modes (4F00h,
 * then 4F01h per mode) in one session. Userspace; docs/library.md.
 * cc vbe-modes.c $(pkg-config --cflags --libs biosx); ./vbe-modes [IMAGE] */
#include <biosx/biosx.h>
#include <stdio.h>
#include <string.h>

#define W(p) ((unsigned)(p)[0] | (unsigned)(p)[1] << 8)

static int vbe(struct biosx_session *s, unsigned ax, unsigned cx, uint16_t es, unsigned di)
{
	struct biosx_registers r;
	biosx_registers_init(&r);
	r.eax = ax, r.ecx = cx, r.es = es, r.edi = di;
	return biosx_int(s, 0x10, &r) == BIOSX_OK && (r.eax & 0xffff) == 0x004f;
}

int main(int argc, char **argv)
{
	struct biosx_open_options o;
	struct biosx_session *s;
	uint16_t seg, off;
	biosx_open_options_init(&o);
	o.image = argc > 1 ? argv[1] : NULL; /* NULL: this machine's BIOS */
	if (biosx_session_open(&s, &o) != BIOSX_OK || biosx_alloc(s, 1024, &seg, &off) != BIOSX_OK)
		return fprintf(stderr, "vbe-modes: %s\n", biosx_last_error()), 1;
	uint8_t *mem = biosx_memory(s, NULL), *info = mem + (seg << 4), *mode = info + 512;
	memcpy(info, "VBE2", 4);
	if (!vbe(s, 0x4f00, 0, seg, 0))
		return fprintf(stderr, "vbe-modes: no VBE here\n"), 1;
	printf("VBE %u.%u, %u KiB\n", info[5], info[4], W(info + 0x12) * 64);
	for (uint8_t *m = mem + W(info + 0x10) * 16 + W(info + 0x0e); W(m) != 0xffff; m += 2)
		if (vbe(s, 0x4f01, W(m), seg, 512))
			printf("%04x %5u x %-5u %2u bpp\n", W(m), W(mode + 0x12), W(mode + 0x14), mode[0x19]);
	biosx_session_close(s);
	return 0;
}
