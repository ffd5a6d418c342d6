// Helpers shared by the healing tests.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

#include "dermasim/simulate.hpp"

namespace htest {
using namespace dermasim;

/// A fast 1D scenario: n sessions `interval` apart with the given device, then follow-up.
inline Scenario column(const Device& dev, int n, double interval, double follow_up) {
  Scenario s = Scenario::regular(dev, n, interval, follow_up);
  s.numerics.dimension = 1;
  return s;
}

/// Value of a series at time t (exact sample).
inline double at(const Result& r, const std::string& name, double t) {
  const auto& v = r.series.at(name);
  for (std::size_t i = 0; i < r.times.size(); ++i)
    if (std::fabs(r.times[i] - t) <= 1.0) return v[i];
  throw dermasim::error("no sample of " + name + " at t = " + std::to_string(t));
}

/// First sample time >= t0 at which the series first reaches its maximum over [t0, t1].
inline double argmax(const Result& r, const std::string& name, double t0, double t1) {
  const auto& v = r.series.at(name);
  double best = -1e300, tb = t0;
  for (std::size_t i = 0; i < r.times.size(); ++i)
    if (r.times[i] >= t0 && r.times[i] <= t1 && v[i] > best) {
      best = v[i];
      tb = r.times[i];
    }
  return tb;
}

/// Time (from t0) when the series first reaches `frac` of its maximum over [t0, t1].
inline double rise_time(const Result& r, const std::string& name, double t0, double t1,
                        double frac = 0.5) {
  const auto& v = r.series.at(name);
  double mx = -1e300;
  for (std::size_t i = 0; i < r.times.size(); ++i)
    if (r.times[i] >= t0 && r.times[i] <= t1) mx = std::max(mx, v[i]);
  for (std::size_t i = 0; i < r.times.size(); ++i)
    if (r.times[i] >= t0 && r.times[i] <= t1 && v[i] >= frac * mx) return r.times[i] - t0;
  return t1 - t0;
}

}  // namespace htest
