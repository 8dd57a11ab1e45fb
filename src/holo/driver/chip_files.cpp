#include "holo/driver/chip_files.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "holo/circuit/compiled.h"
#include "holo/circuit/io.h"
#include "holo/circuit/verify.h"
#include "holo/frontend/load.h"
#include "holo/runtime/binding.h"
#include "holo/runtime/laser_power.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "holo/support/out_dir.h"
#include "holo/support/sha256.h"

namespace holo::driver {

BoundChip load_bound_chip(const std::string& out_dir, const std::string& pdk_override, Diagnostics& diag) {
  namespace fs = std::filesystem;
  BoundChip b;
  b.circuit_path = (fs::path(out_dir) / "circuit.json").string();
  b.model_path = (fs::path(out_dir) / "model.onnx").string();
  const std::string circuit_text = read_file(b.circuit_path);
  b.net = circuit::from_json(circuit_text, b.circuit_path);

  if (const auto manifest = read_manifest(out_dir)) {
    const ManifestEntry* e = manifest->find("circuit.json");
    if (!e || e->sha256 != sha256_hex(circuit_text))
      diag.warn("OUT-MODIFIED", fmt::format("{}: differs from the file holo compile wrote ({}); simulating the chip "
                                            "as the file now describes it",
                                            b.circuit_path, kManifestName));
  } else {
    diag.warn("OUT-NO-MANIFEST", fmt::format("{}: no {}; the files cannot be checked against what holo compile wrote",
                                             out_dir, kManifestName));
  }

  auto recorded = [&](const char* key) -> const std::string& {
    auto it = b.net.info.find(key);
    if (it == b.net.info.end() || it->second.size() != 64)
      fail("CHIP-UNBOUND", fmt::format("{}: info.{} is missing: the chip is not bound to its model and platform "
                                       "(compiled by an earlier holo?); compile it again",
                                       b.circuit_path, key));
    return it->second;
  };
  if (auto it = b.net.info.find("laser_power_per_channel_mw"); it != b.net.info.end()) {
    // Written by compile as a shortest round-trip decimal; anything else is an edited file.
    const std::string& text = it->second;
    char* end = nullptr;
    const double v = text.empty() ? 0.0 : std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || !(v > 0.0) ||
        v > runtime::kMaxLaserPowerPerChannelMw)
      fail("CHIP-LASER-POWER", fmt::format("{}: info.laser_power_per_channel_mw is '{}', expected a power in (0, "
                                           "10000] mW (the laser power per channel holo compile charged)",
                                           b.circuit_path, text));
    b.laser_power_per_channel_mw = v;
  }
  const std::string& model_sha = recorded("model_sha256");
  const std::string& pdk_sha = recorded("pdk_sha256");

  const std::string model_bytes = read_file(b.model_path);
  const std::string model_got = sha256_hex(model_bytes);
  if (model_got != model_sha)
    fail("CHIP-MODEL-MISMATCH",
         fmt::format("{}: sha256 {} is not the model the chip was compiled from ({} records {}); the optical stages "
                     "would not match the electronic ones: compile the model again",
                     b.model_path, model_got.substr(0, 16), b.circuit_path, model_sha.substr(0, 16)));
  b.graph = frontend::load_onnx_bytes(model_bytes, b.model_path, out_dir);

  b.pdk_path = pdk_override.empty() ? (fs::path(out_dir) / "pdk.json").string() : pdk_override;
  const std::string pdk_text = read_file(b.pdk_path);
  const std::string pdk_got = sha256_hex(pdk_text);
  if (pdk_got != pdk_sha) {
    if (pdk_override.empty())
      fail("CHIP-PDK-MISMATCH", fmt::format("{}: sha256 {} is not the platform the chip was compiled for ({} records "
                                            "{}); the file was changed after compile",
                                            b.pdk_path, pdk_got.substr(0, 16), b.circuit_path, pdk_sha.substr(0, 16)));
    diag.warn("PDK-DIFFERS",
              fmt::format("{}: not the platform the chip was compiled for (sha256 {}, compiled with {}); "
                          "its figures are used as given",
                          b.pdk_path, pdk_got.substr(0, 16), pdk_sha.substr(0, 16)));
  }
  b.pdk = pdk::parse_pdk(pdk_text, b.pdk_path);

  in_file(b.circuit_path, [&] { circuit::verify(b.net, b.pdk); });
  runtime::check_binding(b.graph, b.net, b.circuit_path);
  // The compiled-chip contract, checked once for every reader after this (sim, layout, analysis).
  in_file(b.circuit_path, [&] { circuit::verify_compiled(b.net); });
  return b;
}

}  // namespace holo::driver
