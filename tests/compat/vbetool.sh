#!/bin/sh
# vbetool.sh BIOSX IMAGE - Debian's vbetool, unmodified, on biosx's
# libx86.so.1 over the SeaBIOS snapshot (`biosx exec`): what it prints is
# what biosx's own calls answer -- `vbemode get` the BX of VBE 4F03h,
# `vbestate save` the bytes 4F04h DL=1 saves into the buffer vbetool gets
# (1000:0000, the first block of a fresh session) -- without root, where
# Debian's libx86 needs it. Skips (77) where vbetool is not installed.
# Userspace test (CTest compat.vbetool).
set -u
BIOSX=$1 IMG=$2
VBETOOL=$(command -v vbetool || echo /usr/sbin/vbetool)
[ -x "$VBETOOL" ] || { echo "SKIP: vbetool is not installed (Debian package vbetool)"; exit 77; }
fails=0
check_eq() {  # check_eq NAME GOT WANT
    if [ "$2" = "$3" ]; then echo "ok: $1: $2"; else echo "FAIL: $1: got '$2', want '$3'"; fails=$((fails + 1)); fi
}
out_reg() {  # out_reg REG ARGS... : that register out of `biosx int ARGS --json`, in decimal
    reg=$1; shift
    "$BIOSX" --image "$IMG" --backend emu int "$@" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['out']['$reg'])"
}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
exec_vbetool() { "$BIOSX" --image "$IMG" --backend emu exec -- "$VBETOOL" "$@"; }

# vbemode get: vbetool prints the BX of 4F03h in decimal.
got=$(exec_vbetool vbemode get 2> "$tmp/err"); rc=$?
check_eq "vbemode get exits 0" "$rc" 0
check_eq "vbemode get = BX of biosx int 0x10 --ax 0x4f03" "$got" "$(out_reg ebx 0x10 --ax 0x4f03)"
check_eq "vbemode get: nothing on stderr" "$(cat "$tmp/err")" ""

# vbestate save: the state buffer, byte for byte.
exec_vbetool vbestate save > "$tmp/state" 2> "$tmp/err"; rc=$?
check_eq "vbestate save exits 0" "$rc" 0
blocks=$(out_reg ebx 0x10 --ax 0x4f04 --cx 0xf --dx 0)
size=$(( (blocks & 0xffff) * 64 ))
"$BIOSX" --image "$IMG" --backend emu int 0x10 --ax 0x4f04 --cx 0xf --dx 1 --es 0x1000 --bx 0 \
    --read "1000:0000:$size" --read-to "$tmp/want" > /dev/null
check_eq "vbestate save: $size bytes" "$(wc -c < "$tmp/state")" "$size"
check_eq "vbestate save = biosx's 4F04h DL=1" "$(od -An -tx1 "$tmp/state" | md5sum)" "$(od -An -tx1 "$tmp/want" | md5sum)"
check_eq "vbestate save: the buffer vbetool reports" "$(grep -c 'ES: 0x1000 EBX: 0x0000' "$tmp/err")" 1

# vbemode set and vgamode set: vbetool's verdict on the AX biosx's own call
# returns (AH 0: success; AL 4Fh: supported -- a legacy mode set, AX=0003h,
# leaves AL as the BIOS likes: "Function not supported", exit 253).
verdict() {  # verdict EAX: what vbetool prints and exits with for that AX
    ax=$(( $1 & 0xffff ))
    if [ $(( ax & 0xff00 )) -ne 0 ]; then echo "254:Real mode call failed"
    elif [ $(( ax & 0xff )) -ne $(( 0x4f )) ]; then echo "253:Function not supported"
    else echo "0:"; fi
}
for args in "vbemode set 257:--ax 0x4f02 --bx 257" "vgamode set 3:--ax 3"; do
    # shellcheck disable=SC2086
    exec_vbetool ${args%%:*} > "$tmp/out" 2>&1; rc=$?
    # shellcheck disable=SC2086
    check_eq "${args%%:*}: exit and message" "$rc:$(cat "$tmp/out")" "$(verdict "$(out_reg eax 0x10 ${args#*:})")"
done

# Without root: biosx's library needs neither ioperm nor /dev/mem over an image.
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
    got=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$BIOSX" --image "$IMG" --backend emu exec -- \
        "$VBETOOL" vbemode get 2>&1)
    check_eq "vbemode get as nobody" "$got" "$(out_reg ebx 0x10 --ax 0x4f03)"
fi
[ "$fails" -eq 0 ] && echo "compat.vbetool: all checks passed"
[ "$fails" -eq 0 ]
