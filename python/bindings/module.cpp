// dermasim._core — the compiled part of the dermasim Python package.
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "dermasim/core/error.hpp"
#include "dermasim/core/version.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
  m.doc() = "dermasim C++ core (use the pure-Python package `dermasim`)";
  m.attr("__version__") = dermasim::version;
  // Exceptions: invalid input -> ValueError subclass, file problems -> OSError subclass.
  static py::exception<dermasim::error> base(m, "DermasimError", PyExc_RuntimeError);
  static py::exception<dermasim::invalid_argument> inv(m, "InvalidArgumentError", PyExc_ValueError);
  static py::exception<dermasim::io_error> ioe(m, "FileFormatError", PyExc_OSError);
  static py::exception<dermasim::interrupted> intr(m, "Interrupted", base.ptr());
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const dermasim::invalid_argument& e) {
      inv(e.what());
    } catch (const dermasim::io_error& e) {
      ioe(e.what());
    } catch (const dermasim::interrupted& e) {
      intr(e.what());
    } catch (const dermasim::error& e) {
      base(e.what());
    }
  });
  dermasim::bindings::bind_core(m);
  dermasim::bindings::bind_numerics(m);
  dermasim::bindings::bind_io(m);
  dermasim::bindings::bind_observer(m);
  dermasim::bindings::bind_skin(m);
  dermasim::bindings::bind_treatment(m);
  dermasim::bindings::bind_healing(m);
}
