// Declarations of the per-area binding functions (one bind_<area>.cpp each). No physics here:
// the bindings only convert types and release the GIL around long calls.
#pragma once
#include <pybind11/pybind11.h>

#include <algorithm>
#include <string>
#include <vector>

#include "dermasim/treatment/course.hpp"

namespace dermasim::bindings {
void bind_core(pybind11::module_& m);
void bind_numerics(pybind11::module_& m);
void bind_io(pybind11::module_& m);
void bind_observer(pybind11::module_& m);  // Schedule, PyObserver: Python trackers
void bind_skin(pybind11::module_& m);  // skin, devices, penetration, injury
void bind_healing(pybind11::module_& m);  // healing model, Scenario/Result, simulate
void bind_treatment(pybind11::module_& m);  // topical agents and applications
}  // namespace dermasim::bindings

namespace dermasim::bindings {
/// The registry API of a parameter struct P (HealingParameters, PenetrationParams): get/set by
/// dotted name, names(), info(name) (unit, to_si, lo, hi, source, SI default), validate(),
/// to_dict(). `prefix` is the dotted prefix ("healing.", "penetration.").
template <class P, class Cls>
Cls& def_registry(Cls& c, const char* prefix) {
  namespace py = pybind11;
  const std::string pre = prefix;
  c.def("get", &P::get, py::arg("name"), "SI value by dotted name")
      .def("set", &P::set, py::arg("name"), py::arg("value"),
           "Set by dotted name, in SI; raises InvalidArgumentError naming the valid range")
      .def_static("names", &P::names)
      .def_static(
          "info",
          [pre](const std::string& n) {
            const auto& i = P::find(n);
            py::dict d;
            d["name"] = pre + i.name;
            d["unit"] = i.unit, d["to_si"] = i.to_si, d["lo"] = i.lo, d["hi"] = i.hi;
            d["source"] = i.source;
            d["default"] = P{}.get(n);
            return d;
          },
          py::arg("name"), "unit, to_si, lo, hi (display unit), source and SI default")
      .def("validate", &P::validate)
      .def("to_dict", [](const P& p) {
        py::dict d;
        for (const auto& n : P::names()) d[py::str(n)] = p.get(n);
        return d;
      });
  return c;
}
}  // namespace dermasim::bindings

namespace dermasim::bindings {
/// The valid values of a "str" field, declared '|'-separated ("rms|max"), as a list.
inline pybind11::list split_choices(const std::string& c) {
  pybind11::list ch;
  for (std::size_t a = 0; !c.empty() && a <= c.size();) {
    const std::size_t b = std::min(c.find('|', a), c.size());
    ch.append(c.substr(a, b - a));
    a = b + 1;
  }
  return ch;
}

/// A course entry's field table as a list of dicts: name, kind, lo, hi (SI), doc, choices.
inline pybind11::list course_fields(const std::vector<treatment::CourseField>& fields) {
  namespace py = pybind11;
  py::list out;
  for (const auto& f : fields)
    out.append(py::dict(py::arg("name") = f.name, py::arg("kind") = f.kind, py::arg("lo") = f.lo,
                        py::arg("hi") = f.hi, py::arg("doc") = f.doc, py::arg("choices") = split_choices(f.choices)));
  return out;
}
}  // namespace dermasim::bindings
