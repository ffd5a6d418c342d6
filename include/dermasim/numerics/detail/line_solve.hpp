// dermasim/numerics/detail/line_solve.hpp — constant-coefficient tridiagonal lines of the
// lateral (x, y) diffusion sweeps: the factorisation (Thomas, with the Sherman–Morrison
// correction of periodic lines) and the single-line solve. Private to DiffusionSolver
// (numerics/diffusion.hpp); the blocked, vectorised sweeps over many lines are in
// lateral_sweep.hpp.
#pragma once

#include <cstddef>
#include <vector>

namespace dermasim::detail::diffusion {

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

// Thomas solve in place on a line with stride `stride`.
inline void solve_thomas(const LineFactor& f, double* x, std::ptrdiff_t stride) {
  const int n = f.n;
  const double off = f.off;
  x[0] *= f.m[0];
  for (int i = 1; i < n; ++i) x[i * stride] = (x[i * stride] - off * x[(i - 1) * stride]) * f.m[i];
  for (int i = n - 2; i >= 0; --i) x[i * stride] -= f.cp[i] * x[(i + 1) * stride];
}

inline void factor_line(LineFactor& f, int n, bool periodic, double tau, double theta,
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

// Solve one constant-coefficient line (explicit part, then implicit) in place (used for
// planes with fewer than W/2 lines, e.g. the x–z slices of 2D runs).
inline void line_solve(const LineFactor& f, double* x, std::ptrdiff_t st, double* tmp) {
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

}  // namespace dermasim::detail::diffusion
