// dermasim/healing/core/fibroblasts.hpp — core module: fibroblasts and
// myofibroblasts, relative to the layer's baseline density F₀(z) (docs/model.md
// §5.2).
#pragma once

#include <algorithm>
#include <vector>

#include "dermasim/healing/species.hpp"

namespace dermasim::healing::core {

struct Fibroblasts {
  static constexpr const char* name = "fibroblasts";
  static constexpr const char* doc = "fibroblasts (proliferation, TGF-beta chemotaxis) and myofibroblasts";
  static std::vector<const char*> parameter_groups() { return {"fibroblast."}; }

  static std::vector<CoreSpecies> species() {
    using P = const HealingParameters&;
    using B = const Baseline&;
    auto D = [](P p, B b, int k) { return b.F0[k] > 0 ? p.D_F * b.dermal[k] : 0.0; };
    CoreSpecies f{sF, "fibroblasts", "relative to F0(z)", false, [](P) { return 1e-4; }};
    f.baseline = [](P, B b, int k) { return b.F0[k] > 0 ? 1.0 : 0.0; };
    f.D = D;
    f.up = sT;
    f.chi = [](P p, B b, int k) { return b.F0[k] > 0 ? p.chi_ratio_F * p.D_F / p.K_chi_T * b.dermal[k] : 0.0; };
    f.chi_K = [](P p) { return p.K_chi_T; };
    f.chi_ratio = [](P p) { return p.chi_ratio_F; };
    f.injury = InjuryResponse::cells;
    CoreSpecies g{sFm, "myofibroblasts", "relative to F0(z)", false, [](P) { return 1e-4; }};
    g.D = D;
    g.injury = InjuryResponse::cells;
    return {f, g};
  }

  static void rates(const KineticsContext& c, int k, const Local& x, const double*, double* P, double* L) {
    const HealingParameters& q = *c.p;
    const Baseline& B = *c.b;
    const double T = x.T, f = x.f, g = x.g;
    const double r_eff = q.r_F * (1.0 + q.r_T * hill(T, q.K_rT));
    const double kdiff = q.k_m * std::max(0.0, hill2(T, q.K_mT) - B.Hm10);
    if (B.F0[k] > 0.0) {
      P[sF] = r_eff * f + q.k_rev * g;
      L[sF] = r_eff * (f + g) / B.K_F + kdiff + q.mu_F;
      P[sFm] = kdiff * f;
      L[sFm] = q.k_rev + q.mu_Fm;
    } else {
      P[sF] = P[sFm] = 0.0;
      L[sF] = L[sFm] = 0.0;
    }
  }
};

}  // namespace dermasim::healing::core
