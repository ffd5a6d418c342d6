#pragma once
#include <cmath>
#include <vector>

#include "dermasim/core/field.hpp"
#include "dermasim/numerics/diffusion.hpp"

namespace dstest {
using namespace dermasim;

inline DiffusionSpec uniform_spec(const Grid& g, double D, double decay = 0.0) {
  DiffusionSpec s;
  s.D.assign(g.nz(), D);
  s.decay = decay;
  return s;
}

/// Gaussian pulse of unit mass centred at (x0, y0, z0) after spreading time t (σ² = 2 D t in
/// each active direction), times exp(−λ t): the Green's function of the box, including the
/// images of the lateral boundaries (periodic or mirror) and of zero-flux z faces.
inline double gaussian(const Grid& g, int i, int j, int k, double x0, double y0, double z0,
                       double D, double t, double lambda) {
  const double s2 = 2.0 * D * t;
  double v = std::exp(-lambda * t);
  auto g1 = [&](double d) { return std::exp(-d * d / (2 * s2)) / std::sqrt(2 * M_PI * s2); };
  auto periodic = [&](double x, double x0_, double L) {
    double s = 0;
    for (int m = -3; m <= 3; ++m) s += g1(x - x0_ + m * L);
    return s;
  };
  auto mirror = [&](double x, double x0_, double L) {
    double s = 0;
    for (int m = -3; m <= 3; ++m) s += g1(x - x0_ + 2 * m * L) + g1(x + x0_ + 2 * m * L);
    return s;
  };
  const bool per = g.lateral() == Lateral::periodic;
  if (g.nx() > 1) v *= per ? periodic(g.x_centre(i), x0, g.lx()) : mirror(g.x_centre(i), x0, g.lx());
  if (g.ny() > 1) v *= per ? periodic(g.y_centre(j), y0, g.ly()) : mirror(g.y_centre(j), y0, g.ly());
  if (g.nz() > 1) v *= mirror(g.z_centres()[k], z0, g.depth());
  return v;
}

inline void fill_gaussian(FieldSet& f, std::size_t s, double x0, double y0, double z0, double D,
                          double t, double lambda = 0.0) {
  const Grid& g = f.grid();
  for (int k = 0; k < g.nz(); ++k)
    for (int j = 0; j < g.ny(); ++j)
      for (int i = 0; i < g.nx(); ++i)
        f[s][g.index(i, j, k)] = gaussian(g, i, j, k, x0, y0, z0, D, t, lambda);
}

/// Relative discrete L2 error of species s against the Gaussian.
inline double rel_l2(const FieldSet& f, std::size_t s, double x0, double y0, double z0, double D,
                     double t, double lambda) {
  const Grid& g = f.grid();
  double e = 0, n = 0;
  for (int k = 0; k < g.nz(); ++k)
    for (int j = 0; j < g.ny(); ++j)
      for (int i = 0; i < g.nx(); ++i) {
        const double a = gaussian(g, i, j, k, x0, y0, z0, D, t, lambda);
        const double d = f[s][g.index(i, j, k)] - a;
        e += d * d * g.cell_volume(k);
        n += a * a * g.cell_volume(k);
      }
  return std::sqrt(e / n);
}

inline double rel_l2_diff(const FieldSet& a, const FieldSet& b, std::size_t s) {
  double e = 0, n = 0;
  const Grid& g = a.grid();
  for (int k = 0; k < g.nz(); ++k)
    for (std::size_t c = 0; c < g.plane(); ++c) {
      const std::size_t id = std::size_t(k) * g.plane() + c;
      const double d = a[s][id] - b[s][id];
      e += d * d * g.cell_volume(k);
      n += b[s][id] * b[s][id] * g.cell_volume(k);
    }
  return std::sqrt(e / n);
}
}  // namespace dstest
