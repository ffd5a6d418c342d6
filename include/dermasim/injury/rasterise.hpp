// dermasim/injury/rasterise.hpp — needle channels → damage fraction on the grid.
//
// Each channel is a conical lumen (radius r_s at the surface narrowing to r_tip at depth d)
// wrapped in a crush halo of width ℓ_h (model-spec §6.4):
//     Φ_k(x) = 1 inside the lumen,  exp(−δ²/ℓ_h²) outside, δ = distance to the lumen
// (radial distance to the cone above the tip, distance to the tip disc below it). A voxel's
// damage is 1 − Π_k (1 − Φ̄_k), Φ̄_k the average of Φ_k over the voxel, computed by midpoint
// sub-sampling (m_xy² × m_z points per voxel), so the injured volume Σ D V converges as the
// grid refines. Bleeding channels fill their damaged voxels with blood in proportion to the
// vascular access of the layer: B = 1 − Π_k (1 − f_blood Φ̄_k v(z)). The open surface of a
// column is the fraction of its area (m_s² points) inside a channel mouth.
//
// Parallel over z-planes with a fixed channel order per voxel, and per-plane sums reduced in
// plane order: bitwise identical results for any thread count.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/grid.hpp"
#include "dermasim/core/registry.hpp"
#include "dermasim/injury/injury_field.hpp"
#include "dermasim/skin/layers.hpp"

namespace dermasim {

/// Rasterisation settings (docs/model.md §4). The physical ones are a registry (dotted names
/// `raster.*`, Scenario::raster), the sampling counts are numerics.
struct RasterParams : ParamRegistry<RasterParams> {
  double halo = 10e-6;        ///< ℓ_h, crush-halo width, m [P] (model-spec §6.8)
  double halo_cutoff = 4.0;   ///< Φ is set to 0 beyond cutoff · ℓ_h (exp(−16) ≈ 1e-7)
  double blood_fill = 0.5;    ///< f_blood, blood-filled fraction of a bleeding lumen [P]
  int subsamples_xy = 4;      ///< m_xy, midpoint samples per voxel and lateral axis
  int subsamples_z = 2;       ///< m_z, midpoint samples per voxel in depth
  int surface_subsamples = 8; ///< m_s, samples per column and axis for the open surface

  static const std::vector<Info>& registry() {
    static const std::vector<Info> r = {
        {"halo", &RasterParams::halo, "um", 1e-6, 0.0, 1000.0, "[P] crush/tear halo width (model-spec 6.8)"},
        {"halo_cutoff", &RasterParams::halo_cutoff, "-", 1.0, 1.0, 10.0,
         "[P] numerical: the halo is cut at cutoff x width (exp(-16) at 4)"},
        {"blood_fill", &RasterParams::blood_fill, "-", 1.0, 0.0, 1.0, "[P] blood-filled fraction of a bleeding lumen"},
    };
    return r;
  }
  static constexpr const char* registry_prefix = "raster.";
  static constexpr const char* registry_kind = "raster";
  static constexpr const char* registry_doc = "RasterParams::names() or docs/model.md §4";

  void validate() const {
    validate_registered();
    require_count("raster.subsamples_xy", subsamples_xy, 1, 64);
    require_count("raster.subsamples_z", subsamples_z, 1, 64);
    require_count("raster.surface_subsamples", surface_subsamples, 1, 64);
  }
};

namespace detail {
/// Φ at squared radial distance rho2 from the axis and depth z for one channel.
inline double channel_phi(const Channel& c, double rho2, double z, double inv_h2, double cut2) {
  if (z < 0.0) return 0.0;
  double delta2;
  if (z <= c.depth) {
    const double r = c.tip_radius + (c.surface_radius - c.tip_radius) * (1.0 - z / c.depth);
    if (rho2 <= r * r) return 1.0;
    const double dr = std::sqrt(rho2) - r;
    delta2 = dr * dr;
  } else {
    const double dz = z - c.depth;
    const double rho = std::sqrt(rho2);
    const double dr = rho > c.tip_radius ? rho - c.tip_radius : 0.0;
    delta2 = dr * dr + dz * dz;
  }
  const double q = delta2 * inv_h2;
  return q >= cut2 ? 0.0 : std::exp(-q);
}
}  // namespace detail

/// Rasterises punctured channels on `grid`. `attempted` is the number of needle strikes
/// (punctured or not) for the record.
inline InjuryField rasterise(const std::vector<Channel>& channels, const SkinProfile& skin,
                             const Grid& grid, std::size_t attempted = 0,
                             const RasterParams& rp = {}) {
  skin.validate();
  rp.validate();
  for (std::size_t n = 0; n < channels.size(); ++n) {
    const auto& c = channels[n];
    const std::string p = "channels[" + std::to_string(n) + "]";
    require_positive(p + ".depth", c.depth, "m");
    require_positive(p + ".surface_radius", c.surface_radius, "m");
    require_range(p + ".tip_radius", c.tip_radius, 0.0, c.surface_radius, "m");
    require_range(p + ".x", c.x, 0.0, grid.lx(), "m");
    require_range(p + ".y", c.y, 0.0, grid.ly(), "m");
  }
  InjuryField f;
  f.grid = grid;
  f.channels = channels;
  f.attempted = std::max(attempted, channels.size());
  const std::size_t N = grid.size(), P = grid.plane();
  f.damage.assign(N, 0.0);
  f.bleeding.assign(N, 0.0);
  f.open_surface.assign(P, 0.0);

  const int nx = grid.nx(), ny = grid.ny(), nz = grid.nz();
  const double dx = grid.dx(), dy = grid.dy();
  const bool periodic = grid.lateral() == Lateral::periodic;
  const double h = rp.halo > 0.0 ? rp.halo : 1e-12;
  const double inv_h2 = 1.0 / (h * h), cut2 = rp.halo_cutoff * rp.halo_cutoff;
  const double reach_h = rp.halo > 0.0 ? rp.halo_cutoff * rp.halo : 0.0;
  const int mxy = rp.subsamples_xy, mz = rp.subsamples_z;

  // layer vascular access per z-cell (by cell centre)
  std::vector<double> vz(nz);
  std::vector<int> lz(nz);
  for (int k = 0; k < nz; ++k) {
    lz[k] = static_cast<int>(skin.layer_at(grid.z_centres()[k]));
    vz[k] = skin.layers[lz[k]].vascular_access;
  }
  const auto& zf = grid.z_faces();
  std::vector<double> plane_sum(nz, 0.0);

#pragma omp parallel for schedule(static)
  for (int k = 0; k < nz; ++k) {
    const double z0 = zf[k], z1 = zf[k + 1];
    double* D = f.damage.data() + std::size_t(k) * P;  // holds Π(1 − Φ̄) until the end
    double* B = f.bleeding.data() + std::size_t(k) * P;
    for (std::size_t c = 0; c < P; ++c) D[c] = 1.0, B[c] = 1.0;
    for (const Channel& ch : channels) {
      if (z0 > ch.depth + reach_h) continue;
      const double R = ch.surface_radius + reach_h;
      const long i0 = static_cast<long>(std::floor((ch.x - R) / dx));
      const long i1 = static_cast<long>(std::floor((ch.x + R) / dx));
      const long j0 = static_cast<long>(std::floor((ch.y - R) / dy));
      const long j1 = static_cast<long>(std::floor((ch.y + R) / dy));
      const double bl = ch.bleeding ? rp.blood_fill * vz[k] : 0.0;
      for (long j = j0; j <= j1; ++j) {
        long jj = j;
        if (jj < 0 || jj >= ny) {
          if (!periodic) continue;
          jj = ((jj % ny) + ny) % ny;
        }
        for (long i = i0; i <= i1; ++i) {
          long ii = i;
          if (ii < 0 || ii >= nx) {
            if (!periodic) continue;
            ii = ((ii % nx) + nx) % nx;
          }
          // nearest and farthest points of the cell from the axis
          const double cx = std::clamp(ch.x, i * dx, (i + 1) * dx) - ch.x;
          const double cy = std::clamp(ch.y, j * dy, (j + 1) * dy) - ch.y;
          const double near2 = cx * cx + cy * cy;
          if (near2 > R * R) continue;  // beyond the reach of the halo
          const double fx = std::max(std::fabs(i * dx - ch.x), std::fabs((i + 1) * dx - ch.x));
          const double fy = std::max(std::fabs(j * dy - ch.y), std::fabs((j + 1) * dy - ch.y));
          const double far2 = fx * fx + fy * fy;
          // lumen radius over the cell's depth range (decreasing with z)
          const double r_top = z0 <= ch.depth ? ch.tip_radius + (ch.surface_radius - ch.tip_radius) * (1.0 - z0 / ch.depth) : -1.0;
          const double r_bot = z1 <= ch.depth ? ch.tip_radius + (ch.surface_radius - ch.tip_radius) * (1.0 - z1 / ch.depth) : -1.0;
          double phi;
          if (r_bot >= 0.0 && far2 <= r_bot * r_bot) {
            phi = 1.0;  // the whole cell is inside the lumen
          } else if (r_top >= 0.0 && near2 >= (r_top + reach_h) * (r_top + reach_h)) {
            continue;  // the whole cell is beyond the halo cut-off
          } else {
          // Sample only the part of the cell the channel can reach (its bounding box), at
          // least m points per axis and no coarser than ℓ_h: large cells (1D columns, 2D
          // slices, thick deep cells) stay accurate, small cells are unchanged.
          const double bx0 = std::max(i * dx, ch.x - R), bx1 = std::min((i + 1) * dx, ch.x + R);
          const double by0 = std::max(j * dy, ch.y - R), by1 = std::min((j + 1) * dy, ch.y + R);
          const double bz0 = z0, bz1 = std::min(z1, ch.depth + reach_h);
          if (!(bx1 > bx0) || !(by1 > by0) || !(bz1 > bz0)) continue;
          const int mx = std::min(64, std::max(mxy, static_cast<int>(std::ceil((bx1 - bx0) / h))));
          const int my = std::min(64, std::max(mxy, static_cast<int>(std::ceil((by1 - by0) / h))));
          const int mzz = std::min(64, std::max(mz, static_cast<int>(std::ceil((bz1 - bz0) / h))));
          const double sx = (bx1 - bx0) / mx, sy = (by1 - by0) / my, sz = (bz1 - bz0) / mzz;
          double acc = 0.0;
          // detail::channel_phi with the per-depth terms hoisted (same arithmetic, so the same
          // bits); rows of samples that all lie beyond the halo cut-off add exact zeros and are
          // skipped (Φ is non-decreasing towards the axis in floating point too)
          for (int a = 0; a < mzz; ++a) {
            const double z = bz0 + (a + 0.5) * sz;
            if (z < 0.0) continue;
            const bool above = z <= ch.depth;
            const double r = above ? ch.tip_radius + (ch.surface_radius - ch.tip_radius) * (1.0 - z / ch.depth) : 0.0;
            const double rr = r * r;
            const double dzt = above ? 0.0 : z - ch.depth;
            const double dz2 = dzt * dzt;
            for (int b = 0; b < my; ++b) {
              const double py = by0 + (b + 0.5) * sy - ch.y;
              const double py2 = py * py;
              if (above) {
                const double drm = std::sqrt(py2) - r;
                if (drm >= 0.0 && drm * drm * inv_h2 >= cut2) continue;
                for (int e = 0; e < mx; ++e) {
                  const double px = bx0 + (e + 0.5) * sx - ch.x;
                  const double rho2 = px * px + py2;
                  double phi_s;
                  if (rho2 <= rr) {
                    phi_s = 1.0;
                  } else {
                    const double dr = std::sqrt(rho2) - r;
                    const double q = dr * dr * inv_h2;
                    phi_s = q >= cut2 ? 0.0 : std::exp(-q);
                  }
                  acc += phi_s;
                }
              } else {
                const double rm = std::sqrt(py2);
                const double drm = rm > ch.tip_radius ? rm - ch.tip_radius : 0.0;
                if ((drm * drm + dz2) * inv_h2 >= cut2) continue;
                for (int e = 0; e < mx; ++e) {
                  const double px = bx0 + (e + 0.5) * sx - ch.x;
                  const double rho = std::sqrt(px * px + py2);
                  const double dr = rho > ch.tip_radius ? rho - ch.tip_radius : 0.0;
                  const double q = (dr * dr + dz2) * inv_h2;
                  acc += q >= cut2 ? 0.0 : std::exp(-q);
                }
              }
            }
          }
          // mean over the box × (box volume / cell volume)
          phi = std::min(1.0, acc / (double(mzz) * my * mx) *
                                  ((bx1 - bx0) * (by1 - by0) * (bz1 - bz0)) / (dx * dy * (z1 - z0)));
          }
          if (phi <= 0.0) continue;
          const std::size_t c = std::size_t(jj) * nx + ii;
          D[c] *= (1.0 - phi);
          if (bl > 0.0) B[c] *= (1.0 - bl * phi);
        }
      }
    }
    double s = 0.0;
    for (std::size_t c = 0; c < P; ++c) {
      D[c] = 1.0 - D[c];
      B[c] = 1.0 - B[c];
      s += D[c];
    }
    plane_sum[k] = s;
  }
  for (int k = 0; k < nz; ++k) f.injured_volume[lz[k]] += plane_sum[k] * grid.cell_volume(k);

  // open surface: union of channel mouths, m_s² points per column (idempotent marking)
  const int ms = rp.surface_subsamples;
  std::vector<unsigned char> mark(P * std::size_t(ms) * ms, 0);
  for (const Channel& ch : channels) {
    const double R = ch.surface_radius, R2 = R * R;
    const long i0 = static_cast<long>(std::floor((ch.x - R) / dx));
    const long i1 = static_cast<long>(std::floor((ch.x + R) / dx));
    const long j0 = static_cast<long>(std::floor((ch.y - R) / dy));
    const long j1 = static_cast<long>(std::floor((ch.y + R) / dy));
    for (long j = j0; j <= j1; ++j) {
      long jj = j;
      if (jj < 0 || jj >= ny) {
        if (!periodic) continue;
        jj = ((jj % ny) + ny) % ny;
      }
      for (long i = i0; i <= i1; ++i) {
        long ii = i;
        if (ii < 0 || ii >= nx) {
          if (!periodic) continue;
          ii = ((ii % nx) + nx) % nx;
        }
        unsigned char* m = mark.data() + (std::size_t(jj) * nx + ii) * ms * ms;
        for (int b = 0; b < ms; ++b) {
          const double py = (j + (b + 0.5) / ms) * dy - ch.y;
          for (int e = 0; e < ms; ++e) {
            const double px = (i + (e + 0.5) / ms) * dx - ch.x;
            if (px * px + py * py <= R2) m[b * ms + e] = 1;
          }
        }
      }
    }
  }
  double open_sum = 0.0;
  for (std::size_t c = 0; c < P; ++c) {
    int cnt = 0;
    for (int q = 0; q < ms * ms; ++q) cnt += mark[c * ms * ms + q];
    f.open_surface[c] = double(cnt) / (ms * ms);
    open_sum += f.open_surface[c];
  }
  f.opened_area_fraction = open_sum / double(P);
  f.channels_per_cm2 = double(channels.size()) / (grid.lx() * grid.ly()) * 1e-4;
  f.bleeding_points = static_cast<std::size_t>(
      std::count_if(channels.begin(), channels.end(), [](const Channel& c) { return c.bleeding; }));
  return f;
}

/// The laterally averaged injury of `channels` on a 1 × 1 column grid (the 1D healing model),
/// computed exactly instead of by rasterising a patch and averaging it. Each channel's Φ
/// integrates over the patch area A and z-cell k in closed form (the lumen area is quadratic
/// in z, the halo's radial integral is 2π[r ℓ_h (√π/2) erf(c) + ℓ_h²/2 (1 − e^{−c²})] with c the
/// cut-off, and below the tip the depth integral is done by Gauss–Legendre on sub-intervals
/// no wider than ℓ_h). Channels are combined like independent, uniformly placed sets (the
/// Boolean model): D_k = 1 − Π_ch (1 − ā_ch,k), ā_ch,k = ∫Φ dV / (A dz_k), which is the
/// expectation of the rasterised union for random positions (docs/model.md §4). Bleeding and
/// the open surface follow the same rule. Cost: O(channels × nz), no lateral sampling.
inline InjuryField column_injury(const std::vector<Channel>& channels, const SkinProfile& skin,
                                 const Grid& grid, std::size_t attempted = 0,
                                 const RasterParams& rp = {}) {
  skin.validate();
  rp.validate();
  if (grid.nx() != 1 || grid.ny() != 1)
    throw invalid_argument("column_injury: the grid has nx, ny = " + std::to_string(grid.nx()) + ", " +
                           std::to_string(grid.ny()) + "; valid: a 1 x 1 column (use rasterise otherwise)");
  for (std::size_t n = 0; n < channels.size(); ++n) {
    const auto& c = channels[n];
    const std::string p = "channels[" + std::to_string(n) + "]";
    require_positive(p + ".depth", c.depth, "m");
    require_positive(p + ".surface_radius", c.surface_radius, "m");
    require_range(p + ".tip_radius", c.tip_radius, 0.0, c.surface_radius, "m");
  }
  InjuryField f;
  f.grid = grid;
  f.channels = channels;
  f.attempted = std::max(attempted, channels.size());
  const int nz = grid.nz();
  const double A = grid.lx() * grid.ly();
  const double pi = 3.14159265358979323846, sqpi = 1.7724538509055160273;
  const double h = rp.halo, c = rp.halo_cutoff;
  const double erfc_ = std::erf(c), ec = 1.0 - std::exp(-c * c);
  // lumen + halo area at lumen radius r with halo cut-off parameter cc (m²)
  // lumen + halo area (m²) at lumen radius r; er = erf(c'), e = 1 − exp(−c'²) for cut-off c'
  auto area = [&](double r, double er, double e) {
    return pi * r * r + (h > 0.0 ? 2.0 * pi * (r * h * 0.5 * sqpi * er + 0.5 * h * h * e) : 0.0);
  };
  const auto& zf = grid.z_faces();
  std::vector<double> D(nz, 1.0), Bl(nz, 1.0), vz(nz);
  std::vector<int> lz(nz);
  for (int k = 0; k < nz; ++k) {
    lz[k] = static_cast<int>(skin.layer_at(grid.z_centres()[k]));
    vz[k] = skin.layers[lz[k]].vascular_access;
  }
  // Gauss–Legendre nodes/weights on [−1, 1]: 2 points (exact for the quadratic lumen part), 4
  // points on each sub-interval below the tip
  const double g2 = 0.57735026918962576451;
  const double g4x[4] = {-0.86113631159405257522, -0.33998104358485626480, 0.33998104358485626480,
                         0.86113631159405257522};
  const double g4w[4] = {0.34785484513745385737, 0.65214515486254614263, 0.65214515486254614263,
                         0.34785484513745385737};
  double open_keep = 1.0;
  for (const Channel& ch : channels) {
    const double reach = ch.depth + (h > 0.0 ? c * h : 0.0);
    auto radius = [&](double z) {
      return ch.tip_radius + (ch.surface_radius - ch.tip_radius) * (1.0 - z / ch.depth);
    };
    for (int k = 0; k < nz; ++k) {
      const double z0 = zf[k], z1 = zf[k + 1];
      if (z0 >= reach) break;
      double vol = 0.0;  // ∫ Φ dA dz over the cell, m³
      // above the tip: quadratic in z, 2-point Gauss exact
      const double za = z0, zb = std::min(z1, ch.depth);
      if (zb > za) {
        const double m = 0.5 * (za + zb), w = 0.5 * (zb - za);
        vol += w * (area(radius(m - w * g2), erfc_, ec) + area(radius(m + w * g2), erfc_, ec));
      }
      // below the tip: exp(−dz²/ℓ²) × the tip disc with halo, cut at δ = c ℓ
      if (h > 0.0) {
        const double ya = std::max(z0, ch.depth) - ch.depth, yb = std::min(z1, reach) - ch.depth;
        if (yb > ya) {
          const int nsub = std::max(1, int(std::ceil((yb - ya) / h)));
          const double sw = (yb - ya) / nsub;
          for (int q = 0; q < nsub; ++q) {
            const double m = ya + (q + 0.5) * sw, w = 0.5 * sw;
            for (int g = 0; g < 4; ++g) {
              const double y = m + w * g4x[g];
              const double c2 = c * c - y * y / (h * h);
              if (c2 <= 0.0) continue;
              const double cc = std::sqrt(c2);
              vol += w * g4w[g] * std::exp(-y * y / (h * h)) *
                     area(ch.tip_radius, std::erf(cc), 1.0 - std::exp(-c2));
            }
          }
        }
      }
      const double a = std::min(1.0, vol / (A * (z1 - z0)));
      D[k] *= 1.0 - a;
      if (ch.bleeding) Bl[k] *= 1.0 - std::min(1.0, rp.blood_fill * vz[k] * a);
    }
    open_keep *= 1.0 - std::min(1.0, pi * ch.surface_radius * ch.surface_radius / A);
  }
  f.damage.assign(nz, 0.0);
  f.bleeding.assign(nz, 0.0);
  for (int k = 0; k < nz; ++k) {
    f.damage[k] = 1.0 - D[k];
    f.bleeding[k] = 1.0 - Bl[k];
    f.injured_volume[lz[k]] += f.damage[k] * grid.cell_volume(k);
  }
  f.open_surface.assign(1, 1.0 - open_keep);
  f.opened_area_fraction = f.open_surface[0];
  f.channels_per_cm2 = double(channels.size()) / A * 1e-4;
  f.bleeding_points = static_cast<std::size_t>(
      std::count_if(channels.begin(), channels.end(), [](const Channel& x) { return x.bleeding; }));
  return f;
}

/// Total injured volume Σ_layers (m³).
inline double total_injured_volume(const InjuryField& f) {
  double v = 0.0;
  for (double x : f.injured_volume) v += x;
  return v;
}

}  // namespace dermasim
