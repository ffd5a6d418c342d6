// Injury field: rasterisation of needle channels (voxels/s) and a full session (pattern ->
// penetration -> field) on a 2 x 2 mm patch of face skin.
#include <benchmark/benchmark.h>

#include "dermasim/injury/session.hpp"

using namespace dermasim;

static void BM_Rasterise(benchmark::State& state) {
  const auto skin = skin_preset("face");
  const int n = static_cast<int>(state.range(0));
  const Grid g = skin_grid(skin, 2e-3, 2e-3, n, n, 5e-6, 50e-6);
  const Device dev(clinical_pen(1.5e-3));
  Pen p = *dev.pen();
  p.passes = 4;  // ~50 channels on the patch
  const auto ev = p.punctures(g.lx(), g.ly(), 1, 0);
  const auto ch = to_channels(ev, penetrate_events(skin, Device(p), ev, 1, 0));
  for (auto _ : state) {
    auto f = rasterise(ch, skin, g, ev.size());
    benchmark::DoNotOptimize(f.damage.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(g.size()));
  state.counters["channels"] = static_cast<double>(ch.size());
  state.SetLabel("voxels");
}
BENCHMARK(BM_Rasterise)->Arg(64)->Arg(128)->Unit(benchmark::kMillisecond);

static void BM_SessionInjury(benchmark::State& state) {
  const auto skin = skin_preset("face");
  const Grid g = skin_grid(skin, 2e-3, 2e-3, 64, 64, 5e-6, 50e-6);
  const Device dev(clinical_pen(1.5e-3));
  std::uint64_t s = 0;
  for (auto _ : state) {
    auto f = session_injury(skin, dev, g, 7, s++);
    benchmark::DoNotOptimize(f.damage.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(g.size()));
  state.SetLabel("voxels");
}
BENCHMARK(BM_SessionInjury)->Unit(benchmark::kMillisecond);
