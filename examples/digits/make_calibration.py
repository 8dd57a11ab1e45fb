#!/usr/bin/python3
"""Write the calibration batches of the digits models: X_calib_mlp.npy, X_calib_cnn.npy, y_calib.npy.

Run with Debian's interpreter (it has scikit-learn and numpy):

    /usr/bin/python3 examples/digits/make_calibration.py

`holo compile --calibrate X_calib_mlp.npy --calibrate-labels y_calib.npy` finds the laser power the chip needs
on this batch (docs/simulation.md#laser-power). The batch comes from the TRAINING split of train.py (same
data, preprocessing and split), never from the test images, so the accuracy measured on X_test_*.npy stays
held out: a stratified subset of CALIB_SAMPLES training images (train_test_split of the training split with
random_state=SEED). No randomness besides the seeded splits: a rerun on the same scikit-learn gives the same
bytes. The outputs are committed; not part of CI.
"""

import argparse
import pathlib

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 0  # as train.py
TEST_FRACTION = 0.25  # as train.py
CALIB_SAMPLES = 300
HERE = pathlib.Path(__file__).resolve().parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=HERE, help="output folder (default: next to this script)")
    args = parser.parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    # Exactly train.py's data, preprocessing and split.
    x_all, y_all = load_digits(return_X_y=True)
    x_all = (x_all / 16.0).astype(np.float32)
    y_all = y_all.astype(np.int64)
    x_train, _, y_train, _ = train_test_split(x_all, y_all, test_size=TEST_FRACTION, random_state=SEED, stratify=y_all)
    # A stratified subset of the training split.
    _, x_calib, _, y_calib = train_test_split(
        x_train, y_train, test_size=CALIB_SAMPLES, random_state=SEED, stratify=y_train
    )
    np.save(out / "y_calib.npy", y_calib.astype(np.int64))
    np.save(out / "X_calib_mlp.npy", np.ascontiguousarray(x_calib.reshape(-1, 64), dtype=np.float32))
    np.save(out / "X_calib_cnn.npy", np.ascontiguousarray(x_calib.reshape(-1, 1, 8, 8), dtype=np.float32))
    print(f"wrote {CALIB_SAMPLES} calibration samples (class counts {np.bincount(y_calib, minlength=10).tolist()})")


if __name__ == "__main__":
    main()
