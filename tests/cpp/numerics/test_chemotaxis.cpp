#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "dermasim/core/parallel.hpp"
#include "dermasim/core/rng.hpp"
#include "dermasim/numerics/chemotaxis.hpp"

using namespace dermasim;

namespace {
FieldSet steep_setup(const Grid& g) {
  FieldSet f(g, {"n", "c"});
  Philox rng(11);
  for (int k = 0; k < g.nz(); ++k)
    for (int j = 0; j < g.ny(); ++j)
      for (int i = 0; i < g.nx(); ++i) {
        const std::size_t id = g.index(i, j, k);
        // random cells with empty patches; attractant a step function (steepest gradient)
        f[0][id] = (rng.uniform(0, id) < 0.3) ? 0.0 : rng.uniform(1, id);
        f[1][id] = (i > g.nx() / 2 && k > g.nz() / 3) ? 100.0 : 0.0;
      }
  return f;
}
}  // namespace

TEST_CASE("chemotaxis: positive and conservative on steep gradients, sub-stepped under CFL") {
  Grid g(24, 8, 1e-3, 0.4e-3, graded_z_faces({0.2e-3, 1e-3}, 10e-6, 60e-6));
  FieldSet f = steep_setup(g);
  ChemotaxisSpec s;
  s.cells = 0;
  s.attractant = 1;
  s.chi0.assign(g.nz(), 1e-9);
  s.K = 1.0;
  ChemotaxisOperator op(g, {s});
  const double m0 = f.integral(0);
  for (int n = 0; n < 20; ++n) op.step(f, 3600.0);  // large steps: the operator sub-steps
  double mn = 1;
  for (double v : f[0]) mn = std::min(mn, v);
  CHECK(mn >= 0.0);
  CHECK(op.substeps_taken() > 20);
  CHECK(std::fabs(f.integral(0) - m0) / m0 < 1e-12);
  // cells moved up the gradient: more cells where c is high than before
  FieldSet f0 = steep_setup(g);
  double before = 0, after = 0;
  for (std::size_t c = 0; c < g.size(); ++c)
    if (f0[1][c] > 0) {
      before += f0[0][c];
      after += f[0][c];
    }
  CHECK(after > before);
}

TEST_CASE("chemotaxis: a blocking layer (chi0 = 0) stops cells crossing it") {
  Grid g = Grid::uniform(1, 1, 20, 1e-3, 1e-3, 1e-3);
  FieldSet f(g, {"n", "c"});
  for (int k = 0; k < 20; ++k) {
    f[0][k] = k >= 10 ? 1.0 : 0.0;
    f[1][k] = 20.0 - k;  // attractant higher at the top
  }
  ChemotaxisSpec s{0, 1, std::vector<double>(20, 1e-9), 1.0};
  for (int k = 0; k < 5; ++k) s.chi0[k] = 0.0;  // "epidermis"
  ChemotaxisOperator op(g, {s});
  for (int n = 0; n < 100; ++n) op.step(f, 3600.0);
  for (int k = 0; k < 5; ++k) CHECK(f[0][k] == 0.0);
  CHECK(f[0][5] > 0.0);
}

TEST_CASE("chemotaxis: bitwise identical on 1 and 2 threads; bad input") {
  Grid g(16, 16, 1e-3, 1e-3, graded_z_faces({0.5e-3}, 20e-6, 50e-6));
  auto run = [&](int t) {
    ThreadScope ts(t);
    FieldSet f = steep_setup(g);
    ChemotaxisOperator op(g, {ChemotaxisSpec{0, 1, std::vector<double>(g.nz(), 1e-9), 2.0}});
    for (int n = 0; n < 3; ++n) op.step(f, 600.0);
    return f;
  };
  FieldSet a = run(1), b = run(2);
  CHECK(std::memcmp(a.data(0), b.data(0), g.size() * 8) == 0);
  CHECK_THROWS_WITH_AS(ChemotaxisOperator(g, {ChemotaxisSpec{0, 1, {1.0}, 1.0}}),
                       doctest::Contains("chi0"), invalid_argument);
  CHECK_THROWS_WITH_AS(
      ChemotaxisOperator(g, {ChemotaxisSpec{0, 1, std::vector<double>(g.nz(), 1e-9), 0.0}}),
      doctest::Contains("chemotaxis[0].K"), invalid_argument);
}

namespace {
// Straightforward reference of the operator: every value through one wrapping accessor, no
// interior fast paths (the formulas of docs/numerics.md, as the operator had them before its
// interior loops were specialised). The operator must reproduce it bitwise.
void reference_chemotaxis_step(const Grid& g, const ChemotaxisSpec& s, FieldSet& f, double dt,
                               double cfl) {
  const int nx = g.nx(), ny = g.ny(), nz = g.nz();
  const bool per = g.lateral() == Lateral::periodic;
  const double dx = g.dx(), dy = g.dy();
  const auto& zc = g.z_centres();
  const auto& dz = g.dz();
  const std::size_t N = g.size();
  std::vector<double> vx(N), vy(N), vz(N + g.plane(), 0.0), fx(N), fy(N), fz(N), out(N);
  const double* c = f.data(s.attractant);
  double* n = f.data(s.cells);
  const double K2 = s.K * s.K;
  auto chi = [&](int k, double cf) { return s.chi0[k] * K2 / ((s.K + cf) * (s.K + cf)); };
  auto wrap = [&](int& i, int& j, int& k) {
    if (i < 0) i = per ? i + nx : 0;
    if (i >= nx) i = per ? i - nx : nx - 1;
    if (j < 0) j = per ? j + ny : 0;
    if (j >= ny) j = per ? j - ny : ny - 1;
    k = std::clamp(k, 0, nz - 1);
  };
  auto at = [&](const double* u, int i, int j, int k) {
    wrap(i, j, k);
    return u[g.index(i, j, k)];
  };
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        const std::size_t id = g.index(i, j, k);
        const double ci = c[id];
        vx[id] = (nx > 1 && (i < nx - 1 || per))
                     ? chi(k, 0.5 * (ci + at(c, i + 1, j, k))) * (at(c, i + 1, j, k) - ci) / dx
                     : 0.0;
        vy[id] = (ny > 1 && (j < ny - 1 || per))
                     ? chi(k, 0.5 * (ci + at(c, i, j + 1, k))) * (at(c, i, j + 1, k) - ci) / dy
                     : 0.0;
        if (k > 0) {
          const double cu = at(c, i, j, k - 1), cf = 0.5 * (ci + cu);
          vz[id] = std::min(chi(k, cf), chi(k - 1, cf)) * (ci - cu) / (zc[k] - zc[k - 1]);
        } else {
          vz[id] = 0.0;
        }
      }
  double rate = 0.0;
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        const std::size_t id = g.index(i, j, k);
        double o = 0.0;
        if (nx > 1) {
          o += std::max(vx[id], 0.0) / dx;
          if (i > 0 || per) o += std::max(-at(vx.data(), i - 1, j, k), 0.0) / dx;
        }
        if (ny > 1) {
          o += std::max(vy[id], 0.0) / dy;
          if (j > 0 || per) o += std::max(-at(vy.data(), i, j - 1, k), 0.0) / dy;
        }
        o += std::max(-vz[id], 0.0) / dz[k];
        o += std::max(k < nz - 1 ? vz[g.index(i, j, k + 1)] : 0.0, 0.0) / dz[k];
        rate = std::max(rate, o);
      }
  const int nsub = rate > 0.0 ? std::max(1, int(std::ceil(dt * rate / cfl))) : 1;
  const double h = dt / nsub;
  auto minmod = [](double a, double b) {
    if (a * b <= 0.0) return 0.0;
    return std::fabs(a) < std::fabs(b) ? a : b;
  };
  auto recon = [&](double um, double uu, double ud) { return um + 0.5 * minmod(um - uu, ud - um); };
  for (int it = 0; it < nsub; ++it) {
    for (int k = 0; k < nz; ++k)
      for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
          const std::size_t id = g.index(i, j, k);
          double v = vx[id];
          fx[id] = (nx > 1 && (per || i + 1 < nx))
                       ? (v >= 0 ? v * recon(at(n, i, j, k), at(n, i - 1, j, k), at(n, i + 1, j, k))
                                 : v * recon(at(n, i + 1, j, k), at(n, i + 2, j, k), at(n, i, j, k)))
                       : 0.0;
          v = vy[id];
          fy[id] = (ny > 1 && (per || j + 1 < ny))
                       ? (v >= 0 ? v * recon(at(n, i, j, k), at(n, i, j - 1, k), at(n, i, j + 1, k))
                                 : v * recon(at(n, i, j + 1, k), at(n, i, j + 2, k), at(n, i, j, k)))
                       : 0.0;
          v = vz[id];
          fz[id] = k > 0 ? (v >= 0 ? v * recon(at(n, i, j, k - 1), at(n, i, j, k - 2), at(n, i, j, k))
                                   : v * recon(at(n, i, j, k), at(n, i, j, k + 1), at(n, i, j, k - 1)))
                         : 0.0;
        }
    for (int k = 0; k < nz; ++k)
      for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
          const std::size_t id = g.index(i, j, k);
          double div = 0.0;
          if (nx > 1) div += (fx[id] - ((i > 0 || per) ? at(fx.data(), i - 1, j, k) : 0.0)) / dx;
          if (ny > 1) div += (fy[id] - ((j > 0 || per) ? at(fy.data(), i, j - 1, k) : 0.0)) / dy;
          if (nz > 1) div += ((k + 1 < nz ? fz[g.index(i, j, k + 1)] : 0.0) - fz[id]) / dz[k];
          out[id] = n[id] - h * div;
        }
    for (std::size_t q = 0; q < N; ++q) n[q] = out[q] > 0.0 ? out[q] : 0.0;
  }
}
}  // namespace

TEST_CASE("chemotaxis: the operator's interior fast paths reproduce the plain stencil bitwise") {
  const auto faces = graded_z_faces({0.2e-3, 0.6e-3}, 20e-6, 60e-6);
  int checked = 0;
  for (auto lat : {Lateral::periodic, Lateral::zero_flux}) {
    for (auto [nx, ny] : {std::pair{9, 7}, std::pair{4, 3}, std::pair{11, 1}, std::pair{1, 1}}) {
      const Grid g(nx, ny, 0.5e-3, 0.4e-3, faces, lat);
      ChemotaxisSpec s;
      s.cells = 0;
      s.attractant = 1;
      s.chi0.assign(g.nz(), 1e-9);
      s.chi0[2] = 0.0;  // a blocking plane
      s.K = 1.0;
      FieldSet a(g, {"n", "c"});
      Philox rng(5);
      for (std::size_t id = 0; id < g.size(); ++id) {
        a[0][id] = rng.uniform(0, id) < 0.2 ? 0.0 : rng.uniform(1, id);
        a[1][id] = 50.0 * rng.uniform(2, id);  // rough attractant: flows in every direction
      }
      FieldSet b = a;
      ChemotaxisOperator op(g, {s}, 0.4);
      for (int step = 0; step < 3; ++step) {
        op.step(a, 600.0);
        reference_chemotaxis_step(g, s, b, 600.0, 0.4);
      }
      CHECK(std::memcmp(a.data(0), b.data(0), g.size() * sizeof(double)) == 0);
      // the step moved cells (not a trivially equal pair of unchanged fields)
      FieldSet a0(g, {"n", "c"});
      Philox r0(5);
      double moved = 0.0;
      for (std::size_t id = 0; id < g.size(); ++id)
        moved += std::fabs(a[0][id] - (r0.uniform(0, id) < 0.2 ? 0.0 : r0.uniform(1, id)));
      CHECK(moved > 0.0);
      ++checked;
    }
  }
  CHECK(checked == 8);
}
