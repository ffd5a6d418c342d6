// Helpers shared by the C++ test suites.
#pragma once

#include <functional>
#include <string>

#include "dermasim/core/error.hpp"

namespace dstest {
/// The message of the invalid_argument that f throws, or "" if it throws none.
inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const dermasim::invalid_argument& e) {
    return e.what();
  }
  return "";
}
}  // namespace dstest
