// dermasim/mechanics/penetration.hpp — needle insertion from first principles.
//
// Per needle, with the skin response of mechanics/skin_response.hpp (docs/model.md §3 derives
// each step, lists its parameters with sources and states the range of validity):
//
//  1. Puncture. The tip ruptures the stratum corneum/epidermis when it has tented the skin
//     locally by u_c = u_p0/φ_r and transmits
//        F_p = (a d_t + b d_t²) · P_f · √(μ_epi/μ_ref) · φ_r^(−1/2) · S · ξ,   d_t = 2 r_tip,
//     (a, b fitted to Römgens 2014; φ_r = 1 + v/v_c the rate weakening of rupture; ξ the
//     needle-to-needle scatter). S ≥ 1 is the bed-of-nails shielding: neighbours loaded at the
//     same time sink the skin around a needle too (Boussinesq overlap of their indentations),
//     so a needle must carry more force to reach the same local tent. The device must also
//     deliver it: the force it can push (hand, motor), the energy it carries (applicator), and
//     a stroke longer than the tent u_p = u_c + F_p C_s (C_s: the plate's compliance between
//     the needle and the nearest skin support, stiffened by viscoelasticity φ_ve).
//  2. Insertion. After the force drop the needle advances against
//        F_r(d) = c_r F_p + 2 G_c P_f (r(d) − r_tip) + 2π P_f τ_f ∫₀^d r dx
//     (residual cutting, crack opening by the taper with the skin's tearing energy G_c, shaft
//     friction). It stops at the smallest depth d where one of its drives runs out:
//        stroke: d + τ(d) = s,   τ(d) = min(u_c, F_r C_punch(d)/φ_ve) + F_r C_s  (the base meets
//                the skin; the local indentation cannot exceed the rupture tent)
//        force:  F_r(d) = F_available per needle
//        energy: ½ F_p u_p + ∫₀^d F_r + ½ F_r(d)² C_bulk = E_available per needle (the elastic
//                store of the array counted once, at the current force)
//     so depth never falls when force, energy or length grow and saturates at full insertion.
//  3. Channel. Lumen radius r(d) at the surface (plus half a roller's sweep), tip radius r_tip,
//     the deepest layer, and bleeding when the vascular exposure ∫₀^d v(z) dz reaches ℓ_b.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/registry.hpp"
#include "dermasim/core/rng.hpp"
#include "dermasim/device/device.hpp"
#include "dermasim/injury/injury_field.hpp"
#include "dermasim/mechanics/skin_response.hpp"
#include "dermasim/skin/layers.hpp"
#include "dermasim/skin/presets.hpp"

namespace dermasim {

/// Parameters of the insertion model (SI). Each has a dotted name under `penetration.` in the
/// registry below (unit, range, source); docs/model.md §3 derives them.
struct PenetrationParams : ParamRegistry<PenetrationParams> {
  double force_per_tip_diameter = 3.9184e3;  ///< a, N/m
  double force_per_tip_area = 1.6047e7;      ///< b, N/m²
  double reference_shear_modulus = 0.28e6;   ///< μ_ref, Pa
  double puncture_displacement = 160e-6;     ///< u_p0, m
  double critical_speed = 0.2;               ///< v_c, m/s
  double puncture_force_cv = 0.25;           ///< CV of F_p, −
  double force_drop = 0.5;                   ///< c_r, −
  double friction_stress = 3.18e3;           ///< τ_f, Pa
  double tearing_energy_cv = 0.067;          ///< CV of G_c, −
  double relaxed_fraction = 0.28;            ///< G∞ of the QLV relaxation, −
  double relaxation_time = 0.19;             ///< τ₁, s
  double bleeding_exposure = 75e-6;          ///< ℓ_b, m

  /// The registry (get/set/find/names by dotted name: core/registry.hpp).
  static const std::vector<Info>& registry();
  static constexpr const char* registry_prefix = "penetration.";
  static constexpr const char* registry_kind = "penetration";
  static constexpr const char* registry_doc = "PenetrationParams::names() or docs/model.md §3";
  void validate() const { validate_registered(); }
};

inline const std::vector<PenetrationParams::Info>& PenetrationParams::registry() {
  using P = PenetrationParams;
  static const std::vector<Info> r = {
      {"puncture.force_per_tip_diameter", &P::force_per_tip_diameter, "N/m", 1, 0, 1e6,
       "[F] Roemgens 2014: 20 mN at a 5 um tip, 167 mN at 37 um"},
      {"puncture.force_per_tip_area", &P::force_per_tip_area, "N/m^2", 1, 0, 1e10,
       "[F] Roemgens 2014 (the d^2 term is Davis 2004's interfacial-area law)"},
      {"puncture.reference_shear_modulus", &P::reference_shear_modulus, "MPa", 1e6, 1e-3, 1e3,
       "[P] epidermal mu of the ex vivo skin of Roemgens 2014 (abdomen preset)"},
      {"puncture.tent", &P::puncture_displacement, "um", 1e-6, 0, 2000,
       "[F] Roemgens 2014: force drop at ~160 um for every tip"},
      {"puncture.critical_speed", &P::critical_speed, "m/s", 1, 1e-4, 100,
       "[P] rupture force falls with speed (Mahvash & Dupont 2010, R; Olatunji 2013, A)"},
      {"puncture.force_cv", &P::puncture_force_cv, "-", 1, 0, 2, "[P] spread of Roemgens' curves"},
      {"insertion.force_drop", &P::force_drop, "-", 1, 0, 1, "[P] Roemgens 2014 force drop"},
      {"insertion.friction_stress", &P::friction_stress, "kPa", 1e3, 0, 1e4,
       "[F] Lam 2008: 0.1 mN retracts a 100 um needle buried 100 um"},
      {"insertion.tearing_energy_cv", &P::tearing_energy_cv, "-", 1, 0, 1,
       "[F] Kalluri 2011 depth SD 9.6/152.5 um"},
      {"tissue.relaxed_fraction", &P::relaxed_fraction, "-", 1, 0.01, 1,
       "[R] Wang 2015 G_inf 0.28 +- 0.13 (mouse skin, compression)"},
      {"tissue.relaxation_time", &P::relaxation_time, "s", 1, 1e-4, 100,
       "[R] Wang 2015 tau_1 0.19 +- 0.10 s"},
      {"bleeding.exposure", &P::bleeding_exposure, "um", 1e-6, 0, 5000,
       "[P] half the papillary dermis of capillary loops"},
  };
  return r;
}

/// What stopped a needle.
enum class InsertionLimit {
  dimple,  ///< no puncture (force, energy or stroke short of the puncture point)
  stroke,  ///< full stroke: the base (pen nose, plate, drum) met the skin
  force,   ///< the force available per needle
  energy   ///< the energy available per needle
};

inline const char* limit_name(InsertionLimit l) {
  static const char* n[] = {"dimple", "stroke", "force", "energy"};
  return n[static_cast<int>(l)];
}

/// What happens to one needle.
struct NeedleResult {
  bool punctured = false;
  double depth = 0.0;           ///< real channel depth below the undeformed surface, m
  double surface_radius = 0.0;  ///< lumen radius at the surface, m
  double tip_radius = 0.0;      ///< lumen radius at the bottom, m
  double tent = 0.0;            ///< surface depression under the needle at the end, m
  double puncture_tent = 0.0;   ///< travel before the skin ruptured, u_p, m
  double puncture_force = 0.0;  ///< F_p, N
  double insertion_force = 0.0; ///< F_r at the final depth, N
  double available_force = 0.0; ///< force per needle the device can push, N (inf: no cap)
  double work = 0.0;            ///< work done on the skin (puncture + insertion), J
  double vascular_exposure = 0.0;  ///< ∫₀^d v dz, m
  InsertionLimit limit = InsertionLimit::dimple;
  Layer deepest_layer = Layer::stratum_corneum;
  bool bleeding = false;
};

/// Device-level summary of the typical needle (scatter factors 1, their mean) and the loading.
struct PenetrationSummary {
  NeedleResult needle;               ///< the typical needle (ξ = 1)
  double nominal_length = 0.0;       ///< m
  double puncture_probability = 0.0; ///< P(puncture) under the scatter of F_p
  double strikes_per_cm2 = 0.0;      ///< per session
  double channels_per_cm2 = 0.0;     ///< strikes × puncture probability
  Drive drive = Drive::stroke;
  double speed = 0.0;                ///< needle speed at impact, m/s
  double force_per_needle = 0.0;     ///< force cap per needle, N (inf: none)
  double energy_per_needle = 0.0;    ///< energy cap per needle, J (inf: none)
  double support_radius = 0.0;       ///< m
  double shielding = 1.0;            ///< S: bed-of-nails factor on the puncture force
  double bending_length = 0.0;       ///< ℓ of the skin plate, m
  double plate_compliance = 0.0;     ///< C_p, m/N
  double stiffening = 1.0;           ///< φ_ve at this loading
  double energy_share = 0.0;         ///< applicator: share of the energy that went into the skin
};

namespace detail {
inline double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

/// ∫₀^d r(x) dx and ∫₀^d ∫₀^y r(x) dx dy for a needle measured from its tip (closed forms).
struct TaperIntegrals {
  double r_t, t, x_b, r_b;
  explicit TaperIntegrals(const Needle& n)
      : r_t(n.tip_radius), t(n.tan_half_angle()), r_b(std::max(n.base_radius(), n.tip_radius)) {
    x_b = t > 0.0 ? std::min(n.taper(), (r_b - r_t) / t) : 0.0;
  }
  double I(double d) const {
    if (d <= x_b) return r_t * d + 0.5 * t * d * d;
    return r_t * x_b + 0.5 * t * x_b * x_b + r_b * (d - x_b);
  }
  double J(double d) const {
    if (d <= x_b) return 0.5 * r_t * d * d + t * d * d * d / 6.0;
    const double e = d - x_b;
    return 0.5 * r_t * x_b * x_b + t * x_b * x_b * x_b / 6.0 + I(x_b) * e + 0.5 * r_b * e * e;
  }
};

/// A root of f in [lo, hi] with f(lo) < 0 <= f(hi) (f continuous): the Illinois variant of
/// regula falsi, to |hi − lo| < 1e-10 m (≈ 8 evaluations instead of bisection's 30).
template <class F>
inline double bracketed_root(F&& f, double lo, double hi) {
  double flo = f(lo), fhi = f(hi);
  if (!(flo < 0.0)) return lo;
  if (fhi < 0.0) return hi;
  int side = 0;
  for (int it = 0; it < 100 && hi - lo > 1e-10; ++it) {
    double m = (lo * fhi - hi * flo) / (fhi - flo);
    if (!(m > lo && m < hi)) m = 0.5 * (lo + hi);
    const double fm = f(m);
    if (fm >= 0.0) {
      hi = m, fhi = fm;
      if (side == 1) flo *= 0.5;
      side = 1;
    } else {
      lo = m, flo = fm;
      if (side == -1) fhi *= 0.5;
      side = -1;
    }
  }
  return lo;
}

}  // namespace detail

/// Median puncture force (N) of an isolated needle tip on a skin at speed v (m/s):
/// (a d_t + b d_t²) P_f √(μ_epi/μ_ref) / √(1 + v/v_c), d_t = 2 r_tip.
inline double puncture_force(const SkinProfile& skin, const Needle& n, double speed,
                             const PenetrationParams& p = {}) {
  const double phi = 1.0 + speed / p.critical_speed;
  const double dt = 2.0 * n.tip_radius;
  const double mu_ratio = epidermal_shear_modulus(skin) / p.reference_shear_modulus;
  return (p.force_per_tip_diameter * dt + p.force_per_tip_area * dt * dt) * n.perimeter_factor() *
         std::sqrt(mu_ratio) / std::sqrt(phi);
}

/// Bed-of-nails shielding S ≥ 1 of a needle among `neighbours` (offsets, m): the tent it
/// makes relative to the skin midway to its nearest neighbour, per unit force, is
/// 1 − g(s/2) − Σ_j [g(|o_j − m|) − g(|o_j|)] of an isolated needle's (g: Boussinesq decay of a
/// punch of radius a = the tip's contact radius at the rupture tent `tent`); S is its inverse
/// (≥ 1; averaged over tied nearest neighbours).
inline double shielding(const Needle& n, const std::vector<std::array<double, 2>>& neighbours,
                        double tent) {
  if (neighbours.empty()) return 1.0;
  // contact radius of the tip at the rupture tent: a cone indented by u touches the skin out to
  // a = (2/π) u tan α (Sneddon 1965), plus the tip radius; at most the base radius
  const double a = std::min(n.base_radius(), n.tip_radius + 2.0 / mech::pi * tent * n.tan_half_angle());
  double best = 1e300;
  for (const auto& o : neighbours) best = std::min(best, std::hypot(o[0], o[1]));
  // the local tent relative to the skin midway to a nearest neighbour, averaged over the tied
  // nearest neighbours (so the result does not depend on their order)
  double t = 0.0;
  int ties = 0;
  for (const auto& on : neighbours) {
    if (std::hypot(on[0], on[1]) > best * (1.0 + 1e-9)) continue;
    const double mx = 0.5 * on[0], my = 0.5 * on[1];
    double tj = 1.0 - mech::punch_decay(a, 0.5 * best);
    for (const auto& o : neighbours)
      tj -= mech::punch_decay(a, std::hypot(o[0] - mx, o[1] - my)) -
            mech::punch_decay(a, std::hypot(o[0], o[1]));
    t += tj;
    ++ties;
  }
  t /= ties;
  return std::max(1.0, 1.0 / std::max(0.05, t));
}

/// ∫₀^d v(z) dz (m): how far a channel runs through vascularised tissue.
inline double vascular_exposure(const SkinProfile& s, double d) {
  double top = 0.0, e = 0.0;
  for (int i = 0; i < n_layers && top < d; ++i) {
    const double bot = (i == n_layers - 1) ? std::max(d, top + s.layers[i].thickness)
                                           : top + s.layers[i].thickness;
    e += s.layers[i].vascular_access * (std::min(bot, d) - top);
    top = bot;
  }
  return e;
}

/// Everything about a (skin, device loading) pair that is the same for all its needles.
struct InsertionContext {
  Loading loading;
  mech::PlateResponse plate;
  double tearing_energy = 0.0;    ///< G_c of the skin, J/m²
  double phi_r = 1.0;             ///< rupture rate factor 1 + v/v_c
  double phi_ve = 1.0;            ///< viscoelastic stiffening over the loading time u_p0 / v
  double shield = 1.0;            ///< S
  double support_compliance = 0.0;  ///< C_s = C_p (1 − κ(R_sup/ℓ)) / φ_ve, m/N
  double bulk_compliance = 0.0;   ///< C_bulk = C_p A / φ_ve (array's common-mode sink), m/N
  double tip_force = 0.0;         ///< median F_p incl. S, N
  double local_tent = 0.0;        ///< u_c = u_p0 / φ_r, m
};

inline InsertionContext insertion_context(const SkinProfile& skin, const Loading& l,
                                          const PenetrationParams& p) {
  InsertionContext c;
  c.loading = l;
  c.plate = mech::plate_response(skin);
  c.tearing_energy = skin.tearing_energy;
  c.phi_r = 1.0 + l.speed / p.critical_speed;
  // loading time: the puncture tent covered at the needle's speed (independent of its length)
  const double t_load = l.speed > 0.0 ? p.puncture_displacement / l.speed : 1e300;
  c.phi_ve = mech::viscoelastic_stiffening(t_load, p.relaxed_fraction, p.relaxation_time);
  c.local_tent = p.puncture_displacement / c.phi_r;
  c.shield = shielding(l.needle, l.neighbours, c.local_tent);
  c.support_compliance = c.plate.compliance_to(l.support_radius) / c.phi_ve;
  double A = 1.0;
  for (const auto& o : l.neighbours) A += c.plate.kernel(std::hypot(o[0], o[1]));
  c.bulk_compliance = c.plate.point_compliance * A / c.phi_ve;
  c.tip_force = puncture_force(skin, l.needle, l.speed, p) * c.shield;
  return c;
}

/// The resistance, tent and work of one punctured needle as functions of its embedded depth d
/// (docs/model.md §3.3), for a puncture force `Fp` and a tearing-energy scatter `xi_depth`.
struct NeedleForces {
  const SkinProfile& skin;
  const InsertionContext& c;
  const Needle& n;
  double Fp, c_r, Gc, Pf, two_pi_tau;
  detail::TaperIntegrals ti;
  NeedleForces(const SkinProfile& s, const InsertionContext& ctx, const PenetrationParams& p, double fp,
               double xi_depth)
      : skin(s), c(ctx), n(ctx.loading.needle), Fp(fp), c_r(p.force_drop),
        Gc(ctx.tearing_energy * xi_depth), Pf(n.perimeter_factor()),
        two_pi_tau(2.0 * mech::pi * p.friction_stress * n.perimeter_factor()), ti(n) {}
  /// F_r(d) = c_r F_p + 2 G_c P_f (r(d) − r_tip) + 2π P_f τ_f ∫₀^d r dx, N.
  double resistance(double d) const {
    return c_r * Fp + 2.0 * Gc * Pf * (n.radius_at(d) - n.tip_radius) + two_pi_tau * ti.I(d);
  }
  /// τ(d): local indentation (a flat punch of the radius over which the buried length spreads
  /// its load, at most the rupture tent u_c: deforming the tissue further would tear it, which
  /// is what advancing is) plus the plate between needle and support, m.
  double tent(double d) const {
    const double a = std::max(n.radius_at(d), 0.5 * d);
    const double E = mech::loaded_modulus(skin, std::max(d, 2.0 * a));
    const double f = resistance(d);
    return std::min(c.local_tent, f * mech::punch_compliance(a, E) / c.phi_ve) + f * c.support_compliance;
  }
  /// ∫₀^d F_r dx (closed form), J.
  double work(double d) const {
    return c_r * Fp * d + 2.0 * Gc * Pf * (ti.I(d) - n.tip_radius * d) + two_pi_tau * ti.J(d);
  }
};

/// The mechanics of one needle. `xi_force`, `xi_depth`: multiplicative scatter of F_p and G_c
/// (1 for the median needle); `tilt`: the needle's tilt from the normal (rad).
inline NeedleResult penetrate_needle(const SkinProfile& skin, const InsertionContext& c,
                                     const PenetrationParams& p, double xi_force = 1.0,
                                     double xi_depth = 1.0, double tilt = 0.0) {
  const Loading& l = c.loading;
  const Needle& n = l.needle;
  NeedleResult r;
  r.tip_radius = n.tip_radius;
  r.available_force = l.force_per_needle;
  const double Fp = c.tip_force * xi_force;
  r.puncture_force = Fp;
  const double up = c.local_tent + Fp * c.support_compliance;
  r.puncture_tent = up;
  // energy to reach the puncture: the tent's work plus the array's common-mode elastic store
  const double Wd = 0.5 * Fp * up;
  const double Wp = Wd + 0.5 * Fp * Fp * c.bulk_compliance;
  if (!(l.force_per_needle >= Fp) || !(l.stroke > up) || !(l.energy_per_needle >= Wp)) {
    r.tent = std::min(l.stroke, up);
    return r;  // dimple only
  }
  r.punctured = true;
  const NeedleForces nf(skin, c, p, Fp, xi_depth);
  auto Fr = [&](double x) { return nf.resistance(x); };
  auto tent = [&](double x) { return nf.tent(x); };
  const double L = std::min(n.length, l.stroke);
  // force: where F_r reaches the force available per needle (F_r is increasing)
  double d = L;
  r.limit = InsertionLimit::stroke;
  bool force_limited = false;
  if (std::isfinite(l.force_per_needle) && Fr(L) > l.force_per_needle) {
    d = detail::bracketed_root([&](double x) { return Fr(x) - l.force_per_needle; }, 0.0, L);
    force_limited = true;
  }
  // stroke: the first depth at which the base meets the skin, d + τ(d) = s. d + τ need not be
  // monotone, but it lies between the increasing envelopes x + F_r C_s and x + u_c + F_r C_s:
  // the first crossing is inside [x_a, x_b] (their roots), scanned in steps of 2 µm (at most
  // u_c / 2 µm evaluations) and then solved in the first bracket.
  {
    auto hs = [&](double x) { return x + tent(x) - l.stroke; };
    auto hi_env = [&](double x) { return x + c.local_tent + Fr(x) * c.support_compliance - l.stroke; };
    auto lo_env = [&](double x) { return x + Fr(x) * c.support_compliance - l.stroke; };
    const double xa = hi_env(0.0) >= 0.0 ? 0.0 : (hi_env(L) < 0.0 ? L : detail::bracketed_root(hi_env, 0.0, L));
    if (xa < d) {
      const double xb = std::min(d, lo_env(L) < 0.0 ? L : detail::bracketed_root(lo_env, 0.0, L));
      const double h = 2e-6;
      double prev = xa;
      if (hs(xa) >= 0.0) {
        d = xa, force_limited = false;
      } else {
        for (double x = std::min(xa + h, xb);; x = std::min(x + h, xb)) {
          if (hs(x) >= 0.0) {
            d = detail::bracketed_root(hs, prev, x), force_limited = false;
            break;
          }
          if (x >= xb) break;
          prev = x;
        }
      }
    }
  }
  if (force_limited) r.limit = InsertionLimit::force;
  // energy: dissipated work plus the elastic store at the current force (counted once)
  auto work = [&](double x) { return Wd + nf.work(x); };
  if (std::isfinite(l.energy_per_needle)) {
    auto he = [&](double x) {
      const double f = Fr(x);
      return work(x) + 0.5 * f * f * c.bulk_compliance - l.energy_per_needle;
    };
    if (he(d) > 0.0) {
      d = detail::bracketed_root(he, 0.0, d);
      r.limit = InsertionLimit::energy;
    }
  }
  r.insertion_force = Fr(d);
  r.work = work(d);
  r.tent = tent(d);
  const double depth = d * std::cos(tilt);
  r.depth = depth;
  double rs = n.radius_at(d);
  if (l.sweep_radius > 0.0) {
    const double R = l.sweep_radius;
    const double pe = std::acos(R / (R + d));
    rs += R * pe * pe * pe / 3.0;  // half of the sweep 2 R φ_e³ / 3
  }
  r.surface_radius = std::max(rs, n.tip_radius);
  r.deepest_layer = skin.layer_at(std::max(0.0, depth * (1.0 - 1e-12)));
  r.vascular_exposure = vascular_exposure(skin, depth);
  r.bleeding = r.vascular_exposure >= p.bleeding_exposure && depth > 0.0;
  return r;
}

/// Largest scatter factor ξ of F_p at which a needle still punctures (0: none, inf: all).
inline double puncture_threshold(const InsertionContext& c) {
  const Loading& l = c.loading;
  const double F = c.tip_force;
  double x = l.force_per_needle / F;
  if (!(l.stroke > c.local_tent)) return 0.0;
  if (c.support_compliance > 0.0) x = std::min(x, (l.stroke - c.local_tent) / (F * c.support_compliance));
  if (std::isfinite(l.energy_per_needle)) {  // ½ξF u_c + ½(ξF)²(C_s + C_bulk) = E
    const double A = 0.5 * F * F * (c.support_compliance + c.bulk_compliance), B = 0.5 * F * c.local_tent;
    x = std::min(x, (-B + std::sqrt(B * B + 4.0 * A * l.energy_per_needle)) / (2.0 * A));
  }
  return x;
}

/// The median needle of a device on a skin, plus device-level numbers.
inline PenetrationSummary penetrate(const SkinProfile& skin, const Device& device,
                                    const PenetrationParams& p = {}) {
  skin.validate();
  p.validate();
  const InsertionContext c = insertion_context(skin, device.loading(), p);
  const Loading& l = c.loading;
  PenetrationSummary out;
  out.needle = penetrate_needle(skin, c, p);
  out.nominal_length = l.stroke;
  out.drive = l.drive;
  out.speed = l.speed;
  out.force_per_needle = l.force_per_needle;
  out.energy_per_needle = l.energy_per_needle;
  out.support_radius = l.support_radius;
  out.shielding = c.shield;
  out.bending_length = c.plate.bending_length;
  out.plate_compliance = c.plate.point_compliance;
  out.stiffening = c.phi_ve;
  if (std::isfinite(l.energy_per_needle)) out.energy_share = out.needle.work / l.energy_per_needle;
  // P(ξ ≤ ξ*) with ln ξ ~ N(−σ²/2, σ²)
  const double sig = std::sqrt(std::log(1.0 + p.puncture_force_cv * p.puncture_force_cv));
  const double xs = puncture_threshold(c);
  if (!(xs > 0.0)) out.puncture_probability = 0.0;
  else if (!std::isfinite(xs)) out.puncture_probability = 1.0;
  else if (sig == 0.0) out.puncture_probability = xs >= 1.0 ? 1.0 : 0.0;
  else out.puncture_probability = detail::normal_cdf((std::log(xs) + 0.5 * sig * sig) / sig);
  out.strikes_per_cm2 = device.strikes_per_area() * 1e-4;
  out.channels_per_cm2 = out.strikes_per_cm2 * out.puncture_probability;
  return out;
}

/// Per-event mechanics with needle-to-needle scatter from the counter-based RNG (stream
/// session·16 + 5, index = event number): bitwise reproducible for any thread count.
inline std::vector<NeedleResult> penetrate_events(const SkinProfile& skin, const Device& device,
                                                  const std::vector<PunctureEvent>& events,
                                                  std::uint64_t seed, std::uint64_t session,
                                                  const PenetrationParams& p = {}) {
  skin.validate();
  p.validate();
  const InsertionContext c = insertion_context(skin, device.loading(), p);
  const double sf = std::sqrt(std::log(1.0 + p.puncture_force_cv * p.puncture_force_cv));
  const double sd = std::sqrt(std::log(1.0 + p.tearing_energy_cv * p.tearing_energy_cv));
  const Philox rng(seed);
  const std::uint64_t st = detail::stream(session, 5);
  std::vector<NeedleResult> out(events.size());
  const long n = static_cast<long>(events.size());
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; ++i) {
    const double z1 = rng.normal(st, 2 * std::uint64_t(i));
    const double z2 = rng.normal(st, 2 * std::uint64_t(i) + 1);
    const double xf = std::exp(sf * z1 - 0.5 * sf * sf);
    const double xd = std::exp(sd * z2 - 0.5 * sd * sd);  // scatter of G_c (mean 1)
    out[i] = penetrate_needle(skin, c, p, xf, xd, events[i].angle);
  }
  return out;
}

/// Channels (punctured needles only) for the injury stage.
inline std::vector<Channel> to_channels(const std::vector<PunctureEvent>& events,
                                        const std::vector<NeedleResult>& res) {
  require_same_size("penetration results", res.size(), events.size());
  std::vector<Channel> ch;
  for (std::size_t i = 0; i < res.size(); ++i) {
    if (!res[i].punctured || !(res[i].depth > 0.0)) continue;
    Channel c;
    c.x = events[i].x;
    c.y = events[i].y;
    c.t = events[i].t;
    c.depth = res[i].depth;
    c.surface_radius = res[i].surface_radius;
    c.tip_radius = res[i].tip_radius;
    c.deepest_layer = res[i].deepest_layer;
    c.bleeding = res[i].bleeding;
    ch.push_back(c);
  }
  return ch;
}

}  // namespace dermasim
