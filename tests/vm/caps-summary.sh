#!/bin/bash
# tests/vm/caps-summary.sh — runs on the host: one Markdown table row per cpu-models/*.msr file,
# decoding only what the VM tests need to choose models (SDM Vol. 3D Appendix A):
# VMX = CPUID.1:ECX[5]; secondary controls = PROCBASED_CTLS (0x482) allowed-1 bit 31;
# EPT / VPID / unrestricted guest = PROCBASED_CTLS2 (0x48b) allowed-1 bits 1 / 5 / 7;
# preemption timer = PINBASED_CTLS (0x481) allowed-1 bit 6. Allowed-1 = the MSR's high dword.
# usage: caps-summary.sh [FILE.msr...]   (default: tests/vm/cpu-models/*.msr)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- "$here"/cpu-models/*.msr
yn() { if [ "$1" -ne 0 ]; then echo yes; else echo no; fi; }
echo "| model | VMX | secondary ctls | EPT | VPID | unrestricted guest | preemption timer | IA32_FEATURE_CONTROL |"
echo "|---|---|---|---|---|---|---|---|"
for f in "$@"; do
    model=$(sed -n 's/^cpu-model //p' "$f")
    ecx=$(sed -n 's/^cpuid1.ecx //p' "$f")
    msr() { sed -n "s/^msr $1 //p" "$f"; }
    vmx=$(( (ecx >> 5) & 1 ))
    if [ $vmx -eq 0 ] || [ -z "$(msr 0x480)" ]; then
        echo "| $model | no | - | - | - | - | - | $(msr 0x03a) |"; continue
    fi
    pin1=$(( ($(msr 0x481) >> 32) & 0xffffffff ))
    proc1=$(( ($(msr 0x482) >> 32) & 0xffffffff ))
    sec=$(( (proc1 >> 31) & 1 ))
    sec1=0
    [ $sec -eq 0 ] || [ -z "$(msr 0x48b)" ] || sec1=$(( ($(msr 0x48b) >> 32) & 0xffffffff ))
    echo "| $model | yes | $(yn $sec) | $(yn $(( (sec1 >> 1) & 1 ))) | $(yn $(( (sec1 >> 5) & 1 ))) | $(yn $(( (sec1 >> 7) & 1 ))) | $(yn $(( (pin1 >> 6) & 1 ))) | $(msr 0x03a) |"
done
