// Example 01: the numerical core on its own. A cytokine released into four needle channels
// (0.6 mm deep) diffuses and decays in layered skin; prints the amount left per layer.
// Build: part of the default CMake build (DERMASIM_BUILD_EXAMPLES); run: ./example_01_cytokine_channels
#include <cmath>
#include <cstdio>
#include <dermasim/dermasim.hpp>

int main() {
  using namespace dermasim;
  const std::vector<double> interfaces{15e-6, 85e-6, 235e-6, 1585e-6};  // SC, VE, PD, RD (m)
  const char* names[] = {"SC", "VE", "PD", "RD"};
  Grid g(24, 24, 1e-3, 1e-3, graded_z_faces(interfaces, 5e-6, 60e-6, 1.2));
  FieldSet f(g, {"cytokine"});
  const double r = 35e-6, depth = 0.6e-3;
  for (double cx : {0.25e-3, 0.75e-3})
    for (double cy : {0.25e-3, 0.75e-3})
      for (int k = 0; k < g.nz(); ++k)
        for (int j = 0; j < g.ny(); ++j)
          for (int i = 0; i < g.nx(); ++i) {
            const double dx = g.x_centre(i) - cx, dy = g.y_centre(j) - cy;
            const bool near = std::fabs(dx) <= 0.5 * g.dx() && std::fabs(dy) <= 0.5 * g.dy();
            if ((dx * dx + dy * dy <= r * r || near) && g.z_centres()[k] <= depth)
              f[0][g.index(i, j, k)] = 1.0;
          }
  DiffusionSpec s;
  const double D = 0.015 * units::mm2_per_h;  // dermis (model-spec §6.8)
  for (double z : g.z_centres()) s.D.push_back(z < 15e-6 ? 1e-4 * D : z < 85e-6 ? 0.5 * D : D);
  s.decay = 0.7 / units::hour;
  DiffusionSolver solver(g, {s}, TimeScheme::crank_nicolson_strang);
  const double released = f.integral(0);
  std::printf("%8s", "t (h)");
  for (auto n : names) std::printf("%10s", n);
  std::printf("%10s\n", "total");
  int minutes_done = 0;
  for (int minutes : {0, 30, 60, 120, 240}) {
    const double t_h = minutes / 60.0;
    for (; minutes_done < minutes; ++minutes_done) solver.step(f, units::minute);
    double tot = 0;
    std::printf("%8.2f", t_h);
    for (std::size_t l = 0; l < interfaces.size(); ++l) {
      double a = 0;
      const double top = l ? interfaces[l - 1] : 0.0;
      for (int k = 0; k < g.nz(); ++k) {
        if (g.z_centres()[k] < top || g.z_centres()[k] >= interfaces[l]) continue;
        for (std::size_t c = 0; c < g.plane(); ++c) a += f[0][k * g.plane() + c] * g.cell_volume(k);
      }
      std::printf("%10.4f", a / released);
      tot += a / released;
    }
    std::printf("%10.4f\n", tot);
  }
  return 0;
}
