// dermasim/outcomes/metrics.hpp — clinical outcomes of the healing state, and the observer
// that records them as time series (docs/model.md §6).
//
// Observation operators (all laterally averaged over the patch):
//   collagen I / III / total and elastin change per layer: Σ u V / Σ u₀ V − 1 (fraction);
//   erythema index E = 1 − (1 − E_I)(1 − E_F) of two independent vasodilator pathways
//     (docs/model.md §5.9): inflammatory E_I = I_v/(K_ery + I_v), I_v the vascular-access-
//     weighted mean of the cytokine in the papillary dermis; neurogenic flare E_F = a_F φ̄,
//     φ̄ the patch mean of the flare state;
//   open fraction: channel mouth area still open / patch area (barrier state);
//   epidermal damage: mean damage in SC + VE;
//   pigmentation dose: mean over the viable epidermis of ∫ I/(K + I) dt (s), turned into a
//     post-inflammatory hyperpigmentation risk index × phototype factor by the summary;
//   epidermal thickness change H (recorded series only, it has memory): the viable epidermis
//     relaxes with its turnover time τ towards a set point proportional to the papillary
//     collagen gain, dH/dt = (β max(ΔC_PD, 0) − H)/τ, H(0) = 0 (docs/model.md §6; matrix lost
//     in the lumens does not thin the epidermis: Aust 2008 rats, no fall at 24 h); integrated
//     exactly between records with the driver linear in between.
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "dermasim/core/observer.hpp"
#include "dermasim/healing/model.hpp"

namespace dermasim::outcomes {

using healing::Species;

/// Outcome metrics at one instant (fractions, SI).
struct Metrics {
  double collagen_I_PD = 0, collagen_III_PD = 0, collagen_PD = 0, elastin_PD = 0;
  double collagen_I_RD = 0, collagen_III_RD = 0, collagen_RD = 0, elastin_RD = 0;
  double erythema = 0, open_fraction = 0, epidermal_damage = 0, pih_dose = 0;
  double neutrophils = 0, macrophages_I = 0, macrophages_R = 0;  ///< dermal means, cells/m³
  double fibroblasts_PD = 0, myofibroblasts_PD = 0;              ///< relative to baseline
  double tgf_PD = 0, cytokine_PD = 0;                            ///< ng/mL
  double epidermal_thickness = 0;  ///< relative change of viable-epidermis thickness (recorder only)
  double elastin_new_PD = 0, elastin_new_RD = 0;  ///< new fibres / baseline elastin, −
  double tropoelastin_PD = 0;                       ///< soluble tropoelastin / baseline elastin, −
  double erythema_inflammatory = 0, erythema_flare = 0;  ///< the two parts of `erythema`, −

  /// Every outcome with its name and unit: the one declaration names(), values(), the files,
  /// the checkpoints and the Python units read.
  struct Field {
    const char* name;
    double Metrics::*member;
    const char* unit;
  };
  static const std::vector<Field>& fields() {
    static const std::vector<Field> f = {
        {"collagen_I_PD", &Metrics::collagen_I_PD, "1"},
        {"collagen_III_PD", &Metrics::collagen_III_PD, "1"},
        {"collagen_PD", &Metrics::collagen_PD, "1"},
        {"elastin_PD", &Metrics::elastin_PD, "1"},
        {"collagen_I_RD", &Metrics::collagen_I_RD, "1"},
        {"collagen_III_RD", &Metrics::collagen_III_RD, "1"},
        {"collagen_RD", &Metrics::collagen_RD, "1"},
        {"elastin_RD", &Metrics::elastin_RD, "1"},
        {"erythema", &Metrics::erythema, "1"},
        {"open_fraction", &Metrics::open_fraction, "1"},
        {"epidermal_damage", &Metrics::epidermal_damage, "1"},
        {"pih_dose", &Metrics::pih_dose, "s"},
        {"neutrophils", &Metrics::neutrophils, "cells/m^3"},
        {"macrophages_inflammatory", &Metrics::macrophages_I, "cells/m^3"},
        {"macrophages_repair", &Metrics::macrophages_R, "cells/m^3"},
        {"fibroblasts_PD", &Metrics::fibroblasts_PD, "1"},
        {"myofibroblasts_PD", &Metrics::myofibroblasts_PD, "1"},
        {"tgf_PD", &Metrics::tgf_PD, "ng/mL"},
        {"cytokine_PD", &Metrics::cytokine_PD, "ng/mL"},
        {"epidermal_thickness", &Metrics::epidermal_thickness, "1"},
        {"elastin_new_PD", &Metrics::elastin_new_PD, "1"},
        {"elastin_new_RD", &Metrics::elastin_new_RD, "1"},
        {"tropoelastin_PD", &Metrics::tropoelastin_PD, "1"},
        {"erythema_inflammatory", &Metrics::erythema_inflammatory, "1"},
        {"erythema_flare", &Metrics::erythema_flare, "1"},
    };
    return f;
  }
  static std::vector<std::string> names() {
    std::vector<std::string> n;
    for (const auto& f : fields()) n.push_back(f.name);
    return n;
  }
  std::vector<double> values() const {
    std::vector<double> v;
    v.reserve(fields().size());
    for (const auto& f : fields()) v.push_back(this->*(f.member));
    return v;
  }
};

namespace detail {
/// Layer-volume sums of the fields measure() reads (per unit lateral area).
struct MeasureSums {
  struct Acc { double c1 = 0, c3 = 0, e = 0, en = 0, te = 0, c10 = 0, c30 = 0, e0 = 0; };
  Acc pd, rd;
  double Iv = 0, vw = 0, epiD = 0, epiV = 0, Q = 0, veV = 0, N = 0, MI = 0, MR = 0, dV = 0;
  double fpd = 0, gpd = 0, Tpd = 0, Ipd = 0, pdV = 0;
};

inline MeasureSums measure_sums(const healing::HealingModel& model, const FieldSet& u) {
  const Grid& g = model.grid();
  const auto& b = model.baseline();
  const std::size_t P = g.plane();
  MeasureSums S;
  auto& pd = S.pd;
  auto& rd = S.rd;
  for (int k = 0; k < g.nz(); ++k) {
    const double V = g.dz()[k];  // per unit lateral area; plane sums divided by P below
    double c1 = 0, c3 = 0, e = 0, en = 0, te = 0, I = 0, D = 0, q = 0, n = 0, mi = 0, mr = 0, f = 0, fm = 0,
           T = 0;
    const std::size_t o = std::size_t(k) * P;
    for (std::size_t c = 0; c < P; ++c) {
      c1 += u[healing::sC1][o + c];
      c3 += u[healing::sC3][o + c];
      e += u[healing::sE][o + c];
      en += u[healing::sEn][o + c];
      te += u[healing::sTE][o + c];
      I += u[healing::sI][o + c];
      D += u[healing::sD][o + c];
      q += u[healing::sQ][o + c];
      n += u[healing::sN][o + c];
      mi += u[healing::sMI][o + c];
      mr += u[healing::sMR][o + c];
      f += u[healing::sF][o + c];
      fm += u[healing::sFm][o + c];
      T += u[healing::sT][o + c];
    }
    const double w = V / double(P);
    const auto L = static_cast<Layer>(b.layer[k]);
    MeasureSums::Acc* a = L == Layer::papillary_dermis ? &pd : (L == Layer::reticular_dermis ? &rd : nullptr);
    if (a) {
      a->c1 += c1 * w;
      a->c3 += c3 * w;
      a->e += e * w;
      a->en += en * w;
      a->te += te * w;
      a->c10 += b.C10[k] * V;
      a->c30 += b.C30[k] * V;
      a->e0 += b.E0[k] * V;
    }
    if (L == Layer::papillary_dermis) {
      S.Iv += b.v[k] * I * w;
      S.vw += b.v[k] * V;
      S.fpd += f * w;
      S.gpd += fm * w;
      S.Tpd += T * w;
      S.Ipd += I * w;
      S.pdV += V;
    }
    if (b.epi[k] > 0) {
      S.epiD += D * w;
      S.epiV += V;
    }
    if (b.kerat[k] > 0) {
      S.Q += q * w;
      S.veV += V;
    }
    if (b.dermal[k] > 0) {
      S.N += n * w;
      S.MI += mi * w;
      S.MR += mr * w;
      S.dV += V;
    }
  }
  return S;
}
}  // namespace detail

inline Metrics measure(const healing::HealingModel& model, const FieldSet& u) {
  const Grid& g = model.grid();
  const auto& p = model.parameters();
  const std::size_t P = g.plane();
  const detail::MeasureSums S = detail::measure_sums(model, u);
  const auto& pd = S.pd;
  const auto& rd = S.rd;
  const double Iv = S.Iv, vw = S.vw, epiD = S.epiD, epiV = S.epiV, Q = S.Q, veV = S.veV, N = S.N, MI = S.MI,
               MR = S.MR, dV = S.dV, fpd = S.fpd, gpd = S.gpd, Tpd = S.Tpd, Ipd = S.Ipd, pdV = S.pdV;
  Metrics m;
  auto rel = [](double x, double x0) { return x0 > 0 ? x / x0 - 1.0 : 0.0; };
  m.collagen_I_PD = rel(pd.c1, pd.c10);
  m.collagen_III_PD = rel(pd.c3, pd.c30);
  m.collagen_PD = rel(pd.c1 + pd.c3, pd.c10 + pd.c30);
  m.elastin_PD = rel(pd.e + pd.en, pd.e0);  // total elastin: mature + new fibres
  m.elastin_new_PD = pd.e0 > 0 ? pd.en / pd.e0 : 0.0;
  m.tropoelastin_PD = pd.e0 > 0 ? pd.te / pd.e0 : 0.0;
  m.collagen_I_RD = rel(rd.c1, rd.c10);
  m.collagen_III_RD = rel(rd.c3, rd.c30);
  m.collagen_RD = rel(rd.c1 + rd.c3, rd.c10 + rd.c30);
  m.elastin_RD = rel(rd.e + rd.en, rd.e0);
  m.elastin_new_RD = rd.e0 > 0 ? rd.en / rd.e0 : 0.0;
  const double I_v = vw > 0 ? Iv / vw : 0.0;
  double open = 0, flare = 0;
  for (std::size_t c = 0; c < P; ++c) {
    open += u[healing::sO][c];
    flare += u[healing::sFl][c];
  }
  m.erythema_inflammatory = I_v / (p.K_erythema + I_v);
  m.erythema_flare = p.flare_peak * flare / double(P);
  m.erythema = 1.0 - (1.0 - m.erythema_inflammatory) * (1.0 - m.erythema_flare);
  m.open_fraction = open / double(P);
  m.epidermal_damage = epiV > 0 ? epiD / epiV : 0.0;
  m.pih_dose = veV > 0 ? Q / veV : 0.0;
  m.neutrophils = dV > 0 ? N / dV : 0;
  m.macrophages_I = dV > 0 ? MI / dV : 0;
  m.macrophages_R = dV > 0 ? MR / dV : 0;
  m.fibroblasts_PD = pdV > 0 ? fpd / pdV : 0;
  m.myofibroblasts_PD = pdV > 0 ? gpd / pdV : 0;
  m.tgf_PD = pdV > 0 ? Tpd / pdV : 0;
  m.cytokine_PD = pdV > 0 ? Ipd / pdV : 0;
  return m;
}

/// Records Metrics at scheduled times (an Observer).
class OutcomeRecorder : public Observer {
 public:
  OutcomeRecorder(const healing::HealingModel& model, Schedule s)
      : Observer(std::move(s)), model_(&model) {}
  bool observe(double t, const FieldSet& u, const StepStats&) override {
    record(t, u);
    return true;
  }
  /// Record now (outside the stepper, e.g. right before/after an injury).
  void record(double t, const FieldSet& u) {
    Metrics m = measure(*model_, u);
    m.epidermal_thickness = series.empty() ? 0.0
                                           : epidermal_update(series.back().epidermal_thickness,
                                                              series.back().collagen_PD, m.collagen_PD,
                                                              t - times.back());
    times.push_back(t);
    series.push_back(m);
    const std::size_t ne = model_->module_observables().size();
    if (ne) {
      extra.resize(extra.size() + ne);
      model_->observe_modules(t, u, extra.data() + extra.size() - ne);
    }
  }
  /// Exact solution of dH/dt = (β c₊(t) − H)/τ over h seconds, c₊ linear from max(c0,0) to max(c1,0).
  /// h <= 0 (two records at one instant, e.g. around an injury) leaves H unchanged.
  double epidermal_update(double H0, double c0, double c1, double h) const {
    if (!(h > 0)) return H0;
    const auto& p = model_->parameters();
    const double a = 1.0 / p.tau_epi, f0 = p.beta_epi * std::max(c0, 0.0), f1 = p.beta_epi * std::max(c1, 0.0);
    const double slope = (f1 - f0) / h;
    const double x = a * h;
    // H1 = f1 − s/a + (H0 − f0 + s/a) e^{−ah}, written with expm1 to stay accurate for small ah
    const double em = -std::expm1(-x);  // 1 − e^{−ah}
    return H0 * (1.0 - em) + f1 - f0 * (1.0 - em) - slope / a * em;
  }
  std::vector<double> times;
  std::vector<Metrics> series;
  std::vector<double> extra;  ///< module observables, module_observables().size() per record

 private:
  const healing::HealingModel* model_;
};

}  // namespace dermasim::outcomes
