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
    ybuf_.assign(2 * std::size_t(g_.nx()) * g_.nz(), 0.0);
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
      if (scheme_ == TimeScheme::implicit_euler_lod) {
        sweep_x(s, v, dt, 1.0);
        sweep_y(s, v, dt, 1.0);
        sweep_z(s, v, dt, 1.0);
      } else {
        sweep_x(s, v, 0.5 * dt, 0.5);
        sweep_y(s, v, 0.5 * dt, 0.5);
        sweep_z(s, v, dt, 0.5);
        sweep_y(s, v, 0.5 * dt, 0.5);
        sweep_x(s, v, 0.5 * dt, 0.5);
      }
    }
  }

  /// Bytes of memory traffic per voxel-species update (for benchmarks): each sweep reads and
  /// writes the field once on the way down and once on the way up (z) or once (x, y; line in
  /// cache). See docs/numerics.md.
  double bytes_per_update() const {
    const int d = g_.dimension();
    const double per_sweep_lines = 16.0;  // read + write 8 B, line stays in cache
    const double z_sweep = 32.0;          // two passes over the column block
    double b = z_sweep + (d - 1) * per_sweep_lines;
    if (scheme_ == TimeScheme::crank_nicolson_strang) b = z_sweep + 2 * (d - 1) * per_sweep_lines;
    return b;
  }

 private:
  static int max_threads_hint() {
#ifdef _OPENMP
    return omp_get_max_threads();
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
  struct Cache {
    double tau = -1.0, theta = -1.0;
    std::vector<LineFactor> x, y;  // one per plane k
    ZFactor z;
    double ztau = -1.0, ztheta = -1.0;
  };

  static void factor_line(LineFactor& f, int n, bool periodic, double tau, double theta,
                          double r) {
    f.n = n;
    f.periodic = periodic && n >= 2;
    f.sm = periodic && n >= 3;
    f.expl = (1.0 - theta) * tau * r;
    if (n == 1) return;
    std::vector<double> lo(n), di(n), up(n);
    double off = -theta * tau * r;
    if (f.periodic && n == 2) off *= 2.0;  // both faces connect the same two cells
    f.off = off;
    for (int i = 0; i < n; ++i) {
      lo[i] = (i > 0) ? off : 0.0;
      up[i] = (i < n - 1) ? off : 0.0;
      di[i] = 1.0 - ((i > 0) ? off : 0.0) - ((i < n - 1) ? off : 0.0);
    }
    if (f.sm) {
      di[0] = 1.0 - 2.0 * off;
      di[n - 1] = 1.0 - 2.0 * off;
      f.gamma = -di[0];
      di[0] -= f.gamma;
      di[n - 1] -= off * off / f.gamma;
    }
    f.cp.assign(n, 0.0);
    f.m.assign(n, 0.0);
    f.m[0] = 1.0 / di[0];
    f.cp[0] = up[0] * f.m[0];
    for (int i = 1; i < n; ++i) {
      f.m[i] = 1.0 / (di[i] - lo[i] * f.cp[i - 1]);
      f.cp[i] = up[i] * f.m[i];
    }
    if (f.sm) {
      std::vector<double> w(n, 0.0);
      w[0] = f.gamma;
      w[n - 1] = off;
      f.zc = w;
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

  Cache& lines_for(std::size_t s, double tau, double theta) {
    Cache& C = cache_[s];
    if (C.tau == tau && C.theta == theta) return C;
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
    Cache& C = cache_[s];
    ZFactor& Z = C.z;
    if (C.ztau == tau && C.ztheta == theta) return Z;
    const auto& sp = specs_[s];
    const int nz = g_.nz();
    const auto& dz = g_.dz();
    Z.T.assign(nz + 1, 0.0);
    Z.T[0] = boundary_T(sp.top, dz[0], sp.D[0]);
    Z.T[nz] = boundary_T(sp.bottom, dz[nz - 1], sp.D[nz - 1]);
    for (int k = 1; k < nz; ++k) Z.T[k] = face_T(dz[k - 1], sp.D[k - 1], dz[k], sp.D[k]);
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
    C.ztau = tau;
    C.ztheta = theta;
    return Z;
  }

  // ---- x sweep: lines along x, contiguous ----------------------------------------------------
  void sweep_x(std::size_t s, double* u, double tau, double theta) {
    if (g_.nx() == 1) return;
    Cache& C = lines_for(s, tau, theta);
    const int nx = g_.nx(), ny = g_.ny(), nz = g_.nz();
    const long nlines = long(ny) * nz;
    ensure_thread_buffers();
    double* tb = xbuf_.data();
#pragma omp parallel
    {
      double* tmp = tb + std::size_t(thread_id()) * nx;
#pragma omp for schedule(static)
      for (long L = 0; L < nlines; ++L) {
        const int k = int(L / ny);
        const LineFactor& f = C.x[k];
        double* x = u + std::size_t(L) * nx;
        line_solve(f, x, 1, tmp);
      }
    }
  }

  // Solve one constant-coefficient line (explicit part, then implicit) in place.
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

  // ---- y sweep: lines along y, vectorised across x ---------------------------------------------
  void sweep_y(std::size_t s, double* u, double tau, double theta) {
    if (g_.ny() == 1) return;
    Cache& C = lines_for(s, tau, theta);
    const int nx = g_.nx(), ny = g_.ny(), nz = g_.nz();
    const bool lateral_periodic = g_.lateral() == Lateral::periodic;
#pragma omp parallel for schedule(static)
    for (int k = 0; k < nz; ++k) {
      const LineFactor& f = C.y[k];
      double* P = u + std::size_t(k) * ny * nx;
      // explicit part (Crank–Nicolson) along y; keep = [old row 0 | old previous row]
      if (f.expl != 0.0) {
        const double e = f.expl;
        double* keep = ybuf_.data() + std::size_t(k) * 2 * nx;
        std::copy(P, P + nx, keep);
        for (int j = 0; j < ny; ++j) {
          double* row = P + std::size_t(j) * nx;
          const double* prev = (j > 0) ? keep + nx
                               : (lateral_periodic ? P + std::size_t(ny - 1) * nx : nullptr);
          const double* next = (j < ny - 1) ? row + nx : (lateral_periodic ? keep : nullptr);
          for (int i = 0; i < nx; ++i) {
            const double c = row[i];
            double lap = 0.0;
            if (prev) lap += prev[i] - c;
            if (next) lap += next[i] - c;
            keep[nx + i] = c;
            row[i] = c + e * lap;
          }
        }
      }
      // implicit: Thomas along y, vectorised across x
      const double off = f.off;
      for (int i = 0; i < nx; ++i) P[i] *= f.m[0];
      for (int j = 1; j < ny; ++j) {
        double* row = P + std::size_t(j) * nx;
        const double* pr = row - nx;
        const double mj = f.m[j];
        for (int i = 0; i < nx; ++i) row[i] = (row[i] - off * pr[i]) * mj;
      }
      for (int j = ny - 2; j >= 0; --j) {
        double* row = P + std::size_t(j) * nx;
        const double* nr = row + nx;
        const double cj = f.cp[j];
        for (int i = 0; i < nx; ++i) row[i] -= cj * nr[i];
      }
      if (f.sm) {
        const double* r0 = P;
        const double* rl = P + std::size_t(ny - 1) * nx;
        double* fac = ybuf_.data() + std::size_t(k) * 2 * nx;
        for (int i = 0; i < nx; ++i) fac[i] = (r0[i] + off * rl[i] / f.gamma) / f.sm_den;
        for (int j = 0; j < ny; ++j) {
          double* row = P + std::size_t(j) * nx;
          const double z = f.zc[j];
          for (int i = 0; i < nx; ++i) row[i] -= fac[i] * z;
        }
      }
    }
  }

  static int thread_id() {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
  }
  void ensure_thread_buffers() {
    const std::size_t need = std::size_t(max_threads_hint()) * std::max(1, g_.nx());
    if (xbuf_.size() < need) xbuf_.assign(need, 0.0);
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
    constexpr std::size_t B = 256;  // columns per block
    const long nblocks = long((P + B - 1) / B);
    double* work = work_.data();
#pragma omp parallel for schedule(static)
    for (long b = 0; b < nblocks; ++b) {
      const std::size_t c0 = std::size_t(b) * B, c1 = std::min(P, c0 + B), nc = c1 - c0;
      double* oldnext = work + c0;      // old values of plane k+1 (θ < 1)
      double* oldcur = work + P + c0;   // scratch for old plane k
      // upward pass (k = nz−1 … 0): y_k = r_k − g_k y_{k+1}, stored in u
      for (int k = nz - 1; k >= 0; --k) {
        double* uk = u + std::size_t(k) * P + c0;
        const double* ukm = (k > 0) ? u + std::size_t(k - 1) * P + c0 : nullptr;
        const double gk = (k < nz - 1) ? Z.g[k] : 0.0;
        const double* yk1 = (k < nz - 1) ? u + std::size_t(k + 1) * P + c0 : nullptr;
        if (theta < 1.0) {
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
    }
  }

  Grid g_;
  std::vector<DiffusionSpec> specs_;
  TimeScheme scheme_ = TimeScheme::implicit_euler_lod;
  std::vector<Cache> cache_;
  aligned_vector work_;
  std::vector<double> ybuf_, xbuf_;
};

}  // namespace dermasim
