# tests/vm/guest-lib.sh — helpers for guest test scripts; sourced by busybox sh inside the
# Bochs guest (the runner puts it at /harness/guest-lib.sh and exports GUEST_LIB to that path).
#
# Usage in a guest script:
#   . "$GUEST_LIB"
#   check_eq bda-equipment "$(read_mem16 0x410)" 0x0021
#   pass name / fail name "why" / skip name "why"
#   finish            # prints "VERDICT END" and exits 1 if anything failed, else 0
#
# Verdict lines are the contract with run-guest.sh (see tests/vm/README.md):
#   VERDICT PASS name | VERDICT FAIL name: why | VERDICT SKIP name: why | VERDICT END

_gl_failed=0
_gl_count=0

pass() { _gl_count=$((_gl_count + 1)); echo "VERDICT PASS $1"; }
fail() { _gl_count=$((_gl_count + 1)); _gl_failed=$((_gl_failed + 1)); echo "VERDICT FAIL $1: ${2:-no reason given}"; }
skip() { _gl_count=$((_gl_count + 1)); echo "VERDICT SKIP $1: ${2:-no reason given}"; }

# check_eq NAME ACTUAL EXPECTED — string comparison.
check_eq() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', expected '$3'"; fi
}

# check_ok NAME CMD... — passes when CMD exits 0; its output goes to the log either way.
check_ok() {
    _gl_name=$1; shift
    if "$@"; then pass "$_gl_name"; else fail "$_gl_name" "'$*' exited $?"; fi
}

# check_match NAME TEXT PATTERN — passes when TEXT contains the extended regex PATTERN.
check_match() {
    if printf '%s\n' "$2" | grep -Eq -- "$3"; then pass "$1"; else fail "$1" "'$2' does not match /$3/"; fi
}

# read_mem16 ADDR — little-endian 16-bit word from /dev/mem at physical ADDR, as 0xNNNN.
read_mem16() {
    dd if=/dev/mem bs=1 skip=$(($1)) count=2 2>/dev/null | hexdump -e '1/2 "0x%04x"'
}

# read_mem32 ADDR — little-endian 32-bit dword from /dev/mem, as 0xNNNNNNNN.
read_mem32() {
    dd if=/dev/mem bs=1 skip=$(($1)) count=4 2>/dev/null | hexdump -e '1/4 "0x%08x"'
}

# vga_graphics — 1 when the adapter is in a graphics mode, 0 in text (VGA
# graphics controller register 6, bit 0, read through /dev/port).
vga_graphics() {
    printf '\006' | dd of=/dev/port bs=1 seek=$((0x3ce)) count=1 conv=notrunc 2> /dev/null
    echo $(($(dd if=/dev/port bs=1 skip=$((0x3cf)) count=1 2> /dev/null | hexdump -e '1/1 "%u"') & 1))
}
# mode_of JSON-LINE — AL of a biosx.run object on one line, in hex (INT 10h AH=0Fh).
mode_of() { printf '0x%02x' $(($(echo "$1" | sed 's/.*"out":{[^}]*"eax":\([0-9]*\).*/\1/') & 0x7f)); }
# vbe_mode_of JSON-LINE — BX of a run object, the mode number of VBE 4F03h.
vbe_mode_of() { printf '0x%03x' $(($(echo "$1" | sed 's/.*"out":{[^}]*"ebx":\([0-9]*\).*/\1/') & 0x3fff)); }
# bda_mode — the video mode in the real BDA (0x449).
bda_mode() { printf '0x%02x' $(($(read_mem16 0x449) & 0xff)); }

# has_vmx — true when the guest CPU advertises VMX (CPUID.1:ECX bit 5).
has_vmx() { grep -qw vmx /proc/cpuinfo; }

# finish — end the verdict stream. The runner requires this line.
finish() {
    echo "VERDICT END"
    [ "$_gl_failed" -eq 0 ]
    exit $?
}
