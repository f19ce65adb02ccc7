#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with the seed inputs of docs/hardening.md: the lit
# tests, the round-trip fixtures and the examples for the text targets (split at
# `// -----` into one module per file), the ONNX models of the translate tests,
# and the .npy files of the tests.
set -euo pipefail
cd "$(dirname "$0")"
root=..
for t in parse roundtrip passes onnx_import npy; do mkdir -p "corpus/$t"; done
n=0
for f in "$root"/lit-tests/*/*.mlir "$root"/crates/dfq-ir/tests/roundtrip/*.mlir \
    "$root"/examples/*.mlir "$root"/crates/dfq-dialects/tests/valid/*.mlir; do
    [ -f "$f" ] || continue
    # Small modules only: the pass target should spend its time on many inputs.
    awk -v base="corpus/parse/seed_$n" 'BEGIN{i=0} /^\/\/ -----/{i++; next} {print > (base "_" i ".mlir")}' "$f"
    n=$((n + 1))
done
find corpus/parse -size +64k -delete
cp corpus/parse/* corpus/roundtrip/
cp corpus/parse/* corpus/passes/
cp "$root"/lit-tests/translate/Inputs/*.onnx corpus/onnx_import/
cp "$root"/lit-tests/translate/Inputs/*.npy "$root"/tools/golden/*.npy corpus/npy/
for t in parse roundtrip passes onnx_import npy; do echo "$t: $(ls "corpus/$t" | wc -l) seeds"; done
