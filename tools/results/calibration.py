"""Calibration inputs for the empirical bias-correction row of paper_table.sh, kept
apart from the images that row is evaluated on.

    calibration.py DATA COUNT OUT.npy HOLDOUT_DIR

writes the first COUNT images of DATA/labels.csv, preprocessed exactly as for
evaluation (tools/efficientnet/imagenet_sample.py), as one float32
(COUNT, 3, 224, 224) array, and makes HOLDOUT_DIR an evaluation directory of the
remaining images: a labels.csv of their rows and a symlink per image.

Needs NumPy and Pillow: run it with tools/efficientnet/.venv/bin/python (created
by tools/efficientnet/convert.py).
"""

import csv
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "efficientnet"))
from imagenet_sample import preprocess  # noqa: E402


def main():
    data, count, out, holdout = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
    with open(data / "labels.csv", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    calibration, rest = rows[:count], rows[count:]
    x = np.stack([preprocess(data / r["file"]) for r in calibration]).astype(np.float32)
    np.save(out, x)
    holdout.mkdir(parents=True, exist_ok=True)
    with open(holdout / "labels.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rest)
    for r in rest:
        link = holdout / r["file"]
        if not link.exists():
            os.symlink((data / r["file"]).resolve(), link)
    print(f"{out}: {x.shape[0]} calibration images; {holdout}: {len(rest)} evaluation images")


if __name__ == "__main__":
    main()
