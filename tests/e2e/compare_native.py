#!/usr/bin/env python3
"""compare_native.py BIOSX IMAGE NATIVE.txt [--backend B]

Replays every call the probe made natively inside a real BIOS (the CALL
lines of NATIVE.txt, format in tests/seabios/README.md) through
`biosx --image IMAGE int ... --json` with the identical input registers and
buffer contents, and requires the identical answer: every output register
but CS:EIP (the native run returns into the probe, biosx into its trap),
and every byte of the buffer. The snapshot carries the CMOS the probe
dumped (docs/snapshot.md), so calls that read the CMOS at call time (INT
1Ah; the Bochs BIOS's memory sizes) must answer as natively too.
"""
import json
import subprocess
import sys

VECTORS = {"int11": 0x11, "int12": 0x12, "e820": 0x15, "e801": 0x15, "int15_88": 0x15,
           "int1a_02": 0x1A, "int1a_04": 0x1A}
REGS = ["eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp", "eip", "eflags",
        "cs", "ds", "es", "fs", "gs", "ss"]


def parse(path):
    calls = []
    for line in open(path):
        words = line.split()
        if not words or words[0] != "CALL":
            continue
        call = {"name": words[1], "in": {}, "out": {}, "pre": None, "buf": None}
        section = None
        for w in words[2:]:
            if w in ("IN", "OUT", "PRE", "BUF"):
                section = w.lower()
            elif section in ("in", "out"):
                k, v = w.split("=")
                call[section][k] = int(v, 16)
            else:
                spec, data = w.split("=")
                call[section] = (spec, data)
        for side in ("in", "out"):
            missing = [r for r in REGS if r not in call[side]]
            if missing:
                raise SystemExit(f"{path}: CALL {call['name']}: {side} lacks {missing}")
        calls.append(call)
    return calls


def main():
    biosx, image, native = sys.argv[1:4]
    rest = sys.argv[4:]
    backend = None
    if "--backend" in rest:
        backend = rest[rest.index("--backend") + 1]
    calls = parse(native)
    for need in ("int11", "e820", "int1a_02", "int1a_04"):
        if not any(c["name"] == need for c in calls):
            raise SystemExit(f"{native}: expected a {need} call (a probe of format 2)")
    failures = 0
    for n, call in enumerate(calls):
        regs = {k: f"0x{v:x}" for k, v in call["in"].items()}
        cmd = [biosx, "--image", image]
        if backend:
            cmd += ["--backend", backend]
        cmd += ["int", hex(VECTORS[call["name"]]), "--regs", json.dumps(regs), "--json", "--io-log"]
        if call["pre"]:
            spec, data = call["pre"]
            seg_off = spec.rsplit(":", 1)[0]
            cmd += ["--write", f"{seg_off}={data}"]
        if call["buf"]:
            cmd += ["--read", call["buf"][0]]
        p = subprocess.run(cmd, capture_output=True, text=True)
        label = f"#{n} {call['name']} (in ebx={call['in']['ebx']:#x})"
        if p.returncode != 0:
            print(f"FAIL {label}: biosx exited {p.returncode}: {p.stderr.strip()}")
            failures += 1
            continue
        res = json.loads(p.stdout)
        diffs = []
        if not res["end"]["completed"]:
            diffs.append(f"did not complete: {res['end']['message']}")
        for r in REGS:
            if r in ("cs", "eip"):
                continue
            got = res["out"][r]
            if got != call["out"][r]:
                diffs.append(f"{r}: biosx {got:#x}, native {call['out'][r]:#x}")
        if call["buf"]:
            got = res["buffers"][0]["hex"]
            if got != call["buf"][1]:
                diffs.append(f"buffer: biosx {got}, native {call['buf'][1]}")
        if diffs:
            print(f"FAIL {label}: " + "; ".join(diffs))
            failures += 1
        else:
            out = call["out"]
            print(f"ok   {label}: eax={out['eax']:#010x} ebx={out['ebx']:#x} ecx={out['ecx']:#x} "
                  f"cf={out['eflags'] & 1}" + (f" buf={call['buf'][1]}" if call["buf"] else ""))
    same = len(calls) - failures
    print(f"{same}/{len(calls)} calls identical to the native run")
    if same == 0:
        print("FAIL: not one call matched")
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
