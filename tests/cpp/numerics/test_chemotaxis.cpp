#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "dermasim/core/parallel.hpp"
#include "dermasim/core/rng.hpp"
#include "dermasim/numerics/chemotaxis.hpp"

using namespace dermasim;

namespace {
FieldSet steep_setup(const Grid& g) {
  FieldSet f(g, {"n", "c"});
  Philox rng(11);
  for (int k = 0; k < g.nz(); ++k)
    for (int j = 0; j < g.ny(); ++j)
      for (int i = 0; i < g.nx(); ++i) {
        const std::size_t id = g.index(i, j, k);
        // random cells with empty patches; attractant a step function (steepest gradient)
        f[0][id] = (rng.uniform(0, id) < 0.3) ? 0.0 : rng.uniform(1, id);
        f[1][id] = (i > g.nx() / 2 && k > g.nz() / 3) ? 100.0 : 0.0;
      }
  return f;
}
}  // namespace

TEST_CASE("chemotaxis: positive and conservative on steep gradients, sub-stepped under CFL") {
  Grid g(24, 8, 1e-3, 0.4e-3, graded_z_faces({0.2e-3, 1e-3}, 10e-6, 60e-6));
  FieldSet f = steep_setup(g);
  ChemotaxisSpec s;
  s.cells = 0;
  s.attractant = 1;
  s.chi0.assign(g.nz(), 1e-9);
  s.K = 1.0;
  ChemotaxisOperator op(g, {s});
  const double m0 = f.integral(0);
  for (int n = 0; n < 20; ++n) op.step(f, 3600.0);  // large steps: the operator sub-steps
  double mn = 1;
  for (double v : f[0]) mn = std::min(mn, v);
  CHECK(mn >= 0.0);
  CHECK(op.substeps_taken() > 20);
  CHECK(std::fabs(f.integral(0) - m0) / m0 < 1e-12);
  // cells moved up the gradient: more cells where c is high than before
  FieldSet f0 = steep_setup(g);
  double before = 0, after = 0;
  for (std::size_t c = 0; c < g.size(); ++c)
    if (f0[1][c] > 0) {
      before += f0[0][c];
      after += f[0][c];
    }
  CHECK(after > before);
}

TEST_CASE("chemotaxis: a blocking layer (chi0 = 0) stops cells crossing it") {
  Grid g = Grid::uniform(1, 1, 20, 1e-3, 1e-3, 1e-3);
  FieldSet f(g, {"n", "c"});
  for (int k = 0; k < 20; ++k) {
    f[0][k] = k >= 10 ? 1.0 : 0.0;
    f[1][k] = 20.0 - k;  // attractant higher at the top
  }
  ChemotaxisSpec s{0, 1, std::vector<double>(20, 1e-9), 1.0};
  for (int k = 0; k < 5; ++k) s.chi0[k] = 0.0;  // "epidermis"
  ChemotaxisOperator op(g, {s});
  for (int n = 0; n < 100; ++n) op.step(f, 3600.0);
  for (int k = 0; k < 5; ++k) CHECK(f[0][k] == 0.0);
  CHECK(f[0][5] > 0.0);
}

TEST_CASE("chemotaxis: bitwise identical on 1 and 2 threads; bad input") {
  Grid g(16, 16, 1e-3, 1e-3, graded_z_faces({0.5e-3}, 20e-6, 50e-6));
  auto run = [&](int t) {
    ThreadScope ts(t);
    FieldSet f = steep_setup(g);
    ChemotaxisOperator op(g, {ChemotaxisSpec{0, 1, std::vector<double>(g.nz(), 1e-9), 2.0}});
    for (int n = 0; n < 3; ++n) op.step(f, 600.0);
    return f;
  };
  FieldSet a = run(1), b = run(2);
  CHECK(std::memcmp(a.data(0), b.data(0), g.size() * 8) == 0);
  CHECK_THROWS_WITH_AS(ChemotaxisOperator(g, {ChemotaxisSpec{0, 1, {1.0}, 1.0}}),
                       doctest::Contains("chi0"), invalid_argument);
  CHECK_THROWS_WITH_AS(
      ChemotaxisOperator(g, {ChemotaxisSpec{0, 1, std::vector<double>(g.nz(), 1e-9), 0.0}}),
      doctest::Contains("chemotaxis[0].K"), invalid_argument);
}
