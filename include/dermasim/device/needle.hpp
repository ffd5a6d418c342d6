// dermasim/device/needle.hpp — the geometry of one microneedle (SI units).
//
// A needle is a tip of radius r_tip, a taper (cone or square pyramid) that widens to the base
// diameter over `taper_length`, then a cylindrical shaft up to `length` (taper_length = 0 means
// the taper spans the whole length, as in DermaRoller needles, Kalluri 2011).
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/units.hpp"

namespace dermasim {

enum class NeedleShape { cone, pyramid };

struct Needle {
  double length = 0.5e-3;          ///< nominal (exposed) length L, m
  double base_diameter = 140e-6;   ///< diameter (pyramid: side width) at the base, m (Kalluri 2011)
  double tip_radius = 4e-6;        ///< radius of the tip, m (Kalluri 2011)
  double taper_length = 0.0;       ///< length of the taper from the tip, m; 0 = whole length
  NeedleShape shape = NeedleShape::cone;

  double base_radius() const { return 0.5 * base_diameter; }
  /// Length over which the radius grows from r_tip to r_base (a property of the needle, not of
  /// how far it is exposed: a pen's depth setting does not change it).
  double taper() const { return taper_length > 0.0 ? taper_length : length; }
  /// tan of the taper half-angle (radius gained per metre from the tip).
  double tan_half_angle() const {
    return std::max(0.0, base_radius() - tip_radius) / taper();
  }
  /// Radius (pyramid: half-width) at distance x (m) from the tip.
  double radius_at(double x) const {
    return std::min(base_radius(), tip_radius + std::max(0.0, x) * tan_half_angle());
  }
  /// Perimeter of the cross-section relative to a circle of the same radius (pyramid: 4/π).
  double perimeter_factor() const { return shape == NeedleShape::pyramid ? 4.0 / 3.14159265358979 : 1.0; }

  /// Every numeric field (name, member, static range in m, doc): the one declaration validate()
  /// and the Python `Needle` type read (the tip radius is also bounded by half the base).
  struct Field {
    const char* name;
    double Needle::*member;
    double lo, hi;
    const char* doc;
  };
  static const std::vector<Field>& fields() {
    static const std::vector<Field> f = {
        {"length", &Needle::length, 10e-6, 5e-3, "nominal (exposed) length"},
        {"base_diameter", &Needle::base_diameter, 5e-6, 2e-3, "diameter at the base (Kalluri 2011)"},
        {"tip_radius", &Needle::tip_radius, 0.1e-6, 1e-3, "tip radius (Kalluri 2011)"},
        {"taper_length", &Needle::taper_length, 0.0, 5e-3, "taper length from the tip; 0 = whole length"},
    };
    return f;
  }

  void validate(const std::string& p = "needle") const {
    for (const auto& f : fields())
      require_range(p + "." + f.name, this->*(f.member), f.lo,
                    f.member == &Needle::tip_radius ? 0.5 * base_diameter : f.hi, "m");
  }
};

}  // namespace dermasim
