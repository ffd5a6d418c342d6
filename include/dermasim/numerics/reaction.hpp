// dermasim/numerics/reaction.hpp — positive pointwise reaction steps for stiff kinetics.
//
// Kinetics are written in production–loss form, per voxel and species:
//     du_i/dt = P_i(u) − L_i(u) u_i,   P_i >= 0, L_i >= 0
// and advanced by a modified Patankar–Runge–Kutta scheme (Kopecz & Meister 2018, MPRK22 with
// the loss written as a rate):
//     stage 1:  u*_i    = (u_i + Δt P_i(u)) / (1 + Δt L_i(u))
//     stage 2:  u⁺_i    = (u_i + Δt/2 (P_i(u) + P_i(u*))) / (1 + Δt/2 (L_i(u) u_i + L_i(u*) u*_i)/u*_i)
// Both stages keep u >= 0 for any Δt (unconditionally positive), the second is second order.
// Order 1 (Patankar–Euler, stage 1 only) is available for robustness tests.
//
// A Kinetics type provides:
//     std::size_t species() const;
//     void rates(std::size_t cell, int k /*z index*/, const double* u, double* P, double* L) const;
// and optionally, for kinetics whose arithmetic should vectorise across cells,
//     void rates_block(std::size_t cell0, int k, int n, const double* const* u,
//                      double* const* P, double* const* L) const;   // see patankar_step
// (`rates_from_block` derives `rates` from it). Both must be pure functions of their
// arguments (thread safety and reproducibility).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/field.hpp"
#include "dermasim/core/parallel.hpp"
#include "dermasim/core/simd.hpp"

namespace dermasim {

/// Maximum number of species a pointwise kinetics may couple (stack buffers, no allocation).
inline constexpr std::size_t max_kinetic_species = 40;

namespace detail {
template <class K, class = void>
struct has_rates_block : std::false_type {};
template <class K>
struct has_rates_block<
    K, std::void_t<decltype(std::declval<const K&>().rates_block(
           std::size_t{}, int{}, int{}, std::declval<const double* const*>(),
           std::declval<double* const*>(), std::declval<double* const*>()))>> : std::true_type {};

// The per-voxel stack buffers are filled by Kinetics::rates for s < species(); GCC cannot see
// that through the user's functor and warns, so the warning is silenced here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

// Rates of cells [c0, c0 + n) of plane k, SoA: in[s][i] → P[s][i], L[s][i]. Kinetics with a
// rates_block take the block in one call (vectorisable across cells); others are called per
// cell through a small gather/scatter. Either way each cell sees the same arithmetic.
template <class Kinetics>
DERMASIM_ALWAYS_INLINE void block_rates(const Kinetics& kin, std::size_t ns, std::size_t c0,
                                        int k, int n, const double* const* in, double* const* P,
                                        double* const* L) {
  if constexpr (has_rates_block<Kinetics>::value) {
    kin.rates_block(c0, k, n, in, P, L);
  } else {
    double u[max_kinetic_species], p[max_kinetic_species], l[max_kinetic_species];
    for (int i = 0; i < n; ++i) {
      for (std::size_t s = 0; s < ns; ++s) u[s] = in[s][i];
      kin.rates(c0 + std::size_t(i), k, u, p, l);
      for (std::size_t s = 0; s < ns; ++s) {
        P[s][i] = p[s];
        L[s][i] = l[s];
      }
    }
  }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// x > 0 ? a : b for x ≥ 0 (a NaN with positive sign counts as positive), as integer bit
// operations: both operands are computed anyway, and GCC if-converts and vectorises a
// bit-select but not a floating-point comparison feeding a division (-ftrapping-math).
DERMASIM_ALWAYS_INLINE double select_if_positive(double x, double a, double b) {
  std::int64_t bx, ba, bb;
  std::memcpy(&bx, &x, 8);
  std::memcpy(&ba, &a, 8);
  std::memcpy(&bb, &b, 8);
  const std::int64_t m = -std::int64_t(bx > 0);  // all ones where x > 0
  const std::int64_t r = (ba & m) | (bb & ~m);
  double out;
  std::memcpy(&out, &r, 8);
  return out;
}

/// Cells per block of the reaction step (SoA scratch of 5 × species × block doubles: 10 KiB
/// for 8 species, in L1).
inline constexpr int reaction_block = 32;

// One MPRK22 (or Patankar–Euler) step of cells [c0, c0 + n), n ≤ reaction_block, of plane k;
// `f[s]` points at species s of the field. The per-element arithmetic (one division per stage):
//   u*  = (u + Δt P0) / (1 + Δt L0)
//   u⁺  = (u + h (P0 + P1)) u* / (u* + h (L0 u + L1 u*)),  h = Δt/2     (u* > 0)
//   u⁺  = (u + h (P0 + P1)) / (1 + h (L0 + L1))                          (u* = 0)
// which is stage 2 of the header's formula multiplied through by u*. BitSelect picks the
// branch-free select (vectorised paths) or a branch (scalar baseline); the values are the same.
template <bool BitSelect, class Kinetics>
DERMASIM_ALWAYS_INLINE void patankar_block_body(const Kinetics& kin, std::size_t ns,
                                                double* const* f, std::size_t c0, int k, int n,
                                                double dt, int order) {
  constexpr int B = reaction_block;
  alignas(64) double scratch[5 * max_kinetic_species * B];
  const double* u[max_kinetic_species];
  double *P0[max_kinetic_species], *L0[max_kinetic_species], *US[max_kinetic_species],
      *P1[max_kinetic_species], *L1[max_kinetic_species];
  for (std::size_t s = 0; s < ns; ++s) {
    u[s] = f[s] + c0;
    P0[s] = scratch + (0 * ns + s) * B;
    L0[s] = scratch + (1 * ns + s) * B;
    US[s] = scratch + (2 * ns + s) * B;
    P1[s] = scratch + (3 * ns + s) * B;
    L1[s] = scratch + (4 * ns + s) * B;
  }
  block_rates(kin, ns, c0, k, n, u, P0, L0);
  // (The field is updated in place: each element is read and written through one pointer, the
  // scratch arrays are distinct, hence the __restrict qualifiers.)
  if (order == 1) {
    for (std::size_t s = 0; s < ns; ++s) {
      double* __restrict o = f[s] + c0;
      const double* __restrict p = P0[s];
      const double* __restrict l = L0[s];
      for (int i = 0; i < n; ++i) o[i] = (o[i] + dt * p[i]) / (1.0 + dt * l[i]);
    }
    return;
  }
  for (std::size_t s = 0; s < ns; ++s) {
    const double* __restrict uu = u[s];
    const double* __restrict p = P0[s];
    const double* __restrict l = L0[s];
    double* __restrict o = US[s];
    for (int i = 0; i < n; ++i) o[i] = (uu[i] + dt * p[i]) / (1.0 + dt * l[i]);
  }
  block_rates(kin, ns, c0, k, n, US, P1, L1);
  const double h = 0.5 * dt;
  for (std::size_t s = 0; s < ns; ++s) {
    double* __restrict o = f[s] + c0;  // u on entry, u⁺ on exit
    const double* __restrict us = US[s];
    const double* __restrict p0 = P0[s];
    const double* __restrict l0 = L0[s];
    const double* __restrict p1 = P1[s];
    const double* __restrict l1 = L1[s];
    for (int i = 0; i < n; ++i) {
      const double ui = o[i], si = us[i];
      const double num = ui + h * (p0[i] + p1[i]);
      const double d_pos = si + h * (l0[i] * ui + l1[i] * si);
      const double d_zero = 1.0 + h * (l0[i] + l1[i]);
      if constexpr (BitSelect) {
        o[i] = (num * select_if_positive(si, si, 1.0)) / select_if_positive(si, d_pos, d_zero);
      } else {  // the same values and the same rule (sign bit clear and not +0, so a positive
                // NaN propagates), selected by a well-predicted branch: faster in scalar code
        o[i] = (!std::signbit(si) && si != 0.0) ? (num * si) / d_pos : (num * 1.0) / d_zero;
      }
    }
  }
}

template <class Kinetics>
void patankar_block_generic(const Kinetics& kin, std::size_t ns, double* const* f,
                            std::size_t c0, int k, int n, double dt, int order) {
  patankar_block_body<false>(kin, ns, f, c0, k, n, dt, order);
}

#if DERMASIM_AVX2_KERNELS
template <class Kinetics>
DERMASIM_TARGET_AVX2 void patankar_block_avx2(const Kinetics& kin, std::size_t ns,
                                              double* const* f, std::size_t c0, int k, int n,
                                              double dt, int order) {
  patankar_block_body<true>(kin, ns, f, c0, k, n, dt, order);
}
#endif
}  // namespace detail

/// One positive reaction step of every voxel (MPRK22, or Patankar–Euler with order = 1).
/// Cells are processed in blocks of `reaction_block` cells of one z plane, species-major (SoA),
/// so the arithmetic vectorises across cells; a Kinetics may also provide
///     void rates_block(std::size_t cell0, int k, int n, const double* const* u,
///                      double* const* P, double* const* L) const;
/// (u[s][i], P[s][i], L[s][i] for cells cell0 + i, i < n, all in plane k) to be called once per
/// block, which lets its own arithmetic vectorise. Without it, `rates` is called per cell. The
/// result of a cell depends on that cell only, hence not on blocking, threads or SIMD path.
template <class Kinetics>
void patankar_step(FieldSet& f, const Kinetics& kin, double dt, int order = 2) {
  require_positive("dt", dt, "s");
  const std::size_t ns = kin.species();
  if (ns != f.species())
    throw invalid_argument("kinetics has " + std::to_string(ns) + " species; the field has " +
                           std::to_string(f.species()));
  if (ns > max_kinetic_species)
    throw invalid_argument("kinetics species = " + std::to_string(ns) +
                           " exceeds the maximum of " + std::to_string(max_kinetic_species));
  if (order != 1 && order != 2)
    throw invalid_argument("patankar_step.order = " + std::to_string(order) +
                           "; valid values are 1 and 2");
  const Grid& g = f.grid();
  const long P = long(g.plane());
  const long per_plane = (P + detail::reaction_block - 1) / detail::reaction_block;
  const long nblocks = per_plane * long(g.nz());
  double* ptr[max_kinetic_species];
  for (std::size_t s = 0; s < ns; ++s) ptr[s] = f.data(s);
  const bool avx2 = use_avx2();
  parallel_for(0, nblocks, long(g.size()) >= parallel_min_cells, [&](long b) {
    const long k = b / per_plane, i0 = (b % per_plane) * detail::reaction_block;
    const int n = int(std::min<long>(detail::reaction_block, P - i0));
    const std::size_t c0 = std::size_t(k * P + i0);
#if DERMASIM_AVX2_KERNELS
    if (avx2) {
      detail::patankar_block_avx2(kin, ns, ptr, c0, int(k), n, dt, order);
      return;
    }
#endif
    (void)avx2;
    detail::patankar_block_generic(kin, ns, ptr, c0, int(k), n, dt, order);
  });
}

/// The per-cell `rates` of a kinetics written as `rates_block`: a block of one cell. Use it to
/// write the kinetics once:
///     void rates(std::size_t c, int k, const double* u, double* P, double* L) const {
///       rates_from_block(*this, c, k, u, P, L);
///     }
template <class Kinetics>
void rates_from_block(const Kinetics& kin, std::size_t c, int k, const double* u, double* P,
                      double* L) {
  const double* in[max_kinetic_species];
  double *p[max_kinetic_species], *l[max_kinetic_species];
  for (std::size_t s = 0; s < kin.species(); ++s) {
    in[s] = u + s;
    p[s] = P + s;
    l[s] = L + s;
  }
  kin.rates_block(c, k, 1, in, p, l);
}

/// A kinetics seen through its per-cell `rates` only (its `rates_block` hidden): the reaction
/// step then gathers cell by cell. For tests and benchmarks of the two paths.
template <class Kinetics>
struct PerCellKinetics {
  Kinetics kin;
  std::size_t species() const { return kin.species(); }
  void rates(std::size_t c, int k, const double* u, double* P, double* L) const {
    kin.rates(c, k, u, P, L);
  }
};

/// Linear decay with a per-species rate (1/s): the simplest Kinetics, used by tests and the
/// showcase; its exact solution is u e^{−λt}.
struct LinearDecay {
  std::vector<double> rate;
  std::size_t species() const { return rate.size(); }
  void rates(std::size_t, int, const double* u, double* P, double* L) const {
    (void)u;
    for (std::size_t s = 0; s < rate.size(); ++s) {
      P[s] = 0.0;
      L[s] = rate[s];
    }
  }
  void rates_block(std::size_t, int, int n, const double* const*, double* const* P,
                   double* const* L) const {
    for (std::size_t s = 0; s < rate.size(); ++s)
      for (int i = 0; i < n; ++i) {
        P[s][i] = 0.0;
        L[s][i] = rate[s];
      }
  }
};

}  // namespace dermasim
