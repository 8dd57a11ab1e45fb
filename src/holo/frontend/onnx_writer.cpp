#include "holo/frontend/onnx_writer.h"

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <cstring>

#include "holo/support/error.h"
#include "holo/support/file_io.h"

namespace holo::frontend {
namespace {

void set_shape(onnx::ValueInfoProto* vi, const graph::Tensor& t) {
  vi->set_name(t.name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  auto* sh = tt->mutable_shape();
  for (int64_t d : t.shape) {
    auto* dim = sh->add_dim();
    if (d < 0)
      dim->set_dim_param("N");
    else
      dim->set_dim_value(d);
  }
}

void set_attr(onnx::AttributeProto* a, const std::string& name, const graph::AttrValue& v) {
  a->set_name(name);
  if (auto* i = std::get_if<int64_t>(&v)) {
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(*i);
  } else if (auto* f = std::get_if<double>(&v)) {
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(static_cast<float>(*f));
  } else if (auto* s = std::get_if<std::string>(&v)) {
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(*s);
  } else if (auto* is = std::get_if<std::vector<int64_t>>(&v)) {
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : *is) a->add_ints(x);
  } else if (auto* fs = std::get_if<std::vector<double>>(&v)) {
    a->set_type(onnx::AttributeProto::FLOATS);
    for (double x : *fs) a->add_floats(static_cast<float>(x));
  }
}

}  // namespace

std::string write_onnx_bytes(const graph::Graph& g, const OnnxWriteOptions& opts) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.set_producer_name("holo-code-gen");
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(g.opset);
  auto* gp = m.mutable_graph();
  gp->set_name(g.name.empty() ? "graph" : g.name);
  for (auto id : g.inputs) set_shape(gp->add_input(), g.tensor(id));
  for (auto id : g.outputs) {
    auto* vi = gp->add_output();
    vi->set_name(g.tensor(id).name);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  }
  for (const graph::Tensor& t : g.tensors) {
    if (!t.value) continue;
    auto* tp = gp->add_initializer();
    tp->set_name(t.name);
    for (int64_t d : t.shape) tp->add_dims(d);
    std::string raw;
    if (opts.float32_weights) {
      tp->set_data_type(onnx::TensorProto::FLOAT);
      raw.resize(t.value->data.size() * 4);
      for (size_t i = 0; i < t.value->data.size(); ++i) {
        auto f = static_cast<float>(t.value->data[i]);
        std::memcpy(raw.data() + 4 * i, &f, 4);
      }
    } else {
      tp->set_data_type(onnx::TensorProto::DOUBLE);
      raw.resize(t.value->data.size() * 8);
      std::memcpy(raw.data(), t.value->data.data(), raw.size());
    }
    tp->set_raw_data(std::move(raw));
  }
  for (const graph::Node& n : g.nodes) {
    auto* np = gp->add_node();
    np->set_name(n.name);
    np->set_op_type(n.op);
    for (auto id : n.inputs) np->add_input(id >= 0 ? g.tensor(id).name : "");
    for (auto id : n.outputs) np->add_output(id >= 0 ? g.tensor(id).name : "");
    for (auto& [k, v] : n.attrs) {
      if (k == "coerce_2d") continue;  // an importer-internal normalization, not an ONNX attribute
      set_attr(np->add_attribute(), k, v);
    }
  }
  std::string out;
  if (!m.SerializeToString(&out)) internal_error("write_onnx: protobuf serialization failed");
  return out;
}

void write_onnx(const graph::Graph& g, const std::string& path, const OnnxWriteOptions& opts) {
  write_file_atomic(path, write_onnx_bytes(g, opts));
}

}  // namespace holo::frontend
