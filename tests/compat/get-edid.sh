#!/bin/sh
# get-edid.sh BIOSX IMAGE - read-edid's get-edid, unmodified, on biosx's
# libx86.so.1 over the SeaBIOS snapshot (`biosx exec`, VBE only: -c): the
# EDID block it writes is the one biosx's own VBE 4F15h BL=01h returns for
# the same CX/DX (taken from the call log, BIOSX_LRMI_LOG), and the OEM
# string it prints is the one the image holds where 4F00h's far pointer
# points (get-edid follows that pointer as a plain address: the real-mode
# space must be at the process's own addresses). Skips (77) where get-edid
# is not installed; GET_EDID=PATH runs another copy. Userspace test (CTest
# compat.get-edid).
set -u
BIOSX=$1 IMG=$2
GET_EDID=${GET_EDID:-$(command -v get-edid || echo /usr/bin/get-edid)}
[ -x "$GET_EDID" ] || { echo "SKIP: get-edid is not installed (Debian package read-edid)"; exit 77; }
fails=0
check_eq() {  # check_eq NAME GOT WANT
    if [ "$2" = "$3" ]; then echo "ok: $1: $2"; else echo "FAIL: $1: got '$2', want '$3'"; fails=$((fails + 1)); fi
}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT

BIOSX_LRMI_LOG=1 "$BIOSX" --image "$IMG" --backend emu exec -- "$GET_EDID" -c > "$tmp/edid" 2> "$tmp/err"
check_eq "get-edid -c exits 0" "$?" 0
# The last VBE 4F15h BL=01h of the log: its CX and DX.
cxdx=$(grep '^{' "$tmp/err" | python3 -c '
import json, sys
calls = [json.loads(l)["in"] for l in sys.stdin]
last = [c for c in calls if c["eax"] & 0xffff == 0x4f15 and c["ebx"] & 0xff == 1][-1]
print(last["ecx"] & 0xffff, last["edx"] & 0xffff)')
"$BIOSX" --image "$IMG" --backend emu int 0x10 --ax 0x4f15 --bx 1 --cx "${cxdx% *}" --dx "${cxdx#* }" \
    --es 0x1000 --di 0 --read 1000:0000:128 --read-to "$tmp/want" > /dev/null
check_eq "EDID block (CX DX = $cxdx) = biosx's 4F15h" "$(od -An -tx1 "$tmp/edid" | md5sum)" "$(od -An -tx1 "$tmp/want" | md5sum)"
check_eq "EDID: 128 bytes" "$(wc -c < "$tmp/edid")" 128

# The OEM string through 4F00h's far pointer, as the image holds it.
"$BIOSX" --image "$IMG" --backend emu int 0x10 --ax 0x4f00 --es 0x1000 --di 0 --write 1000:0000=56424532 \
    --read 1000:0000:10 --read-to "$tmp/vib" > /dev/null
oem=$(python3 -c '
import sys
vib = open(sys.argv[1], "rb").read()
at = int.from_bytes(vib[8:10], "little") * 16 + int.from_bytes(vib[6:8], "little")
img = open(sys.argv[2], "rb"); img.seek(at)
print(img.read(80).split(b"\0")[0].decode("latin-1"))' "$tmp/vib" "$IMG")
check_eq "OEM string get-edid printed" "$(sed -n 's/.*VBE string at 0x[0-9a-f]* "\(.*\)"$/\1/p' "$tmp/err")" "$oem"
[ "$fails" -eq 0 ] && echo "compat.get-edid: all checks passed"
[ "$fails" -eq 0 ]
