// dermasim/injury/injury_field.hpp — the output of the injury stage (a plain value type).
//
// This header is the *contract* between the injury stage (injury/rasterise.hpp) and the
// healing model: the healing model's injury operator takes an InjuryField on its own grid and
// applies it (cell and matrix removal, platelet TGF-β where bleeding, keratinocyte alarm,
// channels opened). All quantities SI.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "dermasim/core/aligned.hpp"
#include "dermasim/core/error.hpp"
#include "dermasim/core/grid.hpp"
#include "dermasim/skin/layers.hpp"

namespace dermasim {

/// One needle channel left in the skin (a punctured needle).
struct Channel {
  double x = 0.0, y = 0.0;       ///< axis position on the patch, m
  double t = 0.0;                ///< time of the puncture within the session, s
  double depth = 0.0;            ///< real channel depth, m
  double surface_radius = 0.0;   ///< lumen radius at the surface, m
  double tip_radius = 0.0;       ///< lumen radius at the bottom, m (cone in between)
  Layer deepest_layer = Layer::stratum_corneum;
  bool bleeding = false;         ///< reached vascular dermis (pinpoint bleeding)
};

/// The micro-injury of one session, rasterised on a Grid.
struct InjuryField {
  Grid grid;
  aligned_vector damage;     ///< damage fraction per voxel ∈ [0, 1] (lumen + crush halo)
  aligned_vector bleeding;   ///< blood-filled fraction per voxel ∈ [0, 1] (0 where avascular)
  /// Fraction of each surface column (nx·ny) covered by open channel mouths ∈ [0, 1]: the
  /// healing model turns it into a per-column Robin coefficient on the top face.
  std::vector<double> open_surface;
  std::vector<Channel> channels;             ///< punctured needles
  std::size_t attempted = 0;                 ///< needle strikes, punctured or not
  std::array<double, n_layers> injured_volume{};  ///< Σ damage × V per layer, m³
  double channels_per_cm2 = 0.0;             ///< punctured channels per cm² of patch
  double opened_area_fraction = 0.0;         ///< channel mouth area / patch area
  std::size_t bleeding_points = 0;           ///< channels with bleeding = true
  /// Further per-voxel fields that a later stage of the pipeline adds, by name (a thermal stage:
  /// its coagulation fraction, ...); each has grid.size() values. Modules read them by name.
  std::map<std::string, aligned_vector> extra;

  /// Names of the per-voxel fields: "damage", "bleeding", then the extra ones.
  std::vector<std::string> field_names() const {
    std::vector<std::string> n = {"damage", "bleeding"};
    for (const auto& [k, v] : extra) n.push_back(k);
    return n;
  }
  /// A per-voxel field by name (invalid_argument naming the known ones if there is none).
  const aligned_vector& field(const std::string& name) const {
    if (name == "damage") return damage;
    if (name == "bleeding") return bleeding;
    const auto it = extra.find(name);
    if (it != extra.end()) return it->second;
    std::string known;
    for (const auto& k : field_names()) known += (known.empty() ? "" : ", ") + ("'" + k + "'");
    throw invalid_argument("injury field '" + name + "' is not a field of this injury; known: " + known);
  }
  /// Adds (or replaces) a named per-voxel field; its size must be the grid's.
  void set_field(const std::string& name, aligned_vector values) {
    if (name == "damage" || name == "bleeding")
      throw invalid_argument("injury field '" + name + "' is a core field; set it directly");
    if (values.size() != grid.size())
      throw invalid_argument("injury field '" + name + "': " + std::to_string(values.size()) + " values for " +
                             std::to_string(grid.size()) + " cells (valid: one per cell of the injury grid)");
    extra[name] = std::move(values);
  }
};

}  // namespace dermasim
