"""The bundled trained models (examples/digits, examples/wine): holo reproduces what torch computed when they
were made.

The committed artifacts come from examples/digits/train.py and examples/wine/train.py (torch 1.13, float32). Here:
  * the committed files agree with each other and with metadata.json;
  * onnxruntime, an independent ONNX executor, reproduces torch's logits from the .onnx files, so the
    files really are the trained models;
  * `holo run` reproduces torch's logits, for the whole test batch and for smaller batches (dynamic N);
  * `holo eval --json` reports exactly torch's accuracy (the same count of correct samples);
  * the wine MLP's files are its documented split and scaling, and it compiles (16-mode meshes, calibrated on its
    training split) to an ideal chip that agrees with the reference on every test sample.
"""

import hashlib
import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from conftest import REPO, assert_close_to_scale

EXAMPLES = REPO / "examples"
DIGITS = EXAMPLES / "digits"
WINE = EXAMPLES / "wine"
METAS = {d.name: json.loads((d / "metadata.json").read_text()) for d in (DIGITS, WINE)}
# "example/model", e.g. "digits/mlp".
MODELS = sorted(f"{example}/{name}" for example, meta in METAS.items() for name in meta["models"])

# torch computed the reference logits in float32: each logit is a chain of dot products of at most 64 terms
# (plus BatchNorm/pooling), so its rounding error is about 64 * 2^-24 ~ 4e-6 of the operand magnitudes at
# worst, and typically ~1e-7 of the output scale (random-walk accumulation). holo computes in float64 from the same
# float32 weights and inputs, so it is essentially exact; 1e-5 of the output scale (the bound) sits
# above float32 noise and far below any real mistake (a wrong weight, pad or pooling window moves
# logits by O(scale)).
REL_TOL = 1e-5


def meta(name):
    example, model = name.split("/")
    return METAS[example], METAS[example]["models"][model]


def files(name):
    example, _ = name.split("/")
    folder = EXAMPLES / example
    _, m = meta(name)
    return folder / m["onnx"], folder / m["input"], folder / m["labels"], folder / m["torch_output"]


def test_models_are_listed():
    assert MODELS == ["digits/cnn", "digits/mlp", "wine/mlp"]


@pytest.mark.parametrize("name", MODELS)
def test_committed_artifacts_are_consistent(name):
    model_path, x_path, y_path, out_path = files(name)
    example_meta, m = meta(name)
    x = np.load(x_path)
    y = np.load(y_path)
    out = np.load(out_path)
    classes = len(example_meta["data"]["test_class_counts"])
    assert x.dtype == np.float32 and list(x.shape) == m["input_shape"]
    assert y.dtype == np.int64 and y.shape == (m["test_total"],)
    assert out.dtype == np.float32 and out.shape == (m["test_total"], classes)
    assert np.bincount(y, minlength=classes).tolist() == example_meta["data"]["test_class_counts"]
    if name.startswith("digits/"):
        assert x.min() >= 0.0 and x.max() <= 1.0, "inputs are pixels / 16"
    else:
        # Scaled with the training split's min/max: the test features may leave [0, 1] a little.
        assert [float(x.min()), float(x.max())] == example_meta["data"]["test_feature_range"]
        assert -0.5 < x.min() and x.max() < 1.5
    assert int((out.argmax(axis=1) == y).sum()) == m["test_correct"]
    # The accuracy check must be well posed: two logits that each move by at most REL_TOL * scale cannot swap
    # places when every sample's top-1/top-2 gap exceeds twice that (here the gap is ~200x larger or more).
    top2 = np.sort(out, axis=1)[:, -2:]
    assert float(np.min(top2[:, 1] - top2[:, 0])) == pytest.approx(m["min_top2_logit_margin"], rel=1e-6)
    assert m["min_top2_logit_margin"] > 2 * REL_TOL * float(np.abs(out).max())
    assert hashlib.sha256(model_path.read_bytes()).hexdigest() == m["onnx_sha256"]
    assert model_path.stat().st_size < 100_000


@pytest.mark.parametrize("name", MODELS)
def test_onnx_file_has_expected_structure(name):
    model_path, *_ = files(name)
    proto = onnx.load(str(model_path))
    onnx.checker.check_model(proto)
    example_meta, m = meta(name)
    assert [n.op_type for n in proto.graph.node] == m["onnx_ops"]
    assert {o.domain: o.version for o in proto.opset_import}.get("", None) == example_meta["onnx_opset"]
    weights = {t.name for t in proto.graph.initializer}
    (inp,) = [i for i in proto.graph.input if i.name not in weights]
    assert inp.name == "input" and [o.name for o in proto.graph.output] == ["logits"]
    assert inp.type.tensor_type.shape.dim[0].dim_param == "N", "batch axis must be dynamic"
    if name == "digits/cnn":
        # The CNN must keep a real BatchNormalization node and torch's Pad+AveragePool pattern.
        ops = set(m["onnx_ops"])
        assert {"Conv", "BatchNormalization", "MaxPool", "Pad", "AveragePool", "Gemm"} <= ops


@pytest.mark.parametrize("name", MODELS)
def test_onnxruntime_reproduces_torch(name):
    model_path, x_path, _, out_path = files(name)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {session.get_inputs()[0].name: np.load(x_path)})
    assert_close_to_scale(got, np.load(out_path), REL_TOL, f"onnxruntime on {model_path.name}")


@pytest.mark.parametrize("name", MODELS)
def test_holo_run_reproduces_torch(name, holo, tmp_path):
    model_path, x_path, _, out_path = files(name)
    got = holo.run(model_path, x_path, tmp_path)
    assert_close_to_scale(got, np.load(out_path), REL_TOL, f"holo run {model_path.name}")


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("rows", [slice(0, 1), slice(17, 24)], ids=["batch1", "batch7"])
def test_holo_run_other_batch_sizes(name, rows, holo, tmp_path):
    model_path, x_path, _, out_path = files(name)
    x = np.load(x_path)[rows]
    got = holo.run(model_path, x, tmp_path)
    assert_close_to_scale(got, np.load(out_path)[rows], REL_TOL, f"holo run {model_path.name} rows {rows}")


@pytest.mark.parametrize("name", MODELS)
def test_holo_eval_reports_torch_accuracy(name, holo):
    model_path, x_path, y_path, _ = files(name)
    _, m = meta(name)
    result = holo.json("eval", model_path, "--input", x_path, "--labels", y_path)
    assert "accuracy" in result, f"holo eval --json printed no 'accuracy': {result}"
    accuracy = result["accuracy"]
    assert isinstance(accuracy, (int, float)) and 0.0 <= accuracy <= 1.0
    n = m["test_total"]
    # Exactly torch's count: an executor within the run tolerance cannot flip a prediction (the margin check
    # in test_committed_artifacts_are_consistent). 1e-12 only absorbs the printing of the ratio.
    assert round(accuracy * n) == m["test_correct"], f"holo: {accuracy * n:.3f} correct, torch: {m['test_correct']}"
    assert abs(accuracy - m["test_correct"] / n) <= 1e-12


# --- The wine MLP: a model of a few hundred MACs for quick design-space sweeps ------------------------------------


def test_wine_files_are_the_documented_split_and_scaling():
    """X_test/X_calib are load_wine split and min-max scaled as README and metadata.json say; the calibration
    batch is the training split (no test sample in it)."""
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    data = METAS["wine"]["data"]
    m = METAS["wine"]["models"]["mlp"]
    x_all, y_all = load_wine(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        x_all, y_all, test_size=0.25, random_state=METAS["wine"]["seed"], stratify=y_all
    )
    lo, hi = x_train.min(axis=0), x_train.max(axis=0)
    assert data["train_min"] == lo.tolist() and data["train_max"] == hi.tolist()
    x_calib, y_calib = np.load(WINE / m["calibration_input"]), np.load(WINE / m["calibration_labels"])
    assert x_calib.dtype == np.float32 and y_calib.dtype == np.int64
    assert x_calib.shape == (data["n_calib"], 13) and y_calib.shape == (data["n_calib"],)
    assert np.array_equal(x_calib, ((x_train - lo) / (hi - lo)).astype(np.float32))
    assert np.array_equal(y_calib, y_train)
    assert np.array_equal(np.load(WINE / m["input"]), ((x_test - lo) / (hi - lo)).astype(np.float32))
    assert np.array_equal(np.load(WINE / m["labels"]), y_test)
    assert x_calib.min() == 0.0 and x_calib.max() == 1.0
    assert m["test_accuracy"] >= 0.95


def test_wine_ideal_chip_matches_torch(holo, tmp_path):
    """Compiled onto 16-mode meshes with its calibration batch, the ideal chip classifies every test sample as the
    reference does, and its accuracy is torch's."""
    m = METAS["wine"]["models"]["mlp"]
    out = tmp_path / "wine"
    holo.call("compile", WINE / m["onnx"], "-o", out, "--mesh-size", "16", "--quiet",
              "--calibrate", WINE / m["calibration_input"], "--calibrate-labels", WINE / m["calibration_labels"])
    report = json.loads((out / "report.json").read_text())
    assert report["laser_power"]["basis"] == "calibrated"
    j = holo.json("simulate", out, "--input", WINE / m["input"], "--labels", WINE / m["labels"], "--ideal")
    assert j["agreement"] == 1.0
    assert j["accuracy"] == j["reference_accuracy"]
    assert round(j["accuracy"] * m["test_total"]) == m["test_correct"]
    # As test_compile_simulate.py: the ideal chip is the reference computation up to double rounding.
    assert j["output_error"]["max_abs_over_output_scale"] < 1e-9
