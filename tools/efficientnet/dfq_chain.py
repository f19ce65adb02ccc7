"""Runs the model through dfq: dfq-translate --import-onnx, dfq-opt --fold-bn,
and dfq-run on both modules for one sample image, comparing the logits with
onnxruntime's."""

import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

import imagenet_sample

REPO = Path(__file__).resolve().parent.parent.parent


def _binaries(bin_dir):
    candidates = [Path(bin_dir)] if bin_dir else [REPO / "target" / "release", REPO / "target" / "debug"]
    for d in candidates:
        if all((d / tool).exists() for tool in ("dfq-translate", "dfq-opt", "dfq-run")):
            return d
    raise SystemExit(f"dfq binaries not found in {', '.join(map(str, candidates))}: "
                     "build them with `cargo build --release -p dfq-cli`")


def _timed(cmd):
    t0 = time.perf_counter()
    subprocess.run([str(c) for c in cmd], check=True)
    return time.perf_counter() - t0


def check(onnx_path, run_onnxruntime, data_dir, bin_dir=None, crop=224):
    bins = _binaries(bin_dir)
    mlir = onnx_path.with_suffix(".mlir")
    folded = onnx_path.with_suffix(".folded.mlir")
    t = _timed([bins / "dfq-translate", "--import-onnx", onnx_path, "--input-shape", f"1,3,{crop},{crop}",
                "--input-range=efficientnet", "-o", mlir])
    print(f"dfq-translate --import-onnx: {mlir} ({mlir.stat().st_size / 1e6:.1f} MB, {t:.2f} s)")
    t = _timed([bins / "dfq-opt", "--fold-bn", mlir, "-o", folded])
    print(f"dfq-opt --fold-bn: {folded} ({t:.2f} s)")
    name, label = imagenet_sample.load_labels(data_dir, 1)[0]
    x = imagenet_sample.preprocess(Path(data_dir) / name, crop)[None]
    expected = run_onnxruntime(x)[0]
    with tempfile.TemporaryDirectory() as tmp:
        np.save(Path(tmp) / "x.npy", x)
        for module in (mlir, folded):
            logits_path = Path(tmp) / "logits.npy"
            t = _timed([bins / "dfq-run", module, "-i", Path(tmp) / "x.npy", "-o", logits_path])
            logits = np.load(logits_path)[0]
            diff = float(np.max(np.abs(logits - expected)))
            print(f"dfq-run {module.name} on {name} (class {label}): top-1 {int(np.argmax(logits))} "
                  f"(onnxruntime {int(np.argmax(expected))}), max |logit difference| {diff:.2e} ({t:.1f} s)")
