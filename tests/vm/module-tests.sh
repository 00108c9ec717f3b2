# module-tests.sh - biosx.ko inside a Linux guest on an emulated Intel CPU
# (Bochs). Runs in the guest under busybox sh (tests/vm/run-guest.sh):
# loads the module, checks biosx's vmx backend against the guest's own view
# of its firmware and against the emulation backend, forces both guest
# strategies where the CPU has them, and feeds it misbehaving routines.
. "$GUEST_LIB"
B=./biosx

# out REG < json: the output register REG of a `--json` run (a JSON number
# since schema biosx.run 2), in decimal.
out() { sed -n '/"out": {/,/}/p' | grep "\"$1\"" | sed 's/.*": *\([0-9][0-9]*\).*/\1/'; }
# field NAME < json: a top-level-ish "NAME": value (first match).
field() { grep -m1 "\"$1\":" | sed 's/.*": *//; s/[",]//g'; }
low16() { printf '0x%04x' $(($1 & 0xffff)); }

echo "cpu model: $HARNESS_CPU"
grep -m1 'model name' /proc/cpuinfo
if ! has_vmx; then
    if insmod ./biosx.ko 2> /tmp/insmod.err; then
        fail insmod-novmx "loaded on a CPU without VMX"
    else
        check_match insmod-novmx "$(cat /tmp/insmod.err; dmesg | grep biosx | tail -1)" "ENODEV|No such device|no VMX"
    fi
    finish
fi

klines=$(dmesg | wc -l)
check_ok insmod insmod ./biosx.ko
check_ok dev-node test -c /dev/biosx
cat /proc/biosx
strategy=$(grep '^strategy' /proc/biosx | cut -d' ' -f2)
echo "module strategy: $strategy"

bda410=$(read_mem16 0x410)
bda413=$(read_mem16 0x413)

# dmesg_clean NAME: nothing but the module's own load line (and the known
# lines of KVM, EBUSY refusals and the leak cycles' drop_caches) in the
# kernel log since insmod.
dmesg_clean() {
    noise=$(dmesg | tail -n +$((klines + 1)) | grep -v 'biosx: VMX revision' | grep -v 'taints kernel' |
        grep -v 'module verification failed' | grep -v 'loading out-of-tree module' |
        grep -v 'biosx: VMX is already in use' | grep -iv 'kvm' | grep -v 'drop_caches' |
        grep -v 'Non-volatile memory driver' | grep -Ev "${UVESAFB_KLOG:-^$}")
    echo "kernel log since insmod:"; echo "$noise"
    check_eq "$1" "$(echo "$noise" | grep -c .)" 0
}

# The SMP boot (CTest vm.module-smp, HARDENING_SECTIONS=smp) runs only the
# SMP checks: everything else ran on one CPU in vm.module.
[ ! -f ./hardening.conf ] || . ./hardening.conf
if [ "${HARDENING_SECTIONS:-}" = smp ]; then
    . "$BIOSX_FILES/hardening-tests.sh"
    dmesg_clean dmesg-clean-smp
    finish
fi

for s in auto unrestricted vm86; do
    if [ "$s" = unrestricted ] && [ "$strategy" != unrestricted ]; then
        $B --backend vmx int 0x11 --strategy unrestricted > /tmp/o 2> /tmp/e
        check_eq force-unrestricted-refused "$?:$(grep -c 'cannot run' /tmp/e)" "3:1"
        continue
    fi
    j=$($B --backend vmx int 0x11 --strategy $s --json 2> /tmp/e)
    rc=$?
    echo "$j" | grep -E '"(strategy|kind|exits|tsc_cycles)"'
    check_eq "int11-$s-rc" "$rc" 0
    check_eq "int11-$s-vs-bda" "$(low16 $(echo "$j" | out eax))" "$bda410"
    check_eq "int11-$s-one-exit" "$(echo "$j" | field exits)" 1
    j=$($B --backend vmx int 0x12 --strategy $s --json)
    check_eq "int12-$s-vs-bda" "$(low16 $(echo "$j" | out eax))" "$bda413"
    check_eq "int12-$s-one-exit" "$(echo "$j" | field exits)" 1
done

# The vmx and emulation backends agree register for register (the emulator
# runs over the guest's /dev/mem; identical start state by construction).
for call in "int 0x11" "int 0x12" "int 0x15 --eax 0xe820 --edx 0x534d4150 --ecx 24 --di 0x7e00" "int 0x15 --ax 0xe801" "int 0x15 --ah 0x88"; do
    v=$($B --backend vmx $call --json --virtual-io | sed -n '/"out": {/,/}/p')
    e=$($B --backend emu $call --json --virtual-io | sed -n '/"out": {/,/}/p')
    name=agree-$(echo "$call" | tr ' ' '_' | cut -c1-24)
    if [ -n "$v" ] && [ "$v" = "$e" ]; then pass "$name"; else fail "$name" "vmx: $(echo $v) emu: $(echo $e)"; fi
done

# The E820 walk through the module equals the kernel's view of the firmware
# map (/sys/firmware/memmap: start, end inclusive, type).
$B --backend vmx memmap --e820 --json > /tmp/e820.json 2> /tmp/e820.err
echo "memmap rc=$? $(cat /tmp/e820.err)"
ours=$(grep -E '"(base_hex|length_hex)":' /tmp/e820.json | sed 's/.*"\(0x[0-9a-f]*\)".*/\1/' | paste - - |
    while read base len; do printf '0x%x-0x%x\n' $((base)) $((base + len - 1)); done | sort)
theirs=$(for d in /sys/firmware/memmap/*; do printf '0x%x-0x%x\n' $(($(cat $d/start))) $(($(cat $d/end))); done | sort)
echo "biosx e820:"; echo "$ours"; echo "kernel memmap:"; echo "$theirs"
if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then pass e820-vs-sysfs; else fail e820-vs-sysfs "ranges differ"; fi

# Misbehaving routines: each ends with its own error, exit code 4.
misbehave() {  # NAME PATTERN HEX [args]
    name=$1 pattern=$2 code=$3
    shift 3
    $B --backend vmx call 2000:0000 --write 2000:0000=$code "$@" > /tmp/o 2> /tmp/e
    rc=$?
    check_eq "$name-rc" "$rc" 4
    check_match "$name-msg" "$(cat /tmp/e)" "$pattern"
}
if grep -q '^preemption_timer yes' /proc/biosx; then
    misbehave endless-loop "time limit" ebfe --timeout 1
    misbehave endless-loop-vm86 "time limit" ebfe --timeout 1 --strategy vm86
fi
# With IF = 1 the loop is also ended by the host-side deadline, checked on
# the exits host interrupts cause. (Without a preemption timer an IF = 0
# loop is not tested: Bochs 2.7 delivers no external-interrupt exit to an
# IF = 0 guest there; see docs/module.md.)
misbehave endless-loop-if1 "time limit" ebfe --timeout 1 --eflags 0x202
misbehave endless-loop-if1-vm86 "time limit" ebfe --timeout 1 --eflags 0x202 --strategy vm86
misbehave ud2 "exception 6" 0f0b
misbehave gp-limit "exception 13|exception 12" 8b06ffff
misbehave hlt-if0 "HLT at 2000:0001" faf4
misbehave hlt-if0-vm86 "HLT at 2000:0001" faf4 --strategy vm86
misbehave div0 "exception 0" 31c9f7f1
# Access outside the guest area: real mode cannot address past 0x10FFEF, so
# the routine enters protected mode (LGDT of a flat 4 GiB data segment at
# 2000:0100, CR0.PE) and reads 0x1000000. Under unrestricted guest the EPT
# maps nothing there (EPT violation with that address); in vm86 LGDT is #GP.
pm_read=fa2e0f011680000f20c06683c8010f22c0b808008ed8678b0500000001
pm_gdt="--write 2000:0080=0f0000010200 --write 2000:0100=0000000000000000ffff00000092cf00"
if [ "$strategy" = unrestricted ]; then
    misbehave outside-guest-area "EPT violation" $pm_read $pm_gdt
    check_match outside-guest-area-address "$(cat /tmp/e)" "0x1000000"
else
    misbehave outside-guest-area-vm86 "exception 13" $pm_read $pm_gdt
fi
misbehave outside-guest-area-forced-vm86 "exception 13" $pm_read $pm_gdt --strategy vm86
# --- Host state a run must not disturb (issue 10) ---------------------------
# MSRs: no kernel address reaches the routine. Under unrestricted guest
# RDMSR exits: IA32_LSTAR (the address of entry_SYSCALL_64), IA32_GS_BASE,
# IA32_KERNEL_GS_BASE and IA32_SYSENTER_EIP read as 0, IA32_TSC (allow-
# listed) reads the real TSC, and each access is in the result. In
# virtual-8086 mode RDMSR at CPL 3 is #GP before any exit (SDM Vol. 2B
# RDMSR): the run ends with exception 13 and nothing is read.
# (mov ecx, MSR; rdmsr; retf - the MSR index little-endian in the code)
msr_run() {  # STRATEGY INDEX-LE
    $B --backend vmx call 2000:0000 --write 2000:0000=66b9${2}0f32cb --json --strategy $1 2> /tmp/e
}
for s in $( [ "$strategy" = unrestricted ] && echo unrestricted) vm86; do
    for msr in LSTAR:820000c0:c0000082 GS_BASE:010100c0:c0000101 KERNEL_GS_BASE:020100c0:c0000102 SYSENTER_EIP:76010000:00000176; do
        name=${msr%%:*}; le=${msr#*:}; le=${le%%:*}; be=${msr##*:}
        j=$(msr_run $s $le)
        if [ $s = vm86 ]; then
            check_match "rdmsr-$name-$s-gp" "$(cat /tmp/e)" "exception 13"
        else
            check_eq "rdmsr-$name-$s-reads-0" "$(echo "$j" | out eax):$(echo "$j" | out edx)" "0:0"
            check_match "rdmsr-$name-$s-logged" "$(echo "$j" | tr -d ' \n')" "\"disposition\":\"virtual\",\"index\":$((0x$be))"
        fi
    done
done
if [ "$strategy" = unrestricted ]; then
    j=$(msr_run unrestricted 10000000)
    check_match rdmsr-tsc-real "$(echo "$j" | out eax)$(echo "$j" | out edx)" "[1-9]"
fi
# MOV DR: the routine has debug registers of its own; a perf hardware
# breakpoint of the host still fires after runs that wrote DR0-DR3/DR7.
check_ok host-breakpoint-survives ./hwbp 20

# Every timeout the CLI accepts ends on time - the longest, 60 s - with
# IF=0 and IF=1, on each strategy this CPU has, all at once on one CPU
# (the module runs in slices): no RCU stall, soft lockup or hung task.
long_loop() {  # NAME STRATEGY EFLAGS
    t0=$(cut -d' ' -f1 /proc/uptime)
    $B --backend vmx call 2000:0000 --write 2000:0000=ebfe --timeout 60 --eflags $3 --strategy $2 > /tmp/long-$1.out 2>&1
    rc=$?
    t1=$(cut -d' ' -f1 /proc/uptime)
    echo "$rc $(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.2f", b - a }')" > /tmp/long-$1.res
}
klong=$(dmesg | wc -l)
longs="vm86-if0:vm86:0x2 vm86-if1:vm86:0x202"
[ "$strategy" = unrestricted ] && longs="$longs real-if0:unrestricted:0x2 real-if1:unrestricted:0x202"
for l in $longs; do
    n=${l%%:*}; rest=${l#*:}
    long_loop "$n" "${rest%%:*}" "${rest#*:}" &
done
wait
for l in $longs; do
    n=${l%%:*}
    read rc secs < /tmp/long-$n.res
    echo "long loop $n: rc=$rc, $secs s: $(cat /tmp/long-$n.out)"
    check_eq "long-loop-$n-rc" "$rc" 4
    check_match "long-loop-$n-on-time" "$secs" "^6[0-2]\."
done
stalls=$(dmesg | tail -n +$((klong + 1)) | grep -iE 'rcu.*stall|soft lockup|hung_task|blocked for more than|BUG|WARNING')
echo "kernel log during the long loops:"; echo "$stalls"
check_eq long-loops-no-stall "$(echo "$stalls" | grep -c .)" 0

$B --backend vmx int 0x10 --write 0000:0040=00000000 > /tmp/o 2> /tmp/e
check_eq no-handler-rc "$?" 3
check_match no-handler-msg "$(cat /tmp/e)" "no BIOS handler"

# Port I/O: with --io-log every access is listed; the hard floor holds (the
# refused OUT is listed in the log and counted in io_ports).
j=$($B --backend vmx call 2000:0000 --write 2000:0000=e461e664e460cb --io-log --json)
echo "$j" | grep -A6 '"io": \['
check_match io-denied "$(echo "$j" | sed -n '/"io": \[/,/\]/p' | grep -c '"denied"')" "^1$"
check_match io-count "$(echo "$j" | field io_count)" "^3$"

# A deliberately failing VM entry shows the VM-instruction error / entry failure.
$B --backend vmx int 0x11 --test-bad-entry > /tmp/o 2> /tmp/e
check_eq bad-entry-rc "$?" 4
check_match bad-entry-msg "$(cat /tmp/e)" "VM entry failed"
$B dump-vmcs > /tmp/vmcs.txt 2>&1
check_match dump-vmcs-after-bad-entry "$(cat /tmp/vmcs.txt)" "[Ii]nvalid guest state|entry failure|VM-entry"

# dump-vmcs of a good INT 11h: exit reason HLT, guest CS:IP at the trap.
$B --backend vmx int 0x11 --dump-vmcs > /tmp/vmcs.txt 2>&1
check_eq dump-vmcs-rc "$?" 0
check_match dump-vmcs-exit-hlt "$(cat /tmp/vmcs.txt)" "HLT"
check_match dump-vmcs-trap-rip "$(cat /tmp/vmcs.txt)" "0600"
head -60 /tmp/vmcs.txt
# The control words in the VMCS hold every control biosx relies on (SDM
# names: external-interrupt and NMI exiting; HLT exiting, use I/O bitmaps,
# MOV-DR exiting; save/load debug controls, host address-space size), and
# obey this CPU model's capability MSRs: allowed-0 bits set, nothing outside
# allowed-1, from the TRUE MSRs when IA32_VMX_BASIC[55] says they exist (SDM
# Vol. 3D §A.2-§A.5). The values are the ones recorded for the model through
# the msr driver (tests/vm/cpu-models/MODEL.msr, msrdump), not the module's
# own reading, so a wrong MSR or a wrong formula in the module shows.
$B dump-vmcs --json > /tmp/vmcs.json
vmcs_field() { grep -A3 "\"name\": \"$1\"" ${2:-/tmp/vmcs.json} | grep '"value_hex"' | head -1 | sed 's/.*"\(0x[0-9a-f]*\)".*/\1/'; }
has_bits() { [ $(($1 & $2)) -eq $(($2)) ] && echo yes || echo "no: $1 lacks $2"; }
obeys() { [ $(($1 & ($2 & 0xffffffff))) -eq $(($2 & 0xffffffff)) ] && [ $(($1 & ~(($2 >> 32) & 0xffffffff))) -eq 0 ] && echo yes || echo "no: $1 vs $2"; }
pin=$(vmcs_field PIN_BASED_VM_EXEC_CONTROL); proc=$(vmcs_field CPU_BASED_VM_EXEC_CONTROL)
exitc=$(vmcs_field VM_EXIT_CONTROLS); entryc=$(vmcs_field VM_ENTRY_CONTROLS)
check_eq vmcs-pin-required "$(has_bits $pin 0x9)" yes
check_eq vmcs-proc-required "$(has_bits $proc 0x2800080)" yes
check_eq vmcs-exit-required "$(has_bits $exitc 0x204)" yes
check_eq vmcs-entry-required "$(has_bits $entryc 0x4)" yes
model=$(sed -n 's/.*biosx_test_model=\([^ ]*\).*/\1/p' /proc/cmdline)
recorded() { sed -n "s/^msr $1 //p" "./cpu-models/$model.msr"; }
if [ -n "$model" ] && [ -f "./cpu-models/$model.msr" ]; then
    if [ $((($(recorded 0x480) >> 55) & 1)) -eq 1 ]; then
        pin_caps=0x48d proc_caps=0x48e exit_caps=0x48f entry_caps=0x490
    else
        pin_caps=0x481 proc_caps=0x482 exit_caps=0x483 entry_caps=0x484
    fi
    check_eq vmcs-pin-obeys-recorded-caps "$(obeys $pin $(recorded $pin_caps))" yes
    check_eq vmcs-proc-obeys-recorded-caps "$(obeys $proc $(recorded $proc_caps))" yes
    check_eq vmcs-exit-obeys-recorded-caps "$(obeys $exitc $(recorded $exit_caps))" yes
    check_eq vmcs-entry-obeys-recorded-caps "$(obeys $entryc $(recorded $entry_caps))" yes
    if [ $((proc & (1 << 31))) -ne 0 ]; then
        check_eq vmcs-secondary-obeys-recorded-caps \
            "$(obeys $(vmcs_field SECONDARY_VM_EXEC_CONTROL) $(recorded 0x48b))" yes
    fi
else
    skip vmcs-obeys-recorded-caps "no capability file recorded for CPU model '$model' (tests/vm/cpu-models/)"
fi
check_eq vmcs-exception-bitmap "$(vmcs_field EXCEPTION_BITMAP | sed 's/^0x0*/0x/')" 0xffffffff

# biosx caps reads the module's capability ioctl and agrees with it.
$B caps > /tmp/caps.txt 2>&1
check_eq caps-rc "$?" 0
grep -iE 'verdict|strategy|unrestricted|vm86|source' /tmp/caps.txt | head -8
# One verdict (shared/x86/vmx_verdict.h): caps names the module's strategy,
# and the reason the module logged for the strategy it cannot run is the
# first one caps lists for it.
check_eq caps-verdict "$(sed -n 's/^biosx verdict: //p' /tmp/caps.txt)" "$strategy"
if [ "$strategy" = vm86 ]; then
    why=$(dmesg | grep 'biosx: VMX revision' | tail -1 | sed -n 's/.*; no unrestricted guest: //p')
    check_match module-logs-reason "$why" .
    check_eq caps-reason-as-module "$(sed -n '/^  unrestricted guest: /{n;s/^    - //p;}' /tmp/caps.txt)" "$why"
fi

# While KVM holds VMX on this CPU, biosx refuses with EBUSY and says why.
if insmod ./irqbypass.ko 2>/dev/null; insmod ./kvm.ko 2>/dev/null && insmod ./kvm-intel.ko 2>/dev/null &&
    [ -c /dev/kvm ]; then
    ./kvm-hold > /tmp/kvm-hold.log 2>&1 &
    kpid=$!
    sleep 2
    cat /tmp/kvm-hold.log
    if grep -q 'VM created' /tmp/kvm-hold.log; then
        $B --backend vmx int 0x11 > /tmp/o 2> /tmp/e
        check_eq ebusy-with-kvm-rc "$?" 3
        check_match ebusy-with-kvm-msg "$(cat /tmp/e)" "already in use"
    else
        skip ebusy-with-kvm "KVM could not create a VM on this emulated CPU: $(cat /tmp/kvm-hold.log)"
    fi
    kill $kpid 2>/dev/null
    wait $kpid 2>/dev/null
    # The kvm backend through this kernel's kvm_intel, the module beside it.
    KVM_SOURCED=1
    . ./kvm-tests.sh
    # loaded after kvm_intel: the module leaves it the emergency slot (this
    # once BUG()ed in symbol_put_addr() on a data symbol)
    rmmod biosx && insmod ./biosx.ko
    check_eq insmod-after-kvm "$?:$(dmesg | tail -n 5 | grep -c 'kernel BUG')" 0:0
    rmmod kvm_intel kvm 2>/dev/null
    check_ok after-kvm-runs-again $B --backend vmx int 0x11 --json
else
    skip ebusy-with-kvm "kvm_intel does not load on this emulated CPU"
fi

# ---- port policy (issue 10 items 5, 6; shared/x86/port_policy.h) ----------
# Hard floor: every 1-, 2- and 4-byte access touching a floor port, at every
# alignment, is refused and counted, on both strategies; the ports are the
# table's plus SMI_CMD and PM1a control from this machine's FADT.
fadt=/sys/firmware/acpi/tables/FACP
fadt_u32() { od -An -tu4 -j "$1" -N4 "$fadt" 2>/dev/null | tr -d ' '; }
seq_ports() { sp=$(($1)); while [ $sp -le $(($2)) ]; do echo $sp; sp=$((sp + 1)); done; }
both_floor="$(seq_ports 0 0x23) $(seq_ports 0x40 0x43) $(seq_ports 0x81 0x8f) $(seq_ports 0xa0 0xa1)
 $(seq_ports 0xb2 0xb3) $(seq_ports 0xc0 0xdf) 1035 $(seq_ports 0x480 0x48f) $(seq_ports 0x4d0 0x4d1) 1238"
if [ -r "$fadt" ]; then
    smi=$(fadt_u32 48) pm1a=$(fadt_u32 64)
    echo "FADT: SMI_CMD $(printf 0x%x "$smi") PM1a_CNT $(printf 0x%x "$pm1a")"
    [ "${smi:-0}" -ne 0 ] && both_floor="$both_floor $smi"
    [ "${pm1a:-0}" -ne 0 ] && both_floor="$both_floor $pm1a $((pm1a + 1))"
fi
write_floor="$both_floor 100 146 3321"   # 0x64, 0x92, 0xCF9: writes only
# floor_code IN|OUT PORTS: mov dx,START ; in/out at each width and alignment
# (its variables are fc_*: sh functions share the caller's).
floor_code() {
    for fc_p in $2; do
        for fc_size in 1 2 4; do
            fc_back=0
            while [ $fc_back -lt $fc_size ]; do
                fc_s=$(((fc_p - fc_back) & 0xffff))
                fc_back=$((fc_back + 1))
                [ $fc_s -eq $((0xcf8)) ] && [ $fc_size -eq 4 ] && continue  # PCI CONFIG_ADDRESS, not 0xCF9
                [ $((fc_s + fc_size)) -gt 65536 ] && continue  # wraps past 0xFFFF: checked below
                printf 'ba%02x%02x' $((fc_s & 0xff)) $((fc_s >> 8))
                [ $fc_size -eq 4 ] && printf 66
                if [ "$1" = OUT ]; then fc_op=$((0xee)); else fc_op=$((0xec)); fi
                [ $fc_size -gt 1 ] && fc_op=$((fc_op + 1))
                printf '%02x\n' $fc_op
            done
        done
    done
}
sum_counts() { n=0; for c in $(grep '"count":' | sed 's/[^0-9]//g'); do n=$((n + c)); done; echo $n; }
strategies=vm86
[ "$strategy" = unrestricted ] && strategies="unrestricted vm86"
for s in $strategies; do
    for dir in OUT IN; do
        if [ $dir = OUT ]; then ports=$write_floor; else ports=$both_floor; fi
        floor_code $dir "$ports" > /tmp/floor.code
        n=$(grep -c . /tmp/floor.code)
        j=$($B --backend vmx call 2000:0000 --write 2000:0000="$(tr -d '\n' < /tmp/floor.code)cb" --eax 0 \
            --strategy $s --json 2> /tmp/e)
        lost=$(echo "$j" | field io_ports_lost)
        counted=$(($(echo "$j" | sum_counts) + ${lost:-0}))
        echo "floor $dir $s: $n accesses, $counted counted, lost ${lost:-0}"
        check_eq "floor-$dir-$s-all-refused" "$(echo "$j" | grep '"disposition"' | grep -vc '"denied"')" 0
        check_eq "floor-$dir-$s-counted" "$counted" "$n"
        check_eq "floor-$dir-$s-io-exits" "$(echo "$j" | field IO_INSTRUCTION)" "$n"
    done
    # An access that wraps past 0xFFFF onto port 0 (DMA): refused under
    # unrestricted guest (it exits, SDM Vol. 3C §26.1.3); in vm86 the TSS's
    # I/O bitmap ends in its 0xFF byte there, so it is a #GP before any exit.
    $B --backend vmx call 2000:0000 --write 2000:0000=baffffefcb --strategy $s --json > /tmp/o 2> /tmp/e
    rc=$?
    if [ $s = vm86 ]; then
        check_match "floor-wrap-$s" "$rc:$(cat /tmp/e)" "^4:.*exception 13"
    else
        check_eq "floor-wrap-$s" "$rc:$(grep -c '"denied"' /tmp/o)" 0:1
    fi
    # The same through the I/O log: each access listed as denied.
    j=$($B --backend vmx call 2000:0000 --write 2000:0000=ba6300efba9100efba3f0066efcb --eax 0 --io-log \
        --strategy $s --json)
    check_eq "floor-straddle-$s" "$(echo "$j" | grep -c '"denied"')" 6  # 3 in the log, 3 per-port counts
done

# Classes: VGA passes without an exit, an unknown port is virtual (counted,
# all ones), --allow-port and --pass-io let it through without an exit.
j=$($B --backend vmx call 2000:0000 --write 2000:0000=bacc03ecbacc03eccb --json)
check_eq vga-passes-without-exit "$(echo "$j" | field IO_INSTRUCTION)" ""
j=$($B --backend vmx call 2000:0000 --write 2000:0000=ba3412ecba3412eccb --json)
check_eq virtual-port-exits "$(echo "$j" | field IO_INSTRUCTION)" 2
check_eq virtual-port-counted "$(echo "$j" | sum_counts)" 2
check_eq virtual-port-reads-ones "$(low16 $(echo "$j" | out eax))" 0x00ff
$B --backend vmx call 2000:0000 --write 2000:0000=ba3412eccb > /tmp/o
check_match virtual-port-text "$(cat /tmp/o)" "in +0x1234 +virtual +1"
j=$($B --backend vmx call 2000:0000 --write 2000:0000=ba3412eccb --allow-port 0x1234 --json)
check_eq allow-port-passes "$(echo "$j" | field IO_INSTRUCTION):$(echo "$j" | sum_counts)" :0
j=$($B --backend vmx call 2000:0000 --write 2000:0000=ba3412eccb --pass-io --json)
check_eq pass-io-passes "$(echo "$j" | field IO_INSTRUCTION):$(echo "$j" | sum_counts)" :0
$B --backend vmx int 0x11 --allow-port 0x64 > /tmp/o 2> /tmp/e
check_eq allow-floor-refused "$?:$(grep -c 'hard floor' /tmp/e)" 2:1

# Mediated CMOS: INT 1Ah AH=02h (read the RTC) through the module agrees
# with the kernel's own view of the RTC, and its CMOS accesses are mediated.
secs() {  # HH:MM:SS -> seconds of the day (leading zeros are not octal here)
    set -- $(echo "$1" | tr ':' ' ' | sed 's/\b0\([0-9]\)/\1/g')
    echo $(($1 * 3600 + $2 * 60 + $3))
}
bcd_time() {  # CX DX of INT 1Ah AH=02h -> HH:MM:SS
    printf '%02x:%02x:%02x' $(($1 >> 8 & 0xff)) $(($1 & 0xff)) $(($2 >> 8 & 0xff))
}
# run_on STRATEGY|emu ARGS...: biosx through the module with that strategy, or the emulator.
run_on() {
    ro=$1
    shift
    if [ "$ro" = emu ]; then $B --backend emu "$@"; else $B --backend vmx "$@" --strategy "$ro"; fi
}
for s in $strategies emu; do
    t1=$(cat /sys/class/rtc/rtc0/time)
    j=$(run_on $s int 0x1a --ah 2 --io-log --json)
    t2=$(cat /sys/class/rtc/rtc0/time)
    bt=$(bcd_time $(echo "$j" | out ecx) $(echo "$j" | out edx))
    echo "rtc0 $t1 .. $t2, INT 1Ah AH=02h through $s: $bt"
    b=$(secs "$bt")
    if [ "$b" -ge $(($(secs "$t1") - 1)) ] && [ "$b" -le $(($(secs "$t2") + 1)) ]; then
        pass "cmos-time-$s"
    else
        fail "cmos-time-$s" "biosx $bt, rtc0 $t1 .. $t2"
    fi
    check_match "cmos-mediated-$s" "$(echo "$j" | grep -c '"mediated"')" "^[1-9]"
done

# Snapshots carry the CMOS (docs/snapshot.md): memmap --save from the live
# host captures the clock through the kernel (never its ports), and INT 1Ah
# over the saved snapshot answers the time of the save from the snapshot's
# CMOS, no port virtual.
t1=$(cat /sys/class/rtc/rtc0/time)
$B memmap --save /tmp/host-snap.img > /tmp/o 2>&1
t2=$(cat /sys/class/rtc/rtc0/time)
cat /tmp/o
check_match snapshot-clock-captured "$(cat /tmp/o)" "clock registers 0x00-0x0d: /dev/rtc0"
j=$($B --image /tmp/host-snap.img int 0x1a --ah 2 --io-log --json)
bt=$(bcd_time $(echo "$j" | out ecx) $(echo "$j" | out edx))
echo "rtc0 $t1 .. $t2 at the save, INT 1Ah AH=02h over the snapshot: $bt"
b=$(secs "$bt")
if [ "$b" -ge $(($(secs "$t1") - 1)) ] && [ "$b" -le $(($(secs "$t2") + 1)) ]; then
    pass snapshot-clock-int1a
else
    fail snapshot-clock-int1a "biosx $bt, rtc0 $t1 .. $t2"
fi
check_eq snapshot-cmos-served "$(echo "$j" | grep -c '"snapshot"' | sed 's/^[1-9][0-9]*$/yes/'):$(echo "$j" | grep -c '"virtual"')" yes:0
rm -f /tmp/host-snap.img

# Mediated PCI configuration: INT 1Ah AX=B10Ah (read config dword) of the
# host bridge agrees with the kernel's config space in sysfs.
cfg=$(od -An -tx4 -N4 /sys/bus/pci/devices/0000:00:00.0/config | tr -d ' ')
for s in $strategies emu; do
    j=$(run_on $s int 0x1a --ax 0xb10a --bx 0 --di 0 --io-log --json)
    check_eq "pci-config-$s" "$(printf '0x%08x' "$(echo "$j" | out ecx)")" "0x$cfg"
    check_match "pci-mediated-$s" "$(echo "$j" | grep -c '"mediated"')" "^[1-9]"
done
# ---- end of port policy -------------------------------------------------------

# ---- INS/OUTS (string port I/O, issue 10) ---------------------------------------
# The module runs them at the I/O exit (kernel/biosx_string_io.c) by the code
# the emulator runs (shared/x86/string_io.h): on each strategy the output
# registers, the end (kind, vector, error code), the accesses counted, the
# ports kept from the hardware and the bytes INS wrote equal the emulator's,
# for every element size, DF = 0 and 1, both address sizes, segment
# overrides, REP counts of 0 and 4,097, the hard floor, limit faults, LOCK.
# Code at 2000:0000 (then RETF), DS = 3000 with bytes at 3000:00F0, ES = 4000.
strio_data="--ds 0x3000 --es 0x4000 --write 3000:00f0=00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210"
# strio_sig BACKEND-ARGS...: one line that two equal runs share: output
# registers, end, accesses counted, accesses kept from the hardware, ports
# refused, the bytes at ES:00F0, and with --io-log the value of every access
# (one awk: a process per field costs seconds per run in Bochs).
strio_sig() {
    $B "$@" --json --virtual-io $strio_data --read 4000:00f0:32 2>/dev/null | awk '
        /"out": [{]/ { o = 1 }
        o { gsub(/[ \t]/, ""); out = out $0; if (/[}]/) o = 0; next }
        /"end": [{]/ { e = 1 }
        e { if (/"(kind|vector|error_code)"/) { gsub(/[ \t]/, ""); end = end $0 } if (/[}]/) e = 0; next }
        /"io_count":/ { gsub(/[^0-9]/, ""); io = $0 }
        /"count":/ { gsub(/[^0-9]/, ""); kept += $0 }
        /"denied"/ { denied++ }
        /"hex":/ && hex == "" { split($0, h, "\""); hex = h[4] }
        /"value":/ { gsub(/[^0-9]/, ""); vals = vals $0 "," }
        END { printf "%s|%s|io %s|kept %d|denied %d|%s|%s\n", out, end, io, kept, denied, hex, vals }'
}
# NAME|CODE|ARGS (mov dx,PORT first; --io-log where the accesses are few)
strio_cases="insb|ba34126c|--di 0x100 --io-log
rep-insw|ba3412f36d|--ecx 0x55550005 --di 0xf4 --io-log
rep-insd-df1|ba3412fdf3666dfc|--ecx 3 --di 0x108 --io-log
a32-rep-insb|ba341267f36c|--ecx 4 --edi 0xf8 --io-log
rep-count-0|ba3412f36c|--ecx 0x12340000 --di 0x100 --io-log
outsb|ba34126e|--si 0xf0 --io-log
rep-outsw-cs|ba3412b903002ef36f|--si 0 --io-log
rep-outsd-fs-df1|ba3412fd64f3666ffc|--fs 0x3000 --ecx 2 --esi 0x104 --io-log
prefixes-last-seg|ba3412263e67f3666f|--ecx 2 --esi 0xf4 --io-log
rep-outsb-4097|ba3412f36e|--ecx 0x1001 --si 0
floor-rep-outsb-kbc|ba6400f36e|--ecx 7 --si 0xf0 --io-log
floor-rep-insw-pit|ba4000f36d|--ecx 3 --di 0xf0 --io-log
floor-rep-outsw-straddle|ba6300f36f|--ecx 4 --si 0xf0 --io-log
a32-past-limit|ba341267f36c|--ecx 0x20000 --edi 0xff00
word-at-ffff|ba34126d|--di 0xffff --io-log
outs-ss-limit|ba3412366f|--ss 0x5000 --si 0xffff --io-log
lock-ins|ba3412f06c|--io-log"
# strio_compare TAG [CASE...]: the cases (all, or those named) on every
# strategy against the emulator's signature of them (computed once)
strio_compare() {
    sc_tag=$1
    shift
    echo "$strio_cases" | while IFS='|' read -r sc_name sc_code sc_args; do
        [ $# -eq 0 ] || case " $* " in *" $sc_name "*) ;; *) continue ;; esac
        [ -s /tmp/strio-emu-$sc_name ] ||
            strio_sig --backend emu call 2000:0000 --write 2000:0000=${sc_code}cb $sc_args > /tmp/strio-emu-$sc_name
        sc_emu=$(cat /tmp/strio-emu-$sc_name)
        for sc_s in $strategies; do
            sc_vmx=$(strio_sig --backend vmx call 2000:0000 --write 2000:0000=${sc_code}cb $sc_args --strategy $sc_s)
            if [ -n "$sc_emu" ] && [ "$sc_vmx" = "$sc_emu" ]; then
                pass "strio$sc_tag-$sc_name-$sc_s"
            else
                fail "strio$sc_tag-$sc_name-$sc_s" "vmx: $sc_vmx emu: $sc_emu"
            fi
        done
    done
}
strio_compare ""
# A REP of 4,097 elements is not done in one exit: the guest is entered
# again after every 1,024 (kernel/biosx_string_io.c), 5 exits here.
j=$($B --backend vmx call 2000:0000 --write 2000:0000=ba3412f36ecb --ecx 0x1001 --si 0 --virtual-io --json)
check_eq strio-rep-4097-exits "$(echo "$j" | field IO_INSTRUCTION)" 5
# Each element through the policy like IN/OUT: mediated CMOS (the NVRAM
# byte 0x10 four times, equal to an IN of it), mediated PCI configuration
# (vendor/device of 00:00.0 twice, equal to sysfs), a passed VGA port read
# with and without exits (all equal to an IN of it).
cmos_code=b010e670e471ba7100b90400f36c
pci_code=66b800000080baf80c66efbafc0cb90200f3666d
vga_code=bacc03ecb90300f36c
# (the emulator reads the NVRAM through /dev/nvram, where the kernel has it)
for s in $strategies $([ -c /dev/nvram ] && echo emu); do
    j=$(run_on $s call 2000:0000 --write 2000:0000=${cmos_code}cb --es 0x4000 --di 0x100 --read 4000:0100:4 --io-log --json)
    al=$(printf '%02x' $(($(echo "$j" | out eax) & 0xff)))
    check_eq "strio-cmos-$s" "$(echo "$j" | grep -m1 '"hex":' | sed 's/.*"hex": *"\([0-9a-f]*\)".*/\1/'):$(echo "$j" | grep -c '"mediated"')" "$al$al$al$al:6"
done
for s in $strategies emu; do
    j=$(run_on $s call 2000:0000 --write 2000:0000=${pci_code}cb --es 0x4000 --di 0x100 --read 4000:0100:8 --io-log --json)
    check_eq "strio-pci-$s" "$(echo "$j" | grep -m1 '"hex":' | sed 's/.*"hex": *"\([0-9a-f]*\)".*/\1/'):$(echo "$j" | grep -c '"mediated"')" \
        "$(od -An -tx1 -N4 /sys/bus/pci/devices/0000:00:00.0/config | tr -d ' \n')$(od -An -tx1 -N4 /sys/bus/pci/devices/0000:00:00.0/config | tr -d ' \n'):3"
    for l in --io-log ""; do
        j=$(run_on $s call 2000:0000 --write 2000:0000=${vga_code}cb --es 0x4000 --di 0x100 --read 4000:0100:3 $l --json)
        al=$(printf '%02x' $(($(echo "$j" | out eax) & 0xff)))
        check_eq "strio-vga-$s${l:+-logged}" "$(echo "$j" | grep -m1 '"hex":' | sed 's/.*"hex": *"\([0-9a-f]*\)".*/\1/'):$(echo "$j" | grep -c '"passed"')" \
            "$al$al$al:$([ -n "$l" ] && echo 4 || echo 0)"
    done
done
# Where the CPU does not report the address size and segment of INS/OUTS
# (IA32_VMX_BASIC[54] = 0; every Bochs model reports them) the module reads
# the prefixes: the test hook string_io_decode=1 takes that path, and the
# module still agrees with the emulator.
if rmmod biosx && insmod ./biosx.ko string_io_decode=1; then
    check_eq strio-decode-hook "$(cat /sys/module/biosx/parameters/string_io_decode)" Y
    # the cases whose address size or segment the prefixes decide
    strio_compare -decoded insb a32-rep-insb rep-outsw-cs rep-outsd-fs-df1 prefixes-last-seg a32-past-limit outs-ss-limit
    rmmod biosx
else
    fail strio-decode-hook "could not reload biosx.ko with string_io_decode=1"
fi
check_ok strio-reload insmod ./biosx.ko

. "$BIOSX_FILES/hardening-tests.sh" # issue 10: hostile campaign, leak cycles, selectors/LDT, SMP
# Sessions keep state and the machine's BIOS state is the machine's (issue 13).
. "$BIOSX_FILES/session-tests.sh"
VB_TAG= VB_BACKENDS="vmx emu"
. "$BIOSX_FILES/vbe-tests.sh"
. "$BIOSX_FILES/lrmi-tests.sh"
. "$BIOSX_FILES/uvesafb-tests.sh"

# Unloading is refused while a file is open; nothing leaks across opens.
sleep 5 < /dev/biosx &
sleep 1
rmmod biosx 2> /tmp/e
check_eq rmmod-while-open "$?" 1
wait
before=$(grep -E '^(MemFree|VmallocUsed)' /proc/meminfo | tr -s ' ' | cut -d' ' -f2 | paste -sd' ')
i=0; while [ $i -lt 50 ]; do $B --backend vmx int 0x11 > /dev/null; i=$((i + 1)); done
after=$(grep -E '^(MemFree|VmallocUsed)' /proc/meminfo | tr -s ' ' | cut -d' ' -f2 | paste -sd' ')
echo "meminfo before: $before after 50 opens: $after"
vb=$(echo $before | cut -d' ' -f2); va=$(echo $after | cut -d' ' -f2)
check_match vmalloc-no-leak "$((va - vb))" "^-?[0-9]{1,3}$"
check_ok rmmod rmmod biosx
check_ok insmod-again insmod ./biosx.ko
# Nothing but the module's own load line in the kernel log since insmod.
dmesg_clean dmesg-clean

# Kernel addresses: with kptr_restrict 0 (%pK hashes) dump-vmcs and
# /proc/biosx hide them; with 1 root (CAP_SYSLOG) sees them (%pK rules).
$B --backend vmx int 0x11 > /dev/null
echo 0 > /proc/sys/kernel/kptr_restrict
$B dump-vmcs --json > /tmp/vmcs0.json 2>&1
check_eq kptr0-host-rip-hidden "$(vmcs_field HOST_RIP /tmp/vmcs0.json | sed 's/^0x0*$/0/')" 0
check_eq kptr0-host-gs-hidden "$(vmcs_field HOST_GS_BASE /tmp/vmcs0.json | sed 's/^0x0*$/0/')" 0
check_match kptr0-proc-hidden "$(grep last_vmcs_pa /proc/biosx)" "hidden"
echo 1 > /proc/sys/kernel/kptr_restrict
$B --backend vmx int 0x11 > /dev/null   # the record is fetched at run time, as this reader
$B dump-vmcs --json > /tmp/vmcs1.json 2>&1
check_match kptr1-host-rip-shown "$(vmcs_field HOST_RIP /tmp/vmcs1.json)" "^0xffffffff"
check_match kptr1-proc-shown "$(grep last_vmcs_pa /proc/biosx)" "0x[0-9a-f]"
echo 0 > /proc/sys/kernel/kptr_restrict

# Lockdown raised at run time (it cannot be lowered again: last checks of
# this boot): open and RUN are refused, and the CLI says why.
if [ -w /sys/kernel/security/lockdown ] || { mkdir -p /sys/kernel/security && mount -t securityfs none /sys/kernel/security 2>/dev/null; }; then
    sleep 3 < /dev/biosx &
    echo integrity > /sys/kernel/security/lockdown
    cat /sys/kernel/security/lockdown
    $B --backend vmx int 0x11 > /tmp/o 2> /tmp/e
    check_eq lockdown-rc "$?" 3
    check_match lockdown-msg "$(cat /tmp/e)" "lockdown \(integrity\)"
    wait
else
    skip lockdown "no securityfs in this guest"
fi
finish
