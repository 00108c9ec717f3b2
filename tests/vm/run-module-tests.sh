#!/bin/sh
# run-module-tests.sh BIOSX_BINARY OUTDIR [MODEL...] - builds biosx.ko against
# the installed Debian headers and runs tests/vm/module-tests.sh inside Bochs
# on each CPU model: by default one with unrestricted guest
# (corei7_skylake_x) and one without it (core2_penryn_t9600), so both guest
# strategies run for real. Fails if any model fails.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
biosx=${1:?usage: run-module-tests.sh BIOSX OUTDIR [MODEL...]}
out=${2:?usage: run-module-tests.sh BIOSX OUTDIR [MODEL...]}
shift 2
models=${*:-corei7_skylake_x core2_penryn_t9600}
mkdir -p "$out"
out=$(cd "$out" && pwd)
files="$out/files"
rm -rf "$files" "$out/kbuild"
mkdir -p "$files" "$out/kbuild"
# Build out of tree in a copy, so a source checkout stays clean.
cp -r "$top/kernel" "$out/kbuild/kernel"
mkdir -p "$out/kbuild/src/core"
cp -r "$top/src/core/x86" "$out/kbuild/src/core/x86"
make -s -C "$out/kbuild/kernel" W=1 > "$out/kbuild.log" 2>&1 || { cat "$out/kbuild.log"; exit 1; }
if grep -q 'warning:' "$out/kbuild.log"; then cat "$out/kbuild.log"; echo "biosx.ko: warnings at W=1"; exit 1; fi
cp "$out/kbuild/kernel/biosx.ko" "$files/"
# The guest script runs ./biosx, whatever the binary given is called; a
# copy taken while the build relinks it may lack its x bits.
cp "$biosx" "$files/biosx"
chmod 0755 "$files/biosx"
# KVM in the guest, to prove biosx refuses (EBUSY) while KVM holds VMX.
gcc -static -O2 -o "$files/kvm-hold" "$here/kvm-hold.c"
# A host hardware breakpoint that must survive biosx runs.
gcc -static -O2 -o "$files/hwbp" "$here/hwbp.c"
kver=$(ls /lib/modules | sort -V | tail -n 1)
for m in virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-intel; do
    ko=/lib/modules/$kver/kernel/$m.ko
    [ -f "$ko" ] && cp "$ko" "$files/"
    [ -f "$ko.xz" ] && xz -dc "$ko.xz" > "$files/$(basename "$m").ko"
done
rc=0
for m in $models; do
    echo "== $m"
    if bash "$here/run-guest.sh" --cpu "$m" --files "$files" --script "$here/module-tests.sh" \
        --out "$out/$m" --timeout 900; then
        echo "== $m: PASS ($(grep -c 'VERDICT PASS' "$out/$m/verdicts.txt") checks)"
    else
        rc=1
        echo "== $m: FAIL"
        grep -E 'VERDICT (FAIL|SKIP)' "$out/$m/verdicts.txt" || true
        cat "$out/$m/result.txt" 2>/dev/null || true
    fi
done
# Booted with lockdown=integrity: the kernel refuses the unsigned module and
# biosx says why (one boot, on the first model).
first=${models%% *}
echo "== $first, lockdown=integrity"
if bash "$here/run-guest.sh" --cpu "$first" --files "$files" --script "$here/lockdown-tests.sh" \
    --out "$out/lockdown" --append lockdown=integrity --timeout 600; then
    echo "== lockdown: PASS ($(grep -c 'VERDICT PASS' "$out/lockdown/verdicts.txt") checks)"
else
    rc=1
    echo "== lockdown: FAIL"
    grep -E 'VERDICT (FAIL|SKIP)' "$out/lockdown/verdicts.txt" || true
    cat "$out/lockdown/result.txt" 2>/dev/null || true
fi
exit $rc
