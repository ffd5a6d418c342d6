// dermasim/numerics/diffusion.hpp — implicit finite-volume diffusion–decay on a Grid.
//
// For each species s with diffusivity D_s(z) (m²/s, one value per z-cell, i.e. per layer) and
// first-order decay λ_s (1/s) it advances
//     ∂u/∂t = ∇·(D_s ∇u) − λ_s u
// by direction splitting into batched tridiagonal line solves:
//   - TimeScheme::implicit_euler_lod: x, y, z backward-Euler sweeps (first order, L-stable,
//     unconditionally positive and monotone);
//   - TimeScheme::crank_nicolson_strang: x(τ/2) y(τ/2) z(τ) y(τ/2) x(τ/2) Crank–Nicolson sweeps
//     (second order; A-stable but not L-stable, so very long steps on sharp data ring).
// Face fluxes use transmissibilities T = 1 / (h_L/(2 D_L) + h_R/(2 D_R)) (the harmonic mean),
// exact for piecewise-constant D with faces on layer boundaries. Decay is folded into the
// z sweep. Boundary conditions: lateral periodic or zero-flux (from the Grid); top and bottom
// zero-flux, Dirichlet or Robin (outward flux = h (u − u_ext)); the top may carry a per-column
// Robin coefficient and external value (open microchannels, topical actives).
// Derivation and measured orders: docs/numerics.md. The line kernels live in numerics/detail/
// (line_solve.hpp: tridiagonal factorisation and Thomas solve of the lateral lines;
// lateral_sweep.hpp: the blocked x and y plane sweeps; z_sweep.hpp: the z factorisation and
// block sweep); the transmissibilities in numerics/transmissibility.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "dermasim/core/aligned.hpp"
#include "dermasim/core/error.hpp"
#include "dermasim/core/field.hpp"
#include "dermasim/core/grid.hpp"
#include "dermasim/core/parallel.hpp"
#include "dermasim/core/simd.hpp"
#include "dermasim/numerics/detail/lateral_sweep.hpp"
#include "dermasim/numerics/detail/line_solve.hpp"
#include "dermasim/numerics/detail/z_sweep.hpp"
#include "dermasim/numerics/transmissibility.hpp"

namespace dermasim {

/// Transport of one species. Empty D means "no transport" (the solver leaves it alone).
struct DiffusionSpec {
  std::vector<double> D;  ///< nz diffusivities per z-cell, m²/s (>= 0)
  double decay = 0.0;     ///< first-order loss rate λ, 1/s (>= 0)
  BoundaryCondition top, bottom;
  /// Optional per-column Robin data on the top face (nx·ny values each, or both empty):
  /// transfer coefficient (m/s, >= 0) and external value. Replaces `top` where given.
  std::vector<double> top_h, top_ext;

  bool active() const { return !D.empty(); }
};

enum class TimeScheme { implicit_euler_lod, crank_nicolson_strang };

inline const char* to_string(TimeScheme s) {
  return s == TimeScheme::implicit_euler_lod ? "implicit_euler_lod" : "crank_nicolson_strang";
}

class DiffusionSolver {
 public:
  DiffusionSolver() = default;
  DiffusionSolver(const Grid& grid, std::vector<DiffusionSpec> specs,
                  TimeScheme scheme = TimeScheme::implicit_euler_lod)
      : g_(grid), specs_(std::move(specs)), scheme_(scheme) {
    for (std::size_t s = 0; s < specs_.size(); ++s) validate(s);
    cache_.resize(specs_.size());
    work_.resize(2 * g_.plane());
    ensure_thread_buffers();
  }

  const Grid& grid() const { return g_; }
  TimeScheme scheme() const { return scheme_; }
  int order() const { return scheme_ == TimeScheme::implicit_euler_lod ? 1 : 2; }
  const std::vector<DiffusionSpec>& specs() const { return specs_; }

  /// Replace the per-column top Robin data of species s (e.g. when channels open or close).
  void set_top_robin(std::size_t s, std::vector<double> h, std::vector<double> ext) {
    check_species(s);
    specs_[s].top_h = std::move(h);
    specs_[s].top_ext = std::move(ext);
    validate(s);
  }

  /// In-place access to the per-column top Robin coefficients of species s (m/s, nx·ny
  /// values, empty unless set_top_robin gave some), so a caller can update them every step
  /// without allocating (healing: open microchannels). The caller keeps them finite and >= 0.
  std::vector<double>& top_robin_h(std::size_t s) {
    check_species(s);
    return specs_[s].top_h;
  }
  /// In-place access to the per-column external values of the top Robin face of species s
  /// (unit of the species), as top_robin_h.
  std::vector<double>& top_robin_ext(std::size_t s) {
    check_species(s);
    return specs_[s].top_ext;
  }
  /// Advance every active species of u by dt seconds.
  void step(FieldSet& u, double dt) {
    require_positive("dt", dt, "s");
    if (u.cells() != g_.size())
      throw invalid_argument("field has " + std::to_string(u.cells()) +
                             " cells; the diffusion solver's grid has " +
                             std::to_string(g_.size()));
    if (u.species() != specs_.size())
      throw invalid_argument("field has " + std::to_string(u.species()) +
                             " species; the diffusion solver has " +
                             std::to_string(specs_.size()) + " specs");
    for (std::size_t s = 0; s < specs_.size(); ++s) {
      if (!specs_[s].active()) continue;
      double* v = u.data(s);
      // x and y sweeps are fused plane by plane (the plane stays in cache between them),
      // so a step streams the field through memory twice (LOD) or three times (CN-Strang)
      if (scheme_ == TimeScheme::implicit_euler_lod) {
        sweep_lateral(s, v, dt, 1.0, LateralPass::xy);
        sweep_z(s, v, dt, 1.0);
      } else {
        sweep_lateral(s, v, 0.5 * dt, 0.5, LateralPass::xy);
        sweep_z(s, v, dt, 0.5);
        sweep_lateral(s, v, 0.5 * dt, 0.5, LateralPass::yx);
      }
    }
  }

  /// Lateral (x then y) backward-Euler sweeps only, over dt seconds, for every active species
  /// (a no-op on a 1D column). Used when the z direction is integrated together with the
  /// kinetics (numerics/patankar_rd.hpp).
  void step_lateral(FieldSet& u, double dt) {
    require_positive("dt", dt, "s");
    if (u.cells() != g_.size() || u.species() != specs_.size())
      throw invalid_argument("step_lateral: the field does not match the solver's grid and species");
    if (g_.nx() <= 1 && g_.ny() <= 1) return;
    for (std::size_t s = 0; s < specs_.size(); ++s)
      if (specs_[s].active()) sweep_lateral(s, u.data(s), dt, 1.0, LateralPass::xy);
  }

  enum class Axis { x, y, z };

  /// One implicitness-θ sweep along `axis` over τ seconds for every active species (θ = 1:
  /// backward Euler, θ = 1/2: Crank–Nicolson; decay is part of the z sweep). step() is a
  /// composition of these; exposed for benchmarks and profiling of the individual sweeps.
  void sweep(FieldSet& u, Axis axis, double tau, double theta = 1.0) {
    require_positive("tau", tau, "s");
    require_range("theta", theta, 0.5, 1.0);
    if (u.cells() != g_.size() || u.species() != specs_.size())
      throw invalid_argument("sweep: the field does not match the solver's grid and species");
    for (std::size_t s = 0; s < specs_.size(); ++s) {
      if (!specs_[s].active()) continue;
      if (axis == Axis::x) sweep_x(s, u.data(s), tau, theta);
      else if (axis == Axis::y) sweep_y(s, u.data(s), tau, theta);
      else sweep_z(s, u.data(s), tau, theta);
    }
  }

  /// Bytes of memory traffic per voxel-species update of step() (for benchmarks): every pass
  /// that streams the field through memory reads and writes it once, 16 B per voxel. The x and
  /// y sweeps are fused plane by plane and the z sweep keeps its block column in cache between
  /// its two passes, so a step is 2 passes (implicit Euler LOD: xy, z) or 3 (CN-Strang: xy, z,
  /// yx) in 3D; 1 per lateral pass and 1 for z in fewer dimensions. See docs/numerics.md.
  double bytes_per_update() const {
    const bool lateral = g_.nx() > 1 || g_.ny() > 1;
    const bool z = true;  // the z sweep always runs (it carries the decay)
    int passes = int(z) + (lateral ? 1 : 0);
    if (scheme_ == TimeScheme::crank_nicolson_strang && lateral) passes += 1;
    return 16.0 * passes;
  }

 private:
  static int max_threads_hint() {
#ifdef _OPENMP
    return std::max(omp_get_max_threads(), omp_get_num_procs());
#else
    return 1;
#endif
  }

  void check_species(std::size_t s) const {
    if (s >= specs_.size())
      throw invalid_argument("species index " + std::to_string(s) + " is out of range; valid range is [0, " +
                             std::to_string(specs_.size()) + ")");
  }

  void validate(std::size_t s) const {
    const auto& sp = specs_[s];
    const std::string p = "diffusion[" + std::to_string(s) + "]";
    require_nonnegative(p + ".decay", sp.decay, "1/s");
    if (!sp.active()) return;
    require_same_size(p + ".D (one value per z-cell)", sp.D.size(), std::size_t(g_.nz()));
    for (std::size_t k = 0; k < sp.D.size(); ++k)
      require_nonnegative(p + ".D[" + std::to_string(k) + "]", sp.D[k], "m^2/s");
    for (auto* bc : {&sp.top, &sp.bottom}) {
      const std::string b = p + (bc == &sp.top ? ".top" : ".bottom");
      if (!std::isfinite(bc->value))
        throw invalid_argument(b + ".value is not finite");
      if (bc->kind == BoundaryCondition::Kind::robin) require_nonnegative(b + ".h", bc->h, "m/s");
    }
    if (sp.top_h.size() != sp.top_ext.size())
      throw invalid_argument(p + ".top_h and .top_ext differ in size (" +
                             std::to_string(sp.top_h.size()) + " vs " +
                             std::to_string(sp.top_ext.size()) + ")");
    if (!sp.top_h.empty()) {
      require_same_size(p + ".top_h (one value per surface column)", sp.top_h.size(), g_.plane());
      for (std::size_t c = 0; c < sp.top_h.size(); ++c) {
        if (!std::isfinite(sp.top_h[c]) || sp.top_h[c] < 0)
          throw invalid_argument(p + ".top_h[" + std::to_string(c) + "] = " +
                                 detail::fmt(sp.top_h[c]) + " m/s; it must be finite and >= 0");
        if (!std::isfinite(sp.top_ext[c]))
          throw invalid_argument(p + ".top_ext[" + std::to_string(c) + "] is not finite");
      }
    }
  }

  // ---- cached factorisations per (species, tau, theta) -----------------------------------------
  using LineFactor = detail::diffusion::LineFactor;
  using ZFactor = detail::diffusion::ZFactor;
  static constexpr int W = detail::diffusion::W;  // lines solved together by the x sweep

  // Two slots each, so step doubling (τ and τ/2 alternating) and CN-Strang (τ/2 lateral, τ
  // in z) reuse factorisations; refactoring a slot reuses its vectors (no allocation once
  // every slot has been filled).
  struct LineSet {
    double tau = -1.0, theta = -1.0;
    std::vector<LineFactor> x, y;  // one per plane k
  };
  struct ZSet {
    double tau = -1.0, theta = -1.0;
    ZFactor z;
  };
  struct Cache {
    LineSet lines[2];
    ZSet zs[2];
    int lnext = 0, znext = 0;  // slot replaced next
    std::vector<double> T;     // face transmissibilities (independent of τ, θ; computed once)
  };

  LineSet& lines_for(std::size_t s, double tau, double theta) {
    Cache& CC = cache_[s];
    for (auto& L : CC.lines)
      if (L.tau == tau && L.theta == theta) return L;
    LineSet& C = CC.lines[CC.lnext];
    CC.lnext ^= 1;
    const auto& sp = specs_[s];
    const bool per = g_.lateral() == Lateral::periodic;
    C.x.resize(g_.nz());
    C.y.resize(g_.nz());
    const double ix2 = 1.0 / (g_.dx() * g_.dx()), iy2 = 1.0 / (g_.dy() * g_.dy());
    for (int k = 0; k < g_.nz(); ++k) {
      detail::diffusion::factor_line(C.x[k], g_.nx(), per, tau, theta, sp.D[k] * ix2);
      detail::diffusion::factor_line(C.y[k], g_.ny(), per, tau, theta, sp.D[k] * iy2);
    }
    C.tau = tau;
    C.theta = theta;
    return C;
  }

  ZFactor& z_for(std::size_t s, double tau, double theta) {
    Cache& CC = cache_[s];
    for (auto& zs : CC.zs)
      if (zs.tau == tau && zs.theta == theta) return zs.z;
    ZSet& C = CC.zs[CC.znext];
    CC.znext ^= 1;
    const auto& sp = specs_[s];
    const auto& dz = g_.dz();
    // D and the uniform boundary conditions are fixed at construction (only the per-column
    // Robin data change), so the transmissibilities are computed once per species
    if (CC.T.size() != std::size_t(g_.nz()) + 1)
      CC.T = column_transmissibilities(dz, sp.D, sp.top, sp.bottom);
    detail::diffusion::factor_z(C.z, CC.T, dz, sp.decay, sp.top.value, sp.bottom.value, tau,
                                theta);
    C.tau = tau;
    C.theta = theta;
    return C.z;
  }

  // ---- per-thread scratch (sized once; a step never allocates) -------------------------------
  // Per thread: the x sweep's transposed block (W lines × nx doubles) and the y sweep's three
  // chunk rows (old row 0, old previous row, SM factors). Sized at construction for
  // max(OpenMP max threads, processors); a later, larger thread count grows it once.
  std::size_t scratch_per_thread() const {
    return std::size_t(W) * std::max(1, g_.nx()) + 3 * std::size_t(std::max(1, g_.nx())) + 8;
  }
  void ensure_thread_buffers() {
    const std::size_t need = std::size_t(max_threads_hint()) * scratch_per_thread();
    if (tbuf_.size() < need) tbuf_.assign(need, 0.0);  // only when the thread count grows
  }
  double* thread_scratch() { return tbuf_.data() + std::size_t(thread_id()) * scratch_per_thread(); }
  static int thread_id() {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
  }
  // Width of the y sweep's x chunks: ny × chunk doubles (≤ 1 MiB, L2 + L3 share) between the
  // forward and backward passes. Whole rows up to 512 × 256 planes: measured, narrower chunks
  // (≤ 256 KiB) lose more to short, strided row segments than they gain from L2 hits. A
  // multiple of 8 (whole cache lines); depends only on the grid.
  std::size_t y_chunk() const {
    const std::size_t nx = std::size_t(g_.nx());
    std::size_t b = std::size_t(131072) / std::size_t(std::max(1, g_.ny()));
    b = std::max<std::size_t>(32, (b / 8) * 8);
    return std::min(nx, b);
  }

  // ---- lateral sweeps, plane by plane: x, y, or fused x→y / y→x while the plane is in cache ---
  enum class LateralPass { x, y, xy, yx };
  void sweep_lateral(std::size_t s, double* u, double tau, double theta, LateralPass which) {
    const int nx = g_.nx(), ny = g_.ny(), nz = g_.nz();
    const bool do_x = nx > 1 && which != LateralPass::y;
    const bool do_y = ny > 1 && which != LateralPass::x;
    if (!do_x && !do_y) return;
    const LineSet& C = lines_for(s, tau, theta);
    const bool per = g_.lateral() == Lateral::periodic;
    const std::size_t chunk = y_chunk();
    ensure_thread_buffers();
    const bool avx2 = use_avx2();
    auto xp = [avx2](const LineFactor& f, double* P, int nx, int ny, double* buf,
                     const double* next) {
      detail::diffusion::x_plane(f, P, nx, ny, buf, next, avx2);
    };
    auto yp = [avx2](const LineFactor& f, double* P, int nx, int ny, bool per, std::size_t chunk,
                     double* ys) {
#if DERMASIM_AVX2_KERNELS
      if (avx2) return detail::diffusion::y_plane_avx2(f, P, nx, ny, per, chunk, ys);
#endif
      detail::diffusion::y_plane(f, P, nx, ny, per, chunk, ys);
    };
#pragma omp parallel if (long(g_.size()) >= parallel_min_cells)
    {
      double* scratch = thread_scratch();
      double* ys = scratch + std::size_t(W) * std::max(1, nx);
#pragma omp for schedule(static)
      for (int k = 0; k < nz; ++k) {
        double* P = u + std::size_t(k) * ny * nx;
        const double* next = (k + 1 < nz) ? P + std::size_t(ny) * nx : nullptr;
        if (which == LateralPass::yx) {
          if (do_y) yp(C.y[k], P, nx, ny, per, chunk, ys);
          if (do_x) xp(C.x[k], P, nx, ny, scratch, next);
        } else {
          if (do_x) xp(C.x[k], P, nx, ny, scratch, next);
          if (do_y) yp(C.y[k], P, nx, ny, per, chunk, ys);
        }
      }
    }
  }
  void sweep_x(std::size_t s, double* u, double tau, double theta) {
    sweep_lateral(s, u, tau, theta, LateralPass::x);
  }
  void sweep_y(std::size_t s, double* u, double tau, double theta) {
    sweep_lateral(s, u, tau, theta, LateralPass::y);
  }

  // ---- z sweep: lines along z, vectorised across columns, UL elimination ------------------------
  void sweep_z(std::size_t s, double* u, double tau, double theta) {
    detail::diffusion::ZSweep a;
    a.Z = &z_for(s, tau, theta);
    const auto& sp = specs_[s];
    a.dz = g_.dz().data();
    a.nz = g_.nz();
    a.P = g_.plane();
    a.tau = tau;
    a.theta = theta;
    a.expl = (1.0 - theta) * tau;
    a.decay = sp.decay;
    a.top_value = sp.top.value;
    a.bottom_value = sp.bottom.value;
    a.D0 = sp.D[0];
    if (!sp.top_h.empty()) {
      a.top_h = sp.top_h.data();
      a.top_ext = sp.top_ext.data();
    }
    // columns per block: the block's whole column (nz × B doubles, ≈ 512 KiB) stays in L2/L3
    // between the upward and the downward pass; a multiple of 8 (whole cache lines)
    const std::size_t P = a.P;
    const std::size_t B = std::clamp<std::size_t>((std::size_t(65536) / a.nz) / 8 * 8, 32, 4096);
    const long nblocks = long((P + B - 1) / B);
    double* work = work_.data();
    parallel_for(0, nblocks, long(g_.size()) >= parallel_min_cells, [&](long b) {
      const std::size_t c0 = std::size_t(b) * B, c1 = std::min(P, c0 + B), nc = c1 - c0;
      detail::diffusion::z_block(a, u, work, c0, nc);
    });
  }

  Grid g_;
  std::vector<DiffusionSpec> specs_;
  TimeScheme scheme_ = TimeScheme::implicit_euler_lod;
  std::vector<Cache> cache_;
  aligned_vector work_;  // z sweep: old values of two planes (θ < 1)
  aligned_vector tbuf_;  // per-thread scratch of the lateral sweeps
};

}  // namespace dermasim