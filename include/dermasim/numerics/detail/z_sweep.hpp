// dermasim/numerics/detail/z_sweep.hpp — the z diffusion–decay kernel: lines along z solved
// together across a block of columns (the block's whole column stays in L2/L3 between its two
// passes), eliminated from the bottom up (UL order) so that only the top pivot depends on a
// per-column Robin condition. Private to DiffusionSolver (numerics/diffusion.hpp), which
// caches the factorisations and schedules the blocks over threads.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "dermasim/numerics/detail/lateral_sweep.hpp"
#include "dermasim/numerics/transmissibility.hpp"

namespace dermasim::detail::diffusion {

inline constexpr int zprefetch = 2;  // planes ahead

/// The θ-scheme z tridiagonal system of one species for one (τ, θ), rows divided by dz.
struct ZFactor {
  std::vector<double> T;       // nz + 1 face transmissibilities (T[0] top uniform, T[nz] bottom)
  std::vector<double> l, c, d;  // tridiagonal rows (divided by dz)
  std::vector<double> g, ibeta;  // UL elimination factors
  double beta0_rest = 0.0;       // β0 = d0(col) − beta0_rest
  double src_top = 0.0, src_bot = 0.0;  // τ T e / dz for uniform boundaries
};

/// Factor the z system for the transmissibilities T (nz + 1, m/s), cell heights dz (m),
/// decay λ (1/s) and the uniform boundary values, over τ (s) with implicitness θ.
inline void factor_z(ZFactor& Z, const std::vector<double>& T, const std::vector<double>& dz,
                     double decay, double top_value, double bottom_value, double tau,
                     double theta) {
  const int nz = int(dz.size());
  Z.T = T;
  Z.l.assign(nz, 0.0);
  Z.c.assign(nz, 0.0);
  Z.d.assign(nz, 0.0);
  for (int k = 0; k < nz; ++k) {
    const double a = theta * tau / dz[k];
    Z.l[k] = (k > 0) ? -a * Z.T[k] : 0.0;
    Z.c[k] = (k < nz - 1) ? -a * Z.T[k + 1] : 0.0;
    Z.d[k] = 1.0 + a * (Z.T[k] + Z.T[k + 1]) + theta * tau * decay;
  }
  // UL elimination from the bottom so only β0 depends on the (per-column) top condition
  Z.g.assign(nz, 0.0);
  Z.ibeta.assign(nz, 0.0);
  double beta = Z.d[nz - 1];
  Z.ibeta[nz - 1] = 1.0 / beta;
  for (int k = nz - 2; k >= 1; --k) {
    Z.g[k] = Z.c[k] / beta;  // multiplier applied to y_{k+1}
    beta = Z.d[k] - Z.g[k] * Z.l[k + 1];
    Z.ibeta[k] = 1.0 / beta;
  }
  if (nz >= 2) {
    Z.g[0] = Z.c[0] / beta;
    Z.beta0_rest = Z.g[0] * Z.l[1];
  }
  Z.src_top = tau * Z.T[0] * top_value / dz[0];
  Z.src_bot = tau * Z.T[nz] * bottom_value / dz[nz - 1];
}

/// What the z sweep of one species reads besides the field (u: nz planes of P cells).
struct ZSweep {
  const ZFactor* Z = nullptr;
  const double* dz = nullptr;  ///< nz cell heights, m
  int nz = 0;
  std::size_t P = 0;           ///< cells per plane
  double tau = 0.0, theta = 1.0;
  double expl = 0.0;           ///< (1 − θ) τ
  double decay = 0.0;          ///< 1/s
  double top_value = 0.0, bottom_value = 0.0;
  double D0 = 0.0;             ///< diffusivity of the top cell, m²/s
  const double* top_h = nullptr;    ///< per-column top Robin coefficients (P), or nullptr
  const double* top_ext = nullptr;  ///< per-column top external values (P)
};

// Upward pass, interior plane k, θ < 1 (the common case, branch-free): explicit part and
// y_k = r_k − g_k y_{k+1}. Saves the old plane k in oldcur for plane k − 1's explicit part.
inline void z_up_interior(const ZSweep& a, int k, double* uk, const double* ukm,
                          const double* yk1, double gk, const double* oldnext, double* oldcur,
                          std::size_t nc) {
  const double idz = 1.0 / a.dz[k], dzk = a.dz[k];
  const double Tu = a.Z->T[k], Td = a.Z->T[k + 1];
  const double expl = a.expl, decay = a.decay;
  // planes k−1, k, k+1 of u and the two scratch rows never overlap: without saying so
  // GCC gives up on vectorising this loop ("no vectype"), and the CN z sweep ran at
  // 0.3–0.4 of the triad
  double* __restrict ur = uk;
  const double* __restrict um = ukm;
  const double* __restrict up = yk1;
  const double* __restrict on = oldnext;
  std::copy(ur, ur + nc, oldcur);  // the old plane k, for plane k − 1's explicit part
  for (std::size_t c = 0; c < nc; ++c) {
    const double uc = ur[c];
    double flux = -decay * uc * dzk;
    flux += Tu * (um[c] - uc);
    flux += Td * (on[c] - uc);
    const double r = uc + expl * flux * idz;
    ur[c] = r - gk * up[c];
  }
}

// Upward pass, top or bottom plane, θ < 1: explicit part with the boundary fluxes and the
// implicit share of the boundary sources.
inline void z_up_end(const ZSweep& a, int k, std::size_t c0, double* uk, const double* ukm,
                     const double* yk1, double gk, const double* oldnext, double* oldcur,
                     std::size_t nc) {
  const ZFactor& Z = *a.Z;
  const int nz = a.nz;
  const double* dz = a.dz;
  const bool col_top = a.top_h != nullptr;
  const double theta = a.theta, tau = a.tau;
  const double idz = 1.0 / dz[k];
  const double Tu = Z.T[k], Td = Z.T[k + 1];
  for (std::size_t c = 0; c < nc; ++c) {
    const double uc = uk[c];
    double flux = -a.decay * uc * dz[k];
    if (k > 0) flux += Tu * (ukm[c] - uc);
    else if (!col_top) flux += Tu * (a.top_value - uc);
    else {
      const double T0 = robin_transmissibility(a.top_h[c0 + c], dz[0], a.D0);
      flux += T0 * (a.top_ext[c0 + c] - uc);
    }
    if (k < nz - 1) flux += Td * (oldnext[c] - uc);
    else flux += Td * (a.bottom_value - uc);
    double r = uc + a.expl * flux * idz;
    // boundary sources (implicit share)
    if (k == 0) {
      if (!col_top) r += theta * Z.src_top;
      else {
        const double T0 = robin_transmissibility(a.top_h[c0 + c], dz[0], a.D0);
        r += theta * tau * T0 * a.top_ext[c0 + c] / dz[0];
      }
    }
    if (k == nz - 1) r += theta * Z.src_bot;
    oldcur[c] = uc;
    uk[c] = (k < nz - 1) ? r - gk * yk1[c] : r;
  }
}

// Upward pass, top or bottom plane, θ = 1: the boundary sources only.
inline void z_up_end_implicit(const ZSweep& a, int k, std::size_t c0, double* uk,
                              const double* yk1, double gk, std::size_t nc) {
  const ZFactor& Z = *a.Z;
  const int nz = a.nz;
  const bool col_top = a.top_h != nullptr;
  for (std::size_t c = 0; c < nc; ++c) {
    double r = uk[c];
    if (k == 0) {
      if (!col_top) r += Z.src_top;
      else {
        const double T0 = robin_transmissibility(a.top_h[c0 + c], a.dz[0], a.D0);
        r += a.tau * T0 * a.top_ext[c0 + c] / a.dz[0];
      }
    }
    if (k == nz - 1) r += Z.src_bot;
    uk[c] = (k < nz - 1) ? r - gk * yk1[c] : r;
  }
}

// Top row: divide by β0 of each column (the per-column Robin face changes only this pivot).
inline void z_top_row(const ZSweep& a, double* u, std::size_t c0, std::size_t nc) {
  const ZFactor& Z = *a.Z;
  double* u0 = u + c0;
  const double a0 = a.theta * a.tau / a.dz[0];
  for (std::size_t c = 0; c < nc; ++c) {
    double d0 = Z.d[0];
    if (a.top_h) {
      const double T0 = robin_transmissibility(a.top_h[c0 + c], a.dz[0], a.D0);
      d0 += a0 * (T0 - Z.T[0]);
    }
    u0[c] /= (d0 - Z.beta0_rest);
  }
}

/// The z sweep of the nc columns c0 … c0 + nc − 1 of u in place. `work`: 2 P doubles of
/// scratch (old values of two planes for θ < 1; each block uses its own columns of it).
inline void z_block(const ZSweep& a, double* u, double* work, std::size_t c0, std::size_t nc) {
  const int nz = a.nz;
  const std::size_t P = a.P;
  double* oldnext = work + c0;      // old values of plane k+1 (θ < 1)
  double* oldcur = work + P + c0;   // scratch for old plane k
  // upward pass (k = nz−1 … 0): y_k = r_k − g_k y_{k+1}, stored in u
  for (int k = nz - 1; k >= 0; --k) {
    double* uk = u + std::size_t(k) * P + c0;
    const double* ukm = (k > 0) ? u + std::size_t(k - 1) * P + c0 : nullptr;
    const double gk = (k < nz - 1) ? a.Z->g[k] : 0.0;
    const double* yk1 = (k < nz - 1) ? u + std::size_t(k + 1) * P + c0 : nullptr;
    // this pass streams the block column from memory: ask for the plane after next early
    // (the hardware prefetchers restart on every short, plane-strided segment)
    if (k >= zprefetch)
      for (std::size_t c = 0; c < nc; c += 8) prefetch(u + std::size_t(k - zprefetch) * P + c0 + c);
    const bool interior = k > 0 && k < nz - 1;
    if (a.theta < 1.0 && interior) {
      z_up_interior(a, k, uk, ukm, yk1, gk, oldnext, oldcur, nc);
      std::swap(oldnext, oldcur);
    } else if (interior) {
      for (std::size_t c = 0; c < nc; ++c) uk[c] = uk[c] - gk * yk1[c];
    } else if (a.theta < 1.0) {
      z_up_end(a, k, c0, uk, ukm, yk1, gk, oldnext, oldcur, nc);
      std::swap(oldnext, oldcur);
    } else {
      z_up_end_implicit(a, k, c0, uk, yk1, gk, nc);
    }
  }
  z_top_row(a, u, c0, nc);
  // downward pass: u_k = (y_k − l_k u_{k−1}) / β_k
  for (int k = 1; k < nz; ++k) {
    double* uk = u + std::size_t(k) * P + c0;
    const double* um = uk - P;
    const double lk = a.Z->l[k], ib = a.Z->ibeta[k];
    for (std::size_t c = 0; c < nc; ++c) uk[c] = (uk[c] - lk * um[c]) * ib;
  }
}

}  // namespace dermasim::detail::diffusion
