#!/usr/bin/env python3
"""example.py CC CXX INCLUDE_DIR LIB_DIR BIOSX IMAGE EXAMPLE.c [LDFLAGS...]

The example of docs/library.md compiles as strict C99 against the public
header (CC), links against libbiosx.so (by the C++ driver CXX, with
LDFLAGS: the sanitizers' runtime when the library is built with them),
stays under 40 lines, and lists the VBE modes of
the image's video BIOS exactly as `biosx int 0x10` finds them one process
per call (4F00h for the list, 4F01h per mode), including the standard VESA
modes with their standard resolutions.
"""
import json
import os
import subprocess
import sys
import tempfile

# VESA BIOS Extension 1.2, standard mode numbers: (width, height, bpp).
STANDARD = {0x101: (640, 480, 8), 0x103: (800, 600, 8), 0x105: (1024, 768, 8),
            0x111: (640, 480, 16), 0x114: (800, 600, 16), 0x117: (1024, 768, 16)}


def word(b, at):
    return b[at] | b[at + 1] << 8


def cli(biosx, image, *args):
    out = subprocess.run([biosx, "--image", image, "--json", "int", "0x10", *args],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    cc, cxx, inc, libdir, biosx, image, example = sys.argv[1:8]
    ldflags = sys.argv[8:]
    lines = open(example).read().count("\n")
    if lines >= 40:
        raise SystemExit(f"FAIL: {example} has {lines} lines, the docs promise under 40")
    with tempfile.TemporaryDirectory() as tmp:
        exe, obj = os.path.join(tmp, "vbe-modes"), os.path.join(tmp, "vbe-modes.o")
        subprocess.run([cc, "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-I", inc, "-c", example,
                        "-o", obj], check=True)
        subprocess.run([cxx, obj, "-L", libdir, "-lbiosx", "-Wl,-rpath," + libdir, *ldflags, "-o", exe], check=True)
        got = subprocess.run([exe, image], check=True, capture_output=True, text=True).stdout.splitlines()

    # The same answers, one process per call, decoded here.
    j = cli(biosx, image, "--ax", "0x4f00", "--es", "0x1000", "--di", "0",
            "--write", "1000:0000=56424532", "--read", "1000:0000:512")
    info = bytes.fromhex(j["buffers"][0]["hex"])
    seg, off = word(info, 0x10), word(info, 0x0e)
    if seg == 0x1000:
        lst = info[off:]
    else:
        lst = bytes.fromhex(cli(biosx, image, "--ax", "0x0f00", "--read", f"{seg:04x}:{off:04x}:1024")["buffers"][0]["hex"])
    modes = []
    for i in range(0, len(lst) - 1, 2):
        if word(lst, i) == 0xffff:
            break
        modes.append(word(lst, i))
    want = [f"VBE {info[5]}.{info[4]}, {word(info, 0x12) * 64} KiB"]
    seen = {}
    for m in modes:
        j = cli(biosx, image, "--ax", "0x4f01", "--cx", hex(m), "--es", "0x1000", "--di", "0x200",
                "--read", "1000:0200:256")
        if j["out"]["eax"] & 0xffff != 0x004f:
            continue
        mi = bytes.fromhex(j["buffers"][0]["hex"])
        seen[m] = (word(mi, 0x12), word(mi, 0x14), mi[0x19])
        want.append(f"{m:04x} {seen[m][0]:5d} x {seen[m][1]:<5d} {seen[m][2]:2d} bpp")
    fails = 0
    if got != want:
        print("FAIL: the example's output differs from one-process-per-call biosx:")
        for a, b in zip(got + [""] * len(want), want + [""] * len(got)):
            if a != b:
                print(f"  example: {a!r}\n  biosx:   {b!r}")
        fails += 1
    for m, res in STANDARD.items():
        if seen.get(m) != res:
            print(f"FAIL: VESA mode {m:04x} is {seen.get(m)}, the standard says {res}")
            fails += 1
    if fails:
        raise SystemExit(1)
    print(f"ok: {lines} lines, {len(want) - 1} modes, identical to {len(modes) + 1} biosx processes")


if __name__ == "__main__":
    main()
