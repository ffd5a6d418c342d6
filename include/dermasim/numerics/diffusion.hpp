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
// Derivation and measured orders: docs/numerics.md.
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

  // ---- transmissibilities (m/s) -------------------------------------------------------------
  static double face_T(double hL, double DL, double hR, double DR) {
    if (DL <= 0.0 || DR <= 0.0) return 0.0;
    return 1.0 / (0.5 * hL / DL + 0.5 * hR / DR);
  }
  static double boundary_T(const BoundaryCondition& bc, double h, double D) {
    using K = BoundaryCondition::Kind;
    if (bc.kind == K::zero_flux || D <= 0.0) return 0.0;
    if (bc.kind == K::dirichlet) return 2.0 * D / h;
    if (bc.h <= 0.0) return 0.0;
    return 1.0 / (0.5 * h / D + 1.0 / bc.h);
  }
  static double robin_T(double hr, double h, double D) {
    if (hr <= 0.0 || D <= 0.0) return 0.0;
    return 1.0 / (0.5 * h / D + 1.0 / hr);
  }

  // ---- cached factorisations per (species, tau, theta) -----------------------------------------
  struct LineFactor {  // constant-coefficient line (x or y) in one plane
    int n = 0;
    bool periodic = false;    // lateral wrap (explicit part)
    bool sm = false;          // Sherman–Morrison correction needed (periodic, n >= 3)
    double off = 0.0;         // off-diagonal −θτr (−2θτr for periodic n = 2)
    double expl = 0.0;        // (1 − θ) τ r
    std::vector<double> cp, m;  // Thomas factors of the (modified) matrix
    std::vector<double> zc;     // Sherman–Morrison correction vector (periodic)
    double gamma = 0.0, sm_den = 1.0;
  };
  struct ZFactor {
    std::vector<double> T;       // nz + 1 face transmissibilities (T[0] top uniform, T[nz] bottom)
    std::vector<double> l, c, d;  // tridiagonal rows (divided by dz)
    std::vector<double> g, ibeta;  // UL elimination factors
    double beta0_rest = 0.0;       // β0 = d0(col) − beta0_rest
    double src_top = 0.0, src_bot = 0.0;  // τ T e / dz for uniform boundaries
  };
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

  static void factor_line(LineFactor& f, int n, bool periodic, double tau, double theta,
                          double r) {
    f.n = n;
    f.periodic = periodic && n >= 2;
    f.sm = periodic && n >= 3;
    f.expl = (1.0 - theta) * tau * r;
    if (n == 1) return;
    double off = -theta * tau * r;
    if (f.periodic && n == 2) off *= 2.0;  // both faces connect the same two cells
    f.off = off;
    // rows: lower lo_i = off (i > 0), upper up_i = off (i < n−1), diagonal di_i; the periodic
    // (Sherman–Morrison) matrix modifies the two end diagonals
    auto lo = [&](int i) { return (i > 0) ? off : 0.0; };
    auto up = [&](int i) { return (i < n - 1) ? off : 0.0; };
    if (f.sm) f.gamma = -(1.0 - 2.0 * off);
    auto di = [&](int i) {
      double d = 1.0 - ((i > 0) ? off : 0.0) - ((i < n - 1) ? off : 0.0);
      if (f.sm && i == 0) d = (1.0 - 2.0 * off) - f.gamma;
      if (f.sm && i == n - 1) d = (1.0 - 2.0 * off) - off * off / f.gamma;
      return d;
    };
    f.cp.assign(n, 0.0);
    f.m.assign(n, 0.0);
    f.m[0] = 1.0 / di(0);
    f.cp[0] = up(0) * f.m[0];
    for (int i = 1; i < n; ++i) {
      f.m[i] = 1.0 / (di(i) - lo(i) * f.cp[i - 1]);
      f.cp[i] = up(i) * f.m[i];
    }
    if (f.sm) {
      f.zc.assign(n, 0.0);
      f.zc[0] = f.gamma;
      f.zc[n - 1] = off;
      solve_thomas(f, f.zc.data(), 1);
      f.sm_den = 1.0 + f.zc[0] + off * f.zc[n - 1] / f.gamma;
    }
  }

  // Thomas solve in place on a line with stride `stride`.
  static void solve_thomas(const LineFactor& f, double* x, std::ptrdiff_t stride) {
    const int n = f.n;
    const double off = f.off;
    x[0] *= f.m[0];
    for (int i = 1; i < n; ++i) x[i * stride] = (x[i * stride] - off * x[(i - 1) * stride]) * f.m[i];
    for (int i = n - 2; i >= 0; --i) x[i * stride] -= f.cp[i] * x[(i + 1) * stride];
  }

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
      factor_line(C.x[k], g_.nx(), per, tau, theta, sp.D[k] * ix2);
      factor_line(C.y[k], g_.ny(), per, tau, theta, sp.D[k] * iy2);
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
    ZFactor& Z = C.z;
    const auto& sp = specs_[s];
    const int nz = g_.nz();
    const auto& dz = g_.dz();
    // D and the uniform boundary conditions are fixed at construction (only the per-column
    // Robin data change), so the transmissibilities are computed once per species
    if (CC.T.size() != std::size_t(nz) + 1) {
      CC.T.assign(nz + 1, 0.0);
      CC.T[0] = boundary_T(sp.top, dz[0], sp.D[0]);
      CC.T[nz] = boundary_T(sp.bottom, dz[nz - 1], sp.D[nz - 1]);
      for (int k = 1; k < nz; ++k) CC.T[k] = face_T(dz[k - 1], sp.D[k - 1], dz[k], sp.D[k]);
    }
    Z.T = CC.T;
    Z.l.assign(nz, 0.0);
    Z.c.assign(nz, 0.0);
    Z.d.assign(nz, 0.0);
    for (int k = 0; k < nz; ++k) {
      const double a = theta * tau / dz[k];
      Z.l[k] = (k > 0) ? -a * Z.T[k] : 0.0;
      Z.c[k] = (k < nz - 1) ? -a * Z.T[k + 1] : 0.0;
      Z.d[k] = 1.0 + a * (Z.T[k] + Z.T[k + 1]) + theta * tau * sp.decay;
    }
    // UL elimination from the bottom so only β0 depends on the (per-column) top condition
    Z.g.assign(nz, 0.0);
    Z.ibeta.assign(nz, 0.0);
    double beta = Z.d[nz - 1];
    Z.ibeta[nz - 1] = 1.0 / beta;
    for (int k = nz - 2; k >= 1; --k) {
      Z.g[k] = Z.c[k] / beta;  // multiplier applied to y_{k+1}
      beta = Z.d[k] - Z.g[k] * Z.l[k + 1];
      Z.ibeta[k] = 1.0 / beta;
    }
    if (nz >= 2) {
      Z.g[0] = Z.c[0] / beta;
      Z.beta0_rest = Z.g[0] * Z.l[1];
    }
    Z.src_top = tau * Z.T[0] * sp.top.value / dz[0];
    Z.src_bot = tau * Z.T[nz] * sp.bottom.value / dz[nz - 1];
    C.tau = tau;
    C.theta = theta;
    return Z;
  }

  // ---- per-thread scratch (sized once; a step never allocates) -------------------------------
  // Per thread: the x sweep's transposed block (W lines × nx doubles) and the y sweep's three
  // chunk rows (old row 0, old previous row, SM factors). Sized at construction for
  // max(OpenMP max threads, processors); a later, larger thread count grows it once.
  static constexpr int W = 8;  // lines solved together by the x sweep (SIMD lanes × ILP)
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

  // ---- x sweep: lines along x (contiguous), W lines of one plane solved together -------------
  // The W lines are read row-wise, the Crank–Nicolson explicit part and the forward elimination
  // are done in one pass into a transposed scratch block buf[i·W + l] (L1-resident), so the
  // recurrences run W-wide across lines; the backward pass writes the lines back. Per element
  // the arithmetic and its order are those of the single-line solve, so results do not depend
  // on the blocking (nor on the thread count).
  static void prefetch(const double* p) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 1, 3);
#else
    (void)p;
#endif
  }
  static constexpr int zprefetch = 2;  // planes ahead

  // Explicit part at an end of a line (i = 0 or n − 1): neighbours by wrap (periodic) or
  // absent (zero flux). Shared by x_block and x_block_avx2 (the same bits).
  static double x_end_value(const LineFactor& f, const double* row, int n, int i) {
    const int im = (i > 0) ? i - 1 : (f.periodic ? n - 1 : -1);
    const int ip = (i < n - 1) ? i + 1 : (f.periodic ? 0 : -1);
    const double c = row[i];
    double lap = 0.0;
    if (im >= 0) lap += row[im] - c;
    if (ip >= 0) lap += row[ip] - c;
    return c + f.expl * lap;
  }

  // `next` (or nullptr): the data the caller will process after this block; its first n cache
  // lines are prefetched during the forward pass, one per step, to overlap memory and compute.
  static void x_block(const LineFactor& f, double* rows, int n, int w, double* buf,
                      const double* next, std::size_t next_size) {
    const int npf = next ? int(std::min<std::size_t>(std::size_t(n), next_size / 8)) : 0;
    const double* r[W];
    double* o[W];
    for (int l = 0; l < W; ++l) {
      r[l] = rows + std::size_t(std::min(l, w - 1)) * n;  // padding lanes repeat the last line
      o[l] = rows + std::size_t(l) * n;
    }
    const double off = f.off, e = f.expl;
    const double* m = f.m.data();
    const double* cp = f.cp.data();
    // forward: explicit part (θ < 1) and elimination, row-wise reads, W-wide recurrence
    if (e != 0.0) {
      auto end_value = [&](int l, int i) { return x_end_value(f, r[l], n, i); };
      for (int l = 0; l < W; ++l) buf[l] = end_value(l, 0) * m[0];
      for (int i = 1; i < n - 1; ++i) {
        if (i < npf) prefetch(next + std::size_t(i) * 8);
        double* b = buf + std::size_t(i) * W;
        const double* bp = b - W;
        const double mi = m[i];
        for (int l = 0; l < W; ++l) {
          const double* rl = r[l] + i;
          const double c = rl[0];
          double lap = 0.0;
          lap += rl[-1] - c;
          lap += rl[1] - c;
          b[l] = (c + e * lap - off * bp[l]) * mi;
        }
      }
      double* b = buf + std::size_t(n - 1) * W;
      for (int l = 0; l < W; ++l) b[l] = (end_value(l, n - 1) - off * b[l - W]) * m[n - 1];
    } else {
      for (int l = 0; l < W; ++l) buf[l] = r[l][0] * m[0];
      for (int i = 1; i < n; ++i) {
        if (i < npf) prefetch(next + std::size_t(i) * 8);
        double* b = buf + std::size_t(i) * W;
        const double* bp = b - W;
        const double mi = m[i];
        for (int l = 0; l < W; ++l) b[l] = (r[l][i] - off * bp[l]) * mi;
      }
    }
    // backward substitution; without a Sherman–Morrison correction it writes the lines back
    const double* last = buf + std::size_t(n - 1) * W;
    if (!f.sm) {
      double cur[W];
      for (int l = 0; l < W; ++l) cur[l] = last[l];
      if (w == W) {
        for (int l = 0; l < W; ++l) o[l][n - 1] = cur[l];
        for (int i = n - 2; i >= 0; --i) {
          const double* b = buf + std::size_t(i) * W;
          const double ci = cp[i];
          for (int l = 0; l < W; ++l) cur[l] = b[l] - ci * cur[l];
          for (int l = 0; l < W; ++l) o[l][i] = cur[l];
        }
      } else {
        for (int l = 0; l < w; ++l) o[l][n - 1] = cur[l];
        for (int i = n - 2; i >= 0; --i) {
          const double* b = buf + std::size_t(i) * W;
          const double ci = cp[i];
          for (int l = 0; l < W; ++l) cur[l] = b[l] - ci * cur[l];
          for (int l = 0; l < w; ++l) o[l][i] = cur[l];
        }
      }
    } else {
      for (int i = n - 2; i >= 0; --i) {
        double* b = buf + std::size_t(i) * W;
        const double* bn = b + W;
        const double ci = cp[i];
        for (int l = 0; l < W; ++l) b[l] -= ci * bn[l];
      }
    }
    if (f.sm) {  // periodic line: x −= fac · z, fac from the solved end values
      double fac[W];
      for (int l = 0; l < W; ++l) fac[l] = (buf[l] + off * last[l] / f.gamma) / f.sm_den;
      const double* zc = f.zc.data();
      for (int l = 0; l < w; ++l)
        for (int i = 0; i < n; ++i) o[l][i] = buf[std::size_t(i) * W + l] - fac[l] * zc[i];
    }
  }

#if DERMASIM_AVX2_KERNELS
  // 4 × 4 transpose of doubles: rows a..d (4 consecutive elements of one line each) become
  // a..d holding element 0..3 of the 4 lines (AVX shuffles only, no arithmetic).
  DERMASIM_TARGET_AVX2 static void transpose4(__m256d& a, __m256d& b, __m256d& c, __m256d& d) {
    const __m256d t0 = _mm256_unpacklo_pd(a, b), t1 = _mm256_unpackhi_pd(a, b);
    const __m256d t2 = _mm256_unpacklo_pd(c, d), t3 = _mm256_unpackhi_pd(c, d);
    a = _mm256_permute2f128_pd(t0, t2, 0x20);
    b = _mm256_permute2f128_pd(t1, t3, 0x20);
    c = _mm256_permute2f128_pd(t0, t2, 0x31);
    d = _mm256_permute2f128_pd(t1, t3, 0x31);
  }

  // x_block with AVX2 (taken when use_avx2()): the same algorithm and, per element, the same
  // IEEE operations in the same order (no FMA), so the results are bitwise those of x_block.
  // What changes is data movement: instead of building each 8-lane vector from 8 strided
  // scalar loads (and scattering the backward pass's results the same way), 4 consecutive
  // elements of each line are loaded as one vector and 4 × 4 blocks are transposed in
  // registers, both ways. Partial blocks (w < W) and lines shorter than 10 take x_block.
  DERMASIM_TARGET_AVX2 static void x_block_avx2(const LineFactor& f, double* rows, int n, int w,
                                                double* buf, const double* next,
                                                std::size_t next_size) {
    if (w < W || n < 10) {
      x_block(f, rows, n, w, buf, next, next_size);
      return;
    }
    static_assert(W == 8, "x_block_avx2 handles 8 lines as two 4-lane halves");
    const int npf = next ? int(std::min<std::size_t>(std::size_t(n), next_size / 8)) : 0;
    double* o[W];
    for (int l = 0; l < W; ++l) o[l] = rows + std::size_t(l) * n;
    const double* r[W] = {o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]};
    const double off = f.off, e = f.expl;
    const double* m = f.m.data();
    const double* cp = f.cp.data();
    const __m256d voff = _mm256_set1_pd(off), ve = _mm256_set1_pd(e), zero = _mm256_setzero_pd();
    auto end_value = [&](int l, int i) { return x_end_value(f, r[l], n, i); };
    // ---- forward pass
    for (int l = 0; l < W; ++l) buf[l] = (e != 0.0 ? end_value(l, 0) : r[l][0]) * m[0];
    __m256d bp0 = _mm256_loadu_pd(buf), bp1 = _mm256_loadu_pd(buf + 4);
    int i = 1;
    // chunks of 4 interior elements (with the explicit part, element i + 3 ≤ n − 2 so that its
    // right neighbour exists without wrapping)
    const int iend = e != 0.0 ? n - 1 : n;
    for (; i + 4 <= iend; i += 4) {
      for (int q = 0; q < 4; ++q)
        if (i + q < npf) prefetch(next + std::size_t(i + q) * 8);
      __m256d x[W];
      if (e != 0.0) {
        for (int l = 0; l < W; ++l) {
          const __m256d c = _mm256_loadu_pd(r[l] + i);
          const __m256d left = _mm256_loadu_pd(r[l] + i - 1);
          const __m256d right = _mm256_loadu_pd(r[l] + i + 1);
          __m256d lap = _mm256_add_pd(zero, _mm256_sub_pd(left, c));
          lap = _mm256_add_pd(lap, _mm256_sub_pd(right, c));
          x[l] = _mm256_add_pd(c, _mm256_mul_pd(ve, lap));
        }
      } else {
        for (int l = 0; l < W; ++l) x[l] = _mm256_loadu_pd(r[l] + i);
      }
      transpose4(x[0], x[1], x[2], x[3]);
      transpose4(x[4], x[5], x[6], x[7]);
      for (int q = 0; q < 4; ++q) {
        const __m256d mi = _mm256_set1_pd(m[i + q]);
        bp0 = _mm256_mul_pd(_mm256_sub_pd(x[q], _mm256_mul_pd(voff, bp0)), mi);
        bp1 = _mm256_mul_pd(_mm256_sub_pd(x[4 + q], _mm256_mul_pd(voff, bp1)), mi);
        double* b = buf + std::size_t(i + q) * W;
        _mm256_storeu_pd(b, bp0);
        _mm256_storeu_pd(b + 4, bp1);
      }
    }
    // the remaining elements one at a time, as in x_block
    for (; i < n; ++i) {
      if (i < npf) prefetch(next + std::size_t(i) * 8);
      double* b = buf + std::size_t(i) * W;
      const double* bp = b - W;
      const double mi = m[i];
      for (int l = 0; l < W; ++l) {
        double xv = r[l][i];
        if (e != 0.0) {
          if (i == n - 1) {
            xv = end_value(l, i);
          } else {
            const double* rl = r[l] + i;
            const double c = rl[0];
            double lap = 0.0;
            lap += rl[-1] - c;
            lap += rl[1] - c;
            xv = c + e * lap;
          }
        }
        b[l] = (xv - off * bp[l]) * mi;
      }
    }
    // ---- backward pass
    const double* last = buf + std::size_t(n - 1) * W;
    if (!f.sm) {
      // cur = b_i − c'_i cur, written back 4 elements × 4 lines at a time
      __m256d cur0 = _mm256_loadu_pd(last), cur1 = _mm256_loadu_pd(last + 4);
      for (int l = 0; l < W; ++l) o[l][n - 1] = last[l];
      int j = n - 2;
      for (; j >= 3; j -= 4) {  // elements j, j−1, j−2, j−3
        __m256d y[W];
        for (int q = 0; q < 4; ++q) {
          const int ii = j - q;
          const double* b = buf + std::size_t(ii) * W;
          const __m256d ci = _mm256_set1_pd(cp[ii]);
          cur0 = _mm256_sub_pd(_mm256_loadu_pd(b), _mm256_mul_pd(ci, cur0));
          cur1 = _mm256_sub_pd(_mm256_loadu_pd(b + 4), _mm256_mul_pd(ci, cur1));
          y[3 - q] = cur0;  // y[0..3]: elements j−3..j of lanes 0–3
          y[7 - q] = cur1;  // y[4..7]: the same of lanes 4–7
        }
        transpose4(y[0], y[1], y[2], y[3]);
        transpose4(y[4], y[5], y[6], y[7]);
        for (int l = 0; l < W; ++l) _mm256_storeu_pd(o[l] + (j - 3), y[l]);
      }
      alignas(32) double cur[W];
      _mm256_store_pd(cur, cur0);
      _mm256_store_pd(cur + 4, cur1);
      for (; j >= 0; --j) {
        const double* b = buf + std::size_t(j) * W;
        const double ci = cp[j];
        for (int l = 0; l < W; ++l) cur[l] = b[l] - ci * cur[l];
        for (int l = 0; l < W; ++l) o[l][j] = cur[l];
      }
      return;
    }
    // periodic line: back substitution in place (lane-major, no transposes), then
    // x −= fac · z written back 4 elements × 4 lines at a time
    {
      __m256d bn0 = _mm256_loadu_pd(last), bn1 = _mm256_loadu_pd(last + 4);
      for (int j = n - 2; j >= 0; --j) {
        double* b = buf + std::size_t(j) * W;
        const __m256d ci = _mm256_set1_pd(cp[j]);
        bn0 = _mm256_sub_pd(_mm256_loadu_pd(b), _mm256_mul_pd(ci, bn0));
        bn1 = _mm256_sub_pd(_mm256_loadu_pd(b + 4), _mm256_mul_pd(ci, bn1));
        _mm256_storeu_pd(b, bn0);
        _mm256_storeu_pd(b + 4, bn1);
      }
    }
    alignas(32) double fac[W];
    for (int l = 0; l < W; ++l) fac[l] = (buf[l] + off * last[l] / f.gamma) / f.sm_den;
    const __m256d fac0 = _mm256_load_pd(fac), fac1 = _mm256_load_pd(fac + 4);
    const double* zc = f.zc.data();
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      __m256d y[W];
      for (int q = 0; q < 4; ++q) {
        const double* b = buf + std::size_t(j + q) * W;
        const __m256d z = _mm256_set1_pd(zc[j + q]);
        y[q] = _mm256_sub_pd(_mm256_loadu_pd(b), _mm256_mul_pd(fac0, z));
        y[4 + q] = _mm256_sub_pd(_mm256_loadu_pd(b + 4), _mm256_mul_pd(fac1, z));
      }
      transpose4(y[0], y[1], y[2], y[3]);
      transpose4(y[4], y[5], y[6], y[7]);
      for (int l = 0; l < W; ++l) _mm256_storeu_pd(o[l] + j, y[l]);
    }
    for (; j < n; ++j)
      for (int l = 0; l < W; ++l) o[l][j] = buf[std::size_t(j) * W + l] - fac[l] * zc[j];
  }

#endif

  // All ny lines of one plane (P points at the plane, nx × ny values).
  // `next_plane`: the plane this thread does next (nullptr if none), for prefetching.
  // `avx2`: blocks of lines through x_block_avx2 (same bits as x_block).
  static void x_plane(const LineFactor& f, double* P, int nx, int ny, double* buf,
                      const double* next_plane, bool avx2) {
    if (nx == 1) return;
    if (ny >= W / 2) {
      for (int j0 = 0; j0 < ny; j0 += W) {
        const bool last = j0 + W >= ny;
        const double* next = last ? next_plane : P + std::size_t(j0 + W) * nx;
        const std::size_t nsize =
            last ? (next_plane ? std::size_t(nx) * ny : 0) : std::size_t(ny - j0 - W) * nx;
        double* rows = P + std::size_t(j0) * nx;
        const int w = std::min(W, ny - j0);
#if DERMASIM_AVX2_KERNELS
        if (avx2) {
          x_block_avx2(f, rows, nx, w, buf, next, nsize);
          continue;
        }
#endif
        (void)avx2;
        x_block(f, rows, nx, w, buf, next, nsize);
      }
    } else {
      for (int j = 0; j < ny; ++j) line_solve(f, P + std::size_t(j) * nx, 1, buf);
    }
  }

  // Solve one constant-coefficient line (explicit part, then implicit) in place (used for
  // planes with fewer than W/2 lines, e.g. the x–z slices of 2D runs).
  static void line_solve(const LineFactor& f, double* x, std::ptrdiff_t st, double* tmp) {
    const int n = f.n;
    if (f.expl != 0.0) {
      const double e = f.expl;
      for (int i = 0; i < n; ++i) {
        const double c = x[i * st];
        double lap = 0.0;
        if (i > 0) lap += x[(i - 1) * st] - c;
        else if (f.periodic) lap += x[(n - 1) * st] - c;
        if (i < n - 1) lap += x[(i + 1) * st] - c;
        else if (f.periodic) lap += x[0] - c;
        tmp[i] = c + e * lap;
      }
      for (int i = 0; i < n; ++i) x[i * st] = tmp[i];
    }
    solve_thomas(f, x, st);
    if (f.sm) {
      const double fac = (x[0] + f.off * x[(n - 1) * st] / f.gamma) / f.sm_den;
      for (int i = 0; i < n; ++i) x[i * st] -= fac * f.zc[i];
    }
  }

  // ---- y sweep: lines along y, vectorised across x, in x chunks that stay in L2 -------------
  // Per chunk: one forward pass that does the explicit part and the elimination together
  // (keeping the old previous row and the old row 0 for the stencil), one backward pass, and
  // for periodic lines one Sherman–Morrison pass.
  static void y_plane(const LineFactor& f, double* P, int nx, int ny, bool periodic,
                      std::size_t chunk, double* scratch) {
    y_plane_body(f, P, nx, ny, periodic, chunk, scratch);
  }
#if DERMASIM_AVX2_KERNELS
  // The same source with AVX2 enabled (4 lanes across x instead of 2; no FMA: the same bits).
  DERMASIM_TARGET_AVX2 static void y_plane_avx2(const LineFactor& f, double* P, int nx, int ny,
                                                bool periodic, std::size_t chunk,
                                                double* scratch) {
    y_plane_body(f, P, nx, ny, periodic, chunk, scratch);
  }
#endif
  DERMASIM_ALWAYS_INLINE static void y_plane_body(const LineFactor& f, double* P, int nx, int ny,
                                                  bool periodic, std::size_t chunk,
                                                  double* scratch) {
    if (ny == 1) return;
    const double off = f.off, e = f.expl;
    const double* m = f.m.data();
    for (std::size_t x0 = 0; x0 < std::size_t(nx); x0 += chunk) {
      const std::size_t w = std::min(chunk, std::size_t(nx) - x0);
      double* Q = P + x0;
      auto row = [&](int j) { return Q + std::size_t(j) * nx; };
      if (e != 0.0) {
        double* old0 = scratch;          // old row 0 (the periodic "next" of row ny−1)
        double* oldp = scratch + chunk;  // old previous row
        std::copy(Q, Q + w, old0);
        for (int j = 0; j < ny; ++j) {
          double* rj = row(j);
          const double* prev = (j > 0) ? oldp : (periodic ? row(ny - 1) : nullptr);
          const double* next = (j < ny - 1) ? rj + nx : (periodic ? old0 : nullptr);
          const double* yprev = (j > 0) ? rj - nx : nullptr;
          const double mj = m[j];
          if (prev && next && yprev) {  // interior row: the common case, branch-free
            for (std::size_t i = 0; i < w; ++i) {
              const double c = rj[i];
              double lap = 0.0;
              lap += prev[i] - c;
              lap += next[i] - c;
              oldp[i] = c;
              rj[i] = (c + e * lap - off * yprev[i]) * mj;
            }
          } else {
            for (std::size_t i = 0; i < w; ++i) {
              const double c = rj[i];
              double lap = 0.0;
              if (prev) lap += prev[i] - c;
              if (next) lap += next[i] - c;
              const double v = c + e * lap;
              oldp[i] = c;
              rj[i] = yprev ? (v - off * yprev[i]) * mj : v * mj;
            }
          }
        }
      } else {
        for (std::size_t i = 0; i < w; ++i) Q[i] *= m[0];
        for (int j = 1; j < ny; ++j) {
          double* rj = row(j);
          const double* pr = rj - nx;
          const double mj = m[j];
          for (std::size_t i = 0; i < w; ++i) rj[i] = (rj[i] - off * pr[i]) * mj;
        }
      }
      for (int j = ny - 2; j >= 0; --j) {
        double* rj = row(j);
        const double* nr = rj + nx;
        const double cj = f.cp[j];
        for (std::size_t i = 0; i < w; ++i) rj[i] -= cj * nr[i];
      }
      if (f.sm) {
        const double* r0 = Q;
        const double* rl = row(ny - 1);
        double* fac = scratch + 2 * chunk;
        for (std::size_t i = 0; i < w; ++i) fac[i] = (r0[i] + off * rl[i] / f.gamma) / f.sm_den;
        for (int j = 0; j < ny; ++j) {
          double* rj = row(j);
          const double z = f.zc[j];
          for (std::size_t i = 0; i < w; ++i) rj[i] -= fac[i] * z;
        }
      }
    }
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
                     const double* next) { x_plane(f, P, nx, ny, buf, next, avx2); };
    auto yp = [avx2](const LineFactor& f, double* P, int nx, int ny, bool per, std::size_t chunk,
                     double* ys) {
#if DERMASIM_AVX2_KERNELS
      if (avx2) return y_plane_avx2(f, P, nx, ny, per, chunk, ys);
#endif
      y_plane(f, P, nx, ny, per, chunk, ys);
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
    ZFactor& Z = z_for(s, tau, theta);
    const auto& sp = specs_[s];
    const int nz = g_.nz();
    const std::size_t P = g_.plane();
    const auto& dz = g_.dz();
    const bool col_top = !sp.top_h.empty();
    const double expl = (1.0 - theta) * tau;
    const double decay = sp.decay;
    // columns per block: the block's whole column (nz × B doubles, ≈ 512 KiB) stays in L2/L3
    // between the upward and the downward pass; a multiple of 8 (whole cache lines)
    const std::size_t B = std::clamp<std::size_t>((std::size_t(65536) / nz) / 8 * 8, 32, 4096);
    const long nblocks = long((P + B - 1) / B);
    double* work = work_.data();
    parallel_for(0, nblocks, long(g_.size()) >= parallel_min_cells, [&](long b) {
      const std::size_t c0 = std::size_t(b) * B, c1 = std::min(P, c0 + B), nc = c1 - c0;
      double* oldnext = work + c0;      // old values of plane k+1 (θ < 1)
      double* oldcur = work + P + c0;   // scratch for old plane k
      // upward pass (k = nz−1 … 0): y_k = r_k − g_k y_{k+1}, stored in u
      for (int k = nz - 1; k >= 0; --k) {
        double* uk = u + std::size_t(k) * P + c0;
        const double* ukm = (k > 0) ? u + std::size_t(k - 1) * P + c0 : nullptr;
        const double gk = (k < nz - 1) ? Z.g[k] : 0.0;
        const double* yk1 = (k < nz - 1) ? u + std::size_t(k + 1) * P + c0 : nullptr;
        // this pass streams the block column from memory: ask for the plane after next early
        // (the hardware prefetchers restart on every short, plane-strided segment)
        if (k >= zprefetch)
          for (std::size_t c = 0; c < nc; c += 8) prefetch(u + std::size_t(k - zprefetch) * P + c0 + c);
        const bool interior = k > 0 && k < nz - 1;
        if (theta < 1.0 && interior) {  // the common case, branch-free
          const double idz = 1.0 / dz[k], dzk = dz[k];
          const double Tu = Z.T[k], Td = Z.T[k + 1];
          // planes k−1, k, k+1 of u and the two scratch rows never overlap: without saying so
          // GCC gives up on vectorising this loop ("no vectype"), and the CN z sweep ran at
          // 0.3–0.4 of the triad
          double* __restrict ur = uk;
          const double* __restrict um = ukm;
          const double* __restrict up = yk1;
          const double* __restrict on = oldnext;
          std::copy(ur, ur + nc, oldcur);  // the old plane k, for plane k − 1's explicit part
          for (std::size_t c = 0; c < nc; ++c) {
            const double uc = ur[c];
            double flux = -decay * uc * dzk;
            flux += Tu * (um[c] - uc);
            flux += Td * (on[c] - uc);
            const double r = uc + expl * flux * idz;
            ur[c] = r - gk * up[c];
          }
          std::swap(oldnext, oldcur);
        } else if (interior) {
          for (std::size_t c = 0; c < nc; ++c) uk[c] = uk[c] - gk * yk1[c];
        } else if (theta < 1.0) {
          const double idz = 1.0 / dz[k];
          const double Tu = Z.T[k], Td = Z.T[k + 1];
          for (std::size_t c = 0; c < nc; ++c) {
            const double uc = uk[c];
            double flux = -decay * uc * dz[k];
            if (k > 0) flux += Tu * (ukm[c] - uc);
            else if (!col_top) flux += Tu * (sp.top.value - uc);
            else {
              const double T0 = robin_T(sp.top_h[c0 + c], dz[0], sp.D[0]);
              flux += T0 * (sp.top_ext[c0 + c] - uc);
            }
            if (k < nz - 1) flux += Td * (oldnext[c] - uc);
            else flux += Td * (sp.bottom.value - uc);
            double r = uc + expl * flux * idz;
            // boundary sources (implicit share)
            if (k == 0) {
              if (!col_top) r += theta * Z.src_top;
              else {
                const double T0 = robin_T(sp.top_h[c0 + c], dz[0], sp.D[0]);
                r += theta * tau * T0 * sp.top_ext[c0 + c] / dz[0];
              }
            }
            if (k == nz - 1) r += theta * Z.src_bot;
            oldcur[c] = uc;
            uk[c] = (k < nz - 1) ? r - gk * yk1[c] : r;
          }
          std::swap(oldnext, oldcur);
        } else {
          for (std::size_t c = 0; c < nc; ++c) {
            double r = uk[c];
            if (k == 0) {
              if (!col_top) r += Z.src_top;
              else {
                const double T0 = robin_T(sp.top_h[c0 + c], dz[0], sp.D[0]);
                r += tau * T0 * sp.top_ext[c0 + c] / dz[0];
              }
            }
            if (k == nz - 1) r += Z.src_bot;
            uk[c] = (k < nz - 1) ? r - gk * yk1[c] : r;
          }
        }
      }
      // top row: β0 per column
      {
        double* u0 = u + c0;
        const double a0 = theta * tau / dz[0];
        for (std::size_t c = 0; c < nc; ++c) {
          double d0 = Z.d[0];
          if (col_top) {
            const double T0 = robin_T(sp.top_h[c0 + c], dz[0], sp.D[0]);
            d0 += a0 * (T0 - Z.T[0]);
          }
          u0[c] /= (d0 - Z.beta0_rest);
        }
      }
      // downward pass: u_k = (y_k − l_k u_{k−1}) / β_k
      for (int k = 1; k < nz; ++k) {
        double* uk = u + std::size_t(k) * P + c0;
        const double* um = uk - P;
        const double lk = Z.l[k], ib = Z.ibeta[k];
        for (std::size_t c = 0; c < nc; ++c) uk[c] = (uk[c] - lk * um[c]) * ib;
      }
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
