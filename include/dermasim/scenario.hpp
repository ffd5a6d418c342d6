// dermasim/scenario.hpp — the plain, typed description of one simulated treatment course.
//
// Scenario = SkinProfile + Protocol (sessions with their Device) + HealingParameters + patient factors + Numerics
// + seed. Runtime knobs (threads, snapshots, progress) are arguments of simulate(), not part
// of the scenario. All values SI.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/core/units.hpp"
#include "dermasim/healing/model.hpp"
#include "dermasim/healing/parameters.hpp"
#include "dermasim/healing/protocol.hpp"
#include "dermasim/mechanics/penetration.hpp"
#include "dermasim/modules/all.hpp"
#include "dermasim/outcomes/metrics.hpp"
#include "dermasim/skin/presets.hpp"
#include "dermasim/skin/layers.hpp"

namespace dermasim {

/// Resolution and tolerances.
struct Numerics {
  int dimension = 1;             ///< 1: depth column (laterally averaged), 2: x–z slice, 3: patch
  double patch_size = 2e-3;      ///< lateral extent of the periodic patch (x and y) in 2D/3D, m
  double column_patch_size = 6e-3;  ///< patch whose injury the 1D column averages, m
  double lateral_spacing = 40e-6;  ///< lateral cell size in 2D/3D, m
  double raster_spacing = 100e-6; ///< y cell size of the injury raster averaged onto the 2D slice, m (1D: exact average)
  double h_min = 10e-6;          ///< z spacing at the surface, m
  double h_max = 80e-6;          ///< largest z spacing, m
  double growth = 1.15;          ///< z grading factor per cell, −
  double rtol = 1e-3;            ///< relative tolerance of the step-doubling controller, −
  std::string error_norm = "rms"; ///< norm of the error estimate over cells: "rms" (weighted RMS, as
                                  ///< CVODE) or "max" (every cell within tolerance)
  double atol_scale = 1.0;       ///< multiplies the per-species absolute tolerances, −
  double dt_initial = 30.0;      ///< first step after each session, s
  double dt_max = 7 * 86400.0;   ///< largest step, s (outputs interpolate, so it only bounds error-control risk)
  bool adaptive = true;          ///< false: fixed steps of dt_initial (convergence studies)
  std::string scheme = "unsplit"; ///< healing time integration: "unsplit" (MPRK22 of kinetics + z
                                  ///< diffusion, extrapolated) or "split" (first scheme, cross-checks)

  /// One declaration per field: name, kind (the dimension of its SI value, or int/bool/str),
  /// static range (SI), doc, and the choices of a string; the Python `Numerics` type is built
  /// from it through the bindings. Ranges that depend on another field (lateral and raster
  /// spacing ≤ patch size, h_max ≥ h_min, dt_max ≥ dt_initial) are checked in validate().
  struct Field {
    const char* name;
    const char* kind;  ///< "int", "length", "time", "dimensionless", "bool", "str"
    double lo, hi;     ///< SI (unused for bool and str)
    const char* doc;
    const char* choices;  ///< '|'-separated, for "str"
  };
  static const std::vector<Field>& fields() {
    static const std::vector<Field> f = {
        {"dimension", "int", 1, 3, "1 (depth column), 2 (x–z slice) or 3 (patch)", ""},
        {"patch_size", "length", 1e-5, 0.1, "lateral extent of the periodic patch (2D/3D)", ""},
        {"column_patch_size", "length", 1e-5, 0.1, "patch whose injury the 1D column averages", ""},
        {"lateral_spacing", "length", 1e-6, 0.1, "lateral cell size (2D/3D)", ""},
        {"raster_spacing", "length", 1e-6, 0.1,
         "y cell size of the injury raster averaged onto the 2D slice (1D averages exactly)", ""},
        // >= 1 um: at 0.3 um the graded grid has 372 cells and the default run took > 17 000
        // steps (effectively a hang); 1 um gives 117 cells and 575 steps (docs/numerics.md)
        {"h_min", "length", 1e-6, 1e-3,
         "z spacing at the surface (>= 1 um: finer cells made runs effectively hang, see docs/numerics.md)", ""},
        {"h_max", "length", 1e-7, 1e-2, "largest z spacing", ""},
        {"growth", "dimensionless", 1.0, 10.0, "z grading factor per cell", ""},
        {"rtol", "dimensionless", 1e-12, 0.5, "relative tolerance of the step controller", ""},
        {"error_norm", "str", 0, 0,
         "norm of the step error over cells: 'rms' (weighted RMS per species, as CVODE; default) or 'max' "
         "(every cell within tolerance)", "rms|max"},
        {"atol_scale", "dimensionless", 1e-12, 1e6, "multiplies the absolute tolerances", ""},
        {"dt_initial", "time", 1e-3, 1e6, "first step after each session", ""},
        {"dt_max", "time", 1e-3, 1e8, "largest step", ""},
        {"adaptive", "bool", 0, 0, "False: fixed steps of dt_initial", ""},
        {"scheme", "str", 0, 0,
         "time integration: 'unsplit' (MPRK22 of kinetics + z diffusion, extrapolated; default) or 'split' "
         "(first scheme, for cross-checks)", "unsplit|split"},
    };
    return f;
  }
  static const Field& field(const std::string& name) {
    for (const auto& f : fields())
      if (name == f.name) return f;
    throw invalid_argument("numerics: no field '" + name + "'");
  }

  void validate() const {
    require_count("numerics.dimension", dimension, int(field("dimension").lo), int(field("dimension").hi));
    range("patch_size", patch_size);
    require_range("numerics.lateral_spacing", lateral_spacing, field("lateral_spacing").lo, patch_size, "m");
    range("column_patch_size", column_patch_size);
    require_range("numerics.raster_spacing", raster_spacing, field("raster_spacing").lo, patch_size, "m");
    range("h_min", h_min);
    require_range("numerics.h_max", h_max, h_min, field("h_max").hi, "m");
    range("growth", growth);
    range("rtol", rtol);
    range("atol_scale", atol_scale);
    range("dt_initial", dt_initial);
    require_range("numerics.dt_max", dt_max, dt_initial, field("dt_max").hi, "s");
    (void)healing::parse_scheme(scheme);
    (void)parse_error_norm(error_norm);
  }
  /// Range check of a field against its declaration (unit: m, s or none, by kind).
  static void range(const char* name, double v) {
    const Field& f = field(name);
    const std::string k = f.kind;
    require_range(std::string("numerics.") + name, v, f.lo, f.hi, k == "length" ? "m" : (k == "time" ? "s" : ""));
  }
  /// The simulation grid for a skin profile.
  Grid grid(const SkinProfile& skin) const {
    validate();
    auto zf = graded_z_faces(skin.interfaces(), h_min, h_max, growth);
    const int n = std::max(1, static_cast<int>(std::lround(patch_size / lateral_spacing)));
    if (dimension == 1) return Grid(1, 1, column_patch_size, column_patch_size, zf);
    if (dimension == 2) return Grid(n, 1, patch_size, patch_size, zf);
    return Grid(n, n, patch_size, patch_size, zf);
  }
};

struct Scenario {
  SkinProfile skin = skin_preset("face", 40.0, false, 3);
  healing::Protocol protocol =
      healing::Protocol::regular(clinical_pen(1.5e-3), 4, 4 * units::week, 6 * units::month);
  healing::HealingParameters parameters{};
  PenetrationParams penetration{};  ///< insertion mechanics (docs/model.md §3)
  RasterParams raster{};            ///< the injury field's halo and blood fill (docs/model.md §4)
  healing::PatientFactors patient{};
  Numerics numerics{};
  std::uint64_t seed = 20240601;
  /// Modules added to the healing model, by registered name (model/module.hpp, modules/all.hpp)
  std::vector<std::string> modules;
  /// Their parameters, "<module>.<name>" → SI value (defaults: the modules' declarations)
  std::map<std::string, double> module_parameters;

  void validate() const {
    skin.validate();
    protocol.validate();
    parameters.validate();
    penetration.validate();
    raster.validate();
    numerics.validate();
    (void)make_modules();
  }

  /// The enabled modules, with their parameters set (an unknown or repeated module, or a
  /// parameter of no enabled module or out of range, is an invalid_argument naming it).
  std::vector<std::unique_ptr<model::Module>> make_modules() const {
    std::vector<std::unique_ptr<model::Module>> m;
    auto names = modules;
    // topical applications on the course need the topical module (enabled here if not listed)
    if (!protocol.applications.empty() && std::find(names.begin(), names.end(), "topical") == names.end())
      names.push_back("topical");
    for (std::size_t i = 0; i < names.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j)
        if (names[j] == names[i]) throw invalid_argument("modules: '" + names[i] + "' is enabled twice");
      m.push_back(model::ModuleRegistry::instance().make(names[i]));
      m.back()->set_applications(protocol.applications);
    }
    const auto values = model::module_parameters(m, module_parameters);
    for (auto& x : m) x->set_parameters(values);
    auto core = outcomes::Metrics::names();
    core.push_back("pih_risk");
    for (const auto& x : m)
      for (const auto& o : x->observables())
        if (std::find(core.begin(), core.end(), o.name) != core.end())
          throw invalid_argument("module " + x->name() + ": outcome '" + o.name + "' is an outcome of the healing model");
    return m;
  }

  /// Names and units of the state's species (core, then modules), as a run lays them out.
  std::pair<std::vector<std::string>, std::vector<std::string>> species_layout() const {
    auto names = healing::species_names();
    auto units = healing::species_units();
    for (const auto& m : make_modules())
      for (const auto& d : m->species()) {
        names.push_back(d.name);
        units.push_back(d.unit);
      }
    return {names, units};
  }
  /// Names of the modules' observables, in recording order.
  std::vector<std::string> module_observables() const {
    std::vector<std::string> n;
    for (const auto& m : make_modules())
      for (const auto& o : m->observables()) n.push_back(o.name);
    return n;
  }

  /// The default scenario of `make demo`: face, clinical pen 1.5 mm, 4 sessions 4 weeks
  /// apart, 6 months follow-up, 1D column.
  static Scenario default_face() { return Scenario{}; }

  /// Same device in every session: n sessions `interval` apart, then follow-up.
  static Scenario regular(const Device& dev, int n, double interval, double follow_up) {
    Scenario s;
    s.protocol = healing::Protocol::regular(dev, n, interval, follow_up);
    return s;
  }
};

}  // namespace dermasim
