// dermasim/core/field.hpp — structure-of-arrays storage of many species on one Grid.
//
// One contiguous, 64-byte aligned array per species, each of grid.size() doubles in the grid's
// index order (x fastest). Species are addressed by index or by name.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "dermasim/core/aligned.hpp"
#include "dermasim/core/error.hpp"
#include "dermasim/core/grid.hpp"

namespace dermasim {

class FieldSet {
 public:
  FieldSet() = default;
  FieldSet(const Grid& grid, std::vector<std::string> names, double init = 0.0)
      : grid_(grid), names_(std::move(names)) {
    if (names_.empty()) throw invalid_argument("FieldSet.names is empty; need at least 1 species");
    for (std::size_t a = 0; a < names_.size(); ++a)
      for (std::size_t b = a + 1; b < names_.size(); ++b)
        if (names_[a] == names_[b])
          throw invalid_argument("FieldSet.names has the duplicate species '" + names_[a] + "'");
    data_.assign(names_.size(), aligned_vector(grid_.size(), init));
  }

  const Grid& grid() const { return grid_; }
  std::size_t species() const { return names_.size(); }
  std::size_t cells() const { return grid_.size(); }
  const std::vector<std::string>& names() const { return names_; }

  double* data(std::size_t s) { return data_[s].data(); }
  const double* data(std::size_t s) const { return data_[s].data(); }
  aligned_vector& operator[](std::size_t s) { return data_[s]; }
  const aligned_vector& operator[](std::size_t s) const { return data_[s]; }

  /// Index of a species by name; throws invalid_argument listing the known names.
  std::size_t index(const std::string& name) const {
    auto it = std::find(names_.begin(), names_.end(), name);
    if (it == names_.end()) {
      std::string known;
      for (auto& n : names_) known += (known.empty() ? "" : ", ") + n;
      throw invalid_argument("unknown species '" + name + "'; known species: " + known);
    }
    return static_cast<std::size_t>(it - names_.begin());
  }

  /// Total amount of species s: sum of value × cell volume (deterministic order).
  double integral(std::size_t s) const {
    const auto& g = grid_;
    const double* u = data(s);
    double total = 0.0;
    for (int k = 0; k < g.nz(); ++k) {
      double plane = 0.0;
      const double* p = u + std::size_t(k) * g.plane();
      for (std::size_t c = 0; c < g.plane(); ++c) plane += p[c];
      total += plane * g.cell_volume(k);
    }
    return total;
  }

  /// Throws invalid_argument unless this set has the same grid shape and species count.
  void require_compatible(const FieldSet& other, const std::string& what) const {
    if (other.species() != species() || other.cells() != cells())
      throw invalid_argument(what + " has " + std::to_string(other.species()) + " species × " +
                             std::to_string(other.cells()) + " cells; expected " +
                             std::to_string(species()) + " × " + std::to_string(cells()));
  }

 private:
  Grid grid_;
  std::vector<std::string> names_;
  std::vector<aligned_vector> data_;
};

}  // namespace dermasim
