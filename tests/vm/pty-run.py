#!/usr/bin/env python3
"""pty-run.py PROGRAM ARGS... - run PROGRAM on a pseudo-terminal of its own
and drain every terminal it writes to, until it exits. Host side of
tests/vm/run-guest.sh.

Bochs' term display needs a terminal, and besides the one it is started on,
it opens a pseudo-terminal of its own (/dev/ptmx) and writes its screen into
that master. Nothing reads the other end, so once the slave's input queue
(4 KiB) is full Bochs blocks for good in that write and the guest's time
stands still: the "silent stalls" of the VM tests. This program reads the
terminal it gives PROGRAM, and opens in raw mode and reads the slave of every
/dev/ptmx master that PROGRAM or its children hold. Input never arrives.
Exit status: PROGRAM's."""
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import tty

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


def descendants(root):
    """root and every process below it, from /proc/*/stat."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
    found, todo = [], [root]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


drained = {}  # tty index -> slave fd


def drain_new_masters():
    for p in descendants(pid):
        try:
            fds = os.listdir(f"/proc/{p}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{p}/fd/{fd}") != "/dev/ptmx":
                    continue
                with open(f"/proc/{p}/fdinfo/{fd}") as f:
                    index = next(int(line.split()[1]) for line in f if line.startswith("tty-index:"))
            except (OSError, StopIteration, ValueError):
                continue
            if index in drained:
                continue
            try:
                slave = os.open(f"/dev/pts/{index}", os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
                tty.setraw(slave)  # no line discipline waiting for a newline, no echo back
            except OSError:
                continue
            drained[index] = slave


while True:
    drain_new_masters()
    ready, _, _ = select.select([master] + list(drained.values()), [], [], 1.0)
    done = False
    for fd in ready:
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            continue
        except OSError:  # EIO: the other side is gone
            data = b""
        if fd == master and not data:
            done = True
        elif not data:
            drained = {k: v for k, v in drained.items() if v != fd}
            os.close(fd)
    if done:
        break
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
