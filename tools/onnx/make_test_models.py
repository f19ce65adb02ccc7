#!/usr/bin/env python3
"""Builds the small ONNX models that test dfq-translate --import-onnx, and their
expected outputs from onnxruntime.

    python3 tools/onnx/make_test_models.py     # writes lit-tests/translate/Inputs/

Each model exercises a group of operators in the forms exporters write (TF-style
auto_pad, BN unfolded, Clip in both opset forms, MatMul + Add, ...). For a model
that runs, the script also writes NAME.input.npy (a seeded random input) and
NAME.expected.npy (onnxruntime's output with graph optimizations off); the Rust
test crates/dfq-onnx/tests/onnxruntime_parity.rs imports the model, runs it in
dfq's interpreter and compares. The lit tests in lit-tests/translate/ check the
imported text. Everything is a pure function of the seeds below: rerunning
rewrites the same files.

The first run creates tools/onnx/.venv and installs the pinned packages from
PyPI into it; later runs reuse it.
"""

import os
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
PACKAGES = ["numpy==2.4.6", "onnx==1.23.2", "onnxruntime==1.31.1"]
OUT = HERE.parent.parent / "lit-tests" / "translate" / "Inputs"
SEED = 20241101


def ensure_venv():
    """Re-runs this script with the interpreter of tools/onnx/.venv, creating it first."""
    if os.environ.get("DFQ_ONNX_VENV") == "1":
        return
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV} and installing {' '.join(PACKAGES)} ...", file=sys.stderr)
        venv.create(VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PACKAGES], check=True)
    os.execve(str(python), [str(python), __file__, *sys.argv[1:]], {**os.environ, "DFQ_ONNX_VENV": "1"})


class Graph:
    """Collects nodes and initializers; weights come from one seeded generator."""

    def __init__(self, np, onnx, seed):
        self.np, self.onnx = np, onnx
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits = [], []

    def weight(self, name, shape, std=0.5, low=None, high=None):
        if low is not None:
            value = self.rng.uniform(low, high, shape)
        else:
            value = self.rng.standard_normal(shape) * std
        return self.const(name, value.astype(self.np.float32))

    def const(self, name, array):
        self.inits.append(self.onnx.numpy_helper.from_array(self.np.asarray(array), name))
        return name

    def node(self, op, inputs, outputs, name=None, **attrs):
        name = name or f"{op.lower()}_{len(self.nodes)}"
        self.nodes.append(self.onnx.helper.make_node(op, inputs, outputs, name=name, **attrs))
        return outputs[0]

    def conv_bn(self, x, cin, cout, k, name, stride=1, groups=1, auto_pad="SAME_UPPER"):
        """Conv (no bias) + BatchNormalization with epsilon 1e-3, as TF exports write them."""
        w = self.weight(f"{name}.weight", (cout, cin // groups, k, k), std=(2.0 / (cin // groups * k * k)) ** 0.5)
        y = self.node("Conv", [x, w], [f"{name}_conv"], name=f"{name}/Conv", strides=[stride, stride],
                      group=groups, auto_pad=auto_pad, kernel_shape=[k, k])
        bn = [self.weight(f"{name}.bn.{p}", (cout,), low=lo, high=hi)
              for p, lo, hi in [("gamma", 0.5, 1.5), ("beta", -0.5, 0.5), ("mean", -0.2, 0.2), ("var", 0.5, 2.0)]]
        return self.node("BatchNormalization", [y, *bn], [f"{name}_bn"], name=f"{name}/BatchNorm", epsilon=1e-3)

    def model(self, inputs, outputs, opset):
        h = self.onnx.helper
        graph = h.make_graph(self.nodes, "test", inputs, outputs, self.inits)
        model = h.make_model(graph, opset_imports=[h.make_opsetid("", opset)], producer_name="dfq make_test_models.py")
        model.ir_version = 8
        self.onnx.checker.check_model(model)
        return model


def tensor(onnx, name, shape):
    return onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, shape)


def conv_pads(np, onnx):
    """Conv with every padding form: SAME_UPPER/SAME_LOWER on stride 2, explicit
    asymmetric pads with dilation and bias, VALID, depthwise groups."""
    g = Graph(np, onnx, SEED + 1)
    a = g.node("Conv", ["x", g.weight("w_same_upper", (4, 3, 3, 3))], ["same_upper"], strides=[2, 2], auto_pad="SAME_UPPER")
    b = g.node("Conv", [a, g.weight("w_depthwise", (4, 1, 3, 3))], ["same_lower_dw"], strides=[2, 2], group=4, auto_pad="SAME_LOWER")
    c = g.node("Conv", [b, g.weight("w_dilated", (6, 4, 3, 3)), g.weight("b_dilated", (6,))], ["dilated"],
               pads=[2, 1, 1, 2], dilations=[2, 1])
    g.node("Conv", [c, g.weight("w_valid", (2, 6, 1, 1))], ["y"], auto_pad="VALID")
    return g.model([tensor(onnx, "x", [1, 3, 8, 8])], [tensor(onnx, "y", [1, 2, 1, 3])], 13), (1, 3, 8, 8)


def activations(np, onnx):
    """BN kept, Clip(0, 6) and Clip(-1, 1) in the opset-11+ input form, PRelu, Sigmoid, Mul, Add."""
    g = Graph(np, onnx, SEED + 2)
    x = g.conv_bn("x", 3, 4, 3, "stem", stride=2)
    zero, six = g.const("zero", np.float32(0.0)), g.const("six", np.float32(6.0))
    x = g.node("Clip", [x, zero, six], ["relu6"])
    x = g.node("PRelu", [x, g.weight("slope", (4, 1, 1), low=0.05, high=0.3)], ["prelu"])
    x = g.node("Clip", [x, g.const("minus_one", np.float32(-1.0)), g.const("one", np.float32(1.0))], ["clip"])
    s = g.node("Sigmoid", [x], ["sigmoid"])
    m = g.node("Mul", [s, g.weight("channel_scale", (1, 4, 1, 1))], ["scaled"])
    r = g.node("Relu", [x], ["relu"])
    g.node("Add", [m, r], ["y"])
    return g.model([tensor(onnx, "x", [1, 3, 8, 8])], [tensor(onnx, "y", [1, 4, 4, 4])], 13), (1, 3, 8, 8)


def legacy_opset10(np, onnx):
    """Opset 10: Clip bounds as attributes, Softmax over the flattened trailing
    axes, Dropout with its ratio attribute."""
    g = Graph(np, onnx, SEED + 3)
    x = g.node("Conv", ["x", g.weight("w", (4, 2, 3, 3)), g.weight("b", (4,))], ["conv"], pads=[1, 1, 1, 1])
    x = g.node("Clip", [x], ["relu6"], min=0.0, max=6.0)
    x = g.node("Clip", [x], ["clip"], min=0.25, max=2.5)
    x = g.node("Dropout", [x], ["dropped"], ratio=0.2)
    g.node("Softmax", [x], ["y"], axis=1)
    return g.model([tensor(onnx, "x", [1, 2, 3, 3])], [tensor(onnx, "y", [1, 4, 3, 3])], 10), (1, 2, 3, 3)


def pools(np, onnx):
    """MaxPool with pads and in ceil mode, AveragePool counting pads or not and
    with SAME_UPPER, GlobalAveragePool, Concat."""
    g = Graph(np, onnx, SEED + 4)
    a = g.node("MaxPool", ["x"], ["max_padded"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    b = g.node("MaxPool", ["x"], ["max_ceil"], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
    c = g.node("AveragePool", ["x"], ["avg_incl"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1)
    d = g.node("AveragePool", ["x"], ["avg_same"], kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER")
    cat = g.node("Concat", [a, b, c, d], ["cat"], axis=1)
    g.node("GlobalAveragePool", [cat], ["y"])
    return g.model([tensor(onnx, "x", [1, 2, 8, 8])], [tensor(onnx, "y", [1, 8, 1, 1])], 13), (1, 2, 8, 8)


def head(np, onnx):
    """Classifier heads: GAP + Flatten + Gemm(transB=1) + Softmax; Reshape +
    MatMul + Add (one nn.linear); Gemm(transB=0) with alpha and beta; Identity."""
    g = Graph(np, onnx, SEED + 5)
    f = g.node("Flatten", [g.node("GlobalAveragePool", ["x"], ["gap"])], ["flat"])
    logits = g.node("Gemm", [f, g.weight("fc.weight", (5, 4)), g.weight("fc.bias", (5,))], ["logits"], transB=1)
    probs = g.node("Softmax", [logits], ["probs"])
    r = g.node("Reshape", ["x", g.const("shape", np.array([1, -1], dtype=np.int64))], ["rows"])
    p = g.node("MatMul", [r, g.weight("proj.weight", (36, 5), std=0.2)], ["proj"])
    q = g.node("Add", [p, g.weight("proj.bias", (5,))], ["proj_biased"])
    t = g.node("Gemm", [q, g.weight("mix.weight", (5, 5)), g.weight("mix.bias", (1, 5))], ["mixed"], alpha=0.5, beta=2.0)
    s = g.node("Add", [probs, t], ["sum"])
    g.node("Identity", [s], ["y"])
    return g.model([tensor(onnx, "x", [1, 4, 3, 3])], [tensor(onnx, "y", [1, 5])], 13), (1, 4, 3, 3)


def tiny_mobilenet(np, onnx):
    """A MobileNetV2/EfficientNet-Lite block: stem, expand, depthwise (stride 2,
    TF SAME), project, residual, head; BN unfolded (eps 1e-3), ReLU6 as Clip."""
    g = Graph(np, onnx, SEED + 6)
    zero, six = g.const("relu6_min", np.float32(0.0)), g.const("relu6_max", np.float32(6.0))

    def relu6(x):
        return g.node("Clip", [x, zero, six], [f"{x}_relu6"])

    x = relu6(g.conv_bn("x", 3, 8, 3, "stem", stride=2))
    y = relu6(g.conv_bn(x, 8, 16, 1, "block1.expand"))
    y = relu6(g.conv_bn(y, 16, 16, 3, "block1.dw", groups=16))
    y = g.conv_bn(y, 16, 8, 1, "block1.project")
    x = g.node("Add", [x, y], ["block1_out"])
    x = relu6(g.conv_bn(x, 8, 16, 3, "block2.dw", stride=2, groups=8))
    x = relu6(g.conv_bn(x, 16, 12, 1, "head"))
    x = g.node("Flatten", [g.node("GlobalAveragePool", [x], ["pool"])], ["features"])
    g.node("Gemm", [x, g.weight("classifier.weight", (10, 12)), g.weight("classifier.bias", (10,))], ["logits"], transB=1)
    return g.model([tensor(onnx, "x", [1, 3, 16, 16])], [tensor(onnx, "logits", [1, 10])], 13), (1, 3, 16, 16)


def dynamic_batch(np, onnx):
    """The batch dimension is symbolic: import needs --input-shape."""
    g = Graph(np, onnx, SEED + 7)
    x = g.node("Conv", ["x", g.weight("w", (4, 3, 3, 3))], ["conv"], pads=[1, 1, 1, 1])
    g.node("Relu", [x], ["y"])
    return g.model([tensor(onnx, "x", ["batch", 3, 5, 5])], [tensor(onnx, "y", ["batch", 4, 5, 5])], 13), (2, 3, 5, 5)


def unsupported(np, onnx):
    """Operators dfq does not import, among supported ones: the error lists each."""
    g = Graph(np, onnx, SEED + 8)
    s = g.node("Shape", ["x"], ["shape"], name="shape_of_x")
    r = g.node("Relu", ["x"], ["relu"], name="relu")
    u = g.node("Resize", [r, "", g.const("scales", np.array([1, 1, 2, 2], dtype=np.float32))], ["up"], name="upsample", mode="nearest")
    e = g.node("Erf", [u], ["erf"], name="gelu/erf")
    g.node("Resize", [e, "", "scales"], ["y"], name="upsample_again", mode="nearest")
    del s
    return g.model([tensor(onnx, "x", [1, 2, 4, 4])], [tensor(onnx, "y", [1, 2, 16, 16])], 13), None


MODELS = [conv_pads, activations, legacy_opset10, pools, head, tiny_mobilenet, dynamic_batch, unsupported]


def main():
    ensure_venv()
    import numpy as np
    import onnx
    import onnxruntime as ort

    OUT.mkdir(parents=True, exist_ok=True)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    for make in MODELS:
        name = make.__name__
        model, input_shape = make(np, onnx)
        path = OUT / f"{name}.onnx"
        onnx.save(model, str(path))
        line = f"{path.relative_to(HERE.parent.parent)}: {len(model.graph.node)} nodes"
        if input_shape is not None:
            rng = np.random.default_rng(SEED)
            x = rng.uniform(-1.5, 1.5, input_shape).astype(np.float32)
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            (y,) = session.run(None, {session.get_inputs()[0].name: x})
            np.save(OUT / f"{name}.input.npy", x)
            np.save(OUT / f"{name}.expected.npy", y.astype(np.float32))
            line += f", input {list(x.shape)} -> output {list(y.shape)}"
        print(line)


if __name__ == "__main__":
    main()
