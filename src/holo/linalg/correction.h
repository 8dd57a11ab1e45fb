// Local correction of imperfect couplers (Bandyopadhyay, Hamerly, Englund, Optica 8, 1247 (2021);
// docs/physics.md#coupler-error-correction). Each MZI has couplers B(pi/4 + a) in, B(pi/4 + b) out; its cross power is
// A + B cos(theta) with A = sin^2 s2 cos^2 s1 + cos^2 s2 sin^2 s1, B = sin(2 s1) sin(2 s2) / 2, so only
// cross powers in [sin^2(a - b), cos^2(a + b)] are reachable.
//
// In optical order, every MZI gets the theta' that reproduces its ideal cross power and the phi' and output
// phases that reproduce its ideal matrix; the output phases are pushed into later MZIs and finally into the
// output screen. An MZI whose ideal cross power is out of range gets the nearest reachable theta' and is
// reported. Whenever every MZI is in range the corrected mesh realizes the ideal matrix exactly (to rounding).
#pragma once

#include <span>
#include <vector>

#include "holo/linalg/mesh.h"
#include "holo/linalg/random.h"

namespace holo::linalg {

struct CorrectionResult {
  Mesh mesh;                          // corrected phases, same MZI positions; always has an output screen
  double fidelity_before = 0.0;       // F(ideal, mesh with errors and the original phases)
  double fidelity_after = 0.0;        // F(ideal, mesh with errors and the corrected phases)
  std::vector<int64_t> out_of_range;  // indices into mesh.mzis, ascending
};

// errors[k] belongs to ideal.mzis[k]. Errors: LINALG-BAD-ERRORS (size mismatch or non-finite).
CorrectionResult correct_couplers(const Mesh& ideal, std::span<const CouplerError> errors);

// Independent Gaussian splitting errors a, b ~ N(0, sigma_rad^2) per MZI (deterministic for a seed).
std::vector<CouplerError> random_coupler_errors(size_t count, double sigma_rad, Rng& rng);

}  // namespace holo::linalg
