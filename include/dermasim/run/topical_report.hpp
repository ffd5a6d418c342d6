// dermasim/run/topical_report.hpp — one row per topical application from the recorded series
// of the topical module (modules/topical.hpp): amounts per layer at the end, cumulative
// delivery, enhancement over intact skin (the same application computed alongside), lag time
// and the amount cleared (docs/model.md §7.4).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "dermasim/core/units.hpp"
#include "dermasim/healing/protocol.hpp"
#include "dermasim/run/result.hpp"

namespace dermasim {

namespace detail {
inline double series_at(const Result& r, const std::string& n, std::size_t i) { return r.series.at(n)[i]; }

/// Lag time of a cumulative curve Q over records [i0, i1] from t0: the time axis intercept of
/// its tangent where it rises fastest (the steady-state asymptote Q = J (t − t_lag) of a
/// membrane; Crank 1975). NaN when Q does not rise.
inline double lag_time(const std::vector<double>& T, const std::vector<double>& Q, std::size_t i0, std::size_t i1,
                       double t0) {
  double best = 0;
  std::size_t ib = i0;
  for (std::size_t i = i0 + 1; i <= i1; ++i) {
    const double s = (Q[i] - Q[i - 1]) / (T[i] - T[i - 1]);
    if (s > best) best = s, ib = i;
  }
  if (!(best > 0)) return std::numeric_limits<double>::quiet_NaN();
  const double tm = 0.5 * (T[ib] + T[ib - 1]), qm = 0.5 * (Q[ib] + Q[ib - 1]);
  return std::max(0.0, tm - qm / best - t0);
}
/// lag_time of Q over records [i0, i1] counted from Q[i0] (one application's own curve).
inline double lag_from_start(const std::vector<double>& T, const std::vector<double>& Q, std::size_t i0,
                             std::size_t i1, double t0) {
  std::vector<double> q(Q.begin() + std::ptrdiff_t(i0), Q.begin() + std::ptrdiff_t(i1) + 1);
  const std::vector<double> tq(T.begin() + std::ptrdiff_t(i0), T.begin() + std::ptrdiff_t(i1) + 1);
  for (auto& x : q) x -= Q[i0];
  return lag_time(tq, q, 0, q.size() - 1, t0);
}
}  // namespace detail

/// The application rows of a run (empty without applications).
inline std::vector<ApplicationSummary> application_rows(const Result& r, const healing::Protocol& pr) {
  std::vector<ApplicationSummary> rows;
  if (pr.applications.empty() || !r.series.count("delivered_skin")) return rows;
  const auto& T = r.times;
  const auto& skin = r.series.at("delivered_skin");
  const auto& sc = r.series.at("delivered_sc");
  const auto& cl = r.series.at("delivered_cleared");
  const auto& cum = r.series.at("delivered_cumulative");
  const auto& cumd = r.series.at("delivered_cumulative_dermis");
  const auto& icum = r.series.at("delivered_intact_cumulative");
  const auto& icumd = r.series.at("delivered_intact_dermis");
  const auto& flux = r.series.at("topical_flux");
  // past the SC: viable tissue + cleared + lost (degraded, joined the healing model; the
  // vehicle wiped off at an end comes after that application's last record); per application
  // from its start, so earlier applications do not shift the tangent
  const auto& lost = r.series.at("topical_lost_total");
  std::vector<double> Qv(T.size());
  for (std::size_t i = 0; i < T.size(); ++i) Qv[i] = skin[i] - sc[i] + cl[i] + lost[i];
  for (std::size_t a = 0; a < pr.applications.size(); ++a) {
    const auto& ap = pr.applications[a];
    ApplicationSummary row;
    row.index = int(a) + 1;
    row.agent = ap.agent.name;
    row.time = ap.time;
    row.duration = ap.duration;
    row.dose = ap.dose();
    std::size_t i0 = 0, i1 = 0;
    for (std::size_t i = 0; i < T.size(); ++i) {
      if (T[i] <= ap.time + 1.0) i0 = i;
      if (T[i] <= ap.end() + 1.0) i1 = i;
    }
    if (i1 <= i0) {
      rows.push_back(row);
      continue;
    }
    auto d = [&](const std::vector<double>& v) { return v[i1] - v[i0]; };
    row.delivered = d(cum);
    row.delivered_dermis = d(cumd);
    row.intact_delivered = d(icum);
    row.intact_delivered_dermis = d(icumd);
    row.enhancement = row.intact_delivered > 0 ? row.delivered / row.intact_delivered
                                               : std::numeric_limits<double>::quiet_NaN();
    row.enhancement_dermis = row.intact_delivered_dermis > 0 ? row.delivered_dermis / row.intact_delivered_dermis
                                                             : std::numeric_limits<double>::quiet_NaN();
    row.in_skin_at_end = skin[i1];
    row.in_dermis_at_end = r.series.at("delivered_dermis")[i1];
    row.cleared = d(cl);
    for (std::size_t i = i0; i <= i1; ++i) row.peak_flux = std::max(row.peak_flux, flux[i]);
    row.lag_time = detail::lag_from_start(T, Qv, i0, i1, ap.time);
    row.intact_lag_time = detail::lag_from_start(T, r.series.at("delivered_intact_past_sc"), i0, i1, ap.time);
    rows.push_back(row);
  }
  return rows;
}

/// The application table as text (amounts in µg/cm²).
inline std::string application_table(const std::vector<ApplicationSummary>& rows) {
  if (rows.empty()) return "";
  std::string o = "\nTopical applications (amounts in ug/cm2; enhancement vs the same application on intact skin)\n";
  o += " #  agent            day    hours   dose   into skin  into dermis  in skin at end  cleared  enhancement  "
       "(dermis)  lag (h)  intact lag (h)\n";
  char buf[256];
  const double ug = 1e-9 / 1e-4;  // kg/m² per µg/cm²
  for (const auto& a : rows) {
    std::snprintf(buf, sizeof buf, "%2d  %-14s %5.1f %7.2f %7.1f %10.3g %12.3g %15.3g %8.3g %12.3g %9.3g %8.2f %15.2f\n", a.index,
                  a.agent.c_str(), a.time / units::day, a.duration / units::hour, a.dose / ug, a.delivered / ug,
                  a.delivered_dermis / ug, a.in_skin_at_end / ug, a.cleared / ug, a.enhancement, a.enhancement_dermis,
                  a.lag_time / units::hour, a.intact_lag_time / units::hour);
    o += buf;
  }
  return o;
}

}  // namespace dermasim
