// dermasim/run/result.hpp — what a run returns: the per-session table, the timeline rows, run
// information, snapshots and the outcome series by name (simulate.hpp produces it).
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "dermasim/core/field.hpp"
#include "dermasim/core/grid.hpp"
#include "dermasim/outcomes/metrics.hpp"
#include "dermasim/skin/layers.hpp"

namespace dermasim {

/// One row of the per-session table.
struct SessionSummary {
  int index = 0;
  double time = 0;                 ///< s
  double needle_length = 0;        ///< m
  double real_depth = 0;           ///< mean channel depth, m
  std::size_t channels = 0;        ///< channels in the patch
  double channels_per_cm2 = 0;
  std::size_t bleeding_points = 0; ///< bleeding channels in the patch
  double bleeding_points_per_cm2 = 0;
  double erythema_peak = 0;        ///< −
  double erythema_resolved_after = std::numeric_limits<double>::quiet_NaN();  ///< s
  double channels_closed_after = std::numeric_limits<double>::quiet_NaN();    ///< s
  double epidermis_recovered_after = std::numeric_limits<double>::quiet_NaN();  ///< s
  double pih_risk = 0;             ///< phototype factor × inflammation dose (days), −
  double downtime = 0;             ///< s (visible erythema)
  double collagen_PD_gain = 0;     ///< change of PD collagen over this session's interval
  double collagen_PD_cumulative = 0;  ///< PD collagen change at the end of the interval
  /// Injured volume of each layer this session (Σ damage × V of the injury field, lumen plus
  /// crush halo) over the layer's volume in the patch, − (docs/model.md §4).
  std::array<double, n_layers> injured_fraction{};
};

/// Outcomes at a labelled time (e.g. 1, 3, 6 months after the last session).
struct TimelineRow {
  std::string label;
  double time = 0;  ///< s
  outcomes::Metrics metrics;
};

struct RunInfo {
  long accepted_steps = 0, rejected_steps = 0;
  double dt_min = 0, dt_max = 0;   ///< s
  std::vector<std::string> warnings;
  double wall_seconds = 0;
  int dimension = 1;
  std::size_t cells = 0;
  int threads = 1;
  bool completed = true;           ///< false if stopped by an observer / progress callback
  std::string injury_source = "session_injury";
};

struct Snapshot {
  double time = 0;
  FieldSet fields;
};

struct Result {
  std::vector<double> times;                            ///< s
  std::map<std::string, std::vector<double>> series;    ///< outcome metric → values at times
  std::vector<SessionSummary> sessions;
  std::vector<TimelineRow> timeline;
  RunInfo info;
  std::vector<Snapshot> snapshots;
  Grid grid;
  std::vector<std::string> species;
  std::vector<std::string> species_units;               ///< of `species`
  std::map<std::string, std::string> module_outcome_units;  ///< the modules' series → unit
};

}  // namespace dermasim
