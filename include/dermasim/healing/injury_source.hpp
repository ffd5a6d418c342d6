// dermasim/healing/injury_source.hpp — injury fields for the healing model.
//
// - `synthetic_injury`: conical channels (lumen radius r(z) = r_tip + (d − z) tan β/2, crush
//   halo exp(−(ρ − r)²/ℓ²), smooth cap below the tip; model-spec §6.4) at positions drawn with
//   the counter-based RNG keyed by (seed, session): new positions every session. Rasterised as
//   cell averages on any grid: analytically for a 1D column, by 2.5 µm sub-sampling otherwise.
//   This is the healing module's own, self-contained source (tests, sweeps); the device /
//   penetration stage's `session_injury` plugs in through `InjurySource` instead.
// - `lateral_average`: averages a fine injury field over x, y onto a coarser grid with the
//   same z faces (the 1D column and the 2D slice use laterally averaged injury).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/grid.hpp"
#include "dermasim/core/rng.hpp"
#include "dermasim/core/units.hpp"
#include "dermasim/injury/injury_field.hpp"
#include "dermasim/skin/layers.hpp"

namespace dermasim::healing {

/// A needling device as the healing module's synthetic injury needs it (SI).
struct NeedleDevice {
  std::string kind = "pen";              ///< "pen", "roller" or "stamp" (labels only)
  double needle_length = 1.5e-3;         ///< nominal needle length / depth setting, m
  double density_per_pass = 100.0e4;     ///< punctures per m² per pass (100/cm²) [S PRIME 2015: 250-300/cm² per treatment]
  double penetration_efficiency = 0.6;   ///< real depth / needle length [P]; Kalluri 2011 roller in rat: 0.2
  double tip_radius = 4e-6;              ///< m [V Kalluri 2011]
  double cone_tan = 0.09;                ///< tan of the cone half angle: 70 µm over 770 µm [V Kalluri 2011]
  double halo = 10e-6;                   ///< crush/tear halo ℓ_h, m [P]
  double blood_fill = 0.5;               ///< blood-filled fraction of a bleeding lumen [P]

  void validate(const std::string& p = "device") const {
    require_range(p + ".needle_length", needle_length, 0.0, 5e-3, "m");
    require_range(p + ".density_per_pass", density_per_pass, 0.0, 1e8, "1/m^2");
    require_range(p + ".penetration_efficiency", penetration_efficiency, 0.0, 1.0);
    require_range(p + ".tip_radius", tip_radius, 1e-7, 1e-3, "m");
    require_range(p + ".cone_tan", cone_tan, 0.0, 1.0);
    require_range(p + ".halo", halo, 1e-7, 1e-3, "m");
    require_range(p + ".blood_fill", blood_fill, 0.0, 1.0);
  }
  static NeedleDevice pen(double length) {
    NeedleDevice d;
    d.needle_length = length;
    return d;
  }
  static NeedleDevice home_roller(double length) {
    NeedleDevice d;
    d.kind = "roller";
    d.needle_length = length;
    d.penetration_efficiency = 0.4;  // [P] between Kalluri's 0.2 (rat, 770 µm) and pens
    d.density_per_pass = 25.0e4;     // 15 passes ≈ 250 holes/cm² [A Doddaballapur 2009]
    return d;
  }
};

/// The injury source of a session: (grid, session index) → injury field on that grid.
using InjurySource = std::function<InjuryField(const Grid&, std::uint64_t session)>;

/// Conical channels of one session, rasterised as cell averages on g.
inline InjuryField synthetic_injury(const SkinProfile& skin, const NeedleDevice& dev, int passes,
                                    const Grid& g, std::uint64_t seed, std::uint64_t session) {
  dev.validate();
  require_count("session.passes", passes, 0, 1000);
  InjuryField inj;
  inj.grid = g;
  inj.damage.assign(g.size(), 0.0);
  inj.bleeding.assign(g.size(), 0.0);
  inj.open_surface.assign(g.plane(), 0.0);
  const double area = g.lx() * g.ly();
  const auto n_ch = static_cast<std::size_t>(std::llround(dev.density_per_pass * passes * area));
  inj.attempted = n_ch;
  const double d = dev.penetration_efficiency * dev.needle_length;
  // first vascular depth
  double z_vasc = skin.total_thickness();
  {
    double top = 0.0;
    for (int l = 0; l < n_layers; ++l) {
      if (skin.layers[l].vascular_access > 0.0) {
        z_vasc = top;
        break;
      }
      top += skin.layers[l].thickness;
    }
  }
  const bool bleeds = d > z_vasc;
  const double ell = dev.halo;
  std::vector<double> vz(g.nz()), rz(g.nz()), capz(g.nz());
  for (int k = 0; k < g.nz(); ++k) {
    const double z = g.z_centres()[k];
    vz[k] = skin[skin.layer_at(z)].vascular_access;
    rz[k] = dev.tip_radius + std::max(0.0, d - z) * dev.cone_tan;
    capz[k] = z <= d ? 1.0 : std::exp(-((z - d) / ell) * ((z - d) / ell));
  }
  const double r_s = dev.tip_radius + d * dev.cone_tan;
  Philox rng(seed);
  const std::uint64_t stream = session * 16 + 1;
  const bool column = g.nx() == 1 && g.ny() == 1;
  std::vector<double> acc(g.size(), 0.0);  // per-channel accumulator (survival product below)
  std::vector<double> surv(g.size(), 1.0);
  const double pi = 3.14159265358979323846;
  for (std::size_t c = 0; c < n_ch && d > 0.0; ++c) {
    Channel ch;
    ch.x = rng.uniform(stream, c, 0) * g.lx();
    ch.y = rng.uniform(stream, c, 1) * g.ly();
    ch.depth = d;
    ch.surface_radius = r_s;
    ch.tip_radius = dev.tip_radius;
    ch.deepest_layer = skin.layer_at(d * (1 - 1e-12));
    ch.bleeding = bleeds;
    inj.channels.push_back(ch);
    if (bleeds) ++inj.bleeding_points;
    if (column) {
      for (int k = 0; k < g.nz(); ++k) {
        if (capz[k] < 1e-12) continue;
        const double r = rz[k];
        const double a = (pi * r * r + pi * ell * ell + std::pow(pi, 1.5) * r * ell) * capz[k];
        surv[k] *= 1.0 - std::min(1.0, a / area);
      }
      inj.open_surface[0] += pi * r_s * r_s / area;
      continue;
    }
    // sub-sampled rasterisation over the channel's bounding box
    const double ds = 2.5e-6;
    const double R = r_s + 3.0 * ell;
    const int ns = static_cast<int>(std::ceil(2.0 * R / ds));
    std::fill(acc.begin(), acc.end(), 0.0);
    std::vector<double> open_acc(g.plane(), 0.0);
    const double dA = ds * ds;
    for (int a = 0; a < ns; ++a) {
      const double px = ch.x - R + (a + 0.5) * ds;
      int i = static_cast<int>(std::floor(px / g.dx()));
      i = ((i % g.nx()) + g.nx()) % g.nx();
      for (int b = 0; b < ns; ++b) {
        const double py = ch.y - R + (b + 0.5) * ds;
        int j = static_cast<int>(std::floor(py / g.dy()));
        j = ((j % g.ny()) + g.ny()) % g.ny();
        const double rho = std::hypot(px - ch.x, py - ch.y);
        if (rho > R) continue;
        const std::size_t col = std::size_t(j) * g.nx() + i;
        if (rho <= r_s) open_acc[col] += dA;
        for (int k = 0; k < g.nz(); ++k) {
          if (capz[k] < 1e-12) break;
          const double r = rz[k];
          const double phi = rho <= r ? 1.0 : std::exp(-((rho - r) / ell) * ((rho - r) / ell));
          acc[std::size_t(k) * g.plane() + col] += phi * capz[k] * dA;
        }
      }
    }
    const double cellA = g.dx() * g.dy();
    for (std::size_t id = 0; id < g.size(); ++id)
      if (acc[id] > 0) surv[id] *= 1.0 - std::min(1.0, acc[id] / cellA);
    for (std::size_t col = 0; col < g.plane(); ++col)
      inj.open_surface[col] = 1.0 - (1.0 - inj.open_surface[col]) * (1.0 - std::min(1.0, open_acc[col] / cellA));
  }
  const std::size_t P = g.plane();
  for (int k = 0; k < g.nz(); ++k)
    for (std::size_t col = 0; col < P; ++col) {
      const std::size_t id = std::size_t(k) * P + col;
      const double phi = column ? 1.0 - surv[k] : 1.0 - surv[id];
      inj.damage[id] = phi;
      if (bleeds) inj.bleeding[id] = dev.blood_fill * vz[k] * phi * (g.z_centres()[k] <= d ? 1.0 : 0.0);
      inj.injured_volume[static_cast<int>(skin.layer_at(g.z_centres()[k]))] += phi * g.cell_volume(k);
    }
  if (column) inj.open_surface[0] = std::min(1.0, inj.open_surface[0]);
  inj.channels_per_cm2 = double(n_ch) / (area / (units::cm * units::cm));
  inj.opened_area_fraction = double(n_ch) * pi * r_s * r_s / area;
  return inj;
}

/// Average a fine injury field over x, y onto `coarse` (same z faces and patch; coarse nx, ny
/// must divide the fine ones). Channels and per-layer totals are kept.
inline InjuryField lateral_average(const InjuryField& fine, const Grid& coarse) {
  const Grid& f = fine.grid;
  if (f.nz() != coarse.nz())
    throw invalid_argument("lateral_average: the injury grid has nz = " + std::to_string(f.nz()) +
                           "; the healing grid has nz = " + std::to_string(coarse.nz()) +
                           " (valid: the same z faces)");
  if (f.nx() % coarse.nx() != 0 || f.ny() % coarse.ny() != 0)
    throw invalid_argument("lateral_average: healing grid nx, ny = " + std::to_string(coarse.nx()) +
                           ", " + std::to_string(coarse.ny()) + " must divide the injury grid's " +
                           std::to_string(f.nx()) + ", " + std::to_string(f.ny()));
  InjuryField out = fine;
  out.grid = coarse;
  const int rx = f.nx() / coarse.nx(), ry = f.ny() / coarse.ny();
  const double w = 1.0 / (double(rx) * ry);
  out.damage.assign(coarse.size(), 0.0);
  out.bleeding.assign(coarse.size(), 0.0);
  out.open_surface.assign(coarse.plane(), 0.0);
  for (int k = 0; k < f.nz(); ++k)
    for (int j = 0; j < f.ny(); ++j)
      for (int i = 0; i < f.nx(); ++i) {
        const std::size_t src = f.index(i, j, k), dst = coarse.index(i / rx, j / ry, k);
        out.damage[dst] += w * fine.damage[src];
        out.bleeding[dst] += w * fine.bleeding[src];
        if (k == 0) out.open_surface[coarse.index(i / rx, j / ry, 0)] += w * fine.open_surface[std::size_t(j) * f.nx() + i];
      }
  return out;
}

}  // namespace dermasim::healing
