// Bindings of dermasim::io: the one HDF5 writer (wrapped by dermasim.io.ResultWriter and
// write_checkpoint), write_sealed and the reading helpers used to check C++-written files.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "dermasim/io/hdf5.hpp"

namespace py = pybind11;

namespace dermasim::bindings {
namespace {

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;
template <class T>
using SetAttribute = void (io::H5Writer::*)(const std::string&, T, const std::string&);

std::vector<double> to_vector(const Doubles& a) { return std::vector<double>(a.data(), a.data() + a.size()); }

const char* bytes_of(const py::buffer_info& b, const char* what) {
  if (b.ndim != 1 || b.itemsize != 1) throw invalid_argument(std::string(what) + ": expected bytes");
  return static_cast<const char*>(b.ptr);
}

/// Attributes (str, int64, uint64, float64: tried in this order) and the commit.
void bind_writer_attributes(py::class_<io::H5Writer>& w) {
  w.def("set_attribute", static_cast<SetAttribute<const std::string&>>(&io::H5Writer::set_attribute), py::arg("key"),
        py::arg("value"), py::arg("object") = "/")
      .def("set_attribute", static_cast<SetAttribute<std::int64_t>>(&io::H5Writer::set_attribute), py::arg("key"),
           py::arg("value"), py::arg("object") = "/")
      .def("set_attribute", static_cast<SetAttribute<std::uint64_t>>(&io::H5Writer::set_attribute), py::arg("key"),
           py::arg("value"), py::arg("object") = "/")
      .def("set_attribute", static_cast<SetAttribute<double>>(&io::H5Writer::set_attribute), py::arg("key"),
           py::arg("value"), py::arg("object") = "/")
      // the GIL is held through every HDF5 call (HDF5 need not be built thread-safe) and
      // released for the sealed write (checked writes, fsync, read-back: no HDF5)
      .def(
          "commit",
          [](io::H5Writer& w, bool complete) {
            const std::string image = w.finish(complete);
            py::gil_scoped_release rel;
            w.write_image(image);
          },
          py::arg("complete") = true);
}

void bind_writer(py::module_& m) {
  py::class_<io::H5Writer> w(m, "H5Writer",
                           "The HDF5 writer of result files and checkpoints (dermasim/io/hdf5.hpp): built in memory,\n"
                           "read back and written sealed and atomically by commit().");
  w.def(py::init<const std::string&, int>(), py::arg("path"), py::arg("compression") = 4)
      .def_property_readonly("path", &io::H5Writer::path)
      .def("write_grid", py::overload_cast<const Grid&, std::vector<std::int8_t>>(&io::H5Writer::write_grid),
           py::arg("grid"), py::arg("layer") = std::vector<std::int8_t>{})
      .def(
          "write_grid",
          [](io::H5Writer& w, const Doubles& x, const Doubles& y, const Doubles& z, const Doubles& x_faces,
             const Doubles& y_faces, const Doubles& z_faces,
             const py::array_t<std::int8_t, py::array::c_style | py::array::forcecast>& layer) {
            io::GridAxes a{to_vector(x),
                           to_vector(y),
                           to_vector(z),
                           to_vector(x_faces),
                           to_vector(y_faces),
                           to_vector(z_faces),
                           std::vector<std::int8_t>(layer.data(), layer.data() + layer.size())};
            w.write_grid(a);
          },
          py::arg("x"), py::arg("y"), py::arg("z"), py::arg("x_faces"), py::arg("y_faces"), py::arg("z_faces"),
          py::arg("layer"), "/grid from 1-D arrays (centres and faces, m); an empty layer: no /grid/layer.")
      .def("append_snapshot",
           py::overload_cast<const FieldSet&, double, const std::vector<std::string>&>(&io::H5Writer::append_snapshot),
           py::arg("fields"), py::arg("t"), py::arg("species") = std::vector<std::string>{})
      .def(
          "append_snapshot",
          [](io::H5Writer& w, double t, const std::vector<std::pair<std::string, Doubles>>& fields) {
            std::vector<io::FieldData> f;
            f.reserve(fields.size());
            for (const auto& [name, a] : fields) f.push_back({name, a.data(), std::size_t(a.size())});
            w.append_snapshot(t, f);
          },
          py::arg("t"), py::arg("fields"), "A snapshot from (name, array of nz*ny*nx values) pairs.")
      .def("append_outcomes", &io::H5Writer::append_outcomes, py::arg("t"), py::arg("row"))
      .def(
          "write_outcome_series",
          [](io::H5Writer& w, const Doubles& times, const std::vector<std::pair<std::string, Doubles>>& series) {
            std::vector<std::pair<std::string, std::vector<double>>> s;
            s.reserve(series.size());
            for (const auto& [name, a] : series) s.emplace_back(name, to_vector(a));
            w.write_outcome_series(to_vector(times), s);
          },
          py::arg("times"), py::arg("series"))
      .def("write_summary", &io::H5Writer::write_summary, py::arg("metric"), py::arg("value"))
      .def(
          "write_table",
          [](io::H5Writer& w, const std::string& name, const std::vector<std::pair<std::string, py::object>>& columns) {
            std::vector<io::TableColumn> c(columns.size());
            for (std::size_t k = 0; k < columns.size(); ++k) {
              c[k].name = columns[k].first;
              c[k].is_text = !py::isinstance<py::array>(columns[k].second);
              if (c[k].is_text)
                c[k].text = columns[k].second.cast<std::vector<std::string>>();
              else
                c[k].numbers = to_vector(columns[k].second.cast<Doubles>());
            }
            w.write_table(name, c);
          },
          py::arg("name"), py::arg("columns"),
          "Columns as (name, values) pairs: a numpy array (stored float64) or a list of str.")
      .def("set_units", &io::H5Writer::set_units, py::arg("units"))
      .def(
          "write_array",
          [](io::H5Writer& w, const std::string& name, const Doubles& a) {
            w.write_array(name, to_vector(a), std::vector<std::size_t>(a.shape(), a.shape() + a.ndim()));
          },
          py::arg("name"), py::arg("data"))
      .def(
          "write_bytes",
          [](io::H5Writer& w, const std::string& name, const py::buffer& data) {
            const py::buffer_info b = data.request();
            w.write_bytes(name, bytes_of(b, "write_bytes"), std::size_t(b.size));
          },
          py::arg("name"), py::arg("data"))
      .def("abort", &io::H5Writer::abort);
  bind_writer_attributes(w);
}

}  // namespace

void bind_io(py::module_& m) {
  bind_writer(m);
  m.def(
      "read_array",
      [](const std::string& p, const std::string& d) {
        std::vector<std::size_t> dims;
        auto v = io::read_array(p, d, &dims);
        return py::make_tuple(v, dims);
      },
      py::arg("path"), py::arg("dataset"));
  m.attr("SEAL_BYTES") = io::kSealBytes;
  m.def(
      "write_sealed",
      [](const std::string& path, py::buffer image) {
        const py::buffer_info b = image.request();
        const char* p = bytes_of(b, "write_sealed");
        py::gil_scoped_release rel;
        io::write_sealed(path, p, std::size_t(b.size));
      },
      py::arg("path"), py::arg("image"),
      "Write an HDF5 file image (bytes of a file made with a SEAL_BYTES user block) to path, sealed,\n"
      "verified and atomically (FileFormatError naming path on failure; the previous file is kept).");
  m.def("verify_seal", &io::verify_seal, py::arg("path"), py::call_guard<py::gil_scoped_release>(),
        "'sealed' (intact), 'unsealed' (a plain HDF5 file without a seal); FileFormatError naming the\n"
        "file if the seal or any byte it covers is damaged.");
}

}  // namespace dermasim::bindings
