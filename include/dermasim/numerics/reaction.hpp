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
// `rates` must be a pure function of its arguments (thread safety and reproducibility).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/field.hpp"
#include "dermasim/core/parallel.hpp"

namespace dermasim {

/// Maximum number of species a pointwise kinetics may couple (stack buffers, no allocation).
inline constexpr std::size_t max_kinetic_species = 32;

// The per-voxel stack buffers are filled by Kinetics::rates for s < species(); GCC cannot see
// that through the user's functor and warns, so the warning is silenced for this function only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
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
  const std::size_t P = g.plane();
  const long n = long(g.size());
  double* ptr[max_kinetic_species];
  for (std::size_t s = 0; s < ns; ++s) ptr[s] = f.data(s);
  parallel_for(0, n, n >= parallel_min_cells, [&](long c) {
    double u[max_kinetic_species], us[max_kinetic_species];
    double P0[max_kinetic_species], L0[max_kinetic_species];
    double P1[max_kinetic_species], L1[max_kinetic_species];
    const int k = int(std::size_t(c) / P);
    for (std::size_t s = 0; s < ns; ++s) u[s] = ptr[s][c];
    kin.rates(std::size_t(c), k, u, P0, L0);
    for (std::size_t s = 0; s < ns; ++s) us[s] = (u[s] + dt * P0[s]) / (1.0 + dt * L0[s]);
    if (order == 1) {
      for (std::size_t s = 0; s < ns; ++s) ptr[s][c] = us[s];
      return;
    }
    kin.rates(std::size_t(c), k, us, P1, L1);
    for (std::size_t s = 0; s < ns; ++s) {
      const double num = u[s] + 0.5 * dt * (P0[s] + P1[s]);
      double v;
      if (us[s] > 0.0) {
        v = num / (1.0 + 0.5 * dt * (L0[s] * u[s] + L1[s] * us[s]) / us[s]);
      } else {
        // u* = 0 can only come from u = 0 and P0 = 0: no loss weight is defined; use L1 only
        v = num / (1.0 + 0.5 * dt * (L0[s] + L1[s]));
      }
      ptr[s][c] = v;
    }
  });
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

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
};

}  // namespace dermasim
