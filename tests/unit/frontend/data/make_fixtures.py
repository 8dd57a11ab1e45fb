#!/usr/bin/python3
"""Generates the frontend test fixtures in this folder (run with Debian's /usr/bin/python3: needs onnx, numpy).

    /usr/bin/python3 tests/unit/frontend/data/make_fixtures.py

Deterministic: fixed seeds, fixed producer strings; re-running rewrites byte-identical files. The tests in
tests/unit/frontend/*.cpp state what each file is for; the fuzz targets use them as seed corpora.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(0)


def weights(*shape):
    return rng.uniform(-1, 1, size=shape).astype(np.float32)


def inline(arr):
    return {"shape": list(arr.shape), "data": [float(v) for v in arr.astype(np.float64).ravel()]}


def model(nodes, inputs, outputs, inits=(), opset=13, value_info=(), name="g", opset_domain=""):
    g = helper.make_graph(list(nodes), name, list(inputs), list(outputs), initializer=list(inits),
                          value_info=list(value_info))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid(opset_domain, opset)],
                          producer_name="holo make_fixtures.py")
    m.ir_version = 7
    return m


def save(m, name):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(m.SerializeToString())


def fvi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def init(name, arr):
    return numpy_helper.from_array(arr, name)  # raw_data, little-endian


def save_npy(name, arr):
    np.save(os.path.join(HERE, name), arr)


# ---------------------------------------------------------------------------------------------------------------
# 1. mlp.onnx (opset 13, dynamic batch "N") and its JSON twin mlp.json (w1 in a float32 .npy sidecar, the rest
#    inline). The test checks both readers give the same graph.
w1, b1, w2, b2 = weights(32, 64), weights(32), weights(10, 32), weights(10)
mlp = model(
    [helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], name="fc1", transB=1),
     helper.make_node("Relu", ["h"], ["hr"], name="relu1"),
     helper.make_node("Gemm", ["hr", "w2", "b2"], ["logits"], name="fc2", transB=1, alpha=1.0, beta=1.0),
     helper.make_node("Softmax", ["logits"], ["y"], name="softmax")],
    [fvi("x", ["N", 64])], [fvi("y", ["N", 10])],
    [init("w1", w1), init("b1", b1), init("w2", w2), init("b2", b2)], name="mlp")
save(mlp, "mlp.onnx")
save_npy("mlp_w1.npy", w1)


mlp_json = {
    "format": "holo-json-model", "version": 1, "name": "mlp", "opset": 13,
    "doc": "JSON twin of mlp.onnx",
    "inputs": [{"name": "x", "shape": ["N", 64]}],
    "outputs": [{"name": "y", "shape": ["N", 10]}],
    "constants": {"w1": {"npy": "mlp_w1.npy"}, "b1": inline(b1),
                  "w2": {"shape": [10, 32], "data": [[float(v) for v in row] for row in w2.astype(np.float64)]},
                  "b2": inline(b2)},
    "nodes": [
        {"name": "fc1", "op": "Gemm", "inputs": ["x", "w1", "b1"], "outputs": ["h"], "attrs": {"transB": 1}},
        {"name": "relu1", "op": "Relu", "inputs": ["h"], "outputs": ["hr"]},
        {"name": "fc2", "op": "Gemm", "inputs": ["hr", "w2", "b2"], "outputs": ["logits"],
         "attrs": {"transB": 1, "alpha": 1.0, "beta": 1.0}},
        {"name": "softmax", "op": "Softmax", "inputs": ["logits"], "outputs": ["y"]},
    ],
}
with open(os.path.join(HERE, "mlp.json"), "w") as f:
    json.dump(mlp_json, f, indent=1)
    f.write("\n")

# A tiny hand-written JSON net for the fuzz seed corpus and the docs example.
tiny_json = {
    "format": "holo-json-model", "version": 1, "name": "tiny",
    "inputs": [{"name": "x", "shape": ["N", 2]}],
    "outputs": ["y"],
    "constants": {"w": {"shape": [2, 2], "data": [1.0, -2.0, 0.5, 3.0]}, "b": {"data": [0.25, -0.25]}},
    "nodes": [
        {"name": "fc", "op": "Gemm", "inputs": ["x", "w", "b"], "outputs": ["h"], "attrs": {"transB": 1}},
        {"op": "LeakyRelu", "inputs": ["h"], "outputs": ["y"], "attrs": {"alpha": 0.125}},
    ],
}
with open(os.path.join(HERE, "tiny.json"), "w") as f:
    json.dump(tiny_json, f, indent=1)
    f.write("\n")

# ---------------------------------------------------------------------------------------------------------------
# 2. cnn_opset11.onnx: legacy forms. Softmax-family default axis 1 + coerce_2d, Dropout with a ratio attribute and
#    an unused mask output, BatchNormalization with 5 outputs (4 unused), MaxPool with an unused Indices output,
#    Pad with its pads from a Constant (value_ints does not exist before opset 12: a tensor value is used).
cw, cb = weights(4, 1, 3, 3), weights(4)
scale, bias = weights(4), weights(4)
mean, var = weights(4), (np.abs(weights(4)) + 0.5).astype(np.float32)
fw, fb = weights(3, 64), weights(3)
cnn = model(
    [helper.make_node("Conv", ["x", "cw", "cb"], ["c"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                      strides=[1, 1], dilations=[1, 1], group=1),
     helper.make_node("BatchNormalization", ["c", "scale", "bias", "mean", "var"],
                      ["bn", "bn_mean", "bn_var", "bn_smean", "bn_svar"], name="bn", epsilon=1e-5, momentum=0.9),
     helper.make_node("Relu", ["bn"], ["r"], name="relu"),
     helper.make_node("MaxPool", ["r"], ["p", "p_idx"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
     helper.make_node("Constant", [], ["pads"], name="pads_const",
                      value=numpy_helper.from_array(np.array([0, 0, 0, 0, 0, 0, 0, 0], dtype=np.int64))),
     helper.make_node("Pad", ["p", "pads"], ["pp"], name="pad", mode="constant"),
     helper.make_node("AveragePool", ["pp"], ["ap"], name="avg", kernel_shape=[1, 1]),
     helper.make_node("Flatten", ["ap"], ["f"], name="flatten", axis=1),
     helper.make_node("Dropout", ["f"], ["fd", "mask"], name="drop", ratio=0.5),
     helper.make_node("Gemm", ["fd", "fw", "fb"], ["logits"], name="fc", transB=1),
     helper.make_node("LogSoftmax", ["logits"], ["y"], name="logsoftmax")],
    [fvi("x", ["N", 1, 8, 8])], [fvi("y", ["N", 3])],
    [init("cw", cw), init("cb", cb), init("scale", scale), init("bias", bias), init("mean", mean), init("var", var),
     init("fw", fw), init("fb", fb)], opset=11, name="cnn")
save(cnn, "cnn_opset11.onnx")


def onnx_to_json(m):
    """The JSON twin of a small ONNX model: weights inline, Constant nodes as constants, same names."""
    g = m.graph

    def dims(vi):
        return [d.dim_param if d.HasField("dim_param") else d.dim_value for d in vi.type.tensor_type.shape.dim]

    consts = {t.name: inline(numpy_helper.to_array(t)) for t in g.initializer}
    nodes = []
    for n in g.node:
        if n.op_type == "Constant":
            consts[n.output[0]] = inline(numpy_helper.to_array(n.attribute[0].t))
            continue
        attrs = {}
        for a in n.attribute:
            v = helper.get_attribute_value(a)
            if a.type == onnx.AttributeProto.FLOAT:
                v = float(v)  # json writes e.g. 1.0, which reads back as a float attribute
            elif a.type == onnx.AttributeProto.STRING:
                v = v.decode()
            elif a.type in (onnx.AttributeProto.INTS, onnx.AttributeProto.FLOATS):
                v = list(v)
            attrs[a.name] = v
        node = {"name": n.name, "op": n.op_type, "inputs": list(n.input), "outputs": list(n.output)}
        if attrs:
            node["attrs"] = attrs
        nodes.append(node)
    opset = [o.version for o in m.opset_import if o.domain in ("", "ai.onnx")][0]
    return {"format": "holo-json-model", "version": 1, "name": g.name, "opset": opset,
            "inputs": [{"name": i.name, "shape": dims(i)} for i in g.input if i.name not in consts],
            "outputs": [{"name": o.name, "shape": dims(o)} for o in g.output],
            "constants": consts, "nodes": nodes}


with open(os.path.join(HERE, "cnn_opset11.json"), "w") as f:
    json.dump(onnx_to_json(cnn), f)
    f.write("\n")

# ---------------------------------------------------------------------------------------------------------------
# 3. ops_opset13.onnx: the remaining ops, Constant value_float/value_floats/value_ints, Dropout with ratio and a
#    constant-false training_mode input, Reshape with its shape from a Constant, unnamed and duplicated node names.
mm = weights(6, 4)
ops = model(
    [helper.make_node("MatMul", ["x", "mm"], ["a"], name="matmul"),
     helper.make_node("Constant", [], ["half"], value_float=0.5),
     helper.make_node("Mul", ["a", "half"], ["b"], name="dup"),
     helper.make_node("Constant", [], ["offs"], value_floats=[1.0, 2.0, 3.0, 4.0]),
     helper.make_node("Add", ["b", "offs"], ["c"], name="dup"),
     helper.make_node("Sub", ["c", "offs"], ["d"]),
     helper.make_node("Div", ["d", "half"], ["e"], name="Relu_14"),
     helper.make_node("LeakyRelu", ["e"], ["f"], alpha=0.25),
     helper.make_node("Sigmoid", ["f"], ["g"], name="sigmoid"),
     helper.make_node("Tanh", ["g"], ["h"], name="tanh"),
     helper.make_node("Identity", ["h"], ["i"], name="identity"),
     helper.make_node("Constant", [], ["ratio"], name="ratio_const",
                      value=numpy_helper.from_array(np.array(0.25, dtype=np.float32))),
     helper.make_node("Constant", [], ["train"], name="train_const",
                      value=numpy_helper.from_array(np.array(False))),
     helper.make_node("Dropout", ["i", "ratio", "train"], ["j"], name="dropout"),
     helper.make_node("Relu", ["j"], ["k"]),
     helper.make_node("Transpose", ["k"], ["kt"], name="transpose", perm=[1, 0]),
     helper.make_node("Constant", [], ["shape"], name="shape_const", value_ints=[2, -1]),
     helper.make_node("Reshape", ["kt", "shape"], ["r"], name="reshape"),
     helper.make_node("Concat", ["r", "r"], ["cat"], name="concat", axis=1),
     helper.make_node("Softmax", ["cat"], ["y"], name="softmax")],
    [fvi("x", [3, 6])], [fvi("y", [2, 12])], [init("mm", mm)],
    value_info=[fvi("a", [3, 4])], opset=13, name="ops")
save(ops, "ops_opset13.onnx")

# A 4-D graph for GlobalAveragePool and BatchNormalization at opset 14 (explicit training_mode = 0).
gap = model(
    [helper.make_node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["bn"], name="bn",
                      training_mode=0, epsilon=1e-3),
     helper.make_node("GlobalAveragePool", ["bn"], ["y"], name="gap")],
    [fvi("x", ["N", 4, 5, 5])], [fvi("y", ["N", 4, 1, 1])],
    [init("scale", scale), init("bias", bias), init("mean", mean), init("var", var)], opset=14, name="gap")
save(gap, "gap_opset14.onnx")

# ---------------------------------------------------------------------------------------------------------------
# 4. tensors.onnx: every supported tensor encoding; the test checks the exact values.
#    t_f32_typed: FLOAT in float_data; t_f64: DOUBLE in double_data; t_f16_raw / t_f16_typed: FLOAT16 as raw_data and
#    as int32_data bit patterns; t_bf16: BFLOAT16 raw; t_i32: INT32 int32_data; t_i64: INT64 int64_data;
#    t_u8: UINT8 raw. All are [4] and added into a chain so every one is used. (Mixing element types in Add is
#    not valid ONNX typing; holo computes in float64 and does not check it, and this file tests storage only.)
vals = np.array([0.5, -1.25, 3.0, 0.0], dtype=np.float32)
half_bits = vals.astype(np.float16).view(np.uint16)
bf16_bits = (vals.view(np.uint32) >> 16).astype(np.uint16)
tensors = [
    helper.make_tensor("t_f32_typed", TensorProto.FLOAT, [4], vals.tolist()),
    helper.make_tensor("t_f64", TensorProto.DOUBLE, [4], [0.1, -0.2, 1e-300, 12345.678]),
    helper.make_tensor("t_f16_raw", TensorProto.FLOAT16, [4], half_bits.tobytes(), raw=True),
    helper.make_tensor("t_f16_typed", TensorProto.FLOAT16, [4], vals.tolist()),  # helper stores the bits in int32_data
    helper.make_tensor("t_bf16", TensorProto.BFLOAT16, [4], bf16_bits.tobytes(), raw=True),
    helper.make_tensor("t_i32", TensorProto.INT32, [4], [1, -2, 2147483647, -2147483648]),
    helper.make_tensor("t_i64", TensorProto.INT64, [4], [1, -2, 1 << 40, -(1 << 50)]),
    helper.make_tensor("t_u8", TensorProto.UINT8, [4], np.array([0, 1, 200, 255], dtype=np.uint8).tobytes(), raw=True),
]
chain, prev = [], "x"
for i, t in enumerate(tensors):
    chain.append(helper.make_node("Add", [prev, t.name], [f"s{i}"], name=f"add{i}"))
    prev = f"s{i}"
chain.append(helper.make_node("Identity", [prev], ["y"], name="out"))
save(model(chain, [fvi("x", [4])], [fvi("y", [4])], tensors, name="tensors"), "tensors.onnx")

# ---------------------------------------------------------------------------------------------------------------
# 5. External data: ext.onnx keeps w (FLOAT [2,3]) and b (FLOAT [3]) in ext_weights.bin at offsets 0 and 64.
ew, eb = weights(2, 3), weights(3)
with open(os.path.join(HERE, "ext_weights.bin"), "wb") as f:
    f.write(ew.tobytes() + b"\0" * (64 - ew.nbytes) + eb.tobytes())


def external(name, arr, location, offset, length=None):
    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.FLOAT
    t.dims.extend(arr.shape)
    t.data_location = TensorProto.EXTERNAL
    entries = [("location", location), ("offset", str(offset))]
    if length is not None:
        entries.append(("length", str(length)))
    for k, v in entries:
        e = t.external_data.add()
        e.key, e.value = k, v
    return t


def ext_model(inits):
    return model([helper.make_node("MatMul", ["x", "w"], ["m"], name="mm"),
                  helper.make_node("Add", ["m", "b"], ["y"], name="add")],
                 [fvi("x", ["N", 2])], [fvi("y", ["N", 3])], inits, name="ext")


save(ext_model([external("w", ew, "ext_weights.bin", 0, ew.nbytes), external("b", eb, "ext_weights.bin", 64)]),
     "ext.onnx")
np.save(os.path.join(HERE, "ext_expected_w.npy"), ew)
np.save(os.path.join(HERE, "ext_expected_b.npy"), eb)

# ---------------------------------------------------------------------------------------------------------------
# Negative fixtures: each is named bad_<what>.onnx; the test names the expected error code.
def relu_model(inits=(), nodes=None, opset=13, **kw):
    nodes = nodes or [helper.make_node("Add", ["x", "w"], ["s"], name="add"),
                      helper.make_node("Relu", ["s"], ["y"], name="relu")]
    return model(nodes, [fvi("x", [2, 2])], [fvi("y", [2, 2])], inits, opset=opset, **kw)


ok_w = init("w", weights(2, 2))
save(relu_model([ok_w], [helper.make_node("Add", ["x", "w"], ["s"], name="add"),
                         helper.make_node("Erf", ["s"], ["y"], name="my_erf")]), "bad_unsupported_op.onnx")
save(relu_model([ok_w], [helper.make_node("Add", ["x", "w"], ["s"], name="add"),
                         helper.make_node("Relu", ["s"], ["y"], name="relu", domain="com.example")]),
     "bad_custom_domain.onnx")
save(relu_model([ok_w], opset=10), "bad_opset10.onnx")
save(relu_model([ok_w], opset=18), "bad_opset18.onnx")
save(relu_model([ok_w], opset_domain="ai.onnx.ml", opset=3), "bad_no_default_opset.onnx")

tensor_attr = helper.make_attribute("junk", numpy_helper.from_array(np.zeros(2, dtype=np.float32)))
bad_attr_node = helper.make_node("Relu", ["s"], ["y"], name="relu_with_tensor")
bad_attr_node.attribute.append(tensor_attr)
save(relu_model([ok_w], [helper.make_node("Add", ["x", "w"], ["s"], name="add"), bad_attr_node]),
     "bad_attr_tensor.onnx")
save(relu_model([ok_w], [helper.make_node("Add", ["x", "w"], ["s"], name="add"),
                         helper.make_node("Relu", ["s"], ["y"], name="relu_with_strings", tags=["a", "b"])]),
     "bad_attr_strings.onnx")
# Unsupported attribute values: BatchNormalization in training mode; Dropout with training_mode = true.
bn4 = [init(n, a) for n, a in (("scale", scale), ("bias", bias), ("mean", mean), ("var", var))]
save(model([helper.make_node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"], name="bn_train",
                             training_mode=1)],
           [fvi("x", [1, 4, 2, 2])], [fvi("y", [1, 4, 2, 2])], bn4, opset=14), "bad_bn_training.onnx")
save(relu_model([ok_w], [helper.make_node("Constant", [], ["t"], value=numpy_helper.from_array(np.array(True))),
                         helper.make_node("Dropout", ["x", "", "t"], ["s"], name="drop_train"),
                         helper.make_node("Relu", ["s"], ["y"], name="relu")]), "bad_dropout_training.onnx")
save(model([helper.make_node("MaxPool", ["x"], ["p", "idx"], name="pool", kernel_shape=[1, 1]),
            helper.make_node("Identity", ["idx"], ["y"], name="use_idx")],
           [fvi("x", [1, 1, 2, 2])], [fvi("y", [1, 1, 2, 2])]), "bad_used_indices.onnx")
save(relu_model([ok_w], [helper.make_node("Add", ["x", "w"], ["s"], name="add"),
                         helper.make_node("Relu", ["nowhere"], ["y"], name="relu")]), "bad_dangling.onnx")
save(relu_model([ok_w], [helper.make_node("Add", ["x", "r"], ["s"], name="add_in_cycle"),
                         helper.make_node("Relu", ["s"], ["r"], name="relu_in_cycle"),
                         helper.make_node("Identity", ["r"], ["y"], name="out")]), "bad_cycle.onnx")
save(relu_model([ok_w, init("w", weights(2, 2))]), "bad_duplicate_initializer.onnx")
# Declared output shape [2,2] while Add of [2,2] and a [2,3] weight cannot give it (shape mismatch).
save(model([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], [fvi("x", [2, 2])], [fvi("y", [2, 5])],
           [init("w", weights(2, 3))]), "bad_output_shape.onnx")

# Structurally invalid: a Constant node without a value; the same attribute twice on one node.
save(relu_model([ok_w], [helper.make_node("Constant", [], ["c"], name="empty_const"),
                         helper.make_node("Add", ["x", "c"], ["s"], name="add"),
                         helper.make_node("Relu", ["s"], ["y"], name="relu")]), "bad_constant_no_value.onnx")
twice = helper.make_node("LeakyRelu", ["s"], ["y"], name="leaky_twice", alpha=0.5)
twice.attribute.append(helper.make_attribute("alpha", 0.25))
save(relu_model([ok_w], [helper.make_node("Add", ["x", "w"], ["s"], name="add"), twice]), "bad_attr_twice.onnx")

# Tensor payload problems.
save(relu_model([external("w", weights(2, 2), "does_not_exist.bin", 0)]), "bad_external_missing.onnx")
save(relu_model([external("w", weights(2, 2), "../escape.bin", 0)]), "bad_external_escape.onnx")
save(relu_model([external("w", weights(2, 2), "ext_weights.bin", 90)]), "bad_external_range.onnx")
short = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2, 2], raw_data=np.zeros(3, np.float32).tobytes())
save(relu_model([short]), "bad_size_raw.onnx")
save(relu_model([TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2, 2], float_data=[1.0, 2.0, 3.0, 4.0, 5.0])]),
     "bad_size_typed.onnx")
save(relu_model([TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2, 2])]), "bad_size_nodata.onnx")
huge = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[1 << 40, 1 << 40], raw_data=b"\0" * 16)
save(relu_model([huge]), "bad_dims_huge.onnx")
save(relu_model([TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[-1, 4], raw_data=b"\0" * 16)]),
     "bad_dims_negative.onnx")
save(relu_model([init("w", np.array([[1, np.nan], [0, 1]], np.float32))]), "bad_nan.onnx")
save(relu_model([init("w", np.array([[1, 0], [-np.inf, 1]], np.float32))]), "bad_inf.onnx")
save(relu_model([helper.make_tensor("w", TensorProto.STRING, [2, 2], [b"a", b"b", b"c", b"d"])]), "bad_dtype_string.onnx")
save(relu_model([helper.make_tensor("w", TensorProto.COMPLEX64, [2, 2], [1 + 0j, 2 + 0j, 3 + 0j, 4 + 0j])]),
     "bad_dtype_complex.onnx")

# Corrupt .npy sidecars are made in the tests themselves (holo::parse_npy on bytes).
print("fixtures written to", HERE)
