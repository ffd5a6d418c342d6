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
  /// After-care windows (docs/model.md §7.6), s after the session: the barrier (TEWL proxy
  /// within aftercare.barrier_tolerance of intact skin: makeup, acids and retinoids again),
  /// sweating/exercise (TEWL proxy within aftercare.exercise_tolerance and the redness gone)
  /// and UV sensitivity (barrier back and the epidermal inflammatory drive below its threshold).
  double barrier_recovered_after = std::numeric_limits<double>::quiet_NaN();
  double exercise_ok_after = std::numeric_limits<double>::quiet_NaN();
  double uv_sensitive_until = std::numeric_limits<double>::quiet_NaN();
  double pih_risk = 0;             ///< phototype factor × inflammation dose (days), −
  double downtime = 0;             ///< s (visible erythema)
  double collagen_PD_gain = 0;     ///< change of PD collagen over this session's interval
  double collagen_PD_cumulative = 0;  ///< PD collagen change at the end of the interval
  /// Injured volume of each layer this session (Σ damage × V of the injury field, lumen plus
  /// crush halo) over the layer's volume in the patch, − (docs/model.md §4).
  std::array<double, n_layers> injured_fraction{};

  /// The table's columns (name, unit, value): the one declaration the bindings, the Python
  /// session table and its units read.
  struct Column {
    const char* name;
    const char* unit;
    double (*get)(const SessionSummary&);
    void (*set)(SessionSummary&, double);  ///< inverse of get (checkpoints store rows by column)
  };
  static const std::vector<Column>& columns();
};

inline const std::vector<SessionSummary::Column>& SessionSummary::columns() {
  using S = const SessionSummary&;
  using M = SessionSummary&;
  static const std::vector<Column> c = {
      {"index", "1", [](S s) { return double(s.index); }, [](M s, double v) { s.index = int(v); }},
      {"time", "s", [](S s) { return s.time; }, [](M s, double v) { s.time = v; }},
      {"needle_length", "m", [](S s) { return s.needle_length; }, [](M s, double v) { s.needle_length = v; }},
      {"real_depth", "m", [](S s) { return s.real_depth; }, [](M s, double v) { s.real_depth = v; }},
      {"channels", "1", [](S s) { return double(s.channels); }, [](M s, double v) { s.channels = std::size_t(v); }},
      {"channels_per_cm2", "1/cm^2", [](S s) { return s.channels_per_cm2; }, [](M s, double v) { s.channels_per_cm2 = v; }},
      {"bleeding_points", "1", [](S s) { return double(s.bleeding_points); }, [](M s, double v) { s.bleeding_points = std::size_t(v); }},
      {"bleeding_points_per_cm2", "1/cm^2", [](S s) { return s.bleeding_points_per_cm2; }, [](M s, double v) { s.bleeding_points_per_cm2 = v; }},
      {"erythema_peak", "1", [](S s) { return s.erythema_peak; }, [](M s, double v) { s.erythema_peak = v; }},
      {"erythema_resolved_after", "s", [](S s) { return s.erythema_resolved_after; }, [](M s, double v) { s.erythema_resolved_after = v; }},
      {"channels_closed_after", "s", [](S s) { return s.channels_closed_after; }, [](M s, double v) { s.channels_closed_after = v; }},
      {"epidermis_recovered_after", "s", [](S s) { return s.epidermis_recovered_after; }, [](M s, double v) { s.epidermis_recovered_after = v; }},
      {"barrier_recovered_after", "s", [](S s) { return s.barrier_recovered_after; }, [](M s, double v) { s.barrier_recovered_after = v; }},
      {"exercise_ok_after", "s", [](S s) { return s.exercise_ok_after; }, [](M s, double v) { s.exercise_ok_after = v; }},
      {"uv_sensitive_until", "s", [](S s) { return s.uv_sensitive_until; }, [](M s, double v) { s.uv_sensitive_until = v; }},
      {"pih_risk", "1", [](S s) { return s.pih_risk; }, [](M s, double v) { s.pih_risk = v; }},
      {"downtime", "s", [](S s) { return s.downtime; }, [](M s, double v) { s.downtime = v; }},
      {"collagen_PD_gain", "1", [](S s) { return s.collagen_PD_gain; }, [](M s, double v) { s.collagen_PD_gain = v; }},
      {"collagen_PD_cumulative", "1", [](S s) { return s.collagen_PD_cumulative; }, [](M s, double v) { s.collagen_PD_cumulative = v; }},
      {"injured_fraction_SC", "1", [](S s) { return s.injured_fraction[0]; }, [](M s, double v) { s.injured_fraction[0] = v; }},
      {"injured_fraction_VE", "1", [](S s) { return s.injured_fraction[1]; }, [](M s, double v) { s.injured_fraction[1] = v; }},
      {"injured_fraction_PD", "1", [](S s) { return s.injured_fraction[2]; }, [](M s, double v) { s.injured_fraction[2] = v; }},
      {"injured_fraction_RD", "1", [](S s) { return s.injured_fraction[3]; }, [](M s, double v) { s.injured_fraction[3] = v; }},
      {"injured_fraction_HY", "1", [](S s) { return s.injured_fraction[4]; }, [](M s, double v) { s.injured_fraction[4] = v; }},
  };
  return c;
}

/// One topical application's delivery (run/topical_report.hpp; SI: kg/m², s, kg/m²/s).
struct ApplicationSummary {
  int index = 0;
  std::string agent;
  double time = 0, duration = 0;   ///< s
  double dose = 0;                 ///< applied, kg/m²
  double delivered = 0;            ///< into the skin during the application, kg/m²
  double delivered_dermis = 0;     ///< into the dermis during the application, kg/m²
  double intact_delivered = 0;     ///< the same on intact skin, kg/m²
  double intact_delivered_dermis = 0;
  double enhancement = 0;          ///< delivered / intact_delivered, −
  double enhancement_dermis = 0;   ///< delivered_dermis / intact_delivered_dermis, −
  double in_skin_at_end = 0;       ///< in the skin when the vehicle is wiped off, kg/m²
  double in_dermis_at_end = 0;
  double cleared = 0;              ///< into the capillaries during the application, kg/m²
  double peak_flux = 0;            ///< into the skin, kg/m²/s
  double lag_time = 0;             ///< past the SC, s (tangent construction; NaN: none)
  double intact_lag_time = 0;      ///< the same on intact skin, s

  /// The numeric columns (name, unit, value) after `agent`: one declaration, as SessionSummary's.
  struct Column {
    const char* name;
    const char* unit;
    double (*get)(const ApplicationSummary&);
  };
  static const std::vector<Column>& columns() {
    using A = const ApplicationSummary&;
    static const std::vector<Column> c = {
        {"index", "1", [](A a) { return double(a.index); }},
        {"time", "s", [](A a) { return a.time; }},
        {"duration", "s", [](A a) { return a.duration; }},
        {"dose", "kg/m^2", [](A a) { return a.dose; }},
        {"delivered", "kg/m^2", [](A a) { return a.delivered; }},
        {"delivered_dermis", "kg/m^2", [](A a) { return a.delivered_dermis; }},
        {"intact_delivered", "kg/m^2", [](A a) { return a.intact_delivered; }},
        {"intact_delivered_dermis", "kg/m^2", [](A a) { return a.intact_delivered_dermis; }},
        {"enhancement", "1", [](A a) { return a.enhancement; }},
        {"enhancement_dermis", "1", [](A a) { return a.enhancement_dermis; }},
        {"in_skin_at_end", "kg/m^2", [](A a) { return a.in_skin_at_end; }},
        {"in_dermis_at_end", "kg/m^2", [](A a) { return a.in_dermis_at_end; }},
        {"cleared", "kg/m^2", [](A a) { return a.cleared; }},
        {"peak_flux", "kg/m^2/s", [](A a) { return a.peak_flux; }},
        {"lag_time", "s", [](A a) { return a.lag_time; }},
        {"intact_lag_time", "s", [](A a) { return a.intact_lag_time; }},
    };
    return c;
  }
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
  std::vector<ApplicationSummary> applications;       ///< topical applications (if any)
  std::vector<TimelineRow> timeline;
  RunInfo info;
  std::vector<Snapshot> snapshots;
  Grid grid;
  std::vector<std::string> species;
  std::vector<std::string> species_units;               ///< of `species`
  std::map<std::string, std::string> module_outcome_units;  ///< the modules' series → unit
};

}  // namespace dermasim
