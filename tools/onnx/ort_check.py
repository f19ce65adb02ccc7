#!/usr/bin/env python3
"""Checks a model written by `dfq-translate --export-onnx` against dfq's own output.

    tools/onnx/ort_check.sh MODEL.onnx --input X.npy --expected Y.npy [--mode auto|qdq|fp32]

Run it through ort_check.sh, which provides a venv with the pinned onnx,
onnxruntime and numpy. The checker

1. validates the model with onnx.checker (full check, with shape inference);
2. runs it in onnxruntime (CPU) on the inputs, once with graph optimizations
   off (ONNX's reference meaning of every node) and once with all of them on
   (what users get: onnxruntime fuses QDQ groups into integer kernels);
3. compares each output with the expected one (dfq-run's output for the same
   input), element by element:
   - QDQ model (the output comes from a DequantizeLinear, possibly through
     Reshape/Flatten/Identity): |ort - dfq| <= s + 1e-5 * max(1, |dfq|), where s
     is that DequantizeLinear's scale (the largest one if per-axis), i.e. one
     quantization step of the output plus float slack (--steps N allows N);
   - FP32 model: |ort - dfq| <= 1e-4 * max(1, |dfq|).
   --mode forces one rule; auto picks QDQ when the graph has any
   DequantizeLinear. For an [N, C] output it also reports whether the top-1
   class of each row agrees.

Exit status: 0 when every output agrees under every optimization level checked,
1 when one does not, 2 on a usage error (including an unreadable file), 3 when
a Python package is missing (run ort_check.sh, not this file directly).
"""

import argparse
import sys

QDQ_SLACK = 1e-5
FP32_RTOL = 1e-4
# Nodes that pass a dequantized tensor's values through unchanged.
PASS_THROUGH = {"Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze"}
LEVELS = ["disable", "all"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="the exported .onnx model")
    parser.add_argument("--input", "-i", action="append", required=True, help=".npy for each graph input, in order")
    parser.add_argument("--expected", "-e", action="append", required=True,
                        help=".npy of dfq's output for each graph output, in order")
    parser.add_argument("--mode", choices=["auto", "qdq", "fp32"], default="auto")
    parser.add_argument("--opt-level", choices=LEVELS + ["both"], default="both",
                        help="onnxruntime graph optimizations to check with (default: both)")
    parser.add_argument("--steps", type=float, default=1.0,
                        help="QDQ tolerance in output quantization steps (default 1)")
    args = parser.parse_args()

    try:
        import numpy as np
        import onnx
        import onnxruntime as ort
    except ImportError as e:
        print(f"ort_check: {e}; run tools/onnx/ort_check.sh, which installs the packages", file=sys.stderr)
        return 3

    try:
        model = onnx.load(args.model)
        inputs = [np.load(p) for p in args.input]
        expected = [np.load(p) for p in args.expected]
    except (OSError, ValueError, onnx.onnx_cpp2py_export.checker.ValidationError) as e:
        print(f"ort_check: {e}", file=sys.stderr)
        return 2
    onnx.checker.check_model(model, full_check=True)
    graph = model.graph
    if len(inputs) != len(graph.input) or len(expected) != len(graph.output):
        print(f"ort_check: the model has {len(graph.input)} input(s) and {len(graph.output)} output(s); "
              f"got {len(inputs)} --input and {len(expected)} --expected", file=sys.stderr)
        return 2

    qdq = args.mode == "qdq" or (args.mode == "auto" and any(n.op_type == "DequantizeLinear" for n in graph.node))
    steps = [output_step(graph, o.name) if qdq else None for o in graph.output]
    if qdq and None in steps:
        missing = [o.name for o, s in zip(graph.output, steps) if s is None]
        print(f"ort_check: QDQ mode, but output(s) {missing} do not come from a DequantizeLinear "
              f"(through {sorted(PASS_THROUGH)}), so they have no quantization step", file=sys.stderr)
        return 2

    print(f"model     {args.model}  (opset {opset(model)}, {len(graph.node)} nodes, "
          f"onnxruntime {ort.__version__})")
    steps = [None if s is None else s * args.steps for s in steps]
    print("rule      " + (f"QDQ: |ort - dfq| <= {args.steps:g} * step + {QDQ_SLACK:g} * max(1, |dfq|)" if qdq
                          else f"FP32: |ort - dfq| <= {FP32_RTOL:g} * max(1, |dfq|)"))
    feeds = {i.name: x for i, x in zip(graph.input, inputs)}
    ok = True
    for level in (LEVELS if args.opt_level == "both" else [args.opt_level]):
        options = ort.SessionOptions()
        options.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_DISABLE_ALL if level == "disable"
                                            else ort.GraphOptimizationLevel.ORT_ENABLE_ALL)
        session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
        results = session.run(None, feeds)
        for out, got, want, step in zip(graph.output, results, expected, steps):
            ok &= compare(np, f"{out.name} [opt {level}]", got, want, step, args.steps)
    print("result    " + ("agree" if ok else "DISAGREE"))
    return 0 if ok else 1


def compare(np, label, got, want, tolerance, steps):
    if got.shape != want.shape:
        print(f"{label}: shape {got.shape} from onnxruntime, {want.shape} expected")
        return False
    got = got.astype(np.float64)
    want = want.astype(np.float64)
    diff = np.abs(got - want)
    diff[np.isnan(diff)] = np.inf
    scale = np.maximum(1.0, np.abs(want))
    if tolerance is None:
        bound = FP32_RTOL * scale
        detail = f"max rel {np.max(diff / scale):.3g}"
    else:
        step = tolerance / steps
        bound = tolerance + QDQ_SLACK * scale
        steps_off = np.rint(diff / step)
        detail = (f"step {step:.6g}, max {np.max(diff) / step:.3g} steps, "
                  f"{int(np.count_nonzero(steps_off))} of {diff.size} elements off by >= 1 step")
    if got.ndim == 2 and got.shape[1] >= 2:
        same = int(np.count_nonzero(got.argmax(axis=1) == want.argmax(axis=1)))
        detail += f", top-1 agrees in {same} of {got.shape[0]} rows"
    bad = int(np.count_nonzero(diff > bound))
    print(f"{label}: max |ort - dfq| = {np.max(diff):.6g} ({detail}); "
          + ("ok" if bad == 0 else f"{bad} elements beyond tolerance"))
    return bad == 0


def output_step(graph, name):
    """The scale of the DequantizeLinear that `name` comes from, through pass-through nodes."""
    producers = {o: n for n in graph.node for o in n.output}
    inits = {t.name: t for t in graph.initializer}
    import onnx.numpy_helper as nh
    while name in producers:
        node = producers[name]
        if node.op_type == "DequantizeLinear":
            scale = inits.get(node.input[1])
            return None if scale is None else float(nh.to_array(scale).max())
        if node.op_type not in PASS_THROUGH:
            return None
        name = node.input[0]
    return None


def opset(model):
    return next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), "?")


if __name__ == "__main__":
    sys.exit(main())
