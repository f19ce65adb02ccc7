#!/usr/bin/env python3
"""Writes tools/eval/reference/: images and the model inputs Pillow + NumPy make
of them, which `dfq-run --eval`'s preprocessing must reproduce within 1e-5
(crates/dfq-cli/src/run/eval/preprocess.rs, its tests).

    python3 tools/eval/preprocess_ref.py [--data ../shared/data/imagenet-sample]

The two sample photos are stored as PNG (the pixels Pillow decodes from the
JPEG), so that the test checks resizing, cropping and normalization and not the
JPEG decoder (Rust's differs from libjpeg-turbo by a few levels: see README.md).

The first run creates tools/eval/.venv and installs the pinned NumPy and Pillow
into it; the script then re-runs itself there.
"""

import argparse
import os
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
VENV = HERE / ".venv"
PACKAGES = ["numpy==2.4.6", "pillow==12.0.0"]
OUT = HERE / "reference"

# (name in reference/, sample file): a 500x375 RGB photo (downscaled) and a
# 183x280 greyscale portrait (upscaled, grey replicated into RGB).
SAMPLES = [("tench", "n01440764_tench.JPEG"), ("nail", "n03804744_nail.JPEG")]


def ensure_venv():
    """Re-runs this script with the interpreter of tools/eval/.venv, creating it first."""
    if os.environ.get("DFQ_EVAL_VENV") == "1":
        return
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV} and installing {' '.join(PACKAGES)} ...", file=sys.stderr)
        venv.create(VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PACKAGES], check=True)
    os.execve(str(python), [str(python), __file__, *sys.argv[1:]], {**os.environ, "DFQ_EVAL_VENV": "1"})


def preprocess(image, crop, normalization):
    """tools/efficientnet/imagenet_sample.py's preprocessing for any crop size: the
    shorter side resized to round(crop * 256 / 224) (Pillow bilinear, long side
    rounded), centre crop (offset floored), normalized, CHW float32."""
    import numpy as np
    from PIL import Image

    short = round(crop * 256 / 224)
    image = image.convert("RGB")
    w, h = image.size
    size = (short, round(short * h / w)) if w <= h else (round(short * w / h), short)
    image = image.resize(size, Image.BILINEAR)
    w, h = image.size
    left, top = (w - crop) // 2, (h - crop) // 2
    pixels = np.asarray(image.crop((left, top, left + crop, top + crop)), dtype=np.float32)
    if normalization == "efficientnet":
        x = (pixels - 127.0) / 128.0
    else:  # torchvision's ToTensor + Normalize, in float32
        mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
        std = np.array([0.229, 0.224, 0.225], dtype=np.float32)
        x = (pixels / np.float32(255.0) - mean) / std
    return np.ascontiguousarray(x.transpose(2, 0, 1), dtype=np.float32)


def main():
    ensure_venv()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "imagenet-sample"),
                   help="the ImageNet sample directory")
    args = p.parse_args()

    import numpy as np
    from PIL import Image

    sys.path.insert(0, str(REPO / "tools" / "efficientnet"))
    import imagenet_sample  # the path that reproduces MODELS.md's 88.6%

    OUT.mkdir(exist_ok=True)
    for name, sample in SAMPLES:
        decoded = Image.open(Path(args.data) / sample)
        decoded.load()
        decoded.save(OUT / f"{name}.png", optimize=True)
        x = preprocess(Image.open(OUT / f"{name}.png"), 224, "efficientnet")
        # The generalized function must be exactly the one that measured the FP32 accuracy.
        assert np.array_equal(x, imagenet_sample.preprocess(Path(args.data) / sample)), name
        np.save(OUT / f"{name}.npy", x)
        print(f"{name}: {decoded.mode} {decoded.size[0]}x{decoded.size[1]} -> {x.shape}")

    # Small noise images for the ImageNet normalization and both resize directions.
    rng = np.random.default_rng(0)
    for name, (w, h) in [("noise", (61, 45)), ("small", (13, 20))]:
        Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(OUT / f"{name}.png")
        x = preprocess(Image.open(OUT / f"{name}.png"), 32, "imagenet")
        np.save(OUT / f"{name}.imagenet.npy", x)
        print(f"{name}: RGB {w}x{h} -> {x.shape}")


if __name__ == "__main__":
    main()
