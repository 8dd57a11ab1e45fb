#include "holo/sim/fast_path.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "holo/support/error.h"

namespace holo::sim {

namespace {

// 8 doubles: one AVX-512 register (two AVX2 or four SSE2 registers when built without AVX-512). GCC/Clang
// vector extension; may_alias because the chunk buffer is declared as doubles.
typedef double V8 __attribute__((vector_size(64), may_alias));
constexpr int kLanes = 8;
constexpr int kVecs = FastProgram::kChunk / kLanes;
static_assert(FastProgram::kChunk % kLanes == 0, "a chunk is a whole number of vectors");

// Scales are renormalized when their magnitude leaves [2^-128, 2^128]: the stored rows then stay within
// 2^128 (about 3e38) times the input magnitude, far from overflow, and the renormalization (an exact
// power of two) is rare (a few per row of a 128-mode tile).
constexpr int kScaleExponentLimit = 128;
// Entries of a 2x2 element below 2^-52 of its largest entry count as zero (bar / cross detection).
const double kTiny = std::ldexp(1.0, -52);

inline V8* row_ptr(double* buf, int32_t r) {
  return reinterpret_cast<V8*>(buf + 2 * static_cast<int64_t>(r) * FastProgram::kChunk);
}

bool finite(const cdouble& z) {
  return std::isfinite(z.real()) && std::isfinite(z.imag());
}

}  // namespace

void OpticalPath::mix(int32_t mode, const linalg::Mat2& m) {
  PathElement e;
  e.kind = PathElement::Kind::Mix;
  e.mode = mode;
  e.m[0] = m(0, 0);
  e.m[1] = m(0, 1);
  e.m[2] = m(1, 0);
  e.m[3] = m(1, 1);
  elements.push_back(e);
}

void OpticalPath::scale(int32_t mode, cdouble factor) {
  PathElement e;
  e.kind = PathElement::Kind::Scale;
  e.mode = mode;
  e.m[0] = factor;
  elements.push_back(e);
}

ChunkBuffer::ChunkBuffer(int64_t doubles) : storage_(static_cast<size_t>(doubles) + 8, 0.0) {
  auto addr = reinterpret_cast<uintptr_t>(storage_.data());
  data_ = storage_.data() + ((64 - addr % 64) % 64) / sizeof(double);
}

FastProgram FastProgram::compile(const OpticalPath& path) {
  if (path.modes < 1 || path.inputs < 0 || path.outputs < 0 || path.inputs > path.modes || path.outputs > path.modes) {
    fail("SIM-BAD-PATH", fmt::format("optical path with {} modes cannot have {} inputs and {} outputs", path.modes,
                                     path.inputs, path.outputs));
  }
  const size_t n_el = path.elements.size();
  const auto modes = static_cast<size_t>(path.modes);
  for (size_t k = 0; k < n_el; ++k) {
    const PathElement& e = path.elements[k];
    const bool mix = e.kind == PathElement::Kind::Mix;
    if (e.mode < 0 || e.mode + (mix ? 1 : 0) >= path.modes) {
      fail("SIM-BAD-PATH", fmt::format("element {} acts on mode {} outside the {} modes of the path", k,
                                       e.mode + (mix ? 1 : 0), path.modes));
    }
    for (int i = 0; i < (mix ? 4 : 1); ++i) {
      if (!finite(e.m[i])) fail("SIM-BAD-PATH", fmt::format("element {} has a non-finite entry", k));
    }
  }

  // ASAP columns, then the chain order: diagonal (top mode - column) descending, column ascending. Every
  // predecessor of an element sits at a smaller column on a top mode >= mode - 1, so its key is larger,
  // or equal and earlier in the same diagonal: the order is topological.
  std::vector<int32_t> depth(modes, 0), col(n_el, 0);
  for (size_t k = 0; k < n_el; ++k) {
    const PathElement& e = path.elements[k];
    const auto m = static_cast<size_t>(e.mode);
    if (e.kind == PathElement::Kind::Mix) {
      col[k] = std::max(depth[m], depth[m + 1]);
      depth[m] = depth[m + 1] = col[k] + 1;
    } else {
      col[k] = depth[m]++;
    }
  }
  std::vector<size_t> order(n_el);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const int32_t kx = path.elements[x].mode - col[x], ky = path.elements[y].mode - col[y];
    if (kx != ky) return kx > ky;
    return col[x] < col[y];
  });

  FastProgram p;
  p.inputs_ = path.inputs;
  p.outputs_ = path.outputs;
  p.rows_ = path.modes;
  std::vector<int32_t> phys(modes);
  std::iota(phys.begin(), phys.end(), 0);
  std::vector<cdouble> d(modes, cdouble(1.0, 0.0));

  auto push_segment = [&](Segment s) { p.segments_.push_back(s); };
  auto push_mix = [&](const Mix& op) {
    const auto idx = static_cast<int32_t>(p.mix_.size());
    p.mix_.push_back(op);
    if (!p.segments_.empty()) {
      Segment& last = p.segments_.back();
      if (last.kind == Segment::Kind::Chain && last.end == idx && p.mix_[static_cast<size_t>(idx - 1)].pv == op.pu) {
        last.end = idx + 1;
        return;
      }
    }
    push_segment({Segment::Kind::Chain, idx, idx + 1, 1.0});
  };
  auto renormalize = [&](size_t m) {
    const double big = std::max(std::fabs(d[m].real()), std::fabs(d[m].imag()));
    if (big == 0.0) return;  // a dark mode: its row is zeroed when next mixed
    const int e = std::ilogb(big);
    if (e > -kScaleExponentLimit && e < kScaleExponentLimit) return;
    // x <- x * 2^e, d <- d * 2^-e: both exact.
    push_segment({Segment::Kind::Rescale, phys[m], 0, std::ldexp(1.0, e)});
    d[m] = cdouble(std::ldexp(d[m].real(), -e), std::ldexp(d[m].imag(), -e));
  };

  for (size_t idx : order) {
    const PathElement& e = path.elements[idx];
    const auto a = static_cast<size_t>(e.mode);
    if (e.kind == PathElement::Kind::Scale) {
      d[a] *= e.m[0];
      renormalize(a);
      continue;
    }
    const size_t b = a + 1;
    const cdouble e00 = e.m[0], e01 = e.m[1], e10 = e.m[2], e11 = e.m[3];
    const double mx = std::max({std::abs(e00), std::abs(e01), std::abs(e10), std::abs(e11)});
    const double tiny = mx * kTiny;
    const bool off_zero = std::abs(e01) <= tiny && std::abs(e10) <= tiny;
    const bool diag_zero = std::abs(e00) <= tiny && std::abs(e11) <= tiny;
    if (mx == 0.0 || off_zero) {  // bar state (or a blocked pair): scales only
      d[a] *= e00;
      d[b] *= e11;
      if (mx == 0.0) d[a] = d[b] = 0.0;
      renormalize(a);
      renormalize(b);
      continue;
    }
    if (diag_zero) {  // cross state: relabel the rows
      std::swap(phys[a], phys[b]);
      const cdouble da = d[a], db = d[b];
      d[a] = e01 * db;
      d[b] = e10 * da;
      renormalize(a);
      renormalize(b);
      continue;
    }
    if (std::abs(e00) <= tiny || std::abs(e01) <= tiny || std::abs(e10) <= tiny || std::abs(e11) <= tiny) {
      internal_error(
          fmt::format("element {} on modes ({}, {}) is triangular: not a scalar times a unitary", idx, a, b));
    }
    const cdouble gamma = (e10 * e01) / (e00 * e11);
    if (std::fabs(gamma.imag()) > 1e-9 * std::abs(gamma)) {
      internal_error(fmt::format("element {} on modes ({}, {}) is not a scalar times a unitary (gamma = {}{:+}i)", idx,
                                 a, b, gamma.real(), gamma.imag()));
    }
    if (d[a] == 0.0 && d[b] == 0.0) continue;  // both dark: the outputs stay dark
    if (d[b] == 0.0) {                         // the pivot row is dark: make its stored row exactly zero with scale 1
      push_segment({Segment::Kind::Zero, phys[b], 0, 1.0});
      d[b] = 1.0;
    }
    const cdouble alpha = e00 * d[a] / (e01 * d[b]);
    push_mix({phys[a], phys[b], alpha.real(), alpha.imag(), gamma.real()});
    const cdouble db = d[b];
    d[a] = e01 * db;
    d[b] = e11 * db;
    renormalize(a);
    renormalize(b);
  }
  p.out_row_.assign(phys.begin(), phys.begin() + path.outputs);
  p.out_scale_.assign(d.begin(), d.begin() + path.outputs);
  return p;
}

int64_t FastProgram::chains() const {
  return std::count_if(segments_.begin(), segments_.end(),
                       [](const Segment& s) { return s.kind == Segment::Kind::Chain; });
}

void FastProgram::zero_chunk(double* buf) const {
  std::memset(buf, 0, sizeof(double) * static_cast<size_t>(chunk_doubles()));
}

// A chain of mixes: the row carried from one mix to the next stays in registers (u); per mix one row is
// loaded (v) and one stored.
void FastProgram::run_chain(double* buf, const Mix* op, int32_t n) {
  V8 ur[kVecs], ui[kVecs];
  {
    const V8* x = row_ptr(buf, op[0].pu);
    for (int j = 0; j < kVecs; ++j) {
      ur[j] = x[j];
      ui[j] = x[kVecs + j];
    }
  }
  for (int32_t k = 0; k < n; ++k) {
    const Mix& o = op[k];
    V8* xu = row_ptr(buf, o.pu);
    const V8* xv = row_ptr(buf, o.pv);
    const double ar = o.alpha_re, ai = o.alpha_im, g = o.gamma;
    for (int j = 0; j < kVecs; ++j) {
      const V8 pr = ar * ur[j] - ai * ui[j];
      const V8 pi = ar * ui[j] + ai * ur[j];
      const V8 vr = xv[j], vi = xv[kVecs + j];
      xu[j] = vr + pr;
      xu[kVecs + j] = vi + pi;
      ur[j] = vr + g * pr;
      ui[j] = vi + g * pi;
    }
  }
  V8* x = row_ptr(buf, op[n - 1].pv);
  for (int j = 0; j < kVecs; ++j) {
    x[j] = ur[j];
    x[kVecs + j] = ui[j];
  }
}

void FastProgram::run_chunk(double* buf) const {
  for (const Segment& s : segments_) {
    switch (s.kind) {
      case Segment::Kind::Chain:
        run_chain(buf, mix_.data() + s.begin, s.end - s.begin);
        break;
      case Segment::Kind::Zero: {
        V8* x = row_ptr(buf, s.begin);
        const V8 zero = {};
        for (int j = 0; j < 2 * kVecs; ++j) x[j] = zero;
        break;
      }
      case Segment::Kind::Rescale: {
        V8* x = row_ptr(buf, s.begin);
        for (int j = 0; j < 2 * kVecs; ++j) x[j] = x[j] * s.factor;
        break;
      }
    }
  }
}

namespace {

// In-register transpose of an 8 x 8 block of doubles (r[i][j] -> r[j][i]): three rounds of two-source
// shuffles (one vpermt2pd each with AVX-512).
inline void transpose8(V8 r[8]) {
  V8 a[8], b[8];
  for (int i = 0; i < 4; ++i) {
    a[2 * i] = __builtin_shufflevector(r[2 * i], r[2 * i + 1], 0, 8, 2, 10, 4, 12, 6, 14);
    a[2 * i + 1] = __builtin_shufflevector(r[2 * i], r[2 * i + 1], 1, 9, 3, 11, 5, 13, 7, 15);
  }
  // a[0] = rows 0,1 columns 0,2,4,6; a[1] = rows 0,1 columns 1,3,5,7; a[2], a[3] the same for rows 2,3; ...
  for (int h = 0; h < 2; ++h) {    // rows 0-3, rows 4-7
    for (int p = 0; p < 2; ++p) {  // even / odd columns
      const V8& x = a[4 * h + p];
      const V8& y = a[4 * h + 2 + p];
      b[4 * h + p] = __builtin_shufflevector(x, y, 0, 1, 8, 9, 4, 5, 12, 13);        // columns p, p + 4
      b[4 * h + 2 + p] = __builtin_shufflevector(x, y, 2, 3, 10, 11, 6, 7, 14, 15);  // columns p + 2, p + 6
    }
  }
  // b[4h + q] holds rows 4h..4h+3 of columns q and q + 4, for q = 0..3 in the order 0, 1, 2, 3.
  for (int q = 0; q < 4; ++q) {
    r[q] = __builtin_shufflevector(b[q], b[4 + q], 0, 1, 2, 3, 8, 9, 10, 11);
    r[q + 4] = __builtin_shufflevector(b[q], b[4 + q], 4, 5, 6, 7, 12, 13, 14, 15);
  }
}

inline V8 load8(const double* p) {
  V8 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline void store8(double* p, const V8& v) {
  std::memcpy(p, &v, sizeof(v));
}

constexpr int kChunkI = FastProgram::kChunk;

// Chunk rows 0..inputs-1 <- samples s0..s0+n-1 of `in` (each column one sample, complex interleaved).
void load_chunk(const Eigen::Ref<const Eigen::MatrixXcd>& in, int64_t s0, int n, int32_t inputs, double* buf) {
  int s = 0;
  for (; s + 8 <= n; s += 8) {
    int32_t j = 0;
    for (; j + 4 <= inputs; j += 4) {  // 8 samples x 4 modes = 8 x 8 doubles
      V8 r[8];
      for (int i = 0; i < 8; ++i) r[i] = load8(reinterpret_cast<const double*>(in.col(s0 + s + i).data() + j));
      transpose8(r);
      // r[2 m] = re of mode j + m over the 8 samples, r[2 m + 1] = im.
      for (int m = 0; m < 4; ++m) {
        store8(buf + 2 * (j + m) * kChunkI + s, r[2 * m]);
        store8(buf + (2 * (j + m) + 1) * kChunkI + s, r[2 * m + 1]);
      }
    }
    for (; j < inputs; ++j) {
      for (int i = 0; i < 8; ++i) {
        const cdouble z = in(j, s0 + s + i);
        buf[2 * j * kChunkI + s + i] = z.real();
        buf[(2 * j + 1) * kChunkI + s + i] = z.imag();
      }
    }
  }
  for (; s < n; ++s) {
    for (int32_t j = 0; j < inputs; ++j) {
      const cdouble z = in(j, s0 + s);
      buf[2 * j * kChunkI + s] = z.real();
      buf[(2 * j + 1) * kChunkI + s] = z.imag();
    }
  }
}

}  // namespace

void FastProgram::propagate(const Eigen::Ref<const Eigen::MatrixXcd>& in, Eigen::Ref<Eigen::MatrixXcd> out,
                            int threads) const {
  if (in.rows() != inputs_) {
    fail("SIM-BAD-SHAPE", fmt::format("input batch has {} rows; the optical path has {} inputs", in.rows(), inputs_));
  }
  if (out.rows() != outputs_ || out.cols() != in.cols()) {
    fail("SIM-BAD-SHAPE",
         fmt::format("output batch is {} x {}; expected {} x {}", out.rows(), out.cols(), outputs_, in.cols()));
  }
  if (!in.allFinite()) {
    for (Eigen::Index c = 0; c < in.cols(); ++c) {
      for (Eigen::Index r = 0; r < in.rows(); ++r) {
        if (!finite(in(r, c))) fail("SIM-NOT-FINITE", fmt::format("input field ({}, {}) is not finite", r, c));
      }
    }
  }
  const int64_t batch = in.cols();
  const int64_t n_chunks = (batch + kChunk - 1) / kChunk;
#ifdef _OPENMP
  const int nt = threads > 0 ? threads : omp_get_max_threads();
#else
  const int nt = 1;
  (void)threads;
#endif
#pragma omp parallel num_threads(nt) if (nt > 1 && n_chunks > 1)
  {
    ChunkBuffer scratch(chunk_doubles());
    double* buf = scratch.data();
#pragma omp for schedule(static)
    for (int64_t c = 0; c < n_chunks; ++c) {
      const int64_t s0 = c * kChunk;
      const int n = static_cast<int>(std::min<int64_t>(kChunk, batch - s0));
      if (n < kChunk || rows_ > inputs_) zero_chunk(buf);
      load_chunk(in, s0, n, inputs_, buf);
      run_chunk(buf);
      int s = 0;
      for (; s + 8 <= n; s += 8) {
        int32_t i = 0;
        for (; i + 4 <= outputs_; i += 4) {  // 4 outputs x 8 samples, scaled, transposed to 8 columns
          V8 r[8];
          for (int m = 0; m < 4; ++m) {
            const int32_t row = out_row_[static_cast<size_t>(i + m)];
            const cdouble d = out_scale_[static_cast<size_t>(i + m)];
            const V8 xr = load8(buf + 2 * row * kChunk + s), xi = load8(buf + (2 * row + 1) * kChunk + s);
            r[2 * m] = d.real() * xr - d.imag() * xi;
            r[2 * m + 1] = d.real() * xi + d.imag() * xr;
          }
          transpose8(r);
          for (int k = 0; k < 8; ++k) store8(reinterpret_cast<double*>(out.col(s0 + s + k).data() + i), r[k]);
        }
        for (; i < outputs_; ++i) {
          const int32_t row = out_row_[static_cast<size_t>(i)];
          for (int k = 0; k < 8; ++k) {
            out(i, s0 + s + k) = out_scale_[static_cast<size_t>(i)] *
                                 cdouble(buf[2 * row * kChunk + s + k], buf[(2 * row + 1) * kChunk + s + k]);
          }
        }
      }
      for (; s < n; ++s) {
        for (int32_t i = 0; i < outputs_; ++i) {
          const int32_t row = out_row_[static_cast<size_t>(i)];
          out(i, s0 + s) =
              out_scale_[static_cast<size_t>(i)] * cdouble(buf[2 * row * kChunk + s], buf[(2 * row + 1) * kChunk + s]);
        }
      }
    }
  }
}

Eigen::MatrixXcd FastProgram::propagate(const Eigen::Ref<const Eigen::MatrixXcd>& in, int threads) const {
  Eigen::MatrixXcd out(outputs_, in.cols());
  propagate(in, out, threads);
  return out;
}

Eigen::MatrixXcd FastProgram::matrix(int threads) const {
  return propagate(Eigen::MatrixXcd::Identity(inputs_, inputs_), threads);
}

}  // namespace holo::sim
