// Penetration mechanics: per-needle insertion model over 10^4 puncture events (needles/s).
#include <benchmark/benchmark.h>

#include "dermasim/mechanics/penetration.hpp"

using namespace dermasim;

static void BM_PenetrateEvents(benchmark::State& state) {
  const auto skin = skin_preset("face");
  const Device dev(clinical_pen(1.5e-3));
  std::vector<PunctureEvent> ev(static_cast<std::size_t>(state.range(0)));
  for (std::size_t i = 0; i < ev.size(); ++i) ev[i].angle = 0.01 * double(i % 7);
  for (auto _ : state) {
    auto r = penetrate_events(skin, dev, ev, 1, 0);
    benchmark::DoNotOptimize(r.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetLabel("needles");
}
BENCHMARK(BM_PenetrateEvents)->Arg(10000)->Unit(benchmark::kMillisecond);

static void BM_RollerPattern(benchmark::State& state) {
  const Roller r = clinical_roller(1.5e-3);
  std::size_t n = 0;
  for (auto _ : state) {
    auto ev = r.punctures(20e-3, 20e-3, 3, 0);  // a 2 x 2 cm patch, 15 passes (~920 strikes)
    n = ev.size();
    benchmark::DoNotOptimize(ev.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.SetLabel("puncture events");
}
BENCHMARK(BM_RollerPattern)->Unit(benchmark::kMillisecond);
