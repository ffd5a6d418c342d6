// dermasim/core/version.hpp — the library version. The single source is pyproject.toml; CMake
// reads it from there and passes DERMASIM_VERSION_STRING as a compile definition.
#pragma once

#ifndef DERMASIM_VERSION_STRING
#define DERMASIM_VERSION_STRING "0.0.0+unknown"
#endif

namespace dermasim {
inline constexpr const char* version = DERMASIM_VERSION_STRING;
}
