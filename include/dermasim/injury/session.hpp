// dermasim/injury/session.hpp — one treatment session: device pattern → penetration →
// injury field, in one call. This is what the healing model calls at each session time.
//
//   Grid g = skin_grid(skin, 2e-3, 2e-3, 64, 64, 5e-6, 50e-6);
//   InjuryField f = session_injury(skin, clinical_pen(1.5e-3), g, seed, session);
#pragma once

#include <cstdint>

#include "dermasim/core/grid.hpp"
#include "dermasim/device/device.hpp"
#include "dermasim/injury/injury_field.hpp"
#include "dermasim/injury/rasterise.hpp"
#include "dermasim/mechanics/penetration.hpp"
#include "dermasim/skin/layers.hpp"

namespace dermasim {

/// A patch grid for a skin profile: nx × ny uniform lateral cells over lx × ly (m), graded z
/// from h_min at the surface up to h_max (m) with a face on every layer interface, down to the
/// bottom of the (truncated) hypodermis.
inline Grid skin_grid(const SkinProfile& skin, double lx, double ly, int nx, int ny,
                      double h_min = 5e-6, double h_max = 50e-6,
                      Lateral lateral = Lateral::periodic) {
  skin.validate();
  return Grid(nx, ny, lx, ly, graded_z_faces(skin.interfaces(), h_min, h_max), lateral);
}

/// The micro-injury of one session of `device` on `skin`, rasterised on `grid` (on a 1 × 1
/// column grid: its exact lateral average, column_injury). Puncture
/// positions and needle scatter are drawn from Philox keyed by (seed, session): the same
/// arguments give bitwise the same field on any thread count.
inline InjuryField session_injury(const SkinProfile& skin, const Device& device, const Grid& grid,
                                  std::uint64_t seed, std::uint64_t session,
                                  const PenetrationParams& pp = {}, const RasterParams& rp = {}) {
  skin.validate();
  device.validate();
  const auto events = device.punctures(grid.lx(), grid.ly(), seed, session);
  const auto res = penetrate_events(skin, device, events, seed, session, pp);
  if (grid.nx() == 1 && grid.ny() == 1)  // a 1D column: the exact lateral average
    return column_injury(to_channels(events, res), skin, grid, events.size(), rp);
  return rasterise(to_channels(events, res), skin, grid, events.size(), rp);
}

}  // namespace dermasim
