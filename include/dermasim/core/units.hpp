// dermasim/core/units.hpp — SI unit constants. Internally everything is SI (m, s, kg, mol/m^3).
// Multiply a value in a named unit to get SI: `1.5 * units::mm` is 1.5e-3 m; divide to convert
// back: `depth / units::um` is micrometres.
#pragma once

namespace dermasim::units {
inline constexpr double m = 1.0;
inline constexpr double mm = 1e-3;
inline constexpr double um = 1e-6;
inline constexpr double cm = 1e-2;
inline constexpr double s = 1.0;
inline constexpr double minute = 60.0;
inline constexpr double hour = 3600.0;
inline constexpr double day = 86400.0;
inline constexpr double week = 7.0 * day;
inline constexpr double month = 30.4375 * day;  // mean Gregorian month
inline constexpr double year = 365.25 * day;
inline constexpr double N = 1.0;
inline constexpr double mN = 1e-3;
inline constexpr double Pa = 1.0;
inline constexpr double kPa = 1e3;
inline constexpr double MPa = 1e6;
inline constexpr double mm2_per_h = 1e-6 / 3600.0;  // diffusivity in mm^2/h -> m^2/s
inline constexpr double cm2_per_s = 1e-4;
}  // namespace dermasim::units
