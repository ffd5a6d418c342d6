// dermasim/run/report.hpp — the outcome side of a run: when outcomes are recorded, what each
// session's row says (erythema, barrier and epidermal recovery, PIH risk, collagen gains), the
// timeline rows after the last session, the named series, and the tables as text.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "dermasim/core/units.hpp"
#include "dermasim/healing/model.hpp"
#include "dermasim/healing/protocol.hpp"
#include "dermasim/outcomes/metrics.hpp"
#include "dermasim/run/result.hpp"
#include "dermasim/run/topical_report.hpp"

namespace dermasim {

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
  for (const auto& a : pr.applications) {  // topical applications: 5 min, then 15 min to 2 h after the end
    t.push_back(a.time);
    for (double x = 5 * units::minute; x < std::min(2 * h, a.duration + 2 * h); x += 5 * units::minute)
      t.push_back(a.time + x);
    for (double x = 2 * h; x < a.duration + 2 * h; x += 0.25 * h) t.push_back(a.time + x);
    t.push_back(a.end());
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

/// Time after `ts` at which v first falls to thr within records [i0, i1] (log-linear between
/// records: the quantities decay exponentially); 0 if it starts there; NaN if it never does.
inline double first_at_or_below(const std::vector<double>& T, const std::vector<double>& v, double thr,
                                std::size_t i0, std::size_t i1, double ts) {
  for (std::size_t i = i0; i <= i1; ++i)
    if (v[i] <= thr) {
      if (i == i0) return T[i] - ts;
      const double a = v[i - 1], b = v[i];
      double w = 1.0;
      if (a > thr && b > 0 && thr > 0) w = std::log(a / thr) / std::log(a / b);
      else if (a > thr) w = (a - thr) / (a - b);
      return T[i - 1] + std::clamp(w, 0.0, 1.0) * (T[i] - T[i - 1]) - ts;
    }
  return std::numeric_limits<double>::quiet_NaN();
}

/// The after-care windows of one session (docs/model.md §7.6): from the open fraction (TEWL
/// proxy 1 + O·(D_w/h_SC)/kp_w), the redness and the epidermal inflammatory drive.
inline void aftercare_windows(SessionSummary& row, const outcomes::OutcomeRecorder& rec, std::size_t i0,
                              std::size_t i1, const healing::HealingParameters& p, double h_sc) {
  const auto& T = rec.times;
  const auto& M = rec.series;
  std::vector<double> open(M.size()), drive(M.size(), 0.0);
  for (std::size_t i = i0; i <= i1; ++i) {
    open[i] = M[i].open_fraction;
    if (i > i0) drive[i] = (M[i].pih_dose - M[i - 1].pih_dose) / std::max(1e-9, T[i] - T[i - 1]);
  }
  drive[i0] = i1 > i0 ? drive[i0 + 1] : 0.0;
  const double per_open = p.D_water / std::max(1e-9, h_sc) / p.kp_water;  // TEWL proxy − 1 per unit O
  const double t_bar = first_at_or_below(T, open, p.barrier_tolerance / per_open, i0, i1, row.time);
  const double t_ex = first_at_or_below(T, open, p.exercise_tolerance / per_open, i0, i1, row.time);
  std::size_t ipk = i0;  // the drive after its peak
  for (std::size_t i = i0; i <= i1; ++i)
    if (drive[i] > drive[ipk]) ipk = i;
  const double t_uv = first_at_or_below(T, drive, p.uv_drive_threshold, ipk, i1, row.time);
  // both conditions: the later of the two times, not reached (NaN) if either is not
  auto later = [](double x, double y) {
    return std::isnan(x) || std::isnan(y) ? std::numeric_limits<double>::quiet_NaN() : std::max(x, y);
  };
  row.barrier_recovered_after = t_bar;
  row.exercise_ok_after = later(t_ex, row.erythema_resolved_after);
  row.uv_sensitive_until = later(t_bar, t_uv);
}

/// Each session's outcomes from the recorded series: `mark[s]` is the record right after
/// session s's injury; a session's window ends before the next injury.
inline void session_outcomes(std::vector<SessionSummary>& sessions, const outcomes::OutcomeRecorder& rec,
                             const std::vector<std::size_t>& mark, const healing::HealingParameters& params,
                             int pt, double h_sc) {
  const auto& T = rec.times;
  const auto& M = rec.series;
  double c_prev = 0.0;
  for (std::size_t s = 0; s < sessions.size(); ++s) {
    auto& row = sessions[s];
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
    aftercare_windows(row, rec, i0, i1, params, h_sc);
    row.pih_risk = params.phototype_factor[pt - 1] * (M[i1].pih_dose - M[i0].pih_dose) / units::day;
    row.downtime = std::isfinite(row.erythema_resolved_after) ? row.erythema_resolved_after : T[i1] - ts;
    const double c_before = s == 0 ? 0.0 : c_prev;
    row.collagen_PD_cumulative = M[i1].collagen_PD;
    row.collagen_PD_gain = M[i1].collagen_PD - c_before;
    c_prev = M[i1].collagen_PD;
  }
}

/// The timeline rows 1, 2 (8 weeks), 3, 6 and 12 months after the last session (where recorded).
inline void timeline_rows(Result& res, const outcomes::OutcomeRecorder& rec, double last) {
  const auto& T = rec.times;
  auto row_at = [&](const std::string& label, double tt) {
    for (std::size_t i = 0; i < T.size(); ++i)
      if (std::fabs(T[i] - tt) <= 1.0) {
        res.timeline.push_back({label, T[i], rec.series[i]});
        return;
      }
  };
  row_at("1 month", last + units::month);
  row_at("8 weeks", last + 8 * units::week);
  row_at("3 months", last + 3 * units::month);
  row_at("6 months", last + 6 * units::month);
  row_at("12 months", last + 12 * units::month);
}

/// The named outcome series: every Metrics field, each module observable, and pih_risk.
inline void outcome_series(Result& res, const outcomes::OutcomeRecorder& rec, const healing::HealingModel& model,
                           const healing::HealingParameters& params, int pt) {
  const auto& T = rec.times;
  const auto& M = rec.series;
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
}
}  // namespace detail

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
  std::string care;  // the after-care windows, a second table
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
    std::snprintf(buf, sizeof buf, "%2d", s.index);
    const std::string idx = buf;  // hours() below reuses buf
    const std::string b = hours(s.barrier_recovered_after), e = hours(s.exercise_ok_after),
                      v = hours(s.uv_sensitive_until);
    care += idx + std::string(17, ' ') + b + std::string(14, ' ') + e + std::string(10, ' ') + v + "\n";
  }
  o << "\nAfter-care windows (h after the session; docs/model.md 7.6)\n";
  o << " #  barrier back: makeup,  sweating/exercise  UV-sensitive\n";
  o << "    acids, retinoids (h)   fine after (h)      until (h)\n";
  o << care;
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
  o << application_table(r.applications);
  std::snprintf(buf, sizeof buf,
                "\nrun: %dD, %zu cells, %ld steps accepted, %ld rejected, %.3f s wall, %d thread(s)\n",
                r.info.dimension, r.info.cells, r.info.accepted_steps, r.info.rejected_steps,
                r.info.wall_seconds, r.info.threads);
  o << buf;
  for (const auto& w : r.info.warnings) o << "warning: " << w << "\n";
  return o.str();
}

}  // namespace dermasim
