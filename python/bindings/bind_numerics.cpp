// Bindings of the numerical core: boundary conditions, diffusion solver.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "dermasim/numerics/diffusion.hpp"

namespace py = pybind11;

namespace dermasim::bindings {

void bind_numerics(py::module_& m) {
  py::class_<BoundaryCondition> bc(m, "BoundaryCondition",
                                   "Top/bottom boundary: zero_flux(), dirichlet(value), "
                                   "robin(h [m/s], external value)");
  py::enum_<BoundaryCondition::Kind>(bc, "Kind")
      .value("zero_flux", BoundaryCondition::Kind::zero_flux)
      .value("dirichlet", BoundaryCondition::Kind::dirichlet)
      .value("robin", BoundaryCondition::Kind::robin);
  bc.def(py::init<>())
      .def_static("zero_flux", &BoundaryCondition::zero_flux)
      .def_static("dirichlet", &BoundaryCondition::dirichlet, py::arg("value"))
      .def_static("robin", &BoundaryCondition::robin, py::arg("h"), py::arg("external"))
      .def_readwrite("kind", &BoundaryCondition::kind)
      .def_readwrite("value", &BoundaryCondition::value)
      .def_readwrite("h", &BoundaryCondition::h)
      .def("__repr__", [](const BoundaryCondition& b) {
        switch (b.kind) {
          case BoundaryCondition::Kind::dirichlet:
            return "BoundaryCondition.dirichlet(" + detail::fmt(b.value) + ")";
          case BoundaryCondition::Kind::robin:
            return "BoundaryCondition.robin(h=" + detail::fmt(b.h) + " m/s, external=" +
                   detail::fmt(b.value) + ")";
          default:
            return std::string("BoundaryCondition.zero_flux()");
        }
      });

  py::class_<DiffusionSpec>(m, "DiffusionSpec",
                            "Transport of one species: D per z-cell (m²/s), decay (1/s), "
                            "top/bottom boundary conditions, optional per-column top Robin.")
      .def(py::init([](std::vector<double> D, double decay, BoundaryCondition top,
                       BoundaryCondition bottom, std::vector<double> top_h,
                       std::vector<double> top_ext) {
             DiffusionSpec s;
             s.D = std::move(D);
             s.decay = decay;
             s.top = top;
             s.bottom = bottom;
             s.top_h = std::move(top_h);
             s.top_ext = std::move(top_ext);
             return s;
           }),
           py::arg("D") = std::vector<double>{}, py::arg("decay") = 0.0,
           py::arg("top") = BoundaryCondition{}, py::arg("bottom") = BoundaryCondition{},
           py::arg("top_h") = std::vector<double>{}, py::arg("top_ext") = std::vector<double>{})
      .def_readwrite("D", &DiffusionSpec::D)
      .def_readwrite("decay", &DiffusionSpec::decay)
      .def_readwrite("top", &DiffusionSpec::top)
      .def_readwrite("bottom", &DiffusionSpec::bottom)
      .def_readwrite("top_h", &DiffusionSpec::top_h)
      .def_readwrite("top_ext", &DiffusionSpec::top_ext);

  py::enum_<TimeScheme>(m, "TimeScheme")
      .value("implicit_euler_lod", TimeScheme::implicit_euler_lod)
      .value("crank_nicolson_strang", TimeScheme::crank_nicolson_strang);

  py::class_<DiffusionSolver>(m, "DiffusionSolver",
                              "Implicit direction-split diffusion–decay (in place on a FieldSet)")
      .def(py::init<const Grid&, std::vector<DiffusionSpec>, TimeScheme>(), py::arg("grid"),
           py::arg("specs"), py::arg("scheme") = TimeScheme::implicit_euler_lod)
      .def("step",
           [](DiffusionSolver& s, FieldSet& f, double dt, int nsteps) {
             require_count("nsteps", nsteps, 1, 1000000000);
             py::gil_scoped_release release;
             for (int i = 0; i < nsteps; ++i) s.step(f, dt);
           },
           py::arg("fields"), py::arg("dt"), py::arg("nsteps") = 1,
           "Advance every active species by nsteps steps of dt seconds (GIL released).")
      .def_property_readonly("order", &DiffusionSolver::order)
      .def_property_readonly("scheme", &DiffusionSolver::scheme);
}

}  // namespace dermasim::bindings
