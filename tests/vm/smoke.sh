# tests/vm/smoke.sh — guest script (busybox sh, in the Bochs guest) proving the harness: the
# kernel came up, /dev/mem reads the BIOS data area, the firmware memory map is visible.
. "$GUEST_LIB"

# BDA 0x410: equipment word (INT 11h result). Bochs' BIOS always reports at least an FPU or
# video mode bits, so a readable, non-empty word is the check; its value goes to the log.
eq=$(read_mem16 0x410)
echo "bda 0x410 equipment word: $eq"
check_match bda-equipment-readable "$eq" '^0x[0-9a-f]{4}$'
# BDA 0x413: base memory size in KiB (INT 12h result); a PC BIOS reports 512..640.
kb=$(read_mem16 0x413)
echo "bda 0x413 base memory KiB: $kb ($((kb)))"
if [ "$((kb))" -ge 512 ] && [ "$((kb))" -le 640 ]; then pass bda-base-memory; else fail bda-base-memory "$((kb)) KiB"; fi

n=0
for e in /sys/firmware/memmap/*; do
    [ -d "$e" ] || continue
    echo "memmap $(basename "$e"): $(cat "$e/start")-$(cat "$e/end") $(cat "$e/type")"
    n=$((n + 1))
done
if [ $n -gt 0 ]; then pass firmware-memmap; else fail firmware-memmap "/sys/firmware/memmap is empty"; fi

if has_vmx; then pass cpu-has-vmx; else skip cpu-has-vmx "CPU model $HARNESS_CPU shows no vmx in /proc/cpuinfo"; fi
echo "cpuinfo: $(grep -m1 'model name' /proc/cpuinfo)"
finish
