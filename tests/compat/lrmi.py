#!/usr/bin/env python3
"""lrmi.py LRMI_CALLS BIOSX IMAGE - biosx's libx86.so.1 over the SeaBIOS
snapshot gives what `biosx int --json` gives: INT 11h, VBE 4F00h into a
buffer of LRMI_alloc_real (the whole 512-byte block, and the OEM string
reached through its far pointer, as the image holds it), LRMI_call of code
the program wrote; run directly (BIOSX_* variables) and under `biosx exec`.
And what LRMI_init refuses: one line on stderr, LRMI_init returns 0.
Userspace test (CTest compat.lrmi)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

calls, biosx, image = sys.argv[1:4]
fails = 0


def check(name, got, want):
    global fails
    if got == want:
        print(f"ok: {name}: {str(got)[:100]}")
    else:
        print(f"FAIL: {name}: got {got!r}, want {want!r}")
        fails += 1


def lines(stdout):
    return dict(line.split(" ", 1) for line in stdout.splitlines())


def biosx_json(*args):
    out = subprocess.run([biosx, "--image", image, "--backend", "emu", *args, "--json"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def lrmi_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIOSX_")}
    env.update(extra)
    return env


direct = subprocess.run([calls], capture_output=True, text=True,
                        env=lrmi_env(BIOSX_IMAGE=image, BIOSX_BACKEND="emu"))
check("direct run exits 0", direct.returncode, 0)
via_exec = subprocess.run([biosx, "--image", image, "--backend", "emu", "exec", "--", calls],
                          capture_output=True, text=True, env=lrmi_env())
check("biosx exec exits 0", via_exec.returncode, 0)
check("biosx exec prints what the direct run prints", via_exec.stdout, direct.stdout)
# Without CAP_SYS_RAWIO page 0 cannot be mapped: the real-mode space from
# 0x1000 on is still at its own addresses, and the answers are the same.
if os.geteuid() == 0 and shutil.which("setpriv"):
    nobody = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", calls],
                            capture_output=True, text=True, env=lrmi_env(BIOSX_IMAGE=image, BIOSX_BACKEND="emu"))
    check("as nobody: what root gets", nobody.stdout, direct.stdout)
got = lines(direct.stdout)

int11 = biosx_json("int", "0x11")
check("INT 11h EAX", int(got["int11.eax"], 16), int11["out"]["eax"])

buf = int(got["buffer"], 16)
seg = f"{buf >> 4:04x}:{buf & 0xf:04x}"
vbe = biosx_json("int", "0x10", "--ax", "0x4f00", "--es", f"{buf >> 4:#x}", "--di", f"{buf & 0xf:#x}",
                 "--write", f"{seg}=56424532", "--read", f"{seg}:512")
check("VBE 4F00h EAX", int(got["vbe.eax"], 16), vbe["out"]["eax"])
check("VBE 4F00h info block", got["vbe.block"], vbe["buffers"][0]["hex"])
block = bytes.fromhex(got["vbe.block"])
oem_at = int.from_bytes(block[8:10], "little") * 16 + int.from_bytes(block[6:8], "little")
with open(image, "rb") as f:
    f.seek(oem_at)
    oem = f.read(80).split(b"\0")[0].decode("latin-1")
check("OEM string through its far pointer", got["vbe.oem"], oem)
check("a freed block is handed out again", got["realloc"], "same")
check("LRMI_call of written code: AX", got["call.eax"][-4:], "1234")
check("LRMI_call: CF out", got["call.cf"], "1")
check("LRMI_int(256) refused", got["int256"], "0")
check("LRMI_int(256): one line on stderr", direct.stderr,
      "libx86 (biosx): LRMI_int: the vector is not 0..255\n")

# What LRMI_init refuses: the program's own exit (3 = LRMI_init returned 0), one line.
for name, env in [("a missing image", {"BIOSX_IMAGE": "/nonexistent/seabios.img", "BIOSX_BACKEND": "emu"}),
                  ("an unknown backend", {"BIOSX_IMAGE": image, "BIOSX_BACKEND": "qemu"}),
                  ("an unknown strategy", {"BIOSX_IMAGE": image, "BIOSX_STRATEGY": "vm87"})]:
    r = subprocess.run([calls], capture_output=True, text=True, env=lrmi_env(**env))
    check(f"{name}: LRMI_init returns 0", r.returncode, 3)
    err = r.stderr.splitlines()
    check(f"{name}: one line on stderr", len(err) == 1 and err[0].startswith("libx86 (biosx): LRMI_init: "), True)
    print(f"   {r.stderr.strip()}")

# biosx exec refuses, in one line and with its exit code, what it cannot run.
with tempfile.TemporaryDirectory() as d:
    alone = os.path.join(d, "biosx")
    shutil.copy(biosx, alone)  # no compat/libx86.so.1 beside it, nor an installed one
    for name, cmd, code in [("no libx86.so.1 to put in front", [alone, "exec", "--", "true"], 3),
                            ("a program that does not exist", [biosx, "exec", "--", "no-such-program-x"], 2),
                            ("no program", [biosx, "exec", "--"], 2)]:
        r = subprocess.run(cmd, capture_output=True, text=True, env=lrmi_env())
        check(f"exec with {name}: exit code", r.returncode, code)
        check(f"exec with {name}: one line", len(r.stderr.splitlines()) == 1 and r.stderr.startswith("biosx: exec: "), True)
        print(f"   {r.stderr.strip()}")

print("compat.lrmi: all checks passed" if fails == 0 else f"compat.lrmi: {fails} failed")
sys.exit(1 if fails else 0)
