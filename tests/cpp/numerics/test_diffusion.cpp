#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "common.hpp"
#include "dermasim/core/parallel.hpp"
#include "dermasim/core/rng.hpp"
#include "dermasim/core/simd.hpp"
#include "dermasim/numerics/diffusion.hpp"

using namespace dermasim;
using namespace dstest;

namespace {
// Gaussian pulse of diffusion–decay from t0 to t0 + T; returns the relative L2 error.
double pulse_error(const Grid& g, TimeScheme sch, double D, double lambda, double t0, double T,
                   int nsteps) {
  FieldSet f(g, {"c"});
  const double x0 = g.lx() / 2, y0 = g.ly() / 2, z0 = g.depth() / 2;
  fill_gaussian(f, 0, x0, y0, z0, D, t0, 0.0);
  DiffusionSolver s(g, {uniform_spec(g, D, lambda)}, sch);
  for (int n = 0; n < nsteps; ++n) s.step(f, T / nsteps);
  // analytic: Gaussian spread over t0 + T, decayed over T only
  FieldSet a(g, {"c"});
  fill_gaussian(a, 0, x0, y0, z0, D, t0 + T, 0.0);
  for (auto& v : a[0]) v *= std::exp(-lambda * T);
  return rel_l2_diff(f, a, 0);
}
}  // namespace

TEST_CASE("diffusion: point-source diffusion–decay matches the Green's function in 1D, 2D, 3D") {
  // 1 mm box; D = 1e-11 m²/s (a cytokine); pulse σ grows from 60 to 110 µm over 600 s → 10 min
  const double D = 1e-11, lambda = 1e-3;  // m²/s, 1/s
  const double L = 1e-3;
  const double t0 = 180.0, T = 420.0;
  struct Case {
    Grid g;
    const char* name;
  } cases[] = {{Grid::uniform(1, 1, 200, L, L, L), "1D"},
               {Grid::uniform(100, 1, 100, L, L, L), "2D"},
               {Grid::uniform(50, 50, 50, L, L, L), "3D"}};
  for (auto& c : cases) {
    const double e = pulse_error(c.g, TimeScheme::crank_nicolson_strang, D, lambda, t0, T, 40);
    std::printf("  Green's function %s: relative L2 error %.3e\n", c.name, e);
    // second-order FV error ≈ h²/(24 σ²) per direction: h = 5/10/20 µm, σ0 = 60 µm
    CHECK(e < (c.g.dimension() == 3 ? 1e-2 : 3e-3));
  }
}

TEST_CASE("diffusion: observed order in space is 2") {
  const double D = 1e-11, L = 1e-3, t0 = 500, T = 500;  // σ: 100 → 140 µm
  double prev = 0;
  std::printf("  space convergence (3D periodic x,y; CN, dt ∝ h):\n");
  for (int n : {16, 32, 64}) {
    Grid g = Grid::uniform(n, n, n, L, L, L);
    const double e = pulse_error(g, TimeScheme::crank_nicolson_strang, D, 0.0, t0, T, n / 2);
    if (prev > 0) {
      const double p = std::log2(prev / e);
      std::printf("    n = %3d  error %.3e  order %.2f\n", n, e, p);
      CHECK(p > 1.8);
      CHECK(p < 2.3);
    } else {
      std::printf("    n = %3d  error %.3e\n", n, e);
    }
    prev = e;
  }
}

TEST_CASE("diffusion: observed order in time is 1 (implicit Euler LOD) and 2 (CN-Strang)") {
  // Heterogeneous layered D in z and periodic x: the directions do not commute.
  const double L = 1e-3;
  Grid g(24, 1, L, L, [L] {
    std::vector<double> f;
    for (int k = 0; k <= 24; ++k) f.push_back(L * std::pow(k / 24.0, 1.3));
    return f;
  }());
  DiffusionSpec sp;
  for (int k = 0; k < g.nz(); ++k) sp.D.push_back(g.z_centres()[k] < 0.4 * L ? 2e-10 : 0.5e-10);
  sp.decay = 2e-5;
  sp.bottom = BoundaryCondition::dirichlet(0.0);  // compatible with the data (CN needs it)
  FieldSet init(g, {"c"});
  for (int k = 0; k < g.nz(); ++k)
    for (int i = 0; i < g.nx(); ++i)
      init[0][g.index(i, 0, k)] = std::exp(-std::pow((g.x_centre(i) - 0.5 * L) / (0.15 * L), 2)) *
                                  std::exp(-std::pow((g.z_centres()[k] - 0.3 * L) / (0.1 * L), 2));
  const double T = 600.0;  // s; smooth data, D·dt/h² ≈ 7–30 (stiff but resolved)
  for (auto sch : {TimeScheme::implicit_euler_lod, TimeScheme::crank_nicolson_strang}) {
    auto run = [&](int n) {
      FieldSet f = init;
      DiffusionSolver s(g, {sp}, sch);
      for (int i = 0; i < n; ++i) s.step(f, T / n);
      return f;
    };
    FieldSet ref = run(4096);
    std::vector<double> err;
    for (int n : {16, 32, 64}) err.push_back(rel_l2_diff(run(n), ref, 0));
    const double p1 = std::log2(err[0] / err[1]), p2 = std::log2(err[1] / err[2]);
    std::printf("  time order %s: errors %.2e %.2e %.2e, orders %.2f %.2f\n", to_string(sch),
                err[0], err[1], err[2], p1, p2);
    const double want = sch == TimeScheme::implicit_euler_lod ? 1.0 : 2.0;
    CHECK(std::fabs(p2 - want) < 0.25);
  }
}

TEST_CASE("diffusion: mass is conserved to 1e-12 with zero-flux and periodic boundaries") {
  for (auto lat : {Lateral::periodic, Lateral::zero_flux})
    for (auto sch : {TimeScheme::implicit_euler_lod, TimeScheme::crank_nicolson_strang}) {
      Grid g(12, 10, 1e-3, 0.8e-3, graded_z_faces({0.1e-3, 0.5e-3, 1.2e-3}, 20e-6, 100e-6), lat);
      FieldSet f(g, {"a", "b"});
      Philox rng(7);
      for (std::size_t c = 0; c < g.size(); ++c) {
        f[0][c] = rng.uniform(0, c);
        f[1][c] = (c % 17 == 0) ? 5.0 : 0.0;
      }
      DiffusionSpec a, b;
      for (int k = 0; k < g.nz(); ++k) {
        a.D.push_back(k < 3 ? 1e-12 : 3e-10);
        b.D.push_back(1e-9);
      }
      DiffusionSolver s(g, {a, b}, sch);
      const double m0 = f.integral(0), m1 = f.integral(1);
      for (int n = 0; n < 50; ++n) s.step(f, 600.0);
      CHECK(std::fabs(f.integral(0) - m0) / m0 < 1e-12);
      CHECK(std::fabs(f.integral(1) - m1) / m1 < 1e-12);
    }
}

TEST_CASE("diffusion: two-layer steady state is the exact piecewise-linear profile") {
  const double L1 = 0.3e-3, L2 = 0.7e-3, D1 = 1e-10, D2 = 4e-10, u0 = 1.0, uL = 0.2;
  Grid g(1, 1, 1e-3, 1e-3, graded_z_faces({L1, L1 + L2}, 7e-6, 40e-6, 1.3));
  DiffusionSpec sp;
  for (int k = 0; k < g.nz(); ++k) sp.D.push_back(g.z_centres()[k] < L1 ? D1 : D2);
  sp.top = BoundaryCondition::dirichlet(u0);
  sp.bottom = BoundaryCondition::dirichlet(uL);
  FieldSet f(g, {"c"});
  DiffusionSolver s(g, {sp}, TimeScheme::implicit_euler_lod);
  for (int n = 0; n < 200; ++n) s.step(f, 1e9);
  const double q = (u0 - uL) / (L1 / D1 + L2 / D2);  // flux continuity
  double maxerr = 0;
  for (int k = 0; k < g.nz(); ++k) {
    const double z = g.z_centres()[k];
    const double exact = z < L1 ? u0 - q * z / D1 : u0 - q * L1 / D1 - q * (z - L1) / D2;
    maxerr = std::max(maxerr, std::fabs(f[0][k] - exact));
  }
  std::printf("  two-layer steady state: max error %.2e\n", maxerr);
  CHECK(maxerr < 1e-10);
}

TEST_CASE("diffusion: Robin top (uniform and per-column) gives the analytic steady state") {
  const double L = 1e-3, D = 2e-10, h = 1e-7, ext = 2.0, ub = 0.5;
  Grid g(4, 3, 1e-3, 1e-3, graded_z_faces({L}, 10e-6, 50e-6));
  DiffusionSpec sp = uniform_spec(g, D);
  sp.top = BoundaryCondition::robin(h, ext);
  sp.bottom = BoundaryCondition::dirichlet(ub);
  DiffusionSpec sp2 = sp;
  sp2.top = BoundaryCondition::zero_flux();
  sp2.top_h.assign(g.plane(), h);
  sp2.top_ext.assign(g.plane(), ext);
  FieldSet f(g, {"a", "b"});
  DiffusionSolver s(g, {sp, sp2});
  for (int n = 0; n < 100; ++n) s.step(f, 1e9);
  // −D u' = h (u(0) − ext) at z = 0 (outward normal −z), u(L) = ub, u linear
  // u(z) = u0 + (ub − u0) z / L with D (ub − u0)/L = h (u0 − ext) ... sign: flux into domain
  const double u0 = (h * ext + D * ub / L) / (h + D / L);
  double e1 = 0, e2 = 0;
  for (int k = 0; k < g.nz(); ++k) {
    const double exact = u0 + (ub - u0) * g.z_centres()[k] / L;
    for (std::size_t c = 0; c < g.plane(); ++c) {
      e1 = std::max(e1, std::fabs(f[0][k * g.plane() + c] - exact));
      e2 = std::max(e2, std::fabs(f[1][k * g.plane() + c] - exact));
    }
  }
  CHECK(e1 < 1e-10);
  CHECK(e2 < 1e-10);
}

TEST_CASE("diffusion: bitwise identical results on 1 and 2 threads") {
  Grid g(33, 17, 1e-3, 0.5e-3, graded_z_faces({0.1e-3, 0.6e-3}, 10e-6, 60e-6));
  auto run = [&](int threads) {
    ThreadScope ts(threads);
    FieldSet f(g, {"a"});
    Philox rng(3);
    for (std::size_t c = 0; c < g.size(); ++c) f[0][c] = rng.uniform(1, c);
    DiffusionSpec sp = uniform_spec(g, 3e-10, 1e-5);
    sp.top = BoundaryCondition::robin(1e-6, 0.1);
    for (auto sch : {TimeScheme::implicit_euler_lod, TimeScheme::crank_nicolson_strang}) {
      DiffusionSolver s(g, {sp}, sch);
      for (int n = 0; n < 5; ++n) s.step(f, 120.0);
    }
    return f;
  };
  FieldSet a = run(1), b = run(2);
  CHECK(std::memcmp(a.data(0), b.data(0), g.size() * sizeof(double)) == 0);
}

TEST_CASE("diffusion: the AVX2 and the generic lateral (x, y) sweeps agree bitwise") {
  // line lengths around the 4-element chunks and the n < 10 fallback, plane heights with a
  // partial last block of 8 lines, both lateral treatments (periodic: Sherman–Morrison), both
  // schemes (CN: explicit part with ends and wrap), 1 and 2 threads
  INFO("SIMD path available: " << (DERMASIM_AVX2_KERNELS ? "yes" : "no"));
  int compared = 0;
  for (int nx : {9, 10, 13, 37, 64}) {
    for (int ny : {8, 11}) {
      for (auto lat : {Lateral::periodic, Lateral::zero_flux}) {
        Grid g(nx, ny, 1e-3, 0.7e-3, graded_z_faces({0.1e-3, 0.4e-3}, 20e-6, 80e-6), lat);
        auto run = [&](SimdPath path, int threads) {
          ThreadScope ts(threads);
          set_simd_path(path);
          FieldSet f(g, {"a"});
          Philox rng(11);
          for (std::size_t c = 0; c < g.size(); ++c) f[0][c] = rng.uniform(2, c);
          for (auto sch : {TimeScheme::implicit_euler_lod, TimeScheme::crank_nicolson_strang}) {
            DiffusionSolver s(g, {uniform_spec(g, 4e-10, 1e-5)}, sch);
            for (int n = 0; n < 3; ++n) s.step(f, 300.0);
          }
          set_simd_path(SimdPath::automatic);
          return f;
        };
        const FieldSet ref = run(SimdPath::generic, 1);
        for (int threads : {1, 2}) {
          const FieldSet a = run(SimdPath::avx2, threads);
          CHECK(std::memcmp(a.data(0), ref.data(0), g.size() * sizeof(double)) == 0);
          ++compared;
        }
        // the sweep did something: not the initial field
        Philox rng(11);
        CHECK(ref[0][g.size() / 2] != rng.uniform(2, g.size() / 2));
      }
    }
  }
  CHECK(compared == 40);
}

TEST_CASE("diffusion: bad input raises invalid_argument naming the parameter and range") {
  Grid g = Grid::uniform(2, 2, 4, 1, 1, 1);
  DiffusionSpec neg = uniform_spec(g, 1.0);
  neg.D[2] = -1.0;
  CHECK_THROWS_WITH_AS(DiffusionSolver(g, {neg}), doctest::Contains("diffusion[0].D[2]"),
                       invalid_argument);
  DiffusionSpec nan = uniform_spec(g, std::nan(""));
  CHECK_THROWS_WITH_AS(DiffusionSolver(g, {nan}), doctest::Contains(">= 0"), invalid_argument);
  DiffusionSpec short_ = uniform_spec(g, 1.0);
  short_.D.pop_back();
  CHECK_THROWS_WITH_AS(DiffusionSolver(g, {short_}), doctest::Contains("expected 4"),
                       invalid_argument);
  DiffusionSpec dec = uniform_spec(g, 1.0, -1.0);
  CHECK_THROWS_WITH_AS(DiffusionSolver(g, {dec}), doctest::Contains("decay"), invalid_argument);
  DiffusionSolver s(g, {uniform_spec(g, 1.0)});
  FieldSet f(g, {"a"});
  CHECK_THROWS_WITH_AS(s.step(f, 0.0), doctest::Contains("dt"), invalid_argument);
  CHECK_THROWS_WITH_AS(s.step(f, -1.0), doctest::Contains("> 0"), invalid_argument);
  CHECK_THROWS_AS(s.step(f, std::nan("")), invalid_argument);
  FieldSet wrong(Grid::uniform(2, 2, 3, 1, 1, 1), {"a"});
  CHECK_THROWS_WITH_AS(s.step(wrong, 1.0), doctest::Contains("cells"), invalid_argument);
  FieldSet two(g, {"a", "b"});
  CHECK_THROWS_WITH_AS(s.step(two, 1.0), doctest::Contains("species"), invalid_argument);
  DiffusionSpec rob = uniform_spec(g, 1.0);
  rob.top_h.assign(3, 1.0);
  rob.top_ext.assign(3, 0.0);
  CHECK_THROWS_WITH_AS(DiffusionSolver(g, {rob}), doctest::Contains("top_h"), invalid_argument);
}
