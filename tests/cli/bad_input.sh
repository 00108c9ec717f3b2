#!/bin/sh
# bad_input.sh BIOSX - every bad input gets one line on stderr naming the
# problem, the documented exit code, nothing on stdout, nothing runs, and
# nothing is written: no file is created, changed or left behind.
# Needs no BIOS: it crafts the images it uses.
set -u
BIOSX=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# A 1 MiB image whose INT 11h handler is "mov ax,0x1234 ; iret" at F000:0100
# and whose other vectors are empty, as a UEFI machine without CSM leaves them.
head -c 1048576 /dev/zero > "$tmp/img"
printf '\000\001\000\360' | dd of="$tmp/img" bs=1 seek=$((0x11 * 4)) conv=notrunc 2>/dev/null
printf '\270\064\022\317' | dd of="$tmp/img" bs=1 seek=$((0xf0100)) conv=notrunc 2>/dev/null
cp "$tmp/img" "$tmp/img.orig"
head -c 1000 /dev/zero > "$tmp/short"
# Snapshots whose footer (docs/snapshot.md) is wrong: a newer format version,
# sizes that do not add up to the file's, a CMOS section of 100 bytes.
footer() { # MEMORY SECTIONS VERSION
    printf 'BIOSXSNP'
    python3 -c "import struct,sys; sys.stdout.buffer.write(struct.pack('<IIQQ', $3, 32, $1, $2))"
}
{ cat "$tmp/img"; footer 1048576 0 9; } > "$tmp/snap-newer"
{ cat "$tmp/img"; footer 1048576 100 1; } > "$tmp/snap-sizes"
{ cat "$tmp/img"; printf 'CMOS\144\000\000\000'; head -c 100 /dev/zero; footer 1048576 108 1; } > "$tmp/snap-cmos"
{ head -c 1000 /dev/zero; footer 1000 0 1; } > "$tmp/snap-short"
: > "$tmp/empty"
printf '{"eax": 1, "bogus": 2}' > "$tmp/regs-unknown.json"
printf 'vendor GenuineIntel\ncpuid1.ecx 0x0\n' > "$tmp/nocaps.msr"
head -c 300 /dev/urandom | tr -d '\n' > "$tmp/binary"; printf '\000' >> "$tmp/binary"
mkdir "$tmp/dir"
mkfifo "$tmp/fifo"
ln "$tmp/img" "$tmp/hardlink"
ls -A "$tmp" > "$tmp/.files"

# expect CODE PATTERN ARGS... : exit code, one stderr line matching PATTERN,
# nothing on stdout, the image unchanged, no file created or left behind.
# A FIFO must not hang biosx: every run is bounded.
expect() {
    code=$1 pattern=$2
    shift 2
    timeout 20 "$BIOSX" "$@" > "$tmp/.out" 2> "$tmp/.err"
    rc=$?
    lines=$(wc -l < "$tmp/.err")
    if [ "$rc" -ne "$code" ] || ! grep -q -- "$pattern" "$tmp/.err" || [ -s "$tmp/.out" ] ||
        [ "$lines" -ne 1 ]; then
        echo "FAIL: biosx $*"
        echo "  expected exit $code and stderr matching '$pattern'; got exit $rc"
        sed 's/^/  stderr: /' "$tmp/.err"; sed 's/^/  stdout: /' "$tmp/.out" | head -5
        fails=$((fails + 1))
    else
        echo "ok: exit $rc: $(head -n1 "$tmp/.err")"
    fi
    if ! cmp -s "$tmp/img" "$tmp/img.orig"; then
        echo "FAIL: biosx $* changed the image file"
        fails=$((fails + 1))
        cp "$tmp/img.orig" "$tmp/img"
    fi
    if ! ls -A "$tmp" | grep -v '^\.out$\|^\.err$' | cmp -s - "$tmp/.files"; then
        echo "FAIL: biosx $* left files behind: $(ls -A "$tmp" | tr '\n' ' ')"
        fails=$((fails + 1))
    fi
}

I="--image $tmp/img"
expect 2 "does not fit in 32 bits" $I int 0x11 --eax 0x100000000
expect 2 "\-\-ah: 0x100 does not fit in 8 bits" $I int 0x11 --ah 0x100
expect 2 "\-\-ds: 0x10000 does not fit in 16 bits" $I int 0x11 --ds 0x10000
expect 2 "\-\-ebx: 'zz' is not a number" $I int 0x11 --ebx zz
expect 2 "VECTOR: 0x100 is not an interrupt number" $I int 0x100
expect 2 "unknown register 'bogus'" $I int 0x11 --regs-file "$tmp/regs-unknown.json"
expect 2 "\-\-regs: not valid JSON" $I int 0x11 --regs '{eax:'
expect 2 "\-\-regs-file /nonexistent: cannot open" $I int 0x11 --regs-file /nonexistent
expect 2 "expected SEG:OFF=HEX" $I int 0x11 --write 0000:7e00
expect 2 "not a hex digit" $I int 0x11 --write 0000:7e00=zz
expect 2 "expected SEG:OFF:LEN" $I int 0x11 --read 0000:7e00
expect 2 "run past the end of memory" $I int 0x11 --read ffff:fff0:64
expect 2 "run past the end of memory" $I int 0x11 --write f000:ffff=0102
expect 2 "is not SEG:OFF" $I call c0000003
expect 2 "\-\-timeout: 0 is outside (0, 60\] seconds" $I int 0x11 --timeout 0
expect 2 "\-\-max-instructions: 0 is outside 1..1000000000000" $I int 0x11 --max-instructions 0
expect 2 "\-\-read-to .*give at least one --read" $I int 0x11 --read-to "$tmp/x"
expect 2 "\-\-allow-port 70000" $I int 0x11 --allow-port 70000
# The hard floor of the port policy: no option opens it (docs/module.md).
expect 2 "\-\-allow-port 0x64: port 0x0064 is on the hard floor (keyboard" $I int 0x11 --allow-port 0x64
expect 2 "\-\-allow-port 0x60-0x6f: port 0x0064 is on the hard floor" $I int 0x11 --allow-port 0x60-0x6f
expect 2 "\-\-allow-port 0xcf9: .*reset control" $I int 0x11 --allow-port 0xcf9
expect 2 "excludes \-\-pass-io" $I int 0x11 --pass-io --virtual-io
expect 2 "backend" $I --backend bogus int 0x11
expect 2 "too short" --image "$tmp/short" int 0x11
expect 2 "snapshot format version 9 is newer than this biosx reads (1)" --image "$tmp/snap-newer" int 0x11
expect 2 "the snapshot footer says 1048576 bytes of memory and 100 of device state" --image "$tmp/snap-sizes" int 0x11
expect 2 "the CMOS section holds 100 bytes" --image "$tmp/snap-cmos" int 0x11
expect 2 "1000 bytes is too short; a snapshot holds at least 1 MiB" --image "$tmp/snap-short" int 0x11
expect 2 "is empty" --image "$tmp/empty" int 0x11
expect 2 "cannot open" --image "$tmp/missing" int 0x11
expect 2 "not a regular file" --image "$tmp" int 0x11
expect 2 "unknown\|not expected\|extra" $I int 0x11 --no-such-flag
expect 3 "there is no BIOS handler for this vector" $I int 0x10
expect 3 "no code at this address" $I call e000:0000
if [ -e /dev/biosx ]; then
    echo "skip: biosx.ko is loaded here: '--backend vmx' without the module not checked"
else
    expect 3 "/dev/biosx does not exist" --backend vmx int 0x11
fi

# ---- issue 11: nothing a user hands biosx loses data, hangs or crashes it ----
# Outputs that are (by inode) a file the command reads.
expect 2 "\-\-save $tmp/img: this command reads that file (--image $tmp/img)" $I memmap --save "$tmp/img"
expect 2 "\-\-read-to $tmp/img: this command reads that file" $I int 0x11 --read 0000:0400:2 --read-to "$tmp/img"
expect 2 "\-\-trace-file $tmp/img: this command reads that file" $I int 0x11 --trace --trace-file "$tmp/img"
expect 2 "\-\-save $tmp/nocaps.msr: this command reads that file" caps --from "$tmp/nocaps.msr" --save "$tmp/nocaps.msr"
expect 2 "this command reads that file" --image "$tmp/hardlink" memmap --save "$tmp/img"
# Inputs that are not regular files: no FIFO hang, no directory crash.
expect 2 "\-\-image $tmp/fifo: a FIFO, not a regular file" --image "$tmp/fifo" int 0x11
expect 2 "\-\-from $tmp/fifo: a FIFO, not a regular file" caps --from "$tmp/fifo"
expect 2 "\-\-regs-file $tmp/fifo: a FIFO" $I int 0x11 --regs-file "$tmp/fifo"
expect 2 "\-\-write 0000:7e00=@$tmp/dir: a directory, not a regular file" $I int 0x11 --write "0000:7e00=@$tmp/dir"
expect 2 "\-\-regs-file $tmp/dir: a directory, not a regular file" $I int 0x11 --regs-file "$tmp/dir"
expect 2 "\-\-from $tmp/dir: a directory, not a regular file" caps --from "$tmp/dir"
expect 2 "\-\-image /dev/zero: a character device" --image /dev/zero int 0x11
# Outputs that are not regular files.
expect 2 "\-\-read-to $tmp/dir: a directory" $I int 0x11 --read 0000:0400:2 --read-to "$tmp/dir"
expect 2 "\-\-trace-file $tmp/fifo: a FIFO" $I int 0x11 --trace --trace-file "$tmp/fifo"
expect 2 "\-\-read-to $tmp/no/such/x: directory $tmp/no/such: No such file" $I int 0x11 --read 0000:0400:2 --read-to "$tmp/no/such/x"
expect 2 "\-\-read-to /dev/zero: a character device" $I int 0x11 --read 0000:0400:2 --read-to /dev/zero
expect 2 "two outputs\|another output" $I int 0x11 --read 0000:0400:2 --read-to "$tmp/o" --trace --trace-file "$tmp/o"
# Number options: documented ranges, no wrap-around.
expect 2 "\-\-max-instructions: -1 is outside 1..1000000000000" $I int 0x11 --max-instructions -1
expect 2 "\-\-max-instructions: 99999999999999999999999 is outside" $I int 0x11 --max-instructions 99999999999999999999999
expect 2 "\-\-timeout: 61 is outside (0, 60\]" $I int 0x11 --timeout 61
expect 2 "\-\-timeout: 'nan' is not a number of seconds" $I int 0x11 --timeout nan
expect 2 "\-\-timeout: 3601 is outside" $I memmap --e820 --timeout 3601
expect 2 "\-\-timeout 2: only meaningful with --e820" $I memmap --timeout 2
expect 2 "\-\-cpu: '-1' is negative" caps --cpu -1
expect 2 "\-\-cpu 8192: outside 0..8191" caps --cpu 8192
expect 2 "\-\-size: '-5' is negative" $I memmap --save "$tmp/x" --size -5
expect 2 "\-\-read 0000:0400:0: length must be 1..1048576" $I int 0x11 --read 0000:0400:0
# Empty values are errors, not "not given".
expect 2 "\-\-image: the value is empty" --image '' int 0x11
expect 2 "\-\-regs: the value is empty" $I int 0x11 --regs ''
expect 2 "\-\-save: the value is empty" $I memmap --save ''
expect 2 "\-\-regs-file: the value is empty" $I int 0x11 --regs-file ''
expect 2 "\-\-trace-file: the value is empty" $I int 0x11 --trace --trace-file ''
expect 2 "\-\-eax: the value is empty" $I int 0x11 --eax ''
expect 2 "\-\-from: the value is empty" caps --from ''
expect 2 "VECTOR: the value is empty" $I int ''
# --trace-file without --trace; a refused run leaves no trace file.
expect 2 "\-\-trace-file $tmp/t: only meaningful with --trace" $I int 0x11 --trace-file "$tmp/t"
expect 3 "there is no BIOS handler" $I int 0x10 --trace --trace-file "$tmp/t"
expect 2 "run past the end" $I int 0x11 --read ffff:fff0:64 --read-to "$tmp/t"
# biosx's own return trap and frame are not the user's to write.
expect 2 "overlaps biosx's return trap at 0x00600 (0000:0600, 1 byte)" $I call 0000:0600 --write 0000:0600=EBFE
expect 2 "overlaps the return frame biosx pushes below SS:SP at 0x07bfa-0x07bff" $I int 0x11 --write 0000:7bfa=01
expect 2 "\-\-ss 0xffff --sp 0xffff: the return frame" $I int 0x11 --ss 0xffff --sp 0xffff
# --dump-vmcs is refused before anything runs on the emulation backend.
expect 2 "\-\-dump-vmcs needs the vmx or kvm backend" $I int 0x11 --dump-vmcs
expect 2 "\-\-dump-vmcs needs the vmx or kvm backend" $I int 0x11 --dump-vmcs --json
# dump-vmcs has no last run to read on the kvm backend (KVM keeps no state
# between processes): refused, pointing at int --dump-vmcs.
expect 2 "kvm backend has no VMCS biosx can read" --backend kvm dump-vmcs
# --regs: each register once.
expect 2 "\"ax\" appears twice" $I int 0x11 --regs '{"ax":1,"ax":2}'
expect 2 "\-\-ax: ax is already set by --ax" $I int 0x11 --ax 1 --ax 2
# Messages that name the problem.
expect 2 "SEG:OFF segment: 'zz' is not a hex number" $I call zz:0003
expect 2 "$tmp/binary: not a caps file (binary data at byte" caps --from "$tmp/binary"
expect 3 "no BIOS handler for this vector in this snapshot" $I int 0x60
expect 2 "'foo' is not a biosx command" foo
expect 2 "'foo' is not a biosx command" --image "$tmp/img" foo
# Output errors get one code whichever option names the file.
expect 3 "\-\-read-to /proc/x: cannot create" $I int 0x11 --read 0000:0400:2 --read-to /proc/x
expect 3 "\-\-trace-file /proc/x: cannot create" $I int 0x11 --trace --trace-file /proc/x
expect 3 "\-\-save /proc/x: cannot create" $I memmap --save /proc/x

# memmap --save without a named source refuses to save the bundled snapshot
# as "this machine's BIOS" (only where the host's BIOS is unreachable).
if [ ! -r /dev/mem ] && [ ! -e /dev/biosx ] && "$BIOSX" int 0x11 2>&1 >/dev/null | grep -q "bundled SeaBIOS"; then
    expect 3 "the host's BIOS is not reachable .*name it with --image" memmap --save "$tmp/x"
else
    echo "skip: the host's BIOS is reachable here: memmap --save refusing the bundled snapshot not checked"
fi

# The good calls: the fixture is sound, and the outputs appear only on success.
if ! "$BIOSX" $I int 0x11 --json | grep -q '"eax": 4660'; then
    echo "FAIL: the crafted INT 11h handler did not answer 0x1234"
    fails=$((fails + 1))
fi
"$BIOSX" $I int 0x11 --read 0000:0400:2 --read-to "$tmp/rt" --trace --trace-file "$tmp/tr" > /dev/null
if [ "$(od -An -tx1 "$tmp/rt" | tr -d ' ')" != 0000 ] || ! grep -q 'iret' "$tmp/tr" ||
    [ -n "$(ls -A "$tmp" | grep biosx-)" ]; then
    echo "FAIL: --read-to/--trace-file of a good run: $(ls -A "$tmp" | tr '\n' ' ')"
    fails=$((fails + 1))
fi
[ "$fails" -eq 0 ] && echo "all bad-input cases passed" || echo "$fails bad-input case(s) failed"
[ "$fails" -eq 0 ]
