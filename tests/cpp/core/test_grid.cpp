#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "dermasim/core/field.hpp"
#include "dermasim/core/grid.hpp"

using namespace dermasim;

TEST_CASE("grid: uniform geometry, indexing and dimension by unit extents") {
  Grid g = Grid::uniform(4, 3, 5, 4e-3, 3e-3, 5e-3);
  CHECK(g.size() == 60);
  CHECK(g.dimension() == 3);
  CHECK(g.dx() == doctest::Approx(1e-3));
  CHECK(g.index(1, 2, 3) == (3 * 3 + 2) * 4 + 1);
  CHECK(g.volume() == doctest::Approx(6e-8));
  double v = 0;
  for (int k = 0; k < g.nz(); ++k) v += g.cell_volume(k) * g.plane();
  CHECK(v == doctest::Approx(g.volume()).epsilon(1e-14));
  CHECK(Grid::uniform(1, 1, 10, 1, 1, 1).dimension() == 1);
  CHECK(Grid::uniform(7, 1, 10, 1, 1, 1).dimension() == 2);
  CHECK(g.cell_of_depth(2.5e-3) == 2);
  CHECK(g.cell_of_depth(-1) == 0);
  CHECK(g.cell_of_depth(1) == 4);
}

TEST_CASE("grid: graded faces put a face on every layer boundary") {
  std::vector<double> iface{15e-6, 85e-6, 235e-6, 1585e-6, 2585e-6};
  auto f = graded_z_faces(iface, 5e-6, 100e-6, 1.2, 2);
  for (double z : iface) {
    bool found = false;
    for (double x : f) found |= std::fabs(x - z) < 1e-15;
    CHECK(found);
  }
  for (std::size_t k = 1; k < f.size(); ++k) CHECK(f[k] > f[k - 1]);
  for (std::size_t k = 1; k < f.size(); ++k) CHECK(f[k] - f[k - 1] <= 100e-6 * (1 + 1e-12));
  Grid g(1, 1, 1e-3, 1e-3, f);
  CHECK(g.depth() == doctest::Approx(2585e-6));
}

TEST_CASE("grid: bad input names the parameter and the range") {
  CHECK_THROWS_WITH_AS(Grid::uniform(0, 1, 1, 1, 1, 1), doctest::Contains("grid.nx"),
                       invalid_argument);
  CHECK_THROWS_WITH_AS(Grid::uniform(1, 1, 1, -1, 1, 1), doctest::Contains("grid.lx"),
                       invalid_argument);
  CHECK_THROWS_WITH_AS(Grid::uniform(1, 1, 1, std::nan(""), 1, 1), doctest::Contains("> 0"),
                       invalid_argument);
  CHECK_THROWS_WITH_AS(Grid(1, 1, 1, 1, {0.0, 2.0, 1.0}), doctest::Contains("strictly increasing"),
                       invalid_argument);
  CHECK_THROWS_AS(Grid(1, 1, 1, 1, {0.0}), invalid_argument);
  CHECK_THROWS_AS(graded_z_faces({1e-3, 0.5e-3}, 1e-6, 1e-5), invalid_argument);
}

TEST_CASE("field: structure of arrays, aligned, named, deterministic integral") {
  Grid g = Grid::uniform(3, 2, 4, 3, 2, 4);
  FieldSet f(g, {"a", "b"}, 2.0);
  CHECK(f.species() == 2);
  CHECK(f.index("b") == 1);
  CHECK(reinterpret_cast<std::uintptr_t>(f.data(0)) % 64 == 0);
  CHECK(reinterpret_cast<std::uintptr_t>(f.data(1)) % 64 == 0);
  CHECK(f.integral(0) == doctest::Approx(2.0 * g.volume()));
  CHECK_THROWS_WITH_AS(f.index("c"), doctest::Contains("known species: a, b"), invalid_argument);
  CHECK_THROWS_AS(FieldSet(g, {"a", "a"}), invalid_argument);
  CHECK_THROWS_AS(FieldSet(g, {}), invalid_argument);
}
