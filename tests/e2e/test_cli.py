"""CLI contract of the foundation issue: --version/--help everywhere, --json purity, exit codes
(0 ok, 2 bad input, 1 internal), one clear error line, no half-written outputs, determinism
(same bytes for the same input, whatever the thread count)."""

import hashlib
import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

from conftest import REPO

DIGITS = REPO / "examples" / "digits"
MLP = DIGITS / "digits_mlp.onnx"
CNN = DIGITS / "digits_cnn.onnx"
X_MLP = DIGITS / "X_test_mlp.npy"
X_CNN = DIGITS / "X_test_cnn.npy"
Y = DIGITS / "y_test.npy"

SUBCOMMANDS = ["inspect", "run", "eval", "decompose", "bench"]


def run(holo, *args, env=None):
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([holo.path, *map(str, args)], capture_output=True, text=True, timeout=120, env=e)


def test_version(holo):
    p = run(holo, "--version")
    assert p.returncode == 0
    assert p.stdout.startswith("holo ")


@pytest.mark.parametrize("sub", SUBCOMMANDS)
def test_help_on_every_subcommand(holo, sub):
    p = run(holo, sub, "--help")
    assert p.returncode == 0, p.stderr
    assert "--json" in p.stdout or sub == "bench", p.stdout
    assert "--help" in p.stdout


def test_no_subcommand_is_usage_error(holo):
    p = run(holo)
    expect_bad_input(p, "CLI-MISSING-COMMAND")
    assert "inspect" in p.stderr and "compile" in p.stderr  # the commands are listed


def test_unknown_option_is_usage_error(holo):
    p = run(holo, "inspect", str(MLP), "--frobnicate")
    expect_bad_input(p, "CLI-UNKNOWN-OPTION")
    assert "frobnicate" in p.stderr and "holo inspect --help" in p.stderr


@pytest.mark.parametrize("model", [MLP, CNN])
def test_inspect_json_is_pure_and_deterministic(holo, model):
    a = run(holo, "inspect", model, "--json")
    b = run(holo, "inspect", model, "--json", env={"OMP_NUM_THREADS": "1"})
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    j = json.loads(a.stdout)  # stdout holds exactly one JSON value
    assert j["parameters"] > 0
    assert j["macs"] == sum(layer["macs"] for layer in j["layers"])
    assert all(layer["macs"] >= 0 for layer in j["layers"])


def test_inspect_mlp_counts(holo):
    """Parameter count and MACs of the MLP recomputed from the ONNX initializers with numpy."""
    import onnx
    from onnx import numpy_helper

    m = onnx.load(str(MLP))
    weights = [numpy_helper.to_array(t) for t in m.graph.initializer]
    j = json.loads(run(holo, "inspect", MLP, "--json").stdout)
    assert j["parameters"] == sum(w.size for w in weights)
    gemm_macs = sum(w.size for w in weights if w.ndim == 2)  # one MAC per weight per sample
    assert j["macs"] == gemm_macs


def test_inspect_quiet_prints_nothing(holo):
    p = run(holo, "inspect", MLP, "--quiet")
    assert p.returncode == 0 and p.stdout == "" and p.stderr == ""


def test_inspect_dump(holo):
    p = run(holo, "inspect", CNN, "--dump")
    assert p.returncode == 0
    assert "Conv(" in p.stdout and "Gemm(" in p.stdout


def test_eval_json(holo):
    p = run(holo, "eval", MLP, "--input", X_MLP, "--labels", Y, "--json")
    assert p.returncode == 0, p.stderr
    j = json.loads(p.stdout)
    assert 0.0 <= j["accuracy"] <= 1.0
    assert j["samples"] == len(np.load(Y))


def sha(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


@pytest.mark.parametrize("model,x", [(MLP, X_MLP), (CNN, X_CNN)])
def test_run_same_bytes_any_thread_count(holo, tmp_path, model, x):
    outs = []
    for threads in ["1", "2"]:
        out = tmp_path / f"y{threads}.npy"
        p = run(holo, "run", model, "--input", x, "--output", out, env={"OMP_NUM_THREADS": threads})
        assert p.returncode == 0, p.stderr
        outs.append(sha(out))
    assert outs[0] == outs[1]


def expect_bad_input(p, code=None):
    assert p.returncode == 2, f"rc={p.returncode} stderr={p.stderr}"
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one error line, got: {p.stderr!r}"
    assert lines[0].startswith("holo: error")
    if code:
        assert f"[{code}]" in lines[0], lines[0]
    assert p.stdout == ""


def test_missing_model(holo, tmp_path):
    expect_bad_input(run(holo, "inspect", tmp_path / "nope.onnx"), "FILE-NOT-FOUND")


def test_unknown_extension(holo, tmp_path):
    f = tmp_path / "model.txt"
    f.write_text("hello")
    expect_bad_input(run(holo, "inspect", f))


def test_wrong_input_shape_names_both_shapes(holo, tmp_path):
    x = tmp_path / "x.npy"
    np.save(x, np.zeros((3, 65), dtype=np.float32))
    p = run(holo, "run", MLP, "--input", x, "--output", tmp_path / "y.npy")
    expect_bad_input(p, "GRAPH-INPUT-SHAPE")
    assert "65" in p.stderr and "64" in p.stderr


def test_corrupt_npy_input(holo, tmp_path):
    x = tmp_path / "x.npy"
    x.write_bytes(b"\x93NUMPY\x01\x00garbage")
    expect_bad_input(run(holo, "run", MLP, "--input", x, "--output", tmp_path / "y.npy"))


def test_nan_input_rejected(holo, tmp_path):
    x = tmp_path / "x.npy"
    a = np.zeros((2, 64), dtype=np.float32)
    a[1, 3] = np.nan
    np.save(x, a)
    expect_bad_input(run(holo, "run", MLP, "--input", x, "--output", tmp_path / "y.npy"), "NPY-NONFINITE")


def test_labels_mismatch(holo, tmp_path):
    y = tmp_path / "y.npy"
    np.save(y, np.zeros(3, dtype=np.int64))
    expect_bad_input(run(holo, "eval", MLP, "--input", X_MLP, "--labels", y), "EVAL-LABELS")


def test_failed_run_leaves_no_output(holo, tmp_path):
    """A failure never leaves a half-written file, and never replaces an existing output."""
    x = tmp_path / "x.npy"
    np.save(x, np.zeros((3, 65), dtype=np.float32))
    out = tmp_path / "y.npy"
    assert run(holo, "run", MLP, "--input", x, "--output", out).returncode == 2
    assert not out.exists()
    out.write_bytes(b"previous")
    assert run(holo, "run", MLP, "--input", x, "--output", out).returncode == 2
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_unwritable_output_dir(holo, tmp_path):
    p = run(holo, "run", MLP, "--input", X_MLP, "--output", tmp_path / "no" / "such" / "dir" / "y.npy")
    expect_bad_input(p, "FILE-WRITE")
