// dermasim/mechanics/skin_response.hpp — how layered skin deflects under needles.
//
// Three linear-elastic pieces (docs/model.md §3.2 derives each and states its validity):
//
//  * Plate on a foundation (Olatunji 2013's beam-on-foundation analogy, made axisymmetric):
//    epidermis + dermis are a laminated plate of bending stiffness D (classical laminate
//    theory, ν = ½) resting on the subcutis, a Winkler foundation of modulus k = E_hy / h_sub.
//    A point force F deflects the plate by w(r) = F C_p κ(r/ℓ) with ℓ = (D/k)^{1/4} the
//    bending length, C_p = 1/(8 √(D k)) the point compliance and κ(x) = −(4/π) kei(x) the
//    Kelvin-function kernel (κ(0) = 1): the deflection field whose overlap between needles is
//    the bed-of-nails effect.
//  * Local indentation (Boussinesq / flat punch): the surface next to a needle that carries F
//    sinks by F (1 − ν²)/(2 a E) relative to distant skin, a the loaded radius and E = 3μ of
//    the tissue it loads; the indentation decays as (2/π) asin(a/r) (Johnson 1985, §3.2).
//  * Quasi-linear viscoelasticity (Wang 2015, mouse skin in compression: G∞ = 0.28,
//    τ₁ = 0.19 s): loaded over a time t the skin is stiffer than relaxed by
//    φ(t) = [G∞ + (1 − G∞)(τ₁/t)(1 − e^{−t/τ₁})] / G∞ (the mean of the relaxation function over
//    a ramp), 1 for slow loading up to 1/G∞ = 3.6 for impacts.
#pragma once

#include <algorithm>
#include <cmath>

#include "dermasim/skin/layers.hpp"

namespace dermasim::mech {

inline constexpr double pi = 3.14159265358979323846;
inline constexpr double poisson = 0.5;  ///< skin is nearly incompressible (ν = ½)

/// Kelvin function kei(x), x ≥ 0: the Abramowitz & Stegun 9.9.12 series for x ≤ 8 (|error|
/// < 1e-14 against scipy.special.kei, test), the leading asymptotic term 9.10.3 beyond (3 %
/// relative just above 8, 1.2 % at 10; |kei| < 4e-4 there, so the kernel error is < 2e-5).
inline double kelvin_kei(double x) {
  if (!(x > 0.0)) return -pi / 4.0;
  if (x > 8.0) {
    const double s = x / std::sqrt(2.0);
    return -std::sqrt(pi / (2.0 * x)) * std::exp(-s) * std::sin(s + pi / 8.0);  // kei(8) ≈ +3.7e-4
  }
  const double q = 0.25 * x * x;  // (x/2)²
  double ber = 0.0, bei = 0.0, tail = 0.0;
  double term_even = 1.0;  // (x/2)^{4k} / ((2k)!)²
  const double gamma = 0.5772156649015329;
  double harmonic_even = 0.0;  // H_{2k}
  for (int k = 0; k < 30; ++k) {
    const double n_even = 2.0 * k;
    // (x/2)^{4k+2} / ((2k+1)!)² from the even term
    const double term_odd = term_even * q / ((n_even + 1.0) * (n_even + 1.0));
    const double sign = (k % 2 == 0) ? 1.0 : -1.0;
    ber += sign * term_even;
    bei += sign * term_odd;
    // ψ(2k + 2) = −γ + H_{2k+1}
    const double h_odd = harmonic_even + 1.0 / (n_even + 1.0);
    tail += sign * (h_odd - gamma) * term_odd;
    harmonic_even = h_odd + 1.0 / (n_even + 2.0);
    term_even = term_odd * q / ((n_even + 2.0) * (n_even + 2.0));
    if (std::fabs(term_even) < 1e-18 * (std::fabs(ber) + 1.0) && k > 2) break;
  }
  return -std::log(0.5 * x) * bei - 0.25 * pi * ber + tail;
}

/// The plate-on-foundation response of a skin profile.
struct PlateResponse {
  double bending_stiffness = 0.0;  ///< D, N·m
  double foundation = 0.0;         ///< k, N/m³
  double bending_length = 0.0;     ///< ℓ = (D/k)^{1/4}, m
  double point_compliance = 0.0;   ///< C_p = 1/(8 √(D k)), m/N

  /// Deflection at distance r from a unit point force relative to its own deflection, κ(r/ℓ).
  double kernel(double r) const {
    return r <= 0.0 ? 1.0 : std::max(0.0, -4.0 / pi * kelvin_kei(r / bending_length));
  }
  /// Compliance (m/N) of the plate under a needle relative to a support at distance R: the
  /// deflection the needle's own force makes between it and the support, C_p (1 − κ(R/ℓ)).
  double compliance_to(double R) const { return point_compliance * (1.0 - kernel(R)); }
};

/// D from classical laminate theory about the neutral axis of SC + VE + PD + RD (E = 3μ,
/// ν = ½); k = 3 μ_HY / h_sub with h_sub the subcutis thickness (Winkler layer on muscle).
inline PlateResponse plate_response(const SkinProfile& s) {
  double z = 0.0, ez = 0.0, e = 0.0;
  for (int i = 0; i < 4; ++i) {
    const double t = s.layers[i].thickness, E = 3.0 * s.layers[i].shear_modulus;
    ez += E * t * (z + 0.5 * t);
    e += E * t;
    z += t;
  }
  const double zn = ez / e;
  double D = 0.0;
  z = 0.0;
  for (int i = 0; i < 4; ++i) {
    const double t = s.layers[i].thickness, E = 3.0 * s.layers[i].shear_modulus;
    const double c = z + 0.5 * t - zn;
    D += E * (t * t * t / 12.0 + t * c * c);
    z += t;
  }
  D /= (1.0 - poisson * poisson);
  PlateResponse r;
  r.bending_stiffness = D;
  r.foundation = 3.0 * s[Layer::hypodermis].shear_modulus / s.subcutis_thickness;
  r.bending_length = std::pow(D / r.foundation, 0.25);
  r.point_compliance = 1.0 / (8.0 * std::sqrt(D * r.foundation));
  return r;
}

/// Young's modulus (Pa) of the tissue a needle loads down to depth `depth`: E = 3μ averaged
/// over the layers above it by thickness.
inline double loaded_modulus(const SkinProfile& s, double depth) {
  depth = std::max(depth, 1e-7);
  double top = 0.0, acc = 0.0;
  for (int i = 0; i < n_layers && top < depth; ++i) {
    const double bot = (i == n_layers - 1) ? depth : std::min(depth, top + s.layers[i].thickness);
    acc += 3.0 * s.layers[i].shear_modulus * (bot - top);
    top = bot;
  }
  return acc / depth;
}

/// Flat-punch compliance (1 − ν²)/(2 a E), m/N.
inline double punch_compliance(double a, double E) { return (1.0 - poisson * poisson) / (2.0 * a * E); }

/// Boussinesq decay of a punch of radius a at distance r: (2/π) asin(min(1, a/r)).
inline double punch_decay(double a, double r) {
  return r <= a ? 1.0 : 2.0 / pi * std::asin(a / r);
}

/// QLV stiffening of skin loaded over a time t (s): 1 (t → ∞) … 1/G∞ (t → 0).
inline double viscoelastic_stiffening(double t, double g_inf, double tau) {
  if (!(t > 0.0)) return 1.0 / g_inf;
  const double x = t / tau;
  const double ramp = x < 1e-6 ? 1.0 - 0.5 * x : (1.0 - std::exp(-x)) / x;
  return (g_inf + (1.0 - g_inf) * ramp) / g_inf;
}

}  // namespace dermasim::mech
