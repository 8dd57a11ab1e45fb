"""Every ONNX op holo supports, cross-checked against onnxruntime.

Each case is a tiny single-input, single-output model built with onnx.helper (weights are initializers or
Constant nodes), run once by onnxruntime and once by `holo run model.onnx --input x.npy --output y.npy`.
The outputs must agree to REL_TOL of the output scale. Ops whose meaning changed between opsets
(Softmax/LogSoftmax axis, Pad, Reshape allowzero, BatchNormalization training_mode, Dropout) are built
for several opsets. A few small graphs check that holo's simplification passes (BatchNorm folding,
Identity/Dropout removal, constant folding) keep the outputs equal.

Run (from the repository root):
    HOLO=build/tools/holo/holo .venv/bin/python -m pytest -p no:cacheprovider tests/e2e/test_ops_onnxruntime.py
"""

import dataclasses
import zlib

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from conftest import assert_close_to_scale

# onnxruntime computes in float32, holo in float64 from the same float32 inputs and weights, so holo is
# essentially exact and the difference is ORT's float32 rounding: unit roundoff 6e-8, accumulated over the
# at most ~100 products of any output here, i.e. at worst ~6e-6 of the operand magnitudes, typically below
# 1e-6 of the output scale. 1e-5 of the output scale stays above that noise, while every real mistake (a
# wrong pad, window, axis, broadcast or attribute default) moves some output by O(scale).
REL_TOL = 1e-5

BATCH = 3  # actual size of a dynamic first dimension "N"

# Lowest IR version that onnx 1.12 pairs with each opset (opset 15+ needs IR 8).
IR_FOR_OPSET = {11: 7, 12: 7, 13: 7, 14: 7, 15: 8, 16: 8, 17: 8}


@dataclasses.dataclass
class Case:
    id: str
    nodes: list
    x: np.ndarray  # the input fed to both executors
    x_shape: list  # declared input shape; "N" marks a dynamic dimension
    inits: dict = dataclasses.field(default_factory=dict)  # initializer name -> numpy array
    opset: int = 13
    float_data: bool = False  # store float initializers as float_data instead of raw_data
    declare_output_shape: bool = True  # False: graph output carries only its element type
    y_shape: list = None  # declared output shape when onnx's shape inference cannot work it out
    reference: object = None  # callable x -> expected output, for the few cases where onnxruntime is wrong

    def model(self):
        inits = []
        for name, value in self.inits.items():
            if self.float_data and value.dtype == np.float32:
                inits.append(helper.make_tensor(name, TensorProto.FLOAT, value.shape, value.flatten().tolist()))
            else:
                inits.append(numpy_helper.from_array(value, name))
        graph = helper.make_graph(
            self.nodes,
            self.id.replace("-", "_"),
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, self.x_shape)],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, self.y_shape)],
            inits,
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)], producer_name="holo-e2e")
        model.ir_version = IR_FOR_OPSET[self.opset]
        # Shape inference fills in the output's shape; the checker wants it, so it runs afterwards.
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        onnx.checker.check_model(inferred)
        return inferred if self.declare_output_shape else model


def rng_for(case_id):
    return np.random.default_rng(zlib.crc32(case_id.encode()))


def rand(rng, *shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def away_from_zero(rng, *shape):
    """Values in +-[0.5, 1.5]: safe denominators."""
    return (rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 1.5, size=shape)).astype(np.float32)


def node(op, inputs, outputs=("y",), **attrs):
    return helper.make_node(op, list(inputs), list(outputs), **{k: v for k, v in attrs.items() if v is not None})


def concrete(shape):
    return [BATCH if d == "N" else d for d in shape]


def simple(case_id, op, x_shape, opset=13, inits=None, x=None, inputs=None, lo=-1.0, hi=1.0, **attrs):
    """One node `y = op(x, *inits)` with a random x unless given."""
    rng = rng_for(case_id)
    if x is None:
        x = rand(rng, *concrete(x_shape), lo=lo, hi=hi)
    inits = inits or {}
    inputs = inputs if inputs is not None else ["x", *inits]
    return Case(case_id, [node(op, inputs, **attrs)], x, x_shape, inits, opset)


# ---------------------------------------------------------------------------------------------- Gemm, MatMul
def gemm_cases():
    m, k, n = BATCH, 5, 4
    c_shapes = {"noC": None, "C_n": [n], "C_1xn": [1, n], "C_mxn": [m, n], "C_scalar": [], "C_mx1": [m, 1], "C_1": [1]}
    for ta in (0, 1):
        for tb in (0, 1):
            for c_name, c_shape in c_shapes.items():
                for alpha, beta in ((1.0, 1.0), (0.5, -2.0)):
                    cid = f"gemm-tA{ta}-tB{tb}-{c_name}-a{alpha}-b{beta}"
                    rng = rng_for(cid)
                    fixed_m = c_name in ("C_mxn", "C_mx1") or ta == 1
                    x_shape = ([k, m] if ta else [m, k]) if fixed_m else ["N", k]
                    inits = {"B": rand(rng, *([n, k] if tb else [k, n]))}
                    if c_shape is not None:
                        inits["C"] = rand(rng, *c_shape)
                    yield simple(
                        cid,
                        "Gemm",
                        x_shape,
                        inits=inits,
                        transA=ta or None,
                        transB=tb or None,
                        alpha=None if alpha == 1.0 else alpha,
                        beta=None if beta == 1.0 else beta,
                    )
    # Every attribute spelled out at its default value.
    rng = rng_for("gemm-explicit-defaults")
    yield simple(
        "gemm-explicit-defaults", "Gemm", ["N", k], inits={"B": rand(rng, k, n), "C": rand(rng, n)},
        transA=0, transB=0, alpha=1.0, beta=1.0,
    )
    # The input is the right operand B; A is the weight.
    for tb in (0, 1):
        cid = f"gemm-input-is-B-tB{tb}"
        rng = rng_for(cid)
        yield simple(
            cid, "Gemm", ["N", k] if tb else [k, n], inits={"A": rand(rng, 2, k), "C": rand(rng, 1)},
            inputs=["A", "x", "C"], transB=tb or None,
        )
    for opset in (11, 17):
        cid = f"gemm-opset{opset}-tA0-tB1-C_n"
        rng = rng_for(cid)
        yield simple(cid, "Gemm", ["N", k], opset, inits={"B": rand(rng, n, k), "C": rand(rng, n)}, transB=1)
    # Weights stored as float_data rather than raw_data (onnx.helper's default form).
    rng = rng_for("gemm-float-data")
    case = simple("gemm-float-data", "Gemm", ["N", k], inits={"B": rand(rng, n, k), "C": rand(rng, n)}, transB=1)
    case.float_data = True
    yield case
    # Graph output declared with its element type only (no shape): holo must infer it.
    rng = rng_for("gemm-output-without-shape")
    case = simple("gemm-output-without-shape", "Gemm", ["N", k], inits={"B": rand(rng, k, n)})
    case.declare_output_shape = False
    yield case


def matmul_cases():
    specs = {
        # id: (x shape, weight shape, weight on the left?)
        "2d": (["N", 5], [5, 4], False),
        "2d-weight-left": ([5, 4], [2, 5], True),
        "3d-x-2d-w": (["N", 2, 5], [5, 4], False),
        "3d-x-3d-w": ([BATCH, 2, 5], [BATCH, 5, 4], False),
        "3d-x-broadcast-w": (["N", 2, 5], [1, 5, 4], False),
        "2d-w-left-3d-x": (["N", 5, 4], [2, 5], True),
        "4d-x-broadcast-3d-w": (["N", 1, 2, 5], [3, 5, 4], False),
        "1d-x-2d-w": ([5], [5, 4], False),
        "2d-x-1d-w": (["N", 5], [5], False),
        "3d-x-1d-w": (["N", 2, 5], [5], False),
        "1d-w-left-3d-x": (["N", 5, 4], [5], True),
        "1d-x-1d-w": ([5], [5], False),
    }
    for name, (x_shape, w_shape, w_left) in specs.items():
        cid = f"matmul-{name}"
        w = rand(rng_for(cid), *w_shape)
        yield simple(cid, "MatMul", x_shape, inits={"W": w}, inputs=["W", "x"] if w_left else ["x", "W"])
    cid = "matmul-opset11-2d"
    yield simple(cid, "MatMul", ["N", 6], 11, inits={"W": rand(rng_for(cid), 6, 3)})
    cid = "matmul-x-times-x-transposed-shape"  # both operands derived from the input
    rng = rng_for(cid)
    yield Case(
        cid,
        [node("Transpose", ["x"], ["xt"], perm=[0, 2, 1]), node("MatMul", ["x", "xt"])],
        rand(rng, BATCH, 3, 4),
        ["N", 3, 4],
    )


# ---------------------------------------------------------------------------------------------- elementwise
def binary_cases():
    for op in ("Add", "Sub", "Mul", "Div"):
        specs = {
            # id: (x shape, initializer shape or None for "x op x", initializer on the left?)
            "x-op-w_last": (["N", 3, 4], [4], False),
            "x-op-w_3x1": (["N", 3, 4], [3, 1], False),
            "x-op-w_1x3x4": (["N", 3, 4], [1, 3, 4], False),
            "x-op-w_scalar": (["N", 3, 4], [], False),
            "w_3x4-op-x": (["N", 3, 4], [3, 4], True),
            "w_scalar-op-x": (["N", 4], [], True),
            "x_Nx1x4-op-w_3x1": (["N", 1, 4], [3, 1], False),
            "w_Nx3x1-op-x_4": ([4], [BATCH, 3, 1], True),
            "same-shape": ([BATCH, 3, 4], [BATCH, 3, 4], False),
            "x-op-x": (["N", 3, 4], None, False),
        }
        for name, (x_shape, w_shape, w_left) in specs.items():
            cid = f"{op.lower()}-{name}"
            rng = rng_for(cid)
            x_den = op == "Div" and (w_left or w_shape is None)
            x = away_from_zero(rng, *concrete(x_shape)) if x_den else rand(rng, *concrete(x_shape))
            if w_shape is None:
                if op == "Sub":
                    continue  # x - x is all zero: no scale to compare against
                yield simple(cid, op, x_shape, x=x, inputs=["x", "x"])
                continue
            w = away_from_zero(rng, *w_shape) if op == "Div" and not w_left else rand(rng, *w_shape)
            yield simple(cid, op, x_shape, x=x, inits={"W": w}, inputs=["W", "x"] if w_left else ["x", "W"])
    for opset in (11, 14, 17):
        cid = f"add-opset{opset}"
        yield simple(cid, "Add", ["N", 3, 4], opset, inits={"W": rand(rng_for(cid), 3, 1)})


def unary_cases():
    ops = {"Relu": {}, "Sigmoid": {}, "Tanh": {}, "LeakyRelu": {}, "LeakyRelu-alpha0.2": {"alpha": 0.2}}
    for name, attrs in ops.items():
        op = name.split("-")[0]
        for x_shape in (["N", 7], ["N", 2, 3, 4]):
            cid = f"{name.lower()}-rank{len(x_shape)}"
            yield simple(cid, op, x_shape, lo=-4.0, hi=4.0, **attrs)
    for opset in (11, 14, 17):
        for op in ("Relu", "Sigmoid", "Tanh", "LeakyRelu"):
            cid = f"{op.lower()}-opset{opset}"
            yield simple(cid, op, ["N", 5], opset, lo=-4.0, hi=4.0)
    yield simple("sigmoid-rank0-input", "Sigmoid", [])
    # Large magnitudes: sigmoid/tanh saturate without overflow.
    for op in ("Sigmoid", "Tanh"):
        cid = f"{op.lower()}-large-inputs"
        x = np.array([[-800.0, -50.0, -1e-3, 0.0, 1e-3, 50.0, 800.0]] * BATCH, dtype=np.float32)
        yield simple(cid, op, ["N", 7], x=x)


def softmax_cases():
    shapes_axes = [
        (["N", 10], None),
        (["N", 10], 1),
        (["N", 10], -1),
        (["N", 10], 0),
        (["N", 3, 4], None),
        (["N", 3, 4], 1),
        (["N", 3, 4], -1),
        (["N", 3, 4], 0),
        (["N", 3, 4], -2),
        (["N", 2, 3, 4], None),
        (["N", 2, 3, 4], 2),
    ]
    for op in ("Softmax", "LogSoftmax"):
        for opset in (11, 13, 17):
            for x_shape, axis in shapes_axes:
                axis_name = "default" if axis is None else str(axis)
                cid = f"{op.lower()}-opset{opset}-rank{len(x_shape)}-axis{axis_name}"
                yield simple(cid, op, x_shape, opset, lo=-3.0, hi=3.0, axis=axis)
        # Inputs whose exponentials overflow even float64: a stable implementation subtracts the max.
        for opset in (11, 13):
            cid = f"{op.lower()}-opset{opset}-large-inputs"
            rng = rng_for(cid)
            x = rand(rng, BATCH, 6, lo=-1000.0, hi=1000.0)
            x[:, 0] = 1000.0
            yield simple(cid, op, ["N", 6], opset, x=x)


# ---------------------------------------------------------------------------------------------- shape ops
def flatten_cases():
    for axis in (None, 0, 1, 2, 3, 4, -1, -3, -4):
        name = "default" if axis is None else str(axis)
        yield simple(f"flatten-axis{name}", "Flatten", ["N", 2, 3, 4], axis=axis)
    yield simple("flatten-opset11-axis2", "Flatten", ["N", 2, 3, 4], 11, axis=2)
    yield simple("flatten-rank2-axis1", "Flatten", ["N", 5], axis=1)


def reshape_cases():
    shapes = {
        "0_-1": [0, -1],
        "-1": [-1],
        "0_6_4": [0, 6, 4],
        "0_0_-1": [0, 0, -1],
        "-1_4": [-1, 4],
        "0_2_-1_2": [0, 2, -1, 2],
        "3_24": [BATCH, 24],
        "0_1_24_1": [0, 1, 24, 1],
    }
    for name, shape in shapes.items():
        cid = f"reshape-{name}"
        yield simple(cid, "Reshape", ["N", 2, 3, 4], inits={"shape": np.array(shape, dtype=np.int64)})
    # Shape from a Constant node (what torch exports for x.view(N, -1)).
    rng = rng_for("reshape-shape-from-constant-node")
    yield Case(
        "reshape-shape-from-constant-node",
        [
            node("Constant", [], ["shape"], value=numpy_helper.from_array(np.array([0, -1], dtype=np.int64))),
            node("Reshape", ["x", "shape"]),
        ],
        rand(rng, BATCH, 2, 3, 4),
        ["N", 2, 3, 4],
    )
    yield simple("reshape-opset11-0_-1", "Reshape", ["N", 2, 3, 4], 11, inits={"s": np.array([0, -1], dtype=np.int64)})
    # opset 14 added allowzero; 0 (default) copies the input dim, 1 with no zeros in the shape is plain.
    yield simple(
        "reshape-opset14-allowzero0-0_-1", "Reshape", ["N", 2, 3, 4], 14,
        inits={"s": np.array([0, -1], dtype=np.int64)}, allowzero=0,
    )
    yield simple(
        "reshape-opset14-allowzero1--1_12", "Reshape", ["N", 2, 3, 4], 14,
        inits={"s": np.array([-1, 12], dtype=np.int64)}, allowzero=1,
    )
    yield simple("reshape-opset17-0_-1", "Reshape", ["N", 2, 3, 4], 17, inits={"s": np.array([0, -1], dtype=np.int64)})


def transpose_cases():
    specs = {
        "rank4-default": (["N", 2, 3, 4], None),
        "rank4-0231": (["N", 2, 3, 4], [0, 2, 3, 1]),
        "rank4-0312": (["N", 2, 3, 4], [0, 3, 1, 2]),
        "rank4-1023": (["N", 2, 3, 4], [1, 0, 2, 3]),
        "rank4-3210": (["N", 2, 3, 4], [3, 2, 1, 0]),
        "rank3-021": (["N", 3, 5], [0, 2, 1]),
        "rank2-default": (["N", 5], None),
        "rank2-10": (["N", 5], [1, 0]),
        "rank2-01": (["N", 5], [0, 1]),
        "rank1": (["N"], None),
    }
    for name, (x_shape, perm) in specs.items():
        yield simple(f"transpose-{name}", "Transpose", x_shape, perm=perm)
    yield simple("transpose-opset11-rank3", "Transpose", ["N", 3, 5], 11, perm=[2, 0, 1])


def identity_cases():
    yield simple("identity-alone", "Identity", ["N", 3, 4])
    rng = rng_for("identity-then-relu")
    yield Case(
        "identity-then-relu",
        [node("Identity", ["x"], ["t"]), node("Relu", ["t"])],
        rand(rng, BATCH, 3, 4),
        ["N", 3, 4],
    )
    rng = rng_for("relu-then-identity-as-output")
    yield Case(
        "relu-then-identity-as-output",
        [node("Relu", ["x"], ["t"]), node("Identity", ["t"], ["u"]), node("Identity", ["u"])],
        rand(rng, BATCH, 3, 4),
        ["N", 3, 4],
    )
    yield simple("identity-opset11", "Identity", ["N", 5], 11)
    yield simple("identity-opset17", "Identity", ["N", 5], 17)


def dropout_cases():
    x_shape = ["N", 3, 4]
    yield simple("dropout-opset11-ratio0.3", "Dropout", x_shape, 11, ratio=0.3)
    rng = rng_for("dropout-opset11-with-unused-mask")
    yield Case(
        "dropout-opset11-with-unused-mask",
        [node("Dropout", ["x"], ["y", "mask"], ratio=0.5)],
        rand(rng, BATCH, 3, 4),
        x_shape,
        opset=11,
    )
    yield simple("dropout-opset13-no-ratio", "Dropout", x_shape, 13)
    ratio = np.array(0.5, dtype=np.float32)
    yield simple("dropout-opset13-ratio-input", "Dropout", x_shape, 13, inits={"ratio": ratio})
    yield simple(
        "dropout-opset13-ratio-and-training-false",
        "Dropout",
        x_shape,
        13,
        inits={"ratio": np.array(0.25, dtype=np.float32), "training_mode": np.array(False)},
    )
    rng = rng_for("dropout-opset17-with-unused-mask-then-relu")
    yield Case(
        "dropout-opset17-with-unused-mask-then-relu",
        [node("Dropout", ["x"], ["t", "mask"], seed=7), node("Relu", ["t"])],
        rand(rng, BATCH, 3, 4),
        x_shape,
        opset=17,
    )


def batchnorm_params(rng, c):
    return {
        "scale": rand(rng, c, lo=0.5, hi=2.0),
        "bias": rand(rng, c),
        "mean": rand(rng, c, lo=-0.5, hi=0.5),
        "var": rand(rng, c, lo=0.1, hi=2.0),
    }


def batchnorm_cases():
    for x_shape in (["N", 3, 4, 5], ["N", 3], ["N", 3, 6]):
        for opset in (11, 13, 14, 15, 17):
            cid = f"batchnorm-opset{opset}-rank{len(x_shape)}"
            attrs = {"training_mode": 0} if opset in (14, 15) else {}
            yield simple(cid, "BatchNormalization", x_shape, opset, inits=batchnorm_params(rng_for(cid), 3), **attrs)
    cid = "batchnorm-epsilon0.1-momentum0.7"
    yield simple(
        cid, "BatchNormalization", ["N", 3, 4, 5], inits=batchnorm_params(rng_for(cid), 3), epsilon=0.1, momentum=0.7
    )


# ---------------------------------------------------------------------------------------------- conv, pad, pool
def torch_conv_same_upper(strides, dilations, group):
    """torch's conv2d in float64 after explicit SAME_UPPER padding (onnxruntime 1.16 refuses auto_pad with
    dilations). Total pad per axis = max(0, (ceil(L / s) - 1) * s + (k - 1) * d + 1 - L), the odd one at the end."""

    def reference(x, w, b):
        import torch  # slow import; only these cases need it

        pads = []
        for length, k, s, d in zip(x.shape[2:], w.shape[2:], strides, dilations):
            total = max(0, (-(-length // s) - 1) * s + (k - 1) * d + 1 - length)
            pads.append((total // 2, total - total // 2))
        xt = torch.nn.functional.pad(torch.from_numpy(x.astype(np.float64)), (*pads[1], *pads[0]))
        wt = torch.from_numpy(w.astype(np.float64))
        bt = torch.from_numpy(b.astype(np.float64))
        return torch.nn.functional.conv2d(xt, wt, bt, strides, 0, dilations, group).numpy()

    return reference


def conv_cases():
    cin, h, w = 4, 7, 8
    specs = {
        # id: (cout, kernel hxw, attributes, bias?)
        "k3-valid-bias": (5, (3, 3), {}, True),
        "k3-pads1-nobias": (5, (3, 3), {"pads": [1, 1, 1, 1]}, False),
        "k3-stride2-pads1": (5, (3, 3), {"strides": [2, 2], "pads": [1, 1, 1, 1]}, True),
        "k3-pads-asymmetric": (5, (3, 3), {"pads": [0, 1, 2, 1]}, True),
        "k3-dilation2": (5, (3, 3), {"dilations": [2, 2]}, True),
        "k3-dilation21-stride12": (5, (3, 3), {"dilations": [2, 1], "strides": [1, 2]}, True),
        "k3-groups2": (6, (3, 3), {"group": 2}, True),
        "k3-depthwise": (4, (3, 3), {"group": 4, "pads": [1, 1, 1, 1]}, True),
        "k3-depthwise-multiplier2": (8, (3, 3), {"group": 4}, False),
        "k1x1": (3, (1, 1), {}, True),
        "k2x3-stride21": (5, (2, 3), {"strides": [2, 1]}, True),
        "k3-same-upper": (5, (3, 3), {"auto_pad": "SAME_UPPER"}, True),
        "k3-stride2-same-upper": (5, (3, 3), {"auto_pad": "SAME_UPPER", "strides": [2, 2]}, True),
        "k2-same-upper": (5, (2, 2), {"auto_pad": "SAME_UPPER"}, True),
        "k3-stride2-same-lower": (5, (3, 3), {"auto_pad": "SAME_LOWER", "strides": [2, 2]}, True),
        "k3-stride2-valid": (5, (3, 3), {"auto_pad": "VALID", "strides": [2, 2]}, True),
        "k3-notset-explicit": (5, (3, 3), {"auto_pad": "NOTSET", "pads": [1, 0, 1, 0]}, True),
        "k3-all-attrs": (6, (3, 3), {"strides": [2, 2], "dilations": [2, 2], "pads": [1, 2, 1, 0], "group": 2}, True),
        "k3-no-kernel-shape-attr": (5, (3, 3), {"pads": [1, 1, 1, 1]}, True),
        "k3-dilation2-same-upper": (5, (3, 3), {"auto_pad": "SAME_UPPER", "dilations": [2, 2]}, True),
        "k3-dilation2-stride2-same-upper": (
            5, (3, 3), {"auto_pad": "SAME_UPPER", "dilations": [2, 2], "strides": [2, 2]}, True
        ),
        "full-window-7x8": (2, (7, 8), {}, True),
    }
    for name, (cout, (kh, kw), attrs, bias) in specs.items():
        cid = f"conv-{name}"
        rng = rng_for(cid)
        group = attrs.get("group", 1)
        inits = {"W": rand(rng, cout, cin // group, kh, kw)}
        if bias:
            inits["B"] = rand(rng, cout)
        if name != "k3-no-kernel-shape-attr":
            attrs = {**attrs, "kernel_shape": [kh, kw]}
        case = simple(cid, "Conv", ["N", cin, h, w], inits=inits, **attrs)
        if "dilations" in attrs and attrs.get("auto_pad") == "SAME_UPPER":
            ref = torch_conv_same_upper(attrs.get("strides", [1, 1]), attrs["dilations"], group)
            case.reference = lambda x, ref=ref, inits=inits: ref(x, inits["W"], inits["B"])
        yield case
    cid = "conv-one-input-channel"
    rng = rng_for(cid)
    yield simple(cid, "Conv", ["N", 1, 8, 8], inits={"W": rand(rng, 8, 1, 3, 3), "B": rand(rng, 8)}, pads=[1, 1, 1, 1])
    for opset in (11, 17):
        cid = f"conv-opset{opset}-k3-pads1"
        rng = rng_for(cid)
        yield simple(cid, "Conv", ["N", cin, h, w], opset, inits={"W": rand(rng, 3, cin, 3, 3)}, pads=[1, 1, 1, 1])
    cid = "conv-float-data-weights"
    rng = rng_for(cid)
    case = simple(cid, "Conv", ["N", cin, h, w], inits={"W": rand(rng, 3, cin, 3, 3), "B": rand(rng, 3)})
    case.float_data = True
    yield case


def pad_cases():
    x_shape = ["N", 2, 4, 5]
    pads_hw = [0, 0, 1, 2, 0, 0, 2, 1]
    for opset in (11, 13, 17):
        for mode in (None, "constant", "reflect", "edge"):
            name = mode or "default-mode"
            cid = f"pad-opset{opset}-{name}"
            yield simple(cid, "Pad", x_shape, opset, inits={"pads": np.array(pads_hw, dtype=np.int64)}, mode=mode)
        cid = f"pad-opset{opset}-constant-value1.5"
        yield simple(
            cid, "Pad", x_shape, opset,
            inits={"pads": np.array(pads_hw, dtype=np.int64), "value": np.array(1.5, dtype=np.float32)},
            mode="constant",
        )
    yield simple(
        "pad-reflect-maximal", "Pad", x_shape, inits={"pads": np.array([0, 0, 3, 4, 0, 0, 3, 4], dtype=np.int64)},
        mode="reflect",
    )
    yield simple(
        "pad-edge-wide", "Pad", x_shape, inits={"pads": np.array([0, 1, 5, 0, 0, 0, 0, 6], dtype=np.int64)}, mode="edge"
    )
    yield simple(
        "pad-constant-batch-axis", "Pad", x_shape, inits={"pads": np.array([1, 0, 0, 0, 2, 0, 0, 0], dtype=np.int64)}
    )
    yield simple(
        "pad-rank2-reflect", "Pad", ["N", 5], inits={"pads": np.array([0, 2, 0, 3], dtype=np.int64)}, mode="reflect"
    )
    yield simple(
        "pad-constant-negative-crops", "Pad", x_shape,
        inits={"pads": np.array([0, 0, -1, 1, 0, 0, 1, -2], dtype=np.int64)},
    )
    yield simple("pad-all-zero", "Pad", x_shape, inits={"pads": np.zeros(8, dtype=np.int64)})
    # torch 1.13's AvgPool2d export: Constant pads, Pad(constant), then AveragePool.
    rng = rng_for("pad-torch-avgpool-pattern")
    pads = numpy_helper.from_array(np.zeros(8, dtype=np.int64))
    yield Case(
        "pad-torch-avgpool-pattern",
        [
            node("Constant", [], ["pads"], value=pads),
            node("Pad", ["x", "pads"], ["p"], mode="constant"),
            node("AveragePool", ["p"], ceil_mode=0, kernel_shape=[2, 2], pads=[0, 0, 0, 0], strides=[2, 2]),
        ],
        rand(rng, BATCH, 2, 4, 4),
        ["N", 2, 4, 4],
    )


def pool_specs():
    return {
        "k2-s2": {"kernel_shape": [2, 2], "strides": [2, 2]},
        "k2-default-stride": {"kernel_shape": [2, 2]},
        "k3-s1-pads1": {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]},
        "k3-s2-pads-asymmetric": {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 0, 0, 1]},
        "k3-s2-ceil": {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1},
        "k2-s2-ceil": {"kernel_shape": [2, 2], "strides": [2, 2], "ceil_mode": 1},
        "k3-s2-pads1-ceil": {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "ceil_mode": 1},
        "k2x3-s12": {"kernel_shape": [2, 3], "strides": [1, 2]},
        "k3-s2-same-upper": {"kernel_shape": [3, 3], "strides": [2, 2], "auto_pad": "SAME_UPPER"},
        "k2-s1-same-upper": {"kernel_shape": [2, 2], "auto_pad": "SAME_UPPER"},
        "k3-s2-same-lower": {"kernel_shape": [3, 3], "strides": [2, 2], "auto_pad": "SAME_LOWER"},
        "k3-s2-valid": {"kernel_shape": [3, 3], "strides": [2, 2], "auto_pad": "VALID"},
        "global-window": {"kernel_shape": [7, 8]},
    }


def maxpool_cases():
    x_shape = ["N", 3, 7, 8]
    for name, attrs in pool_specs().items():
        cid = f"maxpool-{name}"
        rng = rng_for(cid)
        # All-negative inputs: a max pool that pads with 0 instead of -inf gives wrong border values.
        x = rand(rng, BATCH, 3, 7, 8, lo=-2.0, hi=-0.1)
        yield simple(cid, "MaxPool", x_shape, x=x, **attrs)
    cid = "maxpool-dilation2"
    yield simple(cid, "MaxPool", x_shape, x=rand(rng_for(cid), BATCH, 3, 7, 8), kernel_shape=[2, 2], dilations=[2, 2])
    cid = "maxpool-mixed-sign-pads1"
    yield simple(cid, "MaxPool", x_shape, kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    # storage_order only affects the (unrequested) Indices output.
    yield simple("maxpool-storage_order1", "MaxPool", x_shape, kernel_shape=[2, 2], strides=[2, 2], storage_order=1)
    for opset in (11, 12, 17):
        cid = f"maxpool-opset{opset}-k2-s2"
        yield simple(cid, "MaxPool", x_shape, opset, kernel_shape=[2, 2], strides=[2, 2])


def torch_avgpool_ceil_count_pad(kernel, strides, pads):
    """torch's average pool in float64 with ceil_mode and count_include_pad.

    onnxruntime 1.16 divides a ceil_mode window that runs past the explicit padding by the whole kernel size
    (microsoft/onnxruntime#16203; fixed only for opset 19+). ONNX means, and torch and onnx.reference compute,
    a divisor that counts the input and the explicit pads covered by the window but not the overhang.
    """
    assert pads[:2] == pads[2:], "torch pads symmetrically"

    def reference(x):
        import torch  # slow import; only these cases need it

        xt = torch.from_numpy(x.astype(np.float64))
        out = torch.nn.functional.avg_pool2d(xt, kernel, strides, pads[:2], ceil_mode=True, count_include_pad=True)
        return out.numpy()

    return reference


def avgpool_cases():
    x_shape = ["N", 3, 7, 8]
    for name, attrs in pool_specs().items():
        padded = "pads" in attrs or attrs.get("auto_pad", "").startswith("SAME")
        ceil = attrs.get("ceil_mode", 0) == 1
        for cip in (0, 1) if padded or ceil else (None,):
            cid = f"avgpool-{name}" + ("" if cip is None else f"-count_include_pad{cip}")
            # Positive inputs: every window average is O(1), so a wrong divisor shows plainly.
            case = simple(cid, "AveragePool", x_shape, lo=0.1, hi=2.0, count_include_pad=cip, **attrs)
            if ceil and cip == 1:
                pads = attrs.get("pads", [0, 0, 0, 0])
                case.reference = torch_avgpool_ceil_count_pad(attrs["kernel_shape"], attrs["strides"], pads)
            yield case
    for opset in (11, 17):
        cid = f"avgpool-opset{opset}-k3-s1-pads1-count_include_pad1"
        yield simple(
            cid, "AveragePool", x_shape, opset,
            kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=1, lo=0.1, hi=2.0,
        )


def global_avgpool_cases():
    for x_shape in (["N", 3, 5, 6], ["N", 4, 7], ["N", 2, 1, 1]):
        cid = f"globalavgpool-rank{len(x_shape)}-{'x'.join(map(str, x_shape[1:]))}"
        yield simple(cid, "GlobalAveragePool", x_shape)
    yield simple("globalavgpool-opset11", "GlobalAveragePool", ["N", 3, 5, 6], 11)


# ---------------------------------------------------------------------------------------------- Constant, Concat
def constant_cases():
    rng = rng_for("constant-tensor-add")
    c = numpy_helper.from_array(rand(rng, 3, 4))
    yield Case(
        "constant-tensor-add",
        [node("Constant", [], ["c"], value=c), node("Add", ["x", "c"])],
        rand(rng, BATCH, 3, 4),
        ["N", 3, 4],
    )
    rng = rng_for("constant-value_float-mul")
    yield Case(
        "constant-value_float-mul",
        [node("Constant", [], ["c"], value_float=-2.5), node("Mul", ["x", "c"])],
        rand(rng, BATCH, 3, 4),
        ["N", 3, 4],
    )
    rng = rng_for("constant-value_floats-sub")
    yield Case(
        "constant-value_floats-sub",
        [node("Constant", [], ["c"], value_floats=[0.5, -1.0, 2.0, 0.25]), node("Sub", ["c", "x"])],
        rand(rng, BATCH, 3, 4),
        ["N", 3, 4],
    )
    rng = rng_for("constant-value_ints-reshape-shape")
    yield Case(
        "constant-value_ints-reshape-shape",
        [node("Constant", [], ["s"], value_ints=[0, -1]), node("Reshape", ["x", "s"])],
        rand(rng, BATCH, 3, 4),
        ["N", 3, 4],
        y_shape=["N", 12],  # onnx 1.12 does not infer Reshape shapes from value_ints
    )
    rng = rng_for("constant-opset11-tensor-mul")
    yield Case(
        "constant-opset11-tensor-mul",
        [node("Constant", [], ["c"], value=numpy_helper.from_array(rand(rng, 4))), node("Mul", ["x", "c"])],
        rand(rng, BATCH, 3, 4),
        ["N", 3, 4],
        opset=11,
    )
    # A constant subgraph (Constant, initializer, Mul, Transpose) feeding a MatMul: foldable.
    rng = rng_for("constant-subgraph-folds")
    yield Case(
        "constant-subgraph-folds",
        [
            node("Constant", [], ["c"], value=numpy_helper.from_array(rand(rng, 3, 4))),
            node("Mul", ["c", "w"], ["cw"]),
            node("Sigmoid", ["cw"], ["s"]),
            node("Transpose", ["s"], ["st"]),
            node("MatMul", ["x", "st"]),
        ],
        rand(rng, BATCH, 4),
        ["N", 4],
        {"w": rand(rng, 3, 4)},
    )


def concat_cases():
    specs = {
        "axis1": ([BATCH, 3, 4], [BATCH, 2, 4], 1),
        "axis-1": ([BATCH, 3, 4], [BATCH, 3, 5], -1),
        "axis2": ([BATCH, 3, 4], [BATCH, 3, 1], 2),
        "axis0-dynamic-batch": (["N", 3, 4], [2, 3, 4], 0),
    }
    for name, (x_shape, w_shape, axis) in specs.items():
        cid = f"concat-{name}"
        yield simple(cid, "Concat", x_shape, inits={"W": rand(rng_for(cid), *w_shape)}, axis=axis)
    cid = "concat-x-w-x-axis2"
    w = rand(rng_for(cid), BATCH, 3, 2)
    yield simple(cid, "Concat", [BATCH, 3, 4], inits={"W": w}, inputs=["x", "W", "x"], axis=2)
    cid = "concat-two-branches-dynamic"
    rng = rng_for(cid)
    yield Case(
        cid,
        [node("Relu", ["x"], ["a"]), node("Sigmoid", ["x"], ["b"]), node("Concat", ["a", "b"], axis=1)],
        rand(rng, BATCH, 3, 4),
        ["N", 3, 4],
    )
    cid = "concat-axis-3-is-batch-axis"
    yield simple(cid, "Concat", ["N", 3, 4], inits={"W": rand(rng_for(cid), 1, 3, 4)}, axis=-3)
    cid = "concat-single-input"
    yield simple(cid, "Concat", ["N", 3], axis=1)
    for opset in (11, 17):
        cid = f"concat-opset{opset}-axis1"
        yield simple(cid, "Concat", [BATCH, 3], opset, inits={"W": rand(rng_for(cid), BATCH, 2)}, axis=1)


# ---------------------------------------------------------------------------------------------- small graphs
def torch_like_cnn(cid, batch):
    """The op sequence of examples/digits/digits_cnn.onnx, with random weights."""
    rng = rng_for(cid)
    return Case(
        cid,
        [
            node(
                "Conv", ["x", "w1", "b1"], ["c1"],
                kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1], dilations=[1, 1], group=1,
            ),
            node("Relu", ["c1"], ["r1"]),
            node("BatchNormalization", ["r1", "scale", "bias", "mean", "var"], ["n1"], epsilon=1e-5, momentum=0.9),
            node("MaxPool", ["n1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0], ceil_mode=0),
            node("Conv", ["p1", "w2", "b2"], ["c2"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
            node("Relu", ["c2"], ["r2"]),
            node("Constant", [], ["pads"], value=numpy_helper.from_array(np.zeros(8, dtype=np.int64))),
            node("Pad", ["r2", "pads"], ["q"], mode="constant"),
            node("AveragePool", ["q"], ["p2"], kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0], ceil_mode=0),
            node("Flatten", ["p2"], ["f"], axis=1),
            node("Gemm", ["f", "w3", "b3"], alpha=1.0, beta=1.0, transB=1),
        ],
        rand(rng, batch, 1, 8, 8, lo=0.0, hi=1.0),
        ["N", 1, 8, 8],
        {
            "w1": rand(rng, 4, 1, 3, 3),
            "b1": rand(rng, 4),
            **batchnorm_params(rng, 4),
            "w2": rand(rng, 6, 4, 3, 3),
            "b2": rand(rng, 6),
            "w3": rand(rng, 10, 24),
            "b3": rand(rng, 10),
        },
    )


def graph_cases():
    """Patterns that holo's simplification passes rewrite; the outputs must not change."""
    cid = "graph-conv-batchnorm-relu"  # BN directly after Conv: folded into the Conv
    rng = rng_for(cid)
    yield Case(
        cid,
        [
            node("Conv", ["x", "W", "B"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
            node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["n"], epsilon=1e-3),
            node("Relu", ["n"]),
        ],
        rand(rng, BATCH, 2, 5, 5),
        ["N", 2, 5, 5],
        {"W": rand(rng, 3, 2, 3, 3), "B": rand(rng, 3), **batchnorm_params(rng, 3)},
    )
    cid = "graph-conv-nobias-batchnorm"  # folding must create the Conv bias
    rng = rng_for(cid)
    yield Case(
        cid,
        [
            node("Conv", ["x", "W"], ["c"], kernel_shape=[3, 3], strides=[2, 2], group=2),
            node("BatchNormalization", ["c", "scale", "bias", "mean", "var"]),
        ],
        rand(rng, BATCH, 2, 7, 7),
        ["N", 2, 7, 7],
        {"W": rand(rng, 4, 1, 3, 3), **batchnorm_params(rng, 4)},
    )
    cid = "graph-conv-feeds-batchnorm-and-relu"  # Conv has a second consumer: folding BN into it is wrong
    rng = rng_for(cid)
    yield Case(
        cid,
        [
            node("Conv", ["x", "W", "B"], ["c"], kernel_shape=[3, 3]),
            node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["n"]),
            node("Relu", ["c"], ["r"]),
            node("Add", ["n", "r"]),
        ],
        rand(rng, BATCH, 2, 5, 5),
        ["N", 2, 5, 5],
        {"W": rand(rng, 3, 2, 3, 3), "B": rand(rng, 3), **batchnorm_params(rng, 3)},
    )
    for tb, with_c in ((1, True), (0, False)):
        cid = f"graph-gemm-tB{tb}-{'C' if with_c else 'noC'}-batchnorm"  # BN after a Linear
        rng = rng_for(cid)
        inits = {"W": rand(rng, *([4, 6] if tb else [6, 4]))}
        if with_c:
            inits["C"] = rand(rng, 4)
        inits.update(batchnorm_params(rng, 4))
        yield Case(
            cid,
            [
                node("Gemm", ["x", "W", "C"] if with_c else ["x", "W"], ["g"], transB=tb or None, alpha=0.75),
                node("BatchNormalization", ["g", "scale", "bias", "mean", "var"], ["n"], epsilon=0.01),
                node("Sigmoid", ["n"]),
            ],
            rand(rng, BATCH, 6),
            ["N", 6],
            inits,
        )
    cid = "graph-identity-and-dropout-with-two-consumers"
    rng = rng_for(cid)
    yield Case(
        cid,
        [
            node("Identity", ["x"], ["i"]),
            node("Dropout", ["i"], ["d"], ratio=0.5),
            node("Relu", ["d"], ["a"]),
            node("Tanh", ["d"], ["b"]),
            node("Mul", ["a", "b"], ["m"]),
            node("Dropout", ["m"]),
        ],
        rand(rng, BATCH, 3, 4),
        ["N", 3, 4],
        opset=11,
    )
    yield torch_like_cnn("graph-torch-like-cnn", BATCH)
    # Large batches: whatever splits the batch across threads must put every row back in place.
    yield torch_like_cnn("graph-torch-like-cnn-batch257", 257)
    cid = "graph-gemm-batch1000"
    rng = rng_for(cid)
    yield Case(
        cid,
        [node("Gemm", ["x", "W", "C"], ["g"], transB=1), node("Tanh", ["g"], ["t"]), node("Gemm", ["t", "W2"])],
        rand(rng, 1000, 16),
        ["N", 16],
        {"W": rand(rng, 24, 16), "C": rand(rng, 24), "W2": rand(rng, 24, 5)},
    )
    cid = "graph-mlp-matmul-add-softmax"  # Linear on 3-D input exports as MatMul + Add
    rng = rng_for(cid)
    yield Case(
        cid,
        [
            node("MatMul", ["x", "w1"], ["h"]),
            node("Add", ["h", "b1"], ["z"]),
            node("LeakyRelu", ["z"], ["a"], alpha=0.1),
            node("MatMul", ["a", "w2"], ["o"]),
            node("Softmax", ["o"], axis=-1),
        ],
        rand(rng, BATCH, 2, 5),
        ["N", 2, 5],
        {"w1": rand(rng, 5, 7), "b1": rand(rng, 7), "w2": rand(rng, 7, 3)},
    )
    cid = "graph-batch1"  # dynamic batch of size 1
    rng = rng_for(cid)
    yield Case(
        cid,
        [node("Gemm", ["x", "W", "C"], ["g"], transB=1), node("Relu", ["g"])],
        rand(rng, 1, 6),
        ["N", 6],
        {"W": rand(rng, 3, 6), "C": rand(rng, 3)},
    )


def all_cases():
    families = [
        gemm_cases, matmul_cases, binary_cases, unary_cases, softmax_cases, flatten_cases, reshape_cases,
        transpose_cases, identity_cases, dropout_cases, batchnorm_cases, conv_cases, pad_cases, maxpool_cases,
        avgpool_cases, global_avgpool_cases, constant_cases, concat_cases, graph_cases,
    ]
    cases = [case for family in families for case in family()]
    ids = [case.id for case in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate case ids: {duplicates}"
    return cases


CASES = all_cases()


def run_onnxruntime(model, x):
    options = ort.SessionOptions()
    # No graph rewrites: onnxruntime should execute the ops as written.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    (y,) = session.run(["y"], {"x": x})
    return y


def describe(case):
    lines = [f"opset {case.opset}, x {list(case.x.shape)} (declared {case.x_shape})"]
    for n in case.nodes:
        shown = [a for a in n.attribute if a.type != onnx.AttributeProto.TENSOR]
        attrs = ", ".join(f"{a.name}={helper.get_attribute_value(a)!r}" for a in shown)
        lines.append(f"  {n.op_type}({', '.join(n.input)}) -> {', '.join(n.output)}  {attrs}")
    for name, value in case.inits.items():
        lines.append(f"  initializer {name}: {value.dtype} {list(value.shape)}")
    return "\n".join(lines)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_holo_matches_onnxruntime(case, holo, tmp_path):
    model = case.model()
    expected = case.reference(case.x) if case.reference else run_onnxruntime(model, case.x)
    model_path = tmp_path / "model.onnx"
    onnx.save(model, str(model_path))
    got = holo.run(model_path, case.x, tmp_path)
    assert_close_to_scale(got, expected, REL_TOL, f"{case.id}\n{describe(case)}\n")


# The same graphs with holo's simplification passes switched off: the executor alone must agree too, so
# a pass cannot hide (or cause) an executor bug. Only cases containing something a pass rewrites.
REWRITTEN_OPS = {"Identity", "Dropout", "BatchNormalization", "Constant"}
UNSIMPLIFIED = [c for c in CASES if c.id.startswith("graph-") or REWRITTEN_OPS & {n.op_type for n in c.nodes}]


@pytest.mark.parametrize("case", UNSIMPLIFIED, ids=[c.id for c in UNSIMPLIFIED])
def test_holo_no_simplify_matches_onnxruntime(case, holo, tmp_path):
    model = case.model()
    expected = case.reference(case.x) if case.reference else run_onnxruntime(model, case.x)
    model_path = tmp_path / "model.onnx"
    onnx.save(model, str(model_path))
    got = holo.run(model_path, case.x, tmp_path, "--no-simplify")
    assert_close_to_scale(got, expected, REL_TOL, f"{case.id} (--no-simplify)\n{describe(case)}\n")
