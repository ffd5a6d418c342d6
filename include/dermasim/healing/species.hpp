// dermasim/healing/species.hpp — the core species of the healing model and what
// a core module sees while it computes rates (issue 12: one species table;
// docs/architecture.md).
//
// Each core species is declared once, in the core module that owns it
// (healing/core/*.hpp), by a `CoreSpecies` row: name, unit, surface or field,
// absolute tolerance, baseline per z-cell, transport (diffusivity per z-cell,
// chemotaxis partner, exchange through open channels) and its response to a
// needling session. `HealingModel` builds the state, the tolerances, the
// diffusion and chemotaxis operators and the generic part of the injury
// operator from these rows only. The `Species` enum gives the rows' indices
// (the state order), so that the rate code of one module reads another's
// species at a constant offset (u[sI]) and vectorises as before.
#pragma once

#include <cstddef>

#include "dermasim/healing/baseline.hpp"
#include "dermasim/healing/parameters.hpp"

namespace dermasim::healing {

enum Species : std::size_t {
  sD = 0,
  sN,
  sMI,
  sMR,
  sI,
  sT,
  sB,
  sF,
  sFm,
  sC3,
  sC1,
  sE,
  sO,
  sQ,
  sTE,
  sEn,
  sFl,
  n_species
};

/// How a species responds to a needling session beyond its module's own
/// on_injury: scaled by the cells left in the lumen (1 − θ_cell φ), by the
/// matrix left (1 − θ_ECM φ), or not at all.
enum class InjuryResponse { none, cells, matrix };

/// One core species (see the file comment). A null function means: 0
/// (baseline), no transport (D), no chemotaxis (chi).
struct CoreSpecies {
  Species id;
  const char* name;
  const char* unit;
  bool surface;                              ///< per-column state on the top plane only
  double (*atol)(const HealingParameters&);  ///< absolute tolerance, unit
  /// Unwounded value at z-cell k, unit (null: 0).
  double (*baseline)(const HealingParameters&, const Baseline&, int k) = nullptr;
  /// Diffusivity at z-cell k, m²/s (null: not transported).
  double (*D)(const HealingParameters&, const Baseline&, int k) = nullptr;
  /// Chemotaxis up the gradient of `up` with sensitivity chi(k), m²/s per unit
  /// of `up`, and the receptor saturation K (unit of `up`); taken when ratio(p)
  /// > 0.
  Species up = n_species;
  double (*chi)(const HealingParameters&, const Baseline&, int k) = nullptr;
  double (*chi_K)(const HealingParameters&) = nullptr;
  double (*chi_ratio)(const HealingParameters&) = nullptr;
  /// Lost through open channels (exudate): a Robin face h_exudate·O on the top
  /// cell.
  bool channel_exchange = false;
  InjuryResponse injury = InjuryResponse::none;
};

/// What a core module's rates read besides the state: the parameters, the
/// baseline and the per-run switches (thread safe: read only during a step).
struct KineticsContext {
  const HealingParameters* p = nullptr;
  const Baseline* b = nullptr;
  double k_close = 0.0;  ///< current closure rate (occlusion of the last session), 1/s
  /// Unsplit scheme: the exchange through the top face (open channels, module faces) as a loss
  /// of the top cell, T(h)/dz₀ with T the Robin transmissibility of diffusion.hpp (1/s); false: off.
  bool surface_loss = false;
  double dz0 = 0.0;  ///< top cell height, m
};

/// The state at one cell, read once: every core module's rates use it.
struct Local {
  double D, N, MI, MR, I, T, f, g, C3, C1;
  double n, mi, mr;  ///< N / N_ref, M_I / M_ref, M_R / M_ref
};

}  // namespace dermasim::healing
