// dermasim/numerics/stepper.hpp — adaptive time stepping with error control, and observers.
//
// Error control by step doubling (Hairer, Nørsett & Wanner, I §II.4): from u take one step of
// dt (u₁) and two of dt/2 (u₂). For a method of order p the local error of u₂ is estimated as
//     d_{s,c} = |u₂ − u₁| / ((2^p − 1) (atol_s + rtol · max(|u₁|, |u₂|)))
//     err = max_s max_c d_{s,c}                       (ErrorNorm::max)
//     err = max_s sqrt(mean_c d_{s,c}²)                (ErrorNorm::rms, the weighted RMS norm of
//                                                       CVODE/ARKODE, taken per species)
// The step is accepted if err <= 1 (u ← u₂), otherwise rejected and retried (counted in
// StepStats::rejected). The next dt is dt · clamp(safety · err^{−1/(p+1)}, fac_min, fac_max),
// bounded by [dt_min, dt_max]. The max is exact under any thread partition and the RMS sums in
// fixed blocks (deterministic_sum), so the step sequence, and hence the result, is bitwise
// independent of the thread count.
// With `extrapolate`, the accepted state is the local Richardson extrapolation
//     u ← u₂ + (u₂ − u₁) / (2^p − 1)
// (one order higher where the error expansion holds; the estimate above still controls the
// step, "local extrapolation" as in Hairer–Nørsett–Wanner I §II.4). With `positive` as well,
// a value the extrapolation would make negative keeps u₂ (a positive scheme stays positive).
// A fixed-step mode (adaptive = false) takes steps of dt_initial, shortened only to land on
// scheduled times.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/field.hpp"
#include "dermasim/core/parallel.hpp"
#include "dermasim/core/observer.hpp"

namespace dermasim {

/// Norm of the step-doubling error estimate over the cells (see the header comment).
enum class ErrorNorm { max, rms };

inline ErrorNorm parse_error_norm(const std::string& s) {
  if (s == "rms") return ErrorNorm::rms;
  if (s == "max") return ErrorNorm::max;
  throw invalid_argument("numerics.error_norm = '" + s + "' is not one of 'rms', 'max'");
}

struct StepperOptions {
  bool adaptive = true;
  ErrorNorm norm = ErrorNorm::max;  ///< norm of the error estimate over the cells
  double rtol = 1e-3;           ///< relative tolerance (−)
  std::vector<double> atol;     ///< absolute tolerance per species (field units); empty: 1e-9
  double dt_initial = 60.0;     ///< s
  double dt_min = 1e-3;         ///< s; a step below it is an error (stiffness or bad input)
  double dt_max = 86400.0;      ///< s
  double safety = 0.9;
  double fac_min = 0.2, fac_max = 4.0;
  long max_steps = 10000000;
  bool extrapolate = false;     ///< accept the Richardson-extrapolated state (see above)
  bool positive = false;        ///< with extrapolate: never extrapolate a value below zero
  /// Per species, a group id (or -1): with `positive`, a group whose extrapolation would go
  /// below zero anywhere keeps u₂ for all its species, so a linear invariant of the group (a
  /// module's mass balance) holds exactly; empty: every value on its own.
  std::vector<int> group;

  void validate() const {
    require_range("numerics.rtol", rtol, 1e-14, 1.0);
    for (std::size_t s = 0; s < atol.size(); ++s)
      require_positive("numerics.atol[" + std::to_string(s) + "]", atol[s]);
    require_positive("numerics.dt_initial", dt_initial, "s");
    require_positive("numerics.dt_min", dt_min, "s");
    require_positive("numerics.dt_max", dt_max, "s");
    if (dt_min > dt_max)
      throw invalid_argument("numerics.dt_min = " + detail::fmt(dt_min) +
                             " s must be <= numerics.dt_max = " + detail::fmt(dt_max) + " s");
    require_range("numerics.safety", safety, 0.1, 1.0);
    require_range("numerics.fac_min", fac_min, 0.01, 1.0);
    require_range("numerics.fac_max", fac_max, 1.0, 100.0);
    require_count("numerics.max_steps", max_steps, 1, 1000000000000LL);
  }
};

class TimeStepper {
 public:
  using StepFn = std::function<void(FieldSet&, double t, double dt)>;

  TimeStepper(StepFn step, int order, StepperOptions opt = {})
      : step_(std::move(step)), order_(order), opt_(std::move(opt)) {
    opt_.validate();
    require_count("stepper.order", order, 1, 8);
    dt_ = opt_.dt_initial;
  }

  const StepStats& stats() const { return stats_; }
  /// Restore the counters of an earlier run (resuming from a checkpoint).
  void set_stats(const StepStats& s) { stats_ = s; }
  double dt() const { return dt_; }
  void set_dt(double dt) {
    require_positive("dt", dt, "s");
    dt_ = std::clamp(dt, opt_.dt_min, opt_.dt_max);
  }
  const StepperOptions& options() const { return opt_; }

  /// Advance u from t0 to t1 (seconds), calling observers at their scheduled times in
  /// (t0, t1] (and at t0 if `observe_start`). Returns the time reached: t1, or earlier if an
  /// observer asked to stop.
  double advance(FieldSet& u, double t0, double t1,
                 const std::vector<Observer*>& observers = {}, bool observe_start = false) {
    if (!std::isfinite(t0) || !std::isfinite(t1) || t1 < t0)
      throw invalid_argument("advance: t1 = " + detail::fmt(t1) + " s must be finite and >= t0 = " +
                             detail::fmt(t0) + " s");
    if (!opt_.atol.empty() && opt_.atol.size() != u.species())
      throw invalid_argument("numerics.atol has " + std::to_string(opt_.atol.size()) +
                             " values; the state has " + std::to_string(u.species()) + " species");
    ensure_scratch(u);
    double t = t0;
    if (observe_start)
      for (auto* o : observers)
        if (o->schedule().includes(t0) && !o->observe(t0, u, stats_)) return t0;
    long steps = 0;
    while (t < t1) {
      double t_stop = t1;
      due_.resize(observers.size());
      for (std::size_t i = 0; i < observers.size(); ++i) {
        due_[i] = observers[i]->schedule().next_after(t);
        if (observers[i]->exact()) t_stop = std::min(t_stop, due_[i]);
      }
      // integrate to t_stop
      while (t < t_stop) {
        if (++steps > opt_.max_steps)
          throw error("time stepper exceeded numerics.max_steps = " +
                      std::to_string(opt_.max_steps) + " at t = " + detail::fmt(t) + " s");
        double h = std::min(dt_, t_stop - t);
        const bool last = (t + h >= t_stop * (1 - 1e-14)) || (t_stop - (t + h) < 1e-9 * h);
        if (last) h = t_stop - t;
        const double tn = last ? t_stop : t + h;
        const bool dense = interpolation_due(observers, t, tn);
        if (dense) keep_old(u);
        if (!opt_.adaptive) {
          step_(u, t, h);
          check_finite(u, t, h);
          record(h, 0.0);
          const double t_old = t;
          t = tn;
          if (dense && !fire_interpolated(observers, t_old, t, u)) return t;
          if (!fire_step_end(observers, t_old, t, u)) return t;
          continue;
        }
        const double err = trial(u, t, h);
        if (err <= 1.0) {
          accept(u);
          const double t_old = t;
          t = tn;
          record(h, err);
          if (dense && !fire_interpolated(observers, t_old, t, u)) return t;
          if (!fire_step_end(observers, t_old, t, u)) return t;
          const double fac = err > 0 ? opt_.safety * std::pow(err, -1.0 / (order_ + 1)) : opt_.fac_max;
          // do not let a short landing step shrink the controller's step size
          const double base = last ? std::max(h, dt_) : h;
          dt_ = std::clamp(base * std::clamp(fac, opt_.fac_min, opt_.fac_max), opt_.dt_min, opt_.dt_max);
        } else {
          ++stats_.rejected;
          const double fac = opt_.safety * std::pow(err, -1.0 / (order_ + 1));
          const double nh = h * std::clamp(fac, opt_.fac_min, 0.9);
          if (nh < opt_.dt_min)
            throw error("time step fell below numerics.dt_min = " + detail::fmt(opt_.dt_min) +
                        " s at t = " + detail::fmt(t) + " s (error estimate " + detail::fmt(err) +
                        "); loosen numerics.rtol/atol or lower dt_min");
          dt_ = nh;
        }
      }
      for (std::size_t i = 0; i < observers.size(); ++i)
        if (observers[i]->exact() && due_[i] <= t_stop && !observers[i]->observe(t, u, stats_))
          return t;
    }
    return t;
  }

 private:
  void ensure_scratch(const FieldSet& u) {
    if (u1_.species() != u.species() || u1_.cells() != u.cells()) {
      u1_ = u;
      u2_ = u;
      partial_.assign(std::size_t((long(u.cells()) + kSumBlock - 1) / kSumBlock), 0.0);
    }
  }

  double trial(const FieldSet& u, double t, double h) {
    for (std::size_t s = 0; s < u.species(); ++s) {
      std::copy(u[s].begin(), u[s].end(), u1_[s].begin());
      std::copy(u[s].begin(), u[s].end(), u2_[s].begin());
    }
    step_(u1_, t, h);
    step_(u2_, t, 0.5 * h);
    step_(u2_, t + 0.5 * h, 0.5 * h);
    const double scale = 1.0 / (std::pow(2.0, order_) - 1.0);
    double err = 0.0;
    const long n = long(u.cells());
    for (std::size_t s = 0; s < u.species(); ++s) {
      const double at = opt_.atol.empty() ? 1e-9 : opt_.atol[s];
      const double* a = u1_.data(s);
      const double* b = u2_.data(s);
      const double rtol = opt_.rtol;
      auto ratio = [&](long c) {
        const double d = std::fabs(b[c] - a[c]) / (at + rtol * std::max(std::fabs(a[c]), std::fabs(b[c])));
        return d != d ? std::numeric_limits<double>::infinity() : d;
      };
      double e;
      if (opt_.norm == ErrorNorm::max) {
        e = parallel_max(0, n, n >= parallel_min_cells, 0.0, ratio);
      } else {
        e = std::sqrt(deterministic_sum(0, n, n >= parallel_min_cells, kSumBlock, partial_.data(), [&](long c) {
                        const double d = ratio(c);
                        return d * d;
                      }) / double(n));
      }
      err = std::max(err, e);
    }
    return err * scale;
  }

  // ---- dense output for interpolated observers ---------------------------------------------
  static bool interpolation_due(const std::vector<Observer*>& obs, double t0, double t1) {
    for (auto* o : obs)
      if (o->interpolated() && o->schedule().next_after(t0) <= t1) return true;
    return false;
  }
  // Calls every at_step_end observer with a time in (t0, t1] once, at t1 with the state there.
  bool fire_step_end(const std::vector<Observer*>& obs, double t0, double t1, const FieldSet& u) {
    for (auto* o : obs)
      if (o->at_step_end() && o->due_at_step_end(t0, t1) && !o->observe(t1, u, stats_))
        return false;
    return true;
  }
  void keep_old(const FieldSet& u) {
    if (uo_.species() != u.species() || uo_.cells() != u.cells()) {
      uo_ = u;
      ui_ = u;
    }
    for (std::size_t s = 0; s < u.species(); ++s) std::copy(u[s].begin(), u[s].end(), uo_[s].begin());
  }
  // Calls every interpolated observer at its times in (t0, t1]: the state at t1 is u, at t0 uo_.
  bool fire_interpolated(const std::vector<Observer*>& obs, double t0, double t1, const FieldSet& u) {
    const long n = long(u.cells());
    for (auto* o : obs) {
      if (!o->interpolated()) continue;
      for (double tau = o->schedule().next_after(t0); tau <= t1; tau = o->schedule().next_after(tau)) {
        if (tau >= t1 * (1 - 1e-15)) {
          if (!o->observe(t1, u, stats_)) return false;
          break;
        }
        const double th = (tau - t0) / (t1 - t0);
        for (std::size_t s = 0; s < u.species(); ++s) {
          const double* a = uo_.data(s);
          const double* b = u.data(s);
          double* x = ui_.data(s);
          parallel_for(0, n, n >= parallel_min_cells, [&](long i) { x[i] = a[i] + th * (b[i] - a[i]); });
        }
        if (!o->observe(tau, ui_, stats_)) return false;
      }
    }
    return true;
  }

  void accept(FieldSet& u) {
    if (!opt_.extrapolate) {
      for (std::size_t s = 0; s < u.species(); ++s) std::copy(u2_[s].begin(), u2_[s].end(), u[s].begin());
      return;
    }
    const double c = 1.0 / (std::pow(2.0, order_) - 1.0);
    const long n = long(u.cells());
    const bool pos = opt_.positive;
    keep_.assign(opt_.group.size() + 1, -1);  // per group id: -1 not yet known, 0/1 keep u₂
    for (std::size_t s = 0; s < u.species(); ++s) {
      const double* a = u1_.data(s);
      const double* b = u2_.data(s);
      double* x = u.data(s);
      const int g = s < opt_.group.size() ? opt_.group[s] : -1;
      if (g >= 0) {
        if (keep_[std::size_t(g)] < 0) keep_[std::size_t(g)] = pos && group_goes_negative(g, c) ? 1 : 0;
        const bool keep = keep_[std::size_t(g)] == 1;
        parallel_for(0, n, n >= parallel_min_cells, [&](long i) { x[i] = keep ? b[i] : b[i] + c * (b[i] - a[i]); });
        continue;
      }
      parallel_for(0, n, n >= parallel_min_cells, [&](long i) {
        const double v = b[i] + c * (b[i] - a[i]);
        x[i] = (pos && v < 0.0) ? b[i] : v;
      });
    }
  }
  bool group_goes_negative(int g, double c) const {
    for (std::size_t s = 0; s < opt_.group.size(); ++s)
      if (opt_.group[s] == g) {
        const double* a = u1_.data(s);
        const double* b = u2_.data(s);
        for (std::size_t i = 0; i < u2_.cells(); ++i)
          if (b[i] + c * (b[i] - a[i]) < 0.0) return true;
      }
    return false;
  }

  void check_finite(const FieldSet& u, double t, double h) const {
    for (std::size_t s = 0; s < u.species(); ++s)
      for (double v : u[s])
        if (!std::isfinite(v))
          throw error("species '" + u.names()[s] + "' became non-finite in the step at t = " +
                      detail::fmt(t) + " s, dt = " + detail::fmt(h) + " s");
  }

  void record(double h, double err) {
    ++stats_.accepted;
    stats_.dt_last = h;
    stats_.dt_min = std::min(stats_.dt_min, h);
    stats_.dt_max = std::max(stats_.dt_max, h);
    stats_.error_last = err;
  }

  StepFn step_;
  int order_;
  StepperOptions opt_;
  double dt_;
  StepStats stats_;
  FieldSet u1_, u2_, uo_, ui_;
  std::vector<int> keep_;  // accept(): per conserved group, whether it keeps u₂ (sized once)
  static constexpr long kSumBlock = 4096;  // cells per block of the deterministic RMS sum
  std::vector<double> partial_;
  std::vector<double> due_;
};

}  // namespace dermasim
