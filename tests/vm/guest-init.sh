#!/bin/busybox sh
# tests/vm/guest-init.sh — /init of the test initramfs; runs as PID 1 in the Bochs guest (busybox sh).
# Mounts the pseudo filesystems, loads the requested modules, runs /harness/test.sh under a
# watchdog, dumps the kernel log between markers and powers off — whatever the script does.
# It must never exit: PID 1 exiting panics the kernel.

/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t devtmpfs devtmpfs /dev
# The initramfs has no /dev/console node, so the kernel could not give us stdio: take it now.
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /tmp
mount -t tmpfs tmpfs /tmp
# /dev/mem: devtmpfs creates it; make sure (CONFIG_STRICT_DEVMEM still limits it to the first MiB
# and non-RAM ranges, which is what the BIOS tests read).
[ -c /dev/mem ] || mknod -m 600 /dev/mem c 1 1

. /harness/config
export GUEST_LIB=/harness/guest-lib.sh BIOSX_FILES=/biosx HARNESS_CPU HARNESS_KVER
echo "HARNESS BOOTED uptime=$(cut -d' ' -f1 /proc/uptime) cpu=$HARNESS_CPU kernel=$(uname -r)"

# Wait until the UART has sent everything queued: poweroff -f does not drain the tty, and the
# transmit counter of ttyS0 stops moving only when its buffer is empty (115200 baud ~ 11 KiB per
# guest second).
drain_console() {
    last=-1 n=0
    while [ $n -lt 600 ]; do
        tx=$(sed -n 's/^0:.* tx:\([0-9]*\).*/\1/p' /proc/tty/driver/serial 2>/dev/null)
        [ -n "$tx" ] && [ "$tx" = "$last" ] && return
        last=$tx n=$((n + 1))
        sleep 0.2
    done
}

dump_and_poweroff() {
    echo "HARNESS DMESG BEGIN"
    # busybox dmesg reads only 16 KiB unless told the size of the ring buffer.
    dmesg -s 1048576
    echo "HARNESS DMESG END"
    echo "HARNESS POWEROFF"
    drain_console
    sync
    poweroff -f
    # poweroff -f should not return; if it does, keep PID 1 alive for the host-side timeout.
    while :; do sleep 3600; done
}

# Guest-side watchdog: a hung test still yields a verdict, a kernel log and a power-off.
(
    sleep "$HARNESS_GUEST_TIMEOUT"
    echo "VERDICT FAIL guest-timeout: test script still running after ${HARNESS_GUEST_TIMEOUT}s (guest time)"
    echo "VERDICT END"
    dump_and_poweroff
) &
watchdog=$!

for m in $HARNESS_HOST_MODULES; do
    insmod "/lib/modules/$HARNESS_KVER/$m.ko" || echo "VERDICT FAIL insmod-$m: insmod of the guest kernel's $m.ko failed"
done
for f in $HARNESS_INSMOD; do
    insmod "/biosx/$f" || echo "VERDICT FAIL insmod-$f: insmod /biosx/$f failed"
done

cd /biosx
sh /harness/test.sh
echo "HARNESS SCRIPT-EXIT $?"
kill "$watchdog" 2>/dev/null
dump_and_poweroff
