// dermasim/core/observer.hpp — scheduled observers: the hook for outputs, metrics, progress and
// checkpoints. By default the time stepper lands exactly on every scheduled time and calls the
// observer there. An observer marked `interpolated` does not constrain the steps: it is called
// with the linear interpolant of the two accepted states around its time (dense output; exact
// at step ends, positive, error O(Δt² u'') like the local error of a second-order step). One
// marked `at_step_end` does not constrain the steps either and is called with the state at the
// end of the step that passes its time (progress, interrupt checks). An observer returning false
// stops the run cleanly (results so far are kept).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/field.hpp"

namespace dermasim {

/// When an observer fires. Times in seconds of simulated time.
class Schedule {
 public:
  /// Every `interval` seconds starting at `start`.
  static Schedule fixed(double interval, double start = 0.0) {
    require_positive("schedule.interval", interval, "s");
    require_nonnegative("schedule.start", start, "s");
    Schedule s;
    s.kind_ = Kind::fixed;
    s.a_ = interval;
    s.t0_ = start;
    return s;
  }
  /// At start, start + first, start + first·factor, ... (log-spaced; good for healing).
  static Schedule geometric(double first, double factor, double start = 0.0) {
    require_positive("schedule.first", first, "s");
    require_range("schedule.factor", factor, 1.0 + 1e-9, 1e6);
    require_nonnegative("schedule.start", start, "s");
    Schedule s;
    s.kind_ = Kind::geometric;
    s.a_ = first;
    s.b_ = factor;
    s.t0_ = start;
    return s;
  }
  /// At the given times.
  static Schedule at(std::vector<double> times) {
    for (double t : times) require_nonnegative("schedule.times[]", t, "s");
    std::sort(times.begin(), times.end());
    Schedule s;
    s.kind_ = Kind::list;
    s.list_ = std::move(times);
    return s;
  }
  static Schedule never() { return Schedule(); }
  /// Every `period` seconds of *wall-clock* time, checked at the end of every step (interrupt
  /// checks, run-time limits, progress): an observer with this schedule is called at the end of
  /// the first step that ends at least `period` after its previous call (or after the
  /// schedule was made), whatever the step size, so a run with microsecond steps is still
  /// checked every `period`, and one with day-long steps at every step. It never constrains
  /// the steps, so results do not depend on it.
  static Schedule wall(double period) {
    require_range("schedule.wall_period", period, 1e-6, 1e6, "s");
    Schedule s;
    s.kind_ = Kind::wall;
    s.a_ = period;
    s.last_ = std::chrono::steady_clock::now();
    return s;
  }
  bool is_wall() const { return kind_ == Kind::wall; }
  /// For a wall schedule: whether `period` has passed since the last time this returned true
  /// (then the clock restarts). One steady_clock read (~20 ns).
  bool wall_due() const {
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last_).count() < a_) return false;
    last_ = now;
    return true;
  }

  /// First scheduled time strictly greater than t (infinity if none).
  double next_after(double t) const {
    const double inf = std::numeric_limits<double>::infinity();
    switch (kind_) {
      case Kind::none:
      case Kind::wall:
        return inf;
      case Kind::fixed: {
        if (t < t0_) return t0_;
        double n = std::floor((t - t0_) / a_ + 1e-9) + 1.0;
        double v = t0_ + n * a_;
        if (v <= t * (1 + 1e-15)) v = t0_ + (n + 1) * a_;
        return v;
      }
      case Kind::geometric: {
        if (t < t0_) return t0_;
        double v = a_;
        while (t0_ + v <= t * (1 + 1e-15) && std::isfinite(v)) v *= b_;
        return t0_ + v;
      }
      case Kind::list: {
        auto it = std::upper_bound(list_.begin(), list_.end(), t);
        return it == list_.end() ? inf : *it;
      }
    }
    return inf;
  }
  /// Whether t itself is a scheduled time (used for the start of a run).
  bool includes(double t) const {
    switch (kind_) {
      case Kind::fixed:
      case Kind::geometric:
        return t == t0_ || (kind_ == Kind::fixed && t > t0_ &&
                            std::fabs(std::remainder(t - t0_, a_)) <= 1e-9 * a_);
      case Kind::list:
        return std::binary_search(list_.begin(), list_.end(), t);
      default:
        return false;
    }
  }

 private:
  enum class Kind { none, fixed, geometric, list, wall };
  Kind kind_ = Kind::none;
  double a_ = 0, b_ = 0, t0_ = 0;
  std::vector<double> list_;
  mutable std::chrono::steady_clock::time_point last_{};
};

/// Counters of a time integration (run info).
struct StepStats {
  long accepted = 0;
  long rejected = 0;
  double dt_last = 0.0;
  double dt_min = std::numeric_limits<double>::infinity();
  double dt_max = 0.0;
  double error_last = 0.0;
};

class Observer {
 public:
  /// An observer on a wall-clock schedule is always an at-step-end observer.
  explicit Observer(Schedule s = Schedule::never()) : schedule_(std::move(s)), at_step_end_(schedule_.is_wall()) {}
  virtual ~Observer() = default;
  const Schedule& schedule() const { return schedule_; }
  /// Called at scheduled times with the current state. Return false to stop the run.
  virtual bool observe(double t, const FieldSet& u, const StepStats& stats) = 0;
  /// Whether the stepper may pass this observer's times and interpolate (see above).
  bool interpolated() const { return interpolated_; }
  void set_interpolated(bool on) {
    if (on && schedule_.is_wall()) throw invalid_argument("observer: a wall-clock schedule cannot be interpolated");
    interpolated_ = on;
    if (on) at_step_end_ = false;
  }
  /// Whether the observer is called at the end of the first accepted step that reaches or
  /// passes each of its times, with the state and time there (t ≥ the scheduled time): the
  /// steps are not cut and nothing is interpolated. For progress reports and interrupt checks,
  /// which need to run regularly but not at exact times; the results do not depend on them.
  bool at_step_end() const { return at_step_end_; }
  void set_at_step_end(bool on) {
    at_step_end_ = on || schedule_.is_wall();
    if (on) interpolated_ = false;
  }
  /// Whether the stepper lands exactly on this observer's times (neither mode above).
  bool exact() const { return !interpolated_ && !at_step_end_; }
  /// Whether an at-step-end observer is due at the end of a step from t0 to t1.
  bool due_at_step_end(double t0, double t1) const {
    return schedule_.is_wall() ? schedule_.wall_due() : schedule_.next_after(t0) <= t1;
  }

 protected:
  Schedule schedule_;
  bool interpolated_ = false;
  bool at_step_end_ = false;
};

/// An observer from a callable (C++ lambdas; the Python trackers use this).
class CallbackObserver : public Observer {
 public:
  using Fn = std::function<bool(double, const FieldSet&, const StepStats&)>;
  CallbackObserver(Schedule s, Fn fn) : Observer(std::move(s)), fn_(std::move(fn)) {}
  bool observe(double t, const FieldSet& u, const StepStats& st) override { return fn_(t, u, st); }

 private:
  Fn fn_;
};

}  // namespace dermasim
