// benchmarks/bench_numerics.cpp — the numerical core: implicit diffusion (whole step and each
// sweep), the Patankar reaction step, the chemotaxis step, a BioFVM-comparable diffusion–decay
// problem and a time-to-solution benchmark (one simulated week at a stated accuracy).
//
// Every memory-bound benchmark reports updates_per_s, bytes_per_update, GB_per_s and
// frac_triad (see bench_common.hpp). Bytes per voxel-species update (compulsory traffic, the
// model of docs/numerics.md §Benchmarks):
//   diffusion sweep                16 B  (field read once, written once)
//   diffusion step                 16 B × sweeps: implicit Euler LOD 3D 48 B, CN-Strang 3D 80 B
//   reaction step (Patankar)       16 B  (every species read once, written once)
//   chemotaxis step, n sub-steps   (56 + 56 n)/n B per cell sub-step: 32 B for the face
//                                  velocities (read c, write vx vy vz), 24 B for the CFL scan,
//                                  then per sub-step 40 B flux update + 16 B copy back
// Benchmark names carry the arguments (n = cells per axis, threads), so compare.py can match
// runs of the same configuration.
#include <Eigen/Dense>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "dermasim/core/field.hpp"
#include "dermasim/core/grid.hpp"
#include "dermasim/core/parallel.hpp"
#include "dermasim/numerics/chemotaxis.hpp"
#include "dermasim/numerics/diffusion.hpp"
#include "dermasim/numerics/reaction.hpp"

using namespace dermasim;

namespace {

constexpr double patch = 2e-3;  // 2 mm cube, m

std::vector<std::string> species_names(int n) {
  std::vector<std::string> v;
  for (int s = 0; s < n; ++s) v.push_back("s" + std::to_string(s));
  return v;
}

// Smooth, strictly positive data (no denormals on repeated steps).
void fill_smooth(FieldSet& f) {
  const Grid& g = f.grid();
  for (std::size_t s = 0; s < f.species(); ++s) {
    double* u = f.data(s);
    const long n = long(g.size());
#pragma omp parallel for schedule(static)
    for (long c = 0; c < n; ++c) {
      const long i = c % g.nx(), j = (c / g.nx()) % g.ny(), k = c / long(g.plane());
      u[c] = 1.0 + 0.5 * std::sin(0.1 * i + 0.3 * s) * std::cos(0.07 * j) * std::exp(-0.01 * k);
    }
  }
}

// Layered skin-like transport: epidermis (top 10 %) slower than dermis; cytokine-scale D.
std::vector<DiffusionSpec> layered_specs(const Grid& g, int ns) {
  std::vector<DiffusionSpec> v(ns);
  for (int s = 0; s < ns; ++s) {
    for (int k = 0; k < g.nz(); ++k)
      v[s].D.push_back((g.z_centres()[k] < 0.1 * g.depth() ? 0.2 : 1.0) * 1e-10 / (1 + s));
    v[s].decay = 1e-6 * (1 + s);
    v[s].bottom = BoundaryCondition::dirichlet(0.0);
  }
  return v;
}

Grid cube(int n) { return Grid::uniform(n, n, n, patch, patch, patch); }

// ---- implicit diffusion: whole step --------------------------------------------------------
// args: n, species, scheme (0 implicit Euler LOD, 1 CN-Strang), threads
void BM_DiffusionStep(benchmark::State& state) {
  const int n = int(state.range(0)), ns = int(state.range(1)), threads = int(state.range(3));
  const auto scheme = state.range(2) == 0 ? TimeScheme::implicit_euler_lod
                                          : TimeScheme::crank_nicolson_strang;
  ThreadScope scope(threads);
  const Grid g = cube(n);
  FieldSet f(g, species_names(ns));
  fill_smooth(f);
  DiffusionSolver solver(g, layered_specs(g, ns), scheme);
  solver.step(f, 60.0);  // factorisations cached, buffers sized
  for (auto _ : state) solver.step(f, 60.0);
  dsbench::report_bandwidth(state, double(g.size()) * ns, solver.bytes_per_update(), threads);
  state.SetLabel(to_string(scheme));
}
BENCHMARK(BM_DiffusionStep)
    ->ArgNames({"n", "species", "scheme", "threads"})
    ->ArgsProduct({{64, 128, 256}, {1, 4}, {0, 1}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---- implicit diffusion: one sweep -----------------------------------------------------------
// args: axis (0 x, 1 y, 2 z), n, theta ×100 (100 backward Euler, 50 Crank–Nicolson), threads
void BM_DiffusionSweep(benchmark::State& state) {
  const int axis = int(state.range(0)), n = int(state.range(1)), threads = int(state.range(3));
  const double theta = state.range(2) / 100.0;
  ThreadScope scope(threads);
  const Grid g = cube(n);
  FieldSet f(g, species_names(1));
  fill_smooth(f);
  DiffusionSolver solver(g, layered_specs(g, 1));
  const auto ax = axis == 0 ? DiffusionSolver::Axis::x
                            : (axis == 1 ? DiffusionSolver::Axis::y : DiffusionSolver::Axis::z);
  solver.sweep(f, ax, 60.0, theta);
  for (auto _ : state) solver.sweep(f, ax, 60.0, theta);
  dsbench::report_bandwidth(state, double(g.size()), 16.0, threads);
  state.SetLabel(std::string("xyz").substr(axis, 1) + (theta < 1 ? " CN" : " BE"));
}
BENCHMARK(BM_DiffusionSweep)
    ->ArgNames({"axis", "n", "theta100", "threads"})
    ->ArgsProduct({{0, 1, 2}, {64, 128, 256}, {100, 50}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---- reaction: a wound-healing cytokine network in production–loss form ---------------------
// 8 species (TNF-α, IL-1, IL-6, IL-10, TGF-β, PDGF, MMP, TIMP) with saturating cross-induction,
// IL-10 inhibition of TNF-α, MMP–TIMP complexation (a loss of both) and depth-dependent
// production (epidermis vs dermis). Rates in 1/s, concentrations in nM: a realistic arithmetic
// load per voxel (≈ 60 flops and 8 divisions per evaluation, two evaluations per MPRK22 step).
struct WoundKinetics {
  int epidermis_cells = 1;
  std::size_t species() const { return 8; }
  // SoA over a block of cells (vectorises across cells); `rates` is the same code for one cell.
  void rates_block(std::size_t, int k, int n, const double* const* u, double* const* P,
                   double* const* L) const {
    const double layer = k < epidermis_cells ? 2.0 : 1.0;
    const double K = 0.5;
    for (int i = 0; i < n; ++i) {
      const double tnf = u[0][i], il1 = u[1][i], il6 = u[2][i], il10 = u[3][i], tgf = u[4][i],
                   pdgf = u[5][i], mmp = u[6][i], timp = u[7][i];
      P[0][i] = layer * 2e-4 * il1 / (K + il1);
      L[0][i] = 4e-4 + 3e-4 * il10 / (K + il10);
      P[1][i] = layer * 1.5e-4 * tnf / (K + tnf);
      L[1][i] = 3e-4;
      P[2][i] = 1e-4 * (tnf + il1) / (K + tnf + il1);
      L[2][i] = 2e-4;
      P[3][i] = 5e-5 * il6 / (K + il6);
      L[3][i] = 1e-4;
      P[4][i] = 1e-6 + 8e-5 * pdgf / (K + pdgf);
      L[4][i] = 5e-5;
      P[5][i] = layer * 6e-5 * tnf / (K + tnf);
      L[5][i] = 1e-4;
      P[6][i] = 1e-4 * (tnf + il1) / (1.0 + tnf + il1);
      L[6][i] = 2e-5 + 1e-4 * timp;
      P[7][i] = 4e-5 * tgf / (K + tgf);
      L[7][i] = 2e-5 + 1e-4 * mmp;
    }
  }
  void rates(std::size_t c, int k, const double* u, double* P, double* L) const {
    rates_from_block(*this, c, k, u, P, L);
  }
};

template <class Kinetics>
void reaction_bench(benchmark::State& state, const Kinetics& kin, int n, int threads) {
  ThreadScope scope(threads);
  const Grid g = cube(n);
  FieldSet f(g, species_names(int(kin.species())));
  fill_smooth(f);
  patankar_step(f, kin, 60.0);
  for (auto _ : state) patankar_step(f, kin, 60.0);
  dsbench::report_bandwidth(state, double(g.size()) * kin.species(), 16.0, threads);
}
// args: n, kinetics (0: the 8-species wound network, MPRK22, through rates_block; 1: 4-species
// linear decay, the memory-bound ceiling of the same step; 2: the wound network through the
// per-cell `rates` only), threads
void BM_ReactionStep(benchmark::State& state) {
  const int n = int(state.range(0)), threads = int(state.range(2));
  if (state.range(1) == 0) {
    reaction_bench(state, WoundKinetics{}, n, threads);
    state.SetLabel("wound network, 8 species");
  } else if (state.range(1) == 1) {
    reaction_bench(state, LinearDecay{{1e-5, 2e-5, 3e-5, 4e-5}}, n, threads);
    state.SetLabel("linear decay, 4 species");
  } else {
    reaction_bench(state, PerCellKinetics<WoundKinetics>{}, n, threads);
    state.SetLabel("wound network, per-cell rates");
  }
  state.counters["avx2"] = use_avx2() ? 1 : 0;
}
BENCHMARK(BM_ReactionStep)
    ->ArgNames({"n", "kinetics", "threads"})
    ->ArgsProduct({{64, 128, 256}, {0, 1, 2}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---- chemotaxis: fibroblasts climbing a PDGF gradient -----------------------------------------
// args: n, threads. dt is chosen so that one step is one sub-step (CFL 0.5).
void BM_ChemotaxisStep(benchmark::State& state) {
  const int n = int(state.range(0)), threads = int(state.range(1));
  ThreadScope scope(threads);
  const Grid g = cube(n);
  FieldSet f(g, {"fibroblasts", "pdgf"});
  fill_smooth(f);
  ChemotaxisSpec sp;
  sp.cells = 0;
  sp.attractant = 1;
  sp.chi0.assign(g.nz(), 1e-9);
  sp.K = 1.0;
  ChemotaxisOperator op(g, {sp});
  // velocity scale: χ |∇c| ≈ 1e-9 · 0.5 · 0.1 / h; one sub-step needs dt · Σ|v|/h ≤ 0.5
  const double h = g.dx(), dt = 0.02 * h * h / 1e-9;
  op.step(f, dt);
  const std::size_t sub0 = op.substeps_taken();
  long steps = 0;
  for (auto _ : state) {
    op.step(f, dt);
    ++steps;
  }
  const double nsub = steps > 0 ? double(op.substeps_taken() - sub0) / steps : 1.0;
  dsbench::report_bandwidth(state, double(g.size()) * nsub, (56.0 + 56.0 * nsub) / nsub, threads);
  state.counters["substeps"] = nsub;
}
BENCHMARK(BM_ChemotaxisStep)
    ->ArgNames({"n", "threads"})
    ->ArgsProduct({{64, 128, 256}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---- BioFVM-comparable: one substrate (or four) at 100³ -----------------------------------------
// BioFVM's reference problem: 20 µm voxels, D = 1e5 µm²/min, λ = 0.1 /min, Δt = 0.01 min,
// implicit Euler LOD. BioFVM on this machine kind (issue 6): 1.6e7 (1 core), 2.7e7 (2 cores)
// voxel-substrate updates/s for one substrate, 4e7–7e7 for four. vs_BioFVM = our rate / theirs.
// args: substrates, threads
void BM_BioFVMComparable(benchmark::State& state) {
  const int ns = int(state.range(0)), threads = int(state.range(1));
  ThreadScope scope(threads);
  const int n = 100;
  const Grid g = Grid::uniform(n, n, n, n * 20e-6, n * 20e-6, n * 20e-6, Lateral::zero_flux);
  FieldSet f(g, species_names(ns));
  fill_smooth(f);
  std::vector<DiffusionSpec> specs(ns);
  for (auto& s : specs) {
    s.D.assign(n, 1e5 * 1e-12 / 60.0);
    s.decay = 0.1 / 60.0;
  }
  DiffusionSolver solver(g, specs, TimeScheme::implicit_euler_lod);
  const double dt = 0.01 * 60.0;
  solver.step(f, dt);
  for (auto _ : state) solver.step(f, dt);
  dsbench::report_bandwidth(state, double(g.size()) * ns, solver.bytes_per_update(), threads);
  const double biofvm = ns == 1 ? (threads == 1 ? 1.6e7 : 2.7e7) : (threads == 1 ? 4e7 : 7e7);
  state.counters["vs_BioFVM"] = benchmark::Counter(double(g.size()) * ns / biofvm,
                                                   benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_BioFVMComparable)
    ->ArgNames({"substrates", "threads"})
    ->ArgsProduct({{1, 4}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---- time to solution: one simulated week, 4 species, 100³, L2 error <= 1e-3 -------------------
// 2 mm cube, x and y periodic, zero flux at top and bottom, uniform D per species; the initial
// state is a sum of separable Gaussians (needle-channel releases, σ = 60 µm on 20 µm cells).
// The reference is the exact solution of the semi-discrete (space-discretised) system: the FV
// operator is a Kronecker sum of 1D operators, so each separable term evolves as
// e^{−λt} (e^{tA_x} g_x) ⊗ (e^{tA_y} g_y) ⊗ (e^{tA_z} g_z), computed by dense symmetric
// eigendecompositions of the 1D operators. The error measured is thus the time-stepping error
// alone (the spatial error is the grid's, the same for every scheme). The benchmark picks the
// fewest uniform steps meeting relative L2 error <= 1e-3 (over all species) outside the timed
// loop, then times the whole week. args: scheme (0 LOD, 1 CN-Strang), threads.
struct WeekProblem {
  static constexpr int n = 100, ns = 4;
  static constexpr double L = 2e-3, week = 7 * 86400.0;
  const double D[ns] = {1e-10, 3e-11, 1e-11, 3e-12};  // m²/s
  const double lambda[ns] = {2e-6, 1e-6, 5e-7, 2e-7};  // 1/s
  struct Blob {
    double x, y, z, amp;
  };
  std::vector<Blob> blobs{{0.5e-3, 0.5e-3, 0.3e-3, 1.0}, {1.5e-3, 0.5e-3, 0.5e-3, 0.7},
                          {0.5e-3, 1.5e-3, 0.8e-3, 0.5}, {1.5e-3, 1.5e-3, 0.4e-3, 1.2}};
  static constexpr double sigma = 60e-6;
  Grid g = Grid::uniform(n, n, n, L, L, L);

  std::vector<double> gauss(double c, bool periodic) const {
    const double h = L / n;
    std::vector<double> v(n);
    for (int i = 0; i < n; ++i) {
      const double x = (i + 0.5) * h;
      double s = 0;
      for (int m = -2; m <= 2; ++m) {
        const double d = x - c + m * L, dm = x + c + m * 2 * L;
        if (periodic || m == 0) s += std::exp(-d * d / (2 * sigma * sigma));
        if (!periodic) s += std::exp(-dm * dm / (2 * sigma * sigma));
      }
      v[i] = s;
    }
    return v;
  }
  // e^{t D A} for the 1D FV Laplacian (uniform h), periodic or zero-flux ends
  static Eigen::MatrixXd propagator(double Dt, bool periodic) {
    const double h = L / n;
    Eigen::MatrixXd A = Eigen::MatrixXd::Zero(n, n);
    for (int i = 0; i < n; ++i) {
      for (int o : {-1, 1}) {
        int j = i + o;
        if (j < 0 || j >= n) {
          if (!periodic) continue;
          j = (j + n) % n;
        }
        A(i, j) += 1.0 / (h * h);
        A(i, i) -= 1.0 / (h * h);
      }
    }
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(A);
    const Eigen::VectorXd e = (es.eigenvalues() * Dt).array().exp();
    return es.eigenvectors() * e.asDiagonal() * es.eigenvectors().transpose();
  }
  void initial(FieldSet& f, double t) const {
    for (int s = 0; s < ns; ++s) {
      const Eigen::MatrixXd Pl = propagator(D[s] * t, true), Pz = propagator(D[s] * t, false);
      double* u = f.data(s);
      std::fill(u, u + g.size(), 0.0);
      for (const auto& b : blobs) {
        const auto gx0 = gauss(b.x, true), gy0 = gauss(b.y, true), gz0 = gauss(b.z, false);
        const Eigen::VectorXd gx = Pl * Eigen::Map<const Eigen::VectorXd>(gx0.data(), n);
        const Eigen::VectorXd gy = Pl * Eigen::Map<const Eigen::VectorXd>(gy0.data(), n);
        const Eigen::VectorXd gz = Pz * Eigen::Map<const Eigen::VectorXd>(gz0.data(), n);
        const double a = b.amp * std::exp(-lambda[s] * t);
        for (int k = 0; k < n; ++k)
          for (int j = 0; j < n; ++j)
            for (int i = 0; i < n; ++i) u[g.index(i, j, k)] += a * gx[i] * gy[j] * gz[k];
      }
    }
  }
  std::vector<DiffusionSpec> specs() const {
    std::vector<DiffusionSpec> v(ns);
    for (int s = 0; s < ns; ++s) {
      v[s].D.assign(n, D[s]);
      v[s].decay = lambda[s];
    }
    return v;
  }
  static double rel_l2(const FieldSet& a, const FieldSet& b) {
    double e = 0, r = 0;
    for (std::size_t s = 0; s < a.species(); ++s)
      for (std::size_t c = 0; c < a.cells(); ++c) {
        const double d = a[s][c] - b[s][c];
        e += d * d;
        r += b[s][c] * b[s][c];
      }
    return std::sqrt(e / r);
  }
};

// args: scheme (0 implicit Euler LOD; 1 CN-Strang; 2 CN-Strang with a Rannacher start, i.e.
// its first two steps replaced by four implicit Euler half steps, which damps the stiff
// high-frequency content CN (A- but not L-stable) would carry along as slowly decaying
// oscillations), threads. Plain CN is capped at 1024 steps; l2_error shows what it reached.
void BM_TimeToSolutionWeek(benchmark::State& state) {
  const int variant = int(state.range(0));
  const auto scheme = variant == 0 ? TimeScheme::implicit_euler_lod
                                   : TimeScheme::crank_nicolson_strang;
  const int threads = int(state.range(1));
  ThreadScope scope(threads);
  WeekProblem p;
  FieldSet init(p.g, species_names(p.ns)), ref(p.g, species_names(p.ns));
  p.initial(init, 0.0);
  p.initial(ref, p.week);
  DiffusionSolver solver(p.g, p.specs(), scheme);
  DiffusionSolver starter(p.g, p.specs(), TimeScheme::implicit_euler_lod);
  FieldSet f = init;
  auto run = [&](int steps) {
    f = init;  // same shape: no allocation
    const double dt = p.week / steps;
    int i = 0;
    if (variant == 2 && steps > 2) {
      for (int h = 0; h < 4; ++h) starter.step(f, 0.5 * dt);
      i = 2;
    }
    for (; i < steps; ++i) solver.step(f, dt);
  };
  auto error_of = [&](int steps) {
    run(steps);
    return WeekProblem::rel_l2(f, ref);
  };
  // fewest uniform steps meeting the target: estimate from the observed order, then verify
  const double target = 1e-3;
  const int order = variant == 0 ? 1 : 2, cap = variant == 1 ? 1024 : 1 << 16;
  int steps = 8;
  double err = error_of(steps);
  for (int it = 0; it < 12 && err > target && steps < cap; ++it) {
    const double grow = std::pow(err / target, 1.0 / order) * 1.05;
    steps = std::min(cap, std::max(steps + 1, int(std::ceil(steps * std::min(grow, 8.0)))));
    err = error_of(steps);
  }
  // shrink while still meeting it (the estimate overshoots a little)
  for (int it = 0; it < 8 && err <= target; ++it) {
    const int fewer = int(steps * 0.9);
    if (fewer < 3 || fewer == steps) break;
    const double e2 = error_of(fewer);
    if (e2 > target) break;
    steps = fewer;
    err = e2;
  }
  for (auto _ : state) {
    run(steps);
    benchmark::DoNotOptimize(f.data(0));
  }
  const double updates = double(p.g.size()) * p.ns * steps;
  dsbench::report_bandwidth(state, updates, solver.bytes_per_update(), threads);
  state.counters["steps"] = steps;
  state.counters["l2_error"] = err;
  state.counters["target_met"] = err <= target ? 1 : 0;
  state.counters["dt_hours"] = p.week / steps / 3600.0;
  state.SetLabel(variant == 2 ? "crank_nicolson_strang + Rannacher start" : to_string(scheme));
}
BENCHMARK(BM_TimeToSolutionWeek)
    ->ArgNames({"scheme", "threads"})
    ->ArgsProduct({{0, 1, 2}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace
