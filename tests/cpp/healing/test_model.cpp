// Healing model: parameters, homeostasis derivation, errors, injury operator, patient factors.
#include <doctest/doctest.h>

#include <cstring>

#include "common.hpp"

using namespace dermasim;
using namespace htest;

TEST_CASE("healing: parameters are addressable by dotted name, in SI, with validated ranges") {
  healing::HealingParameters p;
  CHECK(p.get("healing.fibroblast.proliferation_rate") == doctest::Approx(0.924 / 86400.0));
  CHECK(p.get("fibroblast.proliferation_rate") == p.r_F);
  p.set("healing.fibroblast.proliferation_rate", 0.5 / 86400.0);
  CHECK(p.r_F == doctest::Approx(0.5 / 86400.0));
  CHECK_THROWS_AS(p.get("healing.no.such"), invalid_argument);
  try {
    p.set("healing.macrophage.inflammatory_fraction", 1.5);
    FAIL("no throw");
  } catch (const invalid_argument& e) {
    const std::string m = e.what();
    CHECK(m.find("healing.macrophage.inflammatory_fraction") != std::string::npos);
    CHECK(m.find("1.5") != std::string::npos);
    CHECK(m.find("[0, 1]") != std::string::npos);
  }
  // every registered name round-trips
  for (const auto& n : healing::HealingParameters::names()) {
    healing::HealingParameters q;
    const double v = q.get(n);
    q.set(n, v);
    CHECK(q.get(n) == v);
  }
  CHECK(healing::HealingParameters::names().size() > 80);
}

TEST_CASE("healing: a non-physical derived parameter is a clear error") {
  Scenario s = Scenario::default_face();
  const Grid g = s.numerics.grid(s.skin);
  healing::HealingParameters p;
  p.mu_F = 2.0 * p.r_F * 2.0;  // apoptosis beyond any proliferation
  try {
    healing::derive_baseline(s.skin, g, p);
    FAIL("no throw");
  } catch (const invalid_argument& e) {
    CHECK(std::string(e.what()).find("healing.fibroblast.apoptosis_rate") != std::string::npos);
  }
  healing::HealingParameters q;
  q.sigma_TF = 50e-9 / 86400.0;  // autocrine TGF-β source alone beats decay at baseline
  try {
    healing::derive_baseline(s.skin, g, q);
    FAIL("no throw");
  } catch (const invalid_argument& e) {
    CHECK(std::string(e.what()).find("healing.tgf.fibroblast_secretion") != std::string::npos);
  }
  Scenario bad = s;
  bad.numerics.dimension = 4;
  CHECK_THROWS_WITH_AS(simulate(bad), doctest::Contains("numerics.dimension"), invalid_argument);
}

TEST_CASE("healing: derived homeostasis terms are positive and reproduce the layer baselines") {
  Scenario s = Scenario::default_face();
  const Grid g = s.numerics.grid(s.skin);
  const auto b = healing::derive_baseline(s.skin, g, s.parameters);
  CHECK(b.K_F > 1.0);
  for (int k = 0; k < g.nz(); ++k) {
    CHECK(b.sT0[k] >= 0.0);
    CHECK(b.q3[k] >= 0.0);
    if (b.dermal[k] > 0) CHECK(b.q1[k] > 0.0);
  }
}

TEST_CASE("healing: injury operator removes cells and matrix, opens channels, bleeds only if vascular") {
  Scenario s = Scenario::default_face();
  s.numerics.dimension = 1;
  const Grid g = s.numerics.grid(s.skin);
  healing::HealingModel m(g, s.skin, s.parameters);
  FieldSet u = m.initial_state();
  // the real injury stage (punctures → penetration → raster): a pen set to 0.08 mm (SkinPen's
  // range starts at 0; real depth ≈ 47 µm, avascular epidermis only) and one set to 1.5 mm
  Pen shallow = clinical_pen(1.5e-3);
  shallow.depth_min = 0.0;
  shallow.depth = 0.08e-3;
  auto a = session_injury(s.skin, shallow, g, 1, 0);
  auto b = session_injury(s.skin, clinical_pen(1.5e-3), g, 1, 0);
  REQUIRE(!a.channels.empty());
  for (const auto& ch : a.channels) CHECK(s.skin[ch.deepest_layer].vascular_access == 0.0);
  CHECK(a.bleeding_points == 0);
  REQUIRE(!b.channels.empty());
  CHECK(b.bleeding_points == b.channels.size());
  double bl = 0;
  for (double x : a.bleeding) bl += x;
  CHECK(bl == 0.0);
  m.apply_injury(u, b);
  const auto& base = m.baseline();
  bool any_removed = false;
  for (int k = 0; k < g.nz(); ++k) {
    CHECK(u[healing::sD][k] == doctest::Approx(b.damage[k]));
    if (base.C0[k] > 0 && b.damage[k] > 0.01) {
      CHECK(u[healing::sC1][k] < base.C10[k]);
      any_removed = true;
    }
  }
  CHECK(any_removed);
  CHECK(u[healing::sO][0] > 0.0);
}

TEST_CASE("healing: new channel positions every session, reproducible per (seed, session)") {
  Scenario s = Scenario::default_face();
  const Grid g(8, 8, 2e-3, 2e-3, graded_z_faces(s.skin.interfaces(), 20e-6, 160e-6));
  const Device d = clinical_pen(1.5e-3);
  auto a0 = session_injury(s.skin, d, g, 7, 0);
  auto a0b = session_injury(s.skin, d, g, 7, 0);
  auto a1 = session_injury(s.skin, d, g, 7, 1);
  REQUIRE(!a0.channels.empty());
  REQUIRE(!a1.channels.empty());
  REQUIRE(a0.channels.size() == a0b.channels.size());
  for (std::size_t c = 0; c < a0.channels.size(); ++c) {
    CHECK(a0.channels[c].x == a0b.channels[c].x);
    CHECK(a0.channels[c].y == a0b.channels[c].y);
  }
  CHECK(a0.channels[0].x != a1.channels[0].x);
  CHECK(std::memcmp(a0.damage.data(), a0b.damage.data(), a0.damage.size() * sizeof(double)) == 0);
  CHECK(std::memcmp(a0.damage.data(), a1.damage.data(), a0.damage.size() * sizeof(double)) != 0);
}

TEST_CASE("healing: patient factors act through mechanisms; contraindications only warn") {
  Scenario base = column(clinical_pen(1.5e-3), 1, 4 * units::week, 8 * units::week);
  const Result r0 = simulate(base);
  CHECK(r0.info.warnings.empty());

  Scenario dia = base;
  dia.patient.diabetes = true;
  const Result rd = simulate(dia);
  CHECK(rd.sessions[0].collagen_PD_cumulative < r0.sessions[0].collagen_PD_cumulative);

  Scenario old = base, young = base;
  old.skin = skin_preset("face", 70.0, false, 3);
  young.skin = skin_preset("face", 25.0, false, 3);
  CHECK(simulate(old).sessions[0].collagen_PD_cumulative <
        simulate(young).sessions[0].collagen_PD_cumulative);

  Scenario ac = base;
  ac.patient.anticoagulants = true;
  const Result ra = simulate(ac);
  CHECK(ra.series.at("tgf_PD")[ra.times.size() > 3 ? 3 : 0] >= r0.series.at("tgf_PD")[r0.times.size() > 3 ? 3 : 0]);

  Scenario ci = base;
  ci.patient.pregnancy = ci.patient.isotretinoin = ci.patient.active_acne = true;
  const Result rc = simulate(ci);
  CHECK(rc.info.warnings.size() == 3);
  // no mechanism: identical outcomes
  CHECK(rc.series.at("collagen_PD") == r0.series.at("collagen_PD"));
}

TEST_CASE("outcomes: the epidermal-thickness relaxation is integrated exactly") {
  // dH/dt = (β c(t) − H)/τ: constant c → H = βc(1 − e^{−t/τ}); linear c = s t from H = 0 →
  // H = β s (t − τ(1 − e^{−t/τ})). Any partition of [0, t] into records gives the same H.
  Scenario s = Scenario::default_face();
  s.numerics.dimension = 1;
  const Grid g = s.numerics.grid(s.skin);
  healing::HealingModel m(g, s.skin, s.parameters);
  outcomes::OutcomeRecorder rec(m, Schedule::fixed(units::day));
  const double beta = s.parameters.beta_epi, tau = s.parameters.tau_epi, t = 30 * units::day;
  const double c = 0.3;
  CHECK(rec.epidermal_update(0.0, c, c, t) == doctest::Approx(beta * c * -std::expm1(-t / tau)).epsilon(1e-13));
  const double sl = 0.4 / t;
  const double exact = beta * sl * (t - tau * -std::expm1(-t / tau));
  double H = 0.0;
  for (int i = 0; i < 7; ++i) {  // uneven pieces
    const double t0 = t * (i * i) / 49.0, t1 = t * ((i + 1) * (i + 1)) / 49.0;
    H = rec.epidermal_update(H, sl * t0, sl * t1, t1 - t0);
  }
  CHECK(H == doctest::Approx(exact).epsilon(1e-12));
  CHECK(rec.epidermal_update(0.25, 0.1, 0.5, 0.0) == 0.25);  // no time: no jump
  CHECK(rec.epidermal_update(0.0, 0.0, 0.0, 1e9) == 0.0);
}

TEST_CASE("outcomes: the session table reports the injured fraction of every layer") {
  const auto face = skin_preset("face");
  const Device pen(clinical_pen(1.5e-3));
  Scenario s = Scenario::regular(pen, 1, 4 * units::week, units::week);
  s.numerics.dimension = 1;
  const Result r = simulate(s);
  // the same injury as the run's (1D: the exact lateral average of the session's channels)
  const auto col = session_injury(face, pen, r.grid, s.seed, 0, s.penetration);
  for (int l = 0; l < n_layers; ++l) {
    CAPTURE(l);
    const double vl = face.layers[l].thickness * r.grid.lx() * r.grid.ly();
    CHECK(r.sessions[0].injured_fraction[l] == doctest::Approx(col.injured_volume[l] / vl).epsilon(1e-12));
    CHECK(r.sessions[0].injured_fraction[l] >= 0.0);
    CHECK(r.sessions[0].injured_fraction[l] < 1.0);
  }
  // the 1.5 mm pen reaches through the papillary into the reticular dermis
  CHECK(r.sessions[0].injured_fraction[static_cast<int>(Layer::papillary_dermis)] > 0.0);
  CHECK(r.sessions[0].injured_fraction[static_cast<int>(Layer::reticular_dermis)] > 0.0);
}
