// dermasim/simulate.hpp — run a Scenario: sessions, healing, outcomes (a plain value API).
//
//   Result r = dermasim::simulate(scenario);            // default synthetic injury source
//   std::cout << dermasim::summary_table(r);
//
// The injury of each session comes from an InjurySource (grid, session) → InjuryField. The
// default is the device → puncture → penetration → raster pipeline (injury/session.hpp,
// session_injury); any other source plugs in through SimulateOptions::injury. Fields finer than the healing grid laterally (same z
// faces) are averaged over x, y (the 1D column and the 2D slice use laterally averaged injury).
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "dermasim/core/hash.hpp"
#include "dermasim/core/observer.hpp"
#include "dermasim/core/parallel.hpp"
#include "dermasim/healing/injury_source.hpp"
#include "dermasim/injury/session.hpp"
#include "dermasim/healing/model.hpp"
#include "dermasim/numerics/stepper.hpp"
#include "dermasim/outcomes/metrics.hpp"
#include "dermasim/resources.hpp"
#include "dermasim/scenario.hpp"

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

/// A run stopped at the start of a session (just before its injury): everything needed to
/// continue it with a result bitwise identical to an uninterrupted run (the step size restarts
/// at every session, so no controller state is lost). `serialize`/`deserialize` turn it into a
/// checksummed byte string for files (same build and machine kind; not a portable format).
struct Checkpoint {
  std::size_t next_session = 0;  ///< index of the session about to be applied
  double time = 0;               ///< s, = that session's time
  FieldSet state;
  std::vector<double> outcome_times;
  std::vector<outcomes::Metrics> outcome_series;
  std::vector<double> outcome_extra;  ///< module observables, flat (OutcomeRecorder::extra)
  std::vector<std::string> units;     ///< of the state's species (names: state.names())
  std::vector<std::string> observables;  ///< the modules' observable names
  std::vector<std::size_t> marks;
  std::vector<SessionSummary> sessions;
  std::vector<Snapshot> snapshots;
  StepStats stats;
};

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
constexpr std::uint64_t kCheckpointMagic = 0x31544b43534d4453ULL;  // "DSMSCKT1"
constexpr std::uint64_t kCheckpointVersion = 2;  // 2: species, units and outcome names stored
struct Writer {
  std::string b;
  template <class T> void pod(const T& x) { b.append(reinterpret_cast<const char*>(&x), sizeof(T)); }
  template <class T> void vec(const std::vector<T>& v) {
    pod(std::uint64_t(v.size()));
    if (!v.empty()) b.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  void strings(const std::vector<std::string>& v) {
    pod(std::uint64_t(v.size()));
    for (const auto& x : v) {
      pod(std::uint64_t(x.size()));
      b.append(x);
    }
  }
  void fields(const FieldSet& f) {
    pod(std::uint64_t(f.species()));
    pod(std::uint64_t(f.cells()));
    for (std::size_t s = 0; s < f.species(); ++s)
      b.append(reinterpret_cast<const char*>(f.data(s)), f.cells() * sizeof(double));
  }
};
struct Reader {
  const std::string& b;
  std::size_t pos = 0;
  void need(std::size_t n) const {
    if (n > b.size() - pos)
      throw io_error("checkpoint: truncated data (needs " + std::to_string(n) + " more bytes at offset " +
                     std::to_string(pos) + " of " + std::to_string(b.size()) + ")");
  }
  template <class T> T pod() {
    need(sizeof(T));
    T x;
    std::memcpy(&x, b.data() + pos, sizeof(T));
    pos += sizeof(T);
    return x;
  }
  std::vector<std::string> strings() {
    const auto n = pod<std::uint64_t>();
    if (n > (b.size() - pos) / 8) throw io_error("checkpoint: truncated data (a list of " + std::to_string(n) + " names)");
    std::vector<std::string> v;
    for (std::uint64_t i = 0; i < n; ++i) {
      const auto len = pod<std::uint64_t>();
      need(len);
      v.emplace_back(b.data() + pos, len);
      pos += len;
    }
    return v;
  }
  template <class T> std::vector<T> vec() {
    const auto n = pod<std::uint64_t>();
    if (n > (b.size() - pos) / sizeof(T))
      throw io_error("checkpoint: truncated data (a list of " + std::to_string(n) + " records at offset " +
                     std::to_string(pos) + " of " + std::to_string(b.size()) + ")");
    std::vector<T> v(n);
    if (n) std::memcpy(v.data(), b.data() + pos, n * sizeof(T));
    pos += n * sizeof(T);
    return v;
  }
  void fields(FieldSet& f) {
    const auto ns = pod<std::uint64_t>(), nc = pod<std::uint64_t>();
    if (ns != f.species() || nc != f.cells())
      throw io_error("checkpoint: field shape " + std::to_string(ns) + " species x " + std::to_string(nc) +
                     " cells does not match this scenario's " + std::to_string(f.species()) + " x " +
                     std::to_string(f.cells()) + " (a different grid or model)");
    for (std::size_t s = 0; s < f.species(); ++s) {
      need(nc * sizeof(double));
      std::memcpy(f.data(s), b.data() + pos, nc * sizeof(double));
      pos += nc * sizeof(double);
    }
  }
};
/// A checkpoint's list of names against this build's: an io_error naming the first difference.
inline void check_layout(const char* what, const std::vector<std::string>& file, const std::vector<std::string>& now) {
  if (file == now) return;
  std::string d;
  for (std::size_t i = 0; i < std::max(file.size(), now.size()) && d.empty(); ++i) {
    const std::string a = i < file.size() ? "'" + file[i] + "'" : "nothing", b = i < now.size() ? "'" + now[i] + "'" : "nothing";
    if (a != b) d = "entry " + std::to_string(i) + " is " + a + " in the file, " + b + " in this scenario";
  }
  throw io_error(std::string("checkpoint: another layout of ") + what + " (" + d + "; " + std::to_string(file.size()) +
                 " in the file, " + std::to_string(now.size()) + " here): written by another model version or "
                 "module set; re-run from the start");
}
}  // namespace detail

/// Why `c` cannot continue a run of protocol `pr` on a state of `species` × `cells`, or "" if
/// it can (used by deserialize_checkpoint for files and by simulate for any Checkpoint).
inline std::string checkpoint_mismatch(const Checkpoint& c, const healing::Protocol& pr, std::size_t species,
                                       std::size_t cells) {
  if (c.state.species() != species || c.state.cells() != cells)
    return "its state is " + std::to_string(c.state.species()) + " species x " + std::to_string(c.state.cells()) +
           " cells, this scenario's " + std::to_string(species) + " x " + std::to_string(cells);
  const auto& ss = pr.sessions;
  if (c.next_session == 0 || c.next_session >= ss.size() || c.time != ss[c.next_session].time ||
      c.sessions.size() != c.next_session || c.marks.size() != c.next_session ||
      c.outcome_times.size() != c.outcome_series.size() || c.outcome_times.empty() ||
      c.outcome_extra.size() != c.outcome_series.size() * c.observables.size())
    return "it does not belong to this scenario's protocol (session " + std::to_string(c.next_session) +
           " at t = " + detail::fmt(c.time) + " s)";
  return "";
}

/// Bytes of a checkpoint: magic, version, type sizes, payload, FNV-1a checksum of the payload.
inline std::string serialize(const Checkpoint& c) {
  static_assert(std::is_trivially_copyable_v<outcomes::Metrics> && std::is_trivially_copyable_v<SessionSummary> &&
                std::is_trivially_copyable_v<StepStats>);
  detail::Writer w;
  w.pod(std::uint64_t(c.next_session));
  w.pod(c.time);
  w.fields(c.state);
  w.vec(c.outcome_times);
  w.vec(c.outcome_series);
  w.vec(c.outcome_extra);
  w.vec(c.marks);
  w.vec(c.sessions);
  w.pod(std::uint64_t(c.snapshots.size()));
  for (const auto& sn : c.snapshots) {
    w.pod(sn.time);
    w.fields(sn.fields);
  }
  w.pod(c.stats);
  detail::Writer h;
  h.pod(detail::kCheckpointMagic);
  h.pod(detail::kCheckpointVersion);
  h.strings(c.state.names());
  h.strings(c.units);
  h.strings(outcomes::Metrics::names());
  h.strings(c.observables);
  h.pod(std::uint64_t(sizeof(outcomes::Metrics)));
  h.pod(std::uint64_t(sizeof(SessionSummary)));
  h.pod(std::uint64_t(w.b.size()));
  h.pod(fnv1a(w.b.data(), w.b.size()));
  return h.b + w.b;
}

/// Inverse of serialize for a run of `sc`; a corrupt, truncated or foreign byte string, or one
/// from a different grid or model, is an io_error (Python: FileFormatError) naming what is wrong.
inline Checkpoint deserialize_checkpoint(const std::string& bytes, const Scenario& sc) {
  detail::Reader r{bytes};
  if (bytes.size() < 48 || r.pod<std::uint64_t>() != detail::kCheckpointMagic)
    throw io_error("checkpoint: not a dermasim checkpoint (bad magic)");
  const auto ver = r.pod<std::uint64_t>();
  if (ver != detail::kCheckpointVersion)
    throw io_error("checkpoint: format version " + std::to_string(ver) + ", this build reads " +
                   std::to_string(detail::kCheckpointVersion));
  const auto [names, units] = sc.species_layout();
  detail::check_layout("species", r.strings(), names);
  detail::check_layout("species units", r.strings(), units);
  detail::check_layout("outcomes", r.strings(), outcomes::Metrics::names());
  const auto observables = sc.module_observables();
  detail::check_layout("module outcomes", r.strings(), observables);
  if (r.pod<std::uint64_t>() != sizeof(outcomes::Metrics) || r.pod<std::uint64_t>() != sizeof(SessionSummary))
    throw io_error("checkpoint: written by a build with different outcome records; re-run from the start");
  const auto n = r.pod<std::uint64_t>();
  const auto sum = r.pod<std::uint64_t>();
  if (n != bytes.size() - r.pos) throw io_error("checkpoint: truncated or padded payload");
  if (fnv1a(bytes.data() + r.pos, n) != sum) throw io_error("checkpoint: checksum mismatch (corrupt file)");
  const Grid grid = sc.numerics.grid(sc.skin);
  Checkpoint c;
  c.next_session = std::size_t(r.pod<std::uint64_t>());
  c.time = r.pod<double>();
  c.state = FieldSet(grid, names);
  c.units = units;
  c.observables = observables;
  r.fields(c.state);
  c.outcome_times = r.vec<double>();
  c.outcome_series = r.vec<outcomes::Metrics>();
  c.outcome_extra = r.vec<double>();
  c.marks = r.vec<std::size_t>();
  c.sessions = r.vec<SessionSummary>();
  const auto nsn = r.pod<std::uint64_t>();
  for (std::uint64_t i = 0; i < nsn; ++i) {
    Snapshot sn;
    sn.time = r.pod<double>();
    sn.fields = FieldSet(grid, names);
    r.fields(sn.fields);
    c.snapshots.push_back(std::move(sn));
  }
  c.stats = r.pod<StepStats>();
  if (r.pos != bytes.size()) throw io_error("checkpoint: trailing bytes");
  const std::string why = checkpoint_mismatch(c, sc.protocol, c.state.species(), c.state.cells());
  if (!why.empty()) throw io_error("checkpoint: " + why);
  return c;
}

namespace detail {
inline std::vector<double> observation_times(const healing::Protocol& pr) {
  std::vector<double> t;
  const double h = units::hour, d = units::day, end = pr.end_time();
  for (std::size_t s = 0; s < pr.sessions.size(); ++s) {
    const double ts = pr.sessions[s].time;
    const double next = s + 1 < pr.sessions.size() ? pr.sessions[s + 1].time : end;
    for (double x = 5 * units::minute; x < 2 * h; x += 5 * units::minute) t.push_back(ts + x);
    for (double x = 2 * h; x < 12 * h; x += 0.25 * h) t.push_back(ts + x);
    for (double x = 12 * h; x <= 96 * h; x += 1 * h) t.push_back(ts + x);
    for (double x = 102 * h; x <= 14 * d; x += 6 * h) t.push_back(ts + x);
    for (double x = 15 * d; ts + x < next; x += 1 * d) t.push_back(ts + x);
    (void)next;
  }
  for (double x = d; x < end; x += d) t.push_back(x);
  const double last = pr.last_session();
  for (double m : {1.0, 2.0, 3.0, 6.0, 12.0}) t.push_back(last + m * units::month);
  t.push_back(last + 8 * units::week);
  t.push_back(end);
  std::vector<double> out;
  std::sort(t.begin(), t.end());
  for (double x : t)
    if (x > 0 && x <= end * (1 + 1e-12) && (out.empty() || x > out.back() + 1.0)) out.push_back(x);
  return out;
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
  CallbackObserver govern(Schedule::wall(0.05), [&](double, const FieldSet&, const StepStats&) {
    governor.update();
    return true;
  });
  healing::HealingModel model(grid, sc.skin, params, healing::parse_scheme(sc.numerics.scheme), sc.make_modules(),
                              sc.module_parameters);
  FieldSet u = model.initial_state();

  Result res;
  res.grid = grid;
  res.species = u.names();
  res.species_units = model.species_units();
  for (const auto& o : model.module_observables()) res.module_outcome_units[o.name] = o.unit;
  res.info.dimension = sc.numerics.dimension;
  res.info.cells = grid.size();
  res.info.threads = max_threads();
  res.info.warnings = sc.patient.warnings();
  res.info.injury_source = opt.injury ? opt.injury_name : "session_injury";

  const auto& pr = sc.protocol;
  const double t_end = pr.end_time();
  outcomes::OutcomeRecorder rec(model, Schedule::at(detail::observation_times(pr)));
  // the outcome series is sampled from the dense output: its ~200 times per session do not
  // cut the steps (snapshots and user observers still land exactly)
  rec.set_interpolated(true);
  std::vector<Observer*> obs{&rec};
  for (auto* o : observers) obs.push_back(o);
  CallbackObserver snap(Schedule::at(opt.snapshot_times),
                        [&](double t, const FieldSet& f, const StepStats&) {
                          res.snapshots.push_back({t, f});
                          return true;
                        });
  if (!opt.snapshot_times.empty()) obs.push_back(&snap);
  CallbackObserver prog(Schedule::fixed(units::day), [&](double t, const FieldSet&, const StepStats&) {
    return opt.progress(t, t_end);
  });
  prog.set_at_step_end(true);  // about daily, at step ends: cuts no steps, copies nothing
  if (opt.progress) obs.push_back(&prog);
  if (governor.enabled()) obs.push_back(&govern);  // at step ends, every 0.05 s of wall-clock time

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
  TimeStepper stepper([&](FieldSet& f, double t0, double dt) {
                        model.set_time(t0);
                        model.step(f, dt);
                      },
                      model.controller_order(), so);

  const double bleed = sc.patient.anticoagulants ? params.anticoagulant_bleeding_factor : 1.0;
  std::vector<std::size_t> mark;  // recorder index at each session (after the injury)
  double t = 0.0;
  std::size_t s0 = 0;
  if (opt.resume) {
    const Checkpoint& c = *opt.resume;
    const std::string why = checkpoint_mismatch(c, pr, u.species(), u.cells());
    if (!why.empty()) throw invalid_argument("simulate: cannot resume from the checkpoint: " + why);
    for (std::size_t sp = 0; sp < u.species(); ++sp) std::copy(c.state[sp].begin(), c.state[sp].end(), u[sp].begin());
    rec.times = c.outcome_times;
    rec.series = c.outcome_series;
    rec.extra = c.outcome_extra;
    mark = c.marks;
    res.sessions = c.sessions;
    res.snapshots = c.snapshots;
    stepper.set_stats(c.stats);
    t = c.time;
    s0 = c.next_session;
  } else {
    rec.record(0.0, u);
    // observers scheduled at t = 0 (snapshots, storage, progress) see the baseline state; the
    // stepper only fires observers at times after its start
    for (auto* o : obs)
      if (o != &rec && o->schedule().includes(0.0) && !o->observe(0.0, u, stepper.stats()))
        res.info.completed = false;
  }
  for (std::size_t s = s0; s < pr.sessions.size() && res.info.completed; ++s) {
    const auto& ses = pr.sessions[s];
    if (ses.time > t) {
      t = stepper.advance(u, t, ses.time, obs);
      if (t < ses.time) {
        res.info.completed = false;
        break;
      }
    }
    if (opt.checkpoint && s > s0) {
      Checkpoint c{s, t, u, rec.times, rec.series, rec.extra, model.species_units(), {}, mark, res.sessions,
                   res.snapshots, stepper.stats()};
      for (const auto& o : model.module_observables()) c.observables.push_back(o.name);
      if (!opt.checkpoint(c)) {
        res.info.completed = false;
        break;
      }
    }
    governor.update();  // the injury stage runs parallel regions too
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
      inj = session_injury(sc.skin, ses.device, raster, seed, s, sc.penetration);
    }
    if (inj.grid.nx() != grid.nx() || inj.grid.ny() != grid.ny()) inj = healing::lateral_average(inj, grid);
    model.apply_injury(u, inj, bleed);
    model.set_occluded(ses.occluded);
    stepper.set_dt(sc.numerics.dt_initial);
    rec.record(t, u);
    mark.push_back(rec.series.size() - 1);
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
    res.sessions.push_back(row);
  }
  if (res.info.completed && t < t_end) {
    t = stepper.advance(u, t, t_end, obs);
    if (t < t_end) res.info.completed = false;
  }
  // ---- per-session outcomes from the recorded series ---------------------------------------
  const auto& T = rec.times;
  const auto& M = rec.series;
  const int pt = std::clamp(sc.skin.phototype, 1, 6);
  double c_prev = 0.0;
  for (std::size_t s = 0; s < res.sessions.size(); ++s) {
    auto& row = res.sessions[s];
    const std::size_t i0 = mark[s];
    const std::size_t i1 = s + 1 < mark.size() ? mark[s + 1] - 1 : M.size() - 1;  // before next injury
    const double ts = row.time;
    const double open0 = M[i0].open_fraction, epi0 = M[i0].epidermal_damage;
    std::size_t ipk = i0;
    for (std::size_t i = i0; i <= i1; ++i)
      if (M[i].erythema > M[ipk].erythema) ipk = i;
    row.erythema_peak = M[ipk].erythema;
    for (std::size_t i = ipk; i <= i1; ++i)
      if (M[i].erythema < params.erythema_threshold) {  // crossing: linear between records
        const double e0 = i > ipk ? M[i - 1].erythema : M[i].erythema, e1 = M[i].erythema;
        const double w = i > ipk && e0 > e1 ? (e0 - params.erythema_threshold) / (e0 - e1) : 1.0;
        row.erythema_resolved_after = (i > ipk ? T[i - 1] + w * (T[i] - T[i - 1]) : T[i]) - ts;
        break;
      }
    if (row.erythema_peak < params.erythema_threshold) row.erythema_resolved_after = 0.0;
    for (std::size_t i = i0; i <= i1; ++i)
      if (open0 <= 0 || M[i].open_fraction <= params.closed_threshold * open0) {
        row.channels_closed_after = T[i] - ts;
        break;
      }
    for (std::size_t i = i0; i <= i1; ++i)
      if (epi0 <= 0 || M[i].epidermal_damage <= 0.1 * epi0) {
        row.epidermis_recovered_after = T[i] - ts;
        break;
      }
    row.pih_risk = params.phototype_factor[pt - 1] * (M[i1].pih_dose - M[i0].pih_dose) / units::day;
    row.downtime = std::isfinite(row.erythema_resolved_after) ? row.erythema_resolved_after : T[i1] - ts;
    const double c_before = s == 0 ? 0.0 : c_prev;
    row.collagen_PD_cumulative = M[i1].collagen_PD;
    row.collagen_PD_gain = M[i1].collagen_PD - c_before;
    c_prev = M[i1].collagen_PD;
  }
  // ---- timeline rows ------------------------------------------------------------------------
  const double last = pr.last_session();
  auto row_at = [&](const std::string& label, double tt) {
    for (std::size_t i = 0; i < T.size(); ++i)
      if (std::fabs(T[i] - tt) <= 1.0) {
        res.timeline.push_back({label, T[i], M[i]});
        return;
      }
  };
  row_at("1 month", last + units::month);
  row_at("8 weeks", last + 8 * units::week);
  row_at("3 months", last + 3 * units::month);
  row_at("6 months", last + 6 * units::month);
  row_at("12 months", last + 12 * units::month);
  // ---- series ---------------------------------------------------------------------------------
  res.times = T;
  const auto names = outcomes::Metrics::names();
  for (const auto& n : names) res.series[n].reserve(T.size());
  for (const auto& m : M) {
    const auto v = m.values();
    for (std::size_t k = 0; k < names.size(); ++k) res.series[names[k]].push_back(v[k]);
  }
  const auto& obs_names = model.module_observables();
  for (std::size_t j = 0; j < obs_names.size(); ++j) {
    auto& v = res.series[obs_names[j].name];
    v.resize(T.size());
    for (std::size_t i = 0; i < T.size(); ++i) v[i] = rec.extra[i * obs_names.size() + j];
  }
  std::vector<double> pih(T.size());
  for (std::size_t i = 0; i < T.size(); ++i)
    pih[i] = params.phototype_factor[pt - 1] * M[i].pih_dose / units::day;
  res.series["pih_risk"] = pih;
  const auto& st = stepper.stats();
  res.info.accepted_steps = st.accepted;
  res.info.rejected_steps = st.rejected;
  res.info.dt_min = st.accepted ? st.dt_min : 0.0;
  res.info.dt_max = st.dt_max;
  res.info.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return res;
}

/// The per-session and timeline tables as text.
inline std::string summary_table(const Result& r) {
  std::ostringstream o;
  char buf[256];
  bool not_reached = false;
  auto hours = [&](double s) {
    if (!std::isfinite(s)) {  // NaN: not reached within the run (or before the next session)
      not_reached = true;
      return std::string(" n.r.");
    }
    std::snprintf(buf, sizeof buf, "%5.1f", s / units::hour);
    return std::string(buf);
  };
  o << "Per session\n";
  o << " #  day   needle  real depth  channels/cm2  bleeding/cm2  erythema resolved  channels closed  epidermis  PIH risk  PD collagen gain\n";
  o << "    (d)    (mm)      (um)                                     after (h)          after (h)      (h)                  (session / cum., %)\n";
  for (const auto& s : r.sessions) {
    std::snprintf(buf, sizeof buf, "%2d %5.0f %7.2f %10.0f %13.0f %13.0f", s.index,
                  s.time / units::day, s.needle_length / units::mm, s.real_depth / units::um,
                  s.channels_per_cm2, s.bleeding_points_per_cm2);
    o << buf << "  " << std::string(11, ' ') << hours(s.erythema_resolved_after) << "  "
      << std::string(10, ' ') << hours(s.channels_closed_after) << "  "
      << std::string(3, ' ') << hours(s.epidermis_recovered_after);
    std::snprintf(buf, sizeof buf, "  %8.2f  %+7.1f / %+6.1f\n", s.pih_risk,
                  100 * s.collagen_PD_gain, 100 * s.collagen_PD_cumulative);
    o << buf;
  }
  if (not_reached) o << "n.r.: not reached within the run (or before the next session)\n";
  o << "\nAfter the last session (change vs baseline, %)\n";
  o << " time        PD col I  PD col III  PD total  PD elastin   RD col I  RD col III  RD total  RD elastin  VE thick.\n";
  for (const auto& t : r.timeline) {
    const auto& m = t.metrics;
    std::snprintf(buf, sizeof buf,
                  " %-10s %+9.1f %+11.1f %+9.1f %+11.1f %+10.1f %+11.1f %+9.1f %+11.1f %+10.1f\n",
                  t.label.c_str(), 100 * m.collagen_I_PD, 100 * m.collagen_III_PD,
                  100 * m.collagen_PD, 100 * m.elastin_PD, 100 * m.collagen_I_RD,
                  100 * m.collagen_III_RD, 100 * m.collagen_RD, 100 * m.elastin_RD,
                  100 * m.epidermal_thickness);
    o << buf;
  }
  std::snprintf(buf, sizeof buf,
                "\nrun: %dD, %zu cells, %ld steps accepted, %ld rejected, %.3f s wall, %d thread(s)\n",
                r.info.dimension, r.info.cells, r.info.accepted_steps, r.info.rejected_steps,
                r.info.wall_seconds, r.info.threads);
  o << buf;
  for (const auto& w : r.info.warnings) o << "warning: " << w << "\n";
  return o.str();
}

}  // namespace dermasim
