// Topical agents, applications and their per-application rows (treatment/topical.hpp,
// run/topical_report.hpp). Types only: the transport is the C++ topical module's.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "dermasim/run/result.hpp"
#include "dermasim/treatment/course.hpp"
#include "dermasim/treatment/topical.hpp"

namespace py = pybind11;

namespace dermasim::bindings {
void bind_treatment(py::module_& m) {
  using treatment::Agent;
  using treatment::Topical;
  py::class_<Agent>(m, "Agent", "A topical agent (SI; transport overrides 0: from the correlations)")
      .def(py::init<>())
      .def_readwrite("name", &Agent::name)
      .def_readwrite("molecular_weight", &Agent::molecular_weight, "Da")
      .def_readwrite("log_kow", &Agent::log_kow)
      .def_readwrite("charge", &Agent::charge, "e at pH 5")
      .def_readwrite("solubility", &Agent::solubility, "kg/m^3 in water")
      .def_readwrite("vehicle_partition", &Agent::vehicle_partition)
      .def_readwrite("half_life", &Agent::half_life, "s (0: stable)")
      .def_readwrite("tgf_beta_yield", &Agent::tgf_beta_yield)
      .def_readwrite("kp_sc", &Agent::kp_sc, "m/s (0: Potts-Guy)")
      .def_readwrite("K_sc", &Agent::K_sc, "(0: from log Kow)")
      .def_readwrite("D_aq", &Agent::D_aq, "m^2/s (0: Stokes-Einstein)")
      .def_readwrite("source", &Agent::source)
      .def("validate", [](const Agent& a) { a.validate(); });
  m.def("agent_preset", &treatment::agent_preset, py::arg("name"));
  m.def("agent_presets", [] {
    std::vector<std::string> n;
    for (const auto& a : treatment::agent_presets()) n.push_back(a.name);
    return n;
  });
  m.def(
      "agent_transport",
      [](const Agent& a, const SkinProfile& skin) {
        const auto t = treatment::agent_transport(a, skin);
        py::dict d;
        d["kp_sc"] = t.kp_sc, d["D_aq"] = t.D_aq, d["k_deg"] = t.k_deg;
        py::dict D, K;
        for (int l = 0; l < n_layers; ++l) {
          D[layer_key(Layer(l))] = t.D[l];
          K[layer_key(Layer(l))] = t.K[l];
        }
        d["D"] = D, d["K"] = K;
        return d;
      },
      py::arg("agent"), py::arg("skin"), "transport coefficients per layer (SI)");
  using treatment::TopicalEntry;
  py::class_<TopicalEntry>(m, "TopicalEntry", "A topical entry of the course (SI): placed and repeated by expand()")
      .def(py::init<>())
      .def_readwrite("agent", &TopicalEntry::agent)
      .def_readwrite("concentration", &TopicalEntry::concentration, "kg/m^3")
      .def_readwrite("volume", &TopicalEntry::volume, "m^3/m^2")
      .def_readwrite("duration", &TopicalEntry::duration, "s")
      .def_readwrite("session", &TopicalEntry::session)
      .def_readwrite("when", &TopicalEntry::when)
      .def_readwrite("time", &TopicalEntry::time, "s")
      .def_readwrite("occluded", &TopicalEntry::occluded)
      .def_readwrite("repeat", &TopicalEntry::repeat)
      .def_readwrite("every", &TopicalEntry::every, "s")
      .def_readwrite("kp_sc", &TopicalEntry::kp_sc, "m/s")
      .def_readwrite("K_sc", &TopicalEntry::K_sc)
      .def_static("fields", [] { return course_fields(TopicalEntry::fields()); },
                  "Every field: name, kind, lo, hi (SI), doc, choices (the declaration the Python Topical type is built from).")
      .def("validate", &TopicalEntry::validate, py::arg("where") = "topical")
      .def("expand", &TopicalEntry::expand, py::arg("session_times"), py::arg("where"));
  py::class_<Topical>(m, "Topical", "One topical application (SI)")
      .def(py::init<>())
      .def_readwrite("agent", &Topical::agent)
      .def_readwrite("time", &Topical::time, "s")
      .def_readwrite("duration", &Topical::duration, "s")
      .def_readwrite("concentration", &Topical::concentration, "kg/m^3")
      .def_readwrite("volume", &Topical::volume, "m^3/m^2")
      .def_readwrite("occluded", &Topical::occluded)
      .def_readwrite("before_needling", &Topical::before_needling)
      .def_readwrite("origin", &Topical::origin, "the course entry it came from (messages)")
      .def_readwrite("note", &Topical::note, "which of the entry's repeats ('application 2 of 5'; messages)")
      .def("validate", [](const Topical& t) { t.validate(); });
  py::class_<ApplicationSummary> app(m, "ApplicationSummary", "One topical application's delivery (SI)");
  app.def_readonly("agent", &ApplicationSummary::agent)
      .def_property_readonly_static("columns", [](py::object) {
        py::list out;
        for (const auto& c : ApplicationSummary::columns()) out.append(py::make_tuple(c.name, c.unit));
        return out;
      });
  for (const auto& c : ApplicationSummary::columns()) {  // the C++ declaration's columns
    const auto get = c.get;
    if (std::string(c.name) == "index")
      app.def_property_readonly(c.name, [get](const ApplicationSummary& a) { return (long long)(get(a)); }, c.unit);
    else
      app.def_property_readonly(c.name, [get](const ApplicationSummary& a) { return get(a); }, c.unit);
  }
}
}  // namespace dermasim::bindings
