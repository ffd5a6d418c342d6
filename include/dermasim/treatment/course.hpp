// dermasim/treatment/course.hpp — entries of a treatment course as data (issue
// 12 item 3): a topical entry, placed at an absolute time or relative to a
// needling session (before it, during it as a gliding serum, or after it),
// possibly repeated; and the fields of a needling entry. Their field tables are
// the one declaration the Python `Topical` and `Needling` types are built from,
// and `TopicalEntry::expand` is the one placement of an entry's applications on
// the timeline.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/units.hpp"
#include "dermasim/treatment/topical.hpp"

namespace dermasim::treatment {

/// One field of a course entry.
struct CourseField {
  const char* name;
  const char* kind;  ///< a unit dimension (docs/guide.md: "time", "length",
                     ///< ...), or "int", "bool", "str"
  double lo,
      hi;  ///< valid range, SI (counts for "int"; unused for "bool", "str")
  const char* doc;
  std::string choices;  ///< "str": the valid values, '|'-separated
};

/// The field `n` of table `f` (an invalid_argument naming `what` if there is
/// none).
inline const CourseField& course_field(const std::vector<CourseField>& f, const std::string& n, const char* what) {
  for (const auto& x : f)
    if (n == x.name) return x;
  throw invalid_argument(std::string(what) + ": no field '" + n + "'");
}

/// A topical entry of the course: one application, or `repeat` of them `every`
/// apart.
struct TopicalEntry {
  std::string agent = "caffeine";        ///< an agent preset (agent_presets())
  double concentration = 10.0;           ///< kg/m³ in the vehicle (1 % w/v)
  double volume = 1e-4;                  ///< vehicle per skin area, m (10 µL/cm²)
  double duration = 30 * units::minute;  ///< s on the skin, then wiped off
  int session = 0;                       ///< 0: `time` is absolute; N: placed at needling session N (1-based)
  std::string when = "after";            ///< relative to the session: "before", "during", "after"
  double time = 0.0;                     ///< s: the start (absolute), or the delay after the session
  bool occluded = false;                 ///< occlusive vehicle or dressing
  int repeat = 1;                        ///< number of applications
  double every = units::day;             ///< s between repeats
  double kp_sc = 0.0;                    ///< SC permeability override, m/s (0: Potts–Guy)
  double K_sc = 0.0;                     ///< SC/water partition override (0: from log K_ow)

  static const std::vector<CourseField>& fields() {
    static const std::vector<CourseField> f = [] {
      std::string presets;
      for (const auto& a : agent_presets()) presets += (presets.empty() ? "" : "|") + a.name;
      return std::vector<CourseField>{
          {"agent", "str", 0, 0, "agent preset (dermasim.agents())", presets},
          {"concentration", "concentration", Topical::concentration_range[0], Topical::concentration_range[1],
           "in the vehicle; '15 %' is w/v (150 kg/m^3), or '169 ng/mL', '10 "
           "mg/mL'",
           ""},
          {"volume", "length", Topical::volume_range[0], Topical::volume_range[1],
           "vehicle per skin area (10 uL/cm^2: OECD 428 finite dose)", ""},
          {"duration", "time", Topical::duration_range[0], Topical::duration_range[1], "on the skin, then wiped off",
           ""},
          {"session", "int", 0, 1000, "0: 'time' is absolute; N: placed at needling session N (1-based)", ""},
          {"when", "str", 0, 0,
           "relative to the session: 'before' (ends at the needling), 'during' "
           "(on when the channels open), 'after'",
           "after|during|before"},
          {"time", "time", 0.0, 20 * units::year, "start (absolute), or the delay after the session", ""},
          {"occluded", "bool", 0, 1, "occlusive vehicle or dressing", ""},
          {"repeat", "int", 1, 10000, "number of applications", ""},
          {"every", "time", 60.0, 10 * units::year, "interval between repeats", ""},
          {"kp_sc", "speed", 0.0, 1e-3, "SC permeability override, m/s (0: Potts-Guy)", ""},
          {"K_sc", "dimensionless", 0.0, 1e9, "SC/water partition override (0: from log Kow)", ""},
      };
    }();
    return f;
  }
  static const CourseField& field(const std::string& n) { return course_field(fields(), n, "topical"); }

  /// Range and choice checks of every field; messages name "<where>.<field>".
  void validate(const std::string& where = "topical") const {
    auto num = [&](const char* n, double v, const char* unit) {
      const auto& f = field(n);
      require_range(where + "." + n, v, f.lo, f.hi, unit);
    };
    auto count = [&](const char* n, int v) {
      const auto& f = field(n);
      require_count(where + "." + n, v, (long long)(f.lo), (long long)(f.hi));
    };
    auto choice = [&](const char* n, const std::string& v) {
      const std::string c = field(n).choices;
      if (("|" + c + "|").find("|" + v + "|") == std::string::npos)
        throw invalid_argument(where + "." + n + " = '" + v + "' is not one of " + c);
    };
    choice("agent", agent);
    choice("when", when);
    num("concentration", concentration, "kg/m^3");
    num("volume", volume, "m");
    num("duration", duration, "s");
    num("time", time, "s");
    num("every", every, "s");
    num("kp_sc", kp_sc, "m/s");
    num("K_sc", K_sc, "");
    count("session", session);
    count("repeat", repeat);
  }

  /// The entry's applications in time order, placed on a course whose needling
  /// sessions are at `session_times` (s). Each is labelled for messages:
  /// `where`, with "(application k of n)" when repeated. Errors name `where`.
  std::vector<Topical> expand(const std::vector<double>& session_times, const std::string& where) const {
    validate(where);
    if (repeat > 1 && every < duration)
      throw invalid_argument(where + ".every = " + detail::fmt(every) + " s is shorter than its duration (" +
                             detail::fmt(duration) + " s): the repeats would overlap; valid range: [" +
                             detail::fmt(duration) + ", " + detail::fmt(field("every").hi) + "] s");
    double t0 = time;
    bool before = false;
    if (session > 0) {
      if (std::size_t(session) > session_times.size())
        throw invalid_argument(where + ".session = " + std::to_string(session) + ": the course has " +
                               std::to_string(session_times.size()) + " needling session(s); valid: 0 (absolute time)" +
                               (session_times.empty() ? std::string() : " or 1.." + std::to_string(session_times.size())));
      const double ts = session_times[std::size_t(session) - 1];
      if (when == "during" && time > 0)
        throw invalid_argument(where + ".time = " + detail::fmt(time) +
                               " s with when = 'during': a gliding serum is on "
                               "at the needling (time = 0); use "
                               "when = 'after' for a delay");
      if (when == "before" && repeat > 1)
        throw invalid_argument(where +
                               ".repeat > 1 with when = 'before': give the "
                               "earlier applications as entries "
                               "of their own (session = 0, absolute time)");
      if (when == "before") {
        t0 = ts - duration - time;
        if (t0 < 0)
          throw invalid_argument(where + ": applied for " + detail::fmt(duration / units::minute) + " min (duration) ending " +
                                 detail::fmt(time / units::minute) + " min (time) before session " +
                                 std::to_string(session) + " at " + detail::fmt(ts) +
                                 " s, it would start before the run (valid: duration + time <= the session's time)");
      } else {
        t0 = ts + time;
      }
      before = when == "during";
    }
    Agent a = agent_preset(agent);
    if (kp_sc > 0) a.kp_sc = kp_sc;
    if (K_sc > 0) a.K_sc = K_sc;
    std::vector<Topical> out;
    for (int i = 0; i < repeat; ++i) {
      Topical x;
      x.agent = a;
      x.time = t0 + i * every;
      x.duration = duration;
      x.concentration = concentration;
      x.volume = volume;
      x.occluded = occluded;
      x.before_needling = before && i == 0;
      x.origin = where;
      if (repeat > 1) x.note = "application " + std::to_string(i + 1) + " of " + std::to_string(repeat);
      out.push_back(x);
    }
    return out;
  }
};

}  // namespace dermasim::treatment
