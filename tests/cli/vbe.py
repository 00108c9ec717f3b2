#!/usr/bin/env python3
"""vbe.py BIOSX IMAGE - `biosx vbe` and `biosx edid` over the SeaBIOS snapshot
(SeaBIOS's VGA BIOS, QEMU's stdvga and its EDID).

- `vbe`: VBE 3.0, 16 MiB, the OEM strings, the mode list.
- `vbe modes`: every mode of the 4F00h list appears, described by 4F01h;
  the standard VESA numbers have their standard resolutions and depths;
  --sort orders the table; the same on the kvm backend where /dev/kvm works.
- `vbe mode`, `vbe mode set N` (read back in the same session), bad N refused.
- `edid`: 256 bytes (block 0 and one extension) with good checksums; the
  decoded fields equal edid-decode's where it is installed.
"""
import json
import re
import shutil
import subprocess
import sys

import checks
from checks import check

BIOSX, IMAGE = sys.argv[1:3]


def run(*args, backend="emu", raw=False):
    r = subprocess.run([BIOSX, "--backend", backend, "--image", IMAGE, *args], capture_output=True)
    return r.returncode, r.stdout if raw else r.stdout.decode(), r.stderr.decode()


def js(*args, backend="emu"):
    rc, out, err = run(*args, "--json", backend=backend)
    if rc != 0:
        raise SystemExit(f"biosx {' '.join(args)} --json: exit {rc}: {err}")
    return json.loads(out)


c = js("vbe")
check("vbe: schema", c["schema"] == "biosx.vbe" and c["schema_version"] == 1, c.get("schema"))
check("vbe: version 3.0", c["controller"]["version"] == "3.0", c["controller"].get("version"))
check("vbe: 16 MiB", c["controller"]["total_memory_kib"] == 16384, c["controller"].get("total_memory_kib"))
check("vbe: OEM string", c["controller"]["oem_string"] == "SeaBIOS VBE(C) 2011", c["controller"].get("oem_string"))
listed = c["modes"]
check("vbe: a mode list", len(listed) > 20 and 0x101 in listed, len(listed))

m = js("vbe", "modes")
rows = {x["mode"]: x for x in m["modes"]}
check("modes: every listed mode, once", sorted(rows) == sorted(listed) and len(m["modes"]) == len(listed),
      f"{len(m['modes'])} rows for {len(listed)} modes")
check("modes: each described", all("info" in x for x in m["modes"]), [x for x in m["modes"] if "info" not in x][:2])
# VBE 1.2's numbered modes (VBE 3.0, Table 2): resolution and depth.
standard = {0x100: (640, 400, 8), 0x101: (640, 480, 8), 0x103: (800, 600, 8), 0x105: (1024, 768, 8),
            0x107: (1280, 1024, 8), 0x110: (640, 480, 15), 0x111: (640, 480, 16), 0x114: (800, 600, 16),
            0x117: (1024, 768, 16), 0x11a: (1280, 1024, 16)}
for n, (w, h, bpp) in standard.items():
    if n not in rows:
        check(f"modes: {n:#x} listed", False, "not in the 4F00h list")
        continue
    i = rows[n]["info"]
    got = (i["width"], i["height"], i["bits_per_pixel"])
    # 15-bit modes are 16 bits per pixel in memory with a 1:5:5:5 layout.
    ok = got == (w, h, bpp) or (bpp == 15 and got == (w, h, 16) and i["green_mask_size"] == 5)
    check(f"modes: {n:#x} is {w}x{h}x{bpp}", ok, got)
check("modes: 0x112 is 640x480 true colour", (rows[0x112]["info"]["width"], rows[0x112]["info"]["height"]) == (640, 480)
      and rows[0x112]["info"]["bits_per_pixel"] in (24, 32), rows[0x112]["info"]["bits_per_pixel"])
check("modes: linear frame buffers", all(rows[n]["info"]["phys_base_pointer"] == 0xfd000000 for n in standard),
      {hex(n): rows[n]["info"].get("phys_base_pointer") for n in standard})

rc, text, err = run("vbe", "modes", "--sort", "resolution")
sizes = [int(a) * int(b) for a, b in re.findall(r"^0x[0-9a-f]+\s+(\d+)x(\d+)", text, re.M)]
check("modes --sort resolution: ascending", rc == 0 and sizes == sorted(sizes) and len(sizes) == len(listed), err)
check("modes: a header and a count", text.startswith("mode    resolution") and f"{len(listed)} modes" in text, text[:80])
rc, _, err = run("vbe", "modes", "--sort", "colour")
check("modes --sort colour: refused", rc == 2 and "colour" in err, err)

if subprocess.run([BIOSX, "--backend", "kvm", "--image", IMAGE, "int", "0x11"], capture_output=True).returncode == 0:
    k = js("vbe", "modes", backend="kvm")
    check("modes: kvm's table equals emu's", k["modes"] == m["modes"])
else:
    print("skip: kvm backend (KVM is not usable here)")

cur = js("vbe", "mode")
check("mode: text mode 3 after POST", cur["current"]["mode"] == 3, cur["current"])
s = js("vbe", "mode", "set", "0x101")
check("mode set 0x101: read back in the session", s["set"] == 0x101 and s["current"]["mode"] == 0x101
      and s["info"]["width"] == 640 and s["info"]["bits_per_pixel"] == 8, s)
s = js("vbe", "mode", "set", "0x111", "--linear")
check("mode set 0x111 --linear", s["set"] == 0x4111 and s["current"]["linear_frame_buffer"] is True, s["current"])
rc, _, err = run("vbe", "mode", "set", "0x4000")
check("mode set 0x4000: refused", rc == 2 and "0..0x3fff" in err and err.count("\n") == 1, err)
rc, _, err = run("vbe", "mode", "set", "0x1ff")
check("mode set of a mode the BIOS lacks: one line, exit 3", rc == 3 and "4F02h" in err and err.count("\n") == 1, err)
rc, _, err = run("vbe", "mode", "set")
check("mode set without N: usage", rc == 2, err)

e = js("edid")
check("edid: schema", e["schema"] == "biosx.edid" and e["blocks"] == 2, (e.get("schema"), e.get("blocks")))
d = e["decoded"]
check("edid: checksums", d["header_ok"] and d["checksums_ok"], d)
check("edid: QEMU's monitor", (d["manufacturer"], d["product_code"], d["monitor_name"]) == ("RHT", 0x1234, "QEMU Monitor"), d)
check("edid: DDC2", e["ddc"]["ddc2"] is True, e["ddc"])
rc, raw, err = run("edid", "--raw", raw=True)
check("edid --raw: the bytes", rc == 0 and raw.hex() == e["hex"] and len(raw) == 256, (rc, len(raw), err))
rc, _, err = run("edid", "--raw", "--json")
check("edid --raw --json: refused", rc == 2, err)
rc, _, err = run("edid", "--port", "70000")
check("edid --port 70000: refused", rc == 2 and "--port" in err, err)

if shutil.which("edid-decode"):
    p = subprocess.run(["edid-decode"], input=raw, capture_output=True)
    t = p.stdout.decode()
    check("edid-decode: manufacturer", f"Manufacturer: {d['manufacturer']}" in t, t[:300])
    check("edid-decode: model", f"Model: {d['product_code']}" in t)
    check("edid-decode: week and year", f"Made in: week {d['week']} of {d['year']}" in t)
    check("edid-decode: version", f"EDID Structure Version & Revision: {d['version']}" in t)
    check("edid-decode: size", f"Maximum image size: {d['width_cm']} cm x {d['height_cm']} cm" in t)
    m = re.search(r"DTD 1:\s+(\d+)x(\d+)\s+([\d.]+) Hz.*?([\d.]+) MHz \((\d+) mm x (\d+) mm\)", t)
    check("edid-decode: the preferred timing", m is not None and (int(m[1]), int(m[2])) == (d["h_active"], d["v_active"])
          and abs(float(m[4]) * 1000 - d["pixel_clock_khz"]) < 1 and (int(m[5]), int(m[6])) ==
          (d["image_width_mm"], d["image_height_mm"]) and d["preferred_mode"].endswith(f"{float(m[3]):.2f} Hz"),
          m and m.groups())
    m = re.search(r"Hfront\s+(\d+) Hsync\s+(\d+).*?Vfront\s+(\d+) Vsync\s+(\d+)", t, re.S)
    check("edid-decode: sync", m is not None and tuple(map(int, m.groups())) ==
          (d["h_sync_offset"], d["h_sync_width"], d["v_sync_offset"], d["v_sync_width"]), m and m.groups())
    m = re.search(r"Display Range Limits:\s*\n\s*Monitor ranges \([\w ]+\): (\d+)-(\d+) Hz V, (\d+)-(\d+) kHz H, max dotclock (\d+) MHz", t)
    check("edid-decode: range limits", m is not None and tuple(map(int, m.groups())) ==
          (d["min_vertical_hz"], d["max_vertical_hz"], d["min_horizontal_khz"], d["max_horizontal_khz"],
           d["max_pixel_clock_mhz"]), m and m.groups())
else:
    print("skip: edid-decode is not installed (apt-get install edid-decode)")

print(f"{checks.fails} failure(s)")
sys.exit(1 if checks.fails else 0)
