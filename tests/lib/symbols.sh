#!/bin/sh
# symbols.sh LIBBIOSX_SO HEADER - libbiosx.so exports exactly the functions
# its public header declares (everything else is hidden), under the soname
# libbiosx.so.1. Userspace test, no BIOS needed.
set -u
lib=$1 header=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
# Every declaration reads "BIOSX_API <type> [*]biosx_name(".
sed -n 's/^BIOSX_API .*[ *]\(biosx_[a-z0-9_]*\)(.*/\1/p' "$header" | sort -u > "$tmp/declared"
nm -D --defined-only "$lib" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' | sort -u > "$tmp/exported"
n=$(wc -l < "$tmp/declared")
[ "$n" -ge 20 ] || { echo "FAIL: only $n declarations found in $header"; fails=$((fails + 1)); }
if cmp -s "$tmp/declared" "$tmp/exported"; then
    echo "ok: the $n exported symbols are the header's functions"
else
    echo "FAIL: exported symbols differ from the header's functions (< header, > library):"
    diff "$tmp/declared" "$tmp/exported" | grep '^[<>]'
    fails=$((fails + 1))
fi
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" = libbiosx.so.1 ]; then echo "ok: soname $soname"; else
    echo "FAIL: soname is '$soname', not libbiosx.so.1"; fails=$((fails + 1)); fi
[ "$fails" -eq 0 ]
