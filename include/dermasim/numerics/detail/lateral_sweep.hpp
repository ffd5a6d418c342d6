// dermasim/numerics/detail/lateral_sweep.hpp — the lateral diffusion kernels of one z plane:
// the x sweep (W lines solved together through a transposed, L1-resident block; an AVX2 body
// with in-register 4 × 4 transposes, the same bits) and the y sweep (vectorised across x in
// L2-sized chunks; the same source compiled for the baseline ISA and for AVX2). Private to
// DiffusionSolver (numerics/diffusion.hpp), which schedules planes over threads.
#pragma once

#include <algorithm>
#include <cstddef>

#include "dermasim/core/simd.hpp"
#include "dermasim/numerics/detail/line_solve.hpp"

namespace dermasim::detail::diffusion {

inline constexpr int W = 8;  // lines solved together by the x sweep (SIMD lanes × ILP)

// ---- x sweep: lines along x (contiguous), W lines of one plane solved together -------------
// The W lines are read row-wise, the Crank–Nicolson explicit part and the forward elimination
// are done in one pass into a transposed scratch block buf[i·W + l] (L1-resident), so the
// recurrences run W-wide across lines; the backward pass writes the lines back. Per element
// the arithmetic and its order are those of the single-line solve, so results do not depend
// on the blocking (nor on the thread count).
inline void prefetch(const double* p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p, 1, 3);
#else
  (void)p;
#endif
}

// Explicit part at an end of a line (i = 0 or n − 1): neighbours by wrap (periodic) or
// absent (zero flux). Shared by x_block and x_block_avx2 (the same bits).
inline double x_end_value(const LineFactor& f, const double* row, int n, int i) {
  const int im = (i > 0) ? i - 1 : (f.periodic ? n - 1 : -1);
  const int ip = (i < n - 1) ? i + 1 : (f.periodic ? 0 : -1);
  const double c = row[i];
  double lap = 0.0;
  if (im >= 0) lap += row[im] - c;
  if (ip >= 0) lap += row[ip] - c;
  return c + f.expl * lap;
}

// `next` (or nullptr): the data the caller will process after this block; its first n cache
// lines are prefetched during the forward pass, one per step, to overlap memory and compute.
inline void x_block(const LineFactor& f, double* rows, int n, int w, double* buf,
                    const double* next, std::size_t next_size) {
  const int npf = next ? int(std::min<std::size_t>(std::size_t(n), next_size / 8)) : 0;
  const double* r[W];
  double* o[W];
  for (int l = 0; l < W; ++l) {
    r[l] = rows + std::size_t(std::min(l, w - 1)) * n;  // padding lanes repeat the last line
    o[l] = rows + std::size_t(l) * n;
  }
  const double off = f.off, e = f.expl;
  const double* m = f.m.data();
  const double* cp = f.cp.data();
  // forward: explicit part (θ < 1) and elimination, row-wise reads, W-wide recurrence
  if (e != 0.0) {
    auto end_value = [&](int l, int i) { return x_end_value(f, r[l], n, i); };
    for (int l = 0; l < W; ++l) buf[l] = end_value(l, 0) * m[0];
    for (int i = 1; i < n - 1; ++i) {
      if (i < npf) prefetch(next + std::size_t(i) * 8);
      double* b = buf + std::size_t(i) * W;
      const double* bp = b - W;
      const double mi = m[i];
      for (int l = 0; l < W; ++l) {
        const double* rl = r[l] + i;
        const double c = rl[0];
        double lap = 0.0;
        lap += rl[-1] - c;
        lap += rl[1] - c;
        b[l] = (c + e * lap - off * bp[l]) * mi;
      }
    }
    double* b = buf + std::size_t(n - 1) * W;
    for (int l = 0; l < W; ++l) b[l] = (end_value(l, n - 1) - off * b[l - W]) * m[n - 1];
  } else {
    for (int l = 0; l < W; ++l) buf[l] = r[l][0] * m[0];
    for (int i = 1; i < n; ++i) {
      if (i < npf) prefetch(next + std::size_t(i) * 8);
      double* b = buf + std::size_t(i) * W;
      const double* bp = b - W;
      const double mi = m[i];
      for (int l = 0; l < W; ++l) b[l] = (r[l][i] - off * bp[l]) * mi;
    }
  }
  // backward substitution; without a Sherman–Morrison correction it writes the lines back
  const double* last = buf + std::size_t(n - 1) * W;
  if (!f.sm) {
    double cur[W];
    for (int l = 0; l < W; ++l) cur[l] = last[l];
    if (w == W) {
      for (int l = 0; l < W; ++l) o[l][n - 1] = cur[l];
      for (int i = n - 2; i >= 0; --i) {
        const double* b = buf + std::size_t(i) * W;
        const double ci = cp[i];
        for (int l = 0; l < W; ++l) cur[l] = b[l] - ci * cur[l];
        for (int l = 0; l < W; ++l) o[l][i] = cur[l];
      }
    } else {
      for (int l = 0; l < w; ++l) o[l][n - 1] = cur[l];
      for (int i = n - 2; i >= 0; --i) {
        const double* b = buf + std::size_t(i) * W;
        const double ci = cp[i];
        for (int l = 0; l < W; ++l) cur[l] = b[l] - ci * cur[l];
        for (int l = 0; l < w; ++l) o[l][i] = cur[l];
      }
    }
  } else {
    for (int i = n - 2; i >= 0; --i) {
      double* b = buf + std::size_t(i) * W;
      const double* bn = b + W;
      const double ci = cp[i];
      for (int l = 0; l < W; ++l) b[l] -= ci * bn[l];
    }
  }
  if (f.sm) {  // periodic line: x −= fac · z, fac from the solved end values
    double fac[W];
    for (int l = 0; l < W; ++l) fac[l] = (buf[l] + off * last[l] / f.gamma) / f.sm_den;
    const double* zc = f.zc.data();
    for (int l = 0; l < w; ++l)
      for (int i = 0; i < n; ++i) o[l][i] = buf[std::size_t(i) * W + l] - fac[l] * zc[i];
  }
}

#if DERMASIM_AVX2_KERNELS
// 4 × 4 transpose of doubles: rows a..d (4 consecutive elements of one line each) become
// a..d holding element 0..3 of the 4 lines (AVX shuffles only, no arithmetic).
DERMASIM_TARGET_AVX2 inline void transpose4(__m256d& a, __m256d& b, __m256d& c, __m256d& d) {
  const __m256d t0 = _mm256_unpacklo_pd(a, b), t1 = _mm256_unpackhi_pd(a, b);
  const __m256d t2 = _mm256_unpacklo_pd(c, d), t3 = _mm256_unpackhi_pd(c, d);
  a = _mm256_permute2f128_pd(t0, t2, 0x20);
  b = _mm256_permute2f128_pd(t1, t3, 0x20);
  c = _mm256_permute2f128_pd(t0, t2, 0x31);
  d = _mm256_permute2f128_pd(t1, t3, 0x31);
}

// x_block with AVX2 (taken when use_avx2()): the same algorithm and, per element, the same
// IEEE operations in the same order (no FMA), so the results are bitwise those of x_block.
// What changes is data movement: instead of building each 8-lane vector from 8 strided
// scalar loads (and scattering the backward pass's results the same way), 4 consecutive
// elements of each line are loaded as one vector and 4 × 4 blocks are transposed in
// registers, both ways. Partial blocks (w < W) and lines shorter than 10 take x_block.
DERMASIM_TARGET_AVX2 inline void x_block_avx2(const LineFactor& f, double* rows, int n, int w,
                                              double* buf, const double* next,
                                              std::size_t next_size) {
  if (w < W || n < 10) {
    x_block(f, rows, n, w, buf, next, next_size);
    return;
  }
  static_assert(W == 8, "x_block_avx2 handles 8 lines as two 4-lane halves");
  const int npf = next ? int(std::min<std::size_t>(std::size_t(n), next_size / 8)) : 0;
  double* o[W];
  for (int l = 0; l < W; ++l) o[l] = rows + std::size_t(l) * n;
  const double* r[W] = {o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]};
  const double off = f.off, e = f.expl;
  const double* m = f.m.data();
  const double* cp = f.cp.data();
  const __m256d voff = _mm256_set1_pd(off), ve = _mm256_set1_pd(e), zero = _mm256_setzero_pd();
  auto end_value = [&](int l, int i) { return x_end_value(f, r[l], n, i); };
  // ---- forward pass
  for (int l = 0; l < W; ++l) buf[l] = (e != 0.0 ? end_value(l, 0) : r[l][0]) * m[0];
  __m256d bp0 = _mm256_loadu_pd(buf), bp1 = _mm256_loadu_pd(buf + 4);
  int i = 1;
  // chunks of 4 interior elements (with the explicit part, element i + 3 ≤ n − 2 so that its
  // right neighbour exists without wrapping)
  const int iend = e != 0.0 ? n - 1 : n;
  for (; i + 4 <= iend; i += 4) {
    for (int q = 0; q < 4; ++q)
      if (i + q < npf) prefetch(next + std::size_t(i + q) * 8);
    __m256d x[W];
    if (e != 0.0) {
      for (int l = 0; l < W; ++l) {
        const __m256d c = _mm256_loadu_pd(r[l] + i);
        const __m256d left = _mm256_loadu_pd(r[l] + i - 1);
        const __m256d right = _mm256_loadu_pd(r[l] + i + 1);
        __m256d lap = _mm256_add_pd(zero, _mm256_sub_pd(left, c));
        lap = _mm256_add_pd(lap, _mm256_sub_pd(right, c));
        x[l] = _mm256_add_pd(c, _mm256_mul_pd(ve, lap));
      }
    } else {
      for (int l = 0; l < W; ++l) x[l] = _mm256_loadu_pd(r[l] + i);
    }
    transpose4(x[0], x[1], x[2], x[3]);
    transpose4(x[4], x[5], x[6], x[7]);
    for (int q = 0; q < 4; ++q) {
      const __m256d mi = _mm256_set1_pd(m[i + q]);
      bp0 = _mm256_mul_pd(_mm256_sub_pd(x[q], _mm256_mul_pd(voff, bp0)), mi);
      bp1 = _mm256_mul_pd(_mm256_sub_pd(x[4 + q], _mm256_mul_pd(voff, bp1)), mi);
      double* b = buf + std::size_t(i + q) * W;
      _mm256_storeu_pd(b, bp0);
      _mm256_storeu_pd(b + 4, bp1);
    }
  }
  // the remaining elements one at a time, as in x_block
  for (; i < n; ++i) {
    if (i < npf) prefetch(next + std::size_t(i) * 8);
    double* b = buf + std::size_t(i) * W;
    const double* bp = b - W;
    const double mi = m[i];
    for (int l = 0; l < W; ++l) {
      double xv = r[l][i];
      if (e != 0.0) {
        if (i == n - 1) {
          xv = end_value(l, i);
        } else {
          const double* rl = r[l] + i;
          const double c = rl[0];
          double lap = 0.0;
          lap += rl[-1] - c;
          lap += rl[1] - c;
          xv = c + e * lap;
        }
      }
      b[l] = (xv - off * bp[l]) * mi;
    }
  }
  // ---- backward pass
  const double* last = buf + std::size_t(n - 1) * W;
  if (!f.sm) {
    // cur = b_i − c'_i cur, written back 4 elements × 4 lines at a time
    __m256d cur0 = _mm256_loadu_pd(last), cur1 = _mm256_loadu_pd(last + 4);
    for (int l = 0; l < W; ++l) o[l][n - 1] = last[l];
    int j = n - 2;
    for (; j >= 3; j -= 4) {  // elements j, j−1, j−2, j−3
      __m256d y[W];
      for (int q = 0; q < 4; ++q) {
        const int ii = j - q;
        const double* b = buf + std::size_t(ii) * W;
        const __m256d ci = _mm256_set1_pd(cp[ii]);
        cur0 = _mm256_sub_pd(_mm256_loadu_pd(b), _mm256_mul_pd(ci, cur0));
        cur1 = _mm256_sub_pd(_mm256_loadu_pd(b + 4), _mm256_mul_pd(ci, cur1));
        y[3 - q] = cur0;  // y[0..3]: elements j−3..j of lanes 0–3
        y[7 - q] = cur1;  // y[4..7]: the same of lanes 4–7
      }
      transpose4(y[0], y[1], y[2], y[3]);
      transpose4(y[4], y[5], y[6], y[7]);
      for (int l = 0; l < W; ++l) _mm256_storeu_pd(o[l] + (j - 3), y[l]);
    }
    alignas(32) double cur[W];
    _mm256_store_pd(cur, cur0);
    _mm256_store_pd(cur + 4, cur1);
    for (; j >= 0; --j) {
      const double* b = buf + std::size_t(j) * W;
      const double ci = cp[j];
      for (int l = 0; l < W; ++l) cur[l] = b[l] - ci * cur[l];
      for (int l = 0; l < W; ++l) o[l][j] = cur[l];
    }
    return;
  }
  // periodic line: back substitution in place (lane-major, no transposes), then
  // x −= fac · z written back 4 elements × 4 lines at a time
  {
    __m256d bn0 = _mm256_loadu_pd(last), bn1 = _mm256_loadu_pd(last + 4);
    for (int j = n - 2; j >= 0; --j) {
      double* b = buf + std::size_t(j) * W;
      const __m256d ci = _mm256_set1_pd(cp[j]);
      bn0 = _mm256_sub_pd(_mm256_loadu_pd(b), _mm256_mul_pd(ci, bn0));
      bn1 = _mm256_sub_pd(_mm256_loadu_pd(b + 4), _mm256_mul_pd(ci, bn1));
      _mm256_storeu_pd(b, bn0);
      _mm256_storeu_pd(b + 4, bn1);
    }
  }
  alignas(32) double fac[W];
  for (int l = 0; l < W; ++l) fac[l] = (buf[l] + off * last[l] / f.gamma) / f.sm_den;
  const __m256d fac0 = _mm256_load_pd(fac), fac1 = _mm256_load_pd(fac + 4);
  const double* zc = f.zc.data();
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    __m256d y[W];
    for (int q = 0; q < 4; ++q) {
      const double* b = buf + std::size_t(j + q) * W;
      const __m256d z = _mm256_set1_pd(zc[j + q]);
      y[q] = _mm256_sub_pd(_mm256_loadu_pd(b), _mm256_mul_pd(fac0, z));
      y[4 + q] = _mm256_sub_pd(_mm256_loadu_pd(b + 4), _mm256_mul_pd(fac1, z));
    }
    transpose4(y[0], y[1], y[2], y[3]);
    transpose4(y[4], y[5], y[6], y[7]);
    for (int l = 0; l < W; ++l) _mm256_storeu_pd(o[l] + j, y[l]);
  }
  for (; j < n; ++j)
    for (int l = 0; l < W; ++l) o[l][j] = buf[std::size_t(j) * W + l] - fac[l] * zc[j];
}

#endif

// ---- y sweep: lines along y, vectorised across x, in x chunks that stay in L2 -------------
// Per chunk: one forward pass that does the explicit part and the elimination together
// (keeping the old previous row and the old row 0 for the stencil), one backward pass, and
// for periodic lines one Sherman–Morrison pass.
DERMASIM_ALWAYS_INLINE void y_plane_body(const LineFactor& f, double* P, int nx, int ny,
                                         bool periodic, std::size_t chunk,
                                         double* scratch) {
  if (ny == 1) return;
  const double off = f.off, e = f.expl;
  const double* m = f.m.data();
  for (std::size_t x0 = 0; x0 < std::size_t(nx); x0 += chunk) {
    const std::size_t w = std::min(chunk, std::size_t(nx) - x0);
    double* Q = P + x0;
    auto row = [&](int j) { return Q + std::size_t(j) * nx; };
    if (e != 0.0) {
      double* old0 = scratch;          // old row 0 (the periodic "next" of row ny−1)
      double* oldp = scratch + chunk;  // old previous row
      std::copy(Q, Q + w, old0);
      for (int j = 0; j < ny; ++j) {
        double* rj = row(j);
        const double* prev = (j > 0) ? oldp : (periodic ? row(ny - 1) : nullptr);
        const double* next = (j < ny - 1) ? rj + nx : (periodic ? old0 : nullptr);
        const double* yprev = (j > 0) ? rj - nx : nullptr;
        const double mj = m[j];
        if (prev && next && yprev) {  // interior row: the common case, branch-free
          for (std::size_t i = 0; i < w; ++i) {
            const double c = rj[i];
            double lap = 0.0;
            lap += prev[i] - c;
            lap += next[i] - c;
            oldp[i] = c;
            rj[i] = (c + e * lap - off * yprev[i]) * mj;
          }
        } else {
          for (std::size_t i = 0; i < w; ++i) {
            const double c = rj[i];
            double lap = 0.0;
            if (prev) lap += prev[i] - c;
            if (next) lap += next[i] - c;
            const double v = c + e * lap;
            oldp[i] = c;
            rj[i] = yprev ? (v - off * yprev[i]) * mj : v * mj;
          }
        }
      }
    } else {
      for (std::size_t i = 0; i < w; ++i) Q[i] *= m[0];
      for (int j = 1; j < ny; ++j) {
        double* rj = row(j);
        const double* pr = rj - nx;
        const double mj = m[j];
        for (std::size_t i = 0; i < w; ++i) rj[i] = (rj[i] - off * pr[i]) * mj;
      }
    }
    for (int j = ny - 2; j >= 0; --j) {
      double* rj = row(j);
      const double* nr = rj + nx;
      const double cj = f.cp[j];
      for (std::size_t i = 0; i < w; ++i) rj[i] -= cj * nr[i];
    }
    if (f.sm) {
      const double* r0 = Q;
      const double* rl = row(ny - 1);
      double* fac = scratch + 2 * chunk;
      for (std::size_t i = 0; i < w; ++i) fac[i] = (r0[i] + off * rl[i] / f.gamma) / f.sm_den;
      for (int j = 0; j < ny; ++j) {
        double* rj = row(j);
        const double z = f.zc[j];
        for (std::size_t i = 0; i < w; ++i) rj[i] -= fac[i] * z;
      }
    }
  }
}

inline void y_plane(const LineFactor& f, double* P, int nx, int ny, bool periodic,
                    std::size_t chunk, double* scratch) {
  y_plane_body(f, P, nx, ny, periodic, chunk, scratch);
}
#if DERMASIM_AVX2_KERNELS
// The same source with AVX2 enabled (4 lanes across x instead of 2; no FMA: the same bits).
DERMASIM_TARGET_AVX2 inline void y_plane_avx2(const LineFactor& f, double* P, int nx, int ny,
                                              bool periodic, std::size_t chunk,
                                              double* scratch) {
  y_plane_body(f, P, nx, ny, periodic, chunk, scratch);
}
#endif

// All ny lines of one plane (P points at the plane, nx × ny values).
// `next_plane`: the plane this thread does next (nullptr if none), for prefetching.
// `avx2`: blocks of lines through x_block_avx2 (same bits as x_block).
inline void x_plane(const LineFactor& f, double* P, int nx, int ny, double* buf,
                    const double* next_plane, bool avx2) {
  if (nx == 1) return;
  if (ny >= W / 2) {
    for (int j0 = 0; j0 < ny; j0 += W) {
      const bool last = j0 + W >= ny;
      const double* next = last ? next_plane : P + std::size_t(j0 + W) * nx;
      const std::size_t nsize =
          last ? (next_plane ? std::size_t(nx) * ny : 0) : std::size_t(ny - j0 - W) * nx;
      double* rows = P + std::size_t(j0) * nx;
      const int w = std::min(W, ny - j0);
#if DERMASIM_AVX2_KERNELS
      if (avx2) {
        x_block_avx2(f, rows, nx, w, buf, next, nsize);
        continue;
      }
#endif
      (void)avx2;
      x_block(f, rows, nx, w, buf, next, nsize);
    }
  } else {
    for (int j = 0; j < ny; ++j) line_solve(f, P + std::size_t(j) * nx, 1, buf);
  }
}

}  // namespace dermasim::detail::diffusion
