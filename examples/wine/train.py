#!/usr/bin/python3
"""Train the bundled wine MLP and write every committed artifact in this folder.

Run with Debian's interpreter (it has torch, onnx, scikit-learn and numpy):

    /usr/bin/python3 examples/wine/train.py

Not part of CI: the outputs are committed, and tests/e2e/test_examples_torch.py checks that holo reproduces
them. The script is seeded and single-threaded, so a rerun on the same package versions gives the same
weights and outputs.

Data: sklearn.datasets.load_wine (178 samples, 13 chemical measurements, 3 cultivars; shipped inside
scikit-learn, no download). Split: stratified 75/25 with train_test_split(random_state=SEED). Preprocessing:
each feature scaled by the TRAINING split's min and max, (x - min) / (max - min), so the training features lie
in [0, 1] (test features can fall slightly outside: the test split's extremes are not used). Nothing is folded
into the network: the ONNX model takes the scaled features, and X_*.npy hold them. The calibration batch
(X_calib.npy, y_calib.npy) is the whole training split, never a test sample.
"""

import argparse
import hashlib
import json
import pathlib
import platform
import random
import sys
import time

import numpy as np
import onnx
import sklearn
import torch
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from torch import nn

SEED = 0
TEST_FRACTION = 0.25
OPSET = 13
EPOCHS = 200
LR = 1e-2
BATCH_SIZE = 16
HERE = pathlib.Path(__file__).resolve().parent


class WineMLP(nn.Module):
    """13-16-3 with ReLU; exports as Gemm Relu Gemm."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(13, 16),
            nn.ReLU(),
            nn.Linear(16, 3),
        )

    def forward(self, x):
        return self.net(x)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)  # fixed reduction order, so reruns give identical weights


def train(model, x_train, y_train, epochs, lr, batch_size, seed):
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    n = x_train.shape[0]
    for _ in range(epochs):
        model.train()
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
    model.eval()
    return float(loss.detach())


def evaluate(model, x, y):
    """Logits (float32), correct count, and the smallest gap between the top two logits of any sample."""
    with torch.no_grad():
        logits = model(x)
    pred = logits.argmax(dim=1)
    correct = int((pred == y).sum())
    top2 = torch.topk(logits, 2, dim=1).values
    margin = float((top2[:, 0] - top2[:, 1]).min())
    # The same network in float64 must classify identically; otherwise a float32-vs-float64 executor could
    # legitimately disagree on the count and the accuracy check in the e2e test would be ill-posed.
    model64 = type(model)()
    model64.load_state_dict(model.state_dict())
    model64 = model64.double().eval()
    with torch.no_grad():
        pred64 = model64(x.double()).argmax(dim=1)
    if not torch.equal(pred64, pred):
        raise SystemExit("float32 and float64 predictions differ; pick another seed")
    return logits.numpy().astype(np.float32), correct, margin


def export(model, example, path):
    torch.onnx.export(
        model,
        example,
        str(path),
        opset_version=OPSET,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
        do_constant_folding=True,
    )
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    return [node.op_type for node in proto.graph.node]


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=HERE, help="output folder (default: next to this script)")
    args = parser.parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    seed_everything(SEED)
    x_all, y_all = load_wine(return_X_y=True)
    y_all = y_all.astype(np.int64)
    x_train_raw, x_test_raw, y_train, y_test = train_test_split(
        x_all, y_all, test_size=TEST_FRACTION, random_state=SEED, stratify=y_all
    )
    # Min-max scaling with the training split's statistics only (float64, then float32).
    feat_min = x_train_raw.min(axis=0)
    feat_max = x_train_raw.max(axis=0)
    x_train = ((x_train_raw - feat_min) / (feat_max - feat_min)).astype(np.float32)
    x_test = ((x_test_raw - feat_min) / (feat_max - feat_min)).astype(np.float32)
    xt_train, yt_train = torch.from_numpy(x_train), torch.from_numpy(y_train)
    xt_test, yt_test = torch.from_numpy(x_test), torch.from_numpy(y_test)

    torch.manual_seed(SEED)
    model = WineMLP()
    start = time.perf_counter()
    final_loss = train(model, xt_train, yt_train, EPOCHS, LR, BATCH_SIZE, SEED)
    seconds = time.perf_counter() - start
    logits, correct, margin = evaluate(model, xt_test, yt_test)
    _, train_correct, _ = evaluate(model, xt_train, yt_train)
    n = int(y_test.shape[0])
    onnx_path = out / "wine_mlp.onnx"
    ops = export(model, xt_test[:1], onnx_path)

    np.save(out / "X_test.npy", x_test)
    np.save(out / "y_test.npy", y_test)
    np.save(out / "torch_out.npy", logits)
    # Calibration batch for `holo compile --calibrate`: the whole training split (133 samples, tiny).
    np.save(out / "X_calib.npy", x_train)
    np.save(out / "y_calib.npy", y_train)

    meta = {
        "description": "A 13-16-3 MLP trained on scikit-learn's wine data; see README.md",
        "seed": SEED,
        "data": {
            "source": "sklearn.datasets.load_wine",
            "n_samples": int(x_all.shape[0]),
            "n_features": int(x_all.shape[1]),
            "preprocessing": "per feature (x - min) / (max - min) with the TRAINING split's min and max "
            "(training features in [0, 1]; test features may fall slightly outside); nothing folded into the model",
            "feature_names": list(load_wine().feature_names),
            "train_min": feat_min.tolist(),
            "train_max": feat_max.tolist(),
            "test_feature_range": [float(x_test.min()), float(x_test.max())],
            "split": f"train_test_split(test_size={TEST_FRACTION}, random_state={SEED}, stratify=y)",
            "n_train": int(x_train.shape[0]),
            "n_test": n,
            "test_class_counts": np.bincount(y_test, minlength=3).tolist(),
            "calibration": "X_calib.npy / y_calib.npy: the whole training split (scaled), in split order; no test samples",
            "n_calib": int(x_train.shape[0]),
        },
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "onnx": onnx.__version__,
            "numpy": np.__version__,
            "sklearn": sklearn.__version__,
        },
        "onnx_opset": OPSET,
        "models": {
            "mlp": {
                "onnx": onnx_path.name,
                "input": "X_test.npy",
                "input_shape": list(x_test.shape),
                "torch_output": "torch_out.npy",
                "labels": "y_test.npy",
                "calibration_input": "X_calib.npy",
                "calibration_labels": "y_calib.npy",
                "architecture": " ".join(str(model).split()),
                "onnx_ops": ops,
                "parameters": int(sum(p.numel() for p in model.parameters())),
                "macs_per_sample": 13 * 16 + 16 * 3,
                "optimizer": f"Adam lr={LR}",
                "epochs": EPOCHS,
                "batch_size": BATCH_SIZE,
                "final_train_batch_loss": round(final_loss, 6),
                "train_correct": train_correct,
                "train_total": int(y_train.shape[0]),
                "test_correct": correct,
                "test_total": n,
                "test_accuracy": correct / n,
                # Smallest top-1/top-2 logit gap on the test set: an executor whose error stays well below it
                # cannot change any prediction, so it must reproduce test_correct exactly.
                "min_top2_logit_margin": margin,
                "output_abs_max": float(np.abs(logits).max()),
                "onnx_sha256": sha256(onnx_path),
            }
        },
    }
    (out / "metadata.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(
        f"mlp: test accuracy {correct}/{n} = {correct / n:.4f}, train {train_correct}/{y_train.shape[0]}, "
        f"margin {margin:.4g}  (train {seconds:.2f} s, ops {' '.join(ops)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
