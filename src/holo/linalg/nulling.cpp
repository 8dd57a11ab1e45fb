// Clements and Reck nulling on a split (real / imaginary) column-major work matrix.
//
// Performance (docs/performance.md, docs/linalg.md section 9): both are O(N^3) sequences of 2x2
// rotations, and the rotations of one Clements anti-diagonal (or one Reck row) act on consecutive overlapping
// pairs, so they form a chain: each rotation shares a column (row) with the previous one.
//  - Column rotations run as that chain across the columns, kBlock rows at a time held in registers: per
//    rotation one block is loaded and one stored, all contiguous.
//  - Row rotations run as the chain down each column, kBlock columns at a time, transposed by 8x8 in-register
//    tiles so the chain works on contiguous row vectors. Right of the column-rotation frontier they are
//    deferred and applied to each panel in one pass (see RowRotations).
//  - Elements already nulled are exact zeros and are never touched again; each rotation is found inside the
//    chain, from the block that holds its pair.
//  - Explicit real arithmetic with a real cosine: 12 multiplies per pair, as FMAs on 8-wide vectors.
#include "holo/linalg/nulling.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "holo/linalg/fast_atan2.h"

namespace holo::linalg::detail {

namespace {

// Both entries of a pair below this magnitude (the matrix is unitary, so entries are <= 1) are rounding dust:
// the pair is treated as already nulled (identity rotation, dust dropped). Keeps structured inputs
// (permutations, block-diagonal) free of arbitrary rotations; the dropped amount enters the residual.
constexpr double kDust = 4.0 * 2.220446049250313e-16;

struct AlignedFree {
  void operator()(double* p) const { ::operator delete[](p, std::align_val_t(64)); }
};
using Buffer = std::unique_ptr<double[], AlignedFree>;
Buffer make_buffer(size_t n) {
  return Buffer(static_cast<double*>(::operator new[](n * sizeof(double), std::align_val_t(64))));
}

constexpr int kW = 8;       // doubles per vector
constexpr int kBlock = 16;  // rows per column-rotation chain, columns per row-rotation chain

// Split complex column-major matrix, rows and columns zero-padded to np, a multiple of kBlock (rotations of
// zero padding stay zero, so blocks never need masks). The leading dimension is np + 8: a power-of-two column
// stride (4 KiB at N = 512) would map the columns of a panel to the same cache sets.
struct Work {
  int n = 0;
  int np = 0;     // padded extent (rows and columns)
  size_t ld = 0;  // leading dimension (doubles between columns)
  Buffer re, im;
  explicit Work(const Eigen::MatrixXcd& u)
      : n(static_cast<int>(u.rows())),
        np(static_cast<int>((u.rows() + kBlock - 1) / kBlock * kBlock)),
        ld(static_cast<size_t>(np) + kW) {
    const size_t size = ld * static_cast<size_t>(np);
    re = make_buffer(size);
    im = make_buffer(size);
    std::fill(re.get(), re.get() + size, 0.0);
    std::fill(im.get(), im.get() + size, 0.0);
    for (int c = 0; c < n; ++c) {
      for (int r = 0; r < n; ++r) {
        re[c * ld + r] = u(r, c).real();
        im[c * ld + r] = u(r, c).imag();
      }
    }
  }
  double* cr(int c) { return re.get() + static_cast<size_t>(c) * ld; }
  double* ci(int c) { return im.get() + static_cast<size_t>(c) * ld; }
};

// Rotation a' = c a + s b, b' = -conj(s) a + c b (c real).
struct Rot {
  double c = 1.0, sr = 0.0, si = 0.0;
};

// Nulls a' for the pair (x, y): c = |y| / rho, s = -x conj(y/|y|) / rho. One square root and one division on
// the critical path (the next rotation of a chain waits for this one): with r = 1 / sqrt(|y|^2 rho^2),
// c = |y|^2 r and s = -x conj(y) r.
Rot null_first(cdouble x, cdouble y) {
  const double nx = std::norm(x), ny = std::norm(y), rho2 = nx + ny;
  if (!(rho2 > kDust * kDust)) return {};
  if (!(ny > 0.0)) {
    const double r = 1.0 / std::sqrt(nx);  // y = 0: c = 0, s = -x / |x|
    return {0.0, -x.real() * r, -x.imag() * r};
  }
  const double r = 1.0 / std::sqrt(ny * rho2);
  const cdouble s = -x * std::conj(y) * r;
  return {ny * r, s.real(), s.imag()};
}

// Nulls b' for the pair (x, y): c = |x| / rho, s = conj(y) (x/|x|) / rho, i.e. c = |x|^2 r, s = conj(y) x r with
// r = 1 / sqrt(|x|^2 rho^2).
Rot null_second(cdouble x, cdouble y) {
  const double nx = std::norm(x), ny = std::norm(y), rho2 = nx + ny;
  if (!(rho2 > kDust * kDust)) return {};
  if (!(nx > 0.0)) {
    const double r = 1.0 / std::sqrt(ny);  // x = 0: c = 0, s = conj(y) / |y|
    return {0.0, y.real() * r, -y.imag() * r};
  }
  const double r = 1.0 / std::sqrt(nx * rho2);
  const cdouble s = std::conj(y) * x * r;
  return {nx * r, s.real(), s.imag()};
}

// ---- 8-wide vectors (GCC vector extensions; AVX-512 registers with -march=native, split otherwise) ----
typedef double v8 __attribute__((vector_size(64)));

inline v8 load8(const double* p) {
  v8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store8(double* p, const v8& v) {
  std::memcpy(p, &v, sizeof v);
}
inline v8 splat(double x) {
  return v8{} + x;
}

// In-register transpose of an 8x8 block of doubles (r[i][j] <- r[j][i]).
inline void transpose8(v8* r) {
  const v8 t0 = __builtin_shufflevector(r[0], r[1], 0, 8, 2, 10, 4, 12, 6, 14);
  const v8 t1 = __builtin_shufflevector(r[0], r[1], 1, 9, 3, 11, 5, 13, 7, 15);
  const v8 t2 = __builtin_shufflevector(r[2], r[3], 0, 8, 2, 10, 4, 12, 6, 14);
  const v8 t3 = __builtin_shufflevector(r[2], r[3], 1, 9, 3, 11, 5, 13, 7, 15);
  const v8 t4 = __builtin_shufflevector(r[4], r[5], 0, 8, 2, 10, 4, 12, 6, 14);
  const v8 t5 = __builtin_shufflevector(r[4], r[5], 1, 9, 3, 11, 5, 13, 7, 15);
  const v8 t6 = __builtin_shufflevector(r[6], r[7], 0, 8, 2, 10, 4, 12, 6, 14);
  const v8 t7 = __builtin_shufflevector(r[6], r[7], 1, 9, 3, 11, 5, 13, 7, 15);
  const v8 u0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
  const v8 u2 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
  const v8 u1 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
  const v8 u3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
  const v8 u4 = __builtin_shufflevector(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13);
  const v8 u6 = __builtin_shufflevector(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
  const v8 u5 = __builtin_shufflevector(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13);
  const v8 u7 = __builtin_shufflevector(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
  r[0] = __builtin_shufflevector(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11);
  r[4] = __builtin_shufflevector(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15);
  r[1] = __builtin_shufflevector(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11);
  r[5] = __builtin_shufflevector(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15);
  r[2] = __builtin_shufflevector(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11);
  r[6] = __builtin_shufflevector(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15);
  r[3] = __builtin_shufflevector(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11);
  r[7] = __builtin_shufflevector(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15);
}

// A block of kBlock complex numbers (two vectors of real parts, two of imaginary parts). Two independent
// vectors per chain step hide the FMA latency of the carried dependency.
struct Blk {
  v8 r[2], i[2];
};
inline Blk load_blk(const double* pr, const double* pi) {
  return {{load8(pr), load8(pr + kW)}, {load8(pi), load8(pi + kW)}};
}
inline void store_blk(double* pr, double* pi, const Blk& b) {
  store8(pr, b.r[0]), store8(pr + kW, b.r[1]), store8(pi, b.i[0]), store8(pi + kW, b.i[1]);
}
// Lane q (0..kBlock-1) of a block, picked by one two-source permute so the block stays in registers.
typedef long long i8 __attribute__((vector_size(64)));
inline cdouble lane(const Blk& b, int q) {
#if defined(__clang__)  // no variable two-source shuffle builtin; the clang build is the sanitizer build
  const int h = q / kW, k = q % kW;
  return {b.r[h][k], b.i[h][k]};
#else
  const i8 idx = i8{} + static_cast<long long>(q);
  return {__builtin_shuffle(b.r[0], b.r[1], idx)[0], __builtin_shuffle(b.i[0], b.i[1], idx)[0]};
#endif
}
inline void clear_lane(Blk& b, int q) {
  const i8 idx = {0, 1, 2, 3, 4, 5, 6, 7};
  for (int h = 0; h < 2; ++h) {
    const i8 hit = idx == static_cast<long long>(q - h * kW);
    b.r[h] = hit ? v8{} : b.r[h];
    b.i[h] = hit ? v8{} : b.i[h];
  }
}

// (a, b) <- (c a + s b, -conj(s) a + c b), lane-wise.
inline void rotate(Blk& a, Blk& b, const Rot& g) {
  const v8 c = splat(g.c), sr = splat(g.sr), si = splat(g.si);
  for (int h = 0; h < 2; ++h) {
    const v8 ar = a.r[h], ai = a.i[h], br = b.r[h], bi = b.i[h];
    a.r[h] = c * ar + sr * br - si * bi;
    a.i[h] = c * ai + sr * bi + si * br;
    b.r[h] = c * br - sr * ar - si * ai;
    b.i[h] = c * bi - sr * ai + si * ar;
  }
}

// Column chain: rotation j (j0 <= j < j1) acts on columns (base - j, base - j + 1) of rows [top, top + kBlock);
// `carry` holds column base - j + 1 on entry to step j and column base - j1 + 1 on exit (not stored).
void chain_left(Work& a, int top, int base, const Rot* rot, int j0, int j1, Blk& carry) {
  for (int j = j0; j < j1; ++j) {
    const int c = base - j;
    Blk x = load_blk(a.cr(c) + top, a.ci(c) + top);
    rotate(x, carry, rot[j]);
    store_blk(a.cr(c + 1) + top, a.ci(c + 1) + top, carry);
    carry = x;
  }
}

// Row chain on a transposed buffer (row p at offset (p - rs) * kBlock): rotation j (j0 <= j < j1) acts on rows
// (p0 + j, p0 + j + 1); `carry` holds row p0 + j on entry to step j.
void chain_down(double* br, double* bi, int rs, int p0, const Rot* rot, int j0, int j1, Blk& carry) {
  for (int j = j0; j < j1; ++j) {
    const size_t off = static_cast<size_t>(p0 + j + 1 - rs) * kBlock;
    Blk y = load_blk(br + off, bi + off);
    rotate(carry, y, rot[j]);
    store_blk(br + off - kBlock, bi + off - kBlock, carry);
    carry = y;
  }
}

// Clements anti-diagonal k (even): for j = 0..k, rotation j on columns (k-j, k-j+1) nulls (n-1-j, k-j).
// Rows of a column pair below n-1-j are zero in both columns, so every rotation may run over whole row
// blocks. Row blocks go bottom-up; in each block the rotations run as a chain across the columns (the
// right column of rotation j is the left column of rotation j-1), carried in registers. Rotation j is found
// in the block holding row n-1-j, after rotations 0..j-1 reached it.
void clements_columns(Work& a, int k, std::vector<Rot>& rot, RawElements& input) {
  const int n = a.n;
  int known = 0;  // rotations [0, known) are found
  for (int top = a.np - kBlock; top >= 0; top -= kBlock) {
    const int jend = std::min(k, n - 1 - top) + 1;  // rotations [0, jend) touch this block
    if (jend <= 0) continue;
    Blk carry = load_blk(a.cr(k + 1) + top, a.ci(k + 1) + top);
    chain_left(a, top, k, rot.data(), 0, std::min(known, jend), carry);
    for (int j = known; j < jend; ++j) {
      const int c = k - j, q = n - 1 - j - top;
      Blk x = load_blk(a.cr(c) + top, a.ci(c) + top);
      rot[j] = null_first(lane(x, q), lane(carry, q));
      // A <- A G with G = [[c, -conj(s)], [s, c]]; optical element G^H = [[c, conj(s)], [-s, c]].
      input.push(c, rot[j].c, cdouble(rot[j].sr, -rot[j].si));
      rotate(x, carry, rot[j]);
      clear_lane(x, q);
      store_blk(a.cr(c + 1) + top, a.ci(c + 1) + top, carry);
      carry = x;
    }
    known = std::max(known, jend);
    store_blk(a.cr(k - jend + 1) + top, a.ci(k - jend + 1) + top, carry);
  }
}

// Transposes rows [rs, re) of columns [cb, cb + kBlock) into the buffer (row p at (p - rs) * kBlock), or back.
void panel_to_rows(Work& a, int cb, int rs, int re, double* br, double* bi) {
  for (int t = rs; t < re; t += kW) {
    for (int h = 0; h < kBlock / kW; ++h) {
      v8 tr[kW], ti[kW];
      for (int q = 0; q < kW; ++q) tr[q] = load8(a.cr(cb + h * kW + q) + t), ti[q] = load8(a.ci(cb + h * kW + q) + t);
      transpose8(tr);
      transpose8(ti);
      for (int q = 0; q < kW; ++q) {
        store8(br + (t - rs + q) * kBlock + h * kW, tr[q]);
        store8(bi + (t - rs + q) * kBlock + h * kW, ti[q]);
      }
    }
  }
}
void rows_to_panel(Work& a, int cb, int rs, int re, const double* br, const double* bi) {
  for (int t = rs; t < re; t += kW) {
    for (int h = 0; h < kBlock / kW; ++h) {
      v8 tr[kW], ti[kW];
      for (int q = 0; q < kW; ++q) {
        tr[q] = load8(br + (t - rs + q) * kBlock + h * kW);
        ti[q] = load8(bi + (t - rs + q) * kBlock + h * kW);
      }
      transpose8(tr);
      transpose8(ti);
      for (int q = 0; q < kW; ++q) store8(a.cr(cb + h * kW + q) + t, tr[q]), store8(a.ci(cb + h * kW + q) + t, ti[q]);
    }
  }
}

// Row rotations of the Clements anti-diagonals k (odd), j = 0..k: rotation j on rows (p0+j, p0+j+1),
// p0 = n-2-k, nulls (p0+j+1, j) and acts on columns >= j (columns < j are zero in both rows). They are applied
// as a chain down a window of each column, kBlock columns (a panel) at a time, transposed by 8x8 tiles in
// registers so the chain runs over contiguous row vectors.
//
// Panels right of the column-rotation frontier are not touched by column rotations, and rotation j is found
// in column j <= k; so a panel with first column > k defers its row rotations, and takes all pending
// anti-diagonals in one transposed pass when the column rotations reach it (or at the end). Each panel is thus
// transposed once for its whole right-of-frontier life instead of once per anti-diagonal.
struct RowRotations {
  std::vector<std::vector<Rot>> by_diagonal;  // rotations of each odd anti-diagonal
  std::vector<int> applied;                   // per panel: last odd anti-diagonal applied (-1: none)
  Buffer buf_r, buf_i;
  RowRotations(int n, int np)
      : by_diagonal(n), applied(np / kBlock, -1), buf_r(make_buffer(np * kBlock)), buf_i(make_buffer(np * kBlock)) {}
};

// Applies the pending anti-diagonals (odd k' <= kmax) to panel `panel` (first column > every k').
void catch_up(Work& a, RowRotations& rr, int panel, int kmax) {
  int& done = rr.applied[panel];
  const int first = done < 0 ? 1 : done + 2;
  if (first > kmax) return;
  const int last = first + (kmax - first) / 2 * 2;  // the last pending anti-diagonal has the topmost window
  const int n = a.n, cb = panel * kBlock;
  const int rs = (n - 2 - last) & ~(kW - 1), re = a.np;
  double* br = rr.buf_r.get();
  double* bi = rr.buf_i.get();
  panel_to_rows(a, cb, rs, re, br, bi);
  for (int k = first; k <= last; k += 2) {
    const int p0 = n - 2 - k;
    const size_t off0 = static_cast<size_t>(p0 - rs) * kBlock;
    Blk carry = load_blk(br + off0, bi + off0);
    chain_down(br, bi, rs, p0, rr.by_diagonal[k].data(), 0, k + 1, carry);
    const size_t offe = static_cast<size_t>(p0 + k + 1 - rs) * kBlock;
    store_blk(br + offe, bi + offe, carry);
  }
  rows_to_panel(a, cb, rs, re, br, bi);
  done = last;
}

// Anti-diagonal k (odd) on the panels at or left of column k (all up to date); finds its rotations.
void clements_rows(Work& a, int k, RowRotations& rr, RawElements& output) {
  const int n = a.n;
  const int p0 = n - 2 - k;
  std::vector<Rot>& rot = rr.by_diagonal[k];
  rot.resize(k + 1);
  double* br = rr.buf_r.get();
  double* bi = rr.buf_i.get();
  for (int cb = 0; cb <= k; cb += kBlock) {
    const int jend = std::min(k, cb + kBlock - 1) + 1;  // rotations [0, jend) touch these columns
    const int rs = p0 & ~(kW - 1), re = (p0 + jend + 1 + kW - 1) & ~(kW - 1);
    panel_to_rows(a, cb, rs, re, br, bi);
    const size_t off0 = static_cast<size_t>(p0 - rs) * kBlock;
    Blk carry = load_blk(br + off0, bi + off0);
    chain_down(br, bi, rs, p0, rot.data(), 0, std::min(cb, jend), carry);
    for (int j = cb; j < jend; ++j) {
      const int q = j - cb;
      const size_t off = static_cast<size_t>(p0 + j + 1 - rs) * kBlock;
      Blk y = load_blk(br + off, bi + off);
      rot[j] = null_second(lane(carry, q), lane(y, q));
      // A <- G A with G = [[c, s], [-conj(s), c]]; optical element G^H = [[c, -s], [conj(s), c]].
      output.push(p0 + j, rot[j].c, cdouble(-rot[j].sr, -rot[j].si));
      rotate(carry, y, rot[j]);
      clear_lane(y, q);
      store_blk(br + off - kBlock, bi + off - kBlock, carry);
      carry = y;
    }
    const size_t offe = static_cast<size_t>(p0 + jend - rs) * kBlock;
    store_blk(br + offe, bi + offe, carry);
    rows_to_panel(a, cb, rs, re, br, bi);
    rr.applied[cb / kBlock] = k;
  }
}

// Reck row i: for t = 0..n-2-i, rotation t on columns (n-2-t, n-1-t) nulls (i, n-1-t). Rows < i of those
// columns are zero. The block holding row i goes first and finds all rotations; the others follow.
void reck_row(Work& a, int i, std::vector<Rot>& rot, RawElements& input) {
  const int n = a.n;
  const int count = n - 1 - i;
  const int first = i & ~(kBlock - 1);
  {
    const int q = i - first;
    Blk carry = load_blk(a.cr(n - 1) + first, a.ci(n - 1) + first);
    for (int t = 0; t < count; ++t) {
      const int c = n - 2 - t;
      Blk x = load_blk(a.cr(c) + first, a.ci(c) + first);
      rot[t] = null_second(lane(x, q), lane(carry, q));
      input.push(c, rot[t].c, cdouble(rot[t].sr, -rot[t].si));
      rotate(x, carry, rot[t]);
      clear_lane(carry, q);
      store_blk(a.cr(c + 1) + first, a.ci(c + 1) + first, carry);
      carry = x;
    }
    store_blk(a.cr(i) + first, a.ci(i) + first, carry);
  }
  for (int top = first + kBlock; top < a.np; top += kBlock) {
    Blk carry = load_blk(a.cr(n - 1) + top, a.ci(n - 1) + top);
    chain_left(a, top, n - 2, rot.data(), 0, count, carry);
    store_blk(a.cr(i) + top, a.ci(i) + top, carry);
  }
}

// Residual of the nulled matrix against its unit-modulus diagonal; fills raw.diag.
void finish(Work& a, RawMesh& raw) {
  const int n = a.n;
  double sum = 0.0;
  raw.diag.resize(n);
  for (int c = 0; c < n; ++c) {
    const double* xr = a.cr(c);
    const double* xi = a.ci(c);
    for (int r = 0; r < n; ++r) {
      if (r == c) {
        const cdouble d(xr[r], xi[r]);
        const double m = std::abs(d);
        raw.diag[c] = m > 0.0 ? d / m : cdouble(1.0, 0.0);
        sum += (m - 1.0) * (m - 1.0);  // |d - d/|d|| = ||d| - 1|
      } else {
        sum += xr[r] * xr[r] + xi[r] * xi[r];
      }
    }
  }
  raw.residual = std::sqrt(sum);
}

// Per element: sin(theta/2) = c, cos(theta/2) = |w| (normalized), uw = w/|w| (1 for w = 0).
void prepare_elements(const RawElements& el, double* __restrict s, double* __restrict c, double* __restrict ur,
                      double* __restrict ui) {
  const size_t len = el.size();
  const double* __restrict ec = el.c.data();
  const double* __restrict ewr = el.wr.data();
  const double* __restrict ewi = el.wi.data();
  for (size_t k = 0; k < len; ++k) {
    const double w2 = ewr[k] * ewr[k] + ewi[k] * ewi[k];
    const double inv = 1.0 / std::sqrt(ec[k] * ec[k] + w2);  // 1 up to rounding; never 0/0
    const double wabs = std::sqrt(w2);
    const double winv = 1.0 / (w2 > 0.0 ? wabs : 1.0);
    s[k] = ec[k] * inv;
    c[k] = wabs * inv;
    ur[k] = w2 > 0.0 ? ewr[k] * winv : 1.0;
    ui[k] = ewi[k] * winv;
  }
}

}  // namespace

void RawElements::reverse() {
  std::reverse(mode.begin(), mode.end());
  std::reverse(c.begin(), c.end());
  std::reverse(wr.begin(), wr.end());
  std::reverse(wi.begin(), wi.end());
}

RawMesh null_clements(const Eigen::MatrixXcd& u) {
  RawMesh raw;
  raw.n = static_cast<int32_t>(u.rows());
  raw.method = MeshMethod::Clements;
  const int n = raw.n;
  Work a(u);
  const size_t total = static_cast<size_t>(n) * (n - 1) / 2;
  raw.input.reserve(total / 2 + n);
  raw.output.reserve(total / 2 + n);
  std::vector<Rot> rot(n);
  RowRotations rr(n, a.np);
  const int panels = a.np / kBlock;
  for (int k = 0; k + 1 < n; ++k) {
    if (k % 2 == 0) {
      // Column rotations touch columns 0..k+1: bring their panels up to date first.
      for (int p = 0; p < panels && p * kBlock <= k + 1; ++p) catch_up(a, rr, p, k - 1);
      clements_columns(a, k, rot, raw.input);
    } else {
      clements_rows(a, k, rr, raw.output);
    }
  }
  const int last_odd = (n - 2) % 2 ? n - 2 : n - 3;
  for (int p = 0; p < panels; ++p) catch_up(a, rr, p, last_odd);
  // Output-side elements were generated last-in-optics first.
  raw.output.reverse();
  finish(a, raw);
  return raw;
}

RawMesh null_reck(const Eigen::MatrixXcd& u) {
  RawMesh raw;
  raw.n = static_cast<int32_t>(u.rows());
  raw.method = MeshMethod::Reck;
  const int n = raw.n;
  Work a(u);
  raw.input.reserve(static_cast<size_t>(n) * (n - 1) / 2);
  std::vector<Rot> rot(n);
  for (int i = 0; i + 1 < n; ++i) reck_row(a, i, rot, raw.input);
  finish(a, raw);
  return raw;
}

Mesh build_mesh(const RawMesh& raw, std::vector<cdouble>& phase) {
  Mesh mesh;
  mesh.n = raw.n;
  mesh.method = raw.method;
  const size_t n_in = raw.input.size(), count = n_in + raw.output.size();
  mesh.mzis.resize(count);
  // For E = [[c, w], [-conj(w), c]] preceded by diag(dm, dn) (the phases pushed so far), E diag(dm, dn) =
  // diag(u_alpha, u_beta) M(theta, phi) holds with (factor_mzi_unit, specialized):
  //   sin(theta/2) = c, cos(theta/2) = |w|, g = i e^{i theta/2}, uw = w/|w| (1 for w = 0),
  //   e^{i phi} = conj(uw) dm conj(dn), u_alpha = uw conj(g) dn, u_beta = -conj(g) dn.
  // Pass 1 (independent per element): theta and uw. Pass 2 (sequential): the phase recurrence, products only.
  // Pass 3 (independent): phi = arg e^{i phi}. Passes 1 and 3 vectorize.
  std::vector<double> sh(count), ch(count), uwr(count), uwi(count), theta(count);
  prepare_elements(raw.input, sh.data(), ch.data(), uwr.data(), uwi.data());
  prepare_elements(raw.output, sh.data() + n_in, ch.data() + n_in, uwr.data() + n_in, uwi.data() + n_in);
  atan2_batch(sh.data(), ch.data(), theta.data(), count);
  // Pass 2 overwrites sh / ch with Re / Im e^{i phi} once read (fewer fresh pages for large meshes).
  auto push = [&](size_t k) {
    const int m = k < n_in ? raw.input.mode[k] : raw.output.mode[k - n_in];
    mesh.mzis[k].mode = m;
    const cdouble dm = phase[m], dn = phase[m + 1];
    const cdouble uw(uwr[k], uwi[k]), g_conj(-sh[k], -ch[k]);
    const cdouble ephi = std::conj(uw) * dm * std::conj(dn);
    sh[k] = ephi.real(), ch[k] = ephi.imag();
    const cdouble gd = g_conj * dn;
    phase[m] = uw * gd;
    phase[m + 1] = -gd;
  };
  for (size_t k = 0; k < n_in; ++k) push(k);
  for (int m = 0; m < raw.n; ++m) phase[m] *= raw.diag[m];
  for (size_t k = n_in; k < count; ++k) push(k);
  double* phi = uwr.data();
  atan2_batch(ch.data(), sh.data(), phi, count);
  for (size_t k = 0; k < count; ++k) {
    const double p = phi[k] < 0.0 ? phi[k] + kTwoPi : phi[k];  // [0, 2 pi]; -0 stays 0
    phi[k] = p >= kTwoPi ? 0.0 : p;                            // -tiny + 2 pi may round to 2 pi
  }
  for (size_t k = 0; k < count; ++k) mesh.mzis[k].theta_rad = 2.0 * theta[k], mesh.mzis[k].phi_rad = phi[k];
  return mesh;
}

}  // namespace holo::linalg::detail
