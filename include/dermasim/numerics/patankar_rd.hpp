// dermasim/numerics/patankar_rd.hpp — unsplit reaction + vertical diffusion, positive and
// second order: MPRK22 with the z diffusion written as a production–destruction exchange.
//
// For every species s and z-column it advances
//     ∂u_s/∂t = P_s(u) − L_s(u) u_s + ∂_z(D_s(z) ∂_z u_s) − λ_s u_s
// (kinetics in production–loss form as in reaction.hpp; finite-volume fluxes with the harmonic
// transmissibilities of transmissibility.hpp; top/bottom zero-flux, Dirichlet or Robin) without
// splitting reaction from diffusion. Writing the diffusion as the exchange p_ij = a_ij u_j
// between neighbouring cells, the modified Patankar–Runge–Kutta scheme MPRK22 (Kopecz &
// Meister 2018) becomes, per species, two tridiagonal solves along z:
//   stage 1:  (I + Δt L(uⁿ) − Δt A) u*  = uⁿ + Δt P(uⁿ)
//   stage 2:  (I + Δt L̄ − Δt A Ω) uⁿ⁺¹ = uⁿ + Δt/2 (P(uⁿ) + P(u*))
//             L̄ = (L(uⁿ) uⁿ + L(u*) u*) / (2 u*),   Ω = diag((uⁿ + u*) / (2 u*))
// Both matrices are M-matrices (A Ω keeps A's column sums), so uⁿ⁺¹ >= 0 for every Δt, the
// diffusion exchange conserves mass to rounding, and a steady state of the full operator is
// reproduced exactly for any Δt. This is what makes long steps cheap: the operator-splitting
// error of reaction vs. fast (10 µm cells) vertical diffusion, which held the split scheme to
// minutes per step, does not exist here. Derivation and measured orders: docs/numerics.md §3b.
//
// Columns are processed in blocks of `block` columns (the z lines vectorise across them); each
// column's arithmetic is independent of the blocking and of the thread count, so results are
// bitwise reproducible. Scratch is per thread and sized once: a step allocates nothing.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "dermasim/core/aligned.hpp"
#include "dermasim/core/error.hpp"
#include "dermasim/core/field.hpp"
#include "dermasim/core/grid.hpp"
#include "dermasim/core/parallel.hpp"
#include "dermasim/numerics/diffusion.hpp"
#include "dermasim/numerics/reaction.hpp"
#include "dermasim/numerics/transmissibility.hpp"

namespace dermasim {

class ReactionDiffusionZ {
 public:
  static constexpr std::size_t block = 8;  ///< columns per block (vector lanes × ILP)

  ReactionDiffusionZ() = default;
  /// `specs`: one per species; only D (nz values or empty: no transport), decay, top and
  /// bottom are used (lateral transport is someone else's). Per-column top Robin data are
  /// not supported here; put a surface loss into the kinetics instead.
  ReactionDiffusionZ(const Grid& g, const std::vector<DiffusionSpec>& specs) : g_(g) {
    const int nz = g.nz();
    const auto& dz = g.dz();
    lines_.resize(specs.size());
    for (std::size_t s = 0; s < specs.size(); ++s) {
      const auto& sp = specs[s];
      const std::string p = "reaction_diffusion[" + std::to_string(s) + "]";
      require_nonnegative(p + ".decay", sp.decay, "1/s");
      if (!sp.top_h.empty() || !sp.top_ext.empty())
        throw invalid_argument(p + ": per-column top Robin data are not supported by the unsplit "
                                   "operator; model the surface exchange as a loss in the kinetics");
      Line& L = lines_[s];
      L.decay = sp.decay;
      if (!sp.active()) continue;
      require_same_size(p + ".D (one value per z-cell)", sp.D.size(), std::size_t(nz));
      for (int k = 0; k < nz; ++k)
        require_nonnegative(p + ".D[" + std::to_string(k) + "]", sp.D[k], "m^2/s");
      for (auto* bc : {&sp.top, &sp.bottom}) {
        if (!std::isfinite(bc->value) || bc->value < 0.0)
          throw invalid_argument(p + (bc == &sp.top ? ".top" : ".bottom") + ".value = " +
                                 detail::fmt(bc->value) +
                                 " must be finite and >= 0 (a positive scheme needs a non-negative "
                                 "boundary value)");
        if (bc->kind == BoundaryCondition::Kind::robin)
          require_nonnegative(p + (bc == &sp.top ? ".top.h" : ".bottom.h"), bc->h, "m/s");
      }
      L.active = true;
      L.T = column_transmissibilities(dz, sp.D, sp.top, sp.bottom);
      L.src_top = L.T[0] * sp.top.value / dz[0];
      L.src_bot = L.T[nz] * sp.bottom.value / dz[nz - 1];
    }
    idz_.resize(nz);
    for (int k = 0; k < nz; ++k) idz_[k] = 1.0 / dz[k];
    ensure_scratch();
  }

  const Grid& grid() const { return g_; }
  std::size_t species() const { return lines_.size(); }

  /// Advance u by dt seconds; order 2 (MPRK22) or 1 (Patankar–Euler, stage 1 only).
  template <class Kinetics>
  void step(FieldSet& u, const Kinetics& kin, double dt, int order = 2) {
    require_positive("dt", dt, "s");
    if (order != 1 && order != 2)
      throw invalid_argument("reaction_diffusion.order = " + std::to_string(order) +
                             "; valid values are 1 and 2");
    const std::size_t ns = lines_.size();
    if (kin.species() != ns || u.species() != ns)
      throw invalid_argument("reaction_diffusion: kinetics has " + std::to_string(kin.species()) +
                             " species, the field " + std::to_string(u.species()) +
                             ", the operator " + std::to_string(ns));
    if (ns > max_kinetic_species)
      throw invalid_argument("species = " + std::to_string(ns) + " exceeds the maximum of " +
                             std::to_string(max_kinetic_species));
    if (u.cells() != g_.size())
      throw invalid_argument("field has " + std::to_string(u.cells()) +
                             " cells; the operator's grid has " + std::to_string(g_.size()));
    ensure_scratch();
    double* ptr[max_kinetic_species];
    for (std::size_t s = 0; s < ns; ++s) ptr[s] = u.data(s);
    const std::size_t P = g_.plane();
    const long nblocks = long((P + block - 1) / block);
    parallel_for(0, nblocks, long(g_.size()) >= parallel_min_cells, [&](long b) {
      const std::size_t c0 = std::size_t(b) * block, nc = std::min(block, P - c0);
      column_block(ptr, kin, dt, order, c0, nc, thread_scratch());
    });
  }

 private:
  struct Line {
    bool active = false;
    double decay = 0.0;
    std::vector<double> T;  ///< nz + 1 transmissibilities (m/s); T[0], T[nz] boundary
    double src_top = 0.0, src_bot = 0.0;  ///< boundary inflow T_b · value / dz, (unit)/s
  };

  // scratch layout per thread: un, us, Pa, La (ns·nz·block each), cp, dp (nz·block each)
  std::size_t scratch_per_thread() const {
    return (4 * lines_.size() + 2) * std::size_t(g_.nz()) * block + 8;
  }
  static int max_threads_hint() {
#ifdef _OPENMP
    return std::max(omp_get_max_threads(), omp_get_num_procs());
#else
    return 1;
#endif
  }
  static int thread_id() {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
  }
  void ensure_scratch() {
    const std::size_t need = std::size_t(max_threads_hint()) * scratch_per_thread();
    if (buf_.size() < need) buf_.assign(need, 0.0);  // only when the thread count grows
  }
  double* thread_scratch() { return buf_.data() + std::size_t(thread_id()) * scratch_per_thread(); }

  // Tridiagonal solve along z for the nc columns of a block (Thomas, vectorised across
  // columns). w == nullptr: stage 1 (no Patankar weights).
  void solve_lines(const Line& L, double dt, const double* rhs0, const double* Pa, const double* La,
                   const double* w, double* x, std::size_t nc, double* cp, double* dp) const {
    const int nz = g_.nz();
    constexpr std::size_t B = block;
    for (int k = 0; k < nz; ++k) {
      const double q = dt * idz_[k];
      const double Tu = L.T[k], Td = L.T[k + 1];
      const double src = dt * ((k == 0 ? L.src_top : 0.0) + (k == nz - 1 ? L.src_bot : 0.0));
      const std::size_t o = std::size_t(k) * B;
      for (std::size_t j = 0; j < nc; ++j) {
        const double wk = w ? w[o + j] : 1.0;
        const double a = (k > 0) ? -q * Tu * (w ? w[o - B + j] : 1.0) : 0.0;
        const double c = (k < nz - 1) ? -q * Td * (w ? w[o + B + j] : 1.0) : 0.0;
        const double bb = 1.0 + q * (Tu + Td) * wk + dt * La[o + j];
        const double r = rhs0[o + j] + dt * Pa[o + j] + src;
        if (k == 0) {
          const double ib = 1.0 / bb;
          cp[o + j] = c * ib;
          dp[o + j] = r * ib;
        } else {
          const double ib = 1.0 / (bb - a * cp[o - B + j]);
          cp[o + j] = c * ib;
          dp[o + j] = (r - a * dp[o - B + j]) * ib;
        }
      }
    }
    {
      const std::size_t o = std::size_t(nz - 1) * B;
      for (std::size_t j = 0; j < nc; ++j) x[o + j] = dp[o + j];
    }
    for (int k = nz - 2; k >= 0; --k) {
      const std::size_t o = std::size_t(k) * B;
      for (std::size_t j = 0; j < nc; ++j) x[o + j] = dp[o + j] - cp[o + j] * x[o + B + j];
    }
  }

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
  template <class Kinetics>
  void column_block(double* const* ptr, const Kinetics& kin, double dt, int order, std::size_t c0,
                    std::size_t nc, double* scratch) const {
    const int nz = g_.nz();
    const std::size_t ns = lines_.size(), P = g_.plane();
    constexpr std::size_t B = block;
    const std::size_t S = std::size_t(nz) * B;  // one species' slab in the block
    double* un = scratch;
    double* us = un + ns * S;
    double* Pa = us + ns * S;
    double* La = Pa + ns * S;
    double* cp = La + ns * S;
    double* dp = cp + S;
    double uu[max_kinetic_species], pp[max_kinetic_species], ll[max_kinetic_species];
    // ---- stage 1: rates at uⁿ, then one implicit solve per species ----------------------------
    for (int k = 0; k < nz; ++k)
      for (std::size_t j = 0; j < nc; ++j) {
        const std::size_t id = std::size_t(k) * P + c0 + j, o = std::size_t(k) * B + j;
        for (std::size_t s = 0; s < ns; ++s) uu[s] = ptr[s][id];
        kin.rates(id, k, uu, pp, ll);
        for (std::size_t s = 0; s < ns; ++s) {
          un[s * S + o] = uu[s];
          Pa[s * S + o] = pp[s];
          La[s * S + o] = ll[s] + lines_[s].decay;
        }
      }
    for (std::size_t s = 0; s < ns; ++s) {
      const Line& L = lines_[s];
      const double* u0 = un + s * S;
      double* x = us + s * S;
      const double* p0 = Pa + s * S;
      const double* l0 = La + s * S;
      if (L.active) {
        solve_lines(L, dt, u0, p0, l0, nullptr, x, nc, cp, dp);
      } else {
        for (int k = 0; k < nz; ++k)
          for (std::size_t j = 0; j < nc; ++j) {
            const std::size_t o = std::size_t(k) * B + j;
            x[o] = (u0[o] + dt * p0[o]) / (1.0 + dt * l0[o]);
          }
      }
    }
    if (order == 1) {
      store(ptr, us, c0, nc);
      return;
    }
    // ---- stage 2: rates at u*, Patankar weights, second implicit solve -----------------------
    for (int k = 0; k < nz; ++k)
      for (std::size_t j = 0; j < nc; ++j) {
        const std::size_t id = std::size_t(k) * P + c0 + j, o = std::size_t(k) * B + j;
        for (std::size_t s = 0; s < ns; ++s) uu[s] = us[s * S + o];
        kin.rates(id, k, uu, pp, ll);
        for (std::size_t s = 0; s < ns; ++s) {
          const std::size_t i = s * S + o;
          const double a0 = un[i], a1 = us[i], l1 = ll[s] + lines_[s].decay;
          Pa[i] = 0.5 * (Pa[i] + pp[s]);
          if (a1 > 0.0) {
            La[i] = 0.5 * (La[i] * a0 + l1 * a1) / a1;
            us[i] = 0.5 * (a0 + a1) / a1;  // us now holds the weight ω
          } else {
            // u* = 0 only if uⁿ = 0 and P(uⁿ) = 0 (and no inflow): no weight is defined
            La[i] = 0.5 * (La[i] + l1);
            us[i] = 1.0;
          }
        }
      }
    for (std::size_t s = 0; s < ns; ++s) {
      const Line& L = lines_[s];
      const double* u0 = un + s * S;
      double* w = us + s * S;
      const double* p = Pa + s * S;
      const double* l = La + s * S;
      if (L.active) {
        // the forward pass reads every weight before back substitution writes the first
        // result, so the solution may overwrite the weights in place
        solve_lines(L, dt, u0, p, l, w, w, nc, cp, dp);
      } else {
        for (int k = 0; k < nz; ++k)
          for (std::size_t j = 0; j < nc; ++j) {
            const std::size_t o = std::size_t(k) * B + j;
            w[o] = (u0[o] + dt * p[o]) / (1.0 + dt * l[o]);
          }
      }
    }
    store(ptr, us, c0, nc);
  }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

  void store(double* const* ptr, const double* x, std::size_t c0, std::size_t nc) const {
    const int nz = g_.nz();
    const std::size_t P = g_.plane(), S = std::size_t(nz) * block;
    for (std::size_t s = 0; s < lines_.size(); ++s)
      for (int k = 0; k < nz; ++k)
        for (std::size_t j = 0; j < nc; ++j)
          ptr[s][std::size_t(k) * P + c0 + j] = x[s * S + std::size_t(k) * block + j];
  }

  Grid g_;
  std::vector<Line> lines_;
  std::vector<double> idz_;
  aligned_vector buf_;
};

}  // namespace dermasim
