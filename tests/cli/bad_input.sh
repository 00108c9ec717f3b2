#!/bin/sh
# bad_input.sh BIOSX - every bad input gets one line on stderr naming the
# problem, the documented exit code, nothing on stdout, and nothing runs.
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
: > "$tmp/empty"
printf '{"eax": 1, "bogus": 2}' > "$tmp/regs-unknown.json"

# expect CODE PATTERN ARGS... : exit code, one stderr line matching PATTERN.
expect() {
    code=$1 pattern=$2
    shift 2
    "$BIOSX" "$@" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    lines=$(wc -l < "$tmp/err")
    if [ "$rc" -ne "$code" ] || ! grep -q -- "$pattern" "$tmp/err" || [ -s "$tmp/out" ] ||
        [ "$lines" -ne 1 ]; then
        echo "FAIL: biosx $*"
        echo "  expected exit $code and stderr matching '$pattern'; got exit $rc"
        sed 's/^/  stderr: /' "$tmp/err"; sed 's/^/  stdout: /' "$tmp/out" | head -5
        fails=$((fails + 1))
    else
        echo "ok: exit $rc: $(head -n1 "$tmp/err")"
    fi
    if ! cmp -s "$tmp/img" "$tmp/img.orig"; then
        echo "FAIL: biosx $* changed the image file"
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
expect 2 "\-\-regs-file /nonexistent: cannot read" $I int 0x11 --regs-file /nonexistent
expect 2 "expected SEG:OFF=HEX" $I int 0x11 --write 0000:7e00
expect 2 "not a hex digit" $I int 0x11 --write 0000:7e00=zz
expect 2 "expected SEG:OFF:LEN" $I int 0x11 --read 0000:7e00
expect 2 "run past the end of memory" $I int 0x11 --read ffff:fff0:64
expect 2 "run past the end of memory" $I int 0x11 --write f000:ffff=0102
expect 2 "is not SEG:OFF" $I call c0000003
expect 2 "\-\-timeout: must be within" $I int 0x11 --timeout 0
expect 2 "\-\-max-instructions: must be at least 1" $I int 0x11 --max-instructions 0
expect 2 "\-\-read-to .*give at least one --read" $I int 0x11 --read-to "$tmp/x"
expect 2 "\-\-allow-port 70000" $I int 0x11 --allow-port 70000
# The hard floor of the port policy: no option opens it (docs/module.md).
expect 2 "\-\-allow-port 0x64: port 0x0064 is on the hard floor (keyboard" $I int 0x11 --allow-port 0x64
expect 2 "\-\-allow-port 0x60-0x6f: port 0x0064 is on the hard floor" $I int 0x11 --allow-port 0x60-0x6f
expect 2 "\-\-allow-port 0xcf9: .*reset control" $I int 0x11 --allow-port 0xcf9
expect 2 "excludes \-\-pass-io" $I int 0x11 --pass-io --virtual-io
expect 2 "backend" $I --backend bogus int 0x11
expect 2 "too short" --image "$tmp/short" int 0x11
expect 2 "is empty" --image "$tmp/empty" int 0x11
expect 2 "cannot open" --image "$tmp/missing" int 0x11
expect 2 "not a regular file" --image "$tmp" int 0x11
expect 2 "unknown\|not expected\|extra" $I int 0x11 --no-such-flag
expect 3 "there is no BIOS handler for this vector" $I int 0x10
expect 3 "no code at this address" $I call e000:0000
expect 3 "/dev/biosx does not exist" --backend vmx int 0x11
# The one good call: proves the fixture itself is sound.
if ! "$BIOSX" $I int 0x11 --json | grep -q '"eax": "0x00001234"'; then
    echo "FAIL: the crafted INT 11h handler did not answer 0x1234"
    fails=$((fails + 1))
fi
[ "$fails" -eq 0 ] && echo "all bad-input cases passed" || echo "$fails bad-input case(s) failed"
[ "$fails" -eq 0 ]
