# tests/vm/caps-guest.sh — guest script (busybox sh, in the Bochs guest): dumps the CPU identity and
# the VMX capability MSRs with /biosx/msrdump between markers, for cpu-caps.sh to cut out.
. "$GUEST_LIB"
echo "MSRDUMP BEGIN"
./msrdump "$HARNESS_CPU"
rc=$?
echo "MSRDUMP END"
check_eq msrdump-ran "$rc" 0
finish
