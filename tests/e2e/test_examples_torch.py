"""The bundled digits models (examples/digits): holo reproduces what torch computed when they were made.

The committed artifacts come from examples/digits/train.py (torch 1.13, float32). Here:
  * the committed files agree with each other and with metadata.json;
  * onnxruntime, an independent ONNX executor, reproduces torch's logits from the .onnx files, so the
    files really are the trained models;
  * `holo run` reproduces torch's logits, for the whole test batch and for smaller batches (dynamic N);
  * `holo eval --json` reports exactly torch's accuracy (the same count of correct samples).
"""

import hashlib
import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from conftest import REPO, assert_close_to_scale

DIGITS = REPO / "examples" / "digits"
META = json.loads((DIGITS / "metadata.json").read_text())
MODELS = sorted(META["models"])

# torch computed the reference logits in float32: each logit is a chain of dot products of at most 64 terms
# (plus BatchNorm/pooling), so its rounding error is about 64 * 2^-24 ~ 4e-6 of the operand magnitudes at
# worst, and typically ~1e-7 of the output scale (random-walk accumulation). holo computes in float64 from the same
# float32 weights and inputs, so it is essentially exact; 1e-5 of the output scale (the bound) sits
# above float32 noise and far below any real mistake (a wrong weight, pad or pooling window moves
# logits by O(scale)).
REL_TOL = 1e-5


def files(name):
    m = META["models"][name]
    return DIGITS / m["onnx"], DIGITS / m["input"], DIGITS / m["labels"], DIGITS / m["torch_output"]


def test_models_are_listed():
    assert MODELS == ["cnn", "mlp"]


@pytest.mark.parametrize("name", MODELS)
def test_committed_artifacts_are_consistent(name):
    model_path, x_path, y_path, out_path = files(name)
    m = META["models"][name]
    x = np.load(x_path)
    y = np.load(y_path)
    out = np.load(out_path)
    assert x.dtype == np.float32 and list(x.shape) == m["input_shape"]
    assert y.dtype == np.int64 and y.shape == (m["test_total"],)
    assert out.dtype == np.float32 and out.shape == (m["test_total"], 10)
    assert x.min() >= 0.0 and x.max() <= 1.0, "inputs are pixels / 16"
    assert int((out.argmax(axis=1) == y).sum()) == m["test_correct"]
    # The accuracy check must be well posed: two logits that each move by at most REL_TOL * scale cannot swap
    # places when every sample's top-1/top-2 gap exceeds twice that (here the gap is ~200x larger).
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
    assert [n.op_type for n in proto.graph.node] == META["models"][name]["onnx_ops"]
    assert {o.domain: o.version for o in proto.opset_import}.get("", None) == META["onnx_opset"]
    weights = {t.name for t in proto.graph.initializer}
    (inp,) = [i for i in proto.graph.input if i.name not in weights]
    assert inp.type.tensor_type.shape.dim[0].dim_param == "N", "batch axis must be dynamic"
    if name == "cnn":
        # The CNN must keep a real BatchNormalization node and torch's Pad+AveragePool pattern.
        ops = set(META["models"][name]["onnx_ops"])
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
    m = META["models"][name]
    result = holo.json("eval", model_path, "--input", x_path, "--labels", y_path)
    assert "accuracy" in result, f"holo eval --json printed no 'accuracy': {result}"
    accuracy = result["accuracy"]
    assert isinstance(accuracy, (int, float)) and 0.0 <= accuracy <= 1.0
    n = m["test_total"]
    # Exactly torch's count: an executor within the run tolerance cannot flip a prediction (the margin check
    # in test_committed_artifacts_are_consistent). 1e-12 only absorbs the printing of the ratio.
    assert round(accuracy * n) == m["test_correct"], f"holo: {accuracy * n:.3f} correct, torch: {m['test_correct']}"
    assert abs(accuracy - m["test_correct"] / n) <= 1e-12
