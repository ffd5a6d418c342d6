// dermasim/healing/model.hpp — the healing and remodelling PDE system (docs/model.md §5).
//
// Species (SoA fields on the Grid; units in brackets):
//   damage D [−], neutrophils N [cells/m³], inflammatory / repair macrophages M_I, M_R
//   [cells/m³], pro-inflammatory cytokine I [ng/mL], active TGF-β1 T [ng/mL], platelet
//   TGF-β reservoir B [ng/mL], fibroblasts f and myofibroblasts g [relative to the layer's
//   baseline fibroblast density F₀(z)], collagen III / I and elastin [normalised like
//   SkinProfile: 1 = dermal reference], open channel area fraction O [−, top plane only] and
//   the epidermal inflammation dose Q [s] (∫ I/(K+I) dt, for the pigmentation risk).
//
// Time integration (HealingScheme, docs/numerics.md §5):
//   unsplit (default): chemotaxis ½ · lateral diffusion ½ · [kinetics + z diffusion, unsplit
//     MPRK22, numerics/patankar_rd.hpp] 1 · lateral diffusion ½ · chemotaxis ½. The exchange
//     through open channels, h·O·(c − 0) for I and T, is a loss of the top cell inside the
//     kinetics. Used with local extrapolation of the step-doubling pair.
//   split (the first scheme, kept for cross-checks): reaction ½ · chemotaxis 1 · diffusion 1
//     (LOD, per-column top Robin) · reaction ½; first order.
// Both: positive Patankar kinetics; layer-dependent D (0 for dermal cells in SC/VE);
// receptor-law chemotaxis (N, M_I up ∇I; f up ∇T; χ₀ = 0 in SC/VE).
// Homeostasis by construction (§6.7): the basal TGF-β source, the fibroblast carrying capacity
// and the basal collagen/elastin synthesis are derived per z-cell so that the unwounded state
// is an exact fixed point; a non-physical derived value is an invalid_argument.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/field.hpp"
#include "dermasim/core/grid.hpp"
#include "dermasim/healing/parameters.hpp"
#include "dermasim/injury/injury_field.hpp"
#include "dermasim/model/module.hpp"
#include "dermasim/numerics/chemotaxis.hpp"
#include "dermasim/numerics/diffusion.hpp"
#include "dermasim/numerics/patankar_rd.hpp"
#include "dermasim/numerics/reaction.hpp"
#include "dermasim/numerics/splitting.hpp"
#include "dermasim/numerics/transmissibility.hpp"
#include "dermasim/skin/layers.hpp"

namespace dermasim::healing {

enum Species : std::size_t {
  sD = 0, sN, sMI, sMR, sI, sT, sB, sF, sFm, sC3, sC1, sE, sO, sQ, sTE, sEn, sFl, n_species
};

/// One core species: its name, unit, whether it lives on the top plane only, and its absolute
/// tolerance for the step controller (from the parameters). The one declaration the names,
/// units, tolerances, the Python catalog and the files read; the order is `Species`.
struct CoreSpecies {
  Species id;
  const char* name;
  const char* unit;
  bool surface;
  double (*atol)(const HealingParameters&);
};
inline const std::array<CoreSpecies, n_species>& core_species();

inline std::vector<std::string> species_names() {
  std::vector<std::string> n;
  for (const auto& s : core_species()) n.push_back(s.name);
  return n;
}
inline std::vector<std::string> species_units() {
  std::vector<std::string> u;
  for (const auto& s : core_species()) u.push_back(s.unit);
  return u;
}

/// Time integration of the healing model (see the file comment).
enum class HealingScheme { unsplit, split };

inline HealingScheme parse_scheme(const std::string& name) {
  if (name == "unsplit") return HealingScheme::unsplit;
  if (name == "split") return HealingScheme::split;
  throw invalid_argument("numerics.scheme = '" + name + "' is not a scheme; valid: 'unsplit', 'split'");
}
inline const char* to_string(HealingScheme s) { return s == HealingScheme::unsplit ? "unsplit" : "split"; }

/// Patient descriptors beyond SkinProfile (age, phototype and sex live there).
struct PatientFactors {
  bool diabetes = false;
  bool anticoagulants = false;  ///< anticoagulant therapy or a clotting disorder
  bool smoking = false;         ///< current smoker: less collagen synthesis (Jorgensen 1998)
  // contraindications: no mechanism modelled, only warnings
  bool pregnancy = false;
  bool active_infection = false;
  bool active_acne = false;
  bool eczema_flare = false;
  bool rosacea_flare = false;
  bool isotretinoin = false;  ///< within the last 6 months

  /// Every flag with its dotted name (under "patient.") and doc: the one declaration the
  /// bindings and the Python `Patient` type are built from.
  struct Field {
    const char* name;
    bool PatientFactors::*member;
    const char* doc;
  };
  static const std::vector<Field>& fields() {
    static const std::vector<Field> f = {
        {"diabetes", &PatientFactors::diabetes, "slower switch to repair macrophages, less proliferation"},
        {"anticoagulants", &PatientFactors::anticoagulants, "anticoagulant therapy or a clotting disorder (more bleeding)"},
        {"smoking", &PatientFactors::smoking, "current smoker (collagen synthesis x 0.556, Jorgensen 1998)"},
        {"pregnancy", &PatientFactors::pregnancy, "contraindication (warning only)"},
        {"active_infection", &PatientFactors::active_infection, "contraindication (warning only)"},
        {"active_acne", &PatientFactors::active_acne, "contraindication (warning only)"},
        {"eczema_flare", &PatientFactors::eczema_flare, "contraindication (warning only)"},
        {"rosacea_flare", &PatientFactors::rosacea_flare, "contraindication (warning only)"},
        {"isotretinoin", &PatientFactors::isotretinoin, "within the last 6 months (warning only)"},
    };
    return f;
  }

  std::vector<std::string> warnings() const {
    std::vector<std::string> w;
    if (pregnancy) w.push_back("contraindication: pregnancy (no safety data; not modelled)");
    if (active_infection)
      w.push_back("contraindication: active skin infection at the site (risk of spread; not modelled)");
    if (active_acne)
      w.push_back("contraindication: active inflammatory acne (risk of spread; not modelled)");
    if (eczema_flare) w.push_back("contraindication: eczema flare at the site (not modelled)");
    if (rosacea_flare) w.push_back("contraindication: rosacea flare at the site (not modelled)");
    if (isotretinoin)
      w.push_back("contraindication: isotretinoin within 6 months (impaired healing reported; not modelled)");
    return w;
  }
};

/// Patient-adjusted copy of the parameters (mechanisms: age, diabetes).
inline HealingParameters effective_parameters(HealingParameters p, const SkinProfile& skin,
                                              const PatientFactors& pt) {
  const double age = std::clamp(1.0 - p.age_slope * (skin.age_years - 40.0), 0.3, 1.5);
  p.r_F *= age;
  p.p_3 *= age;
  p.p_1 *= age;
  if (pt.smoking) {  // synthesis per activated fibroblast (Jorgensen 1998: 1.8x less deposition)
    p.p_3 *= p.smoking_synthesis_factor;
    p.p_1 *= p.smoking_synthesis_factor;
  }
  if (pt.diabetes) {
    p.alpha = p.diabetes_alpha;
    p.k_sw0 *= p.diabetes_switch_factor;
    p.r_F *= p.diabetes_prolif_factor;
  }
  return p;
}

/// Baseline (homeostatic) state and derived per-z-cell terms.
struct Baseline {
  std::vector<double> F0, C30, C10, E0, C0, v, kerat, epi, dermal;
  std::vector<double> sT0, q3, q1, qE;  ///< derived: basal TGF-β source, basal synthesis
  std::vector<int> layer;
  double K_F = 1.0;                     ///< derived fibroblast carrying capacity (relative)
  double H10 = 0.0, HE10 = 0.0, Hm10 = 0.0;  ///< basal Hill values (subtracted)
};

inline double hill(double T, double K) { return T / (K + T); }
inline double hill2(double T, double K) { return T * T / (K * K + T * T); }

inline Baseline derive_baseline(const SkinProfile& skin, const Grid& g, const HealingParameters& p) {
  skin.validate();
  p.validate();
  Baseline b;
  const int nz = g.nz();
  for (auto* v : {&b.F0, &b.C30, &b.C10, &b.E0, &b.C0, &b.v, &b.kerat, &b.epi, &b.dermal, &b.sT0,
                  &b.q3, &b.q1, &b.qE})
    v->assign(nz, 0.0);
  b.layer.assign(nz, 0);
  const double T0 = p.T_basal;
  b.H10 = hill(T0, p.K_c);
  b.HE10 = hill(T0, p.K_E);
  b.Hm10 = hill2(T0, p.K_mT);
  const double r_eff = p.r_F * (1.0 + p.r_T * hill(T0, p.K_rT));
  if (!(p.mu_F < r_eff))
    throw invalid_argument(
        "derived fibroblast carrying capacity is non-physical: healing.fibroblast.apoptosis_rate = " +
        detail::fmt(p.mu_F / per_day) + " 1/day must be < the basal proliferation rate " +
        detail::fmt(r_eff / per_day) + " 1/day (valid range of apoptosis: [0, " +
        detail::fmt(r_eff / per_day) + "))");
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
    // basal TGF-β source so that T = T_basal is steady (uniform T: diffusion-neutral)
    const double autocrine = p.sigma_TF * b.F0[k] * hill(T0, p.K_TT);
    b.sT0[k] = p.k_T * T0 - autocrine;
    if (b.sT0[k] < 0.0)
      throw invalid_argument(
          "derived basal TGF-beta source is negative in the " + std::string(layer_name(L)) +
          ": healing.tgf.fibroblast_secretion = " + detail::fmt(p.sigma_TF / (1e-9 * per_day)) +
          " pg/cell/day is too large for healing.tgf.decay = " + detail::fmt(p.k_T / per_day) +
          " 1/day at basal TGF-beta " + detail::fmt(T0) + " ng/mL (valid range: sigma_TF*F0*T0/(K+T0) <= k_T*T0)");
    if (b.F0[k] > 0.0) {
      // synthesis drive S = 1, Λ = 1, G = 1, no maturation of baseline III at baseline
      b.q3[k] = p.delta_C * b.C30[k] / (1.0 + p.a_3 * b.H10);
      b.q1[k] = p.delta_C * b.C10[k] / (1.0 + p.a_1 * b.H10);
      b.qE[k] = p.delta_E0 * b.E0[k] / (1.0 + p.a_E * b.HE10);
    } else if (b.C0[k] > 0.0 || b.E0[k] > 0.0) {
      throw invalid_argument("layer " + std::string(layer_name(L)) +
                             " has matrix but no fibroblasts (skin fibroblast_density = 0, "
                             "collagen = " + detail::fmt(b.C0[k]) + "): its baseline cannot be a "
                             "steady state; give it fibroblast_density > 0 (valid range (0, 1e15] cells/m^3)");
    }
  }
  return b;
}

// cytokines: 1 % of the smallest half-saturation that reads them; cells: ~1 cell/mm³
inline const std::array<CoreSpecies, n_species>& core_species() {
  using P = const HealingParameters&;
  static const std::array<CoreSpecies, n_species> t = {{
      {sD, "damage", "-", false, [](P) { return 1e-4; }},
      {sN, "neutrophils", "cells/m^3", false, [](P p) { return 1e-3 * p.N_ref; }},
      {sMI, "macrophages_inflammatory", "cells/m^3", false, [](P p) { return 1e-3 * p.M_ref; }},
      {sMR, "macrophages_repair", "cells/m^3", false, [](P p) { return 1e-3 * p.M_ref; }},
      {sI, "cytokine", "ng/mL", false, [](P p) { return 1e-2 * std::min({p.K_erythema, p.K_I, p.K_pih, p.K_chi_I}); }},
      {sT, "tgf_beta", "ng/mL", false, [](P p) { return 1e-2 * std::min({p.K_c, p.K_chi_T, p.K_rT, 1.0}); }},
      {sB, "platelet_tgf", "ng/mL", false, [](P p) { return 1e-2 * std::min({p.K_c, p.K_chi_T, p.K_rT, 1.0}); }},
      {sF, "fibroblasts", "relative to F0(z)", false, [](P) { return 1e-4; }},
      {sFm, "myofibroblasts", "relative to F0(z)", false, [](P) { return 1e-4; }},
      {sC3, "collagen_III", "normalised", false, [](P) { return 1e-5; }},
      {sC1, "collagen_I", "normalised", false, [](P) { return 1e-5; }},
      {sE, "elastin", "normalised", false, [](P) { return 1e-5; }},
      {sO, "open_fraction", "-", true, [](P) { return 1e-5; }},
      {sQ, "pih_dose", "s", false, [](P) { return 60.0; }},
      {sTE, "tropoelastin", "normalised", false, [](P) { return 1e-5; }},
      {sEn, "elastin_new", "normalised", false, [](P) { return 1e-5; }},
      {sFl, "flare", "-", true, [](P) { return 1e-4; }},
  }};
  static const bool ordered = [] {  // the table is in Species order
    for (std::size_t i = 0; i < t.size(); ++i)
      if (std::size_t(t[i].id) != i) throw invalid_argument("core_species(): out of Species order");
    return true;
  }();
  (void)ordered;
  return t;
}

/// Production–loss kinetics of the full model (pure; thread safe).
struct HealingKinetics {
  const HealingParameters* p = nullptr;
  const Baseline* b = nullptr;
  double k_close = 0.0;  ///< current closure rate (occlusion of the last session)
  /// Unsplit scheme: the exchange through open channels as a loss of the top cell,
  /// T(h·O)/dz₀ with T the Robin transmissibility of diffusion.hpp (1/s); 0: off.
  bool surface_loss = false;
  double dz0 = 0.0, DI0 = 0.0, DT0 = 0.0;  ///< top cell height (m), D of I and T there (m²/s)
  /// Modules after the core species (model/module.hpp): their rates follow the core's.
  const std::vector<std::unique_ptr<model::Module>>* modules = nullptr;
  std::size_t n = n_species;  ///< core + module species
  double t = 0.0;             ///< time at the start of the current step, s

  static double robin_rate(double h, double dz, double D) { return robin_transmissibility(h, dz, D) / dz; }

  std::size_t species() const { return n; }

  /// The state at one cell, read once: every group of rates below uses it.
  struct Local {
    double D, N, MI, MR, I, T, f, g, C3, C1;
    double n, mi, mr;  ///< N / N_ref, M_I / M_ref, M_R / M_ref
  };

  void rates(std::size_t, int k, const double* u, double* P, double* L) const {
    const HealingParameters& q = *p;
    const Local x{u[sD], u[sN], u[sMI], u[sMR], u[sI], u[sT], u[sF], u[sFm], u[sC3], u[sC1],
                  u[sN] / q.N_ref, u[sMI] / q.M_ref, u[sMR] / q.M_ref};
    inflammation(k, x, P, L);
    growth_factors(k, x, u, P, L);
    fibroblasts(k, x, P, L);
    matrix(k, x, u, P, L);
    surface(k, x, u, P, L);
    if (modules) {
      // a module may leave some entries unset (this->n: the number of species)
      for (std::size_t s = n_species; s < this->n; ++s) P[s] = L[s] = 0.0;
      for (const auto& m : *modules) m->rates(t, k, u, P, L);
    }
  }

  /// Damage, cytokine, neutrophils and macrophages (docs/model.md §5.2).
  void inflammation(int k, const Local& x, double* P, double* L) const {
    const HealingParameters& q = *p;
    const Baseline& B = *b;
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

  /// TGF-β1 and the platelet reservoir.
  void growth_factors(int k, const Local& x, const double* u, double* P, double* L) const {
    const HealingParameters& q = *p;
    const Baseline& B = *b;
    const double F0 = B.F0[k], T = x.T;
    P[sT] = q.k_rel * u[sB] + q.sigma_TM * (q.f_TMI * x.MI + x.MR) +
            q.sigma_TF * F0 * (x.f + q.eta_m * x.g) * hill(T, q.K_TT) + B.sT0[k];
    L[sT] = q.k_T;
    P[sB] = 0.0;
    L[sB] = q.k_rel;
  }

  /// Fibroblasts and myofibroblasts (relative to F0).
  void fibroblasts(int k, const Local& x, double* P, double* L) const {
    const HealingParameters& q = *p;
    const Baseline& B = *b;
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

  /// Collagen III / I and elastin (docs/model.md §5.2): the mature fibres (E) keep their
  /// homeostatic turnover; the TGF-β-driven synthesis above basal makes tropoelastin (TE), which
  /// is either assembled into new fibres (E_new) or degraded; fibres of both kinds are cut by
  /// neutrophil and macrophage elastases.
  void matrix(int k, const Local& x, const double* u, double* P, double* L) const {
    const HealingParameters& q = *p;
    const Baseline& B = *b;
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

  /// Channels, the neurogenic flare and the pigmentation dose (top plane / epidermis), and the
  /// exchange through open channels in the unsplit scheme.
  void surface(int k, const Local& x, const double* u, double* P, double* L) const {
    const HealingParameters& q = *p;
    const Baseline& B = *b;
    // channels (top plane only carries O)
    P[sO] = 0.0;
    L[sO] = k_close * (1.0 + q.a_I * hill(x.I, q.K_I));
    // neurogenic flare (docs/model.md §5.9): axon-reflex vasodilation, decays with k_flare
    P[sFl] = 0.0;
    L[sFl] = q.k_flare;
    // pigmentation dose in the viable epidermis
    P[sQ] = B.kerat[k] * hill(x.I, q.K_pih);
    L[sQ] = 0.0;
    if (surface_loss && k == 0) {
      const double h = q.h_exudate * std::max(0.0, u[sO]);
      L[sI] += robin_rate(h, dz0, DI0);
      L[sT] += robin_rate(h, dz0, DT0);
    }
  }
};

/// The assembled model on one grid: state layout, operators, injury operator.
class HealingModel {
 public:
  HealingModel(const Grid& grid, const SkinProfile& skin, const HealingParameters& params,
               HealingScheme scheme = HealingScheme::unsplit,
               std::vector<std::unique_ptr<model::Module>> modules = {},
               const std::map<std::string, double>& module_params = {})
      : grid_(grid), skin_(skin), p_(params), base_(derive_baseline(skin, grid, params)),
        scheme_(scheme), modules_(std::move(modules)) {
    bind_modules(module_params);
    build_operators();
    kin_.p = &p_;
    kin_.b = &base_;
    kin_.k_close = p_.k_close;
    kin_.surface_loss = scheme_ == HealingScheme::unsplit;
    kin_.dz0 = grid.dz()[0];
    const double e0 = base_.epi[0] > 0 ? p_.epidermal_D_factor : 1.0;  // as DI[0], DT[0] of build_operators
    kin_.DI0 = p_.D_I * e0;
    kin_.DT0 = p_.D_T * e0;
    kin_.n = names_.size();
    if (!modules_.empty()) kin_.modules = &modules_;
    split_ = scheme_ == HealingScheme::unsplit ? unsplit_operators() : split_operators();
  }
  HealingModel(const HealingModel&) = delete;
  HealingModel& operator=(const HealingModel&) = delete;

  const Grid& grid() const { return grid_; }
  const HealingParameters& parameters() const { return p_; }
  const Baseline& baseline() const { return base_; }
  const SkinProfile& skin() const { return skin_; }
  HealingScheme scheme() const { return scheme_; }
  /// Species of the state: the core's (healing::Species order), then each module's.
  const std::vector<std::string>& species_names() const { return names_; }
  const std::vector<std::string>& species_units() const { return units_; }
  const std::vector<std::unique_ptr<model::Module>>& modules() const { return modules_; }
  /// Names and units of the modules' observables, in the order observe_modules writes them.
  const std::vector<model::ObservableDecl>& module_observables() const { return observables_; }
  void observe_modules(double t, const FieldSet& u, double* out) const {
    for (const auto& m : modules_) {
      m->observe(t, u, out);
      out += m->observables().size();
    }
  }
  /// Topical application i of the course begins (vehicle on) or ends (wiped off): modules' hooks.
  void begin_application(FieldSet& u, std::size_t i) const {
    for (const auto& m : modules_) m->begin_application(u, i);
  }
  void end_application(FieldSet& u, std::size_t i) const {
    for (const auto& m : modules_) m->end_application(u, i);
  }
  /// Time at the start of the next step (modules' rates may depend on it), s.
  void set_time(double t) { t_step_ = kin_.t = t; }
  /// Order the step-doubling controller assumes, and whether the accepted step is the
  /// locally extrapolated one (unsplit: yes; its error expansion starts at first order in
  /// stiff phases, docs/numerics.md §5).
  int controller_order() const { return 1; }
  bool extrapolate() const { return scheme_ == HealingScheme::unsplit; }
  void set_occluded(bool occluded) { kin_.k_close = occluded ? p_.k_close_occluded : p_.k_close; }

  /// The unwounded (homeostatic) state.
  FieldSet initial_state() const {
    FieldSet u(grid_, names_, 0.0);
    const std::size_t P = grid_.plane();
    for (int k = 0; k < grid_.nz(); ++k)
      for (std::size_t c = 0; c < P; ++c) {
        const std::size_t id = std::size_t(k) * P + c;
        u[sT][id] = p_.T_basal;
        u[sF][id] = base_.F0[k] > 0 ? 1.0 : 0.0;
        u[sC3][id] = base_.C30[k];
        u[sC1][id] = base_.C10[k];
        u[sE][id] = base_.E0[k];
        for (std::size_t s = n_species; s < names_.size(); ++s) {
          const auto& d = decls_[s - n_species];
          if (!d.surface || k == 0) u[s][id] = d.baseline[base_.layer[k]];
        }
      }
    return u;
  }

  /// Per species: the module's index for species of a module's conserved set, else -1.
  std::vector<int> conserved_groups() const {
    std::vector<int> g(names_.size(), -1);
    std::size_t s = n_species;
    for (std::size_t m = 0; m < modules_.size(); ++m)
      for (const auto& d : modules_[m]->species()) g[s++] = d.conserved ? int(m) : -1;
    return g;
  }
  /// Absolute tolerances per species for the error controller (field units).
  std::vector<double> absolute_tolerances() const {
    std::vector<double> a(names_.size());
    for (std::size_t s = n_species; s < names_.size(); ++s) a[s] = decls_[s - n_species].atol;
    for (const auto& c : core_species()) a[c.id] = c.atol(p_);
    return a;
  }

  /// One step of dt seconds with the model's scheme (allocation-free).
  void step(FieldSet& u, double dt) { split_.step(u, t_step_, dt); }
  /// The operators of a step, in Strang order (the last one gets the full step).
  const StrangSplitting& splitting() const { return split_; }

  /// Transport only (chemotaxis ½, diffusion 1, chemotaxis ½): conservative with closed
  /// channels (zero flux everywhere); used by the conservation tests.
  void step_transport(FieldSet& u, double dt) {
    chemo_.step(u, 0.5 * dt);
    update_robin(u);
    diff_.step(u, dt);
    chemo_.step(u, 0.5 * dt);
  }

  /// The injury operator (§6.4) of one session onto the current state. `inj` must live on
  /// this model's grid (use lateral_average for 1D/2D). Returns nothing; bleeding_factor
  /// scales the blood fraction (anticoagulants).
  void apply_injury(FieldSet& u, const InjuryField& inj, double bleeding_factor = 1.0) const {
    require_same_size("injury.damage", inj.damage.size(), grid_.size());
    require_same_size("injury.bleeding", inj.bleeding.size(), grid_.size());
    require_same_size("injury.open_surface", inj.open_surface.size(), grid_.plane());
    const std::size_t P = grid_.plane();
    for (int k = 0; k < grid_.nz(); ++k)
      for (std::size_t c = 0; c < P; ++c) {
        const std::size_t id = std::size_t(k) * P + c;
        const double phi = std::clamp(inj.damage[id], 0.0, 1.0);
        u[sD][id] = 1.0 - (1.0 - u[sD][id]) * (1.0 - phi);
        const double kc = 1.0 - p_.theta_cell * phi, km = 1.0 - p_.theta_ECM * phi;
        for (std::size_t s : {std::size_t(sN), std::size_t(sMI), std::size_t(sMR), std::size_t(sF),
                              std::size_t(sFm)})
          u[s][id] *= kc;
        for (std::size_t s : {std::size_t(sC3), std::size_t(sC1), std::size_t(sE), std::size_t(sTE),
                              std::size_t(sEn)})
          u[s][id] *= km;
        const double blood = std::min(1.0, bleeding_factor * std::max(0.0, inj.bleeding[id]));
        u[sB][id] += p_.T_platelet * blood;
        u[sI][id] += p_.alarm_bolus * phi * base_.kerat[k];
      }
    // the flare: each puncture through the epidermis sets off an axon reflex that flares
    // flare_area around it; s = 1 − exp(−n A) of the skin flares (Poisson coverage)
    const double s_flare = -std::expm1(-inj.channels_per_cm2 * 1e4 * p_.flare_area);
    for (std::size_t c = 0; c < P; ++c) {
      const double o = std::clamp(inj.open_surface[c], 0.0, 1.0);
      u[sO][c] = 1.0 - (1.0 - u[sO][c]) * (1.0 - o);
      u[sFl][c] = 1.0 - (1.0 - u[sFl][c]) * (1.0 - s_flare);
    }
    for (const auto& m : modules_) m->on_injury(u, inj);
  }

 private:
  /// Transport operators: z reaction-diffusion, lateral diffusion (LOD) and chemotaxis, with
  /// layer-dependent coefficients (core species: docs/model.md §5.1; modules: their D per layer).
  void build_operators() {
    const Grid& grid = grid_;
    const int nz = grid.nz();
    // transport
    std::vector<DiffusionSpec> specs(names_.size());
    std::vector<std::size_t> own;  // moved in z by their module's operator
    for (std::size_t s = n_species; s < names_.size(); ++s)
      if (!decls_[s - n_species].surface) {
        specs[s].D.assign(nz, 0.0);
        for (int k = 0; k < nz; ++k) specs[s].D[k] = decls_[s - n_species].D[base_.layer[k]];
        if (decls_[s - n_species].own_transport) own.push_back(s);
      }
    std::vector<double> DI(nz), DT(nz), DN(nz), DM(nz), DF(nz), chiN(nz), chiM(nz), chiF(nz);
    for (int k = 0; k < nz; ++k) {
      const double e = base_.epi[k] > 0 ? p_.epidermal_D_factor : 1.0;
      DI[k] = p_.D_I * e;
      DT[k] = p_.D_T * e;
      const double derm = base_.dermal[k];
      DN[k] = p_.D_N * derm;
      DM[k] = p_.D_M * derm;
      DF[k] = base_.F0[k] > 0 ? p_.D_F * derm : 0.0;
      chiN[k] = p_.chi_ratio_N * p_.D_N / p_.K_chi_I * derm;
      chiM[k] = p_.chi_ratio_M * p_.D_M / p_.K_chi_I * derm;
      chiF[k] = base_.F0[k] > 0 ? p_.chi_ratio_F * p_.D_F / p_.K_chi_T * derm : 0.0;
    }
    specs[sI].D = DI;
    specs[sT].D = DT;
    specs[sN].D = DN;
    specs[sMI].D = DM;
    specs[sMR].D = DM;
    specs[sF].D = DF;
    specs[sFm].D = DF;
    {
      auto zspecs = specs;
      for (std::size_t s : own) zspecs[s].D.clear();
      rdz_ = ReactionDiffusionZ(grid, zspecs);  // zero-flux top: the channels are in the kinetics
    }
    for (std::size_t s : {std::size_t(sI), std::size_t(sT)}) {
      specs[s].top_h.assign(grid.plane(), 0.0);
      specs[s].top_ext.assign(grid.plane(), 0.0);
    }
    diff_ = DiffusionSolver(grid, std::move(specs), TimeScheme::implicit_euler_lod);
    std::vector<ChemotaxisSpec> cs;
    if (p_.chi_ratio_N > 0) cs.push_back({sN, sI, chiN, p_.K_chi_I});
    if (p_.chi_ratio_M > 0) cs.push_back({sMI, sI, chiM, p_.K_chi_I});
    if (p_.chi_ratio_F > 0) cs.push_back({sF, sT, chiF, p_.K_chi_T});
    chemo_ = ChemotaxisOperator(grid, std::move(cs));
  }

  using Op = std::shared_ptr<SplitOperator>;
  static Op op(const char* name, int order, FunctionOperator::Fn f) {
    return std::make_shared<FunctionOperator>(name, order, std::move(f));
  }
  /// unsplit: chemotaxis ½ · lateral diffusion ½ · [kinetics + z diffusion] 1 · lateral ½ · chemotaxis ½
  StrangSplitting unsplit_operators() {
    std::vector<Op> ops;
    if (has_module_operator())  // ½ before and ½ after the core (Strang)
      ops.push_back(op("modules", 1, [this](FieldSet& u, double t, double dt) {
        for (auto& m : modules_)
          if (m->has_operator()) m->advance(u, t, dt);
      }));
    for (auto& o : core_unsplit_operators()) ops.push_back(std::move(o));
    return StrangSplitting(ops);
  }
  bool has_module_operator() const {
    for (const auto& m : modules_)
      if (m->has_operator()) return true;
    return false;
  }
  std::vector<Op> core_unsplit_operators() {
    return {op("chemotaxis", 1, [this](FieldSet& u, double, double dt) { chemo_.step(u, dt); }),
                            op("lateral diffusion", 1,
                               [this](FieldSet& u, double, double dt) { diff_.step_lateral(u, dt); }),
                            op("kinetics + z diffusion (MPRK22)", 2, [this](FieldSet& u, double t, double dt) {
                              kin_.t = t;  // modules' rates see the sub-step's start time
                              rdz_.step(u, kin_, dt);
                            })};
  }
  /// split: reaction ½ · [chemotaxis 1 (forward-Euler sub-steps), diffusion 1 (LOD, top Robin)] · reaction ½
  StrangSplitting split_operators() {
    if (has_module_operator())
      throw invalid_argument("numerics.scheme = 'split' does not take modules with their own operator (topical "
                             "applications); use numerics.scheme = 'unsplit'");
    return StrangSplitting({op("reaction (MPRK22)", 2,
                               [this](FieldSet& u, double t, double dt) {
                                 kin_.t = t;  // modules' rates see the sub-step's start time
                                 patankar_step(u, kin_, dt);
                               }),
                            op("transport", 1, [this](FieldSet& u, double, double dt) {
                              chemo_.step(u, dt);
                              update_robin(u);
                              diff_.step(u, dt);
                            })});
  }

  /// Species, units and observables of the core and the modules; binds each module.
  void bind_modules(const std::map<std::string, double>& overrides) {
    names_ = healing::species_names();
    units_ = healing::species_units();
    model::Binding b;
    b.grid = &grid_;
    b.skin = &skin_;
    b.layer = base_.layer;
    b.params = model::module_parameters(modules_, overrides);
    for (const auto& m : modules_) m->set_parameters(b.params), m->set_skin(&skin_);
    for (const auto& m : modules_)
      for (const auto& d : m->species()) {
        names_.push_back(d.name);
        units_.push_back(d.unit);
        decls_.push_back(d);
      }
    for (std::size_t s = 0; s < names_.size(); ++s) b.index[names_[s]] = s;
    if (b.index.size() != names_.size())
      throw invalid_argument("modules: two species share a name (species of the state: core and modules)");
    if (names_.size() > max_kinetic_species)
      throw invalid_argument("modules: " + std::to_string(names_.size()) + " species; at most " +
                             std::to_string(max_kinetic_species));
    auto taken = [&](const std::string& n) {
      for (const auto& x : names_) if (x == n) return true;
      for (const auto& o : observables_) if (o.name == n) return true;
      return false;
    };
    for (const auto& m : modules_) {
      m->bind(b);
      for (const auto& o : m->observables()) {
        if (taken(o.name))
          throw invalid_argument("module " + m->name() + ": outcome '" + o.name +
                                 "' is already a species or outcome of the model");
        observables_.push_back(o);
      }
    }
  }

  void update_robin(const FieldSet& u) {
    const double* O = u.data(sO);
    for (std::size_t s : {std::size_t(sI), std::size_t(sT)}) {
      auto& h = diff_.top_robin_h(s);
      for (std::size_t c = 0; c < h.size(); ++c) h[c] = p_.h_exudate * std::max(0.0, O[c]);
    }
  }

  Grid grid_;
  SkinProfile skin_;
  HealingParameters p_;
  Baseline base_;
  HealingScheme scheme_ = HealingScheme::unsplit;
  std::vector<std::unique_ptr<model::Module>> modules_;
  std::vector<std::string> names_, units_;
  std::vector<model::SpeciesDecl> decls_;
  std::vector<model::ObservableDecl> observables_;
  DiffusionSolver diff_;
  ReactionDiffusionZ rdz_;
  ChemotaxisOperator chemo_;
  HealingKinetics kin_;
  StrangSplitting split_;
  double t_step_ = 0.0;  ///< start of the current step (set_time), s
};

}  // namespace dermasim::healing
