#!/bin/sh
# campaign.sh BUILD-ASAN [TARGET...] - the long local run docs/fuzzing.md
# reports: every target for 1,000,000 executions (the emulator on random
# code: 100,000 blobs), from its seed corpus, one after the other. Logs and
# the grown corpora go to BUILD-ASAN/fuzz-campaign/; crashes to
# BUILD-ASAN/fuzz-campaign/<target>/ (artifact_prefix). Prints one line per
# target: executions, coverage (cov/ft), corpus size, seconds, findings.
# MAX_TIME=S bounds each target to S seconds as well.
set -u
B=$1
shift
SRC=$(cd "$(dirname "$0")" && pwd)
targets=${*:-registers regs_json buffer_specs caps_file memmap_scan e820 vmcs_record emu}
out=$B/fuzz-campaign
mkdir -p "$out"
for t in $targets; do
    runs=1000000
    [ "$t" = emu ] && runs=100000
    mkdir -p "$out/$t/corpus"
    start=$(date +%s)
    "$B/tests/fuzz/fuzz_$t" -runs=$runs ${MAX_TIME:+-max_total_time=$MAX_TIME} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/$t/" "$out/$t/corpus" "$SRC/corpus/$t" > "$out/$t.log" 2>&1
    rc=$?
    secs=$(($(date +%s) - start))
    done_line=$(grep -E '^#[0-9]+[[:space:]]+(DONE|REDUCE|NEW|pulse)' "$out/$t.log" | tail -1 | sed 's/ MS:.*//')
    execs=$(grep 'stat::number_of_executed_units' "$out/$t.log" | awk '{print $2}')
    crashes=$(ls "$out/$t" | grep -cE '^(crash|leak|timeout|oom|slow-unit)-')
    echo "$t: rc=$rc execs=${execs:-?} secs=$secs findings=$crashes ${done_line}"
done
