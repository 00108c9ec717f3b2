# lockdown-tests.sh - the guest booted with lockdown=integrity (Bochs,
# tests/vm/run-module-tests.sh): the kernel refuses the unsigned biosx.ko,
# and biosx says in one line why neither the module nor /dev/mem can serve.
. "$GUEST_LIB"
B=./biosx

[ -r /sys/kernel/security/lockdown ] || { mkdir -p /sys/kernel/security; mount -t securityfs none /sys/kernel/security; }
echo "lockdown: $(cat /sys/kernel/security/lockdown)"
check_match lockdown-active "$(cat /sys/kernel/security/lockdown)" "\[integrity\]"
if insmod ./biosx.ko 2> /tmp/insmod.err; then
    fail insmod-refused "biosx.ko loaded under lockdown=integrity"
else
    pass insmod-refused
fi
cat /tmp/insmod.err
$B --backend vmx int 0x11 > /tmp/o 2> /tmp/e
check_eq vmx-rc "$?" 3
check_eq vmx-one-line "$(wc -l < /tmp/e)" 1
check_match vmx-says-lockdown "$(cat /tmp/e)" "lockdown \(integrity\)"
cat /tmp/e
$B --backend emu int 0x11 > /tmp/o 2> /tmp/e
check_eq devmem-rc "$?" 3
check_match devmem-says-lockdown "$(cat /tmp/e)" "lockdown \(integrity\)"
cat /tmp/e
finish
