#!/bin/sh
# uvesafb-qemu.sh BUILD_DIR [OUTDIR] - uvesafb-tests.sh on the emulation
# backend in a QEMU (TCG) guest booting this host's Debian kernel, with
# SeaBIOS and QEMU's std VGA (SeaVGABIOS, VBE 3.0): a quick look at
# biosx-v86d against the real uvesafb without a Bochs boot (about 15 s; no
# VMX there, so the vmx strategies stay with the Bochs boots of
# run-module-tests.sh). Not a CTest: run by hand. Prints the guest's
# verdicts and keeps the helper's whole log in OUTDIR/helper.log; exits 1
# on any FAIL, 77 when QEMU, busybox-static or a readable kernel is
# missing (Debian's /boot/vmlinuz-* is root's). Host side.
set -eu
build=$(cd "${1:?usage: uvesafb-qemu.sh BUILD_DIR [OUTDIR]}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
out=${2:-$build/uvesafb-qemu}
kver=$(ls /lib/modules | sort -V | tail -n 1)
kernel=/boot/vmlinuz-$kver
ko=$(find "/lib/modules/$kver/kernel/drivers/video/fbdev" -name 'uvesafb.ko*' | head -n 1)
for need in qemu-system-x86_64 cpio gzip; do
    command -v $need > /dev/null || { echo "SKIP: $need not found"; exit 77; }
done
[ -r "$kernel" ] && [ -n "$ko" ] || { echo "SKIP: no readable $kernel or uvesafb.ko for $kver"; exit 77; }
[ -x /bin/busybox ] && ! ldd /bin/busybox > /dev/null 2>&1 || { echo "SKIP: no static /bin/busybox (busybox-static)"; exit 77; }

rm -rf "$out"
root=$out/root
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/biosx"
cp /bin/busybox "$root/bin/"
cp "$build/biosx" "$build/biosx-v86d" "$here/uvesafb-tests.sh" "$here/guest-lib.sh" "$root/biosx/"
case $ko in
    *.xz) xz -dc "$ko" > "$root/biosx/uvesafb.ko" ;;
    *) cp "$ko" "$root/biosx/uvesafb.ko" ;;
esac
for elf in "$root/biosx/biosx" "$root/biosx/biosx-v86d"; do
    strip --strip-debug "$elf"
    ldd "$elf" | awk '/=> \//{print $3} /^[ \t]*\//{print $1}' | while read -r lib; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
done
cat > "$root/init" << 'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
exec < /dev/console > /dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
cd /biosx
. ./guest-lib.sh
B=./biosx
strategies=
. ./uvesafb-tests.sh
echo "KERNEL LOG"
dmesg | tail -n 30
echo "HELPER LOG BEGIN"
cat /tmp/v86d-emu.log
echo "HELPER LOG END"
echo "VERDICT END"
sleep 1
poweroff -f
INIT
chmod 0755 "$root/init"
(cd "$root" && find . | cpio -o -H newc 2> /dev/null | gzip -1) > "$out/initrd.gz"
t0=$(date +%s)
timeout 300 qemu-system-x86_64 -machine pc -accel tcg -cpu qemu64 -m 256M -vga std -display none \
    -nographic -no-reboot -monitor none -serial "file:$out/serial.log" -kernel "$kernel" \
    -initrd "$out/initrd.gz" -append "console=ttyS0 panic=-1 quiet" > "$out/qemu.out" 2>&1 || true
tr -d '\r' < "$out/serial.log" | sed -n '/HELPER LOG BEGIN/,/HELPER LOG END/p' | sed '1d;$d' > "$out/helper.log"
tr -d '\r' < "$out/serial.log" | sed '/HELPER LOG BEGIN/,/HELPER LOG END/d' |
    grep -E 'VERDICT|uvesafb|4F03h|tasks logged'
echo "the helper's log: $out/helper.log ($(grep -c ' task ' "$out/helper.log") tasks); the first and the last lines:"
head -n 2 "$out/helper.log"
tail -n 1 "$out/helper.log"
echo "wall $(($(date +%s) - t0)) s"
grep -q 'VERDICT END' "$out/serial.log" || { echo "FAIL: the guest did not finish"; exit 1; }
! grep -q 'VERDICT FAIL' "$out/serial.log"
