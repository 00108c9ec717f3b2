# session-tests.sh - issue 13 in the guest, sourced by module-tests.sh (one
# more section of the existing boots, no boot of its own): a mode set
# through biosx is the machine's. With the adapter's own registers as
# witness (VGA graphics controller register 6, bit 0: graphics, read
# through /dev/port), INT 10h AH=00h through each backend is reported by
# AH=0Fh in the same session (`biosx batch`), by the next biosx process on
# either backend, and by the real BDA (0x449, through /dev/mem): the
# session wrote its BDA changes back to the machine. Busybox sh.


# session_mode BACKEND MODE: set MODE and ask for it in one session; the
# witness, the real BDA and a new process on each backend must agree.
session_mode() {
    sm_b=$1 sm_m=$2
    printf '{"int":"0x10","regs":{"ax":"%s"}}\n{"int":"0x10","regs":{"ax":"0x0f00"}}\n' "$sm_m" |
        $B --backend "$sm_b" batch > /tmp/session.out 2> /tmp/session.err
    echo "batch on $sm_b, mode $sm_m: rc $? $(cat /tmp/session.err)"
    check_eq "session-$sm_b-$sm_m-same-session" "$(mode_of "$(sed -n 2p /tmp/session.out)")" "$sm_m"
    check_eq "session-$sm_b-$sm_m-adapter" "$(vga_graphics)" "$([ "$sm_m" = 0x03 ] && echo 0 || echo 1)"
    check_eq "session-$sm_b-$sm_m-real-bda" "$(bda_mode)" "$sm_m"
    for sm_next in vmx emu; do
        j=$($B --backend $sm_next int 0x10 --ax 0x0f00 --json | tr -d ' \n')
        check_eq "session-$sm_b-$sm_m-next-$sm_next" "$(mode_of "$j")" "$sm_m"
    done
}

echo "adapter before: graphics=$(vga_graphics), BDA mode $(bda_mode)"
session_mode vmx 0x13
session_mode vmx 0x03
session_mode emu 0x13
session_mode emu 0x03

# VBE 4F02h (issue 13): mode 101h (640x480, 8 bpp: the term display of
# these boots cannot show deeper modes) set through each backend in one
# session, read back there by 4F03h, by the next process on the other
# backend, by Debian's vbetool (libx86: the real BDA and adapter) and by the
# adapter's own graphics bit; then text mode again through biosx, and the
# other way round: a mode vbetool sets is the mode biosx reports.
for vb in vmx emu; do
    vo=$([ $vb = vmx ] && echo emu || echo vmx)
    printf '{"int":"0x10","regs":{"ax":"0x4f02","bx":"0x101"}}\n{"int":"0x10","regs":{"ax":"0x4f03"}}\n' |
        $B --backend $vb batch > /tmp/vbe.out 2> /tmp/vbe.err
    check_eq "vbe-$vb-4f02-ok" "$(sed -n 1p /tmp/vbe.out | sed 's/.*"out":{[^}]*"eax":\([0-9]*\).*/\1/')" $((0x004f))
    check_eq "vbe-$vb-same-session" "$(vbe_mode_of "$(sed -n 2p /tmp/vbe.out)")" 0x101
    check_eq "vbe-$vb-adapter" "$(vga_graphics)" 1
    check_eq "vbe-$vb-next-$vo" "$(vbe_mode_of "$($B --backend $vo int 0x10 --ax 0x4f03 --json | tr -d ' \n')")" 0x101
    # vbetool (libx86: its own emulator over the real BDA and ports) asks
    # the adapter: the VBE interface's ports 0x1CE-0x1D0 pass, so the mode
    # biosx set is the adapter's (it read 5Fh while they were virtual).
    # vbetool prints the number in decimal.
    if [ -x ./vbetool ]; then
        check_eq "vbe-$vb-vbetool" "$(./vbetool vbemode get 2>&1 | head -1)" 257
    fi
    $B --backend $vb int 0x10 --ax 0x0003 > /dev/null
    check_eq "vbe-$vb-text-again" "$(vga_graphics):$(bda_mode)" "0:0x03"
done
if [ -x ./vbetool ]; then
    ./vbetool vbemode set 257 > /dev/null 2>&1
    for vb in vmx emu; do
        check_eq "vbe-vbetool-set-seen-by-$vb" "$(vbe_mode_of "$($B --backend $vb int 0x10 --ax 0x4f03 --json | tr -d ' \n')")" 0x101
    done
    ./vbetool vgamode set 3 > /dev/null 2>&1
    check_eq "vbe-vbetool-text-seen-by-biosx" "$(mode_of "$($B int 0x10 --ax 0x0f00 --json | tr -d ' \n')")" 0x03
fi

# The VGA window is the machine's on every backend over the host (issue 13;
# the module maps physical 0xA0000-0xBFFFF into the guest for the run,
# BIOSX_RUN_HOST_VGA): a character the VGA BIOS writes in text mode (INT 10h
# AH=09h at the cursor, set to row 0 column 0 by AH=02h in the process
# before; the BDA write-back carries it) is in the adapter's memory at
# 0xB8000 as read through /dev/mem, and in the caller's --read of b800:0000.
vga_char=0x55
for s in $strategies emu; do
    printf ' \007' | dd of=/dev/mem bs=1 seek=$((0xb8000)) conv=notrunc 2> /dev/null
    run_on $s int 0x10 --ah 0x02 --bh 0 --dx 0 > /dev/null
    j=$(run_on $s int 0x10 --ax $((0x0900 | vga_char)) --bx 0x001e --cx 1 --read b800:0000:2 --json)
    want=$(printf '0x1e%02x' $vga_char)
    check_eq "vga-window-$s-adapter" "$(read_mem16 0xb8000)" "$want"
    check_eq "vga-window-$s-caller" "$(echo "$j" | grep -m1 '"hex":' | sed 's/.*"hex": *"\([0-9a-f]*\)".*/\1/')" \
        "$(printf '%02x1e' $vga_char)"
    vga_char=$((vga_char + 1))
done

# One session on vmx against one process per call: every INT 11h of a
# batch is still one VM exit (checked); the rates are printed as TIMING
# lines (figures for docs/performance.md, not checks).
uptime_cs() { sed 's/^\([0-9]*\)\.\([0-9]*\) .*/\1\2/' /proc/uptime; }
n=500
i=0
while [ $i -lt $n ]; do echo '{"int":"0x11"}'; i=$((i + 1)); done > /tmp/int11.jsonl
t0=$(uptime_cs)
$B --backend vmx batch /tmp/int11.jsonl > /tmp/int11.out
t1=$(uptime_cs)
check_eq session-vmx-batch-answers "$(grep -c '"completed":true' /tmp/int11.out)" $n
# own_exits: per run object, its exits less those the host caused (an
# external interrupt arriving during the call, the preemption timer that
# slices a run): what is left is the call's own, one trap HLT. On vm86
# without a preemption timer (penryn) 8 of 500 calls met a host interrupt.
own_exits() {
    awk 'function num(k) { return match($0, "\"" k "\":[0-9]+") ? substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3) + 0 : 0 }
         { own = num("exits") - num("EXTERNAL_INTERRUPT") - num("PREEMPTION_TIMER"); if (own == 1) ones++
           if (num("EXTERNAL_INTERRUPT") + num("PREEMPTION_TIMER")) hosted++ }
         END { printf "%d\n", ones; printf "%d calls met a host interrupt\n", hosted > "/dev/stderr" }' "$1"
}
check_eq session-vmx-batch-one-exit-each "$(own_exits /tmp/int11.out)" $n
p=20
i=0
t2=$(uptime_cs)
while [ $i -lt $p ]; do $B --backend vmx int 0x11 > /dev/null; i=$((i + 1)); done
t3=$(uptime_cs)
echo "vmx INT 11h: batch of $n in $((t1 - t0))0 ms, $p processes in $((t3 - t2))0 ms"
echo "TIMING session_vmx_batch_500 $(((t1 - t0) / 100)).$(printf '%02d' $(((t1 - t0) % 100)))"
echo "TIMING session_vmx_processes_20 $(((t3 - t2) / 100)).$(printf '%02d' $(((t3 - t2) % 100)))"
