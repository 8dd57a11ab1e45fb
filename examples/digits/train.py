#!/usr/bin/python3
"""Train the two bundled digits models and write every committed artifact in this folder.

Run with Debian's interpreter (it has torch, onnx, scikit-learn and numpy):

    /usr/bin/python3 examples/digits/train.py

Not part of CI: the outputs are committed, and tests/e2e/test_examples_torch.py checks that holo reproduces
them. The script is seeded and single-threaded, so a rerun on the same package versions gives the same
weights and outputs.

Data: sklearn.datasets.load_digits (1797 8x8 images, pixel values 0..16, shipped inside scikit-learn; no
download). Preprocessing: pixels divided by 16, so inputs lie in [0, 1]; no standardization, so the ONNX
models take the scaled pixels directly. Split: stratified 75/25 with train_test_split(random_state=SEED).
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
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

SEED = 0
TEST_FRACTION = 0.25
OPSET = 13
HERE = pathlib.Path(__file__).resolve().parent


class DigitsMLP(nn.Module):
    """64-64-32-10 with ReLU; exports as Gemm Relu Gemm Relu Gemm."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(64, 64),
            nn.ReLU(),
            nn.Linear(64, 32),
            nn.ReLU(),
            nn.Linear(32, 10),
        )

    def forward(self, x):
        return self.net(x)


class DigitsCNN(nn.Module):
    """[N,1,8,8] -> Conv3x3(8) ReLU BatchNorm MaxPool2 -> Conv3x3(16) ReLU AvgPool2 -> Flatten -> Linear(64,10).

    The BatchNorm sits after the ReLU on purpose: torch 1.13 folds a BatchNorm that directly follows a Conv
    into the Conv weights at export, and we want a real BatchNormalization node in the ONNX file.
    AvgPool2d exports as Constant + Pad + AveragePool (a torch 1.13 quirk), which holo must accept.
    """

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.BatchNorm2d(8),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.AvgPool2d(2),
        )
        self.classifier = nn.Linear(16 * 2 * 2, 10)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


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


def evaluate(model, x_test, y_test):
    """Logits (float32), correct count, and the smallest gap between the top two logits of any sample."""
    with torch.no_grad():
        logits = model(x_test)
    pred = logits.argmax(dim=1)
    correct = int((pred == y_test).sum())
    top2 = torch.topk(logits, 2, dim=1).values
    margin = float((top2[:, 0] - top2[:, 1]).min())
    # The same network in float64 must classify identically; otherwise a float32-vs-float64 executor could
    # legitimately disagree on the count and the accuracy check in the e2e test would be ill-posed.
    model64 = type(model)()
    model64.load_state_dict(model.state_dict())
    model64 = model64.double().eval()
    with torch.no_grad():
        pred64 = model64(x_test.double()).argmax(dim=1)
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
    x_all, y_all = load_digits(return_X_y=True)
    x_all = (x_all / 16.0).astype(np.float32)
    y_all = y_all.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x_all, y_all, test_size=TEST_FRACTION, random_state=SEED, stratify=y_all
    )
    xt_train, yt_train = torch.from_numpy(x_train), torch.from_numpy(y_train)
    xt_test, yt_test = torch.from_numpy(x_test), torch.from_numpy(y_test)

    configs = {
        "mlp": dict(make=DigitsMLP, shape=(-1, 64), epochs=60, lr=1e-2, batch_size=64),
        "cnn": dict(make=DigitsCNN, shape=(-1, 1, 8, 8), epochs=40, lr=1e-2, batch_size=64),
    }
    meta = {
        "description": "Two classifiers trained on scikit-learn's digits data; see README.md",
        "seed": SEED,
        "data": {
            "source": "sklearn.datasets.load_digits",
            "n_samples": int(x_all.shape[0]),
            "preprocessing": "pixels / 16 (values in [0, 1]); no standardization",
            "split": f"train_test_split(test_size={TEST_FRACTION}, random_state={SEED}, stratify=y)",
            "n_train": int(x_train.shape[0]),
            "n_test": int(x_test.shape[0]),
            "test_class_counts": np.bincount(y_test, minlength=10).tolist(),
        },
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "onnx": onnx.__version__,
            "numpy": np.__version__,
            "sklearn": sklearn.__version__,
        },
        "onnx_opset": OPSET,
        "models": {},
    }
    np.save(out / "y_test.npy", y_test)

    for name, cfg in configs.items():
        torch.manual_seed(SEED)
        model = cfg["make"]()
        start = time.perf_counter()
        final_loss = train(
            model,
            xt_train.reshape(cfg["shape"]),
            yt_train,
            cfg["epochs"],
            cfg["lr"],
            cfg["batch_size"],
            SEED,
        )
        seconds = time.perf_counter() - start
        x_in = xt_test.reshape(cfg["shape"])
        logits, correct, margin = evaluate(model, x_in, yt_test)
        n = int(y_test.shape[0])
        onnx_path = out / f"digits_{name}.onnx"
        ops = export(model, x_in[:1], onnx_path)
        np.save(out / f"X_test_{name}.npy", x_in.numpy().astype(np.float32))
        np.save(out / f"torch_out_{name}.npy", logits)
        meta["models"][name] = {
            "onnx": onnx_path.name,
            "input": f"X_test_{name}.npy",
            "input_shape": list(x_in.shape),
            "torch_output": f"torch_out_{name}.npy",
            "labels": "y_test.npy",
            "architecture": " ".join(str(model).split()),
            "onnx_ops": ops,
            "parameters": int(sum(p.numel() for p in model.parameters())),
            "optimizer": f"Adam lr={cfg['lr']}",
            "epochs": cfg["epochs"],
            "batch_size": cfg["batch_size"],
            "final_train_batch_loss": round(final_loss, 6),
            "test_correct": correct,
            "test_total": n,
            "test_accuracy": correct / n,
            # Smallest top-1/top-2 logit gap on the test set: an executor whose error stays well below it
            # cannot change any prediction, so it must reproduce test_correct exactly.
            "min_top2_logit_margin": margin,
            "output_abs_max": float(np.abs(logits).max()),
            "onnx_sha256": sha256(onnx_path),
        }
        print(f"{name}: test accuracy {correct}/{n} = {correct / n:.4f}  (train {seconds:.2f} s, ops {' '.join(ops)})")

    (out / "metadata.json").write_text(json.dumps(meta, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
