// Bindings of dermasim::io (HDF5 reading helpers used to check C++-written files).
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "dermasim/io/hdf5.hpp"

namespace py = pybind11;

namespace dermasim::bindings {

void bind_io(py::module_& m) {
  py::class_<io::H5Writer>(m, "H5Writer",
                           "Atomic HDF5 writer: writes to a temporary file, commit() renames it.")
      .def(py::init<const std::string&>(), py::arg("path"))
      .def("write_grid", &io::H5Writer::write_grid)
      .def("append_snapshot", &io::H5Writer::append_snapshot, py::arg("fields"), py::arg("t"),
           py::arg("species") = std::vector<std::string>{})
      .def("write_array", &io::H5Writer::write_array, py::arg("name"), py::arg("data"),
           py::arg("dims"))
      .def("set_attribute", py::overload_cast<const std::string&, const std::string&>(&io::H5Writer::set_attribute))
      .def("set_attribute", py::overload_cast<const std::string&, double>(&io::H5Writer::set_attribute))
      .def("commit", &io::H5Writer::commit);
  m.def("read_array", [](const std::string& p, const std::string& d) {
    std::vector<std::size_t> dims;
    auto v = io::read_array(p, d, &dims);
    return py::make_tuple(v, dims);
  }, py::arg("path"), py::arg("dataset"));
  m.attr("SEAL_BYTES") = io::kSealBytes;
  m.def("write_sealed", [](const std::string& path, py::buffer image) {
    const py::buffer_info b = image.request();
    if (b.ndim != 1 || b.itemsize != 1) throw invalid_argument("write_sealed: expected bytes");
    py::gil_scoped_release rel;
    io::write_sealed(path, b.ptr, std::size_t(b.size));
  }, py::arg("path"), py::arg("image"),
        "Write an HDF5 file image (bytes of a file made with a SEAL_BYTES user block) to path, sealed,\n"
        "verified and atomically (FileFormatError naming path on failure; the previous file is kept).");
  m.def("verify_seal", &io::verify_seal, py::arg("path"), py::call_guard<py::gil_scoped_release>(),
        "'sealed' (intact), 'unsealed' (a plain HDF5 file without a seal); FileFormatError naming the\n"
        "file if the seal or any byte it covers is damaged.");
}

}  // namespace dermasim::bindings
