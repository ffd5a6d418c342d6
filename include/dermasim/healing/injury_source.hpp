// dermasim/healing/injury_source.hpp — injury fields for the healing model.
//
// - `InjurySource`: (grid, session) → injury field, for a custom injury stage
//   (SimulateOptions::injury); by default the healing model takes `session_injury`
//   (injury/session.hpp: device → punctures → penetration → rasterise).
// - `lateral_average`: averages a fine injury field over x, y onto a coarser grid with the
//   same z faces (the 1D column and the 2D slice use laterally averaged injury).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/grid.hpp"
#include "dermasim/injury/injury_field.hpp"

namespace dermasim::healing {

/// The injury source of a session: (grid, session index) → injury field on that grid.
using InjurySource = std::function<InjuryField(const Grid&, std::uint64_t session)>;

/// Average a fine injury field over x, y onto `coarse` (same z faces and patch; coarse nx, ny
/// must divide the fine ones). Channels and per-layer totals are kept; the named extra fields
/// are averaged like the damage.
inline InjuryField lateral_average(const InjuryField& fine, const Grid& coarse) {
  const Grid& f = fine.grid;
  if (f.nz() != coarse.nz())
    throw invalid_argument("lateral_average: the injury grid has nz = " + std::to_string(f.nz()) +
                           "; the healing grid has nz = " + std::to_string(coarse.nz()) +
                           " (valid: the same z faces)");
  if (f.nx() % coarse.nx() != 0 || f.ny() % coarse.ny() != 0)
    throw invalid_argument("lateral_average: healing grid nx, ny = " + std::to_string(coarse.nx()) +
                           ", " + std::to_string(coarse.ny()) + " must divide the injury grid's " +
                           std::to_string(f.nx()) + ", " + std::to_string(f.ny()));
  for (const auto& [name, v] : fine.extra)
    if (v.size() != f.size())
      throw invalid_argument("lateral_average: injury field '" + name + "' has " + std::to_string(v.size()) +
                             " values for " + std::to_string(f.size()) + " cells of the injury grid");
  InjuryField out = fine;
  out.grid = coarse;
  const int rx = f.nx() / coarse.nx(), ry = f.ny() / coarse.ny();
  const double w = 1.0 / (double(rx) * ry);
  out.damage.assign(coarse.size(), 0.0);
  out.bleeding.assign(coarse.size(), 0.0);
  out.open_surface.assign(coarse.plane(), 0.0);
  std::vector<std::pair<const double*, double*>> extra;  // (fine, coarse) of each named field
  for (auto& [name, v] : out.extra) {
    v.assign(coarse.size(), 0.0);
    extra.emplace_back(fine.extra.at(name).data(), v.data());
  }
  for (int k = 0; k < f.nz(); ++k)
    for (int j = 0; j < f.ny(); ++j)
      for (int i = 0; i < f.nx(); ++i) {
        const std::size_t src = f.index(i, j, k), dst = coarse.index(i / rx, j / ry, k);
        out.damage[dst] += w * fine.damage[src];
        out.bleeding[dst] += w * fine.bleeding[src];
        for (const auto& [a, b] : extra) b[dst] += w * a[src];
        if (k == 0) out.open_surface[coarse.index(i / rx, j / ry, 0)] += w * fine.open_surface[std::size_t(j) * f.nx() + i];
      }
  return out;
}

}  // namespace dermasim::healing
