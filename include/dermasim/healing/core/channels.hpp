// dermasim/healing/core/channels.hpp — core module: the open fraction of the
// channel mouths on the top plane, their inflammation-slowed closure, and
// (unsplit scheme) the exudate exchange of the cytokine and TGF-β through them
// (docs/model.md §5.2, §5.6).
#pragma once

#include <algorithm>
#include <vector>

#include "dermasim/core/field.hpp"
#include "dermasim/healing/species.hpp"
#include "dermasim/injury/injury_field.hpp"
#include "dermasim/numerics/transmissibility.hpp"

namespace dermasim::healing::core {

struct Channels {
  static constexpr const char* name = "channels";
  static constexpr const char* doc =
      "open channel area fraction on the surface, its closure, and the exudate "
      "loss through open channels";
  static std::vector<const char*> parameter_groups() { return {"channel.", "transport.exudate"}; }

  static std::vector<CoreSpecies> species() {
    return {CoreSpecies{sO, "open_fraction", "-", true, [](const HealingParameters&) { return 1e-5; }}};
  }

  /// Loss rate of the top cell through a Robin face of coefficient h (1/s): the exchange of
  /// every species with a top face (HealingKinetics::TopExchange: the cytokine's and TGF-β's
  /// exudate loss h_exudate·O through these channels, and the module species' faces).
  static double robin_rate(double h, double dz, double D) { return robin_transmissibility(h, dz, D) / dz; }

  static void rates(const KineticsContext& c, int, const Local& x, const double*, double* P, double* L) {
    const HealingParameters& q = *c.p;
    P[sO] = 0.0;  // the top plane only carries O
    L[sO] = c.k_close * (1.0 + q.a_I * hill(x.I, q.K_I));
  }

  /// The channel mouths open (independent fractions combine).
  static void on_injury(const HealingParameters&, const Baseline&, FieldSet& u, const InjuryField& inj, double) {
    for (std::size_t c = 0; c < u.grid().plane(); ++c) {
      const double o = std::clamp(inj.open_surface[c], 0.0, 1.0);
      u[sO][c] = 1.0 - (1.0 - u[sO][c]) * (1.0 - o);
    }
  }
};

}  // namespace dermasim::healing::core
