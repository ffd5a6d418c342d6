// dermasim/healing/core/growth_factors.hpp — core module: active TGF-β1 and the
// platelet TGF-β reservoir released by bleeding (docs/model.md §5.2).
#pragma once

#include <algorithm>
#include <vector>

#include "dermasim/core/field.hpp"
#include "dermasim/healing/species.hpp"
#include "dermasim/injury/injury_field.hpp"

namespace dermasim::healing::core {

struct GrowthFactors {
  static constexpr const char* name = "growth_factors";
  static constexpr const char* doc =
      "active TGF-beta1 and the platelet TGF-beta reservoir of the blood in "
      "the channels";
  static std::vector<const char*> parameter_groups() { return {"tgf.", "platelet."}; }

  static std::vector<CoreSpecies> species() {
    using P = const HealingParameters&;
    using B = const Baseline&;
    auto tol = [](P p) { return 1e-2 * std::min({p.K_c, p.K_chi_T, p.K_rT, 1.0}); };
    CoreSpecies T{sT, "tgf_beta", "ng/mL", false, tol};
    T.baseline = [](P p, B, int) { return p.T_basal; };
    T.D = [](P p, B b, int k) { return p.D_T * (b.epi[k] > 0 ? p.epidermal_D_factor : 1.0); };
    T.channel_exchange = true;
    CoreSpecies Bp{sB, "platelet_tgf", "ng/mL", false, tol};
    return {T, Bp};
  }

  static void rates(const KineticsContext& c, int k, const Local& x, const double* u, double* P, double* L) {
    const HealingParameters& q = *c.p;
    const Baseline& B = *c.b;
    const double F0 = B.F0[k], T = x.T;
    P[sT] = q.k_rel * u[sB] + q.sigma_TM * (q.f_TMI * x.MI + x.MR) +
            q.sigma_TF * F0 * (x.f + q.eta_m * x.g) * hill(T, q.K_TT) + B.sT0[k];
    L[sT] = q.k_T;
    P[sB] = 0.0;
    L[sB] = q.k_rel;
  }

  /// Blood fills the bleeding fraction of each voxel and brings its platelet
  /// TGF-β
  /// (`bleeding_factor` scales the blood: anticoagulants).
  static void on_injury(const HealingParameters& p, const Baseline&, FieldSet& u, const InjuryField& inj,
                        double bleeding_factor) {
    const std::size_t n = u.grid().size();
    for (std::size_t id = 0; id < n; ++id) {
      const double blood = std::min(1.0, bleeding_factor * std::max(0.0, inj.bleeding[id]));
      u[sB][id] += p.T_platelet * blood;
    }
  }
};

}  // namespace dermasim::healing::core
