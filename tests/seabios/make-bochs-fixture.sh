#!/bin/sh
# make-bochs-fixture.sh OUTDIR - the same probe under Bochs with the Bochs
# BIOS (Debian bochsbios + vgabios): OUTDIR/bochsbios-native.txt holds the
# probe's COM1 output, OUTDIR/bochsbios.img the first MiB once the probe is
# done, saved by Bochs's internal debugger (writemem) at a breakpoint on the
# probe's idle loop, with the CMOS the probe dumped (docs/snapshot.md). Runs on the build host, headless: Bochs's term display
# needs a terminal, which script(1) provides. Needs bochs, bochsbios, vgabios,
# bochs-term, nasm, util-linux (script), coreutils (timeout).
set -eu
out=${1:?usage: make-bochs-fixture.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
bios=/usr/share/bochs/BIOS-bochs-latest
vgabios=/usr/share/vgabios/vgabios.bin
limit=30                        # seconds for Bochs to boot, run the probe and save
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
fail() { echo "make-bochs-fixture.sh: $*" >&2; exit 1; }

[ -f "$bios" ] || fail "no Bochs BIOS at $bios (Debian package bochsbios)"
[ -f "$vgabios" ] || fail "no VGA BIOS at $vgabios (Debian package vgabios)"
start=$(date +%s.%N)
nasm -f bin -l "$tmp/probe.lst" -o "$tmp/probe.bin" "$here/probe.asm"
head -c 1474560 /dev/zero > "$tmp/floppy.img"
dd if="$tmp/probe.bin" of="$tmp/floppy.img" conv=notrunc 2>/dev/null
# The idle loop's linear address, from the listing (the probe is at 0000:7C00).
idle_off=$(awk '$4 == "idle:" {print $2; exit}' "$tmp/probe.lst")
[ -n "$idle_off" ] || fail "no idle: label in the probe's listing"
idle=$(printf '0x%x' $((0x7c00 + 0x$idle_off)))

# Pinned: memory size, CPU model, a fixed RTC start (time0, seconds since
# 1970), and the virtual clock (sync=none: as fast as the host allows, and
# the same guest-visible timing every run).
cat > "$tmp/bochsrc" <<RC
megs: 32
romimage: file=$bios
vgaromimage: file=$vgabios
floppya: 1_44=$tmp/floppy.img, status=inserted
boot: floppy
cpu: model=corei7_skylake_x, count=1, ips=50000000
clock: sync=none, time0=1767225600
display_library: term
com1: enabled=1, mode=file, dev=$tmp/serial.txt
log: $tmp/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
RC
# Break at the idle loop, run, save the first MiB, leave.
printf 'lb %s\nc\nwritemem "%s" 0 1048576\nquit\n' "$idle" "$out/bochsbios.img" > "$tmp/dbg.rc"
rm -f "$out/bochsbios.img"
# Bochs ends with the debugger's quit. timeout ends script(1) otherwise;
# Bochs then loses its terminal and exits too.
rc=0
(cd "$tmp" && timeout -k 5 $limit script -qfc "bochs -q -f $tmp/bochsrc -rc $tmp/dbg.rc" /dev/null \
    </dev/null >"$tmp/term.out" 2>&1) || rc=$?
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    echo "make-bochs-fixture.sh: Bochs did not reach the probe's idle loop ($idle) within $limit s; serial output so far:" >&2
    cat "$tmp/serial.txt" >&2 2>/dev/null || true
    exit 1
fi
if [ ! -f "$out/bochsbios.img" ] || ! grep -q '^DONE' "$tmp/serial.txt" 2>/dev/null; then
    echo "make-bochs-fixture.sh: Bochs ended (status $rc) without a snapshot after DONE; serial output, then Bochs's last lines:" >&2
    cat "$tmp/serial.txt" >&2 2>/dev/null || true
    tail -5 "$tmp/term.out" >&2 || true
    grep -i 'panic\|error' "$tmp/bochs.log" 2>/dev/null | tail -5 >&2 || true
    exit 1
fi
tr -d '\r' < "$tmp/serial.txt" > "$out/bochsbios-native.txt"
size=$(stat -c %s "$out/bochsbios.img")
[ "$size" -eq 1048576 ] || fail "$out/bochsbios.img has $size bytes, not 1048576"
grep -q '^CALL int11 ' "$out/bochsbios-native.txt" || fail "no INT 11h line in the probe's output"
# The Bochs BIOS reads the CMOS at call time (memory sizes, the clock): the
# CMOS the probe dumped goes into the snapshot (docs/snapshot.md).
python3 "$here/pack-snapshot.py" "$out/bochsbios.img" "$out/bochsbios-native.txt" || fail "could not add the CMOS"

ref=$here/../fixtures/seabios/bochsbios-native.txt
if [ -f "$ref" ] && ! cmp -s "$ref" "$out/bochsbios-native.txt"; then
    echo "make-bochs-fixture.sh: note: the answers differ from $ref (another Bochs or BIOS version?)" >&2
fi
end=$(date +%s.%N)
echo "make-bochs-fixture.sh: $out/bochsbios.img and $out/bochsbios-native.txt ($(grep -c '^CALL' "$out/bochsbios-native.txt") calls, $(awk "BEGIN { printf \"%.1f\", $end - $start }") s)"
