// dermasim/numerics/transmissibility.hpp — finite-volume face transmissibilities (m/s) of
// the z direction, shared by the diffusion solver (diffusion.hpp), the unsplit reaction–
// diffusion operator (patankar_rd.hpp) and the healing model's surface loss.
//
// With cell heights h and diffusivities D, the flux through a face is T (u_R − u_L) with
//   interior face:   T = 1 / (h_L/(2 D_L) + h_R/(2 D_R))   (harmonic mean; exact for
//                    piecewise-constant D with faces on layer boundaries; 0 if either D is 0)
//   Dirichlet face:  T = 2 D / h                           (half a cell to the boundary value)
//   Robin face:      T = 1 / (h/(2 D) + 1/h_r)             (half a cell in series with the
//                    transfer coefficient h_r, m/s; 0 if h_r or D is 0)
//   zero-flux face:  T = 0
// The expressions (and their order of operations) are those the solvers have always used, so
// every result is bitwise unchanged by sharing them.
// core::Channels::robin_rate (healing/core/channels.hpp) is robin_transmissibility(h, dz, D) / dz.
#pragma once

#include <cstddef>
#include <vector>

namespace dermasim {

/// Boundary condition on the top (z = 0) or bottom face of the column.
struct BoundaryCondition {
  enum class Kind { zero_flux, dirichlet, robin };
  Kind kind = Kind::zero_flux;
  double value = 0.0;  ///< Dirichlet value, or Robin external value (field units)
  double h = 0.0;      ///< Robin transfer coefficient, m/s (outward flux = h (u − value))

  static BoundaryCondition zero_flux() { return {}; }
  static BoundaryCondition dirichlet(double v) { return {Kind::dirichlet, v, 0.0}; }
  static BoundaryCondition robin(double h, double ext) { return {Kind::robin, ext, h}; }
};

/// Interior face between cells of heights hL, hR (m) and diffusivities DL, DR (m²/s): the
/// harmonic-mean transmissibility, m/s (0 if either side does not diffuse).
inline double face_transmissibility(double hL, double DL, double hR, double DR) {
  if (DL <= 0.0 || DR <= 0.0) return 0.0;
  return 1.0 / (0.5 * hL / DL + 0.5 * hR / DR);
}

/// Robin boundary face of a cell of height h (m) and diffusivity D (m²/s) with the transfer
/// coefficient hr (m/s): 1 / (h/(2D) + 1/hr), m/s (0 if hr or D is 0).
inline double robin_transmissibility(double hr, double h, double D) {
  if (hr <= 0.0 || D <= 0.0) return 0.0;
  return 1.0 / (0.5 * h / D + 1.0 / hr);
}

/// Boundary face of a cell of height h (m) and diffusivity D (m²/s) under `bc`, m/s.
inline double boundary_transmissibility(const BoundaryCondition& bc, double h, double D) {
  using K = BoundaryCondition::Kind;
  if (bc.kind == K::zero_flux || D <= 0.0) return 0.0;
  if (bc.kind == K::dirichlet) return 2.0 * D / h;
  return robin_transmissibility(bc.h, h, D);
}

/// The nz + 1 face transmissibilities of a z column (m/s): T[0] the top face under `top`,
/// T[nz] the bottom face under `bottom`, T[k] the face between cells k − 1 and k. `dz` and
/// `D` hold nz cell heights (m) and diffusivities (m²/s).
inline std::vector<double> column_transmissibilities(const std::vector<double>& dz,
                                                     const std::vector<double>& D,
                                                     const BoundaryCondition& top,
                                                     const BoundaryCondition& bottom) {
  const std::size_t nz = dz.size();
  std::vector<double> T(nz + 1, 0.0);
  T[0] = boundary_transmissibility(top, dz[0], D[0]);
  T[nz] = boundary_transmissibility(bottom, dz[nz - 1], D[nz - 1]);
  for (std::size_t k = 1; k < nz; ++k)
    T[k] = face_transmissibility(dz[k - 1], D[k - 1], dz[k], D[k]);
  return T;
}

}  // namespace dermasim
