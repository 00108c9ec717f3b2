# vbe-tests.sh - issue 16 in the guest, sourced by module-tests.sh (one more
# section of the Intel boots) and by kvm-tests.sh for the kvm backend:
# `biosx vbe modes` gives the same table on every backend over Bochs' VBE
# VGA BIOS, `biosx vbe mode` agrees with vbetool before and after a mode set
# through `biosx vbe mode set`, and `biosx edid` reads the same bytes on
# every backend, checksummed, decoded as edid-decode decodes them. Busybox sh.
# VB_BACKENDS: the backends to compare (default "vmx emu"); VB_TAG: a prefix
# for the check names (kvm-tests.sh: "kvm-").

# vb_body FILE: a --json document without the members that name the backend.
vb_body() { grep -v -E '^  "(backend|source)":' "$1"; }
vb_first=
for vb in ${VB_BACKENDS:-vmx emu}; do
    $B --backend $vb vbe modes --json > /tmp/vb-modes-$vb.json 2> /tmp/vb-err
    check_eq "${VB_TAG:-}vbe-modes-$vb-rc" "$?:$(cat /tmp/vb-err)" "0:"
    $B --backend $vb edid --raw > /tmp/vb-edid-$vb.bin 2> /tmp/vb-err
    check_eq "${VB_TAG:-}edid-$vb-rc" "$?:$(cat /tmp/vb-err)" "0:"
    if [ -z "$vb_first" ]; then
        vb_first=$vb
        vb_listed=$($B --backend $vb vbe --json | sed -n '/"modes": \[/,/\]/p' | grep -c '^ *[0-9]')
        vb_rows=$(grep -c '"mode":' /tmp/vb-modes-$vb.json)
        echo "vbe on $vb: $vb_listed modes listed, $vb_rows rows"
        check_eq "${VB_TAG:-}vbe-modes-$vb-every-listed-mode" "$vb_rows" "$vb_listed"
        check_eq "${VB_TAG:-}vbe-modes-$vb-none-failed" "$(grep -c '"error":' /tmp/vb-modes-$vb.json)" 0
        check_eq "${VB_TAG:-}edid-$vb-128-bytes-a-block" "$(($(wc -c < /tmp/vb-edid-$vb.bin) % 128))" 0
        j=$($B --backend $vb edid --json | tr -d ' \n')
        check_match "${VB_TAG:-}edid-$vb-checksums" "$j" '"checksums_ok":true'
        if [ -x ./edid-decode ]; then
            vb_man=$(echo "$j" | sed 's/.*"manufacturer":"\([A-Z?]*\)".*/\1/')
            check_match "${VB_TAG:-}edid-$vb-as-edid-decode" "$(./edid-decode < /tmp/vb-edid-$vb.bin 2>&1)" "Manufacturer: $vb_man"
        fi
    else
        if [ "$(vb_body /tmp/vb-modes-$vb.json)" = "$(vb_body /tmp/vb-modes-$vb_first.json)" ]; then
            pass "${VB_TAG:-}vbe-modes-$vb-equal-$vb_first"
        else
            fail "${VB_TAG:-}vbe-modes-$vb-equal-$vb_first" "the tables differ"
        fi
        check_ok "${VB_TAG:-}edid-$vb-equal-$vb_first" cmp /tmp/vb-edid-$vb.bin /tmp/vb-edid-$vb_first.bin
    fi
    # The current mode as vbetool reads it (decimal), before and after a
    # mode set through `biosx vbe mode set`; then text mode again.
    if [ -x ./vbetool ]; then
        vb_cur=$($B --backend $vb vbe mode --json | tr -d ' \n' | sed 's/.*"current":{[^}]*"mode":\([0-9]*\).*/\1/')
        check_eq "${VB_TAG:-}vbe-mode-$vb-as-vbetool" "$vb_cur" "$(./vbetool vbemode get 2>&1 | head -1)"
        $B --backend $vb vbe mode set 0x101 > /dev/null
        check_eq "${VB_TAG:-}vbe-mode-set-$vb-as-vbetool" "$(./vbetool vbemode get 2>&1 | head -1)" 257
        $B --backend $vb int 0x10 --ax 0x0003 > /dev/null
    fi
done
