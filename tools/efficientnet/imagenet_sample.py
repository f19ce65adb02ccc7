"""The ImageNet sample (shared/data/imagenet-sample): labels and EfficientNet-Lite
preprocessing: resize the shorter side to 256 (bilinear), centre-crop 224, RGB,
(x - 127) / 128. Other crops (Lite1's 240, Lite2's 260) keep the 224 : 256 ratio,
as `dfq-run --eval` does (crates/dfq-cli/src/run/eval/preprocess.rs): the shorter
side becomes round(crop * 256 / 224)."""

import csv
import math
from pathlib import Path

import numpy as np
from PIL import Image

RESIZE, CROP = 256, 224


def shorter_side(crop):
    """round(crop * 256 / 224), half away from zero as Rust's f64::round (a tie
    cannot occur: crop * 8 / 7 is never an odd multiple of 1/2)."""
    return int(math.floor(crop * RESIZE / CROP + 0.5))


def load_labels(data_dir, count):
    """`count` (file, class index) pairs spread evenly over the sample's 1000
    classes, so that a subset is not all fish and birds."""
    with open(Path(data_dir) / "labels.csv", newline="") as f:
        rows = [(r["file"], int(r["class_index"])) for r in csv.DictReader(f)]
    if count >= len(rows):
        return rows
    step = len(rows) / count
    return [rows[int(i * step)] for i in range(count)]


def preprocess(path, crop=CROP):
    """One image as a float32 (3, crop, crop) array."""
    image = Image.open(path).convert("RGB")  # 23 sample images are greyscale
    w, h = image.size
    # The long side is rounded and the crop offset floored: with these, the
    # FP32 row of MODELS.md (88.6% top-1 on all 1000 images) is reproduced exactly.
    short = shorter_side(crop)
    size = (short, round(short * h / w)) if w <= h else (round(short * w / h), short)
    image = image.resize(size, Image.BILINEAR)
    w, h = image.size
    left, top = (w - crop) // 2, (h - crop) // 2
    image = image.crop((left, top, left + crop, top + crop))
    pixels = np.asarray(image, dtype=np.float32)
    return ((pixels - 127.0) / 128.0).transpose(2, 0, 1).copy()


def evaluate(run, data_dir, count, batch=25, crop=CROP):
    """Top-1 and top-5 accuracy of `run` (a batch (N, 3, crop, crop) → logits
    (N, 1000) function) on `count` sample images."""
    labels = load_labels(data_dir, count)
    top1 = top5 = 0
    for start in range(0, len(labels), batch):
        chunk = labels[start:start + batch]
        x = np.stack([preprocess(Path(data_dir) / name, crop) for name, _ in chunk])
        logits = run(x)
        best = np.argsort(-logits, axis=1)[:, :5]
        for (_, label), guesses in zip(chunk, best):
            top1 += int(guesses[0] == label)
            top5 += int(label in guesses)
    return top1 / len(labels), top5 / len(labels), len(labels)
