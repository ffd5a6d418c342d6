// dermasim/skin/presets.hpp — skin profiles by body site, age, sex and phototype.
//
// skin_preset(site, age, male, phototype) fills a SkinProfile (skin/layers.hpp) from published
// thicknesses and stiffnesses. docs/model.md §1 gives every number with its source; values
// without a primary source are marked [P] (proposed) there and here.
//
//   SC thickness        Sandby-Møller 2003 (forearm 18.3, shoulder 11.0, buttock 14.9 µm)
//   viable epidermis    Sandby-Møller 2003 (forearm 56.6, shoulder 70.3, buttock 81.5 µm);
//                       face within Chopra 2015's 29.6–62.6 µm range [P per subunit]
//   full facial skin    50 MHz ultrasound, women/men 20–29 y (forehead 1.86/2.45, canthus
//                       1.36/1.64, eyelid 1.24/1.44, cheek 1.90/2.53 mm)
//   age                 dermis thins with age (Meng 2022, qualitative): −0.6 %/year after 25 [P]
//   stiffness           neo-Hookean C10 (Tran 2007): epidermis 0.12 MPa, dermis 1.11 MPa,
//                       hypodermis 0.42 kPa; μ = 2 C10. SC: E = 1–2 MPa (Geerligs 2011), μ = E/3
//   vascular access     0 in SC/VE, 1 papillary (capillary loops), 0.5 reticular (Braverman 1997
//                       plexus geometry; the values are [P], model-spec §6.8)
//   fibroblasts         papillary 1000, reticular 600 cells/mm³ [P] (model-spec §6.8)
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/units.hpp"
#include "dermasim/skin/layers.hpp"

namespace dermasim {

namespace detail {

/// Per-site data at the reference patient (woman, 20–29 years); lengths in µm.
struct SiteData {
  const char* name;
  double sc_um;         ///< stratum corneum
  double ve_um;         ///< viable epidermis
  double skin_f_um;     ///< full skin (epidermis + dermis), woman 20–29 y
  double male_ratio;    ///< male / female full-skin thickness
  double pd_um;         ///< papillary dermis
  double subcutis_mm;   ///< subcutaneous fat (the mechanics' foundation), mm [R]
};

inline const std::vector<SiteData>& site_table() {
  // Sources in docs/model.md §1.2 (table "Site presets").
  static const std::vector<SiteData> t = {
      {"forehead", 13.0, 50.0, 1860.0, 2.45 / 1.86, 150.0, 4.0},
      {"cheek", 13.0, 50.0, 1900.0, 2.53 / 1.90, 150.0, 6.0},
      {"periorbital", 10.0, 35.0, 1240.0, 1.44 / 1.24, 100.0, 2.0},
      {"neck", 13.0, 50.0, 1500.0, 1.25, 150.0, 5.0},
      {"forearm", 18.3, 56.6, 1300.0, 1.15, 150.0, 5.0},
      {"abdomen", 14.9, 81.5, 2000.0, 1.15, 150.0, 20.0},
      {"back", 11.0, 70.3, 2600.0, 1.15, 150.0, 10.0},
      // hairless rat, dorsal (Kalluri 2011's model; for the insertion calibration): epidermis
      // ≈ 30 µm, dermis ≈ 0.7 mm, loose subcutis ≈ 2 mm [R]
      {"rat", 10.0, 20.0, 730.0, 1.0, 100.0, 2.0},
  };
  return t;
}

inline std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Levenshtein distance (for "did you mean").
inline std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace detail

/// The site names skin_preset accepts ("face" is an alias of "cheek").
inline std::vector<std::string> skin_sites() {
  std::vector<std::string> s;
  for (const auto& d : detail::site_table()) s.push_back(d.name);
  s.push_back("face");
  return s;
}

/// The generic skin of the model specification (model-spec §6.8: thicknesses 15/70/150/1350/
/// 1000 µm; vascular access 0/0/1/0.5/0.5; fibroblasts 1000, 600 and 100 cells/mm³ in PD, RD
/// and HY; neo-Hookean μ = 2 C10 of Tran et al. 2007): the defaults of the Python `Skin()`
/// (the site presets, skin_preset, are the published ones).
inline SkinProfile generic_skin() {
  SkinProfile s;
  s.site = "face";
  s.layers[0] = {15e-6, 0.24e6, 0.0, 0.0, 0.0, 0.0, 0.0};
  s.layers[1] = {70e-6, 0.24e6, 0.0, 0.0, 0.0, 0.0, 1.0};
  s.layers[2] = {150e-6, 2.2e6, 1.0, 1e12, 1.0, 1.0, 0.0};
  s.layers[3] = {1350e-6, 2.2e6, 0.5, 6e11, 1.0, 1.0, 0.0};
  s.layers[4] = {1000e-6, 840.0, 0.5, 1e11, 0.1, 0.1, 0.0};
  return s;
}

/// Annual relative loss of dermal thickness after age 25 (1/year) [P]; see docs/model.md §1.3.
inline constexpr double dermal_thinning_per_year = 0.006;

/// Tearing energy of hairless-rat skin, J/m² [F: Kalluri 2011 roller depth, docs/model.md §3.5].
inline constexpr double rat_tearing_energy = 15.3e3;

/// A skin profile for a body site, adjusted for age (years, 0–120), sex and Fitzpatrick
/// phototype (1–6, carried for pigmentation risk). Throws invalid_argument for an unknown site
/// (listing the valid ones, with a suggestion) or out-of-range age/phototype.
inline SkinProfile skin_preset(const std::string& site, double age_years = 40.0,
                               bool male = false, int phototype = 3) {
  require_range("skin.age_years", age_years, 0.0, 120.0, "years");
  require_count("skin.phototype", phototype, 1, 6);
  std::string key = detail::lower(site);
  if (key == "face") key = "cheek";
  const detail::SiteData* d = nullptr;
  for (const auto& s : detail::site_table())
    if (key == s.name) d = &s;
  if (!d) {
    std::string list, best;
    std::size_t best_d = 1000;
    for (const auto& s : skin_sites()) {
      list += (list.empty() ? "" : ", ") + s;
      const std::size_t e = detail::edit_distance(key, s);
      if (e < best_d) best_d = e, best = s;
    }
    std::string msg = "skin.site = '" + site + "' is not a known site; valid sites: " + list;
    if (best_d <= 3) msg += " (did you mean '" + best + "'?)";
    throw invalid_argument(msg);
  }
  using units::um;
  const double epi = (d->sc_um + d->ve_um) * um;
  // Dermis at the reference (woman 20–29 y) = full skin − epidermis; males scale by the
  // ultrasound ratio; thinning after 25 years (Meng 2022 direction; rate [P]), floor 50 %.
  double dermis = d->skin_f_um * um - epi;
  if (male) dermis = d->skin_f_um * d->male_ratio * um - epi;
  const double age_factor = std::max(0.5, 1.0 - dermal_thinning_per_year * std::max(0.0, age_years - 25.0));
  dermis *= age_factor;
  // Epidermis thicker in males (Sandby-Møller 2003; factor 1.1 [P]).
  const double epi_sex = male ? 1.1 : 1.0;

  SkinProfile p;
  p.site = key;
  p.age_years = age_years;
  p.male = male;
  p.phototype = phototype;
  auto& sc = p[Layer::stratum_corneum];
  auto& ve = p[Layer::viable_epidermis];
  auto& pd = p[Layer::papillary_dermis];
  auto& rd = p[Layer::reticular_dermis];
  auto& hy = p[Layer::hypodermis];
  sc.thickness = d->sc_um * um;
  ve.thickness = d->ve_um * um * epi_sex;
  pd.thickness = std::min(d->pd_um * um, 0.3 * dermis);
  rd.thickness = dermis - pd.thickness;
  hy.thickness = 1.0 * units::mm;  // truncated hypodermis [P]

  // Shear moduli μ = 2 C10 (Tran 2007); SC μ = E/3 with E = 1.5 MPa (Geerligs 2011, 1–2 MPa).
  sc.shear_modulus = 1.5e6 / 3.0;
  ve.shear_modulus = 2.0 * 0.12e6;
  pd.shear_modulus = 2.0 * 1.11e6;
  rd.shear_modulus = 2.0 * 1.11e6;
  hy.shear_modulus = 2.0 * 0.42e3;

  // Vascular access [P] (Braverman 1997 geometry): capillary loops in the papillary dermis,
  // upper plexus / reticular vessels at half weight, lower plexus in the hypodermis.
  sc.vascular_access = 0.0;
  ve.vascular_access = 0.0;
  pd.vascular_access = 1.0;
  rd.vascular_access = 0.5;
  hy.vascular_access = 0.5;

  // Baseline fibroblasts [P]: 1000 / 600 / 100 cells/mm³ (papillary / reticular / hypodermis);
  // cellularity falls with age (qualitative): −0.5 %/year after 40, floor 50 % [P].
  const double cell_age = std::clamp(1.0 - 0.005 * (age_years - 40.0), 0.5, 1.2);
  pd.fibroblast_density = 1000.0e9 * cell_age;  // cells/mm³ → cells/m³ (× 1e9)
  rd.fibroblast_density = 600.0e9 * cell_age;
  hy.fibroblast_density = 100.0e9 * cell_age;

  // Matrix, normalised to the reticular reference [P].
  pd.collagen = 0.8;
  rd.collagen = 1.0;
  hy.collagen = 0.1;
  pd.elastin = 0.6;
  rd.elastin = 1.0;
  hy.elastin = 0.1;
  ve.keratinocyte = 1.0;

  // Upper plexus: Braverman 1997 gives 1–1.5 mm on the forearm; we place it 40 % of the way
  // through the reticular dermis [P], which is ≈ 1.0 mm at the 40-year forearm, and keep it in
  // the reticular dermis for thin sites.
  p.upper_plexus_depth = epi + pd.thickness + 0.4 * rd.thickness;
  p.subcutis_thickness = d->subcutis_mm * units::mm;
  // Tearing energy: human default (SkinProfile); the rat value is fitted to Kalluri 2011's
  // channel depth (docs/model.md §3.5, training row) and falls in the 13.7–22.6 kJ/m² measured
  // for rat skin in tension (CJME 2022 review table, S).
  if (key == "rat") p.tearing_energy = rat_tearing_energy;
  p.validate();
  return p;
}

/// Shear-modulus-weighted quantities the mechanics needs (docs/model.md §3).
/// Thickness-weighted mean shear modulus of the epidermis (SC + VE), Pa.
inline double epidermal_shear_modulus(const SkinProfile& s) {
  const auto& sc = s[Layer::stratum_corneum];
  const auto& ve = s[Layer::viable_epidermis];
  return (sc.shear_modulus * sc.thickness + ve.shear_modulus * ve.thickness) /
         (sc.thickness + ve.thickness);
}

/// A copy of `base` with its layer thicknesses set from the five interface depths (m, the bottoms
/// of SC, VE, PD, RD and HY, strictly increasing). Throws invalid_argument naming the interface
/// when they are out of order, non-finite or non-positive.
inline SkinProfile with_interfaces(SkinProfile base, const std::vector<double>& depths) {
  require_same_size("skin.interfaces", depths.size(), n_layers);
  double top = 0.0;
  for (int i = 0; i < n_layers; ++i) {
    const double z = depths[i];
    if (!std::isfinite(z) || !(z > top))
      throw invalid_argument("skin.interfaces[" + std::to_string(i) + "] (bottom of " +
                             layer_name(static_cast<Layer>(i)) + ") = " + detail::fmt(z) +
                             " m is out of order; valid range is (" + detail::fmt(top) +
                             ", 0.05] m (strictly below the interface above)");
    base.layers[i].thickness = z - top;
    top = z;
  }
  base.validate();
  return base;
}

/// Validates layer order/thickness with messages naming the layer (alias of validate()).
inline void validate_skin(const SkinProfile& s) { s.validate(); }

}  // namespace dermasim
