# hardening-tests.sh - guest checks of issue 10's "Prove it" list: the
# hostile-code campaign, open/run/close leak cycles, descriptor tables and the
# LDT after a run, and (in an SMP boot) runs on every CPU at once, with KVM
# creating VMs and under load. Sourced by module-tests.sh (busybox sh, cwd
# /biosx) with biosx.ko loaded; uses guest-lib.sh's pass/fail/skip. Programs:
# hostile, selectors, kvm-hold (static, built by run-module-tests.sh).
# Variables of its own start with hx_ (module-tests.sh's are left alone).
# Prints "TIMING name guest-seconds" lines (run-guest.sh copies them into
# timing.txt).

hx_now() { cut -d' ' -f1 /proc/uptime; }
hx_since() { awk -v a="$1" -v b="$(hx_now)" 'BEGIN { printf "%.1f", b - a }'; }
# Kernel log lines that are never fine after a run.
hx_splat='BUG|WARNING|Oops|[Pp]anic|soft lockup|rcu.*stall|detected stall|hung task|Call Trace|general protection'
# hx_run OUT CMD...: CMD's output on the console as it comes and in OUT; its
# exit status in hx_rc.
hx_run() {
    hx_o=$1
    shift
    { "$@" 2>&1; echo $? > "$hx_o.rc"; } | tee "$hx_o"
    hx_rc=$(cat "$hx_o.rc")
}
hx_dmesg_from() { dmesg | tail -n +$(($1 + 1)); }
# hx_splats FROM: the first such lines since kernel log line FROM, on one line.
hx_splats() { hx_dmesg_from "$1" | grep -E "$hx_splat" | head -4 | tr '\n' '|'; }

# hx_verdicts PREFIX FILE: "PREFIX: PASS name ..." / "PREFIX: FAIL name: why" /
# "PREFIX: SKIP name: why" lines of a program's output become verdicts.
hx_verdicts() {
    while IFS= read -r hx_l; do
        case $hx_l in
            "$1: PASS "*) hx_l=${hx_l#"$1: PASS "}; pass "$1-${hx_l%% *}" ;;
            "$1: FAIL "*) hx_l=${hx_l#"$1: FAIL "}; fail "$1-${hx_l%%:*}" "${hx_l#*: }" ;;
            "$1: SKIP "*) hx_l=${hx_l#"$1: SKIP "}; skip "$1-${hx_l%%:*}" "${hx_l#*: }" ;;
        esac
    done < "$2"
}

hx_t0=$(hx_now)
hx_bda=$(read_mem16 0x410)
# Knobs (run-module-tests.sh writes the ones set in its environment here).
[ ! -f ./hardening.conf ] || . ./hardening.conf
cat ./hardening.conf 2>/dev/null
# HARDENING_SECTIONS: which sections run (default all of them).
hx_want() { case " ${HARDENING_SECTIONS:-hostile cycles selectors smp} " in *" $1 "*) return 0 ;; esac; skip "$1" "not in HARDENING_SECTIONS"; return 1; }

# --- hostile campaign: >= 1,000 runs per strategy the CPU has -------------
if hx_want hostile; then
hx_k=$(dmesg | wc -l)
hx_t=$(hx_now)
hx_run /tmp/hostile.txt ./hostile --seed "${HOSTILE_SEED:-1}" --runs "${HOSTILE_RUNS:-100}" ${HOSTILE_ARGS---verbose}
echo "TIMING hostile $(hx_since "$hx_t")"
# one verdict per strategy and category, from the summary lines
sed -n 's/^hostile: \[\([a-z0-9]*\)\] \([a-z0-9-]*\): [0-9]* runs, \([0-9]*\) failures.*/\1 \2 \3/p' /tmp/hostile.txt > /tmp/hostile.cats
while read -r hx_s hx_c hx_f; do
    if [ "$hx_f" = 0 ]; then
        pass "hostile-$hx_s-$hx_c"
    else
        fail "hostile-$hx_s-$hx_c" "$hx_f failures; first: $(grep -m1 -F "hostile: FAIL [$hx_s] $hx_c #" /tmp/hostile.txt || grep -m1 -F "FAIL int11 ($hx_s" /tmp/hostile.txt)"
    fi
done < /tmp/hostile.cats
hx_total=$(grep -E '^hostile: [0-9]+ runs, [0-9]+ failures' /tmp/hostile.txt)
check_match hostile-total "$hx_total" "^hostile: [0-9]+ runs, 0 failures"
hx_n=$(echo "$hx_total" | sed -n 's/^hostile: \([0-9]*\) runs.*/\1/p')
hx_ns=$(grep -c '^hostile: \[[a-z0-9]*\] [0-9]* runs' /tmp/hostile.txt)
# at least 1,000 runs per strategy tested (the campaign's own count)
check_eq hostile-runs-per-strategy "$([ "${hx_n:-0}" -ge $((1000 * hx_ns)) ] && [ "$hx_ns" -ge 1 ] && echo ok || echo "${hx_n:-0} runs for $hx_ns strategies")" ok
[ "$hx_rc" = 0 ] || echo "hostile exited $hx_rc"
hx_bad=$(hx_splats "$hx_k")
check_eq hostile-dmesg-clean "$hx_bad" ""
fi

# --- open/mmap/run/munmap/close cycles: no leak ---------------------------
if hx_want cycles; then
hx_t=$(hx_now)
hx_run /tmp/cycles.txt ./hostile --cycles="${HOSTILE_CYCLES:-3000}"
echo "TIMING cycles $(hx_since "$hx_t")"
check_match hostile-cycles "$(grep -E '^hostile: (cycles: |FAIL)' /tmp/cycles.txt | tr '\n' ' ')" "^hostile: cycles: PASS"
fi

# --- descriptor tables and the LDT after a run, on one CPU ---------------
if hx_want selectors; then
hx_t=$(hx_now)
hx_run /tmp/selectors.txt ./selectors --cpu 0
echo "selectors exited $hx_rc"
hx_verdicts selectors /tmp/selectors.txt
echo "TIMING selectors $(hx_since "$hx_t")"
fi

# --- SMP: every CPU at once, with KVM creating VMs, under load -----------
hx_ncpu=$(grep -c '^processor' /proc/cpuinfo)
if ! hx_want smp; then
    :
elif [ "$hx_ncpu" -lt 2 ]; then
    skip smp "$hx_ncpu CPU in this boot; the SMP checks run in an SMP boot (run-module-tests.sh MODEL:smp2)"
else
    hx_t=$(hx_now)
    # Should the kernel oops or panic, the whole report reaches the console.
    dmesg -n 8
    hx_k=$(dmesg | wc -l)
    # hx_round NAME RUNS: hostile --smp-loop on every CPU at once.
    hx_round() {
        hx_i=0 hx_pids=
        while [ $hx_i -lt "$hx_ncpu" ]; do
            taskset -c $hx_i ./hostile --smp-loop "$2" --cpu $hx_i > /tmp/smp-$1-$hx_i.txt 2>&1 &
            hx_pids="$hx_pids $!"
            hx_i=$((hx_i + 1))
        done
        hx_r=0
        for hx_p in $hx_pids; do wait "$hx_p" || hx_r=1; done
        cat /tmp/smp-$1-*.txt
        if [ $hx_r = 0 ]; then
            pass "smp-$1"
        else
            fail "smp-$1" "$(grep -h -m1 FAIL /tmp/smp-$1-*.txt | head -1) (a loop exited non-zero)"
        fi
    }
    # answers right on each CPU through the CLI
    hx_i=0
    while [ $hx_i -lt "$hx_ncpu" ]; do
        # "out" registers are JSON numbers (schema biosx.run 2): AX as 0xNNNN
        hx_ax=$(taskset -c $hx_i ./biosx --backend vmx int 0x11 --json | sed -n '/"out": {/,/}/p' |
            sed -n 's/.*"eax": *\([0-9][0-9]*\).*/\1/p')
        [ -n "$hx_ax" ] && hx_ax=$(printf '0x%04x' $((hx_ax & 0xffff)))
        check_eq "smp-int11-cpu$hx_i" "$hx_ax" "$hx_bda"
        hx_i=$((hx_i + 1))
    done
    hx_round all-cpus "${SMP_RUNS:-300}"
    # KVM creating, running and destroying VMs while runs are in flight
    if insmod ./irqbypass.ko 2>/dev/null; insmod ./kvm.ko 2>/dev/null && insmod ./kvm-intel.ko 2>/dev/null &&
        [ -c /dev/kvm ]; then
        # a pause between VMs: KVM switches VMX off and on again every cycle
        ./kvm-hold --cycle "${SMP_KVM_CYCLES:-200}" --run --gap 2 > /tmp/kvm-cycle.txt 2>&1 &
        hx_kp=$!
        hx_round with-kvm "${SMP_RUNS:-300}"
        wait $hx_kp
        cat /tmp/kvm-cycle.txt
        check_match smp-kvm-cycles "$(cat /tmp/kvm-cycle.txt)" "VM cycles.*: [1-9][0-9]* ok"
        rmmod kvm_intel kvm 2>/dev/null
    else
        skip smp-with-kvm "kvm_intel does not load on this emulated CPU"
    fi
    # under load: a busy loop on every CPU and a fork loop
    hx_i=0 hx_hogs=
    while [ $hx_i -lt "$hx_ncpu" ]; do
        taskset -c $hx_i sh -c 'while :; do :; done' &
        hx_hogs="$hx_hogs $!"
        hx_i=$((hx_i + 1))
    done
    sh -c 'while :; do /bin/true; done' &
    hx_hogs="$hx_hogs $!"
    hx_round under-load "${SMP_RUNS:-300}"
    kill $hx_hogs 2>/dev/null
    wait $hx_hogs 2>/dev/null
    hx_bad=$(hx_splats "$hx_k")
    check_eq smp-dmesg-clean "$hx_bad" ""
    dmesg -n 4
    echo "TIMING smp $(hx_since "$hx_t")"
fi
echo "TIMING hardening $(hx_since "$hx_t0")"
