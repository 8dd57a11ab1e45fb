// Fast structured propagation of a batch of complex fields through a feed-forward optical path: a
// sequence of 2x2 elements (MZIs, couplers: each a complex 2x2 matrix on modes (m, m+1)) and 1-mode
// elements (phase shifters, attenuators, losses, blocked modes), in optical order.
//
// How it is fast (docs/simulation.md, "Fast path"): the path is compiled once into a program whose
// per-sample work is 6 multiply-adds and 2 adds per 2x2 element instead of 16 multiplies and 12 adds:
//  - every mode carries a complex scale d_m that is not applied to the samples: the stored row x_m is
//    the field divided by d_m. 1-mode elements only change d_m (no work per sample);
//  - a 2x2 element E that is a scalar times a unitary (every passive lossless-or-uniformly-lossy 2x2 of
//    the PDK is) becomes, with d_a' = E_ab d_b and d_b' = E_bb d_b,
//        p = alpha x_a;  x_a' = x_b + p;  x_b' = x_b + gamma p
//    with alpha = E_aa d_a / (E_ab d_b) complex and gamma = E_ba E_ab / (E_aa E_bb) real;
//  - elements in the bar state are folded into the scales, elements in the cross state into a relabeling
//    of rows (no work); scales that drift past 2^-60 are renormalized by an exact power of two;
//  - elements are reordered (a valid topological order: by diagonal m - column, then column) so that
//    consecutive elements share a row, which stays in registers ("chains"): per element one row is
//    loaded and one stored;
//  - samples are processed in chunks of kChunk, split into real and imaginary planes, so a chunk of a
//    64-mode path fits in L1 and every operation is a vector operation over the chunk.
// Rounding: each element's result carries a relative error of a few ulp of the contributions it adds,
// as the direct 2x2 product does (backward stable); entries below 2^-52 of an element's largest entry
// are treated as zero (the bar/cross detection), a change below one ulp of that element's output.
#pragma once

#include <Eigen/Core>
#include <complex>
#include <cstdint>
#include <vector>

#include "holo/linalg/mzi.h"

namespace holo::sim {

using cdouble = std::complex<double>;

// One element of an optical path.
struct PathElement {
  enum class Kind : uint8_t { Mix, Scale };
  Kind kind = Kind::Scale;
  int32_t mode = 0;  // Mix: upper mode, acts on (mode, mode + 1); Scale: the mode
  // Mix: row-major 2x2 (out = m * in, index 0 = upper mode); Scale: m[0] multiplies the mode's field
  // (0 blocks the mode: the light is dumped).
  cdouble m[4] = {};
};

// A feed-forward optical path on `modes` modes: input j enters mode j (j < inputs; the other modes start
// dark), output i is mode i (i < outputs) after the last element.
struct OpticalPath {
  int32_t modes = 0;
  int32_t inputs = 0;
  int32_t outputs = 0;
  std::vector<PathElement> elements;

  void mix(int32_t mode, const linalg::Mat2& m);
  void scale(int32_t mode, cdouble factor);
};

// The compiled program of an OpticalPath. Immutable after compile(); safe to run from several threads.
class FastProgram {
 public:
  // Samples per chunk (4 vectors of 8 doubles): a 64-mode chunk (2 x 64 x 32 doubles = 32 KiB) fits in L1.
  static constexpr int kChunk = 32;

  FastProgram() = default;
  // Throws SIM-BAD-PATH (modes/inputs/outputs inconsistent, an element off the modes, a non-finite
  // entry) and INTERNAL when a 2x2 element is not a scalar times a unitary (no PDK component is).
  static FastProgram compile(const OpticalPath& path);

  int32_t inputs() const { return inputs_; }
  int32_t outputs() const { return outputs_; }
  int32_t rows() const { return rows_; }                                 // state rows of a chunk
  int64_t mix_ops() const { return static_cast<int64_t>(mix_.size()); }  // 2x2 elements that cost work
  int64_t chains() const;  // runs of consecutive elements sharing a row (diagnostics)

  // out (outputs x batch) = T * in (inputs x batch); each column is one sample. `threads` <= 0: OpenMP's
  // default. The result does not depend on the thread count (chunks are independent).
  Eigen::MatrixXcd propagate(const Eigen::Ref<const Eigen::MatrixXcd>& in, int threads = 0) const;
  // The same into a preallocated out (outputs x in.cols()).
  void propagate(const Eigen::Ref<const Eigen::MatrixXcd>& in, Eigen::Ref<Eigen::MatrixXcd> out, int threads = 0) const;

  // The matrix T (outputs x inputs) the program realizes: propagate(identity).
  Eigen::MatrixXcd matrix(int threads = 0) const;

  // Low-level chunk interface (used by the stage simulator, which loads real inputs and detects outputs
  // without complex matrices in between). A chunk buffer holds chunk_doubles() doubles, 64-byte aligned:
  // for state row r, re(r) = buf + 2 r kChunk and im(r) = re(r) + kChunk, kChunk samples each. Load the
  // inputs into rows 0..inputs-1 and zero every other row (zero_chunk), call run_chunk, then read output
  // i as output_scale(i) * (re + i im) of row output_row(i).
  int64_t chunk_doubles() const { return 2 * static_cast<int64_t>(rows_) * kChunk; }
  void zero_chunk(double* buf) const;
  void run_chunk(double* buf) const;
  int32_t output_row(int32_t i) const { return out_row_[static_cast<size_t>(i)]; }
  cdouble output_scale(int32_t i) const { return out_scale_[static_cast<size_t>(i)]; }

 private:
  struct Mix {  // p = alpha u; row[pu] = v + p; row[pv] = v + gamma p   (u = row[pu], v = row[pv])
    int32_t pu = 0, pv = 0;
    double alpha_re = 0, alpha_im = 0, gamma = 0;
  };
  static void run_chain(double* buf, const Mix* op, int32_t n);

  struct Segment {
    enum class Kind : uint8_t { Chain, Zero, Rescale };
    Kind kind = Kind::Chain;
    int32_t begin = 0, end = 0;  // Chain: mix_[begin, end); Zero/Rescale: row in `begin`
    double factor = 1.0;         // Rescale: exact power of two
  };

  int32_t inputs_ = 0, outputs_ = 0, rows_ = 0;
  std::vector<Mix> mix_;
  std::vector<Segment> segments_;
  std::vector<int32_t> out_row_;
  std::vector<cdouble> out_scale_;
};

// Aligned scratch for one chunk (64-byte aligned doubles).
class ChunkBuffer {
 public:
  explicit ChunkBuffer(int64_t doubles);
  double* data() { return data_; }

 private:
  std::vector<double> storage_;
  double* data_ = nullptr;
};

}  // namespace holo::sim
