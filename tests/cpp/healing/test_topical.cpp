// Topical delivery (issue 16; modules/topical.hpp, docs/model.md §7): the membrane solution
// (steady flux and lag time), the mass balance, convergence, and the trends an expert checks
// (deeper needles deliver more, closed channels give back the intact-skin flux, occlusion
// keeps them open, PRP feeds the TGF-β chain).
#include <doctest/doctest.h>

#include "common.hpp"

using namespace dermasim;
using namespace htest;

namespace {
treatment::Topical app(const std::string& agent, double t, double duration) {
  treatment::Topical a;
  a.agent = treatment::agent_preset(agent);
  a.time = t;
  a.duration = duration;
  a.concentration = std::min(10.0, a.agent.solubility * a.agent.vehicle_partition);
  return a;
}

/// No needling: an SC membrane of thickness h, lag L, over a viable epidermis that clears
/// everything at once (vascular, clearance 1000/h): the permeated amount tends to J (t − L).
/// K = 0.02 keeps the donor's depletion over the run below 2e-4.
struct Membrane {
  double h = 20e-6, lag = 2 * units::hour, K = 0.02;
  double D() const { return h * h / (6 * lag); }
  double kp() const { return D() * K / h; }
  Scenario scenario(double h_min) const {
    Scenario s = column(clinical_pen(1e-3), 0, units::day, 40 * units::hour);
    s.skin.layers[int(Layer::stratum_corneum)].thickness = h;
    s.skin.layers[int(Layer::viable_epidermis)].vascular_access = 1.0;
    s.numerics.h_min = h_min;
    s.numerics.growth = 1.1;
    s.modules = {"topical"};
    s.module_parameters["topical.clearance"] = 1000.0 / units::hour;
    auto a = app("caffeine", 0.0, 40 * units::hour);
    a.agent.kp_sc = kp();
    a.agent.K_sc = K;
    a.volume = 1e-2;  // 10 mm of vehicle: an infinite dose (depletion 1e-5)
    s.protocol.applications = {a};
    return s;
  }
};

/// Least-squares line Q = J (t − L) through the permeated amount over [t0, t1].
std::pair<double, double> fit_line(const Result& r, double t0, double t1) {
  double n = 0, st = 0, sq = 0, stt = 0, stq = 0;
  for (std::size_t i = 0; i < r.times.size(); ++i) {
    const double t = r.times[i];
    if (t < t0 || t > t1) continue;
    const double q = r.series.at("delivered_skin")[i] - r.series.at("delivered_sc")[i] +
                     r.series.at("delivered_cleared")[i];
    n += 1, st += t, sq += q, stt += t * t, stq += t * q;
  }
  const double J = (n * stq - st * sq) / (n * stt - st * st);
  const double b = (sq - J * st) / n;
  return {J, -b / J};
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}
}  // namespace

TEST_CASE("topical: an SC membrane gives the steady flux J = D K c / h and the lag h^2/(6 D)") {
  const Membrane m;
  double prev_err = 1e9;
  for (double hmin : {2e-6, 1e-6}) {
    const Result r = simulate(m.scenario(hmin));
    const auto [J, L] = fit_line(r, 6 * m.lag, 20 * m.lag);
    const double J0 = m.kp() * 10.0;  // c = 10 kg/m³, aqueous vehicle
    std::printf("  h_min %.0f um: J = %.5e (exact %.5e, %+.2e), lag = %.4f h (exact %.4f h, %+.2e)\n", hmin * 1e6, J,
                J0, J / J0 - 1, L / units::hour, m.lag / units::hour, L / m.lag - 1);
    CHECK(J == doctest::Approx(J0).epsilon(1e-3));
    CHECK(L == doctest::Approx(m.lag).epsilon(1e-2));
    // the reported lag (tangent construction on the records) agrees with the fit
    REQUIRE(r.applications.size() == 1);
    CHECK(r.applications[0].lag_time == doctest::Approx(L).epsilon(3e-2));
    CHECK(r.applications[0].intact_lag_time == doctest::Approx(L).epsilon(3e-2));  // no channels here
    const double err = std::fabs(L / m.lag - 1);
    CHECK(err <= prev_err * 1.05);  // no worse on the finer grid
    prev_err = err;
  }
}

TEST_CASE("topical: mass balance applied = donor + skin + cleared + lost to 1e-10") {
  for (const char* agent : {"caffeine", "ascorbic_acid", "tretinoin", "prp"}) {
    Scenario s = column(clinical_pen(1e-3), 2, units::week, units::week);
    s.protocol.applications = {app(agent, 0.0, 30 * units::minute), app(agent, units::day, 6 * units::hour),
                               app(agent, units::week, 2 * units::hour)};
    s.protocol.applications[2].before_needling = true;
    const Result r = simulate(s);
    const double bal = max_abs(r.series.at("topical_balance_error"));
    std::printf("  %-14s worst relative balance error %.2e; into skin %.3g ug/cm2 (x%.3g intact)\n", agent, bal,
                r.applications[0].delivered / 1e-5, r.applications[0].enhancement);
    CHECK(bal < 1e-10);
    CHECK(r.series.at("topical_donor_left").back() == 0.0);  // wiped off
  }
}

TEST_CASE("topical: deeper needles deliver more; every needled skin more than intact skin") {
  double prev = 0, prev_d = 0;
  for (double len : {0.25e-3, 0.5e-3, 1.0e-3, 1.5e-3, 2.5e-3}) {
    Scenario s = column(clinical_pen(len), 1, units::week, 3 * units::day);
    s.protocol.applications = {app("caffeine", 0.0, 30 * units::minute)};
    const Result r = simulate(s);
    const auto& a = r.applications.at(0);
    std::printf("  pen %.2f mm: into skin %.4g, into dermis %.4g ug/cm2 (intact %.4g / %.4g), lag %.2f h\n", len * 1e3,
                a.delivered / 1e-5, a.delivered_dermis / 1e-5, a.intact_delivered / 1e-5,
                a.intact_delivered_dermis / 1e-5, a.lag_time / units::hour);
    CHECK(a.delivered > a.intact_delivered);
    CHECK(a.delivered_dermis >= prev_d);
    CHECK(a.delivered >= prev * (1 - 1e-9));
    prev = a.delivered;
    prev_d = a.delivered_dermis;
  }
}

TEST_CASE("topical: closed channels give back the intact-skin flux; occlusion keeps them open longer") {
  Scenario s = column(clinical_pen(1e-3), 1, units::week, 10 * units::day);
  s.protocol.applications = {app("caffeine", 7 * units::day, 6 * units::hour)};
  const Result late = simulate(s);
  const auto& a = late.applications.at(0);
  std::printf("  applied 7 days after needling: enhancement %.6f\n", a.enhancement);
  CHECK(a.enhancement == doctest::Approx(1.0).epsilon(1e-3));
  double unocc = 0;
  for (bool occ : {false, true}) {
    Scenario o = column(clinical_pen(1e-3), 1, units::week, 3 * units::day);
    o.protocol.applications = {app("caffeine", 0.0, 6 * units::hour)};
    o.protocol.applications[0].occluded = occ;
    o.protocol.applications[0].volume = 1e-2;  // 1 mL/cm2: not exhausted in 6 h
    const Result r = simulate(o);
    std::printf("  occluded %d: into skin %.4g ug/cm2, enhancement %.3g\n", int(occ),
                r.applications[0].delivered / 1e-5, r.applications[0].enhancement);
    if (!occ) unocc = r.applications[0].delivered;
    else CHECK(r.applications[0].delivered > 1.2 * unocc);
  }
}

TEST_CASE("topical: time and grid convergence of the delivered amount") {
  auto run = [](double rtol, double hmin) {
    Scenario s = column(clinical_pen(1e-3), 1, units::week, 2 * units::day);
    s.protocol.applications = {app("niacinamide", 0.0, units::hour)};
    s.numerics.rtol = rtol;
    s.numerics.h_min = hmin;
    return simulate(s).applications.at(0).in_skin_at_end;
  };
  const double ref = run(1e-6, 10e-6);
  const double e3 = std::fabs(run(1e-3, 10e-6) / ref - 1), e4 = std::fabs(run(1e-4, 10e-6) / ref - 1);
  std::printf("  in skin at the end: rel. error %.2e (rtol 1e-3), %.2e (rtol 1e-4)\n", e3, e4);
  CHECK(e4 < e3);
  CHECK(e3 < 2e-2);
  // the grid: the intact-skin column (the needled one also carries the healing model's own
  // dependence on the grid, through the channel closure)
  auto intact = [](double hmin) {
    Scenario s = column(clinical_pen(1e-3), 1, units::week, 2 * units::day);
    s.protocol.applications = {app("niacinamide", 0.0, 6 * units::hour)};
    s.numerics.rtol = 1e-5;
    s.numerics.h_min = hmin;
    s.numerics.growth = 1.05;
    return simulate(s).applications.at(0).intact_delivered;
  };
  const double g8 = intact(8e-6), g4 = intact(4e-6), g2 = intact(2e-6), g1 = intact(1e-6);
  std::printf("  intact skin, into skin over 6 h, h_min 8/4/2/1 um: %.7e %.7e %.7e %.7e\n", g8, g4, g2, g1);
  CHECK(std::fabs(g1 - g2) < std::fabs(g2 - g4));
  CHECK(std::fabs(g2 - g4) < std::fabs(g4 - g8));
}

TEST_CASE("topical: PRP feeds the TGF-beta chain, so needling + PRP makes more collagen than needling") {
  Scenario s = column(clinical_pen(1.5e-3), 1, 4 * units::week, 8 * units::week);
  const Result plain = simulate(s);
  auto a = app("prp", 0.0, 30 * units::minute);
  a.concentration = 169e-6;  // 169 ng/mL TGF-b1 (Weibrich 2002)
  a.volume = 1e-4;
  s.protocol.applications = {a};
  const Result prp = simulate(s);
  const double t = 8 * units::week;
  const double c0 = at(plain, "collagen_PD", t), c1 = at(prp, "collagen_PD", t);
  const double T0 = *std::max_element(plain.series.at("tgf_PD").begin(), plain.series.at("tgf_PD").end());
  const double T1 = *std::max_element(prp.series.at("tgf_PD").begin(), prp.series.at("tgf_PD").end());
  std::printf("  PD collagen at 8 weeks: %+.4f (needling) vs %+.4f (+ PRP); peak PD TGF-b %.4g vs %.4g ng/mL\n", c0, c1,
              T0, T1);
  CHECK(T1 > T0);
  CHECK(c1 > c0);
  CHECK(max_abs(prp.series.at("topical_balance_error")) < 1e-10);
}

TEST_CASE("topical: bad applications are refused with the parameter named") {
  Scenario s = column(clinical_pen(1e-3), 1, units::week, units::day);
  auto a = app("caffeine", 0.0, units::hour);
  a.concentration = 100.0;  // caffeine dissolves to 20 kg/m3
  s.protocol.applications = {a};
  CHECK_THROWS_WITH_AS(simulate(s), doctest::Contains("solubility"), invalid_argument);
  s.protocol.applications = {app("caffeine", 0.0, units::hour), app("caffeine", 0.5 * units::hour, units::hour)};
  CHECK_THROWS_WITH_AS(simulate(s), doctest::Contains("course.topical[1].time"), invalid_argument);
  s.protocol.applications = {app("caffeine", 0.0, 2 * units::day)};
  CHECK_THROWS_WITH_AS(simulate(s), doctest::Contains("after the end of the run"), invalid_argument);
  s.protocol.applications = {app("caffeine", 0.0, units::hour), app("niacinamide", 2 * units::hour, units::hour)};
  CHECK_THROWS_WITH_AS(simulate(s), doctest::Contains("one agent per run"), invalid_argument);
  s.protocol.applications = {app("caffeine", 0.0, units::hour)};
  s.numerics.scheme = "split";
  CHECK_THROWS_WITH_AS(simulate(s), doctest::Contains("unsplit"), invalid_argument);
  CHECK_THROWS_WITH_AS(treatment::agent_preset("snake_oil"), doctest::Contains("known:"), invalid_argument);
  auto b = app("caffeine", 0.0, units::hour);
  b.agent.molecular_weight = std::nan("");
  CHECK_THROWS_WITH_AS(b.validate(), doctest::Contains("agent.molecular_weight"), invalid_argument);
}

TEST_CASE("course entries: a topical entry is placed at its session, repeated, labelled, and checked") {
  treatment::TopicalEntry e;
  e.agent = "ascorbic_acid";
  e.session = 2;
  e.time = units::hour;  // one hour after the second needling
  e.repeat = 3;
  e.every = units::day;
  const std::vector<double> sessions = {0.0, 4 * units::week};
  const auto a = e.expand(sessions, "course.4");
  REQUIRE(a.size() == 3);
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].time == doctest::Approx(4 * units::week + units::hour + double(i) * units::day));
    CHECK(a[i].agent.name == "ascorbic_acid");
    CHECK(!a[i].before_needling);
  }
  CHECK(a[1].origin == "course.4");
  CHECK(a[1].note == "application 2 of 3");
  e.repeat = 1;
  e.time = 0.0;
  e.when = "during";  // a gliding serum: on when the channels open, before the needles
  const auto g = e.expand(sessions, "course.0");
  CHECK(g[0].before_needling);
  CHECK(g[0].time == 4 * units::week);
  CHECK(g[0].origin == "course.0");
  e.when = "before";
  CHECK(e.expand(sessions, "x")[0].end() == doctest::Approx(4 * units::week));
  e.session = 3;
  CHECK_THROWS_WITH_AS(e.expand(sessions, "course.1"), doctest::Contains("course.1.session = 3"), invalid_argument);
  e.session = 1;  // 30 min before the first session would start before the run
  CHECK_THROWS_WITH_AS(e.expand(sessions, "course.1"), doctest::Contains("before the run"), invalid_argument);
  e.when = "sideways";
  CHECK_THROWS_WITH_AS(e.expand(sessions, "course.1"), doctest::Contains("course.1.when"), invalid_argument);
  e.when = "after";
  e.duration = 0.0;
  CHECK_THROWS_WITH_AS(e.expand(sessions, "course.1"), doctest::Contains("course.1.duration"), invalid_argument);
  // the entry's ranges are the application's (one declaration)
  CHECK(treatment::TopicalEntry::field("volume").lo == treatment::Topical::volume_range[0]);
  // a labelled application's error names its entry
  Scenario s = column(clinical_pen(1e-3), 1, units::week, units::day);
  auto x = app("caffeine", 0.0, units::hour), y = app("caffeine", 0.5 * units::hour, units::hour);
  y.origin = "course.7";
  y.note = "application 2 of 2";
  s.protocol.applications = {x, y};
  CHECK_THROWS_WITH_AS(simulate(s), doctest::Contains("course.7.time (application 2 of 2)"), invalid_argument);
  // repeats closer than their duration overlap: named at the entry's `every`
  treatment::TopicalEntry r;
  r.repeat = 2;
  r.every = 10 * units::minute;
  CHECK_THROWS_WITH_AS(r.expand({}, "course.2"), doctest::Contains("course.2.every = 600 s is shorter"), invalid_argument);
  r.repeat = 1;
  r.session = 1;
  CHECK_THROWS_WITH_AS(r.expand({}, "course.2"), doctest::Contains("valid: 0 (absolute time)"), invalid_argument);
}

TEST_CASE("topical: a run with applications is bitwise reproducible and resumes from a checkpoint") {
  Scenario s = column(clinical_pen(1e-3), 2, units::week, units::week);
  s.protocol.applications = {app("ascorbic_acid", 0.0, units::hour), app("ascorbic_acid", 3 * units::day, units::hour),
                             app("ascorbic_acid", units::week, units::hour)};
  const Result a = simulate(s);
  SimulateOptions o;
  o.threads = 2;
  const Result b = simulate(s, {}, o);
  CHECK(a.series.at("delivered_skin") == b.series.at("delivered_skin"));
  Checkpoint cp;
  SimulateOptions stop;
  stop.checkpoint = [&](const Checkpoint& c) {
    cp = c;
    return false;
  };
  (void)simulate(s, {}, stop);
  SimulateOptions res;
  res.resume = &cp;
  const Result c = simulate(s, {}, res);
  CHECK(c.series.at("delivered_skin") == a.series.at("delivered_skin"));
  CHECK(c.series.at("collagen_PD") == a.series.at("collagen_PD"));
  // the same checkpoint with another course is refused, in memory and from bytes
  Scenario other = s;
  other.protocol.applications[2].concentration *= 2;
  CHECK_THROWS_WITH_AS(simulate(other, {}, res), doctest::Contains("other topical applications"), invalid_argument);
  CHECK_THROWS_WITH_AS(deserialize_checkpoint(serialize(cp), other), doctest::Contains("other topical applications"),
                       io_error);
  CHECK(deserialize_checkpoint(serialize(cp), s).applications == cp.applications);
  // ... and so is one with another device, seed or per-session parameters for a session
  Scenario dev = s;
  dev.protocol.sessions[1].device = clinical_pen(1.5e-3);
  CHECK_THROWS_WITH_AS(simulate(dev, {}, res), doctest::Contains("other needling sessions"), invalid_argument);
  Scenario seed = s;
  seed.protocol.sessions[1].pattern_seed = 99;
  CHECK_THROWS_WITH_AS(deserialize_checkpoint(serialize(cp), seed), doctest::Contains("other needling sessions"),
                       io_error);
  Scenario halo = s;
  halo.protocol.sessions[1].raster = RasterParams{};
  CHECK_THROWS_WITH_AS(simulate(halo, {}, res), doctest::Contains("other needling sessions"), invalid_argument);
  CHECK(deserialize_checkpoint(serialize(cp), s).session_setup == session_fingerprint(s.protocol));
}

TEST_CASE("after-care windows: from the state, longer with occlusion, redness-bound ones longer with depth") {
  auto inf = [](double x) { return std::isnan(x) ? 1e300 : x; };
  double prev_ex = 0, prev_uv = 0;
  for (double len : {0.25e-3, 0.5e-3, 1.0e-3, 1.5e-3, 2.5e-3}) {
    double unocc = 0;
    for (bool occ : {false, true}) {
      Scenario s = column(clinical_pen(len), 1, 4 * units::week, 10 * units::day);
      s.protocol.sessions[0].occluded = occ;
      const auto& x = simulate(s).sessions.at(0);
      std::printf("  pen %.2f mm%s: barrier %.1f h, exercise %.1f h, UV-sensitive %.1f h (redness %.1f h)\n", len * 1e3,
                  occ ? " occluded" : "", x.barrier_recovered_after / units::hour, x.exercise_ok_after / units::hour,
                  x.uv_sensitive_until / units::hour, x.erythema_resolved_after / units::hour);
      if (!occ) {
        // Donnelly 2014 (TEWL back < 24 h, ~300 um) and Dermatol Surg 2012 (< 72 h, 0.15/0.25 mm)
        CHECK(x.barrier_recovered_after < 24 * units::hour);
        CHECK(x.exercise_ok_after >= x.erythema_resolved_after);
        CHECK(x.uv_sensitive_until >= x.barrier_recovered_after);
        CHECK(x.exercise_ok_after >= prev_ex);
        CHECK(x.uv_sensitive_until >= prev_uv);
        prev_ex = x.exercise_ok_after, prev_uv = x.uv_sensitive_until;
        unocc = x.barrier_recovered_after;
      } else {
        CHECK(inf(x.barrier_recovered_after) > 3 * unocc);
      }
    }
  }
}

TEST_CASE("topical in 3D: delivery stays at the channels, and the patch total is the 1D column's") {
  auto run = [](int dim) {
    Scenario s = column(clinical_pen(1e-3), 1, units::week, units::day);
    s.numerics.dimension = dim;
    s.numerics.patch_size = 2e-3;
    s.numerics.column_patch_size = 2e-3;  // the same channels in 1D and 3D
    s.numerics.lateral_spacing = 100e-6;
    s.protocol.applications = {app("caffeine", 0.0, 30 * units::minute)};
    SimulateOptions o;
    o.snapshot_times = {units::minute};
    return simulate(s, {}, o);
  };
  const Result r1 = run(1), r3 = run(3);
  const auto& a1 = r1.applications.at(0);
  const auto& a3 = r3.applications.at(0);
  std::printf("  into the skin in 30 min: 1D %.4g, 3D %.4g ug/cm2; into the dermis %.4g vs %.4g\n",
              a1.delivered / 1e-5, a3.delivered / 1e-5, a1.delivered_dermis / 1e-5, a3.delivered_dermis / 1e-5);
  CHECK(a3.delivered == doctest::Approx(a1.delivered).epsilon(0.05));
  CHECK(max_abs(r3.series.at("topical_balance_error")) < 1e-10);
  // at 1 min, 300 um deep (papillary dermis): the columns holding a channel against the rest
  // (a small solute spreads sqrt(D t) ~ 115 um a minute, so minutes later the patch is even)
  const Grid& g = r3.grid;
  const auto& f = r3.snapshots.at(0).fields;
  const std::size_t sp = std::find(r3.species.begin(), r3.species.end(), "topical") - r3.species.begin();
  const std::size_t sg = std::find(r3.species.begin(), r3.species.end(), "topical_channels") - r3.species.begin();
  int k = 0;
  while (g.z_centres()[k] < 300e-6) ++k;
  double on = 0, off = 0;
  int non = 0, noff = 0;
  for (std::size_t c = 0; c < g.plane(); ++c) {
    const std::size_t id = std::size_t(k) * g.plane() + c;
    if (f[sg][id] > 0) on += f[sp][id], ++non;
    else off += f[sp][id], ++noff;
  }
  REQUIRE(non > 0);
  REQUIRE(noff > 0);
  std::printf("  at 300 um, 1 min: %.3g kg/m3 in the %d channel columns vs %.3g in the other %d\n", on / non, non,
              off / noff, noff);
  CHECK(on / non > 3 * off / noff);
}

TEST_CASE("topical: the lag of a repeated application is measured from its own start") {
  Scenario s = column(clinical_pen(1e-3), 0, units::day, 8 * units::day);
  auto a = app("caffeine", 0.0, 12 * units::hour);
  auto b = a;
  b.time = 4 * units::day;
  s.protocol.applications = {a, b};
  const Result r = simulate(s);
  REQUIRE(r.applications.size() == 2);
  const double l0 = r.applications[0].lag_time, l1 = r.applications[1].lag_time;
  std::printf("  intact skin, caffeine 12 h twice, 4 days apart: lag %.3f h and %.3f h\n", l0 / units::hour,
              l1 / units::hour);
  CHECK(l0 > 0.5 * units::hour);
  CHECK(l1 == doctest::Approx(l0).epsilon(0.1));
}
