#!/usr/bin/env python3
"""pty-run.py PROGRAM ARGS... - run PROGRAM on a pseudo-terminal of its own
and drain everything it writes there, until it exits. Host side of
tests/vm/run-guest.sh: Bochs' term display needs a terminal, and nothing may
ever stop reading it (script(1) with no input did, and Bochs then blocked
for good in a write to its screen, freezing the guest). The terminal is
80x25; input never arrives. Exit status: PROGRAM's."""
import fcntl
import os
import pty
import signal
import struct
import sys
import termios

if len(sys.argv) < 2:
    sys.exit("usage: pty-run.py PROGRAM ARGS...")

pid, master = pty.fork()
if pid == 0:
    fcntl.ioctl(sys.stdout.fileno(), termios.TIOCSWINSZ, struct.pack("HHHH", 25, 80, 0, 0))
    os.execvp(sys.argv[1], sys.argv[1:])


def stop(signum, frame):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    sys.exit(128 + signum)


for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(s, stop)

while True:
    try:
        if not os.read(master, 65536):
            break
    except OSError:  # EIO: the child closed its side (exited)
        break
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
