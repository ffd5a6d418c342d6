// Declarations of the per-area binding functions (one bind_<area>.cpp each). No physics here:
// the bindings only convert types and release the GIL around long calls.
#pragma once
#include <pybind11/pybind11.h>

namespace dermasim::bindings {
void bind_core(pybind11::module_& m);
void bind_numerics(pybind11::module_& m);
void bind_io(pybind11::module_& m);
void bind_observer(pybind11::module_& m);  // Schedule, PyObserver: Python trackers
void bind_skin(pybind11::module_& m);  // skin, devices, penetration, injury
void bind_healing(pybind11::module_& m);  // healing model, Scenario/Result, simulate
}  // namespace dermasim::bindings
