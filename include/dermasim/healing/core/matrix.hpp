// dermasim/healing/core/matrix.hpp — core module: collagen III and I, mature
// elastin, tropoelastin and new elastic fibres, normalised like SkinProfile (1
// = dermal reference; docs/model.md §5.2).
#pragma once

#include <algorithm>
#include <vector>

#include "dermasim/healing/species.hpp"

namespace dermasim::healing::core {

struct Matrix {
  static constexpr const char* name = "matrix";
  static constexpr const char* doc =
      "collagen III and I (maturation III -> I), elastin, tropoelastin and new "
      "elastic fibres";
  static std::vector<const char*> parameter_groups() { return {"collagen.", "elastin."}; }

  static std::vector<CoreSpecies> species() {
    using P = const HealingParameters&;
    using B = const Baseline&;
    auto row = [](Species s, const char* n, double (*base)(P, B, int)) {
      CoreSpecies c{s, n, "normalised", false, [](P) { return 1e-5; }};
      c.baseline = base;
      c.injury = InjuryResponse::matrix;
      return c;
    };
    return {row(sC3, "collagen_III", [](P, B b, int k) { return b.C30[k]; }),
            row(sC1, "collagen_I", [](P, B b, int k) { return b.C10[k]; }),
            row(sE, "elastin", [](P, B b, int k) { return b.E0[k]; }), row(sTE, "tropoelastin", nullptr),
            row(sEn, "elastin_new", nullptr)};
  }

  /// The mature fibres (E) keep their homeostatic turnover; the TGF-β-driven
  /// synthesis above basal makes tropoelastin (TE), which is either assembled
  /// into new fibres (E_new) or degraded; fibres of both kinds are cut by
  /// neutrophil and macrophage elastases.
  static void rates(const KineticsContext& c, int k, const Local& x, const double* u, double* P, double* L) {
    const HealingParameters& q = *c.p;
    const Baseline& B = *c.b;
    const double T = x.T, C3 = x.C3, C1 = x.C1, n = x.n, mi = x.mi, mr = x.mr;
    const double S = x.f + q.eta_m * x.g;
    const double C0 = B.C0[k];
    const double C = C3 + C1;
    const double Lam = C0 > 0.0 ? C0 * (1.0 + q.K_Lambda) / (C + q.K_Lambda * C0) : 0.0;
    const double Hc = hill(T, q.K_c), dH = std::max(0.0, Hc - B.H10);
    const double G = 1.0 + q.g_M * (mi + mr) + q.g_N * n;
    const double excess3 = std::max(0.0, C3 - B.C30[k]);
    P[sC3] = S * Lam * (B.q3[k] * (1.0 + q.a_3 * Hc) + q.p_3 * C0 * dH);
    L[sC3] = q.delta_C * G + (C3 > 0.0 ? q.k_mat * excess3 / C3 : 0.0);
    P[sC1] = S * Lam * (B.q1[k] * (1.0 + q.a_1 * Hc) + q.p_1 * C0 * dH) + q.k_mat * excess3;
    L[sC1] = q.delta_C * G;
    const double HE = hill(T, q.K_E);
    const double elastase = q.delta_E0 + q.delta_EN * n + q.delta_EM * mi;
    P[sE] = S * B.qE[k] * (1.0 + q.a_E * HE);
    L[sE] = elastase;
    P[sTE] = S * q.p_E * B.E0[k] * std::max(0.0, HE - B.HE10);
    L[sTE] = q.k_assembly + q.k_TE_degradation;
    P[sEn] = q.k_assembly * u[sTE];
    L[sEn] = elastase;
  }
};

}  // namespace dermasim::healing::core
