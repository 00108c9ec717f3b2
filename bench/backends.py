#!/usr/bin/env python3
"""backends.py [--calls N] [--rounds R] - one session of INT 11h on each
backend that runs here over the SeaBIOS snapshot, side by side.

The same `biosx --backend B --image SNAPSHOT batch` of N INT 11h lines on the
emulator and on KVM (where /dev/kvm is usable), alternating for R rounds:
median calls per wall second and per CPU second of the process (user +
system, from wait4), VM exits per call from the answers' counts, and the
ratio kvm / emu (docs/performance.md). kvm against vmx on the same machine
is measured in the Bochs guest (tests/vm/kvm-tests.sh, TIMING lines).
Environment: BIOSX, IMAGE as for sessions.py.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile

from sessions import BIOSX, IMAGE, LINE, run_timed


def usable(backend):
    r = subprocess.run([BIOSX, "--backend", backend, "--image", IMAGE, "int", "0x11"], capture_output=True, text=True)
    return r.returncode == 0, r.stderr.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    backends = ["emu"]
    ok, why = usable("kvm")
    if ok:
        backends.append("kvm")
    else:
        print(f"kvm: not measured here ({why})")
    res = {b: {"wall": [], "cpu": [], "exits": []} for b in backends}
    with tempfile.TemporaryDirectory() as tmp:
        lines, out = os.path.join(tmp, "in.jsonl"), os.path.join(tmp, "out.jsonl")
        open(lines, "w").write(LINE * a.calls)
        for _ in range(a.rounds):
            for b in backends:
                w, c = run_timed([BIOSX, "--backend", b, "--image", IMAGE, "batch", "-"], lines, out)
                exits = n = 0
                with open(out) as f:
                    for line in f:
                        j = json.loads(line)
                        assert j["end"]["completed"], line
                        exits += j["counts"].get("exits", 0)
                        n += 1
                assert n == a.calls, f"{b}: {n} answers for {a.calls} lines"
                res[b]["wall"].append(w)
                res[b]["cpu"].append(c)
                res[b]["exits"].append(exits / n)
    print(f"biosx batch, {a.calls} x INT 11h over the SeaBIOS snapshot, alternating, median of {a.rounds} rounds")
    med = {}
    for b in backends:
        w, c = statistics.median(res[b]["wall"]), statistics.median(res[b]["cpu"])
        med[b] = w
        print(f"  {b:4} wall {a.calls / w:9.0f} calls/s  cpu {a.calls / c:9.0f} calls/CPU-s  "
              f"{w / a.calls * 1e6:7.1f} us/call  exits/call {statistics.median(res[b]['exits']):.2f}")
    if "kvm" in med:
        print(f"  ratio kvm / emu (calls per wall second): {med['emu'] / med['kvm']:.2f}")


if __name__ == "__main__":
    main()
