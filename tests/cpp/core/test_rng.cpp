#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "dermasim/core/rng.hpp"

using namespace dermasim;

TEST_CASE("rng: Philox4x32-10 matches the Random123 known-answer vector") {
  // Random123 kat_vectors: philox4x32 10 rounds, ctr = {0,0,0,0}, key = {0,0}
  // -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8
  Philox p(0);
  auto b = p.bits(0, 0);
  CHECK(b[0] == 0x6627e8d5u);
  CHECK(b[1] == 0xe169c58du);
  CHECK(b[2] == 0xbc57ac4cu);
  CHECK(b[3] == 0x9b00dbd8u);
}

TEST_CASE("rng: counter-based draws are pure functions with sane statistics") {
  Philox a(42), b(42), c(43);
  CHECK(a.uniform(3, 17) == b.uniform(3, 17));
  CHECK(a.uniform(3, 17) != c.uniform(3, 17));
  CHECK(a.uniform(3, 17) != a.uniform(4, 17));
  const int n = 200000;
  double m = 0, m2 = 0, zm = 0, z2 = 0;
  for (int i = 0; i < n; ++i) {
    double u = a.uniform(1, i);
    CHECK_UNARY(u >= 0.0);
    CHECK_UNARY(u < 1.0);
    m += u;
    m2 += u * u;
    double z = a.normal(2, i);
    zm += z;
    z2 += z * z;
  }
  m /= n;
  m2 /= n;
  zm /= n;
  z2 /= n;
  // 5-sigma bounds for the sample moments
  CHECK(std::fabs(m - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
  CHECK(std::fabs(m2 - m * m - 1.0 / 12) < 5e-3 / 3);
  CHECK(std::fabs(zm) < 5 / std::sqrt(double(n)));
  CHECK(std::fabs(z2 - 1.0) < 5 * std::sqrt(2.0 / n));
}
