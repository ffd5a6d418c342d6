// dermasim/healing/model.hpp — the healing and remodelling PDE system (docs/model.md §5): the core
// modules (healing/core/all.hpp) composed with the added modules (model/module.hpp) on one grid.
//
// Species (SoA fields on the Grid; units in brackets; each declared once, by its core module):
//   damage D [−], neutrophils N [cells/m³], inflammatory / repair macrophages M_I, M_R
//   [cells/m³], pro-inflammatory cytokine I [ng/mL] (inflammation); active TGF-β1 T [ng/mL] and
//   the platelet TGF-β reservoir B [ng/mL] (growth_factors); fibroblasts f and myofibroblasts g
//   [relative to the layer's baseline fibroblast density F₀(z)] (fibroblasts); collagen III / I,
//   elastin, tropoelastin and new elastin [normalised like SkinProfile: 1 = dermal reference]
//   (matrix); the open channel area fraction O [−, top plane only] (channels), the flare [−, top
//   plane] (flare) and the epidermal inflammation dose Q [s] (pigmentation).
// The state, tolerances, diffusion and chemotaxis operators and the generic injury response
// (cells and matrix removed from the lumen) are built from the species rows only.
//
// Time integration (HealingScheme, docs/numerics.md §5):
//   unsplit (default): chemotaxis ½ · lateral diffusion ½ · [kinetics + z diffusion, unsplit
//     MPRK22, numerics/patankar_rd.hpp] 1 · lateral diffusion ½ · chemotaxis ½. The exchange
//     through open channels, h·O·(c − 0) for I and T, is a loss of the top cell inside the
//     kinetics. Used with local extrapolation of the step-doubling pair.
//   split (the first scheme, kept for cross-checks): reaction ½ · chemotaxis 1 · diffusion 1
//     (LOD, per-column top Robin) · reaction ½; first order.
// Both: positive Patankar kinetics; layer-dependent D (0 for dermal cells in SC/VE);
// receptor-law chemotaxis (N, M_I up ∇I; f up ∇T; χ₀ = 0 in SC/VE).
// Homeostasis by construction (§6.7, healing/baseline.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <tuple>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/field.hpp"
#include "dermasim/core/grid.hpp"
#include "dermasim/core/simd.hpp"
#include "dermasim/healing/baseline.hpp"
#include "dermasim/healing/core/all.hpp"
#include "dermasim/healing/parameters.hpp"
#include "dermasim/healing/patient.hpp"
#include "dermasim/healing/species.hpp"
#include "dermasim/injury/injury_field.hpp"
#include "dermasim/model/module.hpp"
#include "dermasim/numerics/chemotaxis.hpp"
#include "dermasim/numerics/diffusion.hpp"
#include "dermasim/numerics/patankar_rd.hpp"
#include "dermasim/numerics/reaction.hpp"
#include "dermasim/numerics/splitting.hpp"
#include "dermasim/numerics/transmissibility.hpp"
#include "dermasim/skin/layers.hpp"

namespace dermasim::healing {

/// Time integration of the healing model (see the file comment).
enum class HealingScheme { unsplit, split };

inline HealingScheme parse_scheme(const std::string& name) {
  if (name == "unsplit") return HealingScheme::unsplit;
  if (name == "split") return HealingScheme::split;
  throw invalid_argument("numerics.scheme = '" + name + "' is not a scheme; valid: 'unsplit', 'split'");
}
inline const char* to_string(HealingScheme s) { return s == HealingScheme::unsplit ? "unsplit" : "split"; }

/// Production–loss kinetics of the full model (pure; thread safe): the core modules' rates
/// (healing/core/all.hpp, in their order) over one read of the cell, then the added modules'.
struct HealingKinetics : KineticsContext {
  /// Modules after the core species (model/module.hpp): their rates follow the core's.
  const std::vector<std::unique_ptr<model::Module>>* modules = nullptr;
  std::size_t n = n_species;  ///< core + module species
  double t = 0.0;             ///< time at the start of the current step, s
  /// The exchange through the top face, one entry per species that has one: the core's
  /// exudate loss through open channels (CoreSpecies::channel_exchange: h_exudate·O, c_ext = 0)
  /// and the module species' top faces (SpeciesDecl::top_h, Module::top_external). In the
  /// unsplit scheme a loss r = T(h)/dz₀ and a source r·c_ext of the top cell.
  struct TopExchange {
    std::size_t s;         ///< species index in the state
    double h;              ///< Robin coefficient, m/s (× O when `channels`)
    bool channels;         ///< h scales with the open fraction O
    double D0;             ///< D of the species in the top cell, m²/s
    const model::Module* m;  ///< c_ext from m->top_external; null: c_ext = 0 (a core species)
    std::size_t local;     ///< index in the module's species()
    double c_ext = 0.0;    ///< c_ext at the start of the current sub-step
  };
  const std::vector<TopExchange>* top = nullptr;

  std::size_t species() const { return n; }

  /// The core modules' rates in their order: a fold over the tuple's types (direct calls).
  template <std::size_t... I>
  DERMASIM_ALWAYS_INLINE void core_rates(std::index_sequence<I...>, int k, const Local& x, const double* u, double* P, double* L) const {
    (std::tuple_element_t<I, core::Modules>::rates(*this, k, x, u, P, L), ...);
  }

  void rates(std::size_t, int k, const double* u, double* P, double* L) const {
    const HealingParameters& q = *p;
    const Local x{u[sD], u[sN], u[sMI], u[sMR], u[sI], u[sT], u[sF], u[sFm], u[sC3], u[sC1],
                  u[sN] / q.N_ref, u[sMI] / q.M_ref, u[sMR] / q.M_ref};
    core_rates(std::make_index_sequence<std::tuple_size_v<core::Modules>>{}, k, x, u, P, L);
    if (modules) {
      // a module may leave some entries unset (this->n: the number of species)
      for (std::size_t s = n_species; s < this->n; ++s) P[s] = L[s] = 0.0;
      for (const auto& m : *modules) m->rates(t, k, u, P, L);
    }
    if (top && k == 0 && surface_loss)
      for (const auto& e : *top) {
        const double h = e.h * (e.channels ? std::max(0.0, u[sO]) : 1.0);
        const double r = core::Channels::robin_rate(h, dz0, e.D0);
        L[e.s] += r;
        P[e.s] += r * e.c_ext;
      }
  }
};

/// The assembled model on one grid: state layout, operators, injury operator.
class HealingModel {
 public:
  HealingModel(const Grid& grid, const SkinProfile& skin, const HealingParameters& params,
               HealingScheme scheme = HealingScheme::unsplit,
               std::vector<std::unique_ptr<model::Module>> modules = {},
               const std::map<std::string, double>& module_params = {})
      : grid_(grid), skin_(skin), p_(params), base_(derive_baseline(skin, grid, params)),
        scheme_(scheme), modules_(std::move(modules)) {
    bind_modules(module_params);
    build_operators();
    kin_.p = &p_;
    kin_.b = &base_;
    kin_.k_close = p_.k_close;
    kin_.surface_loss = scheme_ == HealingScheme::unsplit;
    kin_.dz0 = grid.dz()[0];
    kin_.n = names_.size();
    if (!modules_.empty()) kin_.modules = &modules_;
    kin_.top = &top_;
    split_ = scheme_ == HealingScheme::unsplit ? unsplit_operators() : split_operators();
  }
  HealingModel(const HealingModel&) = delete;
  HealingModel& operator=(const HealingModel&) = delete;

  const Grid& grid() const { return grid_; }
  const HealingParameters& parameters() const { return p_; }
  const Baseline& baseline() const { return base_; }
  const SkinProfile& skin() const { return skin_; }
  HealingScheme scheme() const { return scheme_; }
  /// Species of the state: the core's (healing::Species order), then each module's.
  const std::vector<std::string>& species_names() const { return names_; }
  const std::vector<std::string>& species_units() const { return units_; }
  const std::vector<std::unique_ptr<model::Module>>& modules() const { return modules_; }
  /// Names and units of the modules' observables, in the order observe_modules writes them.
  const std::vector<model::ObservableDecl>& module_observables() const { return observables_; }
  void observe_modules(double t, const FieldSet& u, double* out) const {
    for (const auto& m : modules_) {
      m->observe(t, u, out);
      out += m->observables().size();
    }
  }
  /// Topical application i of the course begins (vehicle on) or ends (wiped off): modules' hooks.
  void begin_application(FieldSet& u, std::size_t i) const {
    for (const auto& m : modules_) m->begin_application(u, i);
  }
  void end_application(FieldSet& u, std::size_t i) const {
    for (const auto& m : modules_) m->end_application(u, i);
  }
  /// Time at the start of the next step (modules' rates may depend on it), s.
  void set_time(double t) { t_step_ = kin_.t = t; }
  /// Order the step-doubling controller assumes, and whether the accepted step is the
  /// locally extrapolated one (unsplit: yes; its error expansion starts at first order in
  /// stiff phases, docs/numerics.md §5).
  int controller_order() const { return 1; }
  bool extrapolate() const { return scheme_ == HealingScheme::unsplit; }
  void set_occluded(bool occluded) { kin_.k_close = occluded ? p_.k_close_occluded : p_.k_close; }

  /// The unwounded (homeostatic) state.
  FieldSet initial_state() const {
    FieldSet u(grid_, names_, 0.0);
    const std::size_t P = grid_.plane();
    for (int k = 0; k < grid_.nz(); ++k)
      for (std::size_t c = 0; c < P; ++c) {
        const std::size_t id = std::size_t(k) * P + c;
        for (const auto& c : core_species())
          if (c.baseline && (!c.surface || k == 0)) u[c.id][id] = c.baseline(p_, base_, k);
        for (std::size_t s = n_species; s < names_.size(); ++s) {
          const auto& d = decls_[s - n_species];
          if (!d.surface || k == 0) u[s][id] = d.baseline[base_.layer[k]];
        }
      }
    return u;
  }

  /// Per species: the module's index for species of a module's conserved set, else -1.
  std::vector<int> conserved_groups() const {
    std::vector<int> g(names_.size(), -1);
    std::size_t s = n_species;
    for (std::size_t m = 0; m < modules_.size(); ++m)
      for (const auto& d : modules_[m]->species()) g[s++] = d.conserved ? int(m) : -1;
    return g;
  }
  /// Absolute tolerances per species for the error controller (field units).
  std::vector<double> absolute_tolerances() const {
    std::vector<double> a(names_.size());
    for (std::size_t s = n_species; s < names_.size(); ++s) a[s] = decls_[s - n_species].atol;
    for (const auto& c : core_species()) a[c.id] = c.atol(p_);
    return a;
  }

  /// One step of dt seconds with the model's scheme (allocation-free).
  void step(FieldSet& u, double dt) { split_.step(u, t_step_, dt); }
  /// The operators of a step, in Strang order (the last one gets the full step).
  const StrangSplitting& splitting() const { return split_; }

  /// Transport only (chemotaxis ½, diffusion 1, chemotaxis ½): conservative with closed
  /// channels and no module species with a whole-surface top face (zero flux everywhere); used
  /// by the conservation tests.
  void step_transport(FieldSet& u, double dt) {
    chemo_.step(u, 0.5 * dt);
    update_robin(u, t_step_);
    diff_.step(u, dt);
    chemo_.step(u, 0.5 * dt);
  }

  /// The injury operator (§6.4) of one session onto the current state. `inj` must live on
  /// this model's grid (use lateral_average for 1D/2D). Returns nothing; bleeding_factor
  /// scales the blood fraction (anticoagulants).
  void apply_injury(FieldSet& u, const InjuryField& inj, double bleeding_factor = 1.0) const {
    require_same_size("injury.damage", inj.damage.size(), grid_.size());
    require_same_size("injury.bleeding", inj.bleeding.size(), grid_.size());
    require_same_size("injury.open_surface", inj.open_surface.size(), grid_.plane());
    for (const auto& [name, v] : inj.extra) require_same_size("injury." + name, v.size(), grid_.size());
    // the species rows' generic response: cells and matrix removed from the lumen
    std::vector<std::size_t> cells, matrix;
    for (const auto& c : core_species()) {
      if (c.injury == InjuryResponse::cells) cells.push_back(c.id);
      if (c.injury == InjuryResponse::matrix) matrix.push_back(c.id);
    }
    const std::size_t P = grid_.plane();
    for (int k = 0; k < grid_.nz(); ++k)
      for (std::size_t c = 0; c < P; ++c) {
        const std::size_t id = std::size_t(k) * P + c;
        const double phi = std::clamp(inj.damage[id], 0.0, 1.0);
        const double kc = 1.0 - p_.theta_cell * phi, km = 1.0 - p_.theta_ECM * phi;
        for (std::size_t s : cells) u[s][id] *= kc;
        for (std::size_t s : matrix) u[s][id] *= km;
      }
    // then each core module's own response (damage, blood, alarm, channels, flare)
    core::for_each([&](auto m) {
      using M = decltype(m);
      if constexpr (core::has_on_injury<M>::value) M::on_injury(p_, base_, u, inj, bleeding_factor);
    });
    for (const auto& m : modules_) m->on_injury(u, inj);
  }

 private:
  /// Transport operators: z reaction-diffusion, lateral diffusion (LOD) and chemotaxis, with
  /// layer-dependent coefficients (core species: docs/model.md §5.1; modules: their D per layer).
  void build_operators() {
    const Grid& grid = grid_;
    const int nz = grid.nz();
    // transport
    std::vector<DiffusionSpec> specs(names_.size());
    std::vector<std::size_t> own;  // moved in z by their module's operator
    for (std::size_t s = n_species; s < names_.size(); ++s)
      if (!decls_[s - n_species].surface) {
        specs[s].D.assign(nz, 0.0);
        for (int k = 0; k < nz; ++k) specs[s].D[k] = decls_[s - n_species].D[base_.layer[k]];
        if (decls_[s - n_species].own_transport) own.push_back(s);
      }
    for (const auto& c : core_species())
      if (c.D) {
        specs[c.id].D.assign(nz, 0.0);
        for (int k = 0; k < nz; ++k) specs[c.id].D[k] = c.D(p_, base_, k);
      }
    {
      auto zspecs = specs;
      for (std::size_t s : own) zspecs[s].D.clear();
      rdz_ = ReactionDiffusionZ(grid, zspecs);  // zero-flux top: the channels are in the kinetics
    }
    bind_top_exchange(specs);
    diff_ = DiffusionSolver(grid, std::move(specs), TimeScheme::implicit_euler_lod);
    std::vector<ChemotaxisSpec> cs;
    for (const auto& c : core_species())
      if (c.chi && c.chi_ratio(p_) > 0) {
        std::vector<double> chi(nz);
        for (int k = 0; k < nz; ++k) chi[k] = c.chi(p_, base_, k);
        cs.push_back({c.id, c.up, chi, c.chi_K(p_)});
      }
    chemo_ = ChemotaxisOperator(grid, std::move(cs));
  }

  using Op = std::shared_ptr<SplitOperator>;
  static Op op(const char* name, int order, FunctionOperator::Fn f) {
    return std::make_shared<FunctionOperator>(name, order, std::move(f));
  }
  /// unsplit: chemotaxis ½ · lateral diffusion ½ · [kinetics + z diffusion] 1 · lateral ½ · chemotaxis ½
  StrangSplitting unsplit_operators() {
    std::vector<Op> ops;
    if (has_module_operator())  // ½ before and ½ after the core (Strang)
      ops.push_back(op("modules", 1, [this](FieldSet& u, double t, double dt) {
        for (auto& m : modules_)
          if (m->has_operator()) m->advance(u, t, dt);
      }));
    for (auto& o : core_unsplit_operators()) ops.push_back(std::move(o));
    return StrangSplitting(ops);
  }
  bool has_module_operator() const {
    for (const auto& m : modules_)
      if (m->has_operator()) return true;
    return false;
  }
  std::vector<Op> core_unsplit_operators() {
    return {op("chemotaxis", 1, [this](FieldSet& u, double, double dt) { chemo_.step(u, dt); }),
                            op("lateral diffusion", 1,
                               [this](FieldSet& u, double, double dt) { diff_.step_lateral(u, dt); }),
                            op("kinetics + z diffusion (MPRK22)", 2, [this](FieldSet& u, double t, double dt) {
                              kin_.t = t;  // modules' rates see the sub-step's start time
                              refresh_top(t);
                              rdz_.step(u, kin_, dt);
                            })};
  }
  /// split: reaction ½ · [chemotaxis 1 (forward-Euler sub-steps), diffusion 1 (LOD, top Robin)] · reaction ½
  StrangSplitting split_operators() {
    if (has_module_operator())
      throw invalid_argument("numerics.scheme = 'split' does not take modules with their own operator (topical "
                             "applications); use numerics.scheme = 'unsplit'");
    return StrangSplitting({op("reaction (MPRK22)", 2,
                               [this](FieldSet& u, double t, double dt) {
                                 kin_.t = t;  // modules' rates see the sub-step's start time
                                 refresh_top(t);
                                 patankar_step(u, kin_, dt);
                               }),
                            op("transport", 1, [this](FieldSet& u, double t, double dt) {
                              chemo_.step(u, dt);
                              update_robin(u, t);
                              diff_.step(u, dt);
                            })});
  }

  /// Species, units and observables of the core and the modules; binds each module.
  void bind_modules(const std::map<std::string, double>& overrides) {
    names_ = healing::species_names();
    units_ = healing::species_units();
    model::Binding b;
    b.grid = &grid_;
    b.skin = &skin_;
    b.layer = base_.layer;
    b.params = model::module_parameters(modules_, overrides);
    for (const auto& m : modules_) m->set_parameters(b.params), m->set_skin(&skin_);
    for (const auto& m : modules_)
      for (const auto& d : m->species()) {
        names_.push_back(d.name);
        units_.push_back(d.unit);
        decls_.push_back(d);
      }
    for (std::size_t s = 0; s < names_.size(); ++s) b.index[names_[s]] = s;
    if (b.index.size() != names_.size())
      throw invalid_argument("modules: two species share a name (species of the state: core and modules)");
    if (names_.size() > max_kinetic_species)
      throw invalid_argument("modules: " + std::to_string(names_.size()) + " species; at most " +
                             std::to_string(max_kinetic_species));
    auto taken = [&](const std::string& n) {
      for (const auto& x : names_) if (x == n) return true;
      for (const auto& o : observables_) if (o.name == n) return true;
      return false;
    };
    for (const auto& m : modules_) {
      m->bind(b);
      for (const auto& o : m->observables()) {
        if (taken(o.name))
          throw invalid_argument("module " + m->name() + ": outcome '" + o.name +
                                 "' is already a species or outcome of the model");
        observables_.push_back(o);
      }
    }
  }

  /// The species with a top face (the core's channel exchange, then the module species'
  /// SpeciesDecl::top_h): the kinetics' exchange list and, for the split scheme, their Robin faces.
  void bind_top_exchange(std::vector<DiffusionSpec>& specs) {
    auto face = [&](const HealingKinetics::TopExchange& e) {
      top_.push_back(e);
      specs[e.s].top_h.assign(grid_.plane(), 0.0);
      specs[e.s].top_ext.assign(grid_.plane(), 0.0);
    };
    for (const auto& c : core_species())
      if (c.channel_exchange) face({c.id, p_.h_exudate, true, c.D(p_, base_, 0), nullptr, 0});
    std::size_t s = n_species;
    for (const auto& m : modules_) {
      const std::size_t nm = m->species().size();
      for (std::size_t l = 0; l < nm; ++l, ++s) {
        const auto& d = decls_[s - n_species];
        if (!(std::isfinite(d.top_h) && d.top_h >= 0))
          throw invalid_argument("module " + m->name() + ": species '" + d.name + "'.top_h = " + detail::fmt(d.top_h) +
                                 " m/s is not valid (valid range: [0, inf) m/s; 0: a closed face)");
        if (d.top_h == 0) continue;
        if (d.surface || d.own_transport)
          throw invalid_argument("module " + m->name() + ": species '" + d.name + "' declares top_h but is " +
                                 (d.surface ? "a surface state" : "moved by the module's own operator") +
                                 " (valid: a field the core transports)");
        face({s, d.top_h, d.through_channels, d.D[base_.layer[0]], m.get(), l});
      }
    }
  }

  /// c_ext(t) of every module species with a top face, checked (finite, >= 0: positivity).
  void refresh_top(double t) {
    for (auto& e : top_) {
      if (!e.m) continue;  // a core species: c_ext = 0
      const double c = e.m->top_external(t, e.local);
      if (!(std::isfinite(c) && c >= 0))
        throw invalid_argument("module " + e.m->name() + ": top_external of species '" + names_[e.s] + "' = " +
                               detail::fmt(c) + " at t = " + detail::fmt(t) + " s (valid range: [0, inf))");
      e.c_ext = c;
    }
  }

  void update_robin(const FieldSet& u, double t) {
    const double* O = u.data(sO);
    refresh_top(t);
    for (const auto& e : top_) {
      auto& h = diff_.top_robin_h(e.s);
      auto& ext = diff_.top_robin_ext(e.s);
      for (std::size_t col = 0; col < h.size(); ++col) {
        h[col] = e.h * (e.channels ? std::max(0.0, O[col]) : 1.0);
        ext[col] = e.c_ext;
      }
    }
  }

  Grid grid_;
  SkinProfile skin_;
  HealingParameters p_;
  Baseline base_;
  HealingScheme scheme_ = HealingScheme::unsplit;
  std::vector<std::unique_ptr<model::Module>> modules_;
  std::vector<std::string> names_, units_;
  std::vector<model::SpeciesDecl> decls_;
  std::vector<model::ObservableDecl> observables_;
  std::vector<HealingKinetics::TopExchange> top_;  ///< species with a top face (core, then modules)
  DiffusionSolver diff_;
  ReactionDiffusionZ rdz_;
  ChemotaxisOperator chemo_;
  HealingKinetics kin_;
  StrangSplitting split_;
  double t_step_ = 0.0;  ///< start of the current step (set_time), s
};

}  // namespace dermasim::healing
