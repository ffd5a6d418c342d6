// dermasim/core/error.hpp — the exception family and input validation helpers.
//
// Every message names the parameter, the offending value and the valid range, so a user can
// fix the input without reading code. Python maps invalid_argument -> ValueError subclass and
// io_error -> OSError subclass.
#pragma once

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace dermasim {

/// Base class of every dermasim exception.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad user input: a value out of range, NaN, mismatched sizes, unknown keys.
class invalid_argument : public error {
 public:
  using error::error;
};

/// File problems: cannot open, corrupt or foreign HDF5, failed atomic replace.
class io_error : public error {
 public:
  using error::error;
};

/// A run was stopped by an observer / user interrupt; results so far are kept.
class interrupted : public error {
 public:
  using error::error;
};

namespace detail {
inline std::string fmt(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}
}  // namespace detail

/// Throws invalid_argument unless v is finite and lo <= v <= hi (unit is for the message).
inline void require_range(const std::string& name, double v, double lo, double hi,
                          const std::string& unit = "") {
  if (!std::isfinite(v) || v < lo || v > hi) {
    const std::string u = unit.empty() ? "" : " " + unit;
    throw invalid_argument(name + " = " + detail::fmt(v) + u + " is out of range; valid range is [" +
                           detail::fmt(lo) + ", " + detail::fmt(hi) + "]" + u);
  }
}

/// Throws unless v is finite and strictly positive.
inline void require_positive(const std::string& name, double v, const std::string& unit = "") {
  if (!std::isfinite(v) || !(v > 0.0)) {
    const std::string u = unit.empty() ? "" : " " + unit;
    throw invalid_argument(name + " = " + detail::fmt(v) + u +
                           " is invalid; it must be finite and > 0" + u);
  }
}

/// Throws unless v is finite and >= 0.
inline void require_nonnegative(const std::string& name, double v, const std::string& unit = "") {
  if (!std::isfinite(v) || v < 0.0) {
    const std::string u = unit.empty() ? "" : " " + unit;
    throw invalid_argument(name + " = " + detail::fmt(v) + u +
                           " is invalid; it must be finite and >= 0" + u);
  }
}

// Fast paths for literal names (the hot per-step checks): no std::string is built unless the
// check fails.
inline void require_range(const char* name, double v, double lo, double hi, const char* unit = "") {
  if (!std::isfinite(v) || v < lo || v > hi) require_range(std::string(name), v, lo, hi, std::string(unit));
}
inline void require_positive(const char* name, double v, const char* unit = "") {
  if (!std::isfinite(v) || !(v > 0.0)) require_positive(std::string(name), v, std::string(unit));
}
inline void require_nonnegative(const char* name, double v, const char* unit = "") {
  if (!std::isfinite(v) || v < 0.0) require_nonnegative(std::string(name), v, std::string(unit));
}

/// Throws unless the integer count is in [lo, hi].
inline void require_count(const std::string& name, long long v, long long lo, long long hi) {
  if (v < lo || v > hi) {
    throw invalid_argument(name + " = " + std::to_string(v) + " is out of range; valid range is [" +
                           std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
}

/// Throws unless two sizes agree.
inline void require_same_size(const std::string& name, std::size_t got, std::size_t expected) {
  if (got != expected) {
    throw invalid_argument(name + " has size " + std::to_string(got) + "; expected " +
                           std::to_string(expected));
  }
}

}  // namespace dermasim
