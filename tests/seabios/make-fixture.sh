#!/bin/sh
# make-fixture.sh OUTDIR - boots Debian's SeaBIOS under QEMU (TCG, headless)
# with the project's probe (probe.asm) on a floppy, collects the registers the
# probe prints on COM1 (OUTDIR/seabios-native.txt), and saves the first MiB
# of guest memory after POST through the QEMU monitor, with the CMOS the
# probe dumped, as a snapshot (OUTDIR/seabios.img, docs/snapshot.md).
# Runs on the build host; needs qemu-system-x86, seabios, nasm, python3.
set -eu
out=${1:?usage: make-fixture.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
bios=${SEABIOS_BIN:-/usr/share/seabios/bios.bin}
limit=30                        # seconds until the probe must have printed DONE
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
qpid=
cleanup() {
    if [ -n "$qpid" ]; then kill "$qpid" 2>/dev/null || true; wait "$qpid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail() { echo "make-fixture.sh: $*" >&2; exit 1; }

[ -f "$bios" ] || fail "no SeaBIOS image at $bios (Debian package seabios)"
start=$(date +%s.%N)
nasm -f bin -o "$tmp/probe.bin" "$here/probe.asm"
head -c 1474560 /dev/zero > "$tmp/floppy.img"
dd if="$tmp/probe.bin" of="$tmp/floppy.img" conv=notrunc 2>/dev/null

# Every option that changes what the BIOS answers is pinned:
# - machine and CPU: the E820 map depends on both (QEMU reserves the 1 TiB
#   HyperTransport hole for a guest CPU with the AMD vendor, as qemu64 has);
# - memory size, one CPU, TCG (no KVM), no default devices (no NIC, hence no
#   iPXE option ROM in the snapshot), the standard VGA (its ROM is in the
#   snapshot), a floppy (INT 11h reports it) and a fixed RTC start.
qemu-system-x86_64 -machine pc -accel tcg -cpu qemu64 -smp 1 -m 128M \
    -bios "$bios" -nodefaults -vga std \
    -display none -no-reboot -rtc base=2026-01-01T00:00:00,clock=vm \
    -drive file="$tmp/floppy.img",format=raw,if=floppy -boot order=a \
    -serial file:"$tmp/serial.txt" -monitor unix:"$tmp/mon.sock",server=on,wait=off \
    </dev/null >"$tmp/qemu.out" 2>&1 &
qpid=$!

# The probe prints DONE and then idles in HLT; poll the serial file.
i=0
until grep -q '^DONE' "$tmp/serial.txt" 2>/dev/null; do
    if ! kill -0 "$qpid" 2>/dev/null; then
        cat "$tmp/qemu.out" >&2
        fail "QEMU exited before the probe printed DONE"
    fi
    i=$((i + 1))
    if [ $i -gt $((limit * 20)) ]; then
        echo "make-fixture.sh: no DONE from the probe after $limit s; serial output so far:" >&2
        cat "$tmp/serial.txt" >&2 2>/dev/null || true
        exit 1
    fi
    sleep 0.05
done

# Stop the CPU (the probe is idle, so this only freezes the BIOS tick
# counter), save the first MiB, quit. Every wait on the monitor is bounded.
python3 - "$tmp/mon.sock" "$out/seabios.img" <<'PY' || fail "the QEMU monitor did not answer"
import socket, sys
sock = socket.socket(socket.AF_UNIX)
sock.settimeout(10)
sock.connect(sys.argv[1])
def command(text):
    buf = b""
    if text:
        sock.sendall(text.encode() + b"\n")
    while not buf.endswith(b"(qemu) "):
        chunk = sock.recv(4096)
        if not chunk:
            raise SystemExit("monitor closed the connection")
        buf += chunk
    return buf
command("")
command("stop")
reply = command('pmemsave 0 1048576 "%s"' % sys.argv[2])
if b"rror" in reply:
    raise SystemExit(reply.decode(errors="replace"))
sock.sendall(b"quit\n")
# Until QEMU closes the monitor: closing first can lose the quit.
try:
    while sock.recv(4096):
        pass
except OSError:
    pass
PY
# QEMU has quit, or gets 5 s more before it is killed: never wait unbounded.
i=0
while kill -0 "$qpid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill "$qpid" 2>/dev/null || true
wait "$qpid" 2>/dev/null || true
qpid=

tr -d '\r' < "$tmp/serial.txt" > "$out/seabios-native.txt"
size=$(stat -c %s "$out/seabios.img" 2>/dev/null || echo 0)
[ "$size" -eq 1048576 ] || fail "$out/seabios.img has $size bytes, not 1048576"
grep -q '^CALL int11 ' "$out/seabios-native.txt" || fail "no INT 11h line in the probe's output"
grep -q '^CALL e820 ' "$out/seabios-native.txt" || fail "no E820 line in the probe's output"
# The CMOS the probe read natively goes into the snapshot (docs/snapshot.md),
# so INT 1Ah and the CMOS-reading BIOS calls answer over it as they did here.
python3 "$here/pack-snapshot.py" "$out/seabios.img" "$out/seabios-native.txt" || fail "could not add the CMOS"

# A difference from the committed answers means another SeaBIOS or QEMU than
# Debian 12's: worth knowing, not an error (the tests compare against the
# fresh file).
ref=$here/../fixtures/seabios/seabios-native.txt
if [ -f "$ref" ] && ! cmp -s "$ref" "$out/seabios-native.txt"; then
    echo "make-fixture.sh: note: the answers differ from $ref (another SeaBIOS or QEMU version?)" >&2
fi
end=$(date +%s.%N)
echo "make-fixture.sh: $out/seabios.img and $out/seabios-native.txt ($(grep -c '^CALL' "$out/seabios-native.txt") calls, $(awk "BEGIN { printf \"%.1f\", $end - $start }") s)"
