// Declarations of the per-area binding functions (one bind_<area>.cpp each). No physics here:
// the bindings only convert types and release the GIL around long calls.
#pragma once
#include <pybind11/pybind11.h>

namespace dermasim::bindings {
void bind_core(pybind11::module_& m);
void bind_numerics(pybind11::module_& m);
void bind_io(pybind11::module_& m);
}  // namespace dermasim::bindings
