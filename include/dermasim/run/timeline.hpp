// dermasim/run/timeline.hpp — the procedures of a course that last (topical applications): their
// begins and ends as stepper stops, in time order (docs/architecture.md, "A module with its own
// operator, and procedures that last").
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "dermasim/core/field.hpp"
#include "dermasim/healing/model.hpp"
#include "dermasim/healing/protocol.hpp"

namespace dermasim::detail {

/// A begin or end of a topical application (a stepper stop).
struct ApplicationEvent {
  double time;
  bool begin;
  std::size_t index;
};

/// The applications' begins and ends in time order, ends before begins at a shared time.
inline std::vector<ApplicationEvent> application_events(const healing::Protocol& pr) {
  std::vector<ApplicationEvent> ev;
  for (std::size_t i = 0; i < pr.applications.size(); ++i) {
    ev.push_back({pr.applications[i].time, true, i});
    ev.push_back({pr.applications[i].end(), false, i});
  }
  std::stable_sort(ev.begin(), ev.end(), [](const ApplicationEvent& a, const ApplicationEvent& b) {
    return a.time < b.time || (a.time == b.time && !a.begin && b.begin);
  });
  return ev;
}

/// The course's application events, consumed in order by the runner. At a session's time the
/// order is: ends, the checkpoint, a gliding serum's begin (before_needling), the injury, other
/// begins; a run resumed at t has done every event before t and the ends at t.
class ApplicationTimeline {
 public:
  ApplicationTimeline(const healing::Protocol& pr, double t, bool resumed) : pr_(&pr), ev_(application_events(pr)) {
    while (e_ < ev_.size() && (ev_[e_].time < t || (ev_[e_].time == t && !ev_[e_].begin && resumed))) ++e_;
  }
  /// Applies the events before `until` (and the ends at it; the begins at it too when
  /// `begins_at_until`), advancing to each with advance_to(time) (false: stopped) and calling
  /// restart() after each. Returns false if a stop came first.
  template <class Advance, class Restart>
  bool run_until(double until, bool begins_at_until, const healing::HealingModel& model, FieldSet& u,
                 Advance&& advance_to, Restart&& restart) {
    for (; e_ < ev_.size(); ++e_) {
      const auto& ev = ev_[e_];
      if (ev.time > until || (ev.time == until && ev.begin && !begins_at_until)) break;
      if (!advance_to(ev.time)) return false;
      if (ev.begin) model.begin_application(u, ev.index);
      else model.end_application(u, ev.index);
      restart();
    }
    return true;
  }
  /// Begins the application at time t that is on before the needles (a gliding serum), if any.
  void begin_gliding(double t, const healing::HealingModel& model, FieldSet& u) {
    for (; e_ < ev_.size() && ev_[e_].time == t && ev_[e_].begin; ++e_)
      if (pr_->applications[ev_[e_].index].before_needling) model.begin_application(u, ev_[e_].index);
      else break;
  }

 private:
  const healing::Protocol* pr_;
  std::vector<ApplicationEvent> ev_;
  std::size_t e_ = 0;
};

}  // namespace dermasim::detail
