// Consumer check: diffuse a unit mass in a closed box and verify it is conserved.
#include <cmath>
#include <cstdio>
#include <dermasim/dermasim.hpp>

int main() {
  using namespace dermasim;
  Grid g = Grid::uniform(8, 8, 8, 1e-3, 1e-3, 1e-3);
  FieldSet f(g, {"c"});
  f[0][g.index(4, 4, 4)] = 1.0;
  DiffusionSpec s;
  s.D.assign(g.nz(), 1e-9);
  DiffusionSolver solver(g, {s});
  const double m0 = f.integral(0);
  for (int i = 0; i < 10; ++i) solver.step(f, 10.0);
  const double rel = std::fabs(f.integral(0) - m0) / m0;
  std::printf("dermasim %s consumer: mass drift %.3g\n", version, rel);
  return rel < 1e-12 ? 0 : 1;
}
