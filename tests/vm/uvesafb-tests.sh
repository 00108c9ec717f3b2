# uvesafb-tests.sh - issue 14 in the guest, sourced by module-tests.sh (a
# section of the existing boots, no boot of its own): Debian's uvesafb.ko
# loaded with biosx-v86d as its v86d helper, once per vmx strategy and once
# on the emulation backend. uvesafb starts the helper itself; /dev/fb0 must
# come up in the mode asked for (640x480, 8 bpp: the term display of these
# boots shows no deeper mode), sysfs and fbset report it, pixels written to
# the framebuffer read back, the VBE current mode (4F03h) through biosx is
# that mode by 4F01h, every task is in the helper's log (--log FILE: the
# kernel log would rate-limit ~100 lines), and unloading uvesafb (TF_EXIT)
# ends the helper. The mode is set while the framebuffer console holds
# fb0 (fbcon's open runs set_par); its last release puts the adapter back in
# text mode (uvesafb_release(): AX=0003h, then the state saved at the first
# open), so the checks run before fbcon lets go. Busybox sh; needs
# uvesafb.ko and biosx-v86d in the files directory (run-module-tests.sh).

# u16_at FILE OFFSET: the little-endian word at OFFSET of FILE, decimal.
u16_at() { dd if="$1" bs=1 skip=$(($2)) count=2 2> /dev/null | hexdump -e '1/2 "%u"'; }
u8_at() { dd if="$1" bs=1 skip=$(($2)) count=1 2> /dev/null | hexdump -e '1/1 "%u"'; }
# helper_pid: the running biosx-v86d, if any.
helper_pid() { pidof biosx-v86d 2> /dev/null || true; }
# fbcon_unbind: release fb0 from the framebuffer console, which holds
# uvesafb.ko (rmmod would be refused).
fbcon_unbind() {
    for vc in /sys/class/vtconsole/vtcon*; do
        grep -q 'frame buffer' "$vc/name" 2> /dev/null && echo 0 > "$vc/bind" 2> /dev/null
    done
}

# What loading, using and unloading uvesafb puts in the kernel log: the
# driver's own lines and the console's move to fb0 and back (an ERE for
# module-tests.sh's dmesg_clean to leave out when it runs after this).
UVESAFB_KLOG='uvesafb|fbcon|Console: switching|frame buffer device'

if [ ! -f ./uvesafb.ko ] || [ ! -x ./biosx-v86d ]; then
    skip uvesafb "uvesafb.ko or biosx-v86d not in the files directory"
else
    for s in $strategies emu; do
        # The kernel starts the helper with no arguments: a wrapper gives them.
        w=/tmp/v86d-$s
        hl=/tmp/v86d-$s.log
        if [ "$s" = emu ]; then
            printf '#!/bin/sh\nexec %s/biosx-v86d --log %s --backend emu\n' "$PWD" "$hl" > "$w"
        else
            printf '#!/bin/sh\nexec %s/biosx-v86d --log %s --backend vmx --strategy %s\n' "$PWD" "$hl" "$s" > "$w"
        fi
        chmod 0755 "$w"
        kl=$(dmesg | wc -l)
        t0=$(cut -d' ' -f1 /proc/uptime)
        if ! insmod ./uvesafb.ko v86d="$w" mode_option=640x480-8 2> /tmp/uvesafb.err; then
            fail "uvesafb-$s-insmod" "$(cat /tmp/uvesafb.err; dmesg | tail -n +$((kl + 1)) | grep -i uvesafb | tail -5)"
            continue
        fi
        pass "uvesafb-$s-insmod"
        t1=$(cut -d' ' -f1 /proc/uptime)
        echo "uvesafb with biosx-v86d on $s: loaded in $t0 .. $t1 s (uptime)"
        dmesg | tail -n +$((kl + 1)) | grep -E 'uvesafb|fb0' | head -8
        head -3 "$hl" | cut -c1-400
        ntasks=$(grep -c 'biosx-v86d: task ' "$hl")
        echo "tasks logged: $ntasks"
        check_ok "uvesafb-$s-fb0" test -c /dev/fb0
        check_eq "uvesafb-$s-virtual-size" "$(cat /sys/class/graphics/fb0/virtual_size 2> /dev/null)" "640,480"
        check_eq "uvesafb-$s-bpp" "$(cat /sys/class/graphics/fb0/bits_per_pixel 2> /dev/null)" 8
        if command -v fbset > /dev/null; then
            check_match "uvesafb-$s-fbset" "$(fbset -fb /dev/fb0 2>&1)" "geometry 640 480 640 480 8"
        fi
        check_match "uvesafb-$s-helper-running" "$(helper_pid)" "^[0-9]+"
        # The log holds every task with its registers; the first is 4F00h.
        # VBE defines AX only: Bochs' VGA BIOS leaves 0800h in EAX's high
        # word after 4F00h (out eax=0800004f in the 2026-12-05 boot).
        check_match "uvesafb-$s-log-vbeib" "$(grep -m1 'biosx-v86d: task ' "$hl")" \
            "flags=VBEIB buf_len=1024 at [0-9a-f]{4}:0000: in eax=00004f00 .* out eax=[0-9a-f]{4}004f"
        check_match "uvesafb-$s-log-4f02" "$(grep 'in eax=00004f02' "$hl" | head -1)" "out eax=[0-9a-f]{4}004f"
        check_match "uvesafb-$s-log-count" "$ntasks" "^[1-9][0-9]+$"
        check_eq "uvesafb-$s-log-failures" "$(grep 'biosx-v86d: task ' "$hl" | grep -vc 'return_trap')" 0

        # The mode the adapter is in, asked through biosx on the same
        # backend: BX bits 0-8 (bit 11, the CRTC flag of 4F02h, may be kept).
        b=vmx
        [ "$s" = emu ] && b=emu
        j=$($B --backend $b int 0x10 --ax 0x4f03 --json | tr -d ' \n')
        m=$(($(echo "$j" | sed 's/.*"out":{[^}]*"ebx":\([0-9]*\).*/\1/') & 0x1ff))
        $B --backend $b int 0x10 --ax 0x4f01 --cx $m --es 0x2000 --di 0 --read-to /tmp/mode.info \
            --read 2000:0000:256 > /dev/null
        echo "4F03h through biosx on $b: mode $(printf '0x%03x' $m)"
        check_eq "uvesafb-$s-vbe-mode" \
            "$(u16_at /tmp/mode.info 0x12)x$(u16_at /tmp/mode.info 0x14)x$(u8_at /tmp/mode.info 0x19)" 640x480x8

        # Pixels: 40 rows of a pattern at row 400 (below anything the
        # console draws), read back. The pattern is bytes of the helper
        # itself: /dev/urandom could log "crng init done" in the middle.
        dd if=./biosx-v86d of=/tmp/fb.pat bs=640 skip=100 count=40 2> /dev/null
        dd if=/tmp/fb.pat of=/dev/fb0 bs=640 seek=400 count=40 conv=notrunc 2> /dev/null
        dd if=/dev/fb0 of=/tmp/fb.back bs=640 skip=400 count=40 2> /dev/null
        check_eq "uvesafb-$s-pixels" "$(md5sum < /tmp/fb.back | cut -d' ' -f1)" "$(md5sum < /tmp/fb.pat | cut -d' ' -f1)"

        fbcon_unbind
        # Unloading sends TF_EXIT: the helper leaves.
        check_ok "uvesafb-$s-rmmod" rmmod uvesafb
        n=0
        while [ -n "$(helper_pid)" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
        check_eq "uvesafb-$s-helper-exits" "$(helper_pid)" ""
        check_match "uvesafb-$s-log-exit" "$(tail -n 1 "$hl")" "TF_EXIT"
        # No failure, warning or oops in the kernel log since insmod (other
        # lines may come from elsewhere: the TSC's late calibration...).
        check_eq "uvesafb-$s-kernel-log" \
            "$(dmesg | tail -n +$((kl + 1)) | grep -Ei 'fail|error|warn|bug|call trace|timed out')" ""
        $B --backend $b int 0x10 --ax 0x0003 > /dev/null
    done
fi
