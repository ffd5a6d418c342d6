// dermasim/healing/patient.hpp — patient factors beyond the SkinProfile and the
// parameters they adjust (docs/model.md §5.7).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "dermasim/healing/parameters.hpp"
#include "dermasim/skin/layers.hpp"

namespace dermasim::healing {

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

  /// Every flag with its dotted name (under "patient.") and doc: the one
  /// declaration the bindings and the Python `Patient` type are built from.
  struct Field {
    const char* name;
    bool PatientFactors::*member;
    const char* doc;
  };
  static const std::vector<Field>& fields() {
    static const std::vector<Field> f = {
        {"diabetes", &PatientFactors::diabetes, "slower switch to repair macrophages, less proliferation"},
        {"anticoagulants", &PatientFactors::anticoagulants,
         "anticoagulant therapy or a clotting disorder (more bleeding)"},
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
      w.push_back(
          "contraindication: active skin infection at the site (risk "
          "of spread; not modelled)");
    if (active_acne)
      w.push_back(
          "contraindication: active inflammatory acne (risk of spread; "
          "not modelled)");
    if (eczema_flare) w.push_back("contraindication: eczema flare at the site (not modelled)");
    if (rosacea_flare) w.push_back("contraindication: rosacea flare at the site (not modelled)");
    if (isotretinoin)
      w.push_back(
          "contraindication: isotretinoin within 6 months (impaired "
          "healing reported; not modelled)");
    return w;
  }
};

/// Patient-adjusted copy of the parameters (mechanisms: age, diabetes).
inline HealingParameters effective_parameters(HealingParameters p, const SkinProfile& skin, const PatientFactors& pt) {
  const double age = std::clamp(1.0 - p.age_slope * (skin.age_years - 40.0), 0.3, 1.5);
  p.r_F *= age;
  p.p_3 *= age;
  p.p_1 *= age;
  if (pt.smoking) {  // synthesis per activated fibroblast (Jorgensen 1998: 1.8x
                     // less deposition)
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

}  // namespace dermasim::healing
