// benchmarks/bench_healing.cpp — the healing model: one full split step (14 species: reaction,
// chemotaxis, diffusion with open-channel Robin top) at a few 3D grid sizes right after a
// session (inflammation active), and a whole session + 4 weeks in 1D, 2D and 3D.
// Reports voxel-species updates per second (items_per_second) for the step benchmarks.
#include <benchmark/benchmark.h>

#include "dermasim/simulate.hpp"

using namespace dermasim;

namespace {

void BM_HealingStep(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Scenario s = Scenario::default_face();
  const Grid g(n, n, 2e-3, 2e-3, graded_z_faces(s.skin.interfaces(), 10e-6, 80e-6));
  healing::HealingModel m(g, s.skin, s.parameters);
  FieldSet u = m.initial_state();
  m.apply_injury(u, session_injury(s.skin, clinical_pen(1.5e-3), g, 1, 0));
  for (int i = 0; i < 20; ++i) m.step(u, 60.0);  // inflammation under way
  for (auto _ : state) {
    m.step(u, 60.0);
    benchmark::DoNotOptimize(u.data(0));
  }
  state.SetItemsProcessed(state.iterations() * std::int64_t(g.size()) * healing::n_species);
  state.counters["cells"] = double(g.size());
}
BENCHMARK(BM_HealingStep)->Arg(1)->Arg(16)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);

void BM_HealingSession(benchmark::State& state) {
  const int dim = static_cast<int>(state.range(0));
  Scenario s = Scenario::regular(clinical_pen(1.5e-3), 1, 4 * units::week, 4 * units::week);
  s.numerics.dimension = dim;
  s.numerics.lateral_spacing = dim == 3 ? 250e-6 : 40e-6;
  long steps = 0;
  for (auto _ : state) {
    const Result r = simulate(s);
    steps = r.info.accepted_steps;
    benchmark::DoNotOptimize(r.times.data());
  }
  state.counters["steps"] = double(steps);
}
BENCHMARK(BM_HealingSession)->Arg(1)->Arg(2)->Arg(3)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
