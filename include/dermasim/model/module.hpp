// dermasim/model/module.hpp — model modules: species, parameters, rates, injury response and
// outcomes that add to the healing model without editing it (docs/architecture.md, "Writing a
// module"; issue 12).
//
// A module declares
//   species()      name, unit, absolute tolerance, baseline per layer, diffusivity per layer,
//                  and whether it is a field or a per-column surface state (top plane only);
//   parameters()   its dotted names (under "<module>."), display unit, SI factor, range,
//                  default and source tag — the same registry pattern as HealingParameters;
//   observables()  named outcomes with units, recorded with every outcome sample;
// and contributes
//   rates(t, k, u, P, L)  production and loss rates of its own species at z-cell k (u: every
//                  species of the state at that cell, indexed as resolved by bind());
//   on_injury(u, inj)     its response to a needling session;
//   top_external(t, s)    the external concentration over the top face of a species that
//                  declares a top_h (Robin exchange, through the channels or the whole surface);
//   observe(t, u, out)    the values of its observables at time t.
// The composite (healing::HealingModel) calls the core kinetics first and then each module's
// rates, so the numerics (positive Patankar kinetics, the z solve, the thread-independent
// block order) are the same for module species as for the core's.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/field.hpp"
#include "dermasim/core/grid.hpp"
#include "dermasim/injury/injury_field.hpp"
#include "dermasim/skin/layers.hpp"
#include "dermasim/treatment/topical.hpp"

namespace dermasim::model {

/// One species of a module.
struct SpeciesDecl {
  std::string name, unit;
  double atol = 1e-6;                      ///< absolute tolerance of the error control, unit
  bool surface = false;                    ///< per-column surface state (top plane only)
  std::array<double, n_layers> baseline{}; ///< initial (unwounded) value per layer, unit
  std::array<double, n_layers> D{};        ///< diffusivity per layer, m²/s (0: no transport)
  /// The module's own operator (advance) moves it in z; the core only diffuses it laterally
  /// with D (2D/3D) and leaves its kinetics to the module.
  bool own_transport = false;
  /// Part of the module's conserved set: the step controller extrapolates all of the module's
  /// conserved species or none (numerics/stepper.hpp, StepperOptions::group).
  bool conserved = false;
  /// Exchange through the top face with an external concentration c_ext(t) (Module::top_external):
  /// a Robin condition, flux into the skin h (c_ext − c_top) per area, with h = top_h × the open
  /// channel fraction O of the column when `through_channels` (an exudate or a bath in contact
  /// through the channels only), else h = top_h (the whole surface), m/s; 0: a closed face. A
  /// large top_h is the Dirichlet limit c_top → c_ext. Fields only (not surface states).
  double top_h = 0.0;
  bool through_channels = true;
};

/// One parameter of a module (display unit × to_si = SI).
struct ParamDecl {
  std::string name;   ///< dotted name within the module ("decay" → "<module>.decay")
  std::string unit;
  double to_si = 1.0;
  double lo = 0.0, hi = 0.0;  ///< valid range, display unit
  double value = 0.0;         ///< default, display unit
  std::string source;         ///< [V]/[R]/[P]/[F] with reference
};

/// One outcome of a module, recorded with every outcome sample.
struct ObservableDecl {
  std::string name, unit;
};

/// What a module sees of the model it is part of (set once by bind()).
struct Binding {
  const Grid* grid = nullptr;
  const SkinProfile* skin = nullptr;
  std::vector<int> layer;                 ///< layer of each z cell
  std::map<std::string, std::size_t> index;  ///< species name → index in the state
  std::map<std::string, double> params;   ///< "<module>.<name>" → SI value
};

class Module {
 public:
  virtual ~Module() = default;
  virtual std::string name() const = 0;
  virtual std::string doc() const = 0;
  virtual std::vector<SpeciesDecl> species() const = 0;
  virtual std::vector<ParamDecl> parameters() const { return {}; }
  virtual std::vector<ObservableDecl> observables() const { return {}; }

  /// Parameter values ("<module>.<name>" → SI); set before species() is asked for.
  void set_parameters(const std::map<std::string, double>& p) { b_.params = p; }
  /// The skin the model runs on; set with the parameters, before species() is asked for.
  void set_skin(const SkinProfile* s) { b_.skin = s; }
  /// Resolves indices (and keeps the parameter values); called once before the calls below.
  virtual void bind(const Binding& b) { b_ = b; }
  /// Production and loss rates (unit/s and 1/s) of this module's species at z-cell k and time t
  /// (t: the start of the sub-step; constant over the Patankar stages). Called at every k, for
  /// surface species too (their value is 0 below the top plane); entries left unset are 0.
  virtual void rates(double t, int k, const double* u, double* P, double* L) const = 0;
  /// Response to one needling session (u on the model's grid, inj its injury field).
  virtual void on_injury(FieldSet& /*u*/, const InjuryField& /*inj*/) const {}
  /// External concentration c_ext at time t over the top face of this module's species number
  /// `local` (its index in species()), unit of the species; read where top_h > 0.
  virtual double top_external(double /*t*/, std::size_t /*local*/) const { return 0.0; }
  /// Values of observables() (out has observables().size() entries).
  virtual void observe(double /*t*/, const FieldSet& /*u*/, double* /*out*/) const {}

  /// The course's topical applications (treatment/topical.hpp), set before species() is asked
  /// for; a module that takes none ignores them.
  virtual void set_applications(const std::vector<treatment::Topical>& /*apps*/) {}
  /// Application i of set_applications() begins (its vehicle is put on) or ends (wiped off).
  virtual void begin_application(FieldSet& /*u*/, std::size_t /*i*/) const {}
  virtual void end_application(FieldSet& /*u*/, std::size_t /*i*/) const {}
  /// A module may advance its own_transport species with an operator of its own (a conservative
  /// solve, for instance), Strang-split with the core: ½ step before and ½ after it.
  virtual bool has_operator() const { return false; }
  /// Advances the module's species over [t, t + dt] (allocation-free; u: the whole state).
  virtual void advance(FieldSet& /*u*/, double /*t*/, double /*dt*/) {}

 protected:
  std::size_t idx(const std::string& species) const {
    const auto it = b_.index.find(species);
    if (it == b_.index.end()) throw invalid_argument("module " + name() + ": no species '" + species + "' in the model");
    return it->second;
  }
  /// SI value of parameter n: as set, else its declared default.
  double param(const std::string& n) const {
    const auto it = b_.params.find(name() + "." + n);
    if (it != b_.params.end()) return it->second;
    for (const auto& p : parameters())
      if (p.name == n) return p.value * p.to_si;
    throw invalid_argument("module " + name() + ": no parameter '" + n + "'");
  }
  Binding b_;
};

/// The modules a build knows, by name (registration: modules/all.hpp).
class ModuleRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Module>()>;
  static ModuleRegistry& instance() {
    static ModuleRegistry r;
    return r;
  }
  template <class M>
  bool add() {
    const std::string n = M().name();
    if (factories_.count(n)) throw invalid_argument("modules: a module named '" + n + "' is registered twice");
    factories_[n] = [] { return std::unique_ptr<Module>(new M()); };
    return true;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> n;
    for (const auto& [k, f] : factories_) n.push_back(k);
    return n;
  }
  std::unique_ptr<Module> make(const std::string& name) const {
    const auto it = factories_.find(name);
    if (it == factories_.end()) {
      std::string known;
      for (const auto& k : names()) known += (known.empty() ? "" : ", ") + ("'" + k + "'");
      throw invalid_argument("modules: unknown module '" + name + "'; known: " + (known.empty() ? "none" : known));
    }
    return it->second();
  }

 private:
  std::map<std::string, Factory> factories_;
};

/// Parameter values of `mods` from their defaults and `overrides` ("<module>.<name>" → SI);
/// an override of no module's parameter, or out of range, is an invalid_argument naming it.
inline std::map<std::string, double> module_parameters(const std::vector<std::unique_ptr<Module>>& mods,
                                                       const std::map<std::string, double>& overrides) {
  std::map<std::string, double> v;
  std::map<std::string, const ParamDecl*> decl;
  std::vector<ParamDecl> keep;
  for (const auto& m : mods)
    for (const auto& p : m->parameters()) keep.push_back(p), keep.back().name = m->name() + "." + p.name;
  for (const auto& p : keep) {
    if (!(p.lo < p.hi) || p.value < p.lo || p.value > p.hi || !(p.to_si > 0))
      throw invalid_argument("module parameter '" + p.name + "' is declared without a valid range, default or "
                             "unit factor (lo < default < hi and to_si > 0 are required)");
    if (decl.count(p.name)) throw invalid_argument("module parameter '" + p.name + "' is declared twice");
    v[p.name] = p.value * p.to_si;
    decl[p.name] = &p;
  }
  for (const auto& [k, x] : overrides) {
    const auto it = decl.find(k);
    if (it == decl.end())
      throw invalid_argument("module parameter '" + k + "' is not a parameter of the enabled modules");
    const ParamDecl& p = *it->second;
    require_range(k, x / p.to_si, p.lo, p.hi, p.unit == "-" ? "" : p.unit);
    v[k] = x;
  }
  return v;
}

}  // namespace dermasim::model
