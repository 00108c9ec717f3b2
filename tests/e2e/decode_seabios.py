#!/usr/bin/env python3
"""decode_seabios.py BIOSX IMAGE NATIVE - the `decoded` answers of
`biosx int` over the SeaBIOS snapshot, each checked against something biosx
did not compute: the snapshot's own bytes (BDA, IVT, the ROM configuration
table) decoded here from the published layouts, the answers the probe got
natively in the same machine (NATIVE, tests/seabios/README.md), and the
machine QEMU was told to build (a 1.44M diskette, -vga std with 16 MiB,
the RTC at 2026-01-01). INT 1Ah answers over the snapshot's CMOS, and over
the memory alone times out naming the ports it polled.
Also: a call outside the table prints no meaning block and has no
`decoded` member; the text output shows the block.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

BIOSX, IMAGE, NATIVE = sys.argv[1:4]
mem = open(IMAGE, "rb").read()
# A snapshot (docs/snapshot.md): the memory ends where the footer says.
if mem[-32:-24] == b"BIOSXSNP":
    mem = mem[:struct.unpack_from("<Q", mem, len(mem) - 16)[0]]
fails = 0


def check(cond, what):
    global fails
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        fails += 1


def u8(a): return mem[a]
def u16(a): return struct.unpack_from("<H", mem, a)[0]


def run(*args, text=False):
    cmd = [BIOSX, "--image", IMAGE, "int", *args] + ([] if text else ["--json"])
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        check(False, f"biosx int {' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
        return None
    return p.stdout if text else json.loads(p.stdout)


def native_calls(name):
    out = []
    for line in open(NATIVE):
        w = line.split()
        if len(w) > 1 and w[0] == "CALL" and w[1] == name:
            regs = {}
            side = None
            for x in w[2:]:
                if x in ("IN", "OUT", "PRE", "BUF"):
                    side = x
                elif side in ("IN", "OUT"):
                    k, v = x.split("=")
                    regs[(side, k)] = int(v, 16)
                elif side == "BUF":
                    regs["buf"] = bytes.fromhex(x.split("=")[1])
            out.append(regs)
    return out


def fields(j):
    return j["decoded"]["fields"]


# ---- INT 11h: the equipment word's bits (#00226) against BDA 0x410 -----------
j = run("0x11")
eq = u16(0x410)
f = fields(j)
video = ["EGA/VGA or none (own BIOS)", "40x25 colour", "80x25 colour", "80x25 monochrome"][(eq >> 4) & 3]
check(j["decoded"]["call"] == "int11" and j["decoded"]["ok"], "INT 11h is decoded")
check(f["diskette_present"] == bool(eq & 1) and f["math_coprocessor"] == bool(eq & 2) and
      f["pointing_device"] == bool(eq & 4) and f["initial_video"] == video, f"equipment bits 0-5 of {eq:#06x}")
check(f["diskette_drives"] == (((eq >> 6) & 3) + 1 if eq & 1 else 0) and f["serial_ports"] == (eq >> 9) & 7 and
      f["parallel_ports"] == eq >> 14, "diskette, serial and parallel counts")
native = native_calls("int11")[0]
check(j["out"]["eax"] & 0xFFFF == native[("OUT", "eax")] & 0xFFFF, "INT 11h answers as natively")

# ---- INT 12h --------------------------------------------------------------------
j = run("0x12")
check(fields(j)["kib"] == native_calls("int12")[0][("OUT", "eax")] & 0xFFFF == u16(0x413),
      f"INT 12h: {fields(j)['kib']} KiB = native = BDA 0x413")

# ---- INT 13h AH=08h/15h: the fixture's 1.44M diskette, no hard disk --------------
j = run("0x13", "--ah", "8", "--dl", "0")
f = fields(j)
check((f["cylinders"], f["heads"], f["sectors_per_track"], f["chs_bytes"]) == (80, 2, 18, 1474560),
      "AH=08h: 80 cylinders, 2 heads, 18 sectors: the 1474560-byte diskette QEMU was given")
check(f["drive_type"] == 4 and f["drive_type_name"] == "1.44M", "AH=08h: BL=04h, 1.44M (#00242)")
check(f["parameter_table_linear"] == u16(0x1E * 4 + 2) * 16 + u16(0x1E * 4),
      "AH=08h: ES:DI is the diskette parameter table INT 1Eh points to")
check(f["drives"] == (((eq >> 6) & 3) + 1), "AH=08h: DL = the drive count of the equipment word")
j = run("0x13", "--ah", "8", "--dl", "0x80")
d = j["decoded"]
check(not d["ok"] and j["carry"] and d["error"]["code"] == (j["out"]["eax"] >> 8) & 0xFF and
      d["error"]["text"] == "invalid function in AH or invalid parameter",
      "AH=08h DL=80h: no hard disk; CF=1 decodes as AH=01h of #00234")
j = run("0x13", "--ah", "0x15", "--dl", "0")
check(fields(j)["type"] == (j["out"]["eax"] >> 8) & 0xFF and fields(j)["type"] in (1, 2),
      f"AH=15h: drive 0 is a diskette (type {fields(j)['type']})")

# ---- INT 15h: E820 walk, E801h, 88h against the native answers -------------------
walk = native_calls("e820")
for n, call in enumerate(walk):
    j = run("0x15", "--eax", "0xe820", "--ebx", hex(call[("IN", "ebx")]), "--ecx", "24", "--edx", "0x534d4150",
            "--di", "0x9000", "--read", "0000:9000:24")
    d = j["decoded"]
    base, length, typ = struct.unpack_from("<QQI", call["buf"])
    s = d.get("structure", {}).get("fields", {})
    check(d["ok"] and s.get("base") == base and s.get("length") == length and s.get("type") == typ and
          int(s.get("base_hex", "0"), 16) == base and d["fields"]["continuation"] == call[("OUT", "ebx")],
          f"E820 step {n}: {base:#x} +{length:#x} type {typ}, as natively")
e801 = native_calls("e801")[0]
f = fields(run("0x15", "--ax", "0xe801"))
check((f["kib_1m_16m"], f["blocks_above_16m"]) == (e801[("OUT", "eax")] & 0xFFFF, e801[("OUT", "ebx")] & 0xFFFF),
      f"E801h: {f['kib_1m_16m']} KiB + {f['blocks_above_16m']} x 64 KiB, as natively")
m88 = native_calls("int15_88")[0]
check(fields(run("0x15", "--ah", "0x88"))["kib_above_1m"] == m88[("OUT", "eax")] & 0xFFFF, "AH=88h as natively")

# ---- INT 15h AH=C0h: the table at ES:BX, decoded here from #00509 --------------
j = run("0x15", "--ah", "0xc0")
ptr = fields(j)["table_linear"]
check(j["out"]["es"] * 16 + (j["out"]["ebx"] & 0xFFFF) == ptr, "AH=C0h: table_linear is ES:BX")
check(any("--read" in n for n in j["decoded"]["notes"]), "AH=C0h without --read: a note says how to decode the table")
seg_off = f"{j['out']['es']:04x}:{j['out']['ebx'] & 0xFFFF:04x}"
s = run("0x15", "--ah", "0xc0", "--read", f"{seg_off}:10")["decoded"]["structure"]["fields"]
check(s["model"] == u8(ptr + 2) == u8(0xFFFFE), f"AH=C0h: model {s['model']:#x} = the table's = F000:FFFE")
f1 = u8(ptr + 5)
check(s["feature_1"] == f1 and s["second_pic"] == bool(f1 & 0x40) and s["rtc_installed"] == bool(f1 & 0x20) and
      s["ebda_allocated"] == bool(f1 & 0x04), f"AH=C0h: feature byte 1 {f1:#04x} (#00510)")
check(s["ebda_allocated"] == (u16(0x40E) != 0), "AH=C0h: 'EBDA allocated' agrees with BDA 0x40E")

# ---- INT 16h AH=02h against BDA 0x417; INT 10h AH=0Fh against BDA 0x449 -------------
f = fields(run("0x16", "--ah", "2"))
k = u8(0x417)
check([f[x] for x in ("right_shift_pressed", "left_shift_pressed", "ctrl_pressed", "alt_pressed", "scroll_lock_active",
                      "num_lock_active", "caps_lock_active", "insert_active")] == [bool(k >> b & 1) for b in range(8)],
      f"INT 16h AH=02h: the flags of BDA 0x417 ({k:#04x})")
f = fields(run("0x10", "--ah", "0x0f"))
check(f["mode"] == u8(0x449) & 0x7F and f["columns"] == u16(0x44A) and f["active_page"] == u8(0x462),
      f"INT 10h AH=0Fh: mode {f['mode']:#x}, {f['columns']} columns: BDA 0x449, 0x44A, 0x462")

# ---- VBE: controller, every standard mode's resolution, current mode -------------
j = run("0x10", "--ax", "0x4f00", "--es", "0x2000", "--di", "0", "--write", "2000:0000=56424532",
        "--read", "2000:0000:512")
d = j["decoded"]
st = d["structure"]["fields"]
check(d["ok"] and st["signature"] == "VESA" and st["version"] in ("2.0", "3.0"), f"4F00h: VESA {st['version']}")
check(st["total_memory_kib"] == 16384, "4F00h: 16 MiB, QEMU -vga std's default")
block = bytes.fromhex(j["buffers"][0]["hex"])
modes_at = st["video_modes_at_linear"] - 0x20000
raw_modes = []
for i in range(modes_at, len(block) - 1, 2):
    m = struct.unpack_from("<H", block, i)[0]
    if m == 0xFFFF:
        break
    raw_modes.append(m)
check(d["structure"]["modes"] == raw_modes and st["mode_count"] == len(raw_modes) > 0,
      f"4F00h: the {len(raw_modes)} modes listed at {st['video_modes_at']}")
# #00083: the VESA numbers and their resolutions.
standard = {0x100: (640, 400), 0x101: (640, 480), 0x102: (800, 600), 0x103: (800, 600), 0x104: (1024, 768),
            0x105: (1024, 768), 0x106: (1280, 1024), 0x107: (1280, 1024), 0x10D: (320, 200), 0x10E: (320, 200),
            0x10F: (320, 200), 0x110: (640, 480), 0x111: (640, 480), 0x112: (640, 480), 0x113: (800, 600),
            0x114: (800, 600), 0x115: (800, 600), 0x116: (1024, 768), 0x117: (1024, 768), 0x118: (1024, 768),
            0x119: (1280, 1024), 0x11A: (1280, 1024), 0x11B: (1280, 1024)}
seen = 0
for m in raw_modes:
    if m not in standard:
        continue
    mi = run("0x10", "--ax", "0x4f01", "--cx", hex(m), "--es", "0x2000", "--di", "0", "--read", "2000:0000:256")
    s = mi["decoded"]["structure"]["fields"]
    seen += 1
    if (s["width"], s["height"]) != standard[m] or not s["supported"] or not s["graphics"]:
        check(False, f"4F01h mode {m:#x}: {s['width']}x{s['height']}, standard {standard[m]}")
check(seen >= 20, f"4F01h: all {seen} standard VESA modes of the list have their standard resolution")
d = run("0x10", "--ax", "0x4f03")["decoded"]
check(d["ok"] and d["fields"]["mode"] == u8(0x449), f"4F03h: mode {d['fields']['mode']:#x} = BDA 0x449")

# ---- INT 1Ah over the snapshot's CMOS, against the native calls ------------------
def bcd(b): return (b >> 4) * 10 + (b & 0xF)


t = native_calls("int1a_02")[0]
f = fields(run("0x1a", "--ah", "2"))
cx, dx = t[("OUT", "ecx")], t[("OUT", "edx")]
want = f"{bcd(cx >> 8 & 0xFF):02d}:{bcd(cx & 0xFF):02d}:{bcd(dx >> 8 & 0xFF):02d}"
check(f["time"] == want, f"INT 1Ah AH=02h: {f['time']}, natively {want} (BCD CH:CL:DH)")
t = native_calls("int1a_04")[0]
f = fields(run("0x1a", "--ah", "4"))
cx, dx = t[("OUT", "ecx")], t[("OUT", "edx")]
want = f"{bcd(cx >> 8 & 0xFF) * 100 + bcd(cx & 0xFF):04d}-{bcd(dx >> 8 & 0xFF):02d}-{bcd(dx & 0xFF):02d}"
check(f["date"] == want == "2026-01-01", f"INT 1Ah AH=04h: {f['date']}, natively {want}, QEMU -rtc base=2026-01-01")
# Without the CMOS (the memory alone) the BIOS spins on the update bit; the
# message names the ports.
with tempfile.TemporaryDirectory() as d:
    bare = os.path.join(d, "bare.img")
    open(bare, "wb").write(mem)
    p = subprocess.run([BIOSX, "--image", bare, "int", "0x1a", "--ah", "2", "--timeout", "0.3"],
                       capture_output=True, text=True)
    check(p.returncode == 4 and "while polling virtual ports" in p.stderr and "0x0070 (out" in p.stderr and
          "0x0071 (in" in p.stderr and "docs/snapshot.md" in p.stderr,
          "over the bare memory INT 1Ah times out, naming the ports it polled: " + p.stderr.strip()[-120:])

# ---- text output; calls outside the table ------------------------------------------
t = run("0x13", "--ah", "8", "--dl", "0", text=True)
check("meaning  INT 13h AH=08h: get drive parameters" in t and "sectors_per_track" in t,
      "the text output has the meaning block")
t = run("0x13", "--ah", "1", "--dl", "0", text=True)
check("meaning" not in t, "INT 13h AH=01h (not in the table): no meaning block")
check("decoded" not in run("0x13", "--ah", "1", "--dl", "0"), "INT 13h AH=01h: no decoded member")

print("decode_seabios:", "all checks passed" if fails == 0 else f"{fails} checks failed")
sys.exit(1 if fails else 0)
