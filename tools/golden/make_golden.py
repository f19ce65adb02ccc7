#!/usr/bin/env python3
"""Builds dfq-run's golden test: a small fixed network, an input, and the network's
output computed by NumPy alone.

One source for everything: the weights are drawn here with a fixed NumPy seed;
this script writes them into golden_net.mlir (the model dfq runs) and also uses
them, in float64, for its own forward pass, which is saved as expected.npy. It
parses nothing of dfq, so a bug shared by dfq's parser and interpreter cannot
hide in both sides of the comparison.

    python3 tools/golden/make_golden.py        # writes golden_net.mlir, input.npy, expected.npy

The first run creates tools/golden/.venv and installs the pinned NumPy from PyPI
into it; later runs reuse it. See README.md beside this file.
"""

import os
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
NUMPY = "numpy==2.4.6"
SEED = 20240611


def ensure_venv():
    """Re-runs this script with the interpreter of tools/golden/.venv, creating it first."""
    if os.environ.get("DFQ_GOLDEN_VENV") == "1":
        return
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV} and installing {NUMPY} ...", file=sys.stderr)
        venv.create(VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", NUMPY], check=True)
    os.execve(str(python), [str(python), __file__, *sys.argv[1:]], {**os.environ, "DFQ_GOLDEN_VENV": "1"})


# ---------------------------------------------------------------- the network

def make_weights(np):
    """Every parameter, as float32. Scales are chosen so that ReLU6 clips at both
    ends somewhere: a network that never saturates would not test the 6."""
    rng = np.random.default_rng(SEED)
    f32 = np.float32

    def normal(shape, std):
        return (rng.standard_normal(shape) * std).astype(f32)

    def uniform(shape, lo, hi):
        return rng.uniform(lo, hi, shape).astype(f32)

    return {
        "x": uniform((2, 3, 11, 13), -1.0, 1.0),
        "w1": normal((8, 3, 3, 3), 0.9),
        "b1": normal((8,), 0.3),
        "gamma": uniform((8,), 0.5, 2.5),
        "beta": normal((8,), 1.5),
        "mean": normal((8,), 0.4),
        "var": uniform((8,), 0.2, 1.5),
        "w2": normal((8, 1, 3, 3), 1.0),
        "b2": normal((8,), 0.5),
        "w3": normal((8, 8, 1, 1), 0.6),
        "w4": normal((5, 8), 0.7),
        "b4": normal((5,), 0.2),
    }


EPSILON = 1e-3  # batch-norm epsilon, written as an f32 attribute
CONV1 = dict(stride=(2, 2), pads=(1, 2, 1, 0), groups=1)  # pads: top, left, bottom, right
DEPTHWISE = dict(stride=(1, 1), pads=(1, 1, 1, 1), groups=8)
POINTWISE = dict(stride=(1, 1), pads=(0, 0, 0, 0), groups=1)


def conv2d(np, x, w, b, stride, pads, groups):
    """ONNX Conv (NCHW, OIHW, no dilation): one einsum per kernel tap and group."""
    n, _, h, wd = x.shape
    o, cpg, kh, kw = w.shape
    top, left, bottom, right = pads
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    oh = (h + top + bottom - kh) // stride[0] + 1
    ow = (wd + left + right - kw) // stride[1] + 1
    opg = o // groups
    out = np.zeros((n, o, oh, ow))
    for g in range(groups):
        xs = xp[:, g * cpg:(g + 1) * cpg]
        ws = w[g * opg:(g + 1) * opg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i:i + stride[0] * oh:stride[0], j:j + stride[1] * ow:stride[1]]
                out[:, g * opg:(g + 1) * opg] += np.einsum("nchw,oc->nohw", patch, ws[:, :, i, j])
    if b is not None:
        out += b[None, :, None, None]
    return out


def conv2d_loops(np, x, w, b, stride, pads, groups):
    """The same convolution as seven plain loops: a cross-check of conv2d."""
    n, _, h, wd = x.shape
    o, cpg, kh, kw = w.shape
    top, left, bottom, right = pads
    oh = (h + top + bottom - kh) // stride[0] + 1
    ow = (wd + left + right - kw) // stride[1] + 1
    opg = o // groups
    out = np.zeros((n, o, oh, ow))
    for b_ in range(n):
        for oc in range(o):
            g = oc // opg
            for y in range(oh):
                for xx in range(ow):
                    acc = 0.0 if b is None else float(b[oc])
                    for c in range(cpg):
                        for i in range(kh):
                            for j in range(kw):
                                iy = y * stride[0] + i - top
                                ix = xx * stride[1] + j - left
                                if 0 <= iy < h and 0 <= ix < wd:
                                    acc += float(x[b_, g * cpg + c, iy, ix]) * float(w[oc, c, i, j])
                    out[b_, oc, y, xx] = acc
    return out


def forward(np, p, conv=conv2d):
    """The network in float64: what golden_net.mlir computes."""
    d = {k: v.astype(np.float64) for k, v in p.items()}
    eps = float(np.float32(EPSILON))
    relu6 = lambda t: np.clip(t, 0.0, 6.0)
    t = conv(np, d["x"], d["w1"], d["b1"], **CONV1)
    t = (t - d["mean"][None, :, None, None]) / np.sqrt(d["var"] + eps)[None, :, None, None]
    t = t * d["gamma"][None, :, None, None] + d["beta"][None, :, None, None]
    a = relu6(t)
    t = relu6(conv(np, a, d["w2"], d["b2"], **DEPTHWISE))
    t = conv(np, t, d["w3"], None, **POINTWISE)
    t = a + t
    t = t.mean(axis=(2, 3), keepdims=True)
    t = t.reshape(t.shape[0], -1)
    return t @ d["w4"].T + d["b4"], a


# ---------------------------------------------------------------- the MLIR text

def hex_dense(np, a):
    """dense<"0x..."> : raw little-endian float32 bytes, exact by construction."""
    return 'dense<"0x' + a.astype("<f4").tobytes().hex().upper() + '">'


def ty(shape):
    return "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"


def conv_attrs(stride, pads, groups):
    return (f"{{dilations = array<i64: 1, 1>, groups = {groups} : i64, "
            f"pads = array<i64: {', '.join(map(str, pads))}>, strides = array<i64: {stride[0]}, {stride[1]}>}}")


def emit_mlir(np, p, shapes):
    x, c1, out = shapes["x"], shapes["c1"], shapes["out"]
    lines = [
        "// The golden network of dfq-run's test (crates/dfq-cli/tests/run_cli.rs).",
        "// Generated by tools/golden/make_golden.py: do not edit, rerun the script.",
        "module {",
        f"  func.func @main(%x: {ty(x)} {{dfq.range = [-1.0, 1.0]}}) -> {ty(out)} {{",
    ]
    for name in ["w1", "b1", "gamma", "beta", "mean", "var", "w2", "b2", "w3", "w4", "b4"]:
        lines.append(f"    %{name} = arith.constant {hex_dense(np, p[name])} : {ty(p[name].shape)}")
    t, pooled, flat = ty(c1), ty(c1[:2] + (1, 1)), ty(c1[:2])
    w = lambda n: ty(p[n].shape)
    lines += [
        f'    %0 = "nn.conv2d"(%x, %w1, %b1) {conv_attrs(**CONV1)} : ({ty(x)}, {w("w1")}, {w("b1")}) -> {t}',
        f'    %1 = "nn.batch_norm"(%0, %gamma, %beta, %mean, %var) {{epsilon = {EPSILON!r} : f32}} '
        f': ({t}, {w("gamma")}, {w("beta")}, {w("mean")}, {w("var")}) -> {t}',
        f'    %2 = "nn.relu6"(%1) : ({t}) -> {t}',
        f'    %3 = "nn.conv2d"(%2, %w2, %b2) {conv_attrs(**DEPTHWISE)} : ({t}, {w("w2")}, {w("b2")}) -> {t}',
        f'    %4 = "nn.relu6"(%3) : ({t}) -> {t}',
        f'    %5 = "nn.conv2d"(%4, %w3) {conv_attrs(**POINTWISE)} : ({t}, {w("w3")}) -> {t}',
        f'    %6 = "nn.add"(%2, %5) : ({t}, {t}) -> {t}',
        f'    %7 = "nn.global_avg_pool"(%6) : ({t}) -> {pooled}',
        f'    %8 = "nn.flatten"(%7) {{axis = 1 : i64}} : ({pooled}) -> {flat}',
        f'    %9 = "nn.linear"(%8, %w4, %b4) : ({flat}, {w("w4")}, {w("b4")}) -> {ty(out)}',
        f"    return %9 : {ty(out)}",
        "  }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def main():
    ensure_venv()
    import numpy as np

    p = make_weights(np)
    expected, a = forward(np, p)
    reference, _ = forward(np, p, conv=conv2d_loops)
    assert np.allclose(expected, reference, rtol=1e-12, atol=1e-12), "einsum and loop convolutions disagree"
    clipped_high, clipped_low = float((a >= 6.0).mean()), float((a <= 0.0).mean())
    assert clipped_high > 0 and clipped_low > 0, "ReLU6 must clip at both ends somewhere"

    shapes = {"x": p["x"].shape, "c1": a.shape, "out": expected.shape}
    (HERE / "golden_net.mlir").write_text(emit_mlir(np, p, shapes))
    np.save(HERE / "input.npy", p["x"])
    np.save(HERE / "expected.npy", expected.astype(np.float32))
    print(f"wrote golden_net.mlir, input.npy {p['x'].shape}, expected.npy {expected.shape} "
          f"(numpy {np.__version__}; first ReLU6 clips {clipped_low:.0%} at 0 and {clipped_high:.0%} at 6)")


if __name__ == "__main__":
    main()
