#!/usr/bin/env bash
# int11.sh [RUNS] - whole-process wall time of `biosx --image SNAPSHOT int 0x11
# --json` against the native route (QEMU + SeaBIOS booting a sector that runs
# INT 11h), interleaved in one run so both see the same machine load.
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

: > "$tmp/b"; : > "$tmp/q"
for ((i = 0; i < runs; i++)); do
    t0=${EPOCHREALTIME/[.,]/}; biosx_once; t1=${EPOCHREALTIME/[.,]/}; echo $(((t1 - t0) * 1000)) >> "$tmp/b"
    t0=${EPOCHREALTIME/[.,]/}; qemu_once; t1=${EPOCHREALTIME/[.,]/}; echo $(((t1 - t0) * 1000)) >> "$tmp/q"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mb=$(median "$tmp/b"); mq=$(median "$tmp/q")
awk -v b="$mb" -v q="$mq" -v n="$runs" 'BEGIN {
    printf "runs: %d each, interleaved\n", n
    printf "biosx --image int 0x11 --json: median %.2f ms\n", b / 1e6
    printf "QEMU + SeaBIOS boot sector:     median %.2f ms\n", q / 1e6
    printf "ratio (QEMU / biosx):           %.0fx\n", q / b
}'
