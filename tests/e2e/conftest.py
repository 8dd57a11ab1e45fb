"""Shared pieces of the Python end-to-end tests: the `holo` fixture, the output-scale comparison and the KLayout
batch runner with its shape-count script.

Run with the project's virtual environment (it sees Debian's numpy/onnx/torch and has onnxruntime):

    HOLO=/work/main/build/tools/holo/holo /work/main/.venv/bin/python -m pytest -p no:cacheprovider tests/e2e

HOLO must name the holo binary; the tests fail (they never skip) when it is missing.
"""

import json
import os
import pathlib
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]

# A single CLI call on these tiny models takes milliseconds; a minute means a hang.
HOLO_TIMEOUT_S = 60


class Holo:
    """Runs the holo binary and turns its results into numpy arrays / JSON objects."""

    def __init__(self, path):
        self.path = str(path)

    def call(self, *args, expect_rc=0, env=None):
        """Runs `holo ARGS...` (env: variables to set on top of this process's environment)."""
        cmd = [self.path, *map(str, args)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=HOLO_TIMEOUT_S,
                              env={**os.environ, **env} if env else None)
        if expect_rc is not None and proc.returncode != expect_rc:
            pytest.fail(
                f"`{' '.join(cmd)}` exited with {proc.returncode} (expected {expect_rc})\n"
                f"stdout: {proc.stdout.strip()[:2000]}\nstderr: {proc.stderr.strip()[:2000]}"
            )
        return proc

    def run(self, model, x, workdir, *extra):
        """`holo run MODEL --input X --output Y [extra...]`; x is a path or an array (saved as .npy)."""
        workdir = pathlib.Path(workdir)
        if not isinstance(x, (str, pathlib.Path)):
            x_path = workdir / "x.npy"
            np.save(x_path, np.asarray(x))  # (np.ascontiguousarray would turn a 0-d array into 1-d)
            x = x_path
        y_path = workdir / "y.npy"
        if y_path.exists():
            y_path.unlink()
        self.call("run", model, "--input", x, "--output", y_path, *extra)
        if not y_path.exists():
            pytest.fail(f"holo run exited 0 but wrote no {y_path}")
        return np.load(y_path, allow_pickle=False)

    def json(self, *args):
        """Runs a subcommand with --json; stdout must hold exactly one JSON object and nothing else."""
        proc = self.call(*args, "--json")
        try:
            value = json.loads(proc.stdout)
        except json.JSONDecodeError as err:
            command = " ".join(map(str, args))
            pytest.fail(f"stdout of `holo {command} --json` is not one JSON value: {err}\n{proc.stdout[:2000]}")
        if not isinstance(value, dict):
            pytest.fail(f"`holo {' '.join(map(str, args))} --json` printed {type(value).__name__}, not an object")
        return value


@pytest.fixture(scope="session")
def holo():
    path = os.environ.get("HOLO")
    if not path:
        pytest.fail("environment variable HOLO is not set; point it at the holo binary (e.g. build/tools/holo/holo)")
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        pytest.fail(f"HOLO={path} is not an executable file")
    return Holo(path)


def assert_close_to_scale(actual, expected, rel, what):
    """max |actual - expected| <= rel * max |expected|, with shapes equal; the message says where it failed."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, expected {expected.shape}"
    assert np.all(np.isfinite(expected)), f"{what}: reference output is not finite (bad test case)"
    bad = np.argwhere(~np.isfinite(actual))[:5].tolist()
    assert not bad, f"{what}: output has NaN/Inf at {bad}"
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    assert expected.size == 0 or scale > 0, f"{what}: reference output is all zero (bad test case)"
    if expected.size == 0:
        return
    diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape)
    max_diff = float(diff[worst])
    assert max_diff <= rel * scale, (
        f"{what}: max abs diff {max_diff:.3e} > {rel:g} * scale {scale:.4g} (= {rel * scale:.3e}); "
        f"worst at index {tuple(int(i) for i in worst)}: got {float(actual[worst]):.9g}, "
        f"expected {float(expected[worst]):.9g}"
    )


# KLayout batch script (run with -rd input=GDS): one dict `result` with the database unit, the top cells, the
# cell count, the flat shape count per "layer/datatype" (texts included) and the top cell's bounding box.
# Callers append what else they need and dump `result` to `out`.
KLAYOUT_COUNT_SCRIPT = r'''
import json
import pya
ly = pya.Layout()
ly.read(input)
shapes = {}
for li in ly.layer_indexes():
    info = ly.get_info(li)
    n = sum(1 for _ in ly.top_cell().begin_shapes_rec(li))
    if n:
        shapes["%d/%d" % (info.layer, info.datatype)] = n
bbox = ly.top_cell().dbbox()
result = {"dbu": ly.dbu, "tops": [c.name for c in ly.top_cells()], "cells": ly.cells(), "shapes": shapes,
          "bbox_um": [bbox.left, bbox.bottom, bbox.right, bbox.top]}
'''
KLAYOUT_DUMP = '''
with open(out, "w") as f:
    json.dump(result, f)
'''


def klayout(*args, timeout_s):
    """Runs `klayout -b ARGS`; fails the test when KLayout is missing, fails or runs past timeout_s."""
    exe = shutil.which("klayout")
    if exe is None:
        pytest.fail("klayout is not installed (Debian package `klayout`; scripts/setup installs it)")
    cmd = [exe, "-b", *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
    if proc.returncode != 0:
        pytest.fail(f"`{' '.join(cmd)}` exited with {proc.returncode}\nstdout: {proc.stdout[-2000:]}\n"
                    f"stderr: {proc.stderr[-2000:]}")
    return proc


def lyrdb_rules(path):
    """Rule name -> number of items in a KLayout report database."""
    path = pathlib.Path(path)
    if not path.is_file():
        pytest.fail(f"KLayout wrote no report {path}")
    root = ET.parse(path).getroot()
    return Counter(item.findtext("category").strip("'") for item in root.iter("item"))
