#!/bin/bash
# tests/vm/run-guest.sh — runs on the host: boots Debian's own kernel in Bochs (which emulates Intel
# VMX) with a busybox initramfs, runs one guest test script, and decides pass/fail from its serial log.
#
# run-guest.sh --cpu MODEL --script SCRIPT --out DIR [--files DIR] [--timeout SEC] [options]
# run-guest.sh --check-host: only check that this host has what a boot needs (exit 0, or 2 saying what
# is missing), so callers can skip instead of fail where it does not.
# See usage() and tests/vm/README.md for the interface; exit codes:
#   0 pass, 1 a test failed / kernel log dirty / script exited non-zero, 2 usage or setup error,
#   3 no verdict (host timeout, kernel panic, guest never reached VERDICT END).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

usage() {
    cat <<'EOF'
usage: run-guest.sh --cpu MODEL --script SCRIPT --out DIR [options]
  --cpu MODEL          Bochs CPU model (bochs --help cpu), e.g. corei7_skylake_x
  --script SCRIPT      guest test script (busybox sh); runs as /harness/test.sh, cwd /biosx
  --out DIR            results: serial.log verdicts.txt dmesg.txt result.txt timing.txt bochs.log
  --files DIR          copied to /biosx in the guest; ELF programs in it get their loader/libs
  --timeout SEC        host wall-clock limit for the whole boot+test, Bochs is killed after (900)
  --guest-timeout SEC  guest-side limit for the script, in guest seconds (default: --timeout)
  --stall SEC          stop when the console stays silent SEC host seconds after the init ran:
                       a hung machine (no ticks, no watchdog) ends early; 0 = never (300)
  --insmod FILE        insmod /biosx/FILE at boot before the script (repeatable)
  --host-module NAME   copy NAME.ko of the guest kernel's /lib/modules and insmod it (repeatable)
  --ips N              Bochs instructions per emulated second (default 50000000)
  --megs N             guest RAM in MiB (default 256)
  --smp N              N emulated CPUs (Bochs cpu: count=N; default 1); --ips is per CPU
  --append STR         extra kernel command line
  --loud               no "quiet": the boot stub and the kernel print everything on the console
                       (slower: ~10 KiB more serial output; use it to see where boot time goes)
  --bios FILE          system BIOS image (default /usr/share/bochs/BIOS-bochs-latest; "seabios"
                       means /usr/share/seabios/bios.bin)
  --kver VER           guest kernel version (default: the one linux-image-amd64 depends on)
  --keep               keep the build directory (DIR/build: initramfs tree, ISO, bochsrc)
  --check-host         only check that the host has Bochs, the guest kernel, busybox, isolinux and
                       the BIOS images; exit 0, or 2 naming what is missing
EOF
}

die() { echo "run-guest.sh: $*" >&2; exit 2; }

bios=/usr/share/bochs/BIOS-bochs-latest
quiet=quiet
cpu= script= out= files= timeout=900 stall=300 guest_timeout= ips=50000000 megs=256 smp=1 append= kver= keep=0
check_host=
insmods=() host_modules=()
while [ $# -gt 0 ]; do
    case $1 in
        --cpu) cpu=${2:?}; shift 2 ;;
        --script) script=${2:?}; shift 2 ;;
        --out) out=${2:?}; shift 2 ;;
        --files) files=${2:?}; shift 2 ;;
        --timeout) timeout=${2:?}; shift 2 ;;
        --guest-timeout) guest_timeout=${2:?}; shift 2 ;;
        --stall) stall=${2:?}; shift 2 ;;
        --insmod) insmods+=("${2:?}"); shift 2 ;;
        --host-module) host_modules+=("${2:?}"); shift 2 ;;
        --ips) ips=${2:?}; shift 2 ;;
        --megs) megs=${2:?}; shift 2 ;;
        --smp) smp=${2:?}; shift 2 ;;
        --append) append=${2?}; shift 2 ;;
        --kver) kver=${2:?}; shift 2 ;;
        --bios) bios=${2:?}; shift 2 ;;
        --keep) keep=1; shift ;;
        --check-host) check_host=1; shift ;;
        --loud) quiet=; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument '$1'" ;;
    esac
done
if [ -z "$check_host" ]; then
    [ -n "$cpu" ] && [ -n "$script" ] && [ -n "$out" ] || { usage >&2; die "--cpu, --script and --out are required"; }
    [ -f "$script" ] || die "--script: '$script' is not a file"
    [ -z "$files" ] || [ -d "$files" ] || die "--files: '$files' is not a directory"
    case $timeout in ''|*[!0-9]*) die "--timeout: '$timeout' is not a number of seconds" ;; esac
    guest_timeout=${guest_timeout:-$timeout}
    case $guest_timeout in ''|*[!0-9]*) die "--guest-timeout: '$guest_timeout' is not a number of seconds" ;; esac
    case $smp in ''|0|*[!0-9]*) die "--smp: '$smp' is not a number of CPUs" ;; esac
    case $stall in ''|*[!0-9]*) die "--stall: '$stall' is not a number of seconds" ;; esac
fi
for t in bochs python3 setsid cpio gzip xorriso ldd; do
    command -v "$t" >/dev/null || die "'$t' not found (see tests/vm/README.md for the packages)"
done

if [ -z "$check_host" ]; then
    # (the list is captured first: grep -q closing the pipe early would fail the pipeline)
    models=$(bochs --help cpu 2>&1 || true)
    grep -qx -- "$cpu" <<<"$models" || die "--cpu: '$cpu' is not a Bochs CPU model (see: bochs --help cpu)"
fi

# The guest kernel: Debian's linux-image-amd64, whose version must equal linux-headers-amd64's
# so that modules built against the headers load.
if [ -z "$kver" ]; then
    kver=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
           sed -n 's/.*linux-image-\([^ ,]*\).*/\1/p') || true
    [ -n "$kver" ] || die "cannot tell the version of linux-image-amd64 (install it or pass --kver)"
fi
vmlinuz=/boot/vmlinuz-$kver
[ -r "$vmlinuz" ] || die "$vmlinuz missing or unreadable (package linux-image-$kver)"
busybox=/bin/busybox
[ -x "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 || die "$busybox missing or not static (package busybox-static)"
isolinux_bin=/usr/lib/ISOLINUX/isolinux.bin
ldlinux=/usr/lib/syslinux/modules/bios/ldlinux.c32
[ -r "$isolinux_bin" ] || die "$isolinux_bin missing (package isolinux)"
[ -r "$ldlinux" ] || die "$ldlinux missing (package syslinux-common)"
[ "$bios" != seabios ] || bios=/usr/share/seabios/bios.bin
vgabios=/usr/share/bochs/VGABIOS-lgpl-latest
[ -r "$bios" ] || die "$bios missing (package bochsbios, or seabios for --bios seabios)"
[ -r "$vgabios" ] || die "$vgabios missing (package vgabios)"
[ -z "$check_host" ] || exit 0

mkdir -p "$out"
out=$(cd "$out" && pwd)
build=$out/build
rm -rf "$build" "$out"/serial.log "$out"/verdicts.txt "$out"/dmesg.txt "$out"/result.txt \
       "$out"/timing.txt "$out"/bochs.log "$out"/serial-timed.log
mkdir -p "$build/root" "$build/iso/isolinux" "$build/iso/boot"
root=$build/root

# --- initramfs tree ---------------------------------------------------------------------------
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,harness,biosx,lib/modules/"$kver"}
cp "$busybox" "$root/bin/busybox"
cp "$here/guest-init.sh" "$root/init"
cp "$here/guest-lib.sh" "$root/harness/guest-lib.sh"
cp "$script" "$root/harness/test.sh"
chmod 755 "$root/init" "$root/harness/test.sh"
[ -z "$files" ] || cp -a "$files"/. "$root/biosx/"

# Host modules come from the guest kernel's own tree (the host runs another kernel maybe, but
# Debian ships /lib/modules/$kver with linux-image-$kver).
for m in "${host_modules[@]}"; do
    ko=$(find "/lib/modules/$kver/kernel" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -n1)
    [ -n "$ko" ] || die "--host-module: $m.ko not found under /lib/modules/$kver (built in? see /boot/config-$kver)"
    case $ko in
        *.xz) xz -dc "$ko" > "$root/lib/modules/$kver/$m.ko" ;;
        *.zst) zstd -qdc "$ko" > "$root/lib/modules/$kver/$m.ko" ;;
        *) cp "$ko" "$root/lib/modules/$kver/$m.ko" ;;
    esac
done
for f in "${insmods[@]}"; do
    [ -f "$root/biosx/$f" ] || die "--insmod: '$f' is not in --files"
done

# The initramfs is unpacked into the guest's RAM (256 MiB): debug sections
# (a debug build of biosx and libbiosx.so.1 carry ~100 MB) stay on the host.
strip_debug() { strip --strip-debug "$1" 2>/dev/null || true; }
# Dynamically linked programs need their ELF interpreter and libraries, at the same paths.
# A library of a build tree under /tmp (libbiosx.so.1 through a RUNPATH) would be hidden by
# the tmpfs the guest mounts on /tmp: it also goes to the loader's default directory.
copy_libs() {
    local elf=$1 lib
    # ldd fails for static programs: nothing to copy then.
    { ldd "$elf" 2>/dev/null || true; } | awk '/=> \//{print $3} /^[ \t]*\//{print $1}' | while read -r lib; do
        [ -e "$root$lib" ] || { mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; strip_debug "$root$lib"; }
        case $lib in
            /tmp/*)
                mkdir -p "$root/lib/x86_64-linux-gnu"
                [ -e "$root/lib/x86_64-linux-gnu/${lib##*/}" ] || cp "$root$lib" "$root/lib/x86_64-linux-gnu/"
                ;;
        esac
    done
}
if [ -n "$files" ]; then
    while IFS= read -r -d '' f; do
        [ "$(head -c4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
        case $f in *.ko) continue ;; esac
        strip_debug "$f"
        copy_libs "$f"
    done < <(find "$root/biosx" -type f -print0)
fi

{
    echo "HARNESS_GUEST_TIMEOUT=$guest_timeout"
    echo "HARNESS_KVER=$kver"
    echo "HARNESS_CPU=$cpu"
    printf 'HARNESS_HOST_MODULES="%s"\n' "${host_modules[*]}"
    printf 'HARNESS_INSMOD="%s"\n' "${insmods[*]}"
} > "$root/harness/config"

(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) |
    gzip -6 > "$build/iso/boot/initrd.gz"

# --- bootable ISO ------------------------------------------------------------------------------
cp "$vmlinuz" "$build/iso/boot/vmlinuz"
cp "$isolinux_bin" "$ldlinux" "$build/iso/isolinux/"
# quiet keeps the console short; the full kernel log still reaches dmesg.txt through the init.
# tsc_early_khz: Bochs' TSC counts at --ips, but models with CPUID leaf 0x15 (corei7_skylake_x,
# corei3_cnl) announce 3500/2200 MHz and the kernel would believe it: guest time would run many
# times too slow (sleep, the watchdog, printk times). The true rate is ips/1000 kHz.
cat > "$build/iso/isolinux/isolinux.cfg" <<EOF
SERIAL 0 115200
DEFAULT guest
PROMPT 0
TIMEOUT 0
LABEL guest
  KERNEL /boot/vmlinuz
  APPEND initrd=/boot/initrd.gz console=ttyS0,115200 tsc_early_khz=$((ips / 1000)) $quiet $append
EOF
xorriso -as mkisofs -quiet -o "$build/boot.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
    -no-emul-boot -boot-load-size 4 -boot-info-table "$build/iso" 2>"$build/xorriso.log" ||
    { cat "$build/xorriso.log" >&2; die "xorriso failed"; }

# --- Bochs --------------------------------------------------------------------------------------
# No person, no display: term display inside script(1) (there is no nogui library in Debian's build),
# the debugger's prompt answered by an rc file holding "c", the guest console in a file.
cat > "$build/bochsrc" <<EOF
megs: $megs
romimage: file=$bios
vgaromimage: file=$vgabios
vga: extension=vbe, ddc=builtin
cpu: model=$cpu, count=$smp, ips=$ips, reset_on_triple_fault=0
clock: sync=none, time0=local
ata0-master: type=cdrom, path=$build/boot.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$out/serial.log
display_library: term
mouse: enabled=0
plugin_ctrl: parallel=0, speaker=0, gameport=0, iodebug=0, e1000=0, ne2k=0, sb16=0, es1370=0, usb_uhci=0, usb_ohci=0, usb_ehci=0, usb_xhci=0
log: $out/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
EOF
echo c > "$build/dbg.rc"
: > "$out/serial.log"

start=$(date +%s)
booted_at=
# Bochs' term display needs a terminal: pty-run.py gives it a pty and drains
# it until Bochs exits. (script(1) with no input sometimes stopped reading
# the pty; Bochs then blocked for good writing its screen and the guest's
# time stood still: the "silent stalls".)
(cd "$build" && exec setsid python3 "$here/pty-run.py" bochs -q -f bochsrc -rc dbg.rc </dev/null >"$build/bochs.stdout" 2>&1) &
pid=$!
# The serial log with the host's seconds since start on each line: shows where boot time goes.
{ tail -n +1 -F "$out/serial.log" 2>/dev/null & echo $! > "$build/tail.pid"; wait; } | while IFS= read -r line; do
    printf '%4d %s\n' $(( $(date +%s) - start )) "${line%$'\r'}"
done > "$out/serial-timed.log" &
tailer=$!
why=
stop_bochs() { kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; sleep 1; kill -KILL -- "-$pid" 2>/dev/null || true; }
trap 'stop_bochs; kill "$(cat "$build/tail.pid")" 2>/dev/null; exit 130' INT TERM HUP
poweroff_seen=
last_size=0 last_growth=$start
while kill -0 "$pid" 2>/dev/null; do
    now=$(date +%s)
    size=$(stat -c %s "$out/serial.log" 2>/dev/null || echo 0)
    if [ "$size" != "$last_size" ]; then last_size=$size last_growth=$now; fi
    if [ -n "$booted_at" ] && [ "$stall" -gt 0 ] && [ $((now - last_growth)) -ge "$stall" ]; then
        why="guest stalled: no console output for ${stall}s (machine hung?)"; stop_bochs; break
    fi
    if [ -z "$booted_at" ] && grep -q '^HARNESS BOOTED' "$out/serial.log" 2>/dev/null; then
        booted_at=$now
    fi
    if [ $((now - start)) -ge "$timeout" ]; then
        why="host timeout: no power-off after ${timeout}s"; stop_bochs; break
    fi
    if grep -q 'Kernel panic - not syncing' "$out/serial.log" 2>/dev/null; then
        sleep 2; why="kernel panic"; stop_bochs; break
    fi
    # poweroff -f ends Bochs through ACPI; do not wait forever if it does not.
    if grep -q '^HARNESS POWEROFF' "$out/serial.log" 2>/dev/null; then
        poweroff_seen=${poweroff_seen:-$now}
        [ $((now - poweroff_seen)) -lt 20 ] || { stop_bochs; break; }
    fi
    sleep 1
done
wait "$pid" 2>/dev/null || true
sleep 1; kill "$(cat "$build/tail.pid")" 2>/dev/null || true; wait "$tailer" 2>/dev/null || true
trap - INT TERM
end=$(date +%s)

# --- verdict ------------------------------------------------------------------------------------
tr -d '\r' < "$out/serial.log" > "$build/serial.clean"
grep -E '^VERDICT (PASS|FAIL|SKIP|END)' "$build/serial.clean" > "$out/verdicts.txt" || true
sed -n '/^HARNESS DMESG BEGIN/,/^HARNESS DMESG END/p' "$build/serial.clean" | sed '1d;$d' > "$out/dmesg.txt"
{
    echo "cpu $cpu"
    echo "ips $ips"
    echo "megs $megs"
    echo "smp $smp"
    echo "wall_seconds $((end - start))"
    echo "boot_seconds ${booted_at:+$((booted_at - start))}"
    echo "guest_uptime_at_init $(sed -n 's/^HARNESS BOOTED uptime=\([0-9.]*\).*/\1/p' "$build/serial.clean" | head -n1)"
    # guest-side section times a script printed as "TIMING name seconds"
    grep -E '^TIMING [A-Za-z0-9_.-]+ [0-9.]+$' "$build/serial.clean" | sed 's/^TIMING /guest_seconds_/' || true
} > "$out/timing.txt"

status=0
reasons=()
bad_kernel='Oops|BUG:|WARNING:|general protection|Call Trace'
if [ -n "$why" ]; then
    status=3; reasons+=("$why")
fi
if ! grep -q '^VERDICT END' "$out/verdicts.txt"; then
    status=3; reasons+=("no 'VERDICT END' in the serial log")
fi
if grep -q '^VERDICT FAIL' "$out/verdicts.txt"; then
    [ $status -ne 0 ] || status=1; reasons+=("$(grep -c '^VERDICT FAIL' "$out/verdicts.txt") FAIL verdict(s)")
fi
if ! grep -q '^HARNESS DMESG END' "$build/serial.clean"; then
    [ $status -ne 0 ] || status=3; reasons+=("no kernel log dump in the serial log")
fi
# The kernel log: the dump the init makes, plus kernel lines printed on the console itself (a
# panic never reaches the dump), from /init on. Before /init nothing of the tests has run; what
# the kernel says there is the CPU model's (corei7_skylake_x: a WARNING "XSAVE consistency
# problem" in fpu__init_system_xstate, Bochs' CPUID leaf 0xD sizes); boot_kernel_splats counts it.
# Into files first: grep -q on a pipe ends the writer with SIGPIPE, and under pipefail that made
# this check a silent no-op on logs bigger than a pipe buffer.
if grep -q 'Run /init as init process' "$out/dmesg.txt"; then
    sed -n '/Run \/init as init process/,$p' "$out/dmesg.txt" > "$build/kernel.log"
    boot_splats=$(sed '/Run \/init as init process/,$d' "$out/dmesg.txt" | grep -cE "$bad_kernel" || true)
else
    cp "$out/dmesg.txt" "$build/kernel.log"
    boot_splats=0
fi
sed -n '/^HARNESS BOOTED/,$p' "$build/serial.clean" | sed '/^HARNESS DMESG BEGIN/,/^HARNESS DMESG END/d' | grep -E '^\[ *[0-9]+\.[0-9]+\]' >> "$build/kernel.log" || true
if grep -Eq "$bad_kernel" "$build/kernel.log"; then
    [ $status -ne 0 ] || status=1
    reasons+=("kernel log has: $(grep -Eo "$bad_kernel" "$build/kernel.log" | sort -u | tr '\n' ' ')")
fi
rc=$(sed -n 's/^HARNESS SCRIPT-EXIT //p' "$build/serial.clean" | head -n1)
if [ -n "$rc" ] && [ "$rc" != 0 ]; then
    [ $status -ne 0 ] || status=1; reasons+=("test script exited $rc")
fi

{
    if [ $status -eq 0 ]; then echo "RESULT PASS"; else echo "RESULT FAIL (exit $status): $(IFS=';'; echo "${reasons[*]}")"; fi
    echo "passed $(grep -c '^VERDICT PASS' "$out/verdicts.txt" || true) failed $(grep -c '^VERDICT FAIL' "$out/verdicts.txt" || true) skipped $(grep -c '^VERDICT SKIP' "$out/verdicts.txt" || true)"
    echo "boot_kernel_splats $boot_splats (lines before /init matching the kernel-log patterns; not counted)"
} > "$out/result.txt"
cat "$out/verdicts.txt"
cat "$out/result.txt"
echo "$(grep wall_seconds "$out/timing.txt"), $(grep boot_seconds "$out/timing.txt") ($cpu x$smp, log: $out/serial.log)"
[ $keep -eq 1 ] || rm -rf "$build"
exit $status
