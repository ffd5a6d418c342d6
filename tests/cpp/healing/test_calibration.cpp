// Calibration targets (shared/science/calibration.md) and trend tests, on the 1D column.
#include <doctest/doctest.h>

#include "common.hpp"

using namespace dermasim;
using namespace htest;

namespace {
const double h = units::hour, d = units::day, wk = units::week, mo = units::month;
}

TEST_CASE("calibration: erythema resolves within 24-72 h after 1.5-2.5 mm clinical needling") {
  for (double L : {1.5e-3, 2.0e-3, 2.5e-3}) {
    const Result r = simulate(column(clinical_pen(L), 1, 4 * wk, 2 * wk));
    const double t = r.sessions[0].erythema_resolved_after;
    std::printf("  erythema resolved after %.0f h at %.1f mm (target 24-72 h)\n", t / h, L * 1e3);
    CHECK(t >= 24 * h);
    CHECK(t <= 72 * h);
  }
}

TEST_CASE("calibration: epidermis recovered (damage cleared) by about day 5") {
  const Result r = simulate(column(clinical_pen(1.5e-3), 1, 4 * wk, 2 * wk));
  const double t = r.sessions[0].epidermis_recovered_after;  // 90 % of the epidermal damage cleared
  std::printf("  epidermis 90 %% recovered after %.1f days (target ~5 days; tolerance 2-6 days)\n", t / d);
  CHECK(t >= 2 * d);
  CHECK(t <= 6 * d);
  CHECK(at(r, "epidermal_damage", 5 * d) < 0.1 * at(r, "epidermal_damage", 0.25 * h));
}

TEST_CASE("calibration: unoccluded channels reseal within hours, occluded within tens of hours") {
  Scenario s = column(clinical_pen(1.5e-3), 1, 4 * wk, 1 * wk);
  const double open = simulate(s).sessions[0].channels_closed_after;
  s.protocol.sessions[0].occluded = true;
  const double occ = simulate(s).sessions[0].channels_closed_after;
  std::printf("  channels 90 %% closed after %.1f h unoccluded (target < 6 h; Gupta 2011 < 2 h to reseal), %.1f h occluded (target 10-80 h)\n",
              open / h, occ / h);
  CHECK(open <= 6 * h);
  CHECK(occ >= 10 * h);
  CHECK(occ <= 80 * h);
}

TEST_CASE("calibration: collagen III rises before collagen I") {
  const Result r = simulate(column(clinical_pen(1.5e-3), 1, 4 * wk, 12 * wk));
  const double t3 = rise_time(r, "collagen_III_PD", 0, 12 * wk), t1 = rise_time(r, "collagen_I_PD", 0, 12 * wk);
  std::printf("  half-maximal rise: collagen III after %.1f days, collagen I after %.1f days\n", t3 / d, t1 / d);
  CHECK(t3 < t1);
  CHECK(at(r, "collagen_III_PD", 2 * wk) > at(r, "collagen_I_PD", 2 * wk));
}

TEST_CASE("calibration: Lotfi 2013 - about +50 % papillary collagen 8 weeks after 5 monthly sessions") {
  const Result r = simulate(column(clinical_pen(1.5e-3), 5, mo, 8 * wk));
  const double c = r.series.at("collagen_PD").back();
  std::printf("  papillary collagen %+.1f %% (target +53.2 %%, tolerance +-15 points)\n", 100 * c);
  CHECK(std::fabs(c - 0.532) <= 0.15);
}

TEST_CASE("calibration: Aust 2008 - about +40 % epidermal thickness at 1 year; Lotfi 2013 +50 % at 8 weeks") {
  // Aust 2008 (fitted: outcome.epidermal_coupling): up to 4 treatments, histology at 1 year;
  // read as the default 4 monthly sessions, 12 months after the last.
  const Result a = simulate(column(clinical_pen(1.5e-3), 4, mo, 12 * mo));
  const double ha = a.series.at("epidermal_thickness").back();
  // Lotfi 2013 (not fitted: an independent check): +50 % epidermal thickness 8 weeks after 5
  // monthly sessions
  const Result l = simulate(column(clinical_pen(1.5e-3), 5, mo, 8 * wk));
  const double hl = l.series.at("epidermal_thickness").back();
  std::printf("  epidermal thickness %+.1f %% at 1 year (Aust 2008 +40 %%, tol +-15), %+.1f %% at 8 weeks after 5 sessions (Lotfi 2013 +50 %%, tol +-20)\n",
              100 * ha, 100 * hl);
  CHECK(std::fabs(ha - 0.40) <= 0.15);
  CHECK(std::fabs(hl - 0.50) <= 0.20);
  // it lags the collagen (turnover), never jumps at an injury, and is back near zero without one
  const Result one = simulate(column(clinical_pen(1.5e-3), 1, mo, 4 * wk));
  CHECK(at(one, "epidermal_thickness", 2 * d) < 0.2 * at(one, "epidermal_thickness", 4 * wk));
  for (double x : one.series.at("epidermal_thickness")) CHECK(x >= -1e-12);
}

TEST_CASE("calibration: El-Domyati 2015 - collagen I and III up, total elastin down after 6 biweekly sessions") {
  const Result r = simulate(column(clinical_pen(1.5e-3), 6, 2 * wk, 3 * mo));
  const double last = r.sessions.back().time;
  for (double m : {1.0, 3.0}) {
    const double t = last + m * mo;
    const double c1 = at(r, "collagen_I_PD", t), c3 = at(r, "collagen_III_PD", t),
                 e = at(r, "elastin_PD", t) * 0.5 + at(r, "elastin_RD", t) * 0.5;
    std::printf("  %.0f month(s): collagen I %+.1f %%, III %+.1f %%, elastin (PD/RD mean) %+.1f %%\n", m,
                100 * c1, 100 * c3, 100 * e);
    CHECK(c1 > 0.0);
    CHECK(c3 > 0.0);
    CHECK(at(r, "elastin_PD", t) < 0.0);       // total elastin down (test row)
    CHECK(at(r, "tropoelastin_PD", t) > 0.0);  // tropoelastin up (test row)
    CHECK(at(r, "elastin_new_PD", t) > 0.0);   // new fibres assembling
  }
}

TEST_CASE("calibration: elastin is remodelled, not lost - back to baseline 6 months after the default course") {
  // training (elastin.activated_synthesis, its smallest value that holds): Aust 2008, elastin
  // up ('considerable rise') at 6 months; El-Domyati's total-down above is a prediction
  const Result r = simulate(column(clinical_pen(1.5e-3), 4, mo, 6 * mo));
  const double last = r.sessions.back().time;
  const double e1 = at(r, "elastin_PD", last + mo), e6 = at(r, "elastin_PD", last + 6 * mo);
  const double n6 = at(r, "elastin_new_PD", last + 6 * mo);
  std::printf("  PD elastin after 4 monthly sessions: %+.1f %% at 1 month, %+.1f %% at 6 months (new fibres %.2f of baseline)\n",
              100 * e1, 100 * e6, n6);
  CHECK(e6 > e1);      // recovering: new fibres assemble over months
  CHECK(e6 > -0.05);   // back to baseline within 5 points (the old model: -34.5 % for decades)
  CHECK(e6 < 0.30);
  CHECK(n6 > 0.2);     // a substantial share of the papillary elastin is new
  // the mature (pre-existing) fibres are what was cut: total minus new stays below baseline
  CHECK(e6 - n6 < 0.0);
}

TEST_CASE("trend: deeper needles give more collagen; bleeding only once vascular dermis is reached") {
  double prev = -1;
  for (double L : {0.25e-3, 0.5e-3, 1.0e-3, 1.5e-3, 2.0e-3}) {
    Scenario s = column(clinical_pen(L), 1, 4 * wk, 8 * wk);
    const Result r = simulate(s);
    const double c = r.series.at("collagen_PD").back() + r.series.at("collagen_RD").back();
    std::printf("  pen %.2f mm: real depth %.0f um, bleeding %.0f /cm2, PD+RD collagen %+.2f %%\n", L * 1e3,
                r.sessions[0].real_depth * 1e6, r.sessions[0].bleeding_points_per_cm2, 100 * c);
    CHECK(c > prev);
    prev = c;
  }
  // bleeding iff a channel reaches a vascular layer
  Scenario s = Scenario::default_face();
  const double z_vasc = s.skin[Layer::stratum_corneum].thickness + s.skin[Layer::viable_epidermis].thickness;
  const Grid g(20, 20, 2e-3, 2e-3, graded_z_faces(s.skin.interfaces(), 10e-6, 80e-6));
  std::size_t shallow = 0, bleeding = 0;
  // (a 0.1 mm needle cannot puncture: its stroke is shorter than the ~150 um rupture tent)
  for (const Device& dev : {Device(home_roller(0.2e-3)), Device(home_roller(0.25e-3)),
                            Device(clinical_pen(0.5e-3)), Device(clinical_pen(1.5e-3))}) {
    const auto inj = session_injury(s.skin, dev, g, 1, 0);
    for (const auto& ch : inj.channels) {
      CHECK((!ch.bleeding || ch.depth > z_vasc));  // no bleeding above the vascular dermis
      shallow += ch.depth <= z_vasc;
      bleeding += ch.bleeding;
    }
  }
  CHECK(shallow > 0);
  CHECK(bleeding > 0);
}

TEST_CASE("trend: a 0.25-0.5 mm home roller gives clearly less than a clinical 1.5 mm pen") {
  const double pen = simulate(column(clinical_pen(1.5e-3), 4, 4 * wk, 3 * mo)).series.at("collagen_PD").back();
  for (double L : {0.25e-3, 0.5e-3}) {
    const double roll = simulate(column(home_roller(L), 4, 4 * wk, 3 * mo)).series.at("collagen_PD").back();
    std::printf("  home roller %.2f mm: PD collagen %+.1f %% vs clinical pen 1.5 mm %+.1f %%\n", L * 1e3,
                100 * roll, 100 * pen);
    // 0.25 mm: clearly less; 0.5 mm: less (the insertion model of docs/model.md §3 takes sharp
    // roller needles to ~95 % of their length on the face, so 0.5 mm now gives ~0.6x the pen)
    CHECK(roll < (L < 0.3e-3 ? 0.5 : 1.0) * pen);
  }
}

TEST_CASE("trend: diminishing returns per extra session") {
  const Result r = simulate(column(clinical_pen(1.5e-3), 6, 4 * wk, 3 * mo));
  double early = 0, late = 0;
  for (int i = 0; i < 6; ++i) {
    std::printf("  session %d: PD collagen gain over its interval %+.1f %%\n", i + 1,
                100 * r.sessions[i].collagen_PD_gain);
    (i < 3 ? early : late) += r.sessions[i].collagen_PD_gain;
  }
  CHECK(late < early);
  CHECK(r.sessions[5].collagen_PD_gain < r.sessions[0].collagen_PD_gain);
}

TEST_CASE("trend: longer intervals let each session's remodelling complete") {
  // fraction of the new papillary collagen still type III when the next session starts
  auto share3 = [](double interval) {
    const Result r = simulate(column(clinical_pen(1.5e-3), 2, interval, 4 * wk));
    const double t = r.sessions[1].time;
    const auto& b = Scenario::default_face().parameters;
    const double d3 = at(r, "collagen_III_PD", t) * b.collagen_III_fraction;
    const double d1 = at(r, "collagen_I_PD", t) * (1 - b.collagen_III_fraction);
    return d3 / (d3 + d1);
  };
  const double s2 = share3(2 * wk), s4 = share3(4 * wk), s8 = share3(8 * wk);
  std::printf("  share of new collagen still type III at the next session: 2 wk %.2f, 4 wk %.2f, 8 wk %.2f\n", s2, s4, s8);
  CHECK(s4 < s2);
  CHECK(s8 < s4);
}

TEST_CASE("trend: higher phototype gives higher pigmentation risk") {
  double prev = -1;
  for (int pt = 1; pt <= 6; ++pt) {
    Scenario s = column(clinical_pen(1.5e-3), 1, 4 * wk, 2 * wk);
    s.skin = skin_preset("face", 40.0, false, pt);
    const double risk = simulate(s).sessions[0].pih_risk;
    std::printf("  phototype %d: PIH risk index %.3f\n", pt, risk);
    CHECK(risk > prev);
    prev = risk;
  }
}

TEST_CASE("patient factors: Varani 2006 and Jorgensen 1998 (training), Sorensen 2010 and small diabetic wounds (test)") {
  // training: Varani 2006, fibroblast procollagen I 56 vs 82 ng/mL (80+ vs 18-29 y): -32 %
  SkinProfile young = skin_preset("face", 24.0), old = skin_preset("face", 80.0);
  const healing::HealingParameters p{};
  const auto py = healing::effective_parameters(p, young, {}), po = healing::effective_parameters(p, old, {});
  std::printf("  procollagen synthesis 80 y / 24 y: %.3f (Varani 2006: 56/82 = %.3f)\n", po.p_1 / py.p_1, 56.0 / 82);
  CHECK(po.p_1 / py.p_1 == doctest::Approx(56.0 / 82).epsilon(0.05));
  // training: Jorgensen 1998, non-smokers deposit 1.8x the collagen of smokers
  healing::PatientFactors smoker;
  smoker.smoking = true;
  const SkinProfile face = skin_preset("face");
  const auto pn = healing::effective_parameters(p, face, {}), ps = healing::effective_parameters(p, face, smoker);
  CHECK(pn.p_3 / ps.p_3 == doctest::Approx(1.8).epsilon(0.01));
  CHECK(pn.p_1 / ps.p_1 == doctest::Approx(1.8).epsilon(0.01));
  // test (not fitted): Sorensen 2010, serum PINP (collagen I synthesis) at 1 week 52.7 vs 64.7 ng/mL
  // in smokers vs non-smokers (0.81): the model's collagen I synthesis ratio within a factor 1.5
  const double pinp = 52.7 / 64.7, model = ps.p_1 / pn.p_1;
  std::printf("  smokers / non-smokers collagen I synthesis %.3f (Sorensen 2010 PINP %.3f)\n", model, pinp);
  CHECK(model / pinp > 1 / 1.5);
  CHECK(model / pinp < 1.5);
  // and the outcome: a smoker's course gains less papillary collagen than a non-smoker's
  Scenario a = column(clinical_pen(1.5e-3), 4, mo, 3 * mo), b = a;
  b.patient.smoking = true;
  const double ca = simulate(a).series.at("collagen_PD").back(), cb = simulate(b).series.at("collagen_PD").back();
  std::printf("  PD collagen after 4 sessions + 3 months: non-smoker %+.1f %%, smoker %+.1f %%\n", 100 * ca, 100 * cb);
  CHECK(cb < ca);
  CHECK(cb > 0.0);
  // test (not fitted): small wounds close as fast in type 2 diabetes (Diabetes Care 2007)
  Scenario sd = column(clinical_pen(1.5e-3), 1, 4 * wk, 2 * wk), se = sd;
  se.patient.diabetes = true;
  const auto rd = simulate(sd).sessions[0], re = simulate(se).sessions[0];
  std::printf("  epidermis recovered after %.1f d (diabetes %.1f d); channels closed after %.1f h (%.1f h)\n",
              rd.epidermis_recovered_after / d, re.epidermis_recovered_after / d, rd.channels_closed_after / h,
              re.channels_closed_after / h);
  CHECK(re.epidermis_recovered_after == doctest::Approx(rd.epidermis_recovered_after).epsilon(0.15));
  CHECK(re.channels_closed_after == doctest::Approx(rd.channels_closed_after).epsilon(0.15));
}

namespace {
Stamp short_array(double L) {
  Stamp s;
  s.needle.length = L;
  return s;
}
}  // namespace

TEST_CASE("verification: the neurogenic flare decays exponentially from its Poisson coverage") {
  // a 0.25 mm stamp: inflammation stays far below visibility, the flare is the redness;
  // E_F(t) = a_F (1 − e^{−n A}) e^{−k t} exactly (its kinetics are linear, no transport); the
  // error is the integrator's: within 2 % at the default rtol (the RMS error norm over all
  // cells and species dilutes a top-plane-only species), and smaller as the max-norm rtol falls
  const auto& p = Scenario::default_face().parameters;
  auto worst_error = [&](double rtol, const char* norm) {
    Scenario s = column(short_array(0.25e-3), 1, 4 * wk, 1 * d);
    s.numerics.rtol = rtol;
    s.numerics.error_norm = norm;
    const Result r = simulate(s);
    const double E0 = p.flare_peak * -std::expm1(-r.sessions[0].channels_per_cm2 * 1e4 * p.flare_area);
    CHECK(E0 > 0.45);  // 278 channels/cm² flare the whole patch
    CHECK(r.series.at("erythema_inflammatory").front() < 0.05);
    double worst = 0;
    for (double t : {5 * units::minute, 30 * units::minute, 1 * h, 3 * h})
      worst = std::max(worst, std::fabs(at(r, "erythema_flare", t) - E0 * std::exp(-p.k_flare * t)) / E0);
    return worst;
  };
  const double e_default = worst_error(1e-3, "rms"), e_max = worst_error(1e-3, "max"),
               e_tight = worst_error(1e-5, "max");
  std::printf("  flare vs exact exponential: worst relative error %.2e (rms, rtol 1e-3), %.2e (max, rtol 1e-3), "
              "%.2e (max, rtol 1e-5)\n", e_default, e_max, e_tight);
  CHECK(e_default < 2e-2);
  CHECK(e_max < e_default);
  CHECK(e_tight < 0.5 * e_max);
}

TEST_CASE("trend: redness lasts longer the deeper the injury - short arrays, home rollers, clinical pens") {
  // issue 14 item 2: minutes to hours for short arrays (flare; Bal 2008 < 2 h for 200-400 um
  // arrays), a day for a 0.5 mm roller, 1-3 days for clinical pens (inflammatory erythema)
  auto redness = [](const Device& dev) {
    const Result r = simulate(column(dev, 1, 4 * wk, 2 * wk));
    return std::make_pair(r.sessions[0].real_depth, r.sessions[0].erythema_resolved_after);
  };
  double prev_depth = 0, prev_t = 0, worst_array = 0;
  for (double L : {0.25e-3, 0.5e-3, 0.75e-3}) {
    const auto [z, t] = redness(short_array(L));
    std::printf("  stamp %.2f mm: depth %.0f um, redness %.2f h\n", L * 1e3, z * 1e6, t / h);
    CHECK(t > 0.5 * h);  // visible at all (the flare)
    CHECK(t < 2 * h);    // Bal 2008
    CHECK(t >= prev_t);
    prev_t = t;
    worst_array = std::max(worst_array, t);
  }
  const auto [zr, tr] = redness(home_roller(0.5e-3));
  std::printf("  home roller 0.5 mm: depth %.0f um, redness %.1f h\n", zr * 1e6, tr / h);
  CHECK(tr > worst_array);
  CHECK(tr < 48 * h);
  prev_depth = 0, prev_t = 0;
  for (double L : {0.25e-3, 0.5e-3, 1.0e-3, 1.5e-3, 2.5e-3}) {
    const auto [z, t] = redness(clinical_pen(L));
    std::printf("  pen %.2f mm: depth %.0f um, redness %.1f h\n", L * 1e3, z * 1e6, t / h);
    CHECK(z > prev_depth);
    CHECK(t > prev_t);  // deeper injury never shorter redness
    prev_depth = z;
    prev_t = t;
  }
}

TEST_CASE("locality: the collagen response stays within the injured depth plus the leukocyte spread") {
  // issue 14 item 1. The response below the deepest channel tip is carried by leukocytes that
  // random-walk during their tissue lifetime, l = sqrt(D/mu): neutrophils 0.33 mm, macrophages
  // 0.28 mm (docs/model.md §5.10). Bound stated: 4 sessions of a 0.5 mm pen, 6 months after the
  // last; the gain 0.5 mm below the tip is < 1/2 and 1 mm below < 1/5 of the peak gain, it
  // falls monotonically below the tip, and the hypodermis gains < 3 %.
  Scenario s = column(clinical_pen(0.5e-3), 4, mo, 6 * mo);
  SimulateOptions o;
  o.snapshot_times = {0.0, s.protocol.end_time()};
  const Result r = simulate(s, {}, o);
  REQUIRE(r.snapshots.size() == 2);
  const double tip = r.sessions[0].real_depth;
  const auto& zc = r.grid.z_centres();
  std::vector<double> gain(zc.size(), 0.0);
  double peak = 0, hy = 0, hyV = 0;
  for (std::size_t k = 0; k < zc.size(); ++k) {
    const auto& a = r.snapshots[0].fields, &b = r.snapshots[1].fields;
    const double c0 = a[healing::sC1][k] + a[healing::sC3][k], c1 = b[healing::sC1][k] + b[healing::sC3][k];
    if (c0 > 0) gain[k] = c1 / c0 - 1.0;
    peak = std::max(peak, gain[k]);
    if (s.skin.layer_at(zc[k]) == Layer::hypodermis) {
      hy += gain[k] * r.grid.dz()[k];
      hyV += r.grid.dz()[k];
    }
  }
  auto gain_at = [&](double z) {
    std::size_t k = 0;
    while (k + 1 < zc.size() && zc[k] < z) ++k;
    return gain[k];
  };
  const double g5 = gain_at(tip + 0.5e-3), g10 = gain_at(tip + 1.0e-3);
  std::printf("  tip %.0f um, peak gain %+.3f; 0.5 mm below %.2f x peak, 1 mm below %.2f x peak; hypodermis %+.3f\n",
              tip * 1e6, peak, g5 / peak, g10 / peak, hy / hyV);
  CHECK(g5 < 0.5 * peak);
  CHECK(g10 < 0.2 * peak);
  CHECK(hy / hyV < 0.03);
  for (std::size_t k = 1; k < zc.size(); ++k)
    if (zc[k - 1] > tip + 0.1e-3 && s.skin.layer_at(zc[k]) == s.skin.layer_at(zc[k - 1]))
      CHECK(gain[k] <= gain[k - 1] + 1e-12);
}
