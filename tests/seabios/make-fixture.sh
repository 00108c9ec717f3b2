#!/bin/sh
# make-fixture.sh OUTDIR - boots Debian's SeaBIOS under QEMU (TCG, headless)
# with the project's probe (probe.asm) on a floppy, collects the registers the
# probe prints on COM1 (OUTDIR/seabios-native.txt), and saves the first MiB
# of guest memory after POST (OUTDIR/seabios.img) through the QEMU monitor.
# Every option that can change the BIOS's answers is pinned here.
set -eu
out=${1:?usage: make-fixture.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
bios=${SEABIOS_BIN:-/usr/share/seabios/bios.bin}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
qpid=
cleanup() { [ -n "$qpid" ] && kill "$qpid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

nasm -f bin -o "$tmp/probe.bin" "$here/probe.asm"
head -c 1474560 /dev/zero > "$tmp/floppy.img"
dd if="$tmp/probe.bin" of="$tmp/floppy.img" conv=notrunc 2>/dev/null

qemu-system-x86_64 -machine pc -cpu qemu64 -m 128M -bios "$bios" -nodefaults -vga std \
    -display none -no-reboot -rtc base=2026-01-01T00:00:00,clock=vm \
    -drive file="$tmp/floppy.img",format=raw,if=floppy -boot a \
    -serial file:"$tmp/serial.txt" -monitor unix:"$tmp/mon.sock",server,nowait &
qpid=$!

# Wait for the probe to finish (it then idles in HLT), at most 30 s.
i=0
until grep -q '^DONE' "$tmp/serial.txt" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$qpid" 2>/dev/null; then
        echo "make-fixture.sh: the probe did not finish under QEMU; serial output:" >&2
        cat "$tmp/serial.txt" >&2 2>/dev/null || true
        exit 1
    fi
    sleep 0.1
done

python3 - "$tmp/mon.sock" "$out/seabios.img" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
def until_prompt():
    buf = b""
    while not buf.endswith(b"(qemu) "):
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf
until_prompt()
s.sendall(b'stop\n'); until_prompt()
s.sendall(('pmemsave 0 1048576 "%s"\n' % sys.argv[2]).encode()); until_prompt()
s.sendall(b'quit\n')
time.sleep(0.2)
PY
wait "$qpid" 2>/dev/null || true
qpid=
tr -d '\r' < "$tmp/serial.txt" > "$out/seabios-native.txt"
size=$(stat -c %s "$out/seabios.img")
[ "$size" -eq 1048576 ] || { echo "make-fixture.sh: snapshot has $size bytes" >&2; exit 1; }
grep -q '^CALL int11 ' "$out/seabios-native.txt" || { echo "make-fixture.sh: no INT 11h line" >&2; exit 1; }
echo "make-fixture.sh: $out/seabios.img and $out/seabios-native.txt ($(grep -c '^CALL' "$out/seabios-native.txt") calls)"
