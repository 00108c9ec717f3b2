#!/bin/sh
# make-bochs-fixture.sh OUTDIR - the same probe under Bochs with the Bochs
# BIOS (Debian bochsbios + vgabios): OUTDIR/bochsbios-native.txt holds the
# probe's COM1 output, OUTDIR/bochsbios.img the first MiB once the probe is
# done, saved by Bochs's internal debugger (writemem) at a breakpoint on the
# probe's idle loop. Headless: Bochs's term display runs under script(1).
set -eu
out=${1:?usage: make-bochs-fixture.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

nasm -f bin -l "$tmp/probe.lst" -o "$tmp/probe.bin" "$here/probe.asm"
head -c 1474560 /dev/zero > "$tmp/floppy.img"
dd if="$tmp/probe.bin" of="$tmp/floppy.img" conv=notrunc 2>/dev/null
# The idle loop's linear address, from the listing (the probe is at 0000:7C00).
idle_off=$(awk '$4 == "idle:" {print $2; exit}' "$tmp/probe.lst")
[ -n "$idle_off" ] || { echo "make-bochs-fixture.sh: no idle: label in the listing" >&2; exit 1; }
idle=$(printf '0x%x' $((0x7c00 + 0x$idle_off)))

cat > "$tmp/bochsrc" <<RC
megs: 32
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
floppya: 1_44=$tmp/floppy.img, status=inserted
boot: floppy
cpu: model=corei7_skylake_x, ips=50000000
clock: sync=none, time0=1767225600
display_library: term
com1: enabled=1, mode=file, dev=$tmp/serial.txt
log: $tmp/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
RC
printf 'lb %s\nc\nwritemem "%s" 0 1048576\nquit\n' "$idle" "$out/bochsbios.img" > "$tmp/dbg.rc"
rm -f "$out/bochsbios.img"
(cd "$tmp" && timeout 60 script -qfc "bochs -q -f $tmp/bochsrc -rc $tmp/dbg.rc" /dev/null > "$tmp/term.out" 2>&1) || true
if [ ! -f "$out/bochsbios.img" ] || ! grep -q '^DONE' "$tmp/serial.txt" 2>/dev/null; then
    echo "make-bochs-fixture.sh: Bochs did not reach the probe's idle loop; last output:" >&2
    tail -5 "$tmp/term.out" >&2 || true
    exit 1
fi
tr -d '\r' < "$tmp/serial.txt" > "$out/bochsbios-native.txt"
echo "make-bochs-fixture.sh: $out/bochsbios.img and $out/bochsbios-native.txt ($(grep -c '^CALL' "$out/bochsbios-native.txt") calls)"
