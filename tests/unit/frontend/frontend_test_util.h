// Helpers for the frontend tests: fixture paths, a scratch folder, and "this call fails with code X".
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "holo/graph/graph.h"
#include "holo/support/error.h"
#include "test_support.h"

namespace holo::test {

inline std::string fixture(const std::string& name) {
  return source_path("tests/unit/frontend/data/" + name);
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A fresh folder under the system temp dir, removed at scope exit.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string leaf = "holo_frontend_" + std::to_string(::getpid()) + "_" +
                       (info ? std::string(info->test_suite_name()) + "_" + info->name() : std::string("x"));
    path_ = std::filesystem::temp_directory_path() / leaf;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::ofstream out(file(name), std::ios::binary);
    out << bytes;
    return file(name);
  }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// Runs f, expects a holo::Error with `code`; returns its message ("" when none was thrown).
template <typename F>
std::string expect_error(const std::string& code, F&& f) {
  try {
    f();
  } catch (const holo::Error& e) {
    EXPECT_EQ(e.code(), code) << "message: " << e.what();
    EXPECT_EQ(e.kind(), ErrorKind::BadInput) << e.what();
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected holo::Error " << code << ", got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected holo::Error " << code << ", nothing was thrown";
  return "";
}

inline const graph::Tensor& tensor_named(const graph::Graph& g, const std::string& name) {
  graph::TensorId id = g.find(name);
  if (id == graph::kNoTensor) throw std::runtime_error("no tensor named " + name);
  return g.tensor(id);
}

inline const graph::Node& node_named(const graph::Graph& g, const std::string& name) {
  for (const graph::Node& n : g.nodes)
    if (n.name == name) return n;
  throw std::runtime_error("no node named " + name);
}

inline std::vector<std::string> names_of(const graph::Graph& g, const std::vector<graph::TensorId>& ids) {
  std::vector<std::string> out;
  for (graph::TensorId id : ids) out.push_back(id == graph::kNoTensor ? std::string() : g.tensor(id).name);
  return out;
}

// Two graphs are the same model: same inputs (names, shapes), outputs, nodes in order (name, op, attributes,
// input/output names) and constants (names, shapes, values, bit-exact). Tensor ids may differ.
inline void expect_same_graph(const graph::Graph& a, const graph::Graph& b) {
  ASSERT_EQ(names_of(a, a.inputs), names_of(b, b.inputs));
  for (size_t i = 0; i < a.inputs.size(); ++i) EXPECT_EQ(a.tensor(a.inputs[i]).shape, b.tensor(b.inputs[i]).shape);
  EXPECT_EQ(names_of(a, a.outputs), names_of(b, b.outputs));
  EXPECT_EQ(a.opset, b.opset);
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const graph::Node& x = a.nodes[i];
    const graph::Node& y = b.nodes[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.op, y.op);
    EXPECT_TRUE(x.attrs == y.attrs) << "attributes of node " << x.name << " differ";
    EXPECT_EQ(names_of(a, x.inputs), names_of(b, y.inputs)) << x.name;
    EXPECT_EQ(names_of(a, x.outputs), names_of(b, y.outputs)) << x.name;
  }
  size_t constants = 0;
  for (const graph::Tensor& t : a.tensors) {
    graph::TensorId id = b.find(t.name);
    ASSERT_NE(id, graph::kNoTensor) << t.name;
    const graph::Tensor& u = b.tensor(id);
    EXPECT_EQ(t.shape, u.shape) << t.name;
    EXPECT_EQ(t.is_constant(), u.is_constant()) << t.name;
    if (t.is_constant() && u.is_constant()) {
      ++constants;
      EXPECT_EQ(t.value->shape, u.value->shape) << t.name;
      EXPECT_EQ(t.value->data, u.value->data) << t.name;  // exact: both hold the same float32 weights
    }
  }
  EXPECT_EQ(a.tensors.size(), b.tensors.size());
  EXPECT_GT(constants, 0u);
}

}  // namespace holo::test
