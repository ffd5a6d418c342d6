#include <doctest/doctest.h>

#include "../test_util.hpp"

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "dermasim/device/device.hpp"

using namespace dermasim;

using dstest::message_of;

TEST_CASE("device: roller arithmetic, 192 needles x 15 passes ~ 250 holes/cm2 (Doddaballapur 2009)") {
  Roller r;  // Dermaroller: 2 x 2 cm drum, 8 rows x 24 needles
  CHECK(r.needle_count() == 192);
  // N passes / (pi D W) = 192 * 15 / (pi * 2 cm * 2 cm) = 229.2 /cm2
  const double per_cm2 = Device(r).strikes_per_area() * 1e-4;
  CHECK(per_cm2 == doctest::Approx(192.0 * 15 / (3.14159265358979 * 4.0)).epsilon(1e-12));
  CHECK(per_cm2 == doctest::Approx(250.0).epsilon(0.10));  // the quoted figure, within 10 %
  // the generator reproduces the density exactly on a commensurate lattice
  Roller q = r;
  q.drum_diameter = 20e-3 / 3.14159265358979323846;  // circumference 20 mm -> rows 2.5 mm apart
  q.directions = 2;
  q.passes = 4;
  q.position_jitter = 0.0;
  const auto ev = q.punctures(5e-3, 5e-3, 7, 0);
  // per pass: (5 / 2.5) rows x (5 / 0.8333) needles = 12
  CHECK(ev.size() == 48);
  // on a large, incommensurate patch the mean count matches area x density within 3 %
  double total = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) total += r.punctures(10e-3, 10e-3, seed, 0).size();
  CHECK(total / 20 == doctest::Approx(Device(r).strikes_per_area() * 1e-4).epsilon(0.03));
  for (const auto& e : r.punctures(3e-3, 2e-3, 3, 1)) {
    CHECK(e.x >= 0.0);
    CHECK(e.x < 3e-3);
    CHECK(e.y >= 0.0);
    CHECK(e.y < 2e-3);
    CHECK(e.t >= 0.0);
    CHECK(e.angle >= 0.0);
  }
  // 540-needle home drum is denser per pass
  CHECK(home_roller(0.5e-3, 540).strikes_per_area_per_pass() >
        home_roller(0.5e-3, 192).strikes_per_area_per_pass());
  // rows in contact grow with needle length (more needles share the hand force)
  CHECK(r.rows_in_contact(2.5e-3) >= r.rows_in_contact(0.25e-3));
  CHECK(clinical_roller(2.5e-3).loading().force_per_needle <=
        clinical_roller(0.5e-3).loading().force_per_needle);
}

TEST_CASE("device: pen and stamp arithmetic") {
  Pen p = clinical_pen(1.5e-3, 12);
  // 12 needles at 100 Hz, hand 0.15 m/s, tracks 3 x 0.8 mm apart: 333.3 /cm2 per pass
  CHECK(p.strikes_per_area_per_pass() * 1e-4 == doctest::Approx(12 * 100 / (15.0 * 0.24)));
  double total = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) total += p.punctures(6e-3, 6e-3, seed, 0).size();
  CHECK(total / 20 / 0.36 == doctest::Approx(p.strikes_per_area_per_pass() * 1e-4).epsilon(0.05));
  for (int n : {12, 16, 36}) CHECK(clinical_pen(1e-3, n).layout().size() == std::size_t(n));
  Pen p2 = p;
  p2.passes = 3;
  CHECK(Device(p2).strikes_per_area() == doctest::Approx(3 * Device(p).strikes_per_area()));

  Stamp s;
  s.pitch = 0.5e-3;
  s.presses = 3;
  // 1 / pitch^2 per press; 2 x 2 mm patch holds exactly 16 needles per press
  CHECK(s.punctures(2e-3, 2e-3, 5, 0).size() == 48);
  CHECK(Device(s).strikes_per_area() * 1e-4 == doctest::Approx(3 * 400.0));
}

TEST_CASE("device: patterns are reproducible for a seed and differ between sessions") {
  for (const Device& d : {Device(home_roller(0.5e-3)), Device(clinical_pen(1e-3)), Device(Stamp{})}) {
    CAPTURE(d.kind_name());
    const auto a = d.punctures(2e-3, 2e-3, 42, 1);
    const auto b = d.punctures(2e-3, 2e-3, 42, 1);
    const auto c = d.punctures(2e-3, 2e-3, 42, 2);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].x == b[i].x);
      CHECK(a[i].y == b[i].y);
      CHECK(a[i].t == b[i].t);
      CHECK(a[i].angle == b[i].angle);
    }
    bool differs = a.size() != c.size();
    for (std::size_t i = 0; !differs && i < a.size(); ++i) differs = a[i].x != c[i].x;
    CHECK(differs);
  }
}

TEST_CASE("device: bad input names the parameter and the valid range") {
  auto m = message_of([] { clinical_pen(3.0e-3); });
  CHECK(m.find("device.depth = 0.003 m") != std::string::npos);
  CHECK(m.find("[0.00025, 0.0025] m") != std::string::npos);
  m = message_of([] { clinical_pen(1e-3, 0); });
  CHECK(m.find("device.needles = 0") != std::string::npos);
  CHECK(m.find("[1, 100]") != std::string::npos);
  Roller r;
  r.needles_per_row = 0;
  m = message_of([&] { Device(r).loading(); });
  CHECK(m.find("device.needles_per_row = 0") != std::string::npos);
  r = Roller{};
  r.needle.length = -0.5e-3;
  m = message_of([&] { r.punctures(1e-3, 1e-3, 1, 0); });
  CHECK(m.find("device.needle.length = -0.0005 m") != std::string::npos);
  CHECK(m.find("valid range") != std::string::npos);
  r.needle.length = std::numeric_limits<double>::quiet_NaN();
  m = message_of([&] { r.validate(); });
  CHECK(m.find("device.needle.length = nan") != std::string::npos);
  m = message_of([] { home_roller(0.5e-3, 100); });
  CHECK(m.find("192 or 540") != std::string::npos);
  m = message_of([] { Roller{}.punctures(-1e-3, 1e-3, 1, 0); });
  CHECK(m.find("patch.lx") != std::string::npos);
  Stamp s;
  s.rows = 0;
  m = message_of([&] { s.validate(); });
  CHECK(m.find("device.rows = 0") != std::string::npos);
}
