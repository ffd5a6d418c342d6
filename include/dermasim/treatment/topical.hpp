// dermasim/treatment/topical.hpp — topical agents and their application as a procedure on the
// treatment timeline (issue 16; docs/model.md §7).
//
// An Agent is data: physico-chemical properties (molecular weight, log K_ow, charge, water
// solubility) from which the transport coefficients of each layer follow by published
// correlations (agent_transport), each of which the user may set instead. A Topical is one
// application: the agent in a vehicle film (concentration × volume per area = dose), applied at
// a time for a duration (the vehicle is wiped off at the end), occluded or not. The transport
// itself is the "topical" module (modules/topical.hpp). All values SI.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/units.hpp"
#include "dermasim/skin/layers.hpp"

namespace dermasim::treatment {

/// A topical agent. Transport coefficients left at 0 are derived from the properties
/// (agent_transport); a value > 0 replaces the correlation.
struct Agent {
  std::string name = "caffeine";
  double molecular_weight = 194.19;  ///< Da (g/mol)
  double log_kow = -0.07;            ///< log10 octanol/water partition coefficient, −
  double charge = 0.0;               ///< net charge at skin pH (≈ 5), e (information; ionised
                                     ///< species are slower through the SC than Potts–Guy says)
  double solubility = 20.0;          ///< water solubility, kg/m³ (= g/L)
  double vehicle_partition = 1.0;    ///< vehicle/water partition coefficient, − (1: aqueous serum)
  double half_life = 0.0;            ///< degradation half-life in tissue, s (0: stable; the vehicle
                                     ///< is taken as stable: formulated at low pH / with antioxidants)
  /// Growth factor that joins the healing model's TGF-β pool once it reaches viable tissue
  /// (PRP; docs/model.md §7.5), ng/mL of TGF-β per ng/mL of agent (0: none).
  double tgf_beta_yield = 0.0;
  // optional overrides (0: from the correlations)
  double kp_sc = 0.0;       ///< SC permeability coefficient, m/s
  double K_sc = 0.0;        ///< SC/water partition coefficient, −
  double D_aq = 0.0;        ///< aqueous diffusivity, m²/s
  std::string source;       ///< where the properties come from (docs/model.md §7.2)

  void validate(const std::string& p = "agent") const {
    if (name.empty()) throw invalid_argument(p + ".name is empty");
    require_range(p + ".molecular_weight", molecular_weight, 1.0, 1e7, "Da");
    require_range(p + ".log_kow", log_kow, -10.0, 10.0, "");
    require_range(p + ".charge", charge, -50.0, 50.0, "e");
    require_range(p + ".solubility", solubility, 1e-12, 2e3, "kg/m^3");
    require_range(p + ".vehicle_partition", vehicle_partition, 1e-6, 1e9, "");
    require_range(p + ".half_life", half_life, 0.0, 100 * units::year, "s");
    require_range(p + ".tgf_beta_yield", tgf_beta_yield, 0.0, 10.0, "");
    require_range(p + ".kp_sc", kp_sc, 0.0, 1e-3, "m/s");
    require_range(p + ".K_sc", K_sc, 0.0, 1e9, "");
    require_range(p + ".D_aq", D_aq, 0.0, 1e-8, "m^2/s");
  }
  bool operator==(const Agent& o) const {
    return name == o.name && molecular_weight == o.molecular_weight && log_kow == o.log_kow && charge == o.charge &&
           solubility == o.solubility && vehicle_partition == o.vehicle_partition && half_life == o.half_life &&
           tgf_beta_yield == o.tgf_beta_yield && kp_sc == o.kp_sc && K_sc == o.K_sc && D_aq == o.D_aq;
  }
};

/// The presets (docs/model.md §7.2 gives every number with its source and grade).
inline const std::vector<Agent>& agent_presets() {
  static const std::vector<Agent> a = [] {
    std::vector<Agent> v;
    Agent x;
    x = Agent{};  // caffeine: the standard small hydrophilic permeant
    x.solubility = 20.0;
    x.source = "MW 194.19, log Kow -0.07 (LC_DPK Caffeine.cfg) [S]; water solubility 2 g/100 mL (treatments-data a14) [A]";
    v.push_back(x);
    x = Agent{};
    x.name = "ascorbic_acid";
    x.molecular_weight = 176.12;
    x.log_kow = -1.85;
    x.charge = 0.0;  // un-ionised at the pH < 3.5 it must be applied at (Pinnell 2001)
    x.solubility = 330.0;
    x.half_life = 4 * units::day;  // tissue t1/2 (Pinnell 2001): used as the loss rate [A]
    x.source = "MW 176.12 [S], log Kow -1.85 [R], solubility 330 g/L [S]; tissue t1/2 4 d (Pinnell 2001) [A]";
    v.push_back(x);
    x = Agent{};
    x.name = "niacinamide";
    x.molecular_weight = 122.12;
    x.log_kow = -0.35;
    x.solubility = 714.0;
    x.source = "MW 122.12 [R], log P -0.35 (Bhattaccharjee 2020) [A]; solubility 714 g/L (PMC6046421) [A]";
    v.push_back(x);
    x = Agent{};
    x.name = "tretinoin";
    x.molecular_weight = 300.44;
    x.log_kow = 6.3;
    x.charge = -0.65;  // pKa 4.73: 65 % ionised at pH 5 (Henderson–Hasselbalch)
    x.solubility = 6.3e-5;  // 0.21 uM (Szuts & Harosi 1991) [A]
    x.vehicle_partition = 1e5;  // castor oil holds 6 g/L, 1e5 x water (Brisaert 2006) [S]
    x.source = "MW 300.44 [A], log P 6.3 [S], pKa 4.73 [S]; water solubility 6.3e-5 g/L (Szuts & Harosi 1991) [A]; "
               "oil vehicle 6 g/L (Brisaert 2006) [S]";
    v.push_back(x);
    x = Agent{};
    x.name = "peptide";
    x.molecular_weight = 802.0;  // palmitoyl pentapeptide-4 (pal-KTTKS)
    x.log_kow = 1.0;
    x.charge = 1.0;
    x.solubility = 10.0;
    x.source = "pal-KTTKS, MW 802.1 [S], net charge +1 at pH 5 (from its structure); log Kow 1 and solubility 10 g/L [P]";
    v.push_back(x);
    x = Agent{};
    x.name = "hyaluronic_acid";
    x.molecular_weight = 50e3;  // low-MW cosmetic grade
    x.log_kow = -4.0;
    x.charge = -125.0;  // one carboxylate per 401 Da disaccharide
    x.solubility = 10.0;
    x.source = "low-MW cosmetic grade 50 kDa [P]; polyanion, 1 charge per 401 Da disaccharide [A]; log Kow -4 [P]";
    v.push_back(x);
    x = Agent{};
    x.name = "prp";
    x.molecular_weight = 25e3;  // TGF-β1 dimer, the growth factor that is followed
    x.log_kow = -3.0;
    x.charge = 0.0;
    x.solubility = 1.0;
    x.half_life = 0.0;
    x.tgf_beta_yield = 1.0;
    x.source = "TGF-b1 dimer 25 kDa [A]; PRP TGF-b1 169 +- 84 ng/mL (Weibrich 2002, treatments-data c12) [A]";
    v.push_back(x);
    return v;
  }();
  return a;
}

inline Agent agent_preset(const std::string& name) {
  std::string known;
  for (const auto& a : agent_presets()) {
    if (a.name == name) return a;
    known += (known.empty() ? "" : ", ") + ("'" + a.name + "'");
  }
  throw invalid_argument("agent '" + name + "' is not a preset; known: " + known +
                         " (or give its properties: molecular_weight, log_kow, solubility, ...)");
}

/// Transport coefficients of an agent per layer (docs/model.md §7.3).
struct AgentTransport {
  double kp_sc = 0;                    ///< SC permeability coefficient, m/s
  double D_aq = 0;                     ///< free aqueous diffusivity, m²/s
  std::array<double, n_layers> D{};    ///< diffusivity per layer, m²/s
  std::array<double, n_layers> K{};    ///< tissue/water partition coefficient per layer, −
  double k_deg = 0;                    ///< degradation rate, 1/s
};

/// Constants of the correlations (one declaration; docs/model.md §7.3 cites each).
struct TransportConstants {
  double temperature = 309.0;      ///< K, as LC_DPK (Chen et al.) [S]
  double viscosity = 0.71e-3;      ///< water at 309 K, Pa·s [S]
  double sc_lipid_fraction = 0.125;  ///< lipid volume fraction of the SC (Nitsche, Wang & Kasting 2006) [S]
};

/// Stokes–Einstein diffusivity in water, m²/s, with the solute radius
/// r = (0.9087 · MW · 3/(4π))^{1/3} Å of LC_DPK (Chen et al.) [S].
inline double stokes_einstein_D(double mw, const TransportConstants& c = {}) {
  constexpr double kB = 1.380649e-23;
  const double r = std::cbrt(0.9087 * mw * 3.0 / (4.0 * M_PI)) * 1e-10;
  return kB * c.temperature / (6.0 * M_PI * c.viscosity * r);
}

/// Potts & Guy (1992): log10 kp [cm/h] = −2.7 + 0.71 log K_ow − 0.0061 MW; returns m/s.
inline double potts_guy_kp(double mw, double log_kow) {
  return std::pow(10.0, -2.7 + 0.71 * log_kow - 0.0061 * mw) * units::cm / units::hour;
}

/// SC/water partition from K_ow: a dry-SC volume average of the phase partition coefficients of
/// Nitsche, Wang & Kasting 2006 (keratin 4.2 K_ow^0.31, lipid 0.9 K_ow^0.69, as in LC_DPK) [S].
/// LC_DPK's hydrated SC (a water phase) gives about half for hydrophilic solutes (caffeine 1.8
/// against 3.6 here): the steady flux is Potts–Guy's either way, the lag here is the longer.
inline double sc_partition(double log_kow, const TransportConstants& c = {}) {
  const double Kow = std::pow(10.0, log_kow), phi = c.sc_lipid_fraction;
  return (1.0 - phi) * 4.2 * std::pow(Kow, 0.31) + phi * 0.9 * std::pow(Kow, 0.69);
}

/// Kretsos et al. (2008) viable tissue, as coded in LC_DPK [S]: unbound diffusivity
/// D_free = 10^(−8.15 − 0.655 log10 MW) m²/s, binding B = 0.68 + 0.32/f_u + 0.025 f_non K_ow^0.7,
/// D = D_free / B and tissue/water K = 0.7 B (fit over MW 18–476 Da; above that an extrapolation).
inline double kretsos_binding(double log_kow, double f_non, double f_u = 1.0) {
  return 0.68 + 0.32 / f_u + 0.025 * f_non * std::pow(10.0, 0.7 * log_kow);
}
inline double kretsos_D_free(double mw) { return std::pow(10.0, -8.15 - 0.655 * std::log10(mw)); }

inline AgentTransport agent_transport(const Agent& a, const SkinProfile& skin, const TransportConstants& c = {}) {
  a.validate();
  AgentTransport t;
  t.D_aq = a.D_aq > 0 ? a.D_aq : stokes_einstein_D(a.molecular_weight, c);
  t.kp_sc = a.kp_sc > 0 ? a.kp_sc : potts_guy_kp(a.molecular_weight, a.log_kow);
  const double Ksc = a.K_sc > 0 ? a.K_sc : sc_partition(a.log_kow, c);
  const double h_sc = skin.layers[int(Layer::stratum_corneum)].thickness;
  // the SC as a membrane of thickness h with K D / h = kp: its steady flux is Potts–Guy's and
  // its lag h²/(6 D) follows
  t.K[int(Layer::stratum_corneum)] = Ksc;
  t.D[int(Layer::stratum_corneum)] = h_sc > 0 ? t.kp_sc * h_sc / Ksc : t.D_aq;
  const double f_non = std::clamp(1.0 - std::fabs(a.charge), 0.0, 1.0);
  const double B = kretsos_binding(a.log_kow, f_non);
  for (Layer l : {Layer::viable_epidermis, Layer::papillary_dermis, Layer::reticular_dermis, Layer::hypodermis}) {
    t.K[int(l)] = 0.7 * B;
    t.D[int(l)] = kretsos_D_free(a.molecular_weight) / B;
  }
  t.k_deg = a.half_life > 0 ? std::log(2.0) / a.half_life : 0.0;
  return t;
}

/// Capillary clearance of a solute relative to a small one (perfusion-limited): 1 up to 4 kDa,
/// then log-linear in log MW through the observed/predicted AUC 0.5, 0.2, 0.06 of 10, 20 and
/// 40 kDa dextrans after intracutaneous injection (research note §3.7) [A].
inline double clearance_size_factor(double mw) {
  static const double m[] = {4e3, 10e3, 20e3, 40e3}, f[] = {1.0, 0.5, 0.2, 0.06};
  if (mw <= m[0]) return 1.0;
  for (int i = 0; i < 3; ++i)
    if (mw <= m[i + 1]) {
      const double w = std::log(mw / m[i]) / std::log(m[i + 1] / m[i]);
      return std::exp((1 - w) * std::log(f[i]) + w * std::log(f[i + 1]));
    }
  return f[3] * std::pow(40e3 / mw, std::log(0.2 / 0.06) / std::log(2.0));
}

/// One topical application (a procedure on the timeline that lasts).
struct Topical {
  Agent agent{};
  double time = 0.0;              ///< start, s after the start of the run
  double duration = 30 * units::minute;  ///< s; the vehicle is wiped off at time + duration
  double concentration = 10.0;    ///< agent in the vehicle, kg/m³ (1 % w/v = 10 kg/m³)
  double volume = 1e-4;           ///< vehicle per skin area, m³/m² = m (10 µL/cm² = 1e-8 m³ per 1e-4 m², OECD 428 finite dose)
  bool occluded = false;          ///< under occlusion the channels close at the occluded rate
  /// At a needling session's time: applied before the needles (a gliding serum, present when the
  /// channels open); otherwise after.
  bool before_needling = false;
  /// Who asked for it, for messages: the course entry ("course.3"; empty: "course.topical[i]",
  /// its index in time order) and which of its repeats ("application 2 of 5"; empty: the only
  /// one). TopicalEntry::expand sets both; messages read "course.3.time (application 2 of 5)".
  std::string origin, note;

  /// Valid ranges (SI): the one declaration validate() and TopicalEntry::fields() read.
  static constexpr double concentration_range[2] = {1e-15, 2e3};  ///< kg/m³
  static constexpr double volume_range[2] = {1e-7, 1e-2};         ///< m
  static constexpr double duration_range[2] = {1.0, 10 * units::year};  ///< s

  double end() const { return time + duration; }
  double dose() const { return concentration * volume; }  ///< kg/m²

  /// Range checks; messages name "<p>.<field><note>" (note: " (application 2 of 5)" or "").
  void validate(const std::string& p = "topical", const std::string& note = "") const {
    agent.validate(p + ".agent");
    require_nonnegative(p + ".time" + note, time, "s");
    require_range(p + ".duration" + note, duration, duration_range[0], duration_range[1], "s");
    require_range(p + ".concentration" + note, concentration, concentration_range[0], concentration_range[1], "kg/m^3");
    require_range(p + ".volume" + note, volume, volume_range[0], volume_range[1], "m (vehicle volume per skin area)");
    const double c_w = concentration / agent.vehicle_partition;
    if (c_w > agent.solubility * (1 + 1e-12))
      throw invalid_argument(p + ".concentration" + note + " = " + detail::fmt(concentration) + " kg/m^3 exceeds the agent's solubility in the vehicle (" +
                             detail::fmt(agent.solubility * agent.vehicle_partition) + " kg/m^3 = solubility x vehicle_partition of '" +
                             agent.name + "'); a suspension is not modelled");
  }
};

/// Application i (in time order) as messages name it: its course entry, else "course.topical[i]".
inline std::string application_name(const Topical& a, std::size_t i) {
  return a.origin.empty() ? "course.topical[" + std::to_string(i) + "]" : a.origin;
}
/// Which of its entry's repeats application `a` is, for the end of a message: " (application 2
/// of 5)", or "".
inline std::string application_note(const Topical& a) { return a.note.empty() ? "" : " (" + a.note + ")"; }

}  // namespace dermasim::treatment
