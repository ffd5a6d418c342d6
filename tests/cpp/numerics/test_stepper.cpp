#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include "common.hpp"
#include "dermasim/core/parallel.hpp"
#include "dermasim/numerics/splitting.hpp"
#include "dermasim/numerics/stepper.hpp"

using namespace dermasim;
using namespace dstest;

namespace {
struct Decay2 {  // u' = −k u (species 0) with production into species 1
  double k;
  std::size_t species() const { return 2; }
  void rates(std::size_t, int, const double* u, double* P, double* L) const {
    P[0] = 0;
    L[0] = k;
    P[1] = k * u[0];
    L[1] = 0;
  }
};
}  // namespace

TEST_CASE("stepper: Strang splitting of reaction + diffusion converges at second order") {
  Grid g = Grid::uniform(1, 1, 40, 1, 1, 1e-3);
  const double D = 1e-10, k = 1e-4;
  auto run = [&](int n) {
    FieldSet f(g, {"a", "b"});
    fill_gaussian(f, 0, 0, 0, 0.5e-3, D, 3600, 0);
    DiffusionSpec sa = uniform_spec(g, D), sb = uniform_spec(g, 0.5 * D);
    auto diff = std::make_shared<DiffusionOperator>(
        DiffusionSolver(g, {sa, sb}, TimeScheme::crank_nicolson_strang));
    auto reac = std::make_shared<ReactionOperator<Decay2>>(Decay2{k});
    StrangSplitting split({reac, diff});
    for (int i = 0; i < n; ++i) split.step(f, 0, 36000.0 / n);
    return f;
  };
  FieldSet ref = run(2048);
  const double e1 = rel_l2_diff(run(16), ref, 1), e2 = rel_l2_diff(run(32), ref, 1);
  std::printf("  Strang splitting order: %.2f\n", std::log2(e1 / e2));
  CHECK(std::log2(e1 / e2) > 1.8);
}

TEST_CASE("stepper: adaptive control meets the tolerance, counts rejections, lands on observers") {
  Grid g = Grid::uniform(1, 1, 1, 1, 1, 1);
  FieldSet f(g, {"a", "b"});
  f[0][0] = 1.0;
  const double k = 1e-3;
  auto reac = std::make_shared<ReactionOperator<Decay2>>(Decay2{k});
  StrangSplitting split({reac});
  StepperOptions opt;
  opt.rtol = 1e-6;
  opt.atol = {1e-10, 1e-10};
  opt.dt_initial = 5000.0;  // far too large: must be rejected
  opt.dt_max = 1e5;
  TimeStepper st([&](FieldSet& u, double t, double dt) { split.step(u, t, dt); }, 2, opt);
  std::vector<double> seen;
  CallbackObserver obs(Schedule::at({100.0, 1234.5, 5000.0}),
                       [&](double t, const FieldSet&, const StepStats&) {
                         seen.push_back(t);
                         return true;
                       });
  std::vector<Observer*> obsl{&obs};
  const double tend = st.advance(f, 0.0, 5000.0, obsl);
  CHECK(tend == 5000.0);
  CHECK(st.stats().rejected >= 1);
  CHECK(st.stats().accepted > 5);
  REQUIRE(seen.size() == 3);
  CHECK(seen[0] == 100.0);
  CHECK(seen[1] == 1234.5);
  CHECK(seen[2] == 5000.0);
  const double exact = std::exp(-k * 5000.0);
  // global error accumulates over the steps: allow 1e3 × rtol
  CHECK(std::fabs(f[0][0] - exact) / exact < 1e-3);
  // the rate-form Patankar scheme conserves A + B only to the tolerance
  CHECK(std::fabs(f[0][0] + f[1][0] - 1.0) < 1e-3);
  // tighter tolerance -> smaller error (the controller responds)
  FieldSet f2(g, {"a", "b"});
  f2[0][0] = 1.0;
  opt.rtol = 1e-9;
  TimeStepper st2([&](FieldSet& u, double t, double dt) { split.step(u, t, dt); }, 2, opt);
  st2.advance(f2, 0.0, 5000.0);
  CHECK(std::fabs(f2[0][0] - exact) < std::fabs(f[0][0] - exact));
  CHECK(st2.stats().accepted > st.stats().accepted);
}

TEST_CASE("stepper: an observer returning false stops the run cleanly") {
  Grid g = Grid::uniform(1, 1, 1, 1, 1, 1);
  FieldSet f(g, {"a", "b"});
  auto reac = std::make_shared<ReactionOperator<Decay2>>(Decay2{1e-3});
  StrangSplitting split({reac});
  TimeStepper st([&](FieldSet& u, double t, double dt) { split.step(u, t, dt); }, 2);
  CallbackObserver stop(Schedule::fixed(100.0),
                        [](double t, const FieldSet&, const StepStats&) { return t < 300.0; });
  std::vector<Observer*> ol{&stop};
  CHECK(st.advance(f, 0.0, 1e4, ol) == doctest::Approx(300.0));
}

TEST_CASE("stepper: bad options name the parameter") {
  StepperOptions o;
  o.rtol = -1;
  CHECK_THROWS_WITH_AS(o.validate(), doctest::Contains("numerics.rtol"), invalid_argument);
  o = {};
  o.dt_min = 10;
  o.dt_max = 1;
  CHECK_THROWS_WITH_AS(o.validate(), doctest::Contains("dt_min"), invalid_argument);
  o = {};
  o.dt_initial = std::nan("");
  CHECK_THROWS_AS(o.validate(), invalid_argument);
}
