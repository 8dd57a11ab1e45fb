// A tiny builder for hand-made graphs in tests.
#pragma once

#include <string>
#include <vector>

#include "holo/graph/graph.h"
#include "holo/graph/verify.h"

namespace holo::test {

struct GraphBuilder {
  graph::Graph g;

  GraphBuilder& input(const std::string& name, Shape shape) {
    auto id = g.intern(name);
    g.tensor(id).shape = std::move(shape);
    g.tensor(id).shape_known = true;
    g.inputs.push_back(id);
    return *this;
  }
  GraphBuilder& constant(const std::string& name, Shape shape, std::vector<double> data) {
    g.add_constant(name, Array(std::move(shape), std::move(data)));
    return *this;
  }
  GraphBuilder& node(const std::string& op, std::vector<std::string> ins, std::vector<std::string> outs,
                     graph::Attributes attrs = {}, std::string name = "") {
    graph::Node n;
    n.op = op;
    n.name = name.empty() ? op + "_" + std::to_string(g.nodes.size()) : name;
    n.attrs = std::move(attrs);
    for (auto& s : ins) n.inputs.push_back(s.empty() ? graph::kNoTensor : g.intern(s));
    for (auto& s : outs) n.outputs.push_back(s.empty() ? graph::kNoTensor : g.intern(s));
    g.nodes.push_back(std::move(n));
    return *this;
  }
  GraphBuilder& output(const std::string& name) {
    g.outputs.push_back(g.intern(name));
    return *this;
  }
  graph::Graph build() {
    graph::verify(g);
    return std::move(g);
  }
};

}  // namespace holo::test
