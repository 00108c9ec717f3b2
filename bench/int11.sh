#!/usr/bin/env bash
# int11.sh [RUNS] - whole-process wall time of `biosx --image SNAPSHOT int 0x11
# --json` against the native route (QEMU + SeaBIOS booting a sector that runs
# INT 11h), measured in one hyperfine invocation so both see the same load.
# Prints medians and the ratio. Target (issue 2): biosx median <= 3 ms and
# >= 100x faster than QEMU.
set -euo pipefail
runs=${1:-31}
top=$(cd "$(dirname "$0")/.." && pwd)
biosx=${BIOSX:-$top/build/biosx}
image=${IMAGE:-$top/build/share/seabios.img}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -x "$biosx" ] || { echo "build biosx first ($biosx)"; exit 1; }
[ -f "$image" ] || { echo "no snapshot at $image (build the seabios_snapshot target)"; exit 1; }
nasm -f bin -o "$tmp/boot.bin" "$top/bench/int11-boot.asm"
head -c 1474560 /dev/zero > "$tmp/floppy.img"
dd if="$tmp/boot.bin" of="$tmp/floppy.img" conv=notrunc 2>/dev/null

qemu_once() {
    qemu-system-x86_64 -bios /usr/share/seabios/bios.bin -m 128M -nodefaults -display none -no-reboot \
        -drive file="$tmp/floppy.img",format=raw,if=floppy -boot a \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial file:"$tmp/serial.txt" || true
}
biosx_once() { "$biosx" --image "$image" int 0x11 --json > "$tmp/biosx.json"; }

# One warm-up each, and a check that both routes give the same answer.
qemu_once
biosx_once
native=$(tr -d '\r\n' < "$tmp/serial.txt")
ours=$(grep -o '"eax": "0x0000[0-9a-f]*"' "$tmp/biosx.json" | grep -o '[0-9a-f]\{4\}"$' | tr -d '"')
echo "answer: native AX=$native, biosx AX=$ours"

# hyperfine spawns each command directly (-N: no shell in between), which
# is what "whole-process wall time" means; both commands in one invocation.
if ! command -v hyperfine >/dev/null; then echo "needs hyperfine (apt-get install hyperfine)"; exit 1; fi
hyperfine -N -i -w 3 -r "$runs" --export-json "$tmp/h.json" \
    -n biosx "$biosx --image $image int 0x11 --json" \
    -n qemu "qemu-system-x86_64 -bios /usr/share/seabios/bios.bin -m 128M -nodefaults -display none -no-reboot -drive file=$tmp/floppy.img,format=raw,if=floppy -boot a -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial file:$tmp/serial.txt" \
    > "$tmp/h.txt"
python3 - "$tmp/h.json" "$runs" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
b, q = r["biosx"]["median"] * 1e3, r["qemu"]["median"] * 1e3
print(f"runs: {sys.argv[2]} each, one hyperfine invocation")
print(f"biosx --image int 0x11 --json: median {b:.2f} ms (min {r['biosx']['min']*1e3:.2f})")
print(f"QEMU + SeaBIOS boot sector:     median {q:.2f} ms (min {r['qemu']['min']*1e3:.2f})")
print(f"ratio (QEMU / biosx):           {q / b:.0f}x")
PY
