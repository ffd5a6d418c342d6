// dermasim/healing/baseline.hpp — the homeostatic state of the healing model on
// a grid and the terms derived from it per z-cell (docs/model.md §6.7): the
// basal TGF-β source, the fibroblast carrying capacity and the basal
// collagen/elastin synthesis are derived so that the unwounded state is an
// exact fixed point; a non-physical derived value is an invalid_argument.
#pragma once

#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/grid.hpp"
#include "dermasim/healing/parameters.hpp"
#include "dermasim/skin/layers.hpp"

namespace dermasim::healing {

/// Baseline (homeostatic) state and derived per-z-cell terms.
struct Baseline {
  std::vector<double> F0, C30, C10, E0, C0, v, kerat, epi, dermal;
  std::vector<double> sT0, q3, q1,
      qE;  ///< derived: basal TGF-β source, basal synthesis
  std::vector<int> layer;
  double K_F = 1.0;                          ///< derived fibroblast carrying capacity (relative)
  double H10 = 0.0, HE10 = 0.0, Hm10 = 0.0;  ///< basal Hill values (subtracted)
};

inline double hill(double T, double K) { return T / (K + T); }
inline double hill2(double T, double K) { return T * T / (K * K + T * T); }

inline Baseline derive_baseline(const SkinProfile& skin, const Grid& g, const HealingParameters& p) {
  skin.validate();
  p.validate();
  Baseline b;
  const int nz = g.nz();
  for (auto* v : {&b.F0, &b.C30, &b.C10, &b.E0, &b.C0, &b.v, &b.kerat, &b.epi, &b.dermal, &b.sT0, &b.q3, &b.q1, &b.qE})
    v->assign(nz, 0.0);
  b.layer.assign(nz, 0);
  const double T0 = p.T_basal;
  b.H10 = hill(T0, p.K_c);
  b.HE10 = hill(T0, p.K_E);
  b.Hm10 = hill2(T0, p.K_mT);
  const double r_eff = p.r_F * (1.0 + p.r_T * hill(T0, p.K_rT));
  if (!(p.mu_F < r_eff))
    throw invalid_argument(
        "derived fibroblast carrying capacity is non-physical: "
        "healing.fibroblast.apoptosis_rate = " +
        detail::fmt(p.mu_F / per_day) + " 1/day must be < the basal proliferation rate " +
        detail::fmt(r_eff / per_day) + " 1/day (valid range of apoptosis: [0, " + detail::fmt(r_eff / per_day) + "))");
  b.K_F = 1.0 / (1.0 - p.mu_F / r_eff);
  for (int k = 0; k < nz; ++k) {
    const Layer L = skin.layer_at(g.z_centres()[k]);
    const auto& lp = skin[L];
    b.layer[k] = static_cast<int>(L);
    b.F0[k] = lp.fibroblast_density;
    b.C0[k] = lp.collagen;
    b.C30[k] = p.collagen_III_fraction * lp.collagen;
    b.C10[k] = (1.0 - p.collagen_III_fraction) * lp.collagen;
    b.E0[k] = lp.elastin;
    b.v[k] = lp.vascular_access;
    b.kerat[k] = lp.keratinocyte;
    b.epi[k] = (L == Layer::stratum_corneum || L == Layer::viable_epidermis) ? 1.0 : 0.0;
    b.dermal[k] = 1.0 - b.epi[k];
    // basal TGF-β source so that T = T_basal is steady (uniform T:
    // diffusion-neutral)
    const double autocrine = p.sigma_TF * b.F0[k] * hill(T0, p.K_TT);
    b.sT0[k] = p.k_T * T0 - autocrine;
    if (b.sT0[k] < 0.0)
      throw invalid_argument("derived basal TGF-beta source is negative in the " + std::string(layer_name(L)) +
                             ": healing.tgf.fibroblast_secretion = " + detail::fmt(p.sigma_TF / (1e-9 * per_day)) +
                             " pg/cell/day is too large for healing.tgf.decay = " + detail::fmt(p.k_T / per_day) +
                             " 1/day at basal TGF-beta " + detail::fmt(T0) +
                             " ng/mL (valid range: sigma_TF*F0*T0/(K+T0) <= k_T*T0)");
    if (b.F0[k] > 0.0) {
      // synthesis drive S = 1, Λ = 1, G = 1, no maturation of baseline III at
      // baseline
      b.q3[k] = p.delta_C * b.C30[k] / (1.0 + p.a_3 * b.H10);
      b.q1[k] = p.delta_C * b.C10[k] / (1.0 + p.a_1 * b.H10);
      b.qE[k] = p.delta_E0 * b.E0[k] / (1.0 + p.a_E * b.HE10);
    } else if (b.C0[k] > 0.0 || b.E0[k] > 0.0) {
      throw invalid_argument("layer " + std::string(layer_name(L)) +
                             " has matrix but no fibroblasts (skin fibroblast_density = 0, "
                             "collagen = " +
                             detail::fmt(b.C0[k]) +
                             "): its baseline cannot be a "
                             "steady state; give it fibroblast_density > 0 (valid range (0, 1e15] "
                             "cells/m^3)");
    }
  }
  return b;
}

}  // namespace dermasim::healing
