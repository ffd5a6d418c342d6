// dermasim/healing/core/flare.hpp — core module: the neurogenic flare, an
// axon-reflex vasodilation around each puncture through the epidermis that
// fades within hours (docs/model.md §5.9).
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "dermasim/core/field.hpp"
#include "dermasim/healing/species.hpp"
#include "dermasim/injury/injury_field.hpp"

namespace dermasim::healing::core {

struct Flare {
  static constexpr const char* name = "flare";
  static constexpr const char* doc =
      "neurogenic flare: the flared fraction of "
      "the skin, set by the puncture density";
  static std::vector<const char*> parameter_groups() { return {"flare."}; }

  static std::vector<CoreSpecies> species() {
    return {CoreSpecies{sFl, "flare", "-", true, [](const HealingParameters&) { return 1e-4; }}};
  }

  static void rates(const KineticsContext& c, int, const Local&, const double*, double* P, double* L) {
    P[sFl] = 0.0;
    L[sFl] = c.p->k_flare;
  }

  /// Each puncture flares flare_area around it; s = 1 − exp(−n A) of the skin
  /// flares (Poisson coverage), combined with what still flares.
  static void on_injury(const HealingParameters& p, const Baseline&, FieldSet& u, const InjuryField& inj, double) {
    const double s_flare = -std::expm1(-inj.channels_per_cm2 * 1e4 * p.flare_area);
    for (std::size_t c = 0; c < u.grid().plane(); ++c) u[sFl][c] = 1.0 - (1.0 - u[sFl][c]) * (1.0 - s_flare);
  }
};

}  // namespace dermasim::healing::core
