#!/bin/bash
# tests/vm/cpu-caps.sh — runs on the host: boots each given Bochs CPU model with Debian's msr.ko and
# records its VMX capability MSRs as tests/vm/cpu-models/<MODEL>.msr (format in tests/vm/README.md).
# usage: cpu-caps.sh [--jobs N] [--out DIR] MODEL...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jobs=2 work=${TMPDIR:-/tmp}/biosx-cpu-caps
while [ $# -gt 0 ]; do
    case $1 in
        --jobs) jobs=$2; shift 2 ;;
        --out) work=$2; shift 2 ;;
        -*) echo "cpu-caps.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: cpu-caps.sh [--jobs N] [--out DIR] MODEL..." >&2; exit 2; }
mkdir -p "$work/files" "$here/cpu-models"
gcc -O2 -Wall -Wextra -static -o "$work/files/msrdump" "$here/msrdump.c"

one() {
    local model=$1 o=$work/$1
    "$here/run-guest.sh" --cpu "$model" --files "$work/files" --script "$here/caps-guest.sh" \
        --host-module msr --out "$o" --timeout 600 > "$o.txt" 2>&1 || true
    if tr -d '\r' < "$o/serial.log" | sed -n '/^MSRDUMP BEGIN/,/^MSRDUMP END/p' | sed '1d;$d' > "$o/dump.msr" &&
       grep -q '^cpu-model ' "$o/dump.msr"; then
        cp "$o/dump.msr" "$here/cpu-models/$model.msr"
        echo "$model: $(grep -c '^msr ' "$o/dump.msr") MSRs, $(grep boot_seconds "$o/timing.txt"), $(grep wall_seconds "$o/timing.txt")"
    else
        echo "$model: no dump ($(head -n1 "$o/result.txt" 2>/dev/null || echo 'no result'); see $o)"
    fi
}
running=0
for m in "$@"; do
    one "$m" &
    running=$((running + 1))
    if [ $running -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
