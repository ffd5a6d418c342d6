// dermasim/healing/core/all.hpp — the core modules of the healing model, in the
// order their rates are evaluated (the one list of them). Each declares its
// species (a `CoreSpecies` row per species: healing/species.hpp), the parameter
// groups it reads, its rates and, where it has one, its response to a needling
// session. The composite (healing/model.hpp) calls them through a fold over
// this tuple, so the calls are inlined and the arithmetic is that of one
// function.
#pragma once

#include <array>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "dermasim/core/error.hpp"
#include "dermasim/healing/core/channels.hpp"
#include "dermasim/healing/core/fibroblasts.hpp"
#include "dermasim/healing/core/flare.hpp"
#include "dermasim/healing/core/growth_factors.hpp"
#include "dermasim/healing/core/inflammation.hpp"
#include "dermasim/healing/core/matrix.hpp"
#include "dermasim/healing/core/pigmentation.hpp"

namespace dermasim::healing {

namespace core {
using Modules = std::tuple<Inflammation, GrowthFactors, Fibroblasts, Matrix, Channels, Flare, Pigmentation>;

template <class M, class = void>
struct has_on_injury : std::false_type {};
template <class M>
struct has_on_injury<M, std::void_t<decltype(&M::on_injury)>> : std::true_type {};

/// Calls f(M{}) for each core module M, in order.
template <class F>
void for_each(F&& f) {
  std::apply([&](auto... m) { (f(m), ...); }, Modules{});
}
}  // namespace core

/// A core module as plain data (the catalog: ds.modules()["healing"]["parts"]).
struct CoreModuleInfo {
  std::string name, doc;
  std::vector<std::string> species, parameter_groups;
};

inline std::vector<CoreModuleInfo> core_modules() {
  std::vector<CoreModuleInfo> out;
  core::for_each([&](auto m) {
    using M = decltype(m);
    CoreModuleInfo i{M::name, M::doc, {}, {}};
    for (const auto& s : M::species()) i.species.push_back(s.name);
    for (const char* g : M::parameter_groups()) i.parameter_groups.push_back(g);
    out.push_back(i);
  });
  return out;
}

/// Every core species, in `Species` order, collected from the core modules;
/// each id must be declared by exactly one module.
inline const std::array<CoreSpecies, n_species>& core_species() {
  static const std::array<CoreSpecies, n_species> t = [] {
    std::array<CoreSpecies, n_species> a{};
    std::array<bool, n_species> seen{};
    core::for_each([&](auto m) {
      for (const auto& s : decltype(m)::species()) {
        if (s.id >= n_species || seen[s.id])
          throw invalid_argument(std::string("core module ") + decltype(m)::name + ": species '" + s.name +
                                 "' is out of range or declared twice");
        seen[s.id] = true;
        a[s.id] = s;
      }
    });
    for (std::size_t i = 0; i < n_species; ++i)
      if (!seen[i]) throw invalid_argument("core modules: species index " + std::to_string(i) + " is declared by none");
    return a;
  }();
  return t;
}

inline std::vector<std::string> species_names() {
  std::vector<std::string> n;
  for (const auto& s : core_species()) n.push_back(s.name);
  return n;
}
inline std::vector<std::string> species_units() {
  std::vector<std::string> u;
  for (const auto& s : core_species()) u.push_back(s.unit);
  return u;
}

}  // namespace dermasim::healing
