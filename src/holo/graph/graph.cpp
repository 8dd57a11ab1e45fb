#include "holo/graph/graph.h"

#include <fmt/format.h>

#include "holo/support/error.h"

namespace holo::graph {
namespace {
[[noreturn]] void bad_attr(const Node& n, const std::string& key, const char* expected) {
  fail("GRAPH-BAD-ATTRIBUTE", fmt::format("node '{}' ({}): attribute '{}' should be {}", n.name, n.op, key, expected));
}
}  // namespace

int64_t Node::attr_int(const std::string& key, int64_t fallback) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return fallback;
  if (auto* v = std::get_if<int64_t>(&it->second)) return *v;
  bad_attr(*this, key, "an integer");
}

double Node::attr_float(const std::string& key, double fallback) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return fallback;
  if (auto* v = std::get_if<double>(&it->second)) return *v;
  if (auto* v = std::get_if<int64_t>(&it->second)) return static_cast<double>(*v);
  bad_attr(*this, key, "a float");
}

std::string Node::attr_string(const std::string& key, const std::string& fallback) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return fallback;
  if (auto* v = std::get_if<std::string>(&it->second)) return *v;
  bad_attr(*this, key, "a string");
}

std::vector<int64_t> Node::attr_ints(const std::string& key, const std::vector<int64_t>& fallback) const {
  auto it = attrs.find(key);
  if (it == attrs.end()) return fallback;
  if (auto* v = std::get_if<std::vector<int64_t>>(&it->second)) return *v;
  bad_attr(*this, key, "a list of integers");
}

TensorId Graph::intern(const std::string& tensor_name) {
  auto it = index_.find(tensor_name);
  if (it != index_.end()) return it->second;
  auto id = static_cast<TensorId>(tensors.size());
  tensors.push_back(Tensor{tensor_name, {}, false, std::nullopt});
  index_.emplace(tensor_name, id);
  return id;
}

TensorId Graph::find(const std::string& tensor_name) const {
  auto it = index_.find(tensor_name);
  return it == index_.end() ? kNoTensor : it->second;
}

TensorId Graph::add_constant(const std::string& tensor_name, Array value) {
  TensorId id = intern(tensor_name);
  Tensor& t = tensor(id);
  t.shape = value.shape;
  t.shape_known = true;
  t.value = std::move(value);
  return id;
}

void Graph::reindex() {
  index_.clear();
  for (size_t i = 0; i < tensors.size(); ++i) index_.emplace(tensors[i].name, static_cast<TensorId>(i));
}

void Graph::prune_unused_tensors() {
  std::vector<char> used(tensors.size(), 0);
  auto mark = [&](TensorId id) {
    if (id >= 0) used[static_cast<size_t>(id)] = 1;
  };
  for (const Node& n : nodes) {
    for (TensorId id : n.inputs) mark(id);
    for (TensorId id : n.outputs) mark(id);
  }
  for (TensorId id : inputs) mark(id);
  for (TensorId id : outputs) mark(id);
  std::vector<TensorId> remap(tensors.size(), kNoTensor);
  std::vector<Tensor> kept;
  kept.reserve(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (!used[i]) continue;
    remap[i] = static_cast<TensorId>(kept.size());
    kept.push_back(std::move(tensors[i]));
  }
  tensors = std::move(kept);
  auto fix = [&](TensorId& id) {
    if (id >= 0) id = remap[static_cast<size_t>(id)];
  };
  for (Node& n : nodes) {
    for (TensorId& id : n.inputs) fix(id);
    for (TensorId& id : n.outputs) fix(id);
  }
  for (TensorId& id : inputs) fix(id);
  for (TensorId& id : outputs) fix(id);
  reindex();
}

int64_t Graph::parameter_count() const {
  std::vector<char> seen(tensors.size(), 0);
  int64_t total = 0;
  for (const Node& n : nodes)
    for (TensorId id : n.inputs)
      if (id >= 0 && !seen[static_cast<size_t>(id)] && tensor(id).is_constant()) {
        seen[static_cast<size_t>(id)] = 1;
        total += tensor(id).value->numel();
      }
  return total;
}

std::string where(const Graph& g, const Node& n) {
  std::string src = g.source.empty() ? "" : g.source + ": ";
  return fmt::format("{}node '{}' ({})", src, n.name, n.op);
}

}  // namespace holo::graph
