#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "dermasim/core/parallel.hpp"
#include "dermasim/core/simd.hpp"

#include "dermasim/numerics/reaction.hpp"

using namespace dermasim;

namespace {
// Logistic growth with decay, u' = r u (1 − u) − d u  →  P = r u, L = r u + d  (production–loss)
struct Logistic {
  double r = 2.0, d = 0.5;
  std::size_t species() const { return 1; }
  void rates(std::size_t, int, const double* u, double* P, double* L) const {
    P[0] = r * u[0];
    L[0] = r * u[0] + d;
  }
};
// Stiff conversion A → B at rate k (B produced as A is lost): conserves A + B.
struct Conversion {
  double k;
  std::size_t species() const { return 2; }
  void rates(std::size_t, int, const double* u, double* P, double* L) const {
    P[0] = 0.0;
    L[0] = k;
    P[1] = k * u[0];
    L[1] = 0.0;
  }
};
// Two coupled species with saturating cross-production, written once as a block kernel; the
// per-cell view below sees the same arithmetic through `rates` only.
struct Coupled {
  std::size_t species() const { return 2; }
  void rates_block(std::size_t, int k, int n, const double* const* u, double* const* P,
                   double* const* L) const {
    const double layer = k == 0 ? 2.0 : 1.0;
    for (int i = 0; i < n; ++i) {
      P[0][i] = layer * 0.3 * u[1][i] / (0.5 + u[1][i]);
      L[0][i] = 0.2 + 0.1 * u[1][i];
      P[1][i] = 0.4 * u[0][i] / (1.0 + u[0][i]);
      L[1][i] = 0.05;
    }
  }
  void rates(std::size_t c, int k, const double* u, double* P, double* L) const {
    rates_from_block(*this, c, k, u, P, L);
  }
};
using CoupledPerCell = PerCellKinetics<Coupled>;
double logistic_exact(double u0, double r, double d, double t) {
  const double a = r - d;  // u' = a u − r u²
  return a * u0 / (r * u0 + (a - r * u0) * std::exp(-a * t));
}
}  // namespace

TEST_CASE("reaction: modified Patankar is second order (and Patankar–Euler first order)") {
  Grid g = Grid::uniform(1, 1, 1, 1, 1, 1);
  Logistic kin;
  const double T = 2.0, u0 = 0.05, exact = logistic_exact(u0, kin.r, kin.d, T);
  for (int order : {1, 2}) {
    std::vector<double> err;
    for (int n : {20, 40, 80}) {
      FieldSet f(g, {"u"}, u0);
      for (int i = 0; i < n; ++i) patankar_step(f, kin, T / n, order);
      err.push_back(std::fabs(f[0][0] - exact));
    }
    const double p = std::log2(err[1] / err[2]);
    std::printf("  Patankar order %d: errors %.2e %.2e %.2e, observed %.2f\n", order, err[0],
                err[1], err[2], p);
    CHECK(std::fabs(p - order) < 0.2);
  }
}

TEST_CASE("reaction: unconditionally positive for stiff rates and huge steps") {
  Grid g = Grid::uniform(4, 1, 1, 1, 1, 1);
  FieldSet f(g, {"A", "B"}, 1.0);
  Conversion kin{1e6};
  for (int i = 0; i < 10; ++i) patankar_step(f, kin, 1e3);
  for (std::size_t c = 0; c < g.size(); ++c) {
    CHECK(f[0][c] >= 0.0);
    CHECK(f[1][c] >= 0.0);
    CHECK(f[0][c] < 1e-20);
  }
  // Linear decay matches exp to second order and never goes negative
  FieldSet d(g, {"u"}, 1.0);
  LinearDecay ld{{0.3}};
  patankar_step(d, ld, 1e-3);
  CHECK(d[0][0] == doctest::Approx(std::exp(-0.3e-3)).epsilon(1e-10));
  patankar_step(d, ld, 1e6);
  CHECK(d[0][0] >= 0.0);
}

TEST_CASE("reaction: bad input") {
  Grid g = Grid::uniform(1, 1, 1, 1, 1, 1);
  FieldSet f(g, {"u"});
  Logistic kin;
  CHECK_THROWS_WITH_AS(patankar_step(f, kin, 0.0), doctest::Contains("dt"), invalid_argument);
  CHECK_THROWS_WITH_AS(patankar_step(f, kin, 1.0, 3), doctest::Contains("order"), invalid_argument);
  FieldSet two(g, {"a", "b"});
  CHECK_THROWS_WITH_AS(patankar_step(two, kin, 1.0), doctest::Contains("species"),
                       invalid_argument);
}

TEST_CASE("reaction: block and per-cell kinetics, SIMD paths and thread counts agree bitwise") {
  // 37 × 29 × 3 (above parallel_min_cells): planes that are not a multiple of the block, zero
  // cells (the u* = 0 branch)
  Grid g = Grid::uniform(37, 29, 3, 1, 1, 1);
  FieldSet init(g, {"a", "b"});
  for (std::size_t c = 0; c < g.size(); ++c) {
    init[0][c] = (c % 7 == 0) ? 0.0 : 0.1 + 0.01 * double(c % 13);
    init[1][c] = (c % 7 == 0) ? 0.0 : 0.5 + 0.02 * double(c % 11);
  }
  auto run = [&](auto kin, SimdPath path, int order, int threads = 1) {
    ThreadScope ts(threads);
    FieldSet f = init;
    set_simd_path(path);
    for (int i = 0; i < 3; ++i) patankar_step(f, kin, 2.5, order);
    set_simd_path(SimdPath::automatic);
    return f;
  };
  for (int order : {1, 2}) {
    const FieldSet ref = run(CoupledPerCell{}, SimdPath::generic, order);
    for (auto path : {SimdPath::generic, SimdPath::avx2, SimdPath::automatic}) {
      const FieldSet a = run(Coupled{}, path, order);
      const FieldSet b = run(CoupledPerCell{}, path, order);
      const FieldSet two = run(Coupled{}, path, order, 2);
      for (std::size_t s = 0; s < 2; ++s) {
        CHECK(std::memcmp(a.data(s), ref.data(s), g.size() * sizeof(double)) == 0);
        CHECK(std::memcmp(b.data(s), ref.data(s), g.size() * sizeof(double)) == 0);
        CHECK(std::memcmp(two.data(s), ref.data(s), g.size() * sizeof(double)) == 0);
      }
    }
    // zero cells: u = 0 and P(0) = 0 for species a only where b = 0 too, so they stay 0
    CHECK(ref[0][0] == 0.0);
    CHECK(ref[1][0] == 0.0);
  }
  // order 2 matches the scalar MPRK22 formula of the header, cell by cell (to rounding: the
  // kernel multiplies stage 2 through by u*)
  const FieldSet f = run(Coupled{}, SimdPath::automatic, 2);
  FieldSet one = init;
  const double dt = 2.5;
  Coupled kin;
  for (std::size_t c = 0; c < g.size(); ++c) {
    const int k = int(c / g.plane());
    double u[2] = {init[0][c], init[1][c]};
    for (int it = 0; it < 3; ++it) {
      double P0[2], L0[2], P1[2], L1[2], us[2];
      kin.rates(c, k, u, P0, L0);
      for (int s = 0; s < 2; ++s) us[s] = (u[s] + dt * P0[s]) / (1.0 + dt * L0[s]);
      kin.rates(c, k, us, P1, L1);
      for (int s = 0; s < 2; ++s)
        u[s] = us[s] > 0.0
                   ? (u[s] + 0.5 * dt * (P0[s] + P1[s])) /
                         (1.0 + 0.5 * dt * (L0[s] * u[s] + L1[s] * us[s]) / us[s])
                   : (u[s] + 0.5 * dt * (P0[s] + P1[s])) / (1.0 + 0.5 * dt * (L0[s] + L1[s]));
    }
    for (int s = 0; s < 2; ++s) CHECK(f[s][c] == doctest::Approx(u[s]).epsilon(1e-14));
  }
  INFO("SIMD path: " << simd_path_name());
}
