// dermasim/run/checkpoint.hpp — a run stopped at a session, and its checksummed bytes: magic,
// version, the layout by name (species, their units, outcome, module-outcome and session-column
// names), payload (outcome and session rows value by value in their tables' order, not memcpy'd
// structs), FNV-1a checksum. A file of another layout is refused naming the first difference.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/hash.hpp"
#include "dermasim/numerics/stepper.hpp"
#include "dermasim/outcomes/metrics.hpp"
#include "dermasim/run/result.hpp"
#include "dermasim/scenario.hpp"

namespace dermasim {

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
  /// The course's topical applications, (time, duration, dose, occluded, before) each: a resumed
  /// run must have the same (application_fingerprint).
  std::vector<double> applications;
  /// The needling sessions as set up (session_fingerprint): a resumed run must have the same.
  std::vector<double> session_setup;
};

/// The needling sessions of a protocol as the checkpoint stores them: per session its time,
/// occlusion, pattern seed, device (kind, strike density, the loading: needle, drive, stroke,
/// speed, caps, support, neighbours, drum) and its own penetration / raster parameters (−1 when
/// it has none: the scenario's, which the scenario's layout check covers).
inline std::vector<double> session_fingerprint(const healing::Protocol& pr) {
  std::vector<double> f;
  for (const auto& s : pr.sessions) {
    const Loading L = s.device.loading();
    f.insert(f.end(), {s.time, s.occluded ? 1.0 : 0.0, double(s.pattern_seed >> 32), double(s.pattern_seed & 0xffffffffu),
                       double(int(s.device.kind())), s.device.strikes_per_area(), double(int(L.drive)), L.stroke,
                       L.speed, L.force_per_needle, L.energy_per_needle, L.support_radius, L.sweep_radius,
                       double(L.neighbours.size())});
    for (const auto& n : L.neighbours) f.insert(f.end(), {n[0], n[1]});
    for (const auto& nf : Needle::fields()) f.push_back(L.needle.*(nf.member));
    f.push_back(double(int(L.needle.shape)));
    f.push_back(s.penetration ? 1.0 : -1.0);
    if (s.penetration)
      for (const auto& n : PenetrationParams::names()) f.push_back(s.penetration->get(n));
    f.push_back(s.raster ? 1.0 : -1.0);
    if (s.raster)
      for (const auto& n : RasterParams::names()) f.push_back(s.raster->get(n));
  }
  return f;
}

/// The applications of a protocol as the checkpoint stores them.
inline std::vector<double> application_fingerprint(const healing::Protocol& pr) {
  std::vector<double> f;
  for (const auto& a : pr.applications)
    f.insert(f.end(), {a.time, a.duration, a.dose(), a.occluded ? 1.0 : 0.0, a.before_needling ? 1.0 : 0.0});
  return f;
}

namespace detail {
constexpr std::uint64_t kCheckpointMagic = 0x31544b43534d4453ULL;  // "DSMSCKT1"
constexpr std::uint64_t kCheckpointVersion = 5;  // 2: species, units and outcome names stored; 3: applications;
                                                 // 4: outcome and session rows by name (no record sizes);
                                                 // 5: the sessions' setup (session_fingerprint)
struct Writer {
  std::string b;
  template <class T> void pod(const T& x) { b.append(reinterpret_cast<const char*>(&x), sizeof(T)); }
  /// Rows of a record type with a field table, value by value in the table's order (the table's
  /// names are stored in the header, so the layout is checked by name, not by sizeof).
  void metrics(const std::vector<outcomes::Metrics>& v) {
    pod(std::uint64_t(v.size()));
    for (const auto& m : v)
      for (const auto& f : outcomes::Metrics::fields()) pod(m.*(f.member));
  }
  void sessions(const std::vector<SessionSummary>& v) {
    pod(std::uint64_t(v.size()));
    for (const auto& r : v)
      for (const auto& c : SessionSummary::columns()) pod(c.get(r));
  }
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
  std::vector<outcomes::Metrics> metrics() {
    const auto& f = outcomes::Metrics::fields();
    std::vector<outcomes::Metrics> v(rows(f.size()));
    for (auto& m : v)
      for (const auto& x : f) m.*(x.member) = pod<double>();
    return v;
  }
  std::vector<SessionSummary> sessions() {
    const auto& c = SessionSummary::columns();
    std::vector<SessionSummary> v(rows(c.size()));
    for (auto& r : v)
      for (const auto& x : c) x.set(r, pod<double>());
    return v;
  }
  /// The row count of a list of rows of `width` doubles, checked against the bytes left.
  std::size_t rows(std::size_t width) {
    const auto n = pod<std::uint64_t>();
    if (width && n > (b.size() - pos) / (width * sizeof(double)))
      throw io_error("checkpoint: truncated data (a list of " + std::to_string(n) + " rows at offset " +
                     std::to_string(pos) + " of " + std::to_string(b.size()) + ")");
    return std::size_t(n);
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
  if (c.session_setup != session_fingerprint(pr))
    return "it was written with other needling sessions (times, devices, seeds, occlusion or per-session "
           "parameters) than this scenario's";
  if (c.applications != application_fingerprint(pr))
    return "it was written with other topical applications (times, durations, doses or occlusion) than this "
           "scenario's course";
  return "";
}

/// The session table's column names (stored in the header; rows are stored by column).
inline std::vector<std::string> session_columns() {
  std::vector<std::string> n;
  for (const auto& c : SessionSummary::columns()) n.push_back(c.name);
  return n;
}

/// Bytes of a checkpoint: magic, version, the layout by name (species, units, outcome,
/// module-outcome and session-column names), payload, FNV-1a checksum of the payload.
inline std::string serialize(const Checkpoint& c) {
  static_assert(std::is_trivially_copyable_v<StepStats>);
  detail::Writer w;
  w.pod(std::uint64_t(c.next_session));
  w.pod(c.time);
  w.fields(c.state);
  w.vec(c.outcome_times);
  w.metrics(c.outcome_series);
  w.vec(c.outcome_extra);
  w.vec(c.marks);
  w.sessions(c.sessions);
  w.pod(std::uint64_t(c.snapshots.size()));
  for (const auto& sn : c.snapshots) {
    w.pod(sn.time);
    w.fields(sn.fields);
  }
  w.pod(c.stats);
  w.vec(c.applications);
  w.vec(c.session_setup);
  detail::Writer h;
  h.pod(detail::kCheckpointMagic);
  h.pod(detail::kCheckpointVersion);
  h.strings(c.state.names());
  h.strings(c.units);
  h.strings(outcomes::Metrics::names());
  h.strings(c.observables);
  h.strings(session_columns());
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
  detail::check_layout("session columns", r.strings(), session_columns());
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
  c.outcome_series = r.metrics();
  c.outcome_extra = r.vec<double>();
  c.marks = r.vec<std::size_t>();
  c.sessions = r.sessions();
  const auto nsn = r.pod<std::uint64_t>();
  for (std::uint64_t i = 0; i < nsn; ++i) {
    Snapshot sn;
    sn.time = r.pod<double>();
    sn.fields = FieldSet(grid, names);
    r.fields(sn.fields);
    c.snapshots.push_back(std::move(sn));
  }
  c.stats = r.pod<StepStats>();
  c.applications = r.vec<double>();
  c.session_setup = r.vec<double>();
  if (r.pos != bytes.size()) throw io_error("checkpoint: trailing bytes");
  const std::string why = checkpoint_mismatch(c, sc.protocol, c.state.species(), c.state.cells());
  if (!why.empty()) throw io_error("checkpoint: " + why);
  return c;
}

}  // namespace dermasim
