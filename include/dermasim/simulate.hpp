// dermasim/simulate.hpp — run a Scenario: sessions, healing, outcomes (a plain value API).
//
//   Result r = dermasim::simulate(scenario);
//   std::cout << dermasim::summary_table(r);
//
// The course runner. The injury of each session comes from the device → puncture →
// penetration → raster pipeline (injury/session.hpp, session_injury); any other source plugs
// in through SimulateOptions::injury. Fields finer than the healing grid laterally (same z
// faces) are averaged over x, y (the 1D column and the 2D slice use laterally averaged injury).
// What a run returns: run/result.hpp; checkpoints: run/checkpoint.hpp; outcomes and tables:
// run/report.hpp (all included here).
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "dermasim/core/observer.hpp"
#include "dermasim/core/parallel.hpp"
#include "dermasim/healing/injury_source.hpp"
#include "dermasim/healing/model.hpp"
#include "dermasim/injury/session.hpp"
#include "dermasim/numerics/stepper.hpp"
#include "dermasim/outcomes/metrics.hpp"
#include "dermasim/resources.hpp"
#include "dermasim/run/checkpoint.hpp"
#include "dermasim/run/report.hpp"
#include "dermasim/run/result.hpp"
#include "dermasim/run/timeline.hpp"
#include "dermasim/run/topical_report.hpp"
#include "dermasim/scenario.hpp"

namespace dermasim {

/// Runtime options (not part of the scenario).
struct SimulateOptions {
  int threads = 0;                       ///< 0: leave OpenMP as is
  std::vector<double> snapshot_times;    ///< s; copies of every field at these times
  /// Called about daily with (t, t_end) in s; return false to stop cleanly.
  std::function<bool(double, double)> progress;
  healing::InjurySource injury;          ///< empty: session_injury of each session's Device
  std::string injury_name = "custom";
  /// Called at the start of every session after the first (before its injury) with the run's
  /// checkpoint; return false to stop cleanly there (result.info.completed = false).
  std::function<bool(const Checkpoint&)> checkpoint;
  /// Continue from this checkpoint of the same scenario instead of starting at t = 0.
  const Checkpoint* resume = nullptr;
  /// Memory limit, B (0: DERMASIM_MAX_MEMORY if set, else the available memory). A run whose
  /// estimate (resources.hpp) exceeds it is refused before anything is allocated.
  double max_memory = 0.0;
  /// Let the OpenMP team shrink while other processes keep cores busy (ThreadGovernor in
  /// resources.hpp; `threads` is then the most it uses). Results do not depend on it.
  /// DERMASIM_ADAPTIVE_THREADS=0 turns it off.
  bool adapt_threads = true;
};

namespace detail {
/// The stepper's options from the scenario's numerics and the model's tolerances.
inline StepperOptions stepper_options(const Scenario& sc, const healing::HealingModel& model) {
  StepperOptions so;
  so.adaptive = sc.numerics.adaptive;
  so.rtol = sc.numerics.rtol;
  so.norm = parse_error_norm(sc.numerics.error_norm);
  so.atol = model.absolute_tolerances();
  for (auto& a : so.atol) a *= sc.numerics.atol_scale;
  so.dt_initial = sc.numerics.dt_initial;
  so.dt_max = sc.numerics.dt_max;
  so.dt_min = 1e-3;
  so.extrapolate = model.extrapolate();
  so.positive = true;
  so.group = model.conserved_groups();
  for (std::size_t i = 0; i < so.group.size(); ++i)
    if (so.group[i] >= 0) break;
    else if (i + 1 == so.group.size()) so.group.clear();  // no groups: the per-value rule
  return so;
}

/// Session s's injury on the healing grid.
inline InjuryField session_injury_of(const Scenario& sc, std::size_t s, const Grid& grid, const SimulateOptions& opt) {
  const auto& ses = sc.protocol.sessions[s];
  InjuryField inj;
  if (opt.injury) {
    inj = opt.injury(grid, s);
  } else {
    // device → penetration → injury: on the healing grid in 3D, its exact lateral average on
    // the 1D column, a raster averaged over y in 2D; new channel positions every session
    // (session index in the RNG counter)
    const std::uint64_t seed = ses.pattern_seed ? ses.pattern_seed : sc.seed;
    Grid raster = grid;
    if (sc.numerics.dimension == 2) {
      const int nr = std::max(1, int(std::lround(grid.ly() / sc.numerics.raster_spacing)));
      const int nxr = grid.nx() > 1 ? grid.nx() * std::max(1, nr / grid.nx()) : nr;
      raster = Grid(nxr, nr, grid.lx(), grid.ly(), grid.z_faces());
    }
    inj = session_injury(sc.skin, ses.device, raster, seed, s, ses.penetration.value_or(sc.penetration),
                         ses.raster.value_or(sc.raster));
  }
  if (inj.grid.nx() != grid.nx() || inj.grid.ny() != grid.ny()) inj = healing::lateral_average(inj, grid);
  return inj;
}

/// The injury columns of session s's row (the outcome columns come from session_outcomes).
inline SessionSummary session_row(const Scenario& sc, std::size_t s, const InjuryField& inj, const Grid& grid) {
  const auto& ses = sc.protocol.sessions[s];
  SessionSummary row;
  row.index = int(s) + 1;
  row.time = ses.time;
  row.needle_length = ses.device.nominal_length();
  double dsum = 0;
  for (const auto& c : inj.channels) dsum += c.depth;
  row.channels = inj.channels.size();
  row.real_depth = row.channels ? dsum / double(row.channels) : 0.0;
  row.channels_per_cm2 = inj.channels_per_cm2;
  row.bleeding_points = inj.bleeding_points;
  const double area_cm2 = grid.lx() * grid.ly() / (units::cm * units::cm);
  row.bleeding_points_per_cm2 = double(inj.bleeding_points) / area_cm2;
  for (int l = 0; l < n_layers; ++l)
    row.injured_fraction[l] = inj.injured_volume[l] / (sc.skin.layers[l].thickness * grid.lx() * grid.ly());
  return row;
}

/// An empty result with the run's grid, species and run information.
inline Result result_header(const Scenario& sc, const Grid& grid, const healing::HealingModel& model,
                            const SimulateOptions& opt) {
  Result res;
  res.grid = grid;
  res.species = model.species_names();
  res.species_units = model.species_units();
  for (const auto& o : model.module_observables()) res.module_outcome_units[o.name] = o.unit;
  res.info.dimension = sc.numerics.dimension;
  res.info.cells = grid.size();
  res.info.threads = max_threads();
  res.info.warnings = sc.patient.warnings();
  res.info.injury_source = opt.injury ? opt.injury_name : "session_injury";
  return res;
}

/// The checkpoint of a run about to apply session s at time t.
inline Checkpoint make_checkpoint(std::size_t s, double t, const FieldSet& u, const outcomes::OutcomeRecorder& rec,
                                  const std::vector<std::size_t>& mark, const Result& res,
                                  const healing::HealingModel& model, const StepStats& stats,
                                  const healing::Protocol& pr) {
  Checkpoint c{s, t, u, rec.times, rec.series, rec.extra, model.species_units(), {}, mark, res.sessions,
               res.snapshots, stats, application_fingerprint(pr)};
  for (const auto& o : model.module_observables()) c.observables.push_back(o.name);
  c.session_setup = session_fingerprint(pr);
  return c;
}

/// Restores a run from `c`; returns the index of the next session.
inline std::size_t resume_from(const Checkpoint& c, const healing::Protocol& pr, const healing::HealingModel& model,
                               FieldSet& u, outcomes::OutcomeRecorder& rec, std::vector<std::size_t>& mark,
                               Result& res, TimeStepper& stepper) {
  std::string why = checkpoint_mismatch(c, pr, u.species(), u.cells());
  std::vector<std::string> obs;
  for (const auto& o : model.module_observables()) obs.push_back(o.name);
  if (why.empty() && (c.state.names() != u.names() || c.units != model.species_units() || c.observables != obs))
    why = "it holds other species, units or module outcomes than this scenario's model";
  if (!why.empty()) throw invalid_argument("simulate: cannot resume from the checkpoint: " + why);
  for (std::size_t sp = 0; sp < u.species(); ++sp) std::copy(c.state[sp].begin(), c.state[sp].end(), u[sp].begin());
  rec.times = c.outcome_times;
  rec.series = c.outcome_series;
  rec.extra = c.outcome_extra;
  mark = c.marks;
  res.sessions = c.sessions;
  res.snapshots = c.snapshots;
  stepper.set_stats(c.stats);
  return c.next_session;
}

/// The run's observers: the outcome recorder, snapshots, progress, the thread governor and the
/// caller's (not copyable: `all` points at the members).
struct RunObservers {
  outcomes::OutcomeRecorder rec;
  CallbackObserver snap, prog, govern;
  std::vector<Observer*> all;
  RunObservers(const healing::HealingModel& model, const healing::Protocol& pr, const std::vector<Observer*>& user,
               const SimulateOptions& opt, Result& res, ThreadGovernor& governor)
      : rec(model, Schedule::at(observation_times(pr))),
        snap(Schedule::at(opt.snapshot_times),
             [&res](double t, const FieldSet& f, const StepStats&) {
               res.snapshots.push_back({t, f});
               return true;
             }),
        prog(Schedule::fixed(units::day),
             [&opt, t_end = pr.end_time()](double t, const FieldSet&, const StepStats&) { return opt.progress(t, t_end); }),
        govern(Schedule::wall(0.05), [&governor](double, const FieldSet&, const StepStats&) {
          governor.update();
          return true;
        }) {
    // the outcome series is sampled from the dense output: its ~200 times per session do not
    // cut the steps (snapshots and user observers still land exactly)
    rec.set_interpolated(true);
    all.push_back(&rec);
    for (auto* o : user) all.push_back(o);
    if (!opt.snapshot_times.empty()) all.push_back(&snap);
    prog.set_at_step_end(true);  // about daily, at step ends: cuts no steps, copies nothing
    if (opt.progress) all.push_back(&prog);
    if (governor.enabled()) all.push_back(&govern);  // at step ends, every 0.05 s of wall-clock time
  }
  RunObservers(const RunObservers&) = delete;
  RunObservers& operator=(const RunObservers&) = delete;
};

inline void finish_info(RunInfo& info, const StepStats& st, std::chrono::steady_clock::time_point wall0) {
  info.accepted_steps = st.accepted;
  info.rejected_steps = st.rejected;
  info.dt_min = st.accepted ? st.dt_min : 0.0;
  info.dt_max = st.dt_max;
  info.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
}
}  // namespace detail

inline Result simulate(const Scenario& sc, const std::vector<Observer*>& observers = {},
                       const SimulateOptions& opt = {}) {
  const auto wall0 = std::chrono::steady_clock::now();
  sc.validate();
  check_threads(opt.threads);
  check_fixed_steps(sc);
  check_memory(sc, opt.snapshot_times.size(), bool(opt.checkpoint), memory_limit(opt.max_memory));
  const auto params = healing::effective_parameters(sc.parameters, sc.skin, sc.patient);
  const Grid grid = sc.numerics.grid(sc.skin);
  // small grids (the 1D column) run serially unless threads are asked for: OpenMP start-up
  // costs more than the work there, and results do not depend on the thread count
  ThreadScope threads(opt.threads > 0 ? opt.threads : (grid.size() < 4096 ? 1 : 0));
  const char* adapt_env = std::getenv("DERMASIM_ADAPTIVE_THREADS");
  ThreadGovernor governor(max_threads(), opt.adapt_threads && !(adapt_env && std::string(adapt_env) == "0"));
  healing::HealingModel model(grid, sc.skin, params, healing::parse_scheme(sc.numerics.scheme), sc.make_modules(),
                              sc.module_parameters);
  FieldSet u = model.initial_state();
  Result res = detail::result_header(sc, grid, model, opt);
  const auto& pr = sc.protocol;
  const double t_end = pr.end_time();
  detail::RunObservers ro(model, pr, observers, opt, res, governor);
  auto& rec = ro.rec;
  TimeStepper stepper([&](FieldSet& f, double t0, double dt) {
                        model.set_time(t0);
                        model.step(f, dt);
                      },
                      model.controller_order(), detail::stepper_options(sc, model));
  const double bleed = sc.patient.anticoagulants ? params.anticoagulant_bleeding_factor : 1.0;
  std::vector<std::size_t> mark;  // recorder index at each session (after the injury)
  double t = opt.resume ? opt.resume->time : 0.0;
  const std::size_t s0 = opt.resume ? detail::resume_from(*opt.resume, pr, model, u, rec, mark, res, stepper) : 0;
  if (!opt.resume) {
    rec.record(0.0, u);
    // observers scheduled at t = 0 (snapshots, storage, progress) see the baseline state; the
    // stepper only fires observers at times after its start
    for (auto* o : ro.all)
      if (o != &rec && o->schedule().includes(0.0) && !o->observe(0.0, u, stepper.stats()))
        res.info.completed = false;
  }
  // topical applications: begin and end are stepper stops (run/timeline.hpp)
  detail::ApplicationTimeline apps(pr, t, opt.resume != nullptr);
  if (opt.resume) model.set_occluded(pr.occluded_at(t));
  auto advance_to = [&](double until) {  // false: stopped by an observer
    if (until > t) t = stepper.advance(u, t, until, ro.all);
    return !(t < until);
  };
  auto restart = [&] {
    model.set_occluded(pr.occluded_at(t));
    stepper.set_dt(sc.numerics.dt_initial);
  };
  for (std::size_t s = s0; s < pr.sessions.size() && res.info.completed; ++s) {
    const double ts = pr.sessions[s].time;
    if (!apps.run_until(ts, false, model, u, advance_to, restart) || !advance_to(ts) ||
        (opt.checkpoint && s > s0 &&
         !opt.checkpoint(detail::make_checkpoint(s, t, u, rec, mark, res, model, stepper.stats(), pr)))) {
      res.info.completed = false;
      break;
    }
    governor.update();             // the injury stage runs parallel regions too
    apps.begin_gliding(t, model, u);  // a gliding serum is on when the channels open
    const InjuryField inj = detail::session_injury_of(sc, s, grid, opt);
    model.apply_injury(u, inj, bleed);
    restart();
    rec.record(t, u);
    mark.push_back(rec.series.size() - 1);
    res.sessions.push_back(detail::session_row(sc, s, inj, grid));
  }
  if (res.info.completed && (!apps.run_until(t_end, true, model, u, advance_to, restart) || !advance_to(t_end)))
    res.info.completed = false;
  const int pt = std::clamp(sc.skin.phototype, 1, 6);
  detail::session_outcomes(res.sessions, rec, mark, params, pt, sc.skin.layers[int(Layer::stratum_corneum)].thickness);
  detail::timeline_rows(res, rec, pr.last_session());
  detail::outcome_series(res, rec, model, params, pt);
  res.applications = application_rows(res, pr);
  detail::finish_info(res.info, stepper.stats(), wall0);
  return res;
}

}  // namespace dermasim
