// benchmarks/bench_treatment.cpp — the topical module's operator (modules/topical.hpp): one
// backward-Euler solve per column for the needled and the intact-skin agent (a tridiagonal
// block bordered by the donor: two Thomas sweeps and a scalar), on an n × n patch right after
// a session with a serum on. Bytes per voxel update (compulsory traffic): the needled column
// reads and writes c and reads the channel geometry γ (24 B), the intact one reads and writes
// c (16 B): 20 B on average over the 2 updates per voxel.
#include <benchmark/benchmark.h>

#include "bench_common.hpp"
#include "dermasim/simulate.hpp"

using namespace dermasim;

namespace {

void BM_TopicalAdvance(benchmark::State& state) {
  const int n = int(state.range(0)), threads = int(state.range(1));
  ThreadScope scope(threads);
  Scenario s = Scenario::default_face();
  treatment::Topical a;
  a.duration = 10 * units::day;
  s.protocol = healing::Protocol::regular(clinical_pen(1.5e-3), 1, units::week, 11 * units::day);
  s.protocol.applications = {a};
  const Grid g(n, n, 2e-3, 2e-3, graded_z_faces(s.skin.interfaces(), 10e-6, 80e-6));
  healing::HealingModel m(g, s.skin, s.parameters, healing::HealingScheme::unsplit, s.make_modules());
  FieldSet u = m.initial_state();
  m.apply_injury(u, session_injury(s.skin, clinical_pen(1.5e-3), g, 1, 0));
  m.begin_application(u, 0);
  auto& topical = *m.modules().front();
  double t = 0;
  topical.advance(u, t, 30.0);  // warm
  for (auto _ : state) {
    t += 30.0;
    topical.advance(u, t, 30.0);
    benchmark::DoNotOptimize(u.data(0));
  }
  dsbench::report_bandwidth(state, 2.0 * double(g.size()), 20.0, threads);
  state.counters["cells"] = double(g.size());
}
BENCHMARK(BM_TopicalAdvance)
    ->ArgNames({"n", "threads"})
    ->ArgsProduct({{64, 128}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
