// Bindings of the healing model, the Scenario/Result value API and simulate() (thin: type
// conversion only; the GIL is released while simulating and re-taken only for callbacks).
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>

#include "bindings.hpp"
#include "dermasim/simulate.hpp"

namespace py = pybind11;

namespace dermasim::bindings {

namespace {
py::dict param_entry(const std::string& name, const std::string& unit, double to_si, double value, double lo,
                     double hi, const std::string& source) {
  return py::dict(py::arg("name") = name, py::arg("unit") = unit, py::arg("to_si") = to_si, py::arg("default") = value,
                  py::arg("lo") = lo, py::arg("hi") = hi, py::arg("source") = source);
}

/// The healing model and the registered modules as plain data (no physics here).
py::list module_catalog() {
  py::list out;
  py::list sp, par, oc;
  for (const auto& c : healing::core_species())
    sp.append(py::dict(py::arg("name") = c.name, py::arg("unit") = c.unit, py::arg("surface") = c.surface));
  const healing::HealingParameters hp{};
  for (const auto& i : healing::HealingParameters::registry())
    par.append(param_entry(std::string(healing::HealingParameters::registry_prefix) + i.name, i.unit, i.to_si,
                           hp.*(i.member) / i.to_si, i.lo, i.hi, i.source));
  for (const auto& f : outcomes::Metrics::fields()) oc.append(py::dict(py::arg("name") = f.name, py::arg("unit") = f.unit));
  py::list parts;  // the core modules (healing/core/all.hpp), in the order of their rates
  for (const auto& c : healing::core_modules())
    parts.append(py::dict(py::arg("name") = c.name, py::arg("doc") = c.doc, py::arg("species") = c.species,
                          py::arg("parameter_groups") = c.parameter_groups));
  out.append(py::dict(py::arg("name") = "healing", py::arg("doc") = "the healing and remodelling model (docs/model.md §5)",
                      py::arg("species") = sp, py::arg("parameters") = par, py::arg("outcomes") = oc,
                      py::arg("parts") = parts));
  for (const auto& n : model::ModuleRegistry::instance().names()) {
    const auto m = model::ModuleRegistry::instance().make(n);
    py::list s2, p2, o2;
    for (const auto& d : m->species())
      s2.append(py::dict(py::arg("name") = d.name, py::arg("unit") = d.unit, py::arg("surface") = d.surface));
    for (const auto& p : m->parameters())
      p2.append(param_entry(n + "." + p.name, p.unit, p.to_si, p.value, p.lo, p.hi, p.source));
    for (const auto& o : m->observables()) o2.append(py::dict(py::arg("name") = o.name, py::arg("unit") = o.unit));
    out.append(py::dict(py::arg("name") = n, py::arg("doc") = m->doc(), py::arg("species") = s2,
                        py::arg("parameters") = p2, py::arg("outcomes") = o2));
  }
  return out;
}
}  // namespace

void bind_healing(py::module_& m) {
  using healing::HealingParameters;
  py::class_<HealingParameters> hp(m, "HealingParameters",
                                   "Every parameter of the healing model, in SI (docs/model.md §5)");
  hp.def(py::init<>());
  def_registry<HealingParameters>(hp, "healing.");
  hp.def("__repr__", [](const HealingParameters&) {
    return "HealingParameters(" + std::to_string(HealingParameters::names().size()) +
           " parameters; .to_dict())";
  });

  py::class_<healing::PatientFactors> pf(m, "PatientFactors", "Patient factors beyond SkinProfile");
  pf.def(py::init<>());
  for (const auto& f : healing::PatientFactors::fields()) {
    const auto mem = f.member;
    pf.def_property(f.name, [mem](const healing::PatientFactors& p) { return p.*mem; },
                    [mem](healing::PatientFactors& p, bool v) { p.*mem = v; }, f.doc);
  }
  pf.def_static("fields", [] {
    py::list out;
    const healing::PatientFactors d{};
    for (const auto& f : healing::PatientFactors::fields())
      out.append(py::dict(py::arg("name") = f.name, py::arg("default") = d.*(f.member), py::arg("doc") = f.doc));
    return out;
  }, "Every patient flag: name, default, doc (the declaration the Python Patient type is built from).");
  pf.def("warnings", &healing::PatientFactors::warnings);

  py::class_<healing::Session>(m, "Session", "One treatment session (time in s)")
      .def(py::init<>())
      .def(py::init([](double time, const Device& d, bool occluded, std::uint64_t seed) {
             healing::Session s;
             s.time = time;
             s.device = d;
             s.occluded = occluded;
             s.pattern_seed = seed;
             return s;
           }),
           py::arg("time"), py::arg("device"), py::arg("occluded") = false,
           py::arg("pattern_seed") = 0)
      .def_readwrite("time", &healing::Session::time, "s")
      .def_readwrite("device", &healing::Session::device)
      .def_readwrite("pattern_seed", &healing::Session::pattern_seed)
      .def_readwrite("occluded", &healing::Session::occluded)
      .def_readwrite("penetration", &healing::Session::penetration, "this session's PenetrationParams (None: the scenario's)")
      .def_readwrite("raster", &healing::Session::raster, "this session's RasterParams (None: the scenario's)")
      .def_static("fields", [] { return course_fields(healing::Session::fields()); },
                  "The fields of a needling entry besides its device (the Python Needling type is built from them).");

  py::class_<healing::Protocol>(m, "Protocol", "Sessions + follow-up (s)")
      .def(py::init<>())
      .def_static("regular", &healing::Protocol::regular, py::arg("device"), py::arg("sessions"),
                  py::arg("interval"), py::arg("follow_up"))
      .def_readwrite("sessions", &healing::Protocol::sessions)
      .def_readwrite("applications", &healing::Protocol::applications, "topical applications in time order")
      .def_readwrite("follow_up", &healing::Protocol::follow_up, "s")
      .def_static("fields", [] {
        py::list out;
        for (const auto& f : healing::Protocol::fields())
          out.append(py::dict(py::arg("name") = f.name, py::arg("kind") = f.kind, py::arg("lo") = f.lo,
                              py::arg("hi") = f.hi, py::arg("default") = f.value, py::arg("doc") = f.doc));
        return out;
      })
      .def("end_time", &healing::Protocol::end_time)
      .def("validate", &healing::Protocol::validate);

  py::class_<Numerics>(m, "Numerics", "Resolution and tolerances (SI)")
      .def(py::init<>())
      .def_static("fields", [] {
        py::list out;
        for (const auto& f : Numerics::fields())
          out.append(py::dict(py::arg("name") = f.name, py::arg("kind") = f.kind, py::arg("lo") = f.lo,
                              py::arg("hi") = f.hi, py::arg("doc") = f.doc,
                              py::arg("choices") = split_choices(f.choices)));
        return out;
      }, "Every field: name, kind, lo, hi (SI), doc, choices (the declaration the Python Numerics type is built from).")
      .def_readwrite("dimension", &Numerics::dimension)
      .def_readwrite("patch_size", &Numerics::patch_size)
      .def_readwrite("column_patch_size", &Numerics::column_patch_size)
      .def_readwrite("lateral_spacing", &Numerics::lateral_spacing)
      .def_readwrite("raster_spacing", &Numerics::raster_spacing)
      .def_readwrite("h_min", &Numerics::h_min)
      .def_readwrite("h_max", &Numerics::h_max)
      .def_readwrite("growth", &Numerics::growth)
      .def_readwrite("rtol", &Numerics::rtol)
      .def_readwrite("atol_scale", &Numerics::atol_scale)
      .def_readwrite("dt_initial", &Numerics::dt_initial)
      .def_readwrite("dt_max", &Numerics::dt_max)
      .def_readwrite("adaptive", &Numerics::adaptive)
      .def_readwrite("scheme", &Numerics::scheme, "'unsplit' (default) or 'split'")
      .def_readwrite("error_norm", &Numerics::error_norm, "'rms' (default) or 'max'")
      .def("grid", &Numerics::grid)
      .def("validate", &Numerics::validate);

  py::class_<Scenario>(m, "HealingScenario",
                       "Skin + protocol (devices) + parameters + patient + numerics + seed")
      .def(py::init<>())
      .def_static("default_face", &Scenario::default_face)
      .def_static("regular", &Scenario::regular, py::arg("device"), py::arg("sessions"),
                  py::arg("interval"), py::arg("follow_up"))
      .def_readwrite("skin", &Scenario::skin)
      .def_readwrite("protocol", &Scenario::protocol)
      .def_readwrite("parameters", &Scenario::parameters)
      .def_readwrite("penetration", &Scenario::penetration)
      .def_readwrite("raster", &Scenario::raster)
      .def_readwrite("patient", &Scenario::patient)
      .def_readwrite("numerics", &Scenario::numerics)
      .def_readwrite("seed", &Scenario::seed)
      .def_readwrite("modules", &Scenario::modules, "modules added to the healing model, by name (modules())")
      .def_readwrite("module_parameters", &Scenario::module_parameters,
                     "module parameters by dotted name ('<module>.<name>'), SI")
      .def("validate", &Scenario::validate);

  py::class_<SessionSummary> sess(m, "SessionSummary", "One row of the per-session table (SI)");
  // every column of the C++ declaration (SessionSummary::columns()): name, unit, value
  for (const auto& c : SessionSummary::columns()) {
    const auto get = c.get;
    const std::string n = c.name;
    if (n == "index" || n == "channels" || n == "bleeding_points")
      sess.def_property_readonly(c.name, [get](const SessionSummary& s) { return (long long)(get(s)); }, c.unit);
    else
      sess.def_property_readonly(c.name, [get](const SessionSummary& s) { return get(s); }, c.unit);
  }
  sess.def_property_readonly("injured_fraction",
                             [](const SessionSummary& s) {
                               return std::vector<double>(s.injured_fraction.begin(), s.injured_fraction.end());
                             },
                             "per layer (SC, VE, PD, RD, HY): injured volume / layer volume")
      .def_property_readonly_static("columns", [](py::object) {
        py::list out;
        for (const auto& c : SessionSummary::columns()) out.append(py::make_tuple(c.name, c.unit));
        return out;
      });

  py::class_<outcomes::Metrics>(m, "Metrics", "Outcome metrics at one instant")
      .def("to_dict", [](const outcomes::Metrics& x) {
        py::dict d;
        const auto n = outcomes::Metrics::names();
        const auto v = x.values();
        for (std::size_t i = 0; i < n.size(); ++i) d[py::str(n[i])] = v[i];
        return d;
      });

  py::class_<TimelineRow>(m, "TimelineRow")
      .def_readonly("label", &TimelineRow::label)
      .def_readonly("time", &TimelineRow::time)
      .def_readonly("metrics", &TimelineRow::metrics);

  py::class_<RunInfo>(m, "RunInfo")
      .def_readonly("accepted_steps", &RunInfo::accepted_steps)
      .def_readonly("rejected_steps", &RunInfo::rejected_steps)
      .def_readonly("dt_min", &RunInfo::dt_min)
      .def_readonly("dt_max", &RunInfo::dt_max)
      .def_readonly("warnings", &RunInfo::warnings)
      .def_readonly("wall_seconds", &RunInfo::wall_seconds)
      .def_readonly("dimension", &RunInfo::dimension)
      .def_readonly("cells", &RunInfo::cells)
      .def_readonly("threads", &RunInfo::threads)
      .def_readonly("completed", &RunInfo::completed)
      .def_readonly("injury_source", &RunInfo::injury_source);

  py::class_<Snapshot>(m, "Snapshot")
      .def_readonly("time", &Snapshot::time)
      .def_readonly("fields", &Snapshot::fields);

  py::class_<Result>(m, "HealingResult", "Outcome time series, session table, run info")
      .def_property_readonly("times", [](const Result& r) {
        return py::array_t<double>(r.times.size(), r.times.data());
      })
      .def_property_readonly("series", [](const Result& r) {
        py::dict d;
        for (const auto& kv : r.series)
          d[py::str(kv.first)] = py::array_t<double>(kv.second.size(), kv.second.data());
        return d;
      })
      .def_readonly("sessions", &Result::sessions)
      .def_readonly("applications", &Result::applications)
      .def_readonly("timeline", &Result::timeline)
      .def_readonly("info", &Result::info)
      .def_readonly("snapshots", &Result::snapshots)
      .def_readonly("grid", &Result::grid)
      .def_readonly("species", &Result::species)
      .def_readonly("species_units", &Result::species_units)
      .def_readonly("module_outcome_units", &Result::module_outcome_units)
      .def("summary_table", [](const Result& r) { return summary_table(r); });

  m.def(
      "simulate_healing",
      [](const Scenario& sc, int threads, std::vector<double> snapshot_times,
         std::function<bool(double, double)> progress, std::vector<Observer*> observers,
         std::function<bool(py::bytes)> checkpoint, std::optional<py::bytes> resume, double max_memory) {
        SimulateOptions o;
        o.threads = threads;
        o.max_memory = max_memory;
        o.snapshot_times = std::move(snapshot_times);
        if (progress)
          o.progress = [progress](double t, double te) {
            py::gil_scoped_acquire g;
            return progress(t, te);
          };
        if (checkpoint)
          o.checkpoint = [checkpoint](const Checkpoint& c) {
            std::string b = serialize(c);
            py::gil_scoped_acquire g;
            return checkpoint(py::bytes(b));
          };
        Checkpoint start;
        if (resume) {
          start = deserialize_checkpoint(std::string(*resume), sc);
          o.resume = &start;
        }
        py::gil_scoped_release rel;
        return simulate(sc, observers, o);
      },
      py::arg("scenario"), py::arg("threads") = 0, py::arg("snapshot_times") = std::vector<double>{},
      py::arg("progress") = nullptr, py::arg("observers") = std::vector<Observer*>{},
      py::arg("checkpoint") = nullptr, py::arg("resume") = py::none(), py::arg("max_memory") = 0.0,
      "Run a healing scenario (GIL released; progress(t, t_end) -> bool called about daily; "
      "observers: e.g. dermasim._core.PyObserver, which take the GIL only when they fire; "
      "checkpoint(bytes) -> bool called at the start of every session after the first; "
      "resume: bytes of such a checkpoint of the same scenario; max_memory: B, 0 = the available memory).");
  m.def("estimate_memory", [](const Scenario& sc, std::size_t snapshots, bool checkpoint) {
    const auto e = estimate_memory(sc, snapshots, checkpoint);
    return py::dict(py::arg("bytes") = e.bytes, py::arg("bytes_per_voxel") = e.bytes_per_voxel,
                    py::arg("shape") = py::make_tuple(e.nz, e.ny, e.nx), py::arg("raster_cells") = e.raster_cells,
                    py::arg("text") = e.explain());
  }, py::arg("scenario"), py::arg("snapshots") = 2, py::arg("checkpoint") = false,
     "Estimated memory of a run (B; nothing is allocated): bytes, bytes_per_voxel, shape (nz, ny, nx), text.");
  m.def("available_memory", &available_memory, "Memory this process may still use, B (MemAvailable, cgroup limit).");
  m.def("processors", &processors, "Processors this process may run on.");
  m.def("modules", &module_catalog,
        "The healing model ('healing') and every registered module: name, doc, species (name, unit, "
        "surface), parameters (name, unit, default, lo, hi, source; display units) and outcomes (name, unit).");
  m.def("healing_species", &healing::species_names);
  m.def("healing_species_units", &healing::species_units);
}

}  // namespace dermasim::bindings
