// Writes a graph as an ONNX model (opset of the graph, default domain). Used to generate benchmark models
// and test fixtures from C++; the reader reads it back to an equal graph.
#pragma once

#include <string>

#include "holo/graph/graph.h"

namespace holo::frontend {

struct OnnxWriteOptions {
  bool float32_weights = true;  // store constants as FLOAT (what PyTorch exports) instead of DOUBLE
};

// Serialized ModelProto bytes. Dynamic dims (< 0) become the dim_param "N".
std::string write_onnx_bytes(const graph::Graph& g, const OnnxWriteOptions& opts = {});
void write_onnx(const graph::Graph& g, const std::string& path, const OnnxWriteOptions& opts = {});

}  // namespace holo::frontend
