// dermasim/skin/layers.hpp — the layered skin the whole pipeline shares (value types).
//
// This header is the *contract* between stages: skin presets (skin/presets.hpp) fill it, the
// penetration model reads thickness and stiffness, the injury field reads depths and vascular
// access, the healing model reads baseline cell/matrix content. All quantities SI.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"

namespace dermasim {

/// The five layers, top to bottom.
enum class Layer : int {
  stratum_corneum = 0,
  viable_epidermis = 1,
  papillary_dermis = 2,
  reticular_dermis = 3,
  hypodermis = 4
};
inline constexpr int n_layers = 5;

inline const char* layer_name(Layer l) {
  static const char* n[] = {"stratum corneum", "viable epidermis", "papillary dermis",
                            "reticular dermis", "hypodermis"};
  return n[static_cast<int>(l)];
}
inline const char* layer_key(Layer l) {
  static const char* n[] = {"SC", "VE", "PD", "RD", "HY"};
  return n[static_cast<int>(l)];
}

/// Properties of one layer (docs/model.md, "Skin", gives every default with its source).
struct LayerProperties {
  double thickness = 0.0;          ///< m
  double shear_modulus = 0.0;      ///< μ = 2 C10 (neo-Hookean), Pa
  double vascular_access = 0.0;    ///< v ∈ [0, 1]: 0 avascular … 1 capillary loops / plexus
  double fibroblast_density = 0.0; ///< baseline fibroblasts, cells/m³
  double collagen = 0.0;           ///< baseline collagen, normalised (1 = dermal reference)
  double elastin = 0.0;            ///< baseline elastin, normalised
  double keratinocyte = 0.0;       ///< 1 where keratinocytes live (viable epidermis), else 0

  /// Every property with its kind (the dimension of its SI value), unit, valid range and doc:
  /// the one declaration validate() and the Python `LayerProperties` type read.
  struct Field {
    const char* name;
    double LayerProperties::*member;
    const char* kind;  ///< "length", "pressure", "dimensionless", "volume_density"
    const char* unit;  ///< SI unit shown in messages ("" for dimensionless)
    double lo, hi;     ///< valid range, SI
    const char* doc;
  };
  static const std::vector<Field>& fields() {
    static const std::vector<Field> f = {
        {"thickness", &LayerProperties::thickness, "length", "m", 1e-6, 0.05, "layer thickness"},
        {"shear_modulus", &LayerProperties::shear_modulus, "pressure", "Pa", 1.0, 1e9, "neo-Hookean shear modulus"},
        {"vascular_access", &LayerProperties::vascular_access, "dimensionless", "", 0.0, 1.0, "0 avascular … 1 plexus"},
        {"fibroblast_density", &LayerProperties::fibroblast_density, "volume_density", "cells/m^3", 0.0, 1e15,
         "baseline fibroblasts"},
        {"collagen", &LayerProperties::collagen, "dimensionless", "", 0.0, 10.0, "baseline collagen (1 = dermal reference)"},
        {"elastin", &LayerProperties::elastin, "dimensionless", "", 0.0, 10.0, "baseline elastin (normalised)"},
        {"keratinocyte", &LayerProperties::keratinocyte, "dimensionless", "", 0.0, 1.0, "1 where keratinocytes live"},
    };
    return f;
  }
};

/// A skin profile: five layers plus patient descriptors that modify the biology.
struct SkinProfile {
  std::string site = "custom";
  std::array<LayerProperties, n_layers> layers{};
  double upper_plexus_depth = 1.2e-3;  ///< depth of the upper vascular plexus, m (Braverman 1997)
  /// Thickness of the subcutaneous fat under the dermis, m: the foundation of the skin plate in
  /// the insertion mechanics (the healing grid truncates the hypodermis layer to `layers[HY]`).
  double subcutis_thickness = 5e-3;
  /// Energy to tear skin per unit crack area by a needle, J/m² (docs/model.md §3.3): human
  /// 1.14 kJ/m² (porcine skin, needle method; CJME 2022 review table, S).
  double tearing_energy = 1.14e3;
  int phototype = 3;                   ///< Fitzpatrick I–VI (1–6)
  static constexpr int phototype_range[2] = {1, 6};  ///< valid phototypes (validate() and Python read it)
  double age_years = 40.0;
  bool male = false;

  const LayerProperties& operator[](Layer l) const { return layers[static_cast<int>(l)]; }
  LayerProperties& operator[](Layer l) { return layers[static_cast<int>(l)]; }

  /// Depths (m) of the bottom of each layer: the layer interfaces, then the domain bottom.
  std::vector<double> interfaces() const {
    std::vector<double> z;
    double d = 0.0;
    for (const auto& l : layers) z.push_back(d += l.thickness);
    return z;
  }
  double total_thickness() const { return interfaces().back(); }

  /// The layer containing depth z (m); the hypodermis below the last interface.
  Layer layer_at(double z) const {
    double d = 0.0;
    for (int i = 0; i < n_layers; ++i) {
      d += layers[i].thickness;
      if (z < d) return static_cast<Layer>(i);
    }
    return Layer::hypodermis;
  }

  /// The numeric descriptors (as LayerProperties::fields(); phototype, site and sex apart).
  struct Field {
    const char* name;
    double SkinProfile::*member;
    const char* kind;
    const char* unit;
    double lo, hi;
    const char* doc;
  };
  static const std::vector<Field>& fields() {
    static const std::vector<Field> f = {
        {"upper_plexus_depth", &SkinProfile::upper_plexus_depth, "length", "m", 0.0, 0.05,
         "depth of the upper vascular plexus"},
        {"subcutis_thickness", &SkinProfile::subcutis_thickness, "length", "m", 1e-4, 0.2,
         "subcutaneous fat under the dermis: the foundation of the skin plate in the insertion mechanics "
         "(site presets set it)"},
        {"tearing_energy", &SkinProfile::tearing_energy, "surface_energy", "J/m^2", 1.0, 1e6,
         "energy to tear skin per crack area by a needle (human 1.14 kJ/m^2; the 'rat' preset 15 kJ/m^2)"},
        {"age_years", &SkinProfile::age_years, "dimensionless", "years", 0.0, 120.0, "age in years"},
    };
    return f;
  }

  /// Throws invalid_argument naming the offending field and its valid range.
  void validate() const {
    for (int i = 0; i < n_layers; ++i) {
      const std::string p = std::string("skin.") + layer_key(static_cast<Layer>(i));
      for (const auto& f : LayerProperties::fields())
        require_range(p + "." + f.name, layers[i].*(f.member), f.lo, f.hi, f.unit);
    }
    require_count("skin.phototype", phototype, phototype_range[0], phototype_range[1]);
    for (const auto& f : fields()) require_range(std::string("skin.") + f.name, this->*(f.member), f.lo, f.hi, f.unit);
  }
};

}  // namespace dermasim
