#!/usr/bin/env python3
"""make_seeds.py - writes the seed corpora of the fuzz targets
(tests/fuzz/corpus/<target>/): small, hand-made inputs that reach each
parser's interesting paths. Run from the repository root; the files are
committed, so this only needs running when a seed is added."""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def seed(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def csum(b):
    return bytes([(-sum(b)) & 0xFF])


# registers: byte 0 picks the alias (eax..ss, ax..flags, ah..dl), the rest is text.
for i, t in enumerate(["0x4f00", "4f00h", "255", "0b101", "0x1_0000_0000", "-1", "99999999999999999999999",
                       "5", "0.5", "60", "1e3", "0x", "h", " 12 ", "0X10"]):
    seed("registers", f"s{i}", bytes([i * 3 % 34]) + t.encode())

for i, t in enumerate(['{"eax":"0xe820","edx":"0x534d4150","ecx":24,"es":0,"di":"0x7e00"}',
                       '{"ax":"0xe820","ah":"0x12"}', '{"al":256}', '{"ax":1,"ax":2}', "[1]",
                       '{"es":"7e0h","eflags":"0x202","ss":0,"sp":"0x7c00"}', '{"eax":-1}', '{"bx":1.5}',
                       '{"cl":"0b1010","ch":"ffh","ecx":4294967295}', '{"ax":{"ax":1}}']):
    seed("regs_json", f"s{i}", t)

# batch_line: one `biosx batch` line; byte 0 bit 0 set feeds the rest to the
# state-file check instead.
for i, t in enumerate(['{"int":"0x11"}', '{"int":16,"regs":{"ax":"0x4f00","es":"0x1000","di":0},'
                       '"write":["1000:0000=56424532"],"read":["1000:0000:512"],"id":[1,{"a":null}]}',
                       '{"call":"c000:0003","max_instructions":"1000","timeout":0.5,"io_log":true}',
                       '{"int":1,"int":2}', '{"int":"0x11","regs":{"ax":1,"ax":2}}', '{"int":"0x11","call":"0:0"}',
                       '{"x":{"y":{"z":[1,2,{"w":1,"w":2}]}}}', '{"int":"0x11","write":"0000:0600=90"}',
                       '{"int":"0x11","timeout":1e999}', '{"int":"0x11","virtual_io":1}', "", "[", '"int"']):
    seed("batch_line", f"s{i}", b"\0" + t.encode())
seed("batch_line", "state-short", b"\1BIOSXST1" + bytes(23))
seed("batch_line", "state-header", b"\1BIOSXST1" + struct.pack("<IIQQ", 1, 0xA0000, 0, 0) + bytes(64))

for i, t in enumerate(["0000:7e00=56424532\n0000:7e00:24", "c000:0003", "ffff:fff0:64", "0x0700:0h=00 11 22",
                       "0000:0600=EBFE", "0000:7bfa=0102\n0000:7bf0:16", "f000:ffff=0102", "zz:0003",
                       "0000:0400:0", "1000:0000:1048576"]):
    seed("buffer_specs", f"s{i}", t)

models = os.path.join(os.path.dirname(ROOT), "..", "vm", "cpu-models")
for n in ["core2_penryn_t9600.msr", "corei7_skylake_x.msr"]:
    seed("caps_file", n, open(os.path.join(models, n), "rb").read())
seed("caps_file", "amd.msr", "vendor AuthenticAMD\ncpuid1.ecx 0x0\ncpuid80000001.ecx 0x4\ncpuid8000000a.eax 0x1\n")
seed("caps_file", "two-cpus.msr", "vendor GenuineIntel\ncpuid1.ecx 0x20\ncpu 0\nmsr 0x480 0x00da040000000012\n"
     "cpu 1\nmsr 0x480 0x00da040000000013\nabsent 0x491\n")

# memmap_scan: byte 0 layout, bytes 1-2 slot, then the bytes placed.
rsdp = b"RSD PTR " + b"\0" + b"BOCHS " + b"\0" + struct.pack("<I", 0x7FE1000)
rsdp = rsdp[:8] + csum(rsdp[:8] + rsdp[9:]) + rsdp[9:]
sm = b"_SM_" + b"\0" + bytes([0x1F, 2, 8]) + struct.pack("<H", 0x100) + b"\0" * 6
dmi = b"_DMI_" + b"\0" + struct.pack("<HIH", 0x200, 0xF0100, 9) + b"\x28"
dmi = dmi[:5] + csum(dmi) + dmi[6:]
sm = sm + dmi
sm = sm[:4] + csum(sm) + sm[5:]
mp = b"_MP_" + struct.pack("<I", 0xF0200) + bytes([1, 4, 0]) + b"\0" * 5
mp = mp[:10] + csum(mp) + mp[11:]
pir = b"$PIR" + struct.pack("<HH", 0x100, 48) + b"\0" * 40
pir = pir[:31] + csum(pir) + pir[32:]
seed("memmap_scan", "rsdp", bytes([1, 0, 4]) + rsdp)
seed("memmap_scan", "smbios", bytes([1, 0, 8]) + sm)
seed("memmap_scan", "mp", bytes([1, 0, 12]) + mp)
seed("memmap_scan", "pir", bytes([1, 0, 16]) + pir)
rom = bytearray(b"\x55\xaa\x04" + b"\0" * (4 * 512 - 3))
rom[0x18:0x1A] = struct.pack("<H", 0x40)
rom[0x40:0x58] = b"PCIR" + struct.pack("<HHHHBBBBHH", 0x1234, 0x1111, 0, 0x18, 0, 0, 0, 3, 4, 0) + b"\x80\0"
rom[0x1A:0x1C] = struct.pack("<H", 0x60)
rom[0x60:0x80] = b"$PnP" + bytes([1, 2]) + b"\0" * 26
rom[-1] = (-sum(rom[:-1])) & 0xFF
seed("memmap_scan", "rom", bytes([2, 0, 0]) + bytes(rom))
low = bytearray(0x500)
for v in range(256):
    low[v * 4:v * 4 + 4] = struct.pack("<HH", 0xE000 + v, 0xF000)
low[0x40E:0x410] = struct.pack("<H", 0x9FC0)
low[0x410:0x414] = struct.pack("<HH", 0x0021, 639)
seed("memmap_scan", "ivt-bda", bytes([3, 0, 0]) + bytes(low))
seed("memmap_scan", "short", bytes([0, 0, 0]) + bytes(low[:0x420]))
seed("memmap_scan", "cut", bytes([4, 0x10, 0]) + rsdp)

# e820: 40-byte answers: flags byte, registers, then the 24-byte buffer.
def answer(flags, ebx, ecx, base, length, typ, cont=1):
    regs = bytes([flags, 0, 0, 0]) + struct.pack("<III", ebx if cont else 0, ecx, 0)
    return regs + struct.pack("<QQII", base, length, typ, 1)


walk = answer(1 | 2, 1, 24, 0, 0x9FC00, 1) + answer(1 | 2, 2, 24, 0x9FC00, 0x400, 2) + \
    answer(1 | 2, 0, 20, 0x100000, 0x7EE0000, 1, cont=0)
seed("e820", "walk", walk)
seed("e820", "cf", answer(8, 0, 0, 0, 0, 0))
seed("e820", "timeout", answer(0xF1, 1, 24, 0, 1 << 63, 1))
seed("e820", "e801", answer(8, 0, 0, 0, 0, 0) + struct.pack("<IIII", 0x3C00, 0x7EE, 0, 0) + b"\0" * 24)

# vmcs_record: valid, nfields, vmxon_pa, vmcs_pa, then (encoding, 0, value).
fields = [(0x4402, 12), (0x802, 0), (0x4816, 0x9B), (0x6400, 0), (0x4012, 0x2000), (0x681E, 0x600), (0x7FFE, 1)]
rec = struct.pack("<IIQQ", 1, len(fields), 0x1234000, 0x1235000)
for e, v in fields:
    rec += struct.pack("<IIQ", e, 0, v)
seed("vmcs_record", "hlt", rec)
seed("vmcs_record", "entry-failure", struct.pack("<IIQQ", 1, 2, 0, 0) + struct.pack("<IIQIIQ", 0x4402, 0, 0x80000021, 0x4400, 0, 7))
seed("vmcs_record", "too-many", struct.pack("<IIQQ", 1, 0xFFFFFFFF, 1, 2))

# emu: 8 bytes of registers (ax, bx, ds, es), then code at 2000:0000.
regs = struct.pack("<HHHH", 0x1234, 0, 0x2000, 0x2000)
for name, code in [("retf", "b83412cb"), ("loop", "ebfe"), ("hlt", "faf4"), ("ud2", "0f0b"), ("div0", "31c9f7f1"),
                   ("int", "cd10cb"), ("io", "e461e664e460cb"), ("far", "ea00000000"),
                   ("pm", "fa0f20c06683c8010f22c0cb"), ("stack", "bcfeff31c08ed0cb"),
                   ("rep", "b9ffffbf0000f3aacb"), ("iret", "9c0e680000cf")]:
    seed("emu", name, regs + bytes.fromhex(code))
# decode: row, 32 bytes of input registers, 32 of output, ES, flags, then
# the buffer at ES:offset (offset = bytes 3-4, the input AX's high bytes).
def decode_seed(row, regs_out, buf, es=0x20, flags=2):
    regs_in = struct.pack("<8I", 0x00000000, 0, 24, 0x534D4150, 0, 0, 0, 0)
    return bytes([row]) + regs_in + struct.pack("<8I", *regs_out) + bytes([es, flags]) + buf


vbe_info = b"VESA" + struct.pack("<HIIIH", 0x0300, 0x2000_0100, 1, 0x2000_0022, 256) + b"\0" * 14 + \
    struct.pack("<HHH", 0x101, 0x118, 0xFFFF) + b"\0" * 200 + b"OEM\0"
for row in range(15):
    seed("decode", f"row{row}", decode_seed(row, (0x534D004F, 0x4118, 0x4F12, 0x0101, 0, 0, 0, 0), vbe_info))
seed("decode", "e820", decode_seed(11, (0x534D4150, 1, 24, 0, 0, 0, 0, 0),
                                   struct.pack("<QQII", 0x100000, 0x7EE0000, 1, 1)))
seed("decode", "c0", decode_seed(9, (0, 0, 0, 0, 0, 0, 0, 0), bytes([8, 0, 0xFC, 0, 1, 0x74, 0x40, 0, 0, 0])))

# snapshot: the end of a file of 1 MiB + input bytes.
def trailer(sections, memory, version=1):
    return sections + b"BIOSXSNP" + struct.pack("<IIQQ", version, 32, memory, len(sections))


cmos = b"CMOS" + struct.pack("<I", 144) + bytes(range(128)) + b"\xff" * 16
seed("snapshot", "cmos", trailer(cmos, 1 << 20))
seed("snapshot", "bare", b"\0" * 64)
seed("snapshot", "newer", trailer(b"", 1 << 20, 2))
seed("snapshot", "unknown-tag", trailer(b"NEW!" + struct.pack("<I", 3) + b"abc" + cmos, 1 << 20))
seed("snapshot", "short-cmos", trailer(b"CMOS" + struct.pack("<I", 100) + b"\0" * 100, 1 << 20))
print("seeds written under", ROOT)
