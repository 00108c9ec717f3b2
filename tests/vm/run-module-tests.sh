#!/bin/sh
# run-module-tests.sh BIOSX_BINARY OUTDIR [MODEL...] - builds biosx.ko against
# the installed Debian headers and runs tests/vm/module-tests.sh inside Bochs
# on each CPU model: by default one with unrestricted guest
# (corei7_skylake_x) and one without it (core2_penryn_t9600), so both guest
# strategies run for real. Fails if any model fails.
# A model may carry options after a colon: MODEL:smpN boots N CPUs (the SMP
# checks of hardening-tests.sh run only there), e.g. corei7_skylake_x:smp2;
# its results go to OUTDIR/MODEL-smpN. Prints the wall time of each boot.
# Then one AMD boot (zambezi) for the kvm backend through kvm_amd
# (kvm-tests.sh), and one lockdown boot on the first model.
# VM_TIMEOUT: host seconds per boot (900).
# A host without what a boot needs skips (exit 77, CTest's SKIP_RETURN_CODE)
# with the reason; BIOSX_REQUIRE_VM=1 (CI, where the VM tests must run)
# makes that a failure.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
biosx=${1:?usage: run-module-tests.sh BIOSX OUTDIR [MODEL...]}
out=${2:?usage: run-module-tests.sh BIOSX OUTDIR [MODEL...]}
shift 2
models=${*:-corei7_skylake_x core2_penryn_t9600}
skip_or_fail() {
    if [ "${BIOSX_REQUIRE_VM:-0}" = 1 ]; then
        echo "FAIL: the VM tests cannot run here: $1 (BIOSX_REQUIRE_VM=1)"
        exit 1
    fi
    echo "SKIP: the VM tests cannot run here: $1"
    exit 77
}
why=$(bash "$here/run-guest.sh" --check-host 2>&1) || skip_or_fail "$why"
command -v gcc > /dev/null || skip_or_fail "gcc not found (the static guest programs)"
ls -d /usr/src/linux-headers-*-amd64 > /dev/null 2>&1 || [ -d "/lib/modules/$(uname -r)/build" ] ||
    skip_or_fail "no kernel headers to build biosx.ko against (package linux-headers-amd64)"
mkdir -p "$out"
out=$(cd "$out" && pwd)
files="$out/files"
rm -rf "$files" "$out/kbuild"
mkdir -p "$files" "$out/kbuild"
# Build out of tree in a copy, so a source checkout stays clean.
cp -r "$top/kernel" "$out/kbuild/kernel"
cp -r "$top/shared" "$out/kbuild/shared"
make -s -C "$out/kbuild/kernel" W=1 > "$out/kbuild.log" 2>&1 || { cat "$out/kbuild.log"; exit 1; }
if grep -q 'warning:' "$out/kbuild.log"; then cat "$out/kbuild.log"; echo "biosx.ko: warnings at W=1"; exit 1; fi
cp "$out/kbuild/kernel/biosx.ko" "$files/"
# The guest script runs ./biosx, whatever the binary given is called; a
# copy taken while the build relinks it may lack its x bits.
cp "$biosx" "$files/biosx"
chmod 0755 "$files/biosx"
# KVM in the guest, to prove biosx refuses (EBUSY) while KVM holds VMX, and
# to create VMs while runs are in flight (SMP); the hardening programs talk
# to /dev/biosx through the uapi header alone.
gcc -static -O2 -Wall -o "$files/kvm-hold" "$here/kvm-hold.c"
for p in hostile selectors; do
    gcc -static -O2 -Wall -Wextra -Werror -I"$top/shared" -o "$files/$p" "$here/$p.c"
done
cp "$here/hardening-tests.sh" "$here/session-tests.sh" "$here/kvm-tests.sh" "$here/vbe-tests.sh" "$here/lrmi-tests.sh" "$files/"
# A peer as witness of the mode biosx sets (session-tests.sh): Debian's
# vbetool, with its libraries (run-guest.sh copies what ldd names).
vbetool=$(command -v vbetool || echo /usr/sbin/vbetool)
[ ! -x "$vbetool" ] || cp "$vbetool" "$files/vbetool"
# biosx's libx86.so.1 for `biosx exec` (lrmi-tests.sh): beside ./biosx in
# compat/, as in the build tree; run-guest.sh copies the libbiosx.so.1 it
# needs. get-edid as a second LRMI client, where installed.
bdir=$(dirname "$biosx")
if [ -f "$bdir/compat/libx86.so.1" ]; then
    mkdir -p "$files/compat"
    cp "$bdir/compat/libx86.so.1" "$files/compat/"
fi
! command -v get-edid > /dev/null || cp "$(command -v get-edid)" "$files/get-edid"
# edid-decode as the witness of `biosx edid` (vbe-tests.sh), where installed.
! command -v edid-decode > /dev/null || cp "$(command -v edid-decode)" "$files/edid-decode"
# The capability MSRs recorded for each Bochs model (the VMCS control check).
cp -r "$here/cpu-models" "$files/"
# Knobs of hardening-tests.sh, from the environment (defaults there).
for v in HARDENING_SECTIONS HOSTILE_SEED HOSTILE_RUNS HOSTILE_CYCLES HOSTILE_ARGS SMP_RUNS SMP_KVM_CYCLES; do
    eval "[ -z \"\${$v:-}\" ] || echo \"$v='\$$v'\""
done > "$files/hardening.conf"
# A host hardware breakpoint that must survive biosx runs.
gcc -static -O2 -Wall -o "$files/hwbp" "$here/hwbp.c"
kver=$(ls /lib/modules | sort -V | tail -n 1)
for m in virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-intel arch/x86/kvm/kvm-amd drivers/crypto/ccp/ccp drivers/char/nvram; do
    ko=/lib/modules/$kver/kernel/$m.ko
    [ -f "$ko" ] && cp "$ko" "$files/"
    [ -f "$ko.xz" ] && xz -dc "$ko.xz" > "$files/$(basename "$m").ko"
done
# uvesafb with biosx-v86d as its helper (uvesafb-tests.sh): the helper from
# beside the biosx binary (the build tree), Debian's uvesafb.ko (it depends
# on nothing: the connector is built in).
cp "$here/uvesafb-tests.sh" "$files/"
if [ -f "$(dirname "$biosx")/biosx-v86d" ]; then
    cp "$(dirname "$biosx")/biosx-v86d" "$files/biosx-v86d"
    chmod 0755 "$files/biosx-v86d"
fi
for m in drivers/video/fbdev/uvesafb; do
    ko=/lib/modules/$kver/kernel/$m.ko
    [ -f "$ko" ] && cp "$ko" "$files/"
    [ -f "$ko.xz" ] && xz -dc "$ko.xz" > "$files/$(basename "$m").ko"
done
rc=0
t_all=$(date +%s)
for spec in $models; do
    m=${spec%%:*} smp=1 name=$spec
    case $spec in
        *:smp[0-9]*) smp=${spec##*:smp}; name=$m-smp$smp ;;
        *:*) echo "run-module-tests.sh: unknown option in '$spec' (MODEL or MODEL:smpN)"; exit 2 ;;
    esac
    echo "== $name"
    t0=$(date +%s)
    # biosx_test_model: which recorded capability file is this CPU's (the
    # kernel hands an unknown parameter to init, harmlessly).
    if bash "$here/run-guest.sh" --cpu "$m" --smp "$smp" --files "$files" --script "$here/module-tests.sh" \
        --out "$out/$name" --timeout "${VM_TIMEOUT:-900}" --append "biosx_test_model=$m"; then
        echo "== $name: PASS ($(grep -c 'VERDICT PASS' "$out/$name/verdicts.txt") checks, $(($(date +%s) - t0)) s)"
    else
        rc=1
        echo "== $name: FAIL ($(($(date +%s) - t0)) s)"
        grep -E 'VERDICT (FAIL|SKIP)' "$out/$name/verdicts.txt" || true
        cat "$out/$name/result.txt" 2>/dev/null || true
    fi
    grep -E '^(wall|boot|guest)_' "$out/$name/timing.txt" 2>/dev/null | tr '\n' ' '; echo
done
# The kvm backend on an AMD model through the guest kernel's kvm_amd (no
# biosx.ko there: SVM, not VMX): kvm-tests.sh as the boot's whole script.
# VM_AMD_MODEL picks the model (zambezi), VM_AMD=0 skips the boot; the SMP
# run (HARDENING_SECTIONS=smp) has nothing for it.
if [ "${VM_AMD:-1}" = 0 ] || [ "${HARDENING_SECTIONS:-}" = smp ]; then
    echo "== AMD kvm boot skipped"
else
    amd=${VM_AMD_MODEL:-zambezi}
    echo "== $amd (kvm_amd)"
    t0=$(date +%s)
    if bash "$here/run-guest.sh" --cpu "$amd" --files "$files" --script "$here/kvm-tests.sh" --out "$out/$amd-kvm" \
        --timeout 600; then
        echo "== $amd-kvm: PASS ($(grep -c 'VERDICT PASS' "$out/$amd-kvm/verdicts.txt") checks, $(($(date +%s) - t0)) s)"
    else
        rc=1
        echo "== $amd-kvm: FAIL ($(($(date +%s) - t0)) s)"
        grep -E 'VERDICT (FAIL|SKIP)' "$out/$amd-kvm/verdicts.txt" || true
        cat "$out/$amd-kvm/result.txt" 2>/dev/null || true
    fi
fi
# Booted with lockdown=integrity: the kernel refuses the unsigned module and
# biosx says why (one boot, on the first model; VM_LOCKDOWN=0 skips it).
first=${models%% *}
first=${first%%:*}
if [ "${VM_LOCKDOWN:-1}" = 0 ]; then
    echo "== lockdown boot skipped (VM_LOCKDOWN=0)"
elif echo "== $first, lockdown=integrity" && bash "$here/run-guest.sh" --cpu "$first" --files "$files" --script "$here/lockdown-tests.sh" \
    --out "$out/lockdown" --append lockdown=integrity --timeout 600; then
    echo "== lockdown: PASS ($(grep -c 'VERDICT PASS' "$out/lockdown/verdicts.txt") checks)"
else
    rc=1
    echo "== lockdown: FAIL"
    grep -E 'VERDICT (FAIL|SKIP)' "$out/lockdown/verdicts.txt" || true
    cat "$out/lockdown/result.txt" 2>/dev/null || true
fi
echo "== all models: $(($(date +%s) - t_all)) s"
exit $rc
