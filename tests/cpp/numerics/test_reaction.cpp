#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>

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
