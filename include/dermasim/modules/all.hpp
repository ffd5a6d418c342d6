// dermasim/modules/all.hpp — the modules of this build: one registration line each
// (docs/architecture.md, "Writing a module"). Scenario::modules enables them by name.
#pragma once

#include "dermasim/model/module.hpp"
#include "dermasim/modules/topical.hpp"
#include "dermasim/modules/tracer.hpp"

namespace dermasim::modules {
inline const bool registered_tracer = model::ModuleRegistry::instance().add<Tracer>();
inline const bool registered_topical = model::ModuleRegistry::instance().add<Topical>();
}  // namespace dermasim::modules
