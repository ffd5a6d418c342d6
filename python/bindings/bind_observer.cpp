// Bindings of scheduled observers (core/observer.hpp) for the Python trackers.
//
// A long C++ call (simulate, a stepper's advance) releases the GIL; a PyObserver takes it back
// only when its schedule fires, calls the Python callable with (t, fields, stats) — `fields` is
// the live FieldSet, valid only during the call (numpy views without copies) — and returns to
// C++. A Python exception inside the callable (KeyboardInterrupt from Ctrl-C included) stops the
// run cleanly (observe returns false) and is kept in `error` for the caller to re-raise after
// the C++ call returns. `check_signals()` lets Ctrl-C stop a run whose trackers are all quiet.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "dermasim/core/field.hpp"
#include "dermasim/core/observer.hpp"

namespace py = pybind11;

namespace dermasim::bindings {

namespace {

class PyObserver : public Observer {
 public:
  PyObserver(Schedule s, py::function fn, bool check_signals)
      : Observer(std::move(s)), fn_(std::move(fn)), check_signals_(check_signals) {}
  ~PyObserver() override {
    py::gil_scoped_acquire gil;
    fn_ = py::function();
    error_ = py::object();
  }

  bool observe(double t, const FieldSet& u, const StepStats& st) override {
    py::gil_scoped_acquire gil;
    if (error_) return false;
    try {
      if (check_signals_ && PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (!fn_) return true;
      py::object r = fn_(t, py::cast(&u, py::return_value_policy::reference), st);
      return r.is_none() || r.cast<bool>();
    } catch (py::error_already_set& e) {
      error_ = e.value();  // the exception object; re-raised by the caller after the run
      return false;
    }
  }

  py::object error() const { return error_ ? error_ : py::none(); }
  void clear_error() { error_ = py::object(); }

 private:
  py::function fn_;
  bool check_signals_;
  py::object error_;
};

}  // namespace

void bind_observer(py::module_& m) {
  py::class_<Schedule>(m, "Schedule", "When an observer fires (simulated time, s)")
      .def_static("fixed", &Schedule::fixed, py::arg("interval"), py::arg("start") = 0.0,
                  "every `interval` s from `start`")
      .def_static("geometric", &Schedule::geometric, py::arg("first"), py::arg("factor"),
                  py::arg("start") = 0.0, "at start, start + first, start + first·factor, ...")
      .def_static("at", &Schedule::at, py::arg("times"), "at the given times")
      .def_static("never", &Schedule::never)
      .def_static("wall", &Schedule::wall, py::arg("period"),
                  "every `period` s of wall-clock time, checked at every step end (interrupt "
                  "checks, run-time limits): bounded reaction time whatever the step size")
      .def_property_readonly("is_wall", &Schedule::is_wall)
      .def("next_after", &Schedule::next_after, py::arg("t"))
      .def("includes", &Schedule::includes, py::arg("t"));

  py::class_<StepStats>(m, "StepStats", "Counters of a time integration")
      .def(py::init<>())
      .def_readonly("accepted", &StepStats::accepted)
      .def_readonly("rejected", &StepStats::rejected)
      .def_readonly("dt_last", &StepStats::dt_last)
      .def_readonly("dt_min", &StepStats::dt_min)
      .def_readonly("dt_max", &StepStats::dt_max)
      .def_readonly("error_last", &StepStats::error_last);

  py::class_<Observer>(m, "Observer", "A scheduled observer (C++ base class)")
      .def_property_readonly("schedule", &Observer::schedule);

  py::class_<PyObserver, Observer>(
      m, "PyObserver",
      "Calls fn(t, fields, stats) at the schedule's times with the GIL held (only then); a "
      "falsy return (other than None) or an exception stops the run; the exception is kept in "
      "`error`. check_signals=True also stops the run on Ctrl-C.")
      .def(py::init<Schedule, py::function, bool>(), py::arg("schedule"), py::arg("fn"),
           py::arg("check_signals") = false)
      .def("observe",
           [](PyObserver& o, double t, const FieldSet& u, const StepStats& st) {
             return o.observe(t, u, st);
           },
           py::arg("t"), py::arg("fields"), py::arg("stats") = StepStats{},
           "call it by hand (tests; pure-Python drivers)")
      .def_property("at_step_end", &PyObserver::at_step_end, &PyObserver::set_at_step_end,
                    "fire at the end of the step that passes each scheduled time, with the "
                    "state there, instead of landing on it (no cut steps: for progress and "
                    "interrupt checks)")
      .def_property("interpolated", &PyObserver::interpolated, &PyObserver::set_interpolated,
                    "fire at the scheduled times with the interpolated state (no cut steps)")
      .def_property_readonly("error", &PyObserver::error)
      .def("clear_error", &PyObserver::clear_error);
}

}  // namespace dermasim::bindings
