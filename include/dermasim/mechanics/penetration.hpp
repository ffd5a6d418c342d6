// dermasim/mechanics/penetration.hpp — a reduced, physics-based needle insertion model.
//
// Per needle (docs/model.md §3 derives it and lists every parameter with its source):
//
//  1. Puncture. The tip punctures when the force it transmits reaches
//        F_p = (a d_t + b d_t²) · P_f · √(μ_epi/μ_ref) · φ(v)^(−1/2) · ξ,   d_t = 2 r_tip,
//     (a, b fitted to Römgens 2014: 20 mN at 5 µm, 167 mN at 37 µm; the b d² term is the
//     interfacial-area law of Davis 2004, dominant for blunt tips), φ(v) = 1 + v/v_c the
//     rate-stiffening of skin at impact speed v, ξ a log-normal needle-to-needle scatter.
//     Before puncture the surface tents by u_p = u_p0/φ (Römgens 2014: ≈ 160 µm quasi-static).
//     A needle whose available force (device force / needles loaded together) is below F_p,
//     or whose stroke is shorter than u_p, only dimples the skin.
//  2. Depth. After puncture the needle wedges a crack open as its taper widens; the resisting
//     force F_r(d) = c_r F_p + 2 G_c P_f (r(d) − r_tip) is carried by the skin plate (dermis,
//     bending stiffness D) on the soft hypodermis (Winkler modulus k_w): a beam/plate on an
//     elastic foundation (Olatunji 2013), point stiffness K = 8 √(D k_w), shared with the
//     needles loaded at once through the plate kernel g(r) (bed-of-nails factor A = Σ g), and
//     stiffened dynamically by φ. The embedded depth d solves
//        d + ρ u_p + A F_r(d) / (φ K) = s          (s = stroke: needle length or pen setting)
//     capped where F_r(d) reaches the force available per needle (hand-driven devices).
//     G_c (the only fitted constant of this step) reproduces Kalluri 2011 (770 µm → 152.5 µm).
//  3. Channel. Lumen radius r(d) at the surface plus, for a roller, half the sweep of the
//     needle as the drum rolls (2 R φ_e³/3, φ_e = acos(R/(R + d))), tip radius r_tip; deepest
//     layer; bleeding when the vascular exposure ∫₀^d v(z) dz reaches ℓ_b (capillary loops of
//     the papillary dermis, v = 1; reticular vessels v = 0.5).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/rng.hpp"
#include "dermasim/device/device.hpp"
#include "dermasim/injury/injury_field.hpp"
#include "dermasim/skin/layers.hpp"
#include "dermasim/skin/presets.hpp"

namespace dermasim {

/// Parameters of the penetration model (SI). Sources: docs/model.md §3, table "Penetration".
struct PenetrationParams {
  double force_per_tip_diameter = 3.9184e3;  ///< a, N/m (Römgens 2014 fit)
  double force_per_tip_area = 1.6047e7;      ///< b, N/m² (Römgens 2014 fit; Davis 2004 area law)
  double reference_shear_modulus = 0.28e6;   ///< μ_ref of the epidermis of ex vivo skin, Pa [P]
  double puncture_displacement = 160e-6;     ///< u_p0, m (Römgens 2014)
  double critical_speed = 0.2;               ///< v_c of rate stiffening, m/s [P]
  double residual_tent = 0.5;                ///< ρ: tent kept after the force drop [P]
  double force_drop = 0.5;                   ///< c_r: post-puncture / puncture force [P]
  double tearing_energy = 7.32e3;            ///< G_c, J/m² (fitted to Kalluri 2011)
  double tent_radius = 0.5e-3;               ///< ℓ_t of the load-sharing kernel, m [P]
  double puncture_force_cv = 0.25;           ///< log-normal scatter of F_p [P]
  double tearing_energy_cv = 0.08;           ///< scatter of G_c; gives depth CV ≈ 6 % (Kalluri 2011: 9.6/152.5)
  double bleeding_exposure = 75e-6;          ///< ℓ_b, m of capillary-loop dermis [P] (half the papillary dermis)

  void validate() const {
    require_range("penetration.force_per_tip_diameter", force_per_tip_diameter, 0.0, 1e6, "N/m");
    require_range("penetration.force_per_tip_area", force_per_tip_area, 0.0, 1e10, "N/m^2");
    require_range("penetration.reference_shear_modulus", reference_shear_modulus, 1e3, 1e9, "Pa");
    require_range("penetration.puncture_displacement", puncture_displacement, 0.0, 2e-3, "m");
    require_range("penetration.critical_speed", critical_speed, 1e-4, 100.0, "m/s");
    require_range("penetration.residual_tent", residual_tent, 0.0, 1.0);
    require_range("penetration.force_drop", force_drop, 0.0, 1.0);
    require_range("penetration.tearing_energy", tearing_energy, 1.0, 1e6, "J/m^2");
    require_range("penetration.tent_radius", tent_radius, 1e-5, 0.1, "m");
    require_range("penetration.puncture_force_cv", puncture_force_cv, 0.0, 2.0);
    require_range("penetration.tearing_energy_cv", tearing_energy_cv, 0.0, 1.0);
    require_range("penetration.bleeding_exposure", bleeding_exposure, 0.0, 5e-3, "m");
  }
};

/// What happens to one needle.
struct NeedleResult {
  bool punctured = false;
  double depth = 0.0;           ///< real channel depth below the undeformed surface, m
  double surface_radius = 0.0;  ///< lumen radius at the surface, m
  double tip_radius = 0.0;      ///< lumen radius at the bottom, m
  double tent = 0.0;            ///< surface depression at full stroke, m
  double puncture_force = 0.0;  ///< F_p, N
  double insertion_force = 0.0; ///< F_r at the final depth, N
  double available_force = 0.0; ///< force per needle the device can give, N (inf: stroke-driven)
  double vascular_exposure = 0.0;  ///< ∫₀^d v dz, m
  Layer deepest_layer = Layer::stratum_corneum;
  bool bleeding = false;
};

/// Device-level summary of the mean needle (no scatter).
struct PenetrationSummary {
  NeedleResult needle;               ///< the median needle
  double nominal_length = 0.0;       ///< m
  double puncture_probability = 0.0; ///< P(F_available ≥ F_p) under the scatter
  double strikes_per_cm2 = 0.0;      ///< per session
  double channels_per_cm2 = 0.0;     ///< strikes × puncture probability
  double array_factor = 1.0;         ///< A (bed of nails)
  double foundation_stiffness = 0.0; ///< K, N/m
  double speed = 0.0;                ///< impact speed, m/s
};

namespace detail {
inline double plate_kernel(double r) { return std::exp(-r) * (std::cos(r) + std::sin(r)); }
inline double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
}  // namespace detail

/// Median puncture force (N) of a needle tip on a skin at impact speed v (m/s):
/// F_p = (a d_t + b d_t²) P_f √(μ_epi/μ_ref) / √(1 + v/v_c), d_t = 2 r_tip.
inline double puncture_force(const SkinProfile& skin, const Needle& n, double speed,
                             const PenetrationParams& p = {}) {
  const double phi = 1.0 + speed / p.critical_speed;
  const double dt = 2.0 * n.tip_radius;
  const double mu_ratio = epidermal_shear_modulus(skin) / p.reference_shear_modulus;
  return (p.force_per_tip_diameter * dt + p.force_per_tip_area * dt * dt) * n.perimeter_factor() *
         std::sqrt(mu_ratio) / std::sqrt(phi);
}

/// Point stiffness (N/m) of the skin plate (epidermis + dermis) on the hypodermis foundation:
/// K = 8 √(D k_w), D = E h³ / (12 (1 − ν²)), E = 3 μ (ν = 1/2), k_w = 3 μ_hy / h_hy.
inline double foundation_stiffness(const SkinProfile& s) {
  double h = 0.0, eh = 0.0;
  for (int i = 0; i < 4; ++i) {
    h += s.layers[i].thickness;
    eh += 3.0 * s.layers[i].shear_modulus * s.layers[i].thickness;
  }
  const double E = eh / h;
  const double D = E * h * h * h / (12.0 * 0.75);
  const auto& hy = s[Layer::hypodermis];
  const double kw = 3.0 * hy.shear_modulus / hy.thickness;
  return 8.0 * std::sqrt(D * kw);
}

/// Bed-of-nails factor A = max(1, 1 + Σ g(|o|/ℓ_t)) for the needles loaded together.
inline double array_factor(const Loading& l, const PenetrationParams& p) {
  double a = 1.0;
  for (const auto& o : l.neighbours) a += detail::plate_kernel(std::hypot(o[0], o[1]) / p.tent_radius);
  return std::max(1.0, a);
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

/// The mechanics of one needle. `xi_force` and `xi_depth` are the multiplicative scatter
/// factors (1 for the median needle); `tilt` the needle's tilt from the normal (rad).
inline NeedleResult penetrate_needle(const SkinProfile& skin, const Loading& l, double A,
                                     double K, const PenetrationParams& p, double xi_force = 1.0,
                                     double xi_depth = 1.0, double tilt = 0.0) {
  const Needle& n = l.needle;
  NeedleResult r;
  const double phi = 1.0 + l.speed / p.critical_speed;
  r.puncture_force = puncture_force(skin, n, l.speed, p) * xi_force;
  r.available_force = l.force_per_needle;
  const double up = p.puncture_displacement / phi;
  r.tip_radius = n.tip_radius;
  if (!(l.force_per_needle >= r.puncture_force) || l.stroke <= up) {
    r.tent = std::min(l.stroke, up);
    return r;  // dimple only
  }
  r.punctured = true;
  const double Keff = phi * K / A;
  const double Gc = p.tearing_energy * xi_depth;
  auto Fr = [&](double d) {
    return p.force_drop * r.puncture_force + 2.0 * Gc * n.perimeter_factor() * (n.radius_at(d) - n.tip_radius);
  };
  const double s = l.stroke;
  const double hi0 = std::min(n.length, s - p.residual_tent * up);
  auto h = [&](double d) { return d + p.residual_tent * up + Fr(d) / Keff - s; };
  double lo = 0.0, hi = std::max(0.0, hi0);
  if (h(hi) > 0.0) {
    for (int it = 0; it < 60; ++it) {
      const double m = 0.5 * (lo + hi);
      (h(m) > 0.0 ? hi : lo) = m;
    }
  }
  double d = lo;
  // force-limited (hand-driven) devices: F_r(d) <= available force
  if (std::isfinite(l.force_per_needle) && Fr(d) > l.force_per_needle) {
    double a = 0.0, b = d;
    for (int it = 0; it < 60; ++it) {
      const double m = 0.5 * (a + b);
      (Fr(m) > l.force_per_needle ? b : a) = m;
    }
    d = a;
  }
  r.insertion_force = Fr(d);
  r.tent = s - d;
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

/// The median needle of a device on a skin, plus device-level numbers.
inline PenetrationSummary penetrate(const SkinProfile& skin, const Device& device,
                                    const PenetrationParams& p = {}) {
  skin.validate();
  p.validate();
  const Loading l = device.loading();
  PenetrationSummary out;
  out.array_factor = array_factor(l, p);
  out.foundation_stiffness = foundation_stiffness(skin);
  out.speed = l.speed;
  out.nominal_length = l.stroke;
  out.needle = penetrate_needle(skin, l, out.array_factor, out.foundation_stiffness, p);
  // P(F_avail >= F_p ξ) with ln ξ ~ N(−σ²/2, σ²)
  const double sig = std::sqrt(std::log(1.0 + p.puncture_force_cv * p.puncture_force_cv));
  if (!std::isfinite(l.force_per_needle)) {
    out.puncture_probability = l.stroke > p.puncture_displacement / (1.0 + l.speed / p.critical_speed) ? 1.0 : 0.0;
  } else if (sig == 0.0) {
    out.puncture_probability = out.needle.punctured ? 1.0 : 0.0;
  } else {
    const double fp = out.needle.punctured || out.needle.puncture_force > 0
                          ? out.needle.puncture_force : 1e-300;
    const double z = (std::log(l.force_per_needle / fp) - 0.5 * sig * sig) / sig;
    out.puncture_probability = detail::normal_cdf(z);
    if (l.stroke <= p.puncture_displacement / (1.0 + l.speed / p.critical_speed)) out.puncture_probability = 0.0;
  }
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
  const Loading l = device.loading();
  const double A = array_factor(l, p), K = foundation_stiffness(skin);
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
    out[i] = penetrate_needle(skin, l, A, K, p, xf, xd, events[i].angle);
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
