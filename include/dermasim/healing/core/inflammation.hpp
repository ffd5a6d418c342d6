// dermasim/healing/core/inflammation.hpp — core module: damage, the
// pro-inflammatory cytokine, neutrophils and the two macrophage phenotypes
// (docs/model.md §5.2).
#pragma once

#include <algorithm>
#include <vector>

#include "dermasim/core/field.hpp"
#include "dermasim/healing/species.hpp"
#include "dermasim/injury/injury_field.hpp"

namespace dermasim::healing::core {

struct Inflammation {
  static constexpr const char* name = "inflammation";
  static constexpr const char* doc =
      "damage, the pro-inflammatory cytokine, neutrophils and "
      "inflammatory/repair macrophages";
  static std::vector<const char*> parameter_groups() {
    return {"damage.", "cytokine.", "neutrophil.", "macrophage.", "injury."};
  }

  // cytokines: 1 % of the smallest half-saturation that reads them; cells: ~1
  // cell/mm³
  static std::vector<CoreSpecies> species() {
    using P = const HealingParameters&;
    using B = const Baseline&;
    auto cell = [](Species s, const char* n, double (*D)(P, B, int)) {
      CoreSpecies c{s, n, "cells/m^3", false, nullptr};
      c.D = D;
      c.injury = InjuryResponse::cells;
      return c;
    };
    CoreSpecies dmg{sD, "damage", "-", false, [](P) { return 1e-4; }};
    CoreSpecies N = cell(sN, "neutrophils", [](P p, B b, int k) { return p.D_N * b.dermal[k]; });
    N.atol = [](P p) { return 1e-3 * p.N_ref; };
    N.up = sI;
    N.chi = [](P p, B b, int k) { return p.chi_ratio_N * p.D_N / p.K_chi_I * b.dermal[k]; };
    N.chi_K = [](P p) { return p.K_chi_I; };
    N.chi_ratio = [](P p) { return p.chi_ratio_N; };
    CoreSpecies MI = cell(sMI, "macrophages_inflammatory", [](P p, B b, int k) { return p.D_M * b.dermal[k]; });
    MI.atol = [](P p) { return 1e-3 * p.M_ref; };
    MI.up = sI;
    MI.chi = [](P p, B b, int k) { return p.chi_ratio_M * p.D_M / p.K_chi_I * b.dermal[k]; };
    MI.chi_K = [](P p) { return p.K_chi_I; };
    MI.chi_ratio = [](P p) { return p.chi_ratio_M; };
    CoreSpecies MR = cell(sMR, "macrophages_repair", [](P p, B b, int k) { return p.D_M * b.dermal[k]; });
    MR.atol = [](P p) { return 1e-3 * p.M_ref; };
    CoreSpecies I{sI, "cytokine", "ng/mL", false, [](P p) {
                    return 1e-2 * std::min({p.K_erythema, p.K_I, p.K_pih, p.K_chi_I});
                  }};
    I.D = [](P p, B b, int k) { return p.D_I * (b.epi[k] > 0 ? p.epidermal_D_factor : 1.0); };
    I.channel_exchange = true;
    return {dmg, N, MI, MR, I};
  }

  static void rates(const KineticsContext& c, int k, const Local& x, const double*, double* P, double* L) {
    const HealingParameters& q = *c.p;
    const Baseline& B = *c.b;
    const double D = x.D, I = x.I, T = x.T, n = x.n, mi = x.mi, mr = x.mr;
    const double v = B.v[k], epi = B.epi[k], kerat = B.kerat[k];
    // damage
    P[sD] = q.eps_N * q.mu_N * n * std::max(0.0, 1.0 - D);
    L[sD] = q.k_DN * n + q.k_DM * (mi + mr) + q.k_D0 + epi * q.k_reepi;
    // cytokine I
    P[sI] = q.sigma_IK * kerat * D + q.sigma_ID * (1.0 - epi) * D + q.sigma_IN * n + q.sigma_IM * mi;
    L[sI] = q.k_I + q.k_IR * mr / (q.K_IR + I);
    // neutrophils
    const double RN = I + q.a_ND * D;
    P[sN] = q.s_N * v * RN / (q.K_N + RN);
    L[sN] = q.mu_N + q.k_NM * (mi + mr);
    // macrophages
    const double RM = I + q.a_MD * D + q.a_MN * n;
    const double inflow = q.s_M * v * RM / (q.K_M + RM);
    const double ksw = q.k_sw0 * (1.0 + hill(T, q.K_sw)) * q.K_swD / (q.K_swD + D);
    P[sMI] = q.alpha * inflow;
    L[sMI] = ksw + q.mu_M;
    P[sMR] = (1.0 - q.alpha) * inflow + ksw * x.MI;
    L[sMR] = q.mu_M;
  }

  /// The lumen and halo are damaged (damage combines as independent fractions)
  /// and the injured keratinocytes release the alarm bolus of cytokine (§6.4).
  static void on_injury(const HealingParameters& p, const Baseline& b, FieldSet& u, const InjuryField& inj, double) {
    const Grid& g = u.grid();
    const std::size_t P = g.plane();
    for (int k = 0; k < g.nz(); ++k)
      for (std::size_t c = 0; c < P; ++c) {
        const std::size_t id = std::size_t(k) * P + c;
        const double phi = std::clamp(inj.damage[id], 0.0, 1.0);
        u[sD][id] = 1.0 - (1.0 - u[sD][id]) * (1.0 - phi);
        u[sI][id] += p.alarm_bolus * phi * b.kerat[k];
      }
  }
};

}  // namespace dermasim::healing::core
