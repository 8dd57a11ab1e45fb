// Phase quantization to b-bit DACs (docs/physics.md). Every phase (theta, phi, output screen, attenuator theta)
// lives on [0, 2 pi) and is replaced by the nearest DAC level, with wrap-around at 2 pi:
//   LinearPhase   levels 2 pi k / 2^b                (a DAC linear in phase)
//   LinearVoltage levels 2 pi (k / 2^b)^2            (a heater driven linear in voltage: phase ~ V^2, with
//                                                     V = V_2pi k / 2^b; coarse steps near 2 pi)
// k = 0 .. 2^b - 1. "Nearest" is measured in phase, on the circle.
#pragma once

#include <string>

#include "holo/linalg/mesh.h"
#include "holo/linalg/svd_map.h"
#include "holo/linalg/tiling.h"

namespace holo::linalg {

enum class DacModel { LinearPhase, LinearVoltage };
std::string dac_model_name(DacModel m);          // "linear-phase" / "linear-voltage"
DacModel parse_dac_model(const std::string& s);  // throws LINALG-BAD-OPTION

struct QuantizeOptions {
  int bits = 8;  // 1 .. 24 (LINALG-BAD-OPTION otherwise)
  DacModel model = DacModel::LinearPhase;
};

double quantize_phase(double phase_rad, const QuantizeOptions& options);

Mesh quantize(const Mesh& mesh, const QuantizeOptions& options);
SvdLayer quantize(const SvdLayer& layer, const QuantizeOptions& options);
TiledLayer quantize(const TiledLayer& layer, const QuantizeOptions& options);

}  // namespace holo::linalg
