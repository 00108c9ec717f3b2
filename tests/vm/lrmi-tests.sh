# lrmi-tests.sh - issue 14 (LRMI) in the guest, sourced by module-tests.sh
# after session-tests.sh (it uses own_exits from there): Debian's vbetool
# and get-edid, unmodified, give the same results with Debian's libx86 (run
# as ./vbetool: its libraries were copied from the host) and with biosx's
# libx86.so.1 under `./biosx exec --` on the vmx backend (each strategy the
# CPU has) and the emu backend; on vmx each call of `vbemode get` is one VM
# exit of its own. Busybox sh, in the files directory.
#
# Wiring (run-module-tests.sh), not done here: copy build/compat/libx86.so.1
# to "$files/compat/" (biosx exec finds compat/ beside ./biosx; run-guest.sh
# copies the libbiosx.so.1 its RUNPATH names), this file to "$files/", and
# get-edid (package read-edid) when the host has it; then
#   . "$BIOSX_FILES/lrmi-tests.sh"
# in module-tests.sh after session-tests.sh.

# lrmi_exec WHO PROGRAM ARGS...: PROGRAM with Debian's libx86 (WHO =
# debian) or under biosx exec on WHO = emu, unrestricted or vm86; stdout as
# is, stderr to /tmp/lrmi.err, PROGRAM's exit status.
lrmi_exec() {
    lr_who=$1; shift
    case $lr_who in
        debian) "$@" 2> /tmp/lrmi.err ;;
        emu) $B --backend emu exec -- "$@" 2> /tmp/lrmi.err ;;
        *) $B --backend vmx exec --strategy "$lr_who" -- "$@" 2> /tmp/lrmi.err ;;
    esac
}
# lrmi_say WHO PROGRAM ARGS...: what PROGRAM printed (both streams) and its
# exit status, on one line.
lrmi_say() {
    ls_out=$(lrmi_exec "$@")
    ls_rc=$?
    echo "$ls_out $(cat /tmp/lrmi.err) rc=$ls_rc" | tr '\n' ' '
}
# The VBE mode biosx's own 4F03h reports (BX, decimal).
lrmi_mode() { $B int 0x10 --ax 0x4f03 --json | tr -d ' \n' | sed 's/.*"out":{[^}]*"ebx":\([0-9]*\).*/\1/'; }
lrmi_biosx="$strategies emu"
# Leave text mode 3 behind, through biosx, whatever a failed step left.
lrmi_text() { $B int 0x10 --ax 0x0003 > /dev/null 2>&1; }

if [ ! -x ./vbetool ] || [ ! -f ./compat/libx86.so.1 ]; then
    skip lrmi "vbetool or compat/libx86.so.1 not in the guest files"
else
    # vbemode get, in text mode and in mode 101h (set through biosx).
    for lm in 0x0003 0x4f02:0x101; do
        lrmi_text
        case $lm in *:*) $B int 0x10 --ax "${lm%%:*}" --bx "${lm#*:}" > /dev/null ;; esac
        want=$(lrmi_say debian ./vbetool vbemode get)
        echo "vbetool vbemode get with Debian's libx86 ($lm): $want; biosx's 4F03h: BX=$(lrmi_mode)"
        for who in $lrmi_biosx; do
            check_eq "lrmi-vbemode-get-$lm-$who" "$(lrmi_say "$who" ./vbetool vbemode get)" "$want"
        done
    done

    # vbemode set 257 and vgamode set 3 by each: the same output and exit
    # status, and the same mode afterwards by biosx's own 4F03h.
    for args in "vbemode set 257" "vgamode set 3"; do
        name=$(echo "$args" | tr ' ' -)
        lrmi_text
        # shellcheck disable=SC2086
        want=$(lrmi_say debian ./vbetool $args)
        want_mode=$(lrmi_mode)
        echo "vbetool $args with Debian's libx86: $want; then 4F03h BX=$want_mode"
        for who in $lrmi_biosx; do
            lrmi_text
            # shellcheck disable=SC2086
            check_eq "lrmi-$name-$who" "$(lrmi_say "$who" ./vbetool $args)" "$want"
            check_eq "lrmi-$name-$who-mode" "$(lrmi_mode)" "$want_mode"
        done
    done

    # vbestate save: the same state buffer (4F04h, all states), but for the
    # VGA registers that read differently from one save to the next. In the
    # boots of 2026-12-05 Debian's own save and biosx's differed in turn,
    # either way round, depending on what ran before (two variants of the
    # 960 bytes): so the check is the size, the exit status, and at most two
    # bytes apart, their offsets printed.
    lrmi_text
    lrmi_exec debian ./vbetool vbestate save > /tmp/lrmi-state.debian
    echo "vbetool vbestate save with Debian's libx86: rc $?, $(wc -c < /tmp/lrmi-state.debian) bytes"
    for who in $lrmi_biosx; do
        lrmi_text
        lrmi_exec "$who" ./vbetool vbestate save > "/tmp/lrmi-state.$who"
        lr_rc=$?
        lr_diff=$(cmp -l /tmp/lrmi-state.debian "/tmp/lrmi-state.$who" 2> /dev/null | wc -l)
        echo "vbestate $who: bytes apart from Debian's: $(cmp -l /tmp/lrmi-state.debian "/tmp/lrmi-state.$who" 2>&1 | head -4 | tr '\n' ';')"
        check_eq "lrmi-vbestate-save-$who" "$lr_rc:$(wc -c < "/tmp/lrmi-state.$who"):$([ "$lr_diff" -le 2 ] && echo close)" \
            "0:$(wc -c < /tmp/lrmi-state.debian):close"
    done

    # get-edid (VBE only, -c): the same 128-byte block and exit status.
    if [ -x ./get-edid ]; then
        lrmi_text
        lrmi_exec debian ./get-edid -c > /tmp/lrmi-edid.debian
        want="$?:$(od -An -tx1 /tmp/lrmi-edid.debian | md5sum)"
        echo "get-edid -c with Debian's libx86: $want $(od -An -tx1 /tmp/lrmi-edid.debian | head -1)"
        for who in $lrmi_biosx; do
            lrmi_exec "$who" ./get-edid -c > "/tmp/lrmi-edid.$who"
            check_eq "lrmi-get-edid-$who" "$?:$(od -An -tx1 "/tmp/lrmi-edid.$who" | md5sum)" "$want"
        done
    else
        skip lrmi-get-edid "get-edid (read-edid) not in the guest files"
    fi

    # On vmx one VM exit per call, host interrupts aside: the call log of
    # `vbemode get`, which makes one call (4F03h).
    for who in $strategies; do
        BIOSX_LRMI_LOG=1 $B --backend vmx exec --strategy "$who" -- ./vbetool vbemode get > /dev/null 2> /tmp/lrmi.log
        grep '^{' /tmp/lrmi.log > /tmp/lrmi.calls
        check_eq "lrmi-vbemode-get-$who-one-exit-per-call" "$(wc -l < /tmp/lrmi.calls):$(own_exits /tmp/lrmi.calls)" "1:1"
    done
    lrmi_text
fi
