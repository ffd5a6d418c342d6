#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

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

TEST_CASE("stepper: at-step-end observers cut no steps, change no bits, and can stop the run") {
  Grid g = Grid::uniform(1, 1, 1, 1, 1, 1);
  auto reac = std::make_shared<ReactionOperator<Decay2>>(Decay2{1e-3});
  StrangSplitting split({reac});
  StepperOptions opt;
  opt.rtol = 1e-6;
  opt.atol = {1e-10, 1e-10};
  auto run = [&](std::vector<Observer*> ol, double* reached = nullptr) {
    FieldSet f(g, {"a", "b"});
    f[0][0] = 1.0;
    TimeStepper st([&](FieldSet& u, double t, double dt) { split.step(u, t, dt); }, 2, opt);
    const double t = st.advance(f, 0.0, 5000.0, ol);
    if (reached) *reached = t;
    return std::make_pair(f, st.stats().accepted);
  };
  const auto plain = run({});
  // 1000 times (more than the steps): as exact observers they would force ≥ 1000 steps
  std::vector<double> seen;
  CallbackObserver watch(Schedule::fixed(5.0), [&](double t, const FieldSet&, const StepStats&) {
    seen.push_back(t);
    return true;
  });
  watch.set_at_step_end(true);
  CHECK(watch.at_step_end());
  CHECK_FALSE(watch.interpolated());
  CHECK_FALSE(watch.exact());
  const auto with = run({&watch});
  CHECK(with.second == plain.second);
  CHECK(plain.second < 1000);
  CHECK(std::memcmp(with.first.data(0), plain.first.data(0), sizeof(double)) == 0);
  CHECK(std::memcmp(with.first.data(1), plain.first.data(1), sizeof(double)) == 0);
  // fired once per step that passed a scheduled time, at that step's end, in order
  REQUIRE(!seen.empty());
  CHECK(seen.size() <= std::size_t(plain.second));
  CHECK(seen.back() == 5000.0);
  for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i] > seen[i - 1]);
  // the same schedule as an exact observer lands on all 1000 times
  CallbackObserver exact_obs(Schedule::fixed(5.0),
                             [](double, const FieldSet&, const StepStats&) { return true; });
  CHECK(run({&exact_obs}).second >= 1000);
  // returning false stops the run at the end of that step
  CallbackObserver stop(Schedule::fixed(5.0),
                        [](double t, const FieldSet&, const StepStats&) { return t < 1000.0; });
  stop.set_at_step_end(true);
  double reached = 0.0;
  run({&stop}, &reached);
  CHECK(reached >= 1000.0);
  CHECK(reached < 5000.0);
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

TEST_CASE("deterministic_sum: same bits on 1 and 2 threads, exact on integers") {
  const long n = 100000;
  std::vector<double> x(n), part(std::size_t(n / 4096 + 2));
  std::uint64_t s = 12345;
  for (auto& v : x) {  // values spanning many magnitudes, so the order of addition matters
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    v = std::ldexp(double(s >> 11), -int(s % 40)) * ((s >> 7) % 2 ? 1 : -1);
  }
  auto body = [&](long i) { return x[std::size_t(i)]; };
  double a, b;
  {
    ThreadScope one(1);
    a = deterministic_sum(0, n, true, 4096, part.data(), body);
  }
  {
    ThreadScope two(2);
    b = deterministic_sum(0, n, true, 4096, part.data(), body);
  }
  CHECK(std::memcmp(&a, &b, sizeof a) == 0);
  const double serial = deterministic_sum(0, n, false, 4096, part.data(), body);
  CHECK(std::memcmp(&a, &serial, sizeof a) == 0);
  const double ints = deterministic_sum(0, n, true, 4096, part.data(), [](long i) { return double(i); });
  CHECK(ints == double(n) * double(n - 1) / 2);
  CHECK(deterministic_sum(5, 5, true, 4096, part.data(), body) == 0.0);
}

TEST_CASE("stepper: the RMS error norm controls a localised problem, with fewer steps than max") {
  // A Gaussian pulse on a 16³ grid diffusing and decaying: the error is concentrated in a few
  // cells, where the max norm sets the step; the RMS norm averages over the grid.
  Grid g = Grid::uniform(16, 16, 16, 1.6e-3, 1.6e-3, 1.6e-3);
  const double D = 1e-10, k = 1e-3;
  auto run = [&](ErrorNorm norm, double rtol, int threads, long* steps) {
    ThreadScope ts(threads);
    FieldSet f(g, {"a", "b"});
    fill_gaussian(f, 0, 0.8e-3, 0.8e-3, 0.8e-3, D, 100.0, 0);
    auto diff = std::make_shared<DiffusionOperator>(
        DiffusionSolver(g, {uniform_spec(g, D), uniform_spec(g, D)}, TimeScheme::crank_nicolson_strang));
    auto reac = std::make_shared<ReactionOperator<Decay2>>(Decay2{k});
    StrangSplitting split({reac, diff});
    StepperOptions opt;
    opt.norm = norm;
    opt.rtol = rtol;
    opt.atol = {1e-6, 1e-6};
    opt.dt_initial = 0.1;
    opt.dt_max = 1e3;
    TimeStepper st([&](FieldSet& u, double t, double dt) { split.step(u, t, dt); }, 2, opt);
    st.advance(f, 0.0, 2000.0);
    if (steps) *steps = st.stats().accepted;
    return f;
  };
  long n_ref = 0, n_max = 0, n_rms = 0, n_rms_tight = 0;
  const FieldSet ref = run(ErrorNorm::max, 1e-8, 1, &n_ref);
  const FieldSet fmax = run(ErrorNorm::max, 1e-3, 1, &n_max);
  const FieldSet frms = run(ErrorNorm::rms, 1e-3, 1, &n_rms);
  const FieldSet frms_tight = run(ErrorNorm::rms, 1e-5, 1, &n_rms_tight);
  const double e_max = rel_l2_diff(fmax, ref, 0), e_rms = rel_l2_diff(frms, ref, 0),
               e_tight = rel_l2_diff(frms_tight, ref, 0);
  std::printf("  RMS vs max norm: steps %ld vs %ld (rms 1e-5: %ld), rel L2 error %.2e vs %.2e (%.2e)\n",
              n_rms, n_max, n_rms_tight, e_rms, e_max, e_tight);
  CHECK(n_rms < n_max);
  CHECK(e_rms < 1e-2);
  CHECK(e_tight < e_rms);           // the controller responds to rtol
  CHECK(n_rms_tight > n_rms);
  // bitwise independent of the thread count (the grid is above parallel_min_cells)
  const FieldSet frms2 = run(ErrorNorm::rms, 1e-3, 2, nullptr);
  CHECK(std::memcmp(frms.data(0), frms2.data(0), g.size() * sizeof(double)) == 0);
  CHECK(std::memcmp(frms.data(1), frms2.data(1), g.size() * sizeof(double)) == 0);
  CHECK_THROWS_WITH_AS(parse_error_norm("l2"), doctest::Contains("numerics.error_norm"), invalid_argument);
}

TEST_CASE("stepper: Strang splitting calls function operators in symmetric order with half steps") {
  std::vector<std::pair<std::string, double>> calls;
  auto rec = [&](const char* n) {
    return std::make_shared<FunctionOperator>(n, 2, [&calls, n](FieldSet&, double, double dt) { calls.push_back({n, dt}); });
  };
  StrangSplitting split({rec("a"), rec("b"), rec("c")});
  Grid g = Grid::uniform(1, 1, 1, 1, 1, 1);
  FieldSet f(g, {"x"});
  split.step(f, 0.0, 2.0);
  const std::vector<std::pair<std::string, double>> want{{"a", 1.0}, {"b", 1.0}, {"c", 2.0}, {"b", 1.0}, {"a", 1.0}};
  CHECK(calls == want);
}
