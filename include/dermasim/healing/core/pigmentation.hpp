// dermasim/healing/core/pigmentation.hpp — core module: the epidermal
// inflammation dose Q = ∫ I/(K_pih + I) dt of the keratinocytes, which the
// post-inflammatory hyperpigmentation risk reads (docs/model.md §5.2).
#pragma once

#include <vector>

#include "dermasim/healing/species.hpp"

namespace dermasim::healing::core {

struct Pigmentation {
  static constexpr const char* name = "pigmentation";
  static constexpr const char* doc = "epidermal inflammation dose (the hyperpigmentation risk reads it)";
  static std::vector<const char*> parameter_groups() { return {"outcome.pih_"}; }

  static std::vector<CoreSpecies> species() {
    return {CoreSpecies{sQ, "pih_dose", "s", false, [](const HealingParameters&) { return 60.0; }}};
  }

  static void rates(const KineticsContext& c, int k, const Local& x, const double*, double* P, double* L) {
    P[sQ] = c.b->kerat[k] * hill(x.I, c.p->K_pih);
    L[sQ] = 0.0;
  }
};

}  // namespace dermasim::healing::core
