#!/bin/sh
# state.sh BIOSX IMAGE - `--state FILE` carries an image's RAM from one
# invocation to the next: a mode set, and a buffer one call writes and a
# later process reads; the file is replaced atomically; what is refused
# (the image itself, another image's state, a file that is not a state, a
# missing directory) runs nothing and changes nothing.
set -u
BIOSX=$1 IMG=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
B="$BIOSX --image $IMG"
S=$tmp/vga.state
same() {
    if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: got '$2', wanted '$3'"; fails=$((fails + 1)); fi
}
mode() { $B int 0x10 --ax 0x0f00 --json "$@" | jq '.out.eax % 128'; }

same "a fresh image is in mode 3" "$(mode)" 3
$B int 0x10 --ax 0x0013 --state "$S" > /dev/null
same "the state file holds 32 + 640 KiB" "$(stat -c %s "$S")" $((32 + 0xa0000))
same "the mode set is there for the next process" "$(mode --state "$S")" 19
same "without --state the image is as it was" "$(mode)" 3
ino=$(stat -c %i "$S")
$B call f000:fff0 --max-instructions 5 --state "$S" > /dev/null 2>&1
same "call --state, a run that did not complete: exit 4" "$?" 4
same "... the state is still replaced (renamed into place)" "$([ "$(stat -c %i "$S")" != "$ino" ] && echo new)" new
same "... and still holds the mode" "$(mode --state "$S")" 19
same "no temporary file is left beside it" "$(ls -A "$tmp" | grep -c biosx)" 0

# A buffer: INT 10h AX=1C01h saves the video state into 1000:0000 in one
# process, a second sets mode 3, a third restores it from that buffer.
$B int 0x10 --ax 0x1c01 --cx 7 --es 0x1000 --bx 0 --state "$S" > /dev/null
$B int 0x10 --ax 0x0003 --state "$S" > /dev/null
same "mode 3 after the second process" "$(mode --state "$S")" 3
$B int 0x10 --ax 0x1c02 --cx 7 --es 0x1000 --bx 0 --state "$S" > /dev/null
same "the third process restores mode 13h from the first one's buffer" "$(mode --state "$S")" 19
printf '%s\n' '{"int":"0x10","regs":{"ax":"0x0f00"}}' | $B batch --state "$S" > "$tmp/b.json"
same "batch reads the same state" "$(jq '.out.eax % 128' "$tmp/b.json")" 19

# Refusals: exit 2, one line, nothing run, nothing changed.
sum=$(md5sum < "$IMG")
$B int 0x10 --ax 0x0013 --state "$IMG" > "$tmp/out" 2> "$tmp/err"
same "--state naming the image: exit 2" "$?" 2
same "... one line naming it" "$(grep -c 'reads that file' "$tmp/err"):$(wc -l < "$tmp/err")" 1:1
same "... nothing printed, the image unchanged" "$(wc -c < "$tmp/out"):$(md5sum < "$IMG")" "0:$sum"
echo 'not a state' > "$tmp/text"
$B int 0x11 --state "$tmp/text" > "$tmp/out" 2> "$tmp/err"
same "--state naming another file: exit 2, unchanged" "$?:$(cat "$tmp/text")" "2:not a state"
cp "$IMG" "$tmp/other.img"
printf '\125' | dd of="$tmp/other.img" bs=1 seek=$((0xc0010)) conv=notrunc 2> /dev/null
cp "$S" "$tmp/keep.state"
$BIOSX --image "$tmp/other.img" int 0x11 --state "$S" > /dev/null 2> "$tmp/err"
same "another image's state: exit 2" "$?" 2
same "... says so" "$(grep -c 'different image' "$tmp/err")" 1
same "... and leaves it as it was" "$(cmp -s "$S" "$tmp/keep.state" && echo same)" same
$B int 0x11 --state "$tmp/no/such/dir/s" > /dev/null 2> "$tmp/err"
same "--state in a missing directory: exit 2" "$?" 2
$B int 0x11 --read 0000:0400:2 --read-to "$S" --state "$S" > /dev/null 2> "$tmp/err"
same "--state and --read-to naming one file: exit 2" "$?:$(grep -c 'another output' "$tmp/err")" 2:1
same "... the state left as it was" "$(cmp -s "$S" "$tmp/keep.state" && echo same)" same

[ "$fails" -eq 0 ] && echo "state: all checks passed"
[ "$fails" -eq 0 ]
