#!/usr/bin/env bash
# Runs every fuzz target once, one after the other, at the lowest priority (the
# machine is shared): at most SECONDS_EACH seconds or 10M executions each.
# No sanitizer (-s none): the fuzzed crates are safe Rust, so what the targets
# look for is panics, including debug-assertion overflow checks, which stay on.
# Logs go to fuzz/logs/<target>.log; the last "#N DONE"/"stat::number_of_executed_units"
# line of each is the execution count reported in docs/hardening.md.
set -uo pipefail
cd "$(dirname "$0")"
seconds=${SECONDS_EACH:-900}
targets=${TARGETS:-"parse roundtrip passes onnx_import npy"}
mkdir -p logs
export RUSTC_BOOTSTRAP=1
nice -n 19 cargo fuzz build -O -a -s none || exit 1
for t in $targets; do
    mkdir -p "corpus/$t"
    nice -n 19 cargo fuzz run -O -a -s none "$t" "corpus/$t" -- \
        -runs=10000000 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 >"logs/$t.log" 2>&1
    echo "$t: exit $? $(grep -E '^stat::number_of_executed_units' "logs/$t.log")"
done
