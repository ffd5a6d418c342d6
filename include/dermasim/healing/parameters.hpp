// dermasim/healing/parameters.hpp — every parameter of the healing and remodelling model.
//
// Values are stored in SI (s, m, m²/s, cells/m³); cytokine concentrations are in ng/mL
// (= 1e-6 kg/m³), collagen and elastin are normalised (1 = dermal reference of SkinProfile).
// Each parameter has a dotted name (`healing.fibroblast.proliferation_rate`) under which it can
// be read and written (`get`/`set`, in SI) for sweeps, fits and sensitivity analyses; the
// registry carries the unit used in docs/model.md §5–6, the conversion to SI, the valid range
// and the source tag ([V]/[C]/[R] literature, [P] proposed, [F] fitted).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/registry.hpp"
#include "dermasim/core/units.hpp"

namespace dermasim::healing {

namespace u = dermasim::units;
inline constexpr double per_h = 1.0 / u::hour;
inline constexpr double per_day = 1.0 / u::day;
inline constexpr double cells_per_mm3 = 1e9;  ///< cells/mm³ → cells/m³

struct HealingParameters : ParamRegistry<HealingParameters> {
  // --- reference densities (normalisers of the cell terms) ---------------------------------
  double N_ref = 1000 * cells_per_mm3;  ///< neutrophil reference density, cells/m³
  double M_ref = 1000 * cells_per_mm3;  ///< macrophage reference density, cells/m³

  // --- transport ------------------------------------------------------------------------------
  double D_I = 0.015 * u::mm2_per_h;     ///< IL-1/TNF diffusivity in dermis, m²/s
  double D_T = 0.012 * u::mm2_per_h;     ///< TGF-β1 diffusivity in dermis, m²/s
  double epidermal_D_factor = 0.5;       ///< cytokine D in VE/SC relative to dermis, −
  double D_N = 0.0045 * u::mm2_per_h;    ///< neutrophil random motility in dermis, m²/s
  double D_M = 0.001 * u::mm2_per_h;     ///< macrophage random motility in dermis, m²/s
  double D_F = 3.6e-4 * u::mm2_per_h;    ///< fibroblast random motility, m²/s
  double chi_ratio_N = 1.0;              ///< χ_N K_χI / D_N, −
  double chi_ratio_M = 1.0;              ///< χ_M K_χI / D_M, −
  double chi_ratio_F = 3.0;              ///< χ_F K_χT / D_F, −
  double K_chi_I = 10.0;                  ///< receptor constant of chemotaxis to I, ng/mL
  double K_chi_T = 10.0;                  ///< receptor constant of chemotaxis to TGF-β, ng/mL
  double h_exudate = 1.0 * u::mm / u::hour;  ///< Robin transfer coefficient of open channels, m/s

  // --- damage / debris --------------------------------------------------------------------------
  double k_DN = 0.2 * per_day;   ///< debris clearance by neutrophils per N_ref, 1/s
  double k_DM = 0.3 * per_day;   ///< debris clearance by macrophages per M_ref, 1/s
  double k_D0 = 0.37 * per_day;   ///< intrinsic debris decay, 1/s
  double k_reepi = std::log(2.0) / (48.0 * u::hour);  ///< epidermal re-epithelialisation, 1/s
  double eps_N = 0.02;             ///< debris returned by dying neutrophils (per N_ref), −

  // --- pro-inflammatory cytokine I -------------------------------------------------------------
  double sigma_IK = 10.0 * per_h;  ///< keratinocyte release per unit epidermal damage, ng/mL/s
  double sigma_ID = 4.0 * per_h;   ///< dermal DAMP-driven release per unit damage, ng/mL/s
  double sigma_IN = 0.1 * per_h;   ///< neutrophil secretion per N_ref, ng/mL/s
  double sigma_IM = 0.1 * per_h;   ///< M_I secretion per M_ref, ng/mL/s
  double k_I = 0.7 * per_h;        ///< I decay, 1/s
  double k_IR = 0.5 * per_h;       ///< M_R-mediated resolution per M_ref, 1/s
  double K_IR = 1.0;               ///< saturation of M_R resolution, ng/mL
  double alarm_bolus = 5.0;        ///< keratinocyte IL-1α bolus per unit VE damage, ng/mL

  // --- neutrophils -----------------------------------------------------------------------------
  double s_N = 2.0 * 1000 * cells_per_mm3 * per_h;  ///< max recruitment at v = 1, cells/m³/s
  double K_N = 100.0;                ///< half-saturation of recruitment signal, ng/mL
  double a_ND = 10.0;              ///< damage weight in the neutrophil signal, ng/mL
  double mu_N = 1.02 * per_day;    ///< neutrophil apoptosis, 1/s
  double k_NM = 6.42 * per_day;    ///< clearance of neutrophils by macrophages per M_ref, 1/s

  // --- macrophages -----------------------------------------------------------------------------
  double s_M = 0.5 * 1000 * cells_per_mm3 * per_h;  ///< max recruitment at v = 1, cells/m³/s
  double K_M = 100.0;                ///< half-saturation of recruitment signal, ng/mL
  double a_MD = 10.0;              ///< damage weight in the macrophage signal, ng/mL
  double a_MN = 5.0;               ///< neutrophil weight (per N_ref) in the signal, ng/mL
  double alpha = 0.8;              ///< inflammatory fraction of influx, −
  double mu_M = 0.3 * per_day;     ///< macrophage removal, 1/s
  double k_sw0 = 0.02 * per_h;     ///< M_I → M_R switching, 1/s
  double K_sw = 10.0;               ///< TGF-β half-saturation of switching, ng/mL
  double K_swD = 0.1;              ///< damage level halving the switching, −

  // --- TGF-β1 and platelets --------------------------------------------------------------------
  double T_basal = 0.1;            ///< basal active TGF-β1, ng/mL
  double k_T = 9.1 * per_day;      ///< TGF-β1 decay, 1/s
  double sigma_TM = 0.07e-9 * per_day;   ///< macrophage secretion, (ng/mL)/s per cell/m³
  double sigma_TF = 0.004e-9 * per_day;  ///< fibroblast autocrine secretion, (ng/mL)/s per cell/m³
  double f_TMI = 0.25;             ///< TGF-β secretion of M_I relative to M_R, −
  double K_TT = 1.0;               ///< autocrine half-saturation, ng/mL
  double eta_m = 2.0;              ///< myofibroblast / fibroblast synthesis ratio, −
  double T_platelet = 8.0;         ///< releasable TGF-β per unit blood fraction, ng/mL
  double k_rel = 1.0 * per_h;      ///< platelet degranulation rate, 1/s

  // --- fibroblasts -----------------------------------------------------------------------------
  double r_F = 0.924 * per_day;    ///< proliferation, 1/s
  double r_T = 1.0;                ///< TGF-β enhancement of proliferation, −
  double K_rT = 10.0;               ///< its half-saturation, ng/mL
  double mu_F = 0.12 * per_day;    ///< apoptosis, 1/s
  double mu_Fm = 0.3 * per_day;    ///< myofibroblast removal, 1/s
  double k_m = 0.002 * per_h;       ///< TGF-β-driven differentiation (max), 1/s
  double K_mT = 10.0;               ///< its half-saturation (Hill n = 2), ng/mL
  double k_rev = 0.02 * per_day;   ///< de-differentiation, 1/s

  // --- collagen -------------------------------------------------------------------------------
  double delta_C = std::log(2.0) / (15.0 * u::year);  ///< baseline turnover, 1/s
  double g_M = 100.0;              ///< MMP gain per M_ref macrophages, −
  double g_N = 50.0;               ///< MMP gain per N_ref neutrophils, −
  double a_3 = 10.0;               ///< TGF-β enhancement of basal III synthesis, −
  double a_1 = 3.0;                ///< TGF-β enhancement of basal I synthesis, −
  double K_c = 10.0;                ///< TGF-β half-saturation of synthesis, ng/mL
  double p_3 = 0.327 * per_day;     ///< activated collagen III synthesis, (C₀ units)/s
  double p_1 = 0.0818 * per_day;      ///< activated collagen I synthesis, (C₀ units)/s (p_3 / 4)
  double K_Lambda = 0.5;           ///< synthesis saturation constant (× layer C₀), −
  double k_mat = 1.0 / (60.0 * u::day);  ///< maturation of excess III into I, 1/s
  double collagen_III_fraction = 0.15;   ///< C₃₀ / C₀ in adult skin, −

  // --- elastin --------------------------------------------------------------------------------
  double delta_E0 = 1.0 / (74.0 * u::year);  ///< baseline elastin turnover, 1/s
  double delta_EN = 0.02 * per_day; ///< neutrophil-elastase degradation per N_ref, 1/s
  double delta_EM = 0.02 * per_day; ///< macrophage (MMP-12) degradation per M_ref, 1/s
  double a_E = 10.0;               ///< TGF-β enhancement of tropoelastin synthesis, −
  double p_E = 0.358 * per_day;     ///< activated (TGF-β-driven) tropoelastin synthesis, (E₀ units)/s
  double k_assembly = 1.0 / (60.0 * u::day);        ///< assembly of tropoelastin into fibres, 1/s
  double k_TE_degradation = 1.0 / (60.0 * u::day); ///< degradation of unassembled tropoelastin, 1/s
  double K_E = 10.0;                ///< its half-saturation, ng/mL

  // --- channels (barrier) ---------------------------------------------------------------------
  double k_close = std::log(2.0) / u::hour;             ///< closure, unoccluded, 1/s
  double k_close_occluded = std::log(2.0) / (20.0 * u::hour);  ///< closure, occluded, 1/s
  double a_I = 1.0;                ///< inflammation acceleration of closure, −
  double K_I = 1.0;                ///< its half-saturation, ng/mL

  // --- injury operator ------------------------------------------------------------------------
  double theta_cell = 1.0;         ///< fraction of cells removed where damage = 1, −
  double theta_ECM = 1.0;          ///< fraction of matrix removed where damage = 1, −

  // --- outcome observation operators ----------------------------------------------------------
  double K_erythema = 2.82;         ///< I giving erythema index 1/2, ng/mL
  double erythema_threshold = 0.1; ///< index below which erythema counts as resolved, −
  double flare_peak = 0.5;         ///< erythema index of a full neurogenic flare, −
  double k_flare = std::log(5.0) / u::hour;  ///< decay of the flare vasodilation, 1/s
  double flare_area = 3.141592653589793e-4;  ///< skin area one puncture flares (π (1 cm)²), m²
  double closed_threshold = 0.1;   ///< open fraction (of initial) counted as closed, −
  // after-care windows (docs/model.md §7.6): a TEWL proxy from the open channels
  double kp_water = 1.3e-3 * u::cm / u::hour;  ///< water permeability of intact skin, m/s
  double D_water = 2.3e-9;          ///< water diffusivity in an open channel lumen, m²/s
  double barrier_tolerance = 0.1;   ///< TEWL proxy within this of intact: barrier back, −
  double exercise_tolerance = 0.5;  ///< TEWL proxy within this of intact: sweat is fine, −
  double uv_drive_threshold = 0.05; ///< epidermal inflammatory drive hill(I, K_pih) of UV sensitivity, −
  double K_pih = 1.0;              ///< I half-saturation of the pigmentation dose, ng/mL
  double beta_epi = 0.858;         ///< epidermal thickening per unit PD collagen change (set point), −
  double tau_epi = 48.0 * u::day;  ///< epidermal turnover: lag of the thickness behind its set point, s

  // --- patient factors ------------------------------------------------------------------------
  double age_slope = 0.0063;       ///< fractional loss of fibroblast activity per year over 40, 1/year
  double smoking_synthesis_factor = 0.556;  ///< collagen synthesis of smokers / non-smokers, −
  double diabetes_alpha = 0.9;     ///< inflammatory fraction of influx in diabetes, −
  double diabetes_switch_factor = 0.5;    ///< k_sw0 multiplier in diabetes, −
  double diabetes_prolif_factor = 0.7;    ///< r_F multiplier in diabetes, −
  double anticoagulant_bleeding_factor = 2.0;  ///< bleeding multiplier, −
  std::array<double, 6> phototype_factor{0.1, 0.2, 0.5, 1.0, 1.6, 2.0};  ///< PIH factor I…VI, −

  /// The registry of every scalar parameter (get/set/find/names: core/registry.hpp).
  static const std::vector<Info>& registry();
  static constexpr const char* registry_prefix = "healing.";
  static constexpr const char* registry_kind = "healing";
  static constexpr const char* registry_doc = "HealingParameters::names() or docs/model.md §5";

  /// Validates every registered parameter range and the phototype table.
  void validate() const {
    validate_registered();
    for (int p = 0; p < 6; ++p)
      require_range("healing.pih.phototype_factor[" + std::to_string(p + 1) + "]",
                    phototype_factor[p], 0.0, 100.0);
  }
};

inline const std::vector<HealingParameters::Info>& HealingParameters::registry() {
  using P = HealingParameters;
  const double mm2h = u::mm2_per_h, h = per_h, d = per_day, c = cells_per_mm3;
  static const std::vector<Info> r = {
      {"reference.neutrophils", &P::N_ref, "cells/mm^3", c, 1, 1e6, "[P] normaliser (Cooper 2015 uses normalised N)"},
      {"reference.macrophages", &P::M_ref, "cells/mm^3", c, 1, 1e6, "[P] normaliser; Jin 2011 max 2500 cells/mm3 [V]"},
      {"transport.cytokine_diffusivity", &P::D_I, "mm^2/h", mm2h, 1e-5, 1.0, "[P] smaller than TGF-b (17 kDa); model-spec 6.8"},
      {"transport.tgf_diffusivity", &P::D_T, "mm^2/h", mm2h, 1e-5, 1.0, "[R] Koppenol/Egberts 2.88e-3 cm2/day"},
      {"transport.epidermal_factor", &P::epidermal_D_factor, "-", 1, 0, 10, "[P] model-spec 6.8 (VE 0.5x dermis)"},
      {"transport.neutrophil_motility", &P::D_N, "mm^2/h", mm2h, 0, 1.0, "[P] in the range 0.0025 (front ~100 um/h into collagen gels, PMID 6484496) to 0.012 (17 um/min, Butler 2010, P 1-2 min); docs/model.md 5.10"},
      {"transport.macrophage_motility", &P::D_M, "mm^2/h", mm2h, 0, 1.0, "[P] model-spec 6.8 ratio D_M/D_N = 0.22 kept"},
      {"transport.fibroblast_motility", &P::D_F, "mm^2/h", mm2h, 0, 1.0, "[P] S=30 um/h, P=1 h"},
      {"transport.neutrophil_chemotaxis_ratio", &P::chi_ratio_N, "-", 1, 0, 100, "[P] chi K/D = 1 (model-spec range 1-10; low end keeps the 3D CFL sub-steps affordable)"},
      {"transport.macrophage_chemotaxis_ratio", &P::chi_ratio_M, "-", 1, 0, 100, "[P] chi K/D = 1"},
      {"transport.fibroblast_chemotaxis_ratio", &P::chi_ratio_F, "-", 1, 0, 100, "[P] chi K/D = 3 (range 1-10)"},
      {"transport.chemotaxis_K_cytokine", &P::K_chi_I, "ng/mL", 1, 1e-6, 1e3, "[P] receptor saturation at channel-level cytokine"},
      {"transport.chemotaxis_K_tgf", &P::K_chi_T, "ng/mL", 1, 1e-6, 1e3, "[P] model-spec 6.8 uses 1; 10 = the synthesis half-saturation"},
      {"transport.exudate_transfer", &P::h_exudate, "mm/h", u::mm / u::hour, 0, 1e3, "[P] ~D/l over a 15 um lumen"},
      {"damage.neutrophil_clearance", &P::k_DN, "1/day", d, 0, 1e3, "[P] Cooper 2015 k_ptn = 2.03/day rescaled to N_ref (keeps 1D ~ 3D)"},
      {"damage.macrophage_clearance", &P::k_DM, "1/day", d, 0, 1e3, "[P] Cooper 2015 k_ptm = 3.16/day rescaled to M_ref"},
      {"damage.intrinsic_decay", &P::k_D0, "1/day", d, 0, 1e3, "[V] Cooper 2015 mu_pt"},
      {"damage.reepithelialisation_rate", &P::k_reepi, "1/h", h, 0, 100, "[P] ln2/48 h; Schmitt 2018 day-5 recovery"},
      {"damage.neutrophil_debris", &P::eps_N, "-", 1, 0, 10, "[P] Cooper 2015 uses 1; 0.02 keeps the N-debris loop gain < 1 (resolving inflammation)"},
      {"cytokine.keratinocyte_release", &P::sigma_IK, "ng/mL/h", h, 0, 1e4, "[F] erythema 24-72 h"},
      {"cytokine.dermal_release", &P::sigma_ID, "ng/mL/h", h, 0, 1e4, "[F] erythema 24-72 h"},
      {"cytokine.neutrophil_secretion", &P::sigma_IN, "ng/mL/h", h, 0, 1e4, "[P]"},
      {"cytokine.macrophage_secretion", &P::sigma_IM, "ng/mL/h", h, 0, 1e4, "[P]"},
      {"cytokine.decay", &P::k_I, "1/h", h, 1e-4, 1e3, "[P] t1/2 ~ 1 h (model-spec 6.8)"},
      {"cytokine.resolution_rate", &P::k_IR, "1/h", h, 0, 1e3, "[P]"},
      {"cytokine.resolution_K", &P::K_IR, "ng/mL", 1, 1e-6, 1e3, "[P]"},
      {"cytokine.alarm_bolus", &P::alarm_bolus, "ng/mL", 1, 0, 1e4, "[P] IL-1a from disrupted keratinocytes"},
      {"neutrophil.recruitment_rate", &P::s_N, "cells/mm^3/h", c * h, 0, 1e7, "[F] peak 12-24 h (model-spec 6.8)"},
      {"neutrophil.recruitment_K", &P::K_N, "ng/mL", 1, 1e-6, 1e4, "[P]"},
      {"neutrophil.damage_signal", &P::a_ND, "ng/mL", 1, 0, 1e4, "[P]"},
      {"neutrophil.death_rate", &P::mu_N, "1/day", d, 1e-3, 1e3, "[V] Cooper 2015 mu_n"},
      {"neutrophil.macrophage_clearance", &P::k_NM, "1/day", d, 0, 1e3, "[V] Cooper 2015 k_nm"},
      {"macrophage.recruitment_rate", &P::s_M, "cells/mm^3/h", c * h, 0, 1e7, "[F] peak 48-72 h (model-spec 6.8)"},
      {"macrophage.recruitment_K", &P::K_M, "ng/mL", 1, 1e-6, 1e4, "[P]"},
      {"macrophage.damage_signal", &P::a_MD, "ng/mL", 1, 0, 1e4, "[P]"},
      {"macrophage.neutrophil_signal", &P::a_MN, "ng/mL", 1, 0, 1e4, "[P]"},
      {"macrophage.inflammatory_fraction", &P::alpha, "-", 1, 0, 1, "[V] Waugh & Sherratt 2006"},
      {"macrophage.removal_rate", &P::mu_M, "1/day", d, 1e-3, 1e3, "[V] 0.2-0.6/day; mid-range"},
      {"macrophage.switch_rate", &P::k_sw0, "1/h", h, 0, 100, "[P] M_R dominates by day 3-4"},
      {"macrophage.switch_K_tgf", &P::K_sw, "ng/mL", 1, 1e-6, 1e3, "[P]"},
      {"macrophage.switch_K_damage", &P::K_swD, "-", 1, 1e-6, 10, "[P]"},
      {"tgf.basal", &P::T_basal, "ng/mL", 1, 0, 100, "[P] small basal active TGF-b1"},
      {"tgf.decay", &P::k_T, "1/day", d, 1e-3, 1e4, "[V] Waugh & Sherratt 2006"},
      {"tgf.macrophage_secretion", &P::sigma_TM, "pg/cell/day", 1e-9 * d, 0, 100, "[V] Jin 2011; Waugh & Sherratt k4 (per repair macrophage)"},
      {"tgf.inflammatory_macrophage_fraction", &P::f_TMI, "-", 1, 0, 1, "[P] repair (M2) macrophages are the main TGF-b source"},
      {"tgf.fibroblast_secretion", &P::sigma_TF, "pg/cell/day", 1e-9 * d, 0, 100, "[V] Jin 2011"},
      {"tgf.autocrine_K", &P::K_TT, "ng/mL", 1, 1e-6, 1e3, "[P] Buganza Tepole s_c structure"},
      {"tgf.myofibroblast_factor", &P::eta_m, "-", 1, 0, 100, "[P]"},
      {"platelet.tgf_content", &P::T_platelet, "ng/mL", 1, 0, 1e3, "[V] Grainger 1995 serum active+latent"},
      {"platelet.release_rate", &P::k_rel, "1/h", h, 1e-3, 1e3, "[P] degranulation over ~1 h"},
      {"fibroblast.proliferation_rate", &P::r_F, "1/day", d, 0, 100, "[V] Jin 2011"},
      {"fibroblast.tgf_proliferation_gain", &P::r_T, "-", 1, 0, 100, "[P]"},
      {"fibroblast.tgf_proliferation_K", &P::K_rT, "ng/mL", 1, 1e-6, 1e3, "[P]"},
      {"fibroblast.apoptosis_rate", &P::mu_F, "1/day", d, 0, 100, "[V] Jin 2011"},
      {"fibroblast.myofibroblast_removal", &P::mu_Fm, "1/day", d, 0, 100, "[C] Adler 2020"},
      {"fibroblast.differentiation_rate", &P::k_m, "1/h", h, 0, 100, "[P] few myofibroblasts after micro-injury"},
      {"fibroblast.differentiation_K", &P::K_mT, "ng/mL", 1, 1e-6, 1e3, "[P]"},
      {"fibroblast.dedifferentiation_rate", &P::k_rev, "1/day", d, 0, 100, "[P]"},
      {"collagen.baseline_turnover", &P::delta_C, "1/year", 1.0 / u::year, 0, 100, "[R] Verzijl 2000 t1/2 15 y"},
      {"collagen.mmp_gain_macrophage", &P::g_M, "-", 1, 0, 1e6, "[P] G ~ 100-200 at peak inflammation"},
      {"collagen.mmp_gain_neutrophil", &P::g_N, "-", 1, 0, 1e6, "[P]"},
      {"collagen.basal_tgf_gain_III", &P::a_3, "-", 1, 0, 1e3, "[P] model-spec 6.8"},
      {"collagen.basal_tgf_gain_I", &P::a_1, "-", 1, 0, 1e3, "[P] model-spec 6.8"},
      {"collagen.synthesis_K_tgf", &P::K_c, "ng/mL", 1, 1e-6, 1e3, "[P]"},
      {"collagen.activated_synthesis_III", &P::p_3, "1/day", d, 0, 100, "[F] Lotfi 2013 +53 % papillary collagen"},
      {"collagen.activated_synthesis_I", &P::p_1, "1/day", d, 0, 100, "[F] III before I; El-Domyati 2015"},
      {"collagen.saturation_K", &P::K_Lambda, "-", 1, 1e-3, 1e3, "[P] Buganza Tepole rho/(K+phi)"},
      {"collagen.maturation_rate", &P::k_mat, "1/day", d, 0, 100, "[P] 1/(60 days); III->I over 1-3 months"},
      {"collagen.fraction_III", &P::collagen_III_fraction, "-", 1, 0, 1, "[R/P] adult I:III ~ 85:15"},
      {"elastin.baseline_turnover", &P::delta_E0, "1/year", 1.0 / u::year, 0, 100, "[V] Shapiro 1991 74 y (lung)"},
      {"elastin.neutrophil_degradation", &P::delta_EN, "1/day", d, 0, 100, "[F] El-Domyati 2015 total elastin down"},
      {"elastin.macrophage_degradation", &P::delta_EM, "1/day", d, 0, 100, "[F] El-Domyati 2015"},
      {"elastin.tgf_synthesis_gain", &P::a_E, "-", 1, 0, 1e3, "[P] tropoelastin up (El-Domyati 2015)"},
      {"elastin.synthesis_K_tgf", &P::K_E, "ng/mL", 1, 1e-6, 1e3, "[P]"},
      {"elastin.activated_synthesis", &P::p_E, "1/day", d, 0, 100, "[F] smallest value with PD elastin not below baseline 6 months after the default course (Aust 2008)"},
      {"elastin.assembly_rate", &P::k_assembly, "1/day", d, 0, 100, "[P] fibre assembly over months"},
      {"elastin.tropoelastin_degradation", &P::k_TE_degradation, "1/day", d, 0, 100, "[P] unassembled tropoelastin cleared over months"},
      {"channel.closure_rate", &P::k_close, "1/h", h, 0, 1e3, "[V] Gupta 2011 <2 h unoccluded: ln2/1 h"},
      {"channel.closure_rate_occluded", &P::k_close_occluded, "1/h", h, 0, 1e3, "[V] PMC8259462 t1/2 20-26 h"},
      {"channel.inflammation_acceleration", &P::a_I, "-", 1, 0, 100, "[P] Brogden 2012 direction"},
      {"channel.inflammation_K", &P::K_I, "ng/mL", 1, 1e-6, 1e3, "[P]"},
      {"injury.cell_removal", &P::theta_cell, "-", 1, 0, 1, "[P] lumen cells removed"},
      {"injury.matrix_removal", &P::theta_ECM, "-", 1, 0, 1, "[P] lumen matrix removed"},
      {"outcome.erythema_K", &P::K_erythema, "ng/mL", 1, 1e-6, 1e3, "[F] erythema 24-72 h"},
      {"outcome.erythema_threshold", &P::erythema_threshold, "-", 1, 1e-6, 1, "[P] visible erythema"},
      {"flare.peak_index", &P::flare_peak, "-", 1, 0, 1, "[P] a full axon-reflex flare is clearly visible (index 0.5)"},
      {"flare.decay", &P::k_flare, "1/h", h, 1e-3, 1e3, "[F] blank prick: flow back to baseline within 1 h (laser Doppler, A)"},
      {"flare.area", &P::flare_area, "cm^2", 1e-4, 1e-4, 1e3, "[A] axon-reflex flare reaches >= 10 mm from a prick (Van Neste 1991; PMID 1828855)"},
      {"outcome.closed_threshold", &P::closed_threshold, "-", 1, 1e-6, 1, "[P] 90 % closed"},
      {"aftercare.water_permeability", &P::kp_water, "cm/h", u::cm / u::hour, 1e-6, 1,
       "[A] 1.30e-3 cm/h, human skin in vitro at 30 C (freezing study; docs/model.md 7.6)"},
      {"aftercare.lumen_water_diffusivity", &P::D_water, "m^2/s", 1, 1e-12, 1e-7, "[S] water self-diffusion 2.3e-9 m^2/s (25 C)"},
      {"aftercare.barrier_tolerance", &P::barrier_tolerance, "-", 1, 1e-3, 10,
       "[P] TEWL proxy within 10 % of intact skin (no clinical threshold found)"},
      {"aftercare.exercise_tolerance", &P::exercise_tolerance, "-", 1, 1e-3, 10,
       "[P] sweat is aqueous and mild: TEWL proxy within 50 %"},
      {"aftercare.uv_drive_threshold", &P::uv_drive_threshold, "-", 1, 1e-6, 1,
       "[P] epidermal inflammatory drive below 5 % of saturation"},
      {"outcome.pih_K", &P::K_pih, "ng/mL", 1, 1e-6, 1e3, "[P]"},
      {"outcome.epidermal_coupling", &P::beta_epi, "-", 1, 0, 10, "[F] Aust 2008 +40 % stratum spinosum at 1 year"},
      {"outcome.epidermal_turnover", &P::tau_epi, "day", 1.0 / d, 1, 1000, "[R] epidermal turnover 40-56 days (textbook)"},
      {"patient.age_slope", &P::age_slope, "1/year", 1, 0, 0.1, "[F] Varani 2006: procollagen I -32 % at 80+ vs 18-29 y"},
      {"patient.smoking_synthesis_factor", &P::smoking_synthesis_factor, "-", 1, 0, 1, "[F] Jorgensen 1998: non-smokers deposit 1.8x the collagen"},
      {"patient.diabetes_inflammatory_fraction", &P::diabetes_alpha, "-", 1, 0, 1, "[V] Waugh & Sherratt 2006 (diabetic alpha)"},
      {"patient.diabetes_switch_factor", &P::diabetes_switch_factor, "-", 1, 0, 1, "[P]"},
      {"patient.diabetes_proliferation_factor", &P::diabetes_prolif_factor, "-", 1, 0, 1, "[P]"},
      {"patient.anticoagulant_bleeding_factor", &P::anticoagulant_bleeding_factor, "-", 1, 1, 10, "[P]"},
  };
  return r;
}

}  // namespace dermasim::healing
