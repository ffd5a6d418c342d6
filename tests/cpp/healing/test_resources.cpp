// Run resources (issue 15): memory estimate, fixed-step and thread limits, wall-clock
// observers, and the thread governor under a competing process.
#include <doctest/doctest.h>

#include <cstring>

#include "common.hpp"
#include "dermasim/resources.hpp"
// after dermasim's headers: <signal.h> defines si_* macros
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace dermasim;

namespace {
Scenario small_2d() {
  Scenario s = Scenario::regular(clinical_pen(1.5e-3), 2, 1 * units::day, 1 * units::day);
  s.numerics.dimension = 2;
  s.numerics.lateral_spacing = 40e-6;  // 50 x 53 cells: above parallel_min_cells
  return s;
}
struct BusyChild {  // another process keeping one core busy
  pid_t pid = fork();
  BusyChild() {
    if (pid == 0) {
      volatile unsigned long x = 0;
      for (;;) x = x + 1;
    }
    usleep(100000);
  }
  ~BusyChild() {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
};
bool same_bits(const Result& a, const Result& b) {
  if (a.snapshots.size() != b.snapshots.size() || a.info.accepted_steps != b.info.accepted_steps) return false;
  for (std::size_t k = 0; k < a.snapshots.size(); ++k)
    for (std::size_t sp = 0; sp < a.snapshots[k].fields.species(); ++sp)
      if (std::memcmp(a.snapshots[k].fields.data(sp), b.snapshots[k].fields.data(sp),
                      a.snapshots[k].fields.cells() * sizeof(double)) != 0)
        return false;
  return a.series.at("collagen_PD") == b.series.at("collagen_PD");
}
}  // namespace

TEST_CASE("resources: the memory estimate refuses what does not fit, naming the parameters") {
  Scenario s;
  s.numerics.dimension = 3;
  s.numerics.lateral_spacing = 1e-6;
  const MemoryEstimate m = estimate_memory(s);
  CHECK(m.nx == 2000);
  CHECK(m.ny == 2000);
  CHECK(m.bytes > 1e11);
  CHECK_THROWS_WITH_AS(check_memory(s, 2, false, 24e9), doctest::Contains("numerics.lateral_spacing"), invalid_argument);
  CHECK_THROWS_WITH_AS(simulate(s, {}, [] { SimulateOptions o; o.max_memory = 24e9; return o; }()),
                       doctest::Contains("more than the 24.0 GB allowed"), invalid_argument);
  // monotone in what drives it
  Scenario f = s;
  f.numerics.lateral_spacing = 20e-6;
  CHECK(estimate_memory(f).bytes < m.bytes);
  CHECK(estimate_memory(f, 10).bytes > estimate_memory(f, 2).bytes);
  CHECK(estimate_memory(f, 2, true).bytes > estimate_memory(f, 2, false).bytes);
  CHECK_NOTHROW(check_memory(Scenario{}, 2, false, 1e9));  // the default 1D run
}

TEST_CASE("resources: fixed steps and threads are bounded before a run starts") {
  Scenario s;
  s.numerics.adaptive = false;
  s.numerics.dt_initial = 1e-3;
  CHECK_THROWS_WITH_AS(simulate(s), doctest::Contains("numerics.dt_initial"), invalid_argument);
  SimulateOptions o;
  o.threads = 100000;
  CHECK_THROWS_WITH_AS(simulate(Scenario{}, {}, o), doctest::Contains("threads: 100000 is out of range"), invalid_argument);
}

TEST_CASE("resources: a wall-clock observer fires at step ends of a microsecond-step run and changes no bit") {
  Scenario s = Scenario::regular(clinical_pen(1.5e-3), 1, units::day, 0.05 * units::hour);
  s.numerics.adaptive = false;
  s.numerics.dt_initial = 1e-3;  // 180 000 steps
  int calls = 0;
  CallbackObserver wall(Schedule::wall(0.01), [&](double, const FieldSet&, const StepStats&) {
    ++calls;
    return true;
  });
  CHECK(wall.at_step_end());
  SimulateOptions o;
  o.snapshot_times = {s.protocol.end_time()};
  const Result a = simulate(s, {&wall}, o);
  const Result b = simulate(s, {}, o);
  CHECK(calls > 0);
  CHECK(same_bits(a, b));
  // and it can stop such a run
  CallbackObserver stop(Schedule::wall(0.01), [](double, const FieldSet&, const StepStats&) { return false; });
  const Result c = simulate(s, {&stop}, o);
  CHECK_FALSE(c.info.completed);
}

TEST_CASE("resources: the thread governor leaves busy cores, and the results keep their bits") {
  if (processors() < 2) return;
  BusyChild busy;
  {
    ThreadScope two(2);
    ThreadGovernor g(2);
    usleep(200000);
    CHECK(g.update() == 1);  // one of the two cores is taken
  }
  Scenario s = small_2d();
  SimulateOptions o1, o2;
  o1.threads = 1;
  o1.adapt_threads = false;
  o2.threads = 2;  // governed: runs on fewer threads while the child spins
  o1.snapshot_times = o2.snapshot_times = {s.protocol.end_time()};
  const Result a = simulate(s, {}, o1), b = simulate(s, {}, o2);
  CHECK(same_bits(a, b));
}
