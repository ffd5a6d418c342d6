// dermasim/healing/protocol.hpp — treatment protocols: sessions at given times + follow-up.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/units.hpp"
#include "dermasim/device/device.hpp"
#include "dermasim/healing/injury_source.hpp"
#include "dermasim/injury/rasterise.hpp"
#include "dermasim/mechanics/penetration.hpp"
#include "dermasim/skin/layers.hpp"
#include "dermasim/treatment/course.hpp"
#include "dermasim/treatment/topical.hpp"

namespace dermasim::healing {

/// One treatment session.
struct Session {
  double time = 0.0;            ///< s after the start of the run
  Device device = clinical_pen(1.5e-3);  ///< device, depth setting and passes of this session
  std::uint64_t pattern_seed = 0;  ///< 0: derive from the scenario seed and the session index
  bool occluded = false;        ///< occlusive dressing / product after the session
  /// This session's insertion-mechanics and rasterisation parameters; unset: the scenario's
  /// (Scenario::penetration, Scenario::raster). A course's Needling with overrides sets them.
  std::optional<PenetrationParams> penetration;
  std::optional<RasterParams> raster;

  /// The fields of a needling entry besides its device (the Python `Needling` type is built
  /// from them).
  static const std::vector<treatment::CourseField>& fields() {
    static const std::vector<treatment::CourseField> f = {
        {"time", "time", 0.0, 20 * units::year, "when, from the start of the run", ""},
        {"occluded", "bool", 0, 1, "occlusive dressing / product after the session", ""},
        {"pattern_seed", "int", 0, 9223372036854774784.0,  // the largest double below 2^63
         "0: from the scenario seed and the session index", ""},
    };
    return f;
  }
};

/// The treatment course: needling sessions in time order, the follow-up after the last one, and
/// topical applications (procedures that last; treatment/topical.hpp) in time order.
struct Protocol {
  std::vector<Session> sessions;
  double follow_up = 6 * units::month;  ///< s after the last session
  std::vector<treatment::Topical> applications;

  /// The parameters of a regular course (Protocol::regular and the Python `Protocol` type):
  /// name, kind, valid range (SI), default (SI) and doc — the one declaration both read.
  struct Field {
    const char* name;
    const char* kind;  ///< "int", "time", "bool"
    double lo, hi, value;
    const char* doc;
  };
  static const std::vector<Field>& fields() {
    static const std::vector<Field> f = {
        {"sessions", "int", 0, 1000, 4, "number of sessions (0: none, or the course's Needling entries)"},
        {"interval", "time", units::hour, 10 * units::year, 4 * units::week, "time between sessions"},
        {"follow_up", "time", 0.0, 20 * units::year, 6 * units::month, "simulated time after the last session"},
        {"occluded", "bool", 0, 1, 0, "occlusive dressing / product after each session"},
        {"start", "time", 0.0, 10 * units::year, 0.0, "time of the first session (room for a topical application before it)"},
    };
    return f;
  }
  static const Field& field(const std::string& n) {
    for (const auto& f : fields())
      if (n == f.name) return f;
    throw invalid_argument("protocol: no field '" + n + "'");
  }

  /// n sessions `interval` apart starting at t = 0.
  static Protocol regular(const Device& dev, int n, double interval, double follow_up) {
    require_count("protocol.sessions", n, int(field("sessions").lo), int(field("sessions").hi));
    require_positive("protocol.interval", interval, "s");
    Protocol p;
    for (int i = 0; i < n; ++i) {
      Session s;
      s.time = i * interval;
      s.device = dev;
      p.sessions.push_back(s);
    }
    p.follow_up = follow_up;
    return p;
  }
  double last_session() const { return sessions.empty() ? 0.0 : sessions.back().time; }
  double end_time() const { return last_session() + follow_up; }
  /// Whether the channels close at the occluded rate at time t: the last session's dressing, or
  /// an occluded application on at t.
  bool occluded_at(double t) const {
    bool o = false;
    for (const auto& s : sessions)
      if (s.time <= t) o = s.occluded;
    for (const auto& a : applications)
      if (a.occluded && a.time <= t && t < a.end()) o = true;
    return o;
  }

  void validate() const {
    require_nonnegative("protocol.follow_up", follow_up, "s");
    for (std::size_t i = 0; i < sessions.size(); ++i) {
      const std::string p = "protocol.sessions[" + std::to_string(i) + "]";
      const auto& tf = treatment::course_field(Session::fields(), "time", "needling");
      require_range(p + ".time", sessions[i].time, tf.lo, tf.hi, "s");
      if (i > 0 && !(sessions[i].time > sessions[i - 1].time))
        throw invalid_argument(p + ".time = " + detail::fmt(sessions[i].time) +
                               " s must be later than the previous session (" +
                               detail::fmt(sessions[i - 1].time) + " s)");
      sessions[i].device.validate();
      if (sessions[i].penetration) sessions[i].penetration->validate();
      if (sessions[i].raster) sessions[i].raster->validate();
    }
    for (std::size_t i = 0; i < applications.size(); ++i) {
      const auto& a = applications[i];
      const std::string p = treatment::application_name(a, i), note = treatment::application_note(a);
      a.validate(p, note);
      if (a.end() > end_time() * (1 + 1e-12))
        throw invalid_argument(p + note + " ends at " + detail::fmt(a.end() / units::day) +
                               " d, after the end of the run (" + detail::fmt(end_time() / units::day) +
                               " d); lengthen the follow-up or shorten the application");
      if (i > 0 && a.time < applications[i - 1].end())
        throw invalid_argument(p + ".time" + note + " = " + detail::fmt(a.time) +
                               " s: applications must be in time order and not overlap (the previous one, " +
                               treatment::application_name(applications[i - 1], i - 1) +
                               treatment::application_note(applications[i - 1]) + ", ends at " +
                               detail::fmt(applications[i - 1].end()) + " s)");
    }
    if (end_time() > 20 * units::year)
      throw invalid_argument("protocol end time = " + detail::fmt(end_time() / units::year) +
                             " years is out of range; valid range is [0, 20] years");
  }
};

}  // namespace dermasim::healing
