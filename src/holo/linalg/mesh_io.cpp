#include "holo/linalg/mesh_io.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "holo/support/error.h"

namespace holo::linalg {
namespace {

[[noreturn]] void bad_phases(const std::string& what, const std::string& msg) {
  fail("DECOMPOSE-BAD-PHASES", fmt::format("{}: {}", what, msg));
}

}  // namespace

std::string mesh_json_text(const Mesh& mesh) {
  std::string s;
  s.reserve(64 * mesh.mzis.size() + 24 * mesh.output_phase_rad.size() + 512);
  s += "{\n  \"format\": \"holo-mesh\",\n  \"version\": 1,\n";
  s += "  \"convention\": \"M(theta,phi) = B P(theta) B P(phi), B = [[1,i],[i,1]]/sqrt(2), P(x) = diag(exp(i x), 1) "
       "on modes (mode, mode+1); U = diag(exp(i output_phase_rad)) M_K ... M_1 with mzis in optical order\",\n";
  s += fmt::format("  \"method\": \"{}\",\n  \"n\": {},\n  \"columns\": {},\n", method_name(mesh.method), mesh.n,
                   mesh.columns);
  s += "  \"mzi_fields\": [\"mode\", \"column\", \"theta_rad\", \"phi_rad\"],\n  \"mzis\": [";
  for (size_t k = 0; k < mesh.mzis.size(); ++k) {
    const MziSetting& z = mesh.mzis[k];
    s += fmt::format("{}\n    [{}, {}, {}, {}]", k ? "," : "", z.mode, z.column, z.theta_rad, z.phi_rad);
  }
  s += mesh.mzis.empty() ? "],\n" : "\n  ],\n";
  s += "  \"output_phase_rad\": [";
  for (size_t m = 0; m < mesh.output_phase_rad.size(); ++m) {
    s += fmt::format("{}{}", m ? ", " : "", mesh.output_phase_rad[m]);
  }
  s += "]\n}\n";
  return s;
}

Mesh mesh_from_json_text(const std::string& text, const std::string& what) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    bad_phases(what, fmt::format("not valid JSON: {}", e.what()));
  }
  if (!j.is_object() || j.value("format", "") != "holo-mesh") bad_phases(what, "\"format\" is not \"holo-mesh\"");
  if (!j.contains("version") || j["version"] != 1) bad_phases(what, "unsupported \"version\" (expected 1)");
  Mesh mesh;
  try {
    mesh.method = parse_method(j.at("method").get<std::string>());
    mesh.n = j.at("n").get<int32_t>();
    mesh.columns = j.at("columns").get<int32_t>();
    if (mesh.n < 1) bad_phases(what, fmt::format("\"n\" must be >= 1, got {}", mesh.n));
    const nlohmann::json& mzis = j.at("mzis");
    if (!mzis.is_array()) bad_phases(what, "\"mzis\" must be an array");
    mesh.mzis.reserve(mzis.size());
    for (size_t k = 0; k < mzis.size(); ++k) {
      const nlohmann::json& z = mzis[k];
      if (!z.is_array() || z.size() != 4 || !z[0].is_number_integer() || !z[1].is_number_integer() ||
          !z[2].is_number() || !z[3].is_number()) {
        bad_phases(what, fmt::format("mzis[{}] must be [mode, column, theta_rad, phi_rad]", k));
      }
      MziSetting s{z[0].get<int32_t>(), z[1].get<int32_t>(), z[2].get<double>(), z[3].get<double>()};
      if (s.mode < 0 || s.mode + 1 >= mesh.n) {
        bad_phases(what,
                   fmt::format("mzis[{}] acts on modes ({}, {}) outside {} modes", k, s.mode, s.mode + 1, mesh.n));
      }
      if (s.column < 0 || s.column >= mesh.columns) {
        bad_phases(what, fmt::format("mzis[{}] column {} outside [0, {})", k, s.column, mesh.columns));
      }
      if (!std::isfinite(s.theta_rad) || !std::isfinite(s.phi_rad)) {
        bad_phases(what, fmt::format("mzis[{}] has a non-finite phase", k));
      }
      mesh.mzis.push_back(s);
    }
    mesh.output_phase_rad = j.at("output_phase_rad").get<std::vector<double>>();
  } catch (const nlohmann::json::exception& e) {
    bad_phases(what, fmt::format("missing or mistyped field: {}", e.what()));
  } catch (const Error& e) {
    if (e.code() == "DECOMPOSE-BAD-PHASES") throw;
    bad_phases(what, e.what());
  }
  if (!mesh.output_phase_rad.empty() && static_cast<int32_t>(mesh.output_phase_rad.size()) != mesh.n) {
    bad_phases(what,
               fmt::format("\"output_phase_rad\" has {} entries for n = {}", mesh.output_phase_rad.size(), mesh.n));
  }
  return mesh;
}

}  // namespace holo::linalg
