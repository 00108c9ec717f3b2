#!/bin/sh
# campaign.sh BUILD-ASAN [TARGET...] - the long local run docs/fuzzing.md
# reports: every target for 1,000,000 executions (the emulator on random
# code: 100,000 blobs), one after the other, each resuming from the corpus it
# grew before (BUILD-ASAN/fuzz-campaign/<target>/corpus) and the seeds.
# Crashes go to BUILD-ASAN/fuzz-campaign/<target>/ (artifact_prefix), logs to
# BUILD-ASAN/fuzz-campaign/<target>.log. Prints one line per target:
# executions, seconds, findings, libFuzzer's last status line (cov, ft,
# corpus, exec/s) and, for emu, how the blobs ended.
#
# Run it niced on a shared machine: nice -n 19 tests/fuzz/campaign.sh build-asan
# RUNS=N changes the executions per target, MAX_TIME=S bounds each target
# to S seconds as well. ASan keeps no allocation stacks (malloc_context_size=0,
# 8-20% of the time of the allocation-heavy targets) unless ASAN_OPTIONS
# says otherwise: rerun a crash without it to see them.
set -u
B=$1
shift
SRC=$(cd "$(dirname "$0")" && pwd)
targets=${*:-registers regs_json buffer_specs caps_file memmap_scan e820 vmcs_record emu}
out=$B/fuzz-campaign
mkdir -p "$out"
: "${ASAN_OPTIONS:=malloc_context_size=0}"
export ASAN_OPTIONS
for t in $targets; do
    runs=${RUNS:-1000000}
    [ "$t" = emu ] && runs=${RUNS:-100000}
    mkdir -p "$out/$t/corpus"
    start=$(date +%s)
    "$B/tests/fuzz/fuzz_$t" -runs="$runs" ${MAX_TIME:+-max_total_time=$MAX_TIME} -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/$t/" "$out/$t/corpus" "$SRC/corpus/$t" > "$out/$t.log" 2>&1
    rc=$?
    secs=$(($(date +%s) - start))
    last=$(grep -E '^#[0-9]+[[:space:]]+(DONE|REDUCE|NEW|pulse)' "$out/$t.log" | tail -1 | sed 's/ MS:.*//')
    execs=$(grep 'stat::number_of_executed_units' "$out/$t.log" | awk '{print $2}')
    crashes=$(ls "$out/$t" | grep -cE '^(crash|leak|timeout|oom|slow-unit)-')
    ends=$(grep '^fuzz_emu:' "$out/$t.log" | tail -1)
    echo "$t: rc=$rc execs=${execs:-?} secs=$secs findings=$crashes ${last}${ends:+ | $ends}"
done
