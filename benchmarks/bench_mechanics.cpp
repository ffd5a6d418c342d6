// Penetration mechanics: per-needle insertion model over 10^4 puncture events (needles/s).
#include <benchmark/benchmark.h>

#include "dermasim/mechanics/penetration.hpp"

using namespace dermasim;

// Penetration of 10^4 needles (issue 13: <= 10 ms on one core), for each drive: the pen
// (stroke), a hand-pressed stamp (force) and an impact applicator (energy).
static Device bench_device(int kind) {
  if (kind == 0) return Device(clinical_pen(1.5e-3));
  if (kind == 1) {
    Stamp s;
    s.rows = s.cols = 11;
    s.needle = Needle{600e-6, 300e-6, 2.5e-6, 0.0, NeedleShape::cone};
    s.applied_force = 20.0;
    return Device(s);
  }
  return Device(Applicator{});
}
static void BM_PenetrateEvents(benchmark::State& state) {
  const auto skin = skin_preset("face");
  const Device dev = bench_device(static_cast<int>(state.range(1)));
  std::vector<PunctureEvent> ev(static_cast<std::size_t>(state.range(0)));
  for (std::size_t i = 0; i < ev.size(); ++i) ev[i].angle = 0.01 * double(i % 7);
  for (auto _ : state) {
    auto r = penetrate_events(skin, dev, ev, 1, 0);
    benchmark::DoNotOptimize(r.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetLabel(dev.loading().drive == Drive::stroke ? "needles, pen (stroke)"
                 : dev.loading().drive == Drive::force ? "needles, stamp (force)" : "needles, applicator (energy)");
}
BENCHMARK(BM_PenetrateEvents)->ArgNames({"n", "drive"})->Args({10000, 0})->Args({10000, 1})->Args({10000, 2})
    ->Unit(benchmark::kMillisecond);

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
