#!/usr/bin/env bash
# The paper's ablation (Nagel et al. 2019) on EfficientNet-Lite0: every row's
# dfq-opt pipeline, evaluated with dfq-run on the ImageNet sample, written as a
# Markdown table between <!-- paper-table:begin --> and <!-- paper-table:end -->
# in docs/results.md.
#
#   tools/results/paper_table.sh              # all 1000 images
#   LIMIT=50 tools/results/paper_table.sh     # 50 images spread over the classes (dfq-run --limit)
#   MODEL="lite1 lite2" tools/results/paper_table.sh   # the short tables of the other Lite models
#
# MODEL (default lite0) is one or more of lite0, lite1, lite2 (the variants of
# tools/efficientnet/convert.py). lite0 gets the full table above; lite1 and
# lite2 get the short one (TABLE=short: FP32, naive, DFQ, DFQ with the paper's
# scales, per-channel), between <!-- MODEL-table:begin --> and
# <!-- MODEL-table:end -->, from build/effnet_MODEL.mlir (imported from
# build/efficientnet_MODEL.onnx at the variant's input size if missing), with
# models and JSON in build/paper-table-MODEL and no figures unless REPORT is set.
# TABLE=full|short overrides the choice.
#
# Environment: LIMIT (images per row), DATA (the sample, default
# ../shared/data/imagenet-sample), RESULTS (the file to edit, default
# docs/results.md), OUT (models and JSON, default build/paper-table), REPORT
# (where `dfq-opt --report` writes the DFQ row's figures, default
# docs/results/efficientnet-lite0), BUILD=0
# (use the binaries in target/release as they are).
#
# Evaluations run one after another: each already uses every core. Only the
# empirical bias-correction row reads images besides the evaluation (its
# calibration inputs); every other row is data-free.
set -euo pipefail

cd "$(dirname "$0")/../.."
MODEL=${MODEL:-lite0}
if [[ $MODEL == *" "* ]]; then
    # Several models: one run each (the binaries built once).
    [ "${BUILD:-1}" = 0 ] || cargo build --release -p dfq-cli
    rc=0
    for m in $MODEL; do MODEL=$m BUILD=0 "$0" || rc=1; done
    exit $rc
fi
case $MODEL in
    lite0) SIZE=224 ;;
    lite1) SIZE=240 ;;
    lite2) SIZE=260 ;;
    *) echo "paper_table.sh: MODEL must be lite0, lite1 or lite2, not $MODEL" >&2; exit 1 ;;
esac
LIMIT=${LIMIT:-}
DATA=${DATA:-../shared/data/imagenet-sample}
RESULTS=${RESULTS:-docs/results.md}
CALIBRATION_IMAGES=32
BIN=target/release
ONNX=build/efficientnet_$MODEL.onnx
if [ "$MODEL" = lite0 ]; then
    TABLE=${TABLE:-full}
    MARKER=paper-table
    OUT=${OUT:-build/paper-table}
    REPORT=${REPORT:-docs/results/efficientnet-lite0}
    FP32=build/effnet.mlir
else
    TABLE=${TABLE:-short}
    MARKER=$MODEL-table
    OUT=${OUT:-build/paper-table-$MODEL}
    REPORT=${REPORT:-}
    FP32=build/effnet_$MODEL.mlir
fi

grep -q "<!-- $MARKER:begin -->" "$RESULTS" && grep -q "<!-- $MARKER:end -->" "$RESULTS" ||
    { echo "paper_table.sh: $RESULTS has no $MARKER markers" >&2; exit 1; }
[ -f "$DATA/labels.csv" ] || { echo "paper_table.sh: no $DATA/labels.csv" >&2; exit 1; }

[ "${BUILD:-1}" = 0 ] || cargo build --release -p dfq-cli
if [ ! -f "$FP32" ]; then
    [ -f "$ONNX" ] || python3 tools/efficientnet/convert.py --variant "$MODEL" --images 0
    "$BIN/dfq-translate" --import-onnx "$ONNX" -o "$FP32" \
        --input-range=efficientnet --input-shape "1,3,$SIZE,$SIZE"
fi
mkdir -p "$OUT"

# Rows: id | what | dfq-opt flags ("" for the FP32 model itself) | the paper's
# MobileNetV2 W8A8 per-tensor top-1 for the same step ("" if it has none).
ROWS=(
    "fp32|FP32|-|71.72"
    "naive|naive W8A8 per-tensor|--fold-bn --quantize|0.12"
    "cle-relu|+ CLE, ReLU6 replaced by ReLU, weight-only scales (the paper's ablation)|--relu6-to-relu --equalize=bound-activations=false --quantize|69.91"
    "cle-weights|+ CLE, the paper's weight-only scales, ReLU6 kept exactly|--equalize=bound-activations=false --quantize|"
    "cle|+ CLE, activation-bounded scales (dfq's default), ReLU6 kept exactly|--equalize --quantize|"
    "absorb|+ absorb-bias|--equalize --absorb-bias --quantize|70.92"
    "dfq|+ bias-correct (analytic) = DFQ|--dfq|71.19"
    "dfq-weights|DFQ with the paper's weight-only CLE scales|--equalize=bound-activations=false --absorb-bias --quantize --bias-correct|"
    "naive-bc|naive + bias-correct only|--fold-bn --quantize --bias-correct|"
    "per-channel|per-channel W8A8, no DFQ|--fold-bn --quantize=per-channel|"
    "dfq-w6|DFQ, W6A8|--equalize --absorb-bias --quantize=weight-bits=6 --bias-correct|"
    "naive-w6|naive W6A8|--fold-bn --quantize=weight-bits=6|"
    "dfq-w4|DFQ, W4A8|--equalize --absorb-bias --quantize=weight-bits=4 --bias-correct|"
    "naive-w4|naive W4A8|--fold-bn --quantize=weight-bits=4|"
)
if [ "$TABLE" = short ]; then
    SHORT=()
    for row in "${ROWS[@]}"; do
        case ${row%%|*} in fp32 | naive | dfq | dfq-weights | per-channel) SHORT+=("$row") ;; esac
    done
    ROWS=("${SHORT[@]}")
fi

# Empirical bias correction, if this dfq-opt has it: calibrated on the first
# images of labels.csv and evaluated on the others, next to analytic DFQ on
# those same images.
HOLDOUT="$OUT/holdout"
CALIBRATION="$OUT/calibration-$CALIBRATION_IMAGES.npy"
HELP=$("$BIN/dfq-opt" --help)
if [ "$TABLE" = short ]; then
    CALIBRATE=""
elif grep -q -- '--calibration' <<<"$HELP"; then
    CALIBRATE="--dfq --calibration $CALIBRATION"
elif grep -q 'calibration=' <<<"$HELP"; then
    CALIBRATE="--equalize --absorb-bias --quantize --bias-correct=calibration=$CALIBRATION"
else
    CALIBRATE=""
    echo "paper_table.sh: dfq-opt has no calibration option: no empirical bias-correction row" >&2
fi
if [ -n "$CALIBRATE" ]; then
    PYTHON=tools/efficientnet/.venv/bin/python   # NumPy and Pillow, from convert.py
    [ -f "$CALIBRATION" ] && [ -f "$HOLDOUT/labels.csv" ] ||
        "$PYTHON" tools/results/calibration.py "$DATA" "$CALIBRATION_IMAGES" "$CALIBRATION" "$HOLDOUT"
    ROWS+=(
        "dfq-holdout|DFQ (analytic), on the held-out images|--dfq|"
        "dfq-empirical|DFQ with empirical bias correction ($CALIBRATION_IMAGES calibration images)|$CALIBRATE|"
    )
fi

LIMIT_FLAGS=()
[ -n "$LIMIT" ] && LIMIT_FLAGS=(--limit "$LIMIT")
TSV="$OUT/rows.tsv"
: >"$TSV"
FAILED=0
n=0
for row in "${ROWS[@]}"; do
    IFS='|' read -r id what flags paper <<<"$row"
    n=$((n + 1))
    echo "[$n/${#ROWS[@]}] $what: $flags" >&2
    data=$DATA
    [[ $id == dfq-holdout || $id == dfq-empirical ]] && data=$HOLDOUT
    json="$OUT/$id.json"
    status=ok
    if [ "$flags" = "-" ]; then
        # The FP32 model is the reference: no agreement to measure.
        "$BIN/dfq-run" "$FP32" --eval "$data" "${LIMIT_FLAGS[@]}" --json "$json" --quiet >&2 || status="dfq-run failed"
    else
        model="$OUT/$id.mlir"
        read -r -a args <<<"$flags"
        if "$BIN/dfq-opt" "${args[@]}" "$FP32" -o "$model" 2>"$OUT/$id.opt.log"; then
            "$BIN/dfq-run" "$model" --eval "$data" "${LIMIT_FLAGS[@]}" --reference "$FP32" --json "$json" --quiet >&2 ||
                status="dfq-run failed"
        else
            status="dfq-opt failed (see $OUT/$id.opt.log)"
        fi
    fi
    [ "$status" = ok ] || { FAILED=1; echo "paper_table.sh: $id: $status" >&2; }
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$what" "$flags" "$paper" "$status" "$json" >>"$TSV"
done

# The figures (per-channel weight ranges before/after CLE, per-layer weight
# SQNR) and the per-layer report of the DFQ row.
if [ -n "$REPORT" ]; then
    echo "report: dfq-opt --dfq --report $REPORT/" >&2
    "$BIN/dfq-opt" --dfq "$FP32" -o "$OUT/dfq-report.mlir" --report "$REPORT/" 2>"$OUT/report.log" ||
        { FAILED=1; echo "paper_table.sh: dfq-opt --report failed (see $OUT/report.log)" >&2; }
fi

python3 - "$TSV" "$RESULTS" "${LIMIT:-all}" "$DATA" "$CALIBRATION_IMAGES" "$MODEL" "$MARKER" "$TABLE" "$SIZE" <<'EOF'
import datetime, json, os, re, sys

tsv, results, limit, data, calibration, model, marker, table, size = sys.argv[1:]
name = f"EfficientNet-{model.capitalize()}"
total = sum(1 for _ in open(f"{data}/labels.csv")) - 1  # without the header
lines = [
    f"<!-- {marker}:begin -->",
    "<!-- Generated by tools/results/paper_table.sh: edit the script, not this table. -->" if model == "lite0" else
    f"<!-- Generated by MODEL={model} tools/results/paper_table.sh: edit the script, not this table. -->",
    "",
    "| pipeline | `dfq-opt` flags | images | top-1 % | top-5 % | agreement with FP32 % | paper: MobileNetV2 top-1 % |",
    "|---|---|---|---|---|---|---|",
]
engines = set()
for line in open(tsv):
    id_, what, flags, paper, status, path = line.rstrip("\n").split("\t")
    if table == "short" and id_ == "dfq":
        what = "DFQ: fold-bn, CLE, absorb-bias, bias-correct (analytic)"
    flags = "(the model itself)" if flags == "-" else f"`{flags}`"
    paper = paper or "–"
    if status != "ok":
        lines.append(f"| {what} | {flags} | – | {status} | – | – | {paper} |")
        continue
    r = json.load(open(path))
    engines.add(r.get("engine") or "dfq-run's default engine")
    pct = lambda x: "–" if x is None else f"{100 * x:.1f}"
    agreement = "(reference)" if r["reference"] is None else pct(r["agreement"])
    lines.append(f"| {what} | {flags} | {r['evaluated']} | {pct(r['top1'])} | {pct(r['top5'])} | {agreement} | {paper} |")
sample = "all images" if limit == "all" else f"`LIMIT={limit}`: {limit} images spread over the classes (`dfq-run --limit`)"
common = (f"{name} on `{data}`, {sample}; W8A8 per-tensor asymmetric unless the row says "
          f"otherwise; evaluated with {', '.join(sorted(engines)) or '–'}; generated on "
          f"{datetime.date.today().isoformat()}.")
if table == "full":
    caption = (
        f"{common} Every row is data-free (dfq-opt reads no image) except the "
        f"empirical bias-correction one (present only when dfq-opt has a calibration option): it measures the "
        f"shift on the first {calibration} images of labels.csv, so it and the analytic DFQ row beside it "
        f"are evaluated on the other {total - int(calibration)} images only (with `LIMIT`, on as many of "
        "those, so not the same images as the other rows). "
        "The paper's column is Nagel et al. 2019's MobileNetV2 on the ImageNet validation set, a different "
        "model and data set: compare the steps' effects, not the numbers. Its CLE and absorb-bias rows "
        "replace ReLU6 by ReLU, as in its ablation.")
else:
    caption = (
        f"{common} Input {size}×{size} (`dfq-run --eval` resizes the shorter side to "
        f"{round(int(size) * 256 / 224)} first). Every row is data-free. "
        "The paper's column is Nagel et al. 2019's MobileNetV2 on the ImageNet validation set, a different "
        "model and data set: compare the steps' effects, not the numbers.")
lines += ["", caption, f"<!-- {marker}:end -->"]
text = open(results).read()
block = re.compile(rf"<!-- {re.escape(marker)}:begin -->.*?<!-- {re.escape(marker)}:end -->", re.S)
# Atomically: an interrupted run leaves the old file.
with open(results + ".tmp", "w") as f:
    f.write(block.sub(lambda _: "\n".join(lines), text, count=1))
os.replace(results + ".tmp", results)
print(f"wrote the table into {results}", file=sys.stderr)
EOF
exit $FAILED
