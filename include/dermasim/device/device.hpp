// dermasim/device/device.hpp — microneedling devices and their puncture patterns.
//
// Roller (drum of needle rows), Pen (motorised stamping cartridge) and Stamp (flat needle
// array pressed by hand). Each turns into puncture events (x, y, t, angle) over a periodic
// lx × ly patch with the counter-based RNG, keyed by (seed, session, pass, counter): the same
// seed gives the same events on any machine and thread count. Each also describes how it loads
// its needles (stroke, speed, force per needle, neighbours in contact) for the penetration
// model (mechanics/penetration.hpp). docs/model.md §2 gives every default with its source.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/rng.hpp"
#include "dermasim/core/units.hpp"
#include "dermasim/device/needle.hpp"

namespace dermasim {

/// One numeric field of a device type T (a double or an int member): name, kind (the
/// dimension of its SI value, or "int"), SI unit shown in messages, static valid range (SI)
/// and doc — the one declaration T::validate() and the Python device types read. Ranges that
/// depend on another field are checked by validate() after these.
template <class T>
struct DeviceField {
  const char* name;
  double T::*d;  ///< the member (a double), or
  int T::*i;     ///< the member (an int)
  const char* kind;
  const char* unit;
  double lo, hi;
  const char* doc;
};
/// Range checks of every field of `f` on `x` (messages name "device.<field>").
template <class T>
inline void check_fields(const T& x, const std::vector<DeviceField<T>>& f) {
  for (const auto& e : f) {
    const std::string n = std::string("device.") + e.name;
    if (e.d) require_range(n, x.*(e.d), e.lo, e.hi, e.unit);
    else require_count(n, x.*(e.i), (long long)(e.lo), (long long)(e.hi));
  }
}


/// One needle strike on the patch.
struct PunctureEvent {
  double x = 0.0, y = 0.0;  ///< position on the patch, m (in [0, lx) × [0, ly))
  double t = 0.0;           ///< time within the session, s
  double angle = 0.0;       ///< tilt of the needle axis from the skin normal at entry, rad
  double azimuth = 0.0;     ///< direction of travel of the device (roll / glide), rad
  int pass = 0;             ///< pass number within the session
  int needle = 0;           ///< needle index within the device's array
};

/// What drives a needle into the skin (docs/model.md §3.4).
enum class Drive {
  stroke,  ///< a motor moves the needle a set distance past a nose resting on the skin (pen)
  force,   ///< a hand force shared by the needles loaded together (roller, stamp)
  energy   ///< a moving mass delivers its kinetic energy to the needles (impact applicator)
};

inline const char* drive_name(Drive d) {
  static const char* n[] = {"stroke", "force", "energy"};
  return n[static_cast<int>(d)];
}

/// How a device loads each needle (what the penetration model needs).
struct Loading {
  Needle needle;
  Drive drive = Drive::stroke;
  double stroke = 0.0;   ///< needle travel past the skin-side support when it bottoms out, m
  double speed = 0.0;    ///< needle speed at impact, m/s
  double force_per_needle = std::numeric_limits<double>::infinity();   ///< force cap, N
  double energy_per_needle = std::numeric_limits<double>::infinity();  ///< energy cap, J
  /// Distance from a needle to the nearest place where the device holds the skin surface (the
  /// pen's nose, the stamp's base plate between needles, the drum between needles of a row), m.
  double support_radius = 1e-3;
  std::vector<std::array<double, 2>> neighbours;  ///< offsets (m) of needles loaded together
  double sweep_radius = 0.0;  ///< roller: radius of the drum (mouth elongation), m; 0 = none
};

namespace detail {
inline constexpr double pi = 3.14159265358979323846;
inline constexpr std::uint64_t stream(std::uint64_t session, std::uint64_t purpose) {
  return session * 16 + purpose;
}
inline double wrap(double v, double l) {
  double r = std::fmod(v, l);
  if (r < 0) r += l;
  if (r >= l) r = 0.0;
  return r;
}
/// Range of the rotated coordinate u = x cosθ + y sinθ (or v = −x sinθ + y cosθ) over the patch.
inline std::array<double, 2> rotated_range(double lx, double ly, double c, double s) {
  double lo = 1e300, hi = -1e300;
  for (double x : {0.0, lx})
    for (double y : {0.0, ly}) {
      const double u = x * c + y * s;
      lo = std::min(lo, u), hi = std::max(hi, u);
    }
  return {lo, hi};
}
inline double direction_angle(int pass, int directions) {
  static const double a[4] = {0.0, 0.5 * pi, 0.25 * pi, 0.75 * pi};
  return a[pass % directions];
}

/// Offsets of the other needles of a rows × cols array at `pitch` from its central needle.
inline std::vector<std::array<double, 2>> array_offsets(int rows, int cols, double pitch) {
  std::vector<std::array<double, 2>> o;
  const int r0 = rows / 2, c0 = cols / 2;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      if (r != r0 || c != c0) o.push_back({(c - c0) * pitch, (r - r0) * pitch});
  return o;
}

/// Events of a flat array pressed `presses` times with uniformly random offsets over a
/// periodic lx × ly patch (stamp, applicator); `st` is the RNG stream.
inline std::vector<PunctureEvent> array_punctures(int rows, int cols, double pitch, int presses,
                                                  double press_interval, double angle_jitter,
                                                  double lx, double ly, std::uint64_t seed,
                                                  std::uint64_t st) {
  require_positive("patch.lx", lx, "m");
  require_positive("patch.ly", ly, "m");
  const Philox rng(seed);
  std::vector<PunctureEvent> ev;
  for (int p = 0; p < presses; ++p) {
    const std::uint64_t base = std::uint64_t(p) << 40;
    const double ox = pitch * rng.uniform(st, base, 0), oy = pitch * rng.uniform(st, base, 1);
    const long ni = static_cast<long>(std::ceil(lx / pitch)) + 1;
    const long nj = static_cast<long>(std::ceil(ly / pitch)) + 1;
    std::uint64_t k = 0;
    for (long j = 0; j < nj; ++j)
      for (long i = 0; i < ni; ++i) {
        const double x = ox + i * pitch - pitch, y = oy + j * pitch - pitch;
        if (x < 0 || x >= lx || y < 0 || y >= ly) continue;
        PunctureEvent e;
        e.x = x;
        e.y = y;
        e.t = p * press_interval;
        e.angle = std::fabs(angle_jitter * rng.normal(st, base + 1 + k++));
        e.pass = p;
        e.needle = static_cast<int>((j % rows) * cols + (i % cols));
        ev.push_back(e);
      }
  }
  return ev;
}

}  // namespace detail

// ---- Roller --------------------------------------------------------------------------------

/// A drum of `rows` needle rows (parallel to the drum axis, evenly spaced round the
/// circumference), each of `needles_per_row` needles evenly spaced across the width.
struct Roller {
  std::string name = "roller";
  Needle needle{0.5e-3, 100e-6, 4e-6, 0.0, NeedleShape::cone};
  double drum_diameter = 20e-3;  ///< m (Schwarz & Laaff 2011: 2 cm)
  double drum_width = 20e-3;     ///< m (Schwarz & Laaff 2011: 2 cm)
  int rows = 8;                  ///< needle rows round the drum (Schwarz & Laaff 2011: 8)
  int needles_per_row = 24;      ///< needles per row (192 / 8; Singh & Yadav 2016: 24 arrays)
  int passes = 15;               ///< passes per session (Doddaballapur 2009: 15 ≈ 250 holes/cm²)
  int directions = 4;            ///< roll directions cycled over passes: 0°, 90°, 45°, 135° [P]
  double applied_force = 10.0;   ///< hand force on the drum, N [P]
  double rolling_speed = 0.05;   ///< hand speed of the drum over the skin, m/s [P]
  double speed_cv = 0.2;         ///< coefficient of variation of hand speed [P]
  double position_jitter = 20e-6;  ///< lateral wobble of a needle track, m (SD) [P]
  double angle_jitter = 3.0 * detail::pi / 180;  ///< SD of the needle tilt, rad [P]
  double pass_interval = 1.0;    ///< time between the starts of passes, s [P]

  int needle_count() const { return rows * needles_per_row; }
  double radius() const { return 0.5 * drum_diameter; }
  /// Spacing of rows along the rolled track (the drum rolls without slip), m.
  double row_spacing() const { return detail::pi * drum_diameter / rows; }
  /// Spacing of needles across the track, m.
  double needle_spacing() const { return drum_width / needles_per_row; }
  /// Expected strikes per m² per pass: N / (π D W) (exact for the generator).
  double strikes_per_area_per_pass() const { return 1.0 / (row_spacing() * needle_spacing()); }
  /// Half-angle of the drum arc over which needles of length L are in the skin, rad.
  double contact_half_angle(double depth) const { return std::acos(radius() / (radius() + depth)); }
  /// Mean number of rows loaded at once when needles sink by `depth` (≥ 1).
  double rows_in_contact(double depth) const {
    return std::max(1.0, 2.0 * contact_half_angle(depth) * radius() / row_spacing());
  }

  static const std::vector<DeviceField<Roller>>& fields() {
    using R = Roller;
    static const std::vector<DeviceField<R>> f = {
        {"drum_diameter", &R::drum_diameter, nullptr, "length", "m", 1e-3, 0.2, ""},
        {"drum_width", &R::drum_width, nullptr, "length", "m", 1e-3, 0.5, ""},
        {"rows", nullptr, &R::rows, "int", "", 1, 1000, "needle rows round the drum"},
        {"needles_per_row", nullptr, &R::needles_per_row, "int", "", 1, 10000, ""},
        {"passes", nullptr, &R::passes, "int", "", 1, 1000, "passes per session"},
        {"directions", nullptr, &R::directions, "int", "", 1, 4, "roll directions cycled over passes"},
        {"applied_force", &R::applied_force, nullptr, "force", "N", 1e-3, 500.0, "hand force on the drum"},
        {"rolling_speed", &R::rolling_speed, nullptr, "speed", "m/s", 1e-4, 2.0, "hand speed of the drum over the skin"},
        {"speed_cv", &R::speed_cv, nullptr, "dimensionless", "", 0.0, 0.5, "coefficient of variation of hand speed"},
        {"position_jitter", &R::position_jitter, nullptr, "length", "m", 0.0, 1e-3, ""},
        {"angle_jitter", &R::angle_jitter, nullptr, "angle", "rad", 0.0, 0.5, ""},
        {"pass_interval", &R::pass_interval, nullptr, "time", "s", 0.0, 3600.0, ""},
    };
    return f;
  }
  void validate() const {
    needle.validate("device.needle");
    check_fields(*this, fields());
  }

  Loading loading() const {
    Loading l;
    l.needle = needle;
    l.stroke = needle.length;
    // Vertical speed of a needle tip entering the skin: v_roll · sin(φ_c) at the contact edge.
    l.speed = rolling_speed * std::sin(contact_half_angle(needle.length));
    const double nrows = rows_in_contact(needle.length);
    l.drive = Drive::force;
    l.force_per_needle = applied_force / (nrows * needles_per_row);
    // The drum touches the skin between the needles of the loaded row.
    l.support_radius = 0.5 * needle_spacing();
    // Neighbours: the loaded row across the width (a typical, central needle), and the next
    // row if the arc holds more than one.
    const double b = needle_spacing();
    const int half = needles_per_row / 2;
    for (int j = -half; j < needles_per_row - half; ++j)
      if (j != 0) l.neighbours.push_back({0.0, j * b});
    if (nrows > 1.5)
      for (int j = -half; j < needles_per_row - half; ++j)
        l.neighbours.push_back({row_spacing(), j * b});
    l.sweep_radius = radius();
    return l;
  }

  std::vector<PunctureEvent> punctures(double lx, double ly, std::uint64_t seed,
                                       std::uint64_t session) const {
    validate();
    require_positive("patch.lx", lx, "m");
    require_positive("patch.ly", ly, "m");
    const Philox rng(seed);
    const std::uint64_t st = detail::stream(session, 1);
    std::vector<PunctureEvent> ev;
    const double a = row_spacing(), b = needle_spacing();
    std::uint64_t counter = 0;
    for (int p = 0; p < passes; ++p) {
      const double th = detail::direction_angle(p, directions);
      const double c = std::cos(th), s = std::sin(th);
      const std::uint64_t base = std::uint64_t(p) << 40;
      const double phase_u = a * rng.uniform(st, base, 0);  // where the first row lands
      const double phase_v = b * rng.uniform(st, base, 1);  // lateral placement of the track
      const double v_hand = rolling_speed * std::max(0.2, 1.0 + speed_cv * rng.normal(st, base + 1));
      const auto ur = detail::rotated_range(lx, ly, c, s);
      const auto vr = detail::rotated_range(lx, ly, -s, c);
      const long i0 = static_cast<long>(std::floor((ur[0] - phase_u) / a)) - 1;
      const long i1 = static_cast<long>(std::ceil((ur[1] - phase_u) / a)) + 1;
      const long j0 = static_cast<long>(std::floor((vr[0] - phase_v) / b)) - 1;
      const long j1 = static_cast<long>(std::ceil((vr[1] - phase_v) / b)) + 1;
      for (long i = i0; i <= i1; ++i)
        for (long j = j0; j <= j1; ++j) {
          const double u = phase_u + i * a, v = phase_v + j * b;
          const double x = u * c - v * s, y = u * s + v * c;
          if (x < 0 || x >= lx || y < 0 || y >= ly) continue;  // unjittered lattice: exact density
          const std::uint64_t idx = base + 2 + counter++;
          PunctureEvent e;
          const double jx = position_jitter * rng.normal(st, idx);
          const auto w = rng.bits(st, idx ^ (std::uint64_t(1) << 39));
          const double u2 = double(w[0]) * 0x1.0p-32, u3 = double(w[1]) * 0x1.0p-32;
          e.x = detail::wrap(x - s * jx, lx);
          e.y = detail::wrap(y + c * jx, ly);
          e.t = p * pass_interval + (u - ur[0]) / v_hand;
          const double g = std::sqrt(-2.0 * std::log(std::max(u2, 0x1.0p-32))) *
                           std::cos(2 * detail::pi * u3);
          e.angle = std::fabs(angle_jitter * g);
          e.azimuth = th;
          e.pass = p;
          e.needle = static_cast<int>(((i % rows) + rows) % rows) * needles_per_row +
                     static_cast<int>(((j % needles_per_row) + needles_per_row) % needles_per_row);
          ev.push_back(e);
        }
    }
    return ev;
  }
};

// ---- Pen -----------------------------------------------------------------------------------

/// A motorised pen: a cartridge of `needles` needles on a square-ish grid of `pitch`, stamping
/// at `frequency` while the hand glides it along parallel tracks.
struct Pen {
  std::string name = "pen";
  Needle needle{1.0e-3, 250e-6, 5e-6, 0.5e-3, NeedleShape::cone};
  int needles = 12;              ///< needles per cartridge (Dermapen MD 12; 16, 36 cartridges)
  double pitch = 0.8e-3;         ///< needle spacing in the cartridge, m [P]
  double frequency = 100.0;      ///< stamps per second, Hz (50–150, PRIME 2015; Dermapen 90–110)
  double depth = 1.0e-3;         ///< depth setting (exposed needle length), m
  double depth_min = 0.0;        ///< device range, m (SkinPen: 0–2.5 mm; Dermapen 0.25–2.5 mm)
  double depth_max = 2.5e-3;     ///< m
  double needle_speed = 0.8;     ///< needle speed at impact, m/s [P]: ≈ π × 2.5 mm × 100 Hz
  double motor_force = 5.0;      ///< force the motor can push the cartridge with, N [P]
  double nose_radius = 2.5e-3;   ///< distance from the needles to the nose rim on the skin, m [P]
  double hand_speed = 0.15;      ///< glide speed, m/s [P]: one pass ≈ 300 channels/cm² (PRIME 2015)
  int passes = 1;                ///< passes per session (alternating 0°/90°)
  double speed_cv = 0.2;         ///< coefficient of variation of hand speed [P]
  double position_jitter = 30e-6;  ///< SD of a stamp's lateral wobble, m [P]
  double angle_jitter = 5.0 * detail::pi / 180;  ///< SD of the pen tilt, rad [P]

  int columns() const {
    return std::max(1, static_cast<int>(std::ceil(std::sqrt(double(needles)))));
  }
  /// Needle offsets in the cartridge (m), centred on 0: row-major grid, `columns()` wide.
  std::vector<std::array<double, 2>> layout() const {
    std::vector<std::array<double, 2>> o;
    const int nc = columns();
    const int nr = (needles + nc - 1) / nc;
    for (int k = 0; k < needles; ++k) {
      const int r = k / nc, c = k % nc;
      o.push_back({(c - 0.5 * (nc - 1)) * pitch, (r - 0.5 * (nr - 1)) * pitch});
    }
    return o;
  }
  /// Width of the cartridge across the glide direction = spacing of hand tracks, m.
  double track_spacing() const {
    const int nc = columns();
    const int nr = (needles + nc - 1) / nc;
    return nr * pitch;
  }
  /// Expected strikes per m² per pass: N f / (v_hand · track spacing).
  double strikes_per_area_per_pass() const {
    return needles * frequency / (hand_speed * track_spacing());
  }

  /// The fields (pitch and depth also have ranges set by other fields: validate()).
  static const std::vector<DeviceField<Pen>>& fields() {
    using P = Pen;
    static const std::vector<DeviceField<P>> f = {
        {"needles", nullptr, &P::needles, "int", "", 1, 100, "needles per cartridge"},
        {"pitch", &P::pitch, nullptr, "length", "m", 50e-6, 5e-3, "needle spacing in the cartridge"},
        {"frequency", &P::frequency, nullptr, "frequency", "Hz", 1.0, 500.0, "stamps per second"},
        {"depth", &P::depth, nullptr, "length", "m", 1e-6, 5e-3, "depth setting (exposed needle length)"},
        {"depth_min", &P::depth_min, nullptr, "length", "m", 0.0, 5e-3, ""},
        {"depth_max", &P::depth_max, nullptr, "length", "m", 0.0, 5e-3, ""},
        {"needle_speed", &P::needle_speed, nullptr, "speed", "m/s", 1e-4, 20.0, "needle speed at impact"},
        {"motor_force", &P::motor_force, nullptr, "force", "N", 1e-3, 1000.0, "force the motor can push the cartridge with"},
        {"nose_radius", &P::nose_radius, nullptr, "length", "m", 1e-4, 0.05,
         "distance from the needles to the nose rim on the skin"},
        {"hand_speed", &P::hand_speed, nullptr, "speed", "m/s", 1e-3, 2.0, "glide speed"},
        {"passes", nullptr, &P::passes, "int", "", 1, 1000, "passes per session"},
        {"speed_cv", &P::speed_cv, nullptr, "dimensionless", "", 0.0, 0.5, ""},
        {"position_jitter", &P::position_jitter, nullptr, "length", "m", 0.0, 1e-3, ""},
        {"angle_jitter", &P::angle_jitter, nullptr, "angle", "rad", 0.0, 0.5, ""},
    };
    return f;
  }
  void validate() const {
    needle.validate("device.needle");
    // the ranges that depend on other fields first (their messages give the device's range)
    require_range("device.pitch", pitch, std::max(50e-6, needle.base_diameter), 5e-3, "m");
    require_range("device.depth_min", depth_min, 0.0, 5e-3, "m");
    require_range("device.depth_max", depth_max, depth_min, 5e-3, "m");
    require_range("device.depth", depth, depth_min, depth_max, "m");
    require_positive("device.depth", depth, "m");
    check_fields(*this, fields());
  }

  Loading loading() const {
    Loading l;
    l.needle = needle;
    // the depth setting exposes part of the needle; its taper stays what it is
    if (l.needle.taper_length <= 0.0) l.needle.taper_length = needle.length;
    l.needle.length = depth;
    l.stroke = depth;
    l.speed = needle_speed;
    l.drive = Drive::stroke;
    l.force_per_needle = motor_force / needles;
    l.support_radius = nose_radius;
    const auto lay = layout();
    // neighbours of the needle nearest the cartridge centre
    std::size_t c0 = 0;
    double best = 1e300;
    for (std::size_t k = 0; k < lay.size(); ++k) {
      const double r2 = lay[k][0] * lay[k][0] + lay[k][1] * lay[k][1];
      if (r2 < best) best = r2, c0 = k;
    }
    for (std::size_t k = 0; k < lay.size(); ++k)
      if (k != c0) l.neighbours.push_back({lay[k][0] - lay[c0][0], lay[k][1] - lay[c0][1]});
    return l;
  }

  std::vector<PunctureEvent> punctures(double lx, double ly, std::uint64_t seed,
                                       std::uint64_t session) const {
    validate();
    require_positive("patch.lx", lx, "m");
    require_positive("patch.ly", ly, "m");
    const Philox rng(seed);
    const std::uint64_t st = detail::stream(session, 2);
    const auto lay = layout();
    const double step = hand_speed / frequency;  // stamp spacing along a track
    const double wt = track_spacing();
    std::vector<PunctureEvent> ev;
    std::uint64_t counter = 0;
    double t_pass = 0.0;
    for (int p = 0; p < passes; ++p) {
      const double th = detail::direction_angle(p, 2);
      const double c = std::cos(th), s = std::sin(th);
      const std::uint64_t base = std::uint64_t(p) << 40;
      const double phase_v = wt * rng.uniform(st, base, 0);
      const auto ur = detail::rotated_range(lx, ly, c, s);
      const auto vr = detail::rotated_range(lx, ly, -s, c);
      const double ext = 0.5 * (columns() + 1) * pitch;  // half extent of the cartridge
      const long j0 = static_cast<long>(std::floor((vr[0] - phase_v - ext) / wt));
      const long j1 = static_cast<long>(std::ceil((vr[1] - phase_v + ext) / wt));
      double t_track = t_pass;
      for (long j = j0; j <= j1; ++j) {
        const std::uint64_t tb = base + (std::uint64_t(j - j0 + 1) << 24);  // counter 0 is the pass
        // start of the track, before the patch, with a random phase
        double u = ur[0] - ext - step * (1.0 + rng.uniform(st, tb, 0));
        long k = 0;
        while (u < ur[1] + ext) {
          const std::uint64_t sidx = tb + 1 + std::uint64_t(k);
          const double z = rng.normal(st, sidx);
          const auto w = rng.bits(st, sidx ^ (std::uint64_t(1) << 39));
          const double tilt = angle_jitter * std::fabs(std::sqrt(-2.0 * std::log(std::max(double(w[0]) * 0x1.0p-32, 0x1.0p-32))) *
                                                       std::cos(2 * detail::pi * double(w[1]) * 0x1.0p-32));
          const double dv = position_jitter * (double(w[2]) * 0x1.0p-32 - 0.5) * 3.4641016151377544;
          const double v = phase_v + j * wt + dv;
          for (std::size_t n = 0; n < lay.size(); ++n) {
            const double uu = u + lay[n][1], vv = v + lay[n][0];
            const double x = uu * c - vv * s, y = uu * s + vv * c;
            if (x < 0 || x >= lx || y < 0 || y >= ly) continue;
            PunctureEvent e;
            e.x = x;
            e.y = y;
            e.t = t_track + k / frequency;
            e.angle = tilt;
            e.azimuth = th;
            e.pass = p;
            e.needle = static_cast<int>(n);
            ev.push_back(e);
            ++counter;
          }
          u += step * std::max(0.2, 1.0 + speed_cv * z);
          ++k;
        }
        t_track += k / frequency;
      }
      t_pass = t_track;
    }
    return ev;
  }
};

// ---- Stamp ---------------------------------------------------------------------------------

namespace detail {
/// Geometry and pattern shared by the flat arrays (stamp, applicator): rows × cols needles at
/// `pitch`, applied `presses` times per patch with uniformly random offsets.
struct PressedArray {
  Needle needle{0.5e-3, 140e-6, 4e-6, 0.0, NeedleShape::cone};
  int rows = 10;                 ///< [P]
  int cols = 10;                 ///< [P]
  double pitch = 0.6e-3;         ///< needle spacing, m [P] (≈ 280 needles/cm²)
  int presses = 1;               ///< applications per patch (random offsets)
  double press_interval = 1.0;   ///< s [P]
  double angle_jitter = 2.0 * pi / 180;  ///< rad [P]

  int needle_count() const { return rows * cols; }
  double strikes_per_area_per_pass() const { return 1.0 / (pitch * pitch); }

  void validate_array() const {
    needle.validate("device.needle");
    require_range("device.pitch", pitch, std::max(50e-6, needle.base_diameter), 10e-3, "m");
  }
  /// The loading common to both: stroke = needle length, base plate between the needles.
  Loading array_loading(double speed) const {
    Loading l;
    l.needle = needle;
    l.stroke = needle.length;
    l.speed = speed;
    l.support_radius = 0.5 * pitch;  // the base plate between needles (a 1 × 1 array: its plate)
    l.neighbours = array_offsets(rows, cols, pitch);
    return l;
  }
  std::vector<PunctureEvent> array_events(double lx, double ly, std::uint64_t seed,
                                          std::uint64_t stream_id) const {
    return array_punctures(rows, cols, pitch, presses, press_interval, angle_jitter, lx, ly, seed,
                           stream_id);
  }
};
}  // namespace detail

/// A flat array of rows × cols needles at `pitch`, pressed by hand `presses` times per area.
namespace detail {
/// The fields of a pressed array (stamp, applicator); the pitch also has the needle's base as
/// its lower bound (validate_array).
template <class T>
std::vector<DeviceField<T>> array_fields() {
  return {{"rows", nullptr, &T::rows, "int", "", 1, 1000, ""},
          {"cols", nullptr, &T::cols, "int", "", 1, 1000, ""},
          {"pitch", &T::pitch, nullptr, "length", "m", 50e-6, 10e-3, "needle spacing"},
          {"presses", nullptr, &T::presses, "int", "", 1, 1000, "applications per patch (random offsets)"},
          {"press_interval", &T::press_interval, nullptr, "time", "s", 0.0, 3600.0, ""}};
}
}  // namespace detail

struct Stamp : detail::PressedArray {
  std::string name = "stamp";
  double applied_force = 10.0;   ///< hand force, N [P]
  double press_speed = 0.01;     ///< m/s, a slow hand press [P]

  static const std::vector<DeviceField<Stamp>>& fields() {
    static const std::vector<DeviceField<Stamp>> f = [] {
      auto v = detail::array_fields<Stamp>();
      v.push_back({"applied_force", &Stamp::applied_force, nullptr, "force", "N", 1e-3, 500.0, ""});
      v.push_back({"press_speed", &Stamp::press_speed, nullptr, "speed", "m/s", 1e-4, 20.0, ""});
      v.push_back({"angle_jitter", &Stamp::angle_jitter, nullptr, "angle", "rad", 0.0, 0.5, ""});
      return v;
    }();
    return f;
  }
  void validate() const {
    validate_array();
    check_fields(*this, fields());
  }

  Loading loading() const {
    Loading l = array_loading(press_speed);
    l.drive = Drive::force;
    l.force_per_needle = applied_force / needle_count();
    return l;
  }

  std::vector<PunctureEvent> punctures(double lx, double ly, std::uint64_t seed,
                                       std::uint64_t session) const {
    validate();
    return array_events(lx, ly, seed, detail::stream(session, 3));
  }
};

// ---- Impact applicator ---------------------------------------------------------------------

/// A spring-loaded impact applicator: a moving mass `impact_mass` carries a rows × cols array
/// into the skin at `impact_velocity`; the needles share its kinetic energy ½ m v².
struct Applicator : detail::PressedArray {
  std::string name = "applicator";
  double impact_velocity = 3.0;  ///< m/s [P] (applicators span 1–10 m/s; Meliga 2017, Leone 2018)
  double impact_mass = 5e-3;     ///< moving mass (piston + array), kg [P]

  Applicator() {
    needle = Needle{0.6e-3, 300e-6, 5e-6, 0.0, NeedleShape::cone};
    angle_jitter = 1.0 * detail::pi / 180;
  }
  double kinetic_energy() const { return 0.5 * impact_mass * impact_velocity * impact_velocity; }

  static const std::vector<DeviceField<Applicator>>& fields() {
    static const std::vector<DeviceField<Applicator>> f = [] {
      auto v = detail::array_fields<Applicator>();
      v.push_back({"impact_velocity", &Applicator::impact_velocity, nullptr, "speed", "m/s", 0.01, 50.0,
                   "speed of the array at impact (applicators: 1-10 m/s)"});
      v.push_back({"impact_mass", &Applicator::impact_mass, nullptr, "mass", "kg", 1e-5, 1.0,
                   "moving mass (piston + array)"});
      v.push_back({"angle_jitter", &Applicator::angle_jitter, nullptr, "angle", "rad", 0.0, 0.5, ""});
      return v;
    }();
    return f;
  }
  void validate() const {
    validate_array();
    check_fields(*this, fields());
  }

  Loading loading() const {
    Loading l = array_loading(impact_velocity);
    l.drive = Drive::energy;
    l.energy_per_needle = kinetic_energy() / needle_count();
    return l;
  }

  std::vector<PunctureEvent> punctures(double lx, double ly, std::uint64_t seed,
                                       std::uint64_t session) const {
    validate();
    return array_events(lx, ly, seed, detail::stream(session, 4));
  }
};

// ---- Device --------------------------------------------------------------------------------

enum class DeviceKind { roller, pen, stamp, applicator };

/// Any device: a small value type wrapping Roller, Pen, Stamp or Applicator.
class Device {
 public:
  Device() : d_(Roller{}) {}
  Device(Roller r) : d_(std::move(r)) {}  // NOLINT implicit by design
  Device(Pen p) : d_(std::move(p)) {}     // NOLINT
  Device(Stamp s) : d_(std::move(s)) {}   // NOLINT
  Device(Applicator a) : d_(std::move(a)) {}  // NOLINT

  DeviceKind kind() const { return static_cast<DeviceKind>(d_.index()); }
  const char* kind_name() const {
    static const char* n[] = {"roller", "pen", "stamp", "applicator"};
    return n[d_.index()];
  }
  std::string name() const {
    return std::visit([](const auto& d) { return d.name; }, d_);
  }
  void validate() const {
    std::visit([](const auto& d) { d.validate(); }, d_);
  }
  /// Needle geometry as inserted (a pen's needle is exposed by its depth setting).
  Needle needle() const { return loading().needle; }
  /// Nominal needle length = stroke (roller/stamp: needle length; pen: depth setting), m.
  double nominal_length() const { return loading().stroke; }
  Loading loading() const {
    validate();
    return std::visit([](const auto& d) { return d.loading(); }, d_);
  }
  /// Strikes per m² per session (passes included): the exact expectation of punctures().
  double strikes_per_area() const {
    return std::visit(
        [](const auto& d) {
          using T = std::decay_t<decltype(d)>;
          if constexpr (std::is_same_v<T, Stamp> || std::is_same_v<T, Applicator>)
            return d.strikes_per_area_per_pass() * d.presses;
          else return d.strikes_per_area_per_pass() * d.passes;
        },
        d_);
  }
  std::vector<PunctureEvent> punctures(double lx, double ly, std::uint64_t seed,
                                       std::uint64_t session) const {
    return std::visit([&](const auto& d) { return d.punctures(lx, ly, seed, session); }, d_);
  }

  const Roller* roller() const { return std::get_if<Roller>(&d_); }
  const Pen* pen() const { return std::get_if<Pen>(&d_); }
  const Stamp* stamp() const { return std::get_if<Stamp>(&d_); }
  const Applicator* applicator() const { return std::get_if<Applicator>(&d_); }
  Roller* roller() { return std::get_if<Roller>(&d_); }
  Pen* pen() { return std::get_if<Pen>(&d_); }
  Stamp* stamp() { return std::get_if<Stamp>(&d_); }
  Applicator* applicator() { return std::get_if<Applicator>(&d_); }

 private:
  std::variant<Roller, Pen, Stamp, Applicator> d_;
};

// ---- Presets -------------------------------------------------------------------------------

/// Home roller (0.2–0.5 mm; 192- or 540-needle drum). Needle base width: 70 µm for ≤ 0.25 mm
/// (Doddaballapur 2009: 200 µm × 70 µm), else 100 µm (Doddaballapur 2009: 0.1 mm); tip 4 µm
/// (Kalluri 2011).
inline Roller home_roller(double length = 0.25e-3, int needles = 192) {
  if (needles != 192 && needles != 540)
    throw invalid_argument("home_roller.needles = " + std::to_string(needles) +
                           " is not a preset drum; valid values are 192 or 540");
  require_range("device.needle_length", length, 0.1e-3, 1.0e-3, "m");
  Roller r;
  r.name = "home roller " + detail::fmt(length * 1e3) + " mm (" + std::to_string(needles) + ")";
  r.needle = Needle{length, length <= 0.25e-3 ? 70e-6 : 100e-6, 4e-6, 0.0, NeedleShape::cone};
  if (needles == 540) {  // 18 rows × 30 needles [P] (no peer-reviewed source; calibration.md §8)
    r.rows = 18;
    r.needles_per_row = 30;
  }
  r.passes = 15;
  r.applied_force = 10.0;
  return r;
}

/// Clinical roller (Dermaroller MF8-like: 192 needles in 8 rows, 2 × 2 cm drum, needles
/// 0.25 mm diameter; Schwarz & Laaff 2011), 1.5 mm by default.
inline Roller clinical_roller(double length = 1.5e-3) {
  require_range("device.needle_length", length, 0.1e-3, 3.0e-3, "m");
  Roller r;
  r.name = "clinical roller " + detail::fmt(length * 1e3) + " mm";
  r.needle = Needle{length, 250e-6, 4e-6, 0.0, NeedleShape::cone};
  r.passes = 15;
  r.applied_force = 15.0;  // firmer clinical pressure [P]
  return r;
}

/// Kalluri 2011 DermaRoller (770 or 370 µm needles, base 140 µm, tip radius 4 µm).
inline Roller kalluri_roller(double length = 770e-6) {
  Roller r = clinical_roller(length);
  r.name = "DermaRoller (Kalluri 2011) " + detail::fmt(length * 1e6) + " um";
  r.needle = Needle{length, 140e-6, 4e-6, 0.0, NeedleShape::cone};
  r.applied_force = 10.0;
  return r;
}

/// Clinical pen (Dermapen/SkinPen-like): 12 needles, 100 Hz, depth 0.25–2.5 mm.
inline Pen clinical_pen(double depth = 1.5e-3, int needles = 12) {
  Pen p;
  p.needles = needles;
  p.depth_min = 0.25e-3;
  p.depth_max = 2.5e-3;
  p.validate();  // checks the needle count
  require_range("device.depth", depth, p.depth_min, p.depth_max, "m");
  p.depth = depth;
  p.name = "clinical pen " + detail::fmt(depth * 1e3) + " mm (" + std::to_string(needles) + ")";
  return p;
}

}  // namespace dermasim
