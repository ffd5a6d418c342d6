// dermasim/core/grid.hpp — the cell-centred finite-volume grid of a skin patch.
//
// Coordinates: x, y lateral (uniform spacing, periodic or zero-flux), z depth (z = 0 at the
// skin surface, increasing inward; graded, with a face on every layer boundary). A 1D depth
// column is nx = ny = 1, a 2D x–z slice is ny = 1. Cell (i, j, k) has linear index
// (k * ny + j) * nx + i: x fastest, z slowest. All lengths in metres.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"

namespace dermasim {

/// Lateral boundary treatment.
enum class Lateral { periodic, zero_flux };

class Grid {
 public:
  Grid() = default;

  /// nx × ny cells over lx × ly (m) laterally; z_faces (m, nz + 1 values, strictly increasing,
  /// the first 0) in depth.
  Grid(int nx, int ny, double lx, double ly, std::vector<double> z_faces,
       Lateral lateral = Lateral::periodic)
      : nx_(nx), ny_(ny), lx_(lx), ly_(ly), zf_(std::move(z_faces)), lateral_(lateral) {
    require_count("grid.nx", nx, 1, 1 << 16);
    require_count("grid.ny", ny, 1, 1 << 16);
    require_positive("grid.lx", lx, "m");
    require_positive("grid.ly", ly, "m");
    if (zf_.size() < 2)
      throw invalid_argument("grid.z_faces has " + std::to_string(zf_.size()) +
                             " values; need at least 2 (nz >= 1)");
    for (std::size_t k = 0; k < zf_.size(); ++k) {
      if (!std::isfinite(zf_[k]))
        throw invalid_argument("grid.z_faces[" + std::to_string(k) + "] is not finite");
      if (k > 0 && !(zf_[k] > zf_[k - 1]))
        throw invalid_argument("grid.z_faces must be strictly increasing; z_faces[" +
                               std::to_string(k) + "] = " + detail::fmt(zf_[k]) +
                               " m <= z_faces[" + std::to_string(k - 1) + "] = " +
                               detail::fmt(zf_[k - 1]) + " m");
    }
    nz_ = static_cast<int>(zf_.size()) - 1;
    dz_.resize(nz_);
    zc_.resize(nz_);
    for (int k = 0; k < nz_; ++k) {
      dz_[k] = zf_[k + 1] - zf_[k];
      zc_[k] = 0.5 * (zf_[k + 1] + zf_[k]);
    }
  }

  /// Uniform grid: n cells per axis over the given extents (m).
  static Grid uniform(int nx, int ny, int nz, double lx, double ly, double lz,
                      Lateral lateral = Lateral::periodic) {
    require_count("grid.nz", nz, 1, 1 << 20);
    require_positive("grid.lz", lz, "m");
    std::vector<double> f(nz + 1);
    for (int k = 0; k <= nz; ++k) f[k] = lz * k / nz;
    return Grid(nx, ny, lx, ly, std::move(f), lateral);
  }

  int nx() const { return nx_; }
  int ny() const { return ny_; }
  int nz() const { return nz_; }
  std::size_t size() const { return std::size_t(nx_) * ny_ * nz_; }
  std::size_t plane() const { return std::size_t(nx_) * ny_; }
  int dimension() const { return 1 + (nx_ > 1) + (ny_ > 1); }
  double lx() const { return lx_; }
  double ly() const { return ly_; }
  double dx() const { return lx_ / nx_; }
  double dy() const { return ly_ / ny_; }
  double depth() const { return zf_.back(); }
  Lateral lateral() const { return lateral_; }
  const std::vector<double>& z_faces() const { return zf_; }
  const std::vector<double>& dz() const { return dz_; }
  const std::vector<double>& z_centres() const { return zc_; }
  double x_centre(int i) const { return (i + 0.5) * dx(); }
  double y_centre(int j) const { return (j + 0.5) * dy(); }
  double cell_volume(int k) const { return dx() * dy() * dz_[k]; }
  double volume() const { return lx_ * ly_ * depth(); }
  std::size_t index(int i, int j, int k) const {
    return (std::size_t(k) * ny_ + j) * nx_ + i;
  }
  /// Index of the z-cell containing depth z (m); clamps to the column.
  int cell_of_depth(double z) const {
    auto it = std::upper_bound(zf_.begin(), zf_.end(), z);
    int k = static_cast<int>(it - zf_.begin()) - 1;
    return std::clamp(k, 0, nz_ - 1);
  }

 private:
  int nx_ = 1, ny_ = 1, nz_ = 1;
  double lx_ = 1, ly_ = 1;
  std::vector<double> zf_{0.0, 1.0};
  std::vector<double> dz_{1.0}, zc_{0.5};
  Lateral lateral_ = Lateral::periodic;
};

/// Graded z faces with a face on every interface. `interfaces` are the layer boundaries in
/// depth order (m), the last one the bottom of the domain. Spacing starts at h_min at the
/// surface, grows geometrically by `growth` per cell up to h_max, and each layer gets at least
/// `min_cells` cells; inside a layer cells are uniform.
inline std::vector<double> graded_z_faces(const std::vector<double>& interfaces, double h_min,
                                          double h_max, double growth = 1.15,
                                          int min_cells = 2) {
  require_positive("graded_z_faces.h_min", h_min, "m");
  require_positive("graded_z_faces.h_max", h_max, "m");
  require_range("graded_z_faces.growth", growth, 1.0, 10.0);
  require_count("graded_z_faces.min_cells", min_cells, 1, 10000);
  if (h_max < h_min)
    throw invalid_argument("graded_z_faces.h_max = " + detail::fmt(h_max) +
                           " m must be >= h_min = " + detail::fmt(h_min) + " m");
  if (interfaces.empty())
    throw invalid_argument("graded_z_faces.interfaces is empty; need at least the bottom depth");
  std::vector<double> f{0.0};
  double top = 0.0, h = h_min;
  for (std::size_t l = 0; l < interfaces.size(); ++l) {
    const double bot = interfaces[l];
    if (!std::isfinite(bot) || !(bot > top))
      throw invalid_argument("graded_z_faces.interfaces must be finite and increasing; interface " +
                             std::to_string(l) + " = " + detail::fmt(bot) + " m <= " +
                             detail::fmt(top) + " m");
    const double thick = bot - top;
    int n = std::max(min_cells, static_cast<int>(std::ceil(thick / h - 1e-9)));
    for (int c = 1; c <= n; ++c) f.push_back(top + thick * c / n);
    f.back() = bot;
    // the next layer starts from this layer's spacing, grown by `growth` per cell placed
    // (capped so one thick layer does not jump straight to h_max)
    h = std::min(h_max, std::max(thick / n, h_min) * std::pow(growth, std::min(n, 8)));
    top = bot;
  }
  return f;
}

}  // namespace dermasim
