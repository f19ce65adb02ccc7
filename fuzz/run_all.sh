#!/usr/bin/env bash
# Runs every fuzz target once, one after the other, at the lowest priority (the
# machine is shared): at most SECONDS_EACH seconds or 10M executions each.
# No sanitizer (-s none): the fuzzed crates are safe Rust, so what the targets
# look for is panics, including debug-assertion overflow checks, which stay on.
# Logs go to fuzz/logs/<target>.log; the last "#N DONE"/"stat::number_of_executed_units"
# line of each is the execution count reported in docs/hardening.md.
# KEEP_GOING=1 runs libFuzzer in fork mode, which saves each crash to
# artifacts/<target>/ and carries on, so one crash does not end a long run; its
# execution count is the "#N" of the last progress line.
set -uo pipefail
cd "$(dirname "$0")"
seconds=${SECONDS_EACH:-900}
targets=${TARGETS:-"parse roundtrip passes onnx_import npy"}
mkdir -p logs
keep_going=()
if [ "${KEEP_GOING:-0}" = 1 ]; then
    keep_going=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi
export RUSTC_BOOTSTRAP=1
nice -n 19 cargo fuzz build -O -a -s none || exit 1
for t in $targets; do
    mkdir -p "corpus/$t"
    nice -n 19 cargo fuzz run -O -a -s none "$t" "corpus/$t" -- \
        -runs=10000000 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 "${keep_going[@]}" >"logs/$t.log" 2>&1
    echo "$t: exit $? $(grep -E '^stat::number_of_executed_units|^#[0-9]+: ' "logs/$t.log" | tail -1)"
done
