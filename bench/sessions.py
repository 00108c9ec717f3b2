#!/usr/bin/env python3
"""sessions.py [--calls N] [--rounds R] [--processes K] - what a session buys.

Measured side by side in one run, on the emulation backend over the SeaBIOS
snapshot (docs/performance.md):

1. `biosx batch` throughput: N INT 11h lines through one session, R rounds;
   calls per second by wall clock and per CPU second of the process (its own
   user + system time, from wait4), and the batch's own counters (the sum of
   the answers' elapsed_us: time inside the runs).
2. One process per call against one session: K calls as K processes of
   `biosx int 0x11 --json`, and as one `biosx batch` of K lines, the two
   alternating for R rounds; median per call of each and their ratio.

Target (issue 13): at least 100,000 INT 11h calls per second in a batch on
one core. Environment: BIOSX (default build/biosx), IMAGE (default
build/share/seabios.img).
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIOSX = os.environ.get("BIOSX", os.path.join(TOP, "build", "biosx"))
IMAGE = os.environ.get("IMAGE", os.path.join(TOP, "build", "share", "seabios.img"))
LINE = '{"int":"0x11"}\n'


def run_timed(argv, stdin_path, stdout_path):
    """Wall seconds and CPU seconds (user + system) of one process."""
    with open(stdin_path, "rb") as i, open(stdout_path, "wb") as o:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdin=i, stdout=o)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv} failed with {status}")
    return wall, ru.ru_utime + ru.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=200000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--processes", type=int, default=300)
    a = ap.parse_args()
    for f in (BIOSX, IMAGE):
        if not os.path.exists(f):
            raise SystemExit(f"{f} is missing: build first (cmake --build --preset default)")
    with tempfile.TemporaryDirectory() as tmp:
        big, small, out = (os.path.join(tmp, n) for n in ("big.jsonl", "small.jsonl", "out.jsonl"))
        open(big, "w").write(LINE * a.calls)
        open(small, "w").write(LINE * a.processes)
        batch = [BIOSX, "--image", IMAGE, "batch", "-"]

        # 1. Throughput.
        walls, cpus, inside = [], [], []
        for _ in range(a.rounds):
            w, c = run_timed(batch, big, out)
            walls.append(w)
            cpus.append(c)
            us = 0
            n = 0
            with open(out) as f:
                for line in f:
                    j = json.loads(line)
                    assert j["end"]["completed"] and j["out"]["eax"] & 0xffff, line
                    us += j["elapsed_us"]
                    n += 1
            assert n == a.calls, f"{n} answers for {a.calls} lines"
            inside.append(us / n)
        w, c = statistics.median(walls), statistics.median(cpus)
        print(f"biosx batch, {a.calls} x INT 11h, emu over the SeaBIOS snapshot, median of {a.rounds} rounds")
        print(f"  wall        {w:7.3f} s   {a.calls / w:9.0f} calls/s   (min {min(walls):.3f}, max {max(walls):.3f})")
        print(f"  cpu (u+s)   {c:7.3f} s   {a.calls / c:9.0f} calls/s per CPU second")
        print(f"  in the runs {statistics.median(inside):7.2f} us per call (the answers' elapsed_us)")

        # 2. One process per call against one session, alternating.
        per_proc, per_sess = [], []
        argv = [BIOSX, "--image", IMAGE, "int", "0x11", "--json"]
        for _ in range(a.rounds):
            t0 = time.perf_counter()
            for _ in range(a.processes):
                subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
            per_proc.append((time.perf_counter() - t0) / a.processes)
            w, _ = run_timed(batch, small, out)
            per_sess.append(w / a.processes)
        p, s = statistics.median(per_proc), statistics.median(per_sess)
        print(f"{a.processes} x INT 11h, alternating, median of {a.rounds} rounds")
        print(f"  one process per call  {p * 1e6:9.1f} us per call")
        print(f"  one session (batch)   {s * 1e6:9.1f} us per call")
        print(f"  ratio                 {p / s:9.1f}x")


if __name__ == "__main__":
    main()
