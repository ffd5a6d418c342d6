#include <doctest/doctest.h>

#include <cmath>

#include "dermasim/core/observer.hpp"

using namespace dermasim;

TEST_CASE("schedule: fixed, geometric and list times") {
  auto f = Schedule::fixed(10.0);
  CHECK(f.next_after(0.0) == doctest::Approx(10.0));
  CHECK(f.next_after(10.0) == doctest::Approx(20.0));
  CHECK(f.next_after(15.0) == doctest::Approx(20.0));
  CHECK(f.includes(0.0));
  auto g = Schedule::geometric(1.0, 2.0);
  CHECK(g.next_after(0.0) == doctest::Approx(1.0));
  CHECK(g.next_after(1.0) == doctest::Approx(2.0));
  CHECK(g.next_after(5.0) == doctest::Approx(8.0));
  auto l = Schedule::at({5.0, 1.0, 3.0});
  CHECK(l.next_after(0.0) == 1.0);
  CHECK(l.next_after(3.0) == 5.0);
  CHECK(std::isinf(l.next_after(5.0)));
  CHECK(std::isinf(Schedule::never().next_after(0.0)));
  CHECK_THROWS_WITH_AS(Schedule::fixed(0.0), doctest::Contains("schedule.interval"),
                       invalid_argument);
  CHECK_THROWS_AS(Schedule::geometric(1.0, 1.0), invalid_argument);
}
