// Bindings of core types: Grid, FieldSet (numpy views without copies), threads.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "dermasim/core/field.hpp"
#include "dermasim/core/grid.hpp"
#include "dermasim/core/parallel.hpp"

namespace py = pybind11;

namespace dermasim::bindings {

namespace {
// A numpy view (nz, ny, nx) of species s that keeps the FieldSet alive.
pybind11::array species_view(FieldSet& f, std::size_t s, pybind11::handle owner) {
  const Grid& g = f.grid();
  std::vector<py::ssize_t> shape{g.nz(), g.ny(), g.nx()};
  std::vector<py::ssize_t> strides{py::ssize_t(sizeof(double) * g.plane()),
                                   py::ssize_t(sizeof(double) * g.nx()), sizeof(double)};
  return py::array_t<double>(shape, strides, f.data(s), owner);
}
}  // namespace

void bind_core(py::module_& m) {
  py::enum_<Lateral>(m, "Lateral", "Lateral boundary of the patch")
      .value("periodic", Lateral::periodic)
      .value("zero_flux", Lateral::zero_flux);

  py::class_<Grid>(m, "Grid",
                   "Cell-centred finite-volume grid: x, y uniform (m), z graded (m, 0 at the "
                   "surface, inward).")
      .def(py::init<int, int, double, double, std::vector<double>, Lateral>(), py::arg("nx"),
           py::arg("ny"), py::arg("lx"), py::arg("ly"), py::arg("z_faces"),
           py::arg("lateral") = Lateral::periodic,
           "nx × ny cells over lx × ly metres; z_faces: nz+1 increasing depths in metres")
      .def_static("uniform", &Grid::uniform, py::arg("nx"), py::arg("ny"), py::arg("nz"),
                  py::arg("lx"), py::arg("ly"), py::arg("lz"),
                  py::arg("lateral") = Lateral::periodic)
      .def_property_readonly("nx", &Grid::nx)
      .def_property_readonly("ny", &Grid::ny)
      .def_property_readonly("nz", &Grid::nz)
      .def_property_readonly("shape", [](const Grid& g) { return py::make_tuple(g.nz(), g.ny(), g.nx()); },
                             "(nz, ny, nx)")
      .def_property_readonly("size", &Grid::size)
      .def_property_readonly("dimension", &Grid::dimension)
      .def_property_readonly("lx", &Grid::lx)
      .def_property_readonly("ly", &Grid::ly)
      .def_property_readonly("dx", &Grid::dx)
      .def_property_readonly("dy", &Grid::dy)
      .def_property_readonly("depth", &Grid::depth)
      .def_property_readonly("lateral", &Grid::lateral)
      .def_property_readonly("z_faces", &Grid::z_faces)
      .def_property_readonly("z", &Grid::z_centres, "cell-centre depths (m)")
      .def_property_readonly("dz", &Grid::dz)
      .def_property_readonly("x", [](const Grid& g) {
        std::vector<double> x(g.nx());
        for (int i = 0; i < g.nx(); ++i) x[i] = g.x_centre(i);
        return x;
      })
      .def_property_readonly("y", [](const Grid& g) {
        std::vector<double> y(g.ny());
        for (int j = 0; j < g.ny(); ++j) y[j] = g.y_centre(j);
        return y;
      })
      .def("__repr__", [](const Grid& g) {
        return "Grid(nx=" + std::to_string(g.nx()) + ", ny=" + std::to_string(g.ny()) +
               ", nz=" + std::to_string(g.nz()) + ", lx=" + detail::fmt(g.lx()) +
               " m, ly=" + detail::fmt(g.ly()) + " m, depth=" + detail::fmt(g.depth()) + " m)";
      });

  m.def("graded_z_faces", &graded_z_faces, py::arg("interfaces"), py::arg("h_min"),
        py::arg("h_max"), py::arg("growth") = 1.15, py::arg("min_cells") = 2,
        "Graded z faces (m) with a face on every interface depth (m).");

  py::class_<FieldSet>(m, "FieldSet",
                       "Species on a grid, one contiguous array each; f['name'] is a writable "
                       "numpy view (nz, ny, nx) without copy.")
      .def(py::init<const Grid&, std::vector<std::string>, double>(), py::arg("grid"),
           py::arg("names"), py::arg("init") = 0.0)
      .def_property_readonly("grid", &FieldSet::grid)
      .def_property_readonly("names", &FieldSet::names)
      .def("integral", [](const FieldSet& f, const std::string& n) { return f.integral(f.index(n)); },
           py::arg("name"), "∫ u dV (value × m³)")
      .def("__getitem__", [](py::object self, const std::string& name) {
        FieldSet& f = self.cast<FieldSet&>();
        return species_view(f, f.index(name), self);
      })
      .def("__setitem__", [](FieldSet& f, const std::string& name, py::array_t<double, py::array::c_style | py::array::forcecast> a) {
        const std::size_t s = f.index(name);
        if (std::size_t(a.size()) != f.cells())
          throw invalid_argument("value for species '" + name + "' has " + std::to_string(a.size()) +
                                 " elements; expected " + std::to_string(f.cells()));
        std::copy(a.data(), a.data() + a.size(), f.data(s));
      })
      .def("__len__", &FieldSet::species)
      .def("copy", [](const FieldSet& f) { return FieldSet(f); })
      .def("__repr__", [](const FieldSet& f) {
        std::string n;
        for (auto& s : f.names()) n += (n.empty() ? "" : ", ") + s;
        return "FieldSet([" + n + "], shape=(" + std::to_string(f.grid().nz()) + ", " +
               std::to_string(f.grid().ny()) + ", " + std::to_string(f.grid().nx()) + "))";
      });

  m.def("max_threads", &max_threads, "OpenMP threads that a parallel region would use");
  m.def("set_threads", &set_threads, py::arg("n"), "Set the OpenMP thread count (n >= 1)");
}

}  // namespace dermasim::bindings
