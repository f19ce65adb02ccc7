#!/usr/bin/env bash
# int8 MobileNetV1 (224x224, 568.7 M MAC): onnxruntime (QDQ from quantize_static,
# u8 activations, s8 weights, per tensor) against dfq's JIT, at 1 and 2 threads,
# in one run on one machine. Prints both medians and the ratio ort / dfq
# (above 1: dfq is faster).
#
#   bench/ort/run.sh [RUNS]        # default 100 runs after warm-up
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${1:-100}"
venv="$here/.venv"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet numpy onnx onnxruntime
fi

echo "== onnxruntime"
ort_out="$("$venv/bin/python" "$here/mobilenet_v1.py" --runs "$runs")"
echo "$ort_out"

echo "== dfq (cargo bench -p dfq-jit --bench mobilenet_v1)"
dfq_out="$(cd "$root" && cargo bench -q -p dfq-jit --bench mobilenet_v1 -- --runs "$runs" --int8-only 2>/dev/null)"
echo "$dfq_out"

echo "== ratio (onnxruntime / dfq; above 1 means dfq is faster)"
for t in 1 2; do
    ort_ms="$(echo "$ort_out" | awk -v t="$t" '$1 == "ort" && $2 == t { print $3 }')"
    dfq_ms="$(echo "$dfq_out" | awk -v t="$t" '/^int8/ && $2 == t { for (i = 1; i <= NF; i++) if ($i == "median") print $(i + 1) }')"
    awk -v t="$t" -v o="$ort_ms" -v d="$dfq_ms" 'BEGIN { printf "%d thread%s: onnxruntime %.3f ms, dfq %.3f ms, ratio %.2f\n", t, (t == 1 ? " " : "s"), o, d, o / d }'
done
