// dermasim/healing/protocol.hpp — treatment protocols: sessions at given times + follow-up.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/units.hpp"
#include "dermasim/device/device.hpp"
#include "dermasim/healing/injury_source.hpp"
#include "dermasim/skin/layers.hpp"

namespace dermasim::healing {

/// One treatment session.
struct Session {
  double time = 0.0;            ///< s after the start of the run
  Device device = clinical_pen(1.5e-3);  ///< device, depth setting and passes of this session
  std::uint64_t pattern_seed = 0;  ///< 0: derive from the scenario seed and the session index
  bool occluded = false;        ///< occlusive dressing / product after the session
};

/// Sessions in time order plus the follow-up after the last one.
struct Protocol {
  std::vector<Session> sessions;
  double follow_up = 6 * units::month;  ///< s after the last session

  /// n sessions `interval` apart starting at t = 0.
  static Protocol regular(const Device& dev, int n, double interval, double follow_up) {
    require_count("protocol.sessions", n, 0, 1000);
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

  void validate() const {
    require_nonnegative("protocol.follow_up", follow_up, "s");
    for (std::size_t i = 0; i < sessions.size(); ++i) {
      const std::string p = "protocol.sessions[" + std::to_string(i) + "]";
      require_nonnegative(p + ".time", sessions[i].time, "s");
      if (i > 0 && !(sessions[i].time > sessions[i - 1].time))
        throw invalid_argument(p + ".time = " + detail::fmt(sessions[i].time) +
                               " s must be later than the previous session (" +
                               detail::fmt(sessions[i - 1].time) + " s)");
      sessions[i].device.validate();
    }
    if (end_time() > 20 * units::year)
      throw invalid_argument("protocol end time = " + detail::fmt(end_time() / units::year) +
                             " years is out of range; valid range is [0, 20] years");
  }
};

}  // namespace dermasim::healing
