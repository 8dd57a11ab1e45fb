// The mesh file (schema "holo-mesh" version 1, docs/linalg.md): a decomposed mesh's MZI phases as
// deterministic JSON text, one MZI per line, doubles in shortest round-trip form, so the same mesh always gives
// the same bytes and reading then writing reproduces a file. `holo decompose --out` writes it.
#pragma once

#include <string>

#include "holo/linalg/mesh.h"

namespace holo::linalg {

std::string mesh_json_text(const Mesh& mesh);

// Reads it back. Errors: DECOMPOSE-BAD-PHASES (names `what`, e.g. the file, and the field).
Mesh mesh_from_json_text(const std::string& text, const std::string& what);

}  // namespace holo::linalg
