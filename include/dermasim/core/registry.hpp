// dermasim/core/registry.hpp — parameters addressable by dotted name (one mechanism for every
// parameter struct: the healing model, the insertion mechanics, ...).
//
// A struct P derives from ParamRegistry<P> and provides
//   static const std::vector<ParamInfo<P>>& registry();   // name, member, unit, to_SI, range, source
//   static constexpr const char* registry_prefix = "healing.";
//   static constexpr const char* registry_kind = "healing";            // for error messages
//   static constexpr const char* registry_doc = "docs/model.md §5";
// and gets get/set/find/names by dotted name (with or without the prefix) and the range check
// of every registered member, each error naming the parameter and its valid range.
#pragma once

#include <string>
#include <vector>

#include "dermasim/core/error.hpp"

namespace dermasim {

template <class P>
struct ParamInfo {
  const char* name;    ///< dotted name within the prefix
  double P::*member;
  const char* unit;    ///< display unit ("-" for dimensionless)
  double to_si;        ///< display value × to_si = SI value
  double lo, hi;       ///< valid range, display unit
  const char* source;  ///< [V]/[C]/[R]/[P]/[F] with reference
};

template <class P>
struct ParamRegistry {
  using Info = ParamInfo<P>;

  static const Info& find(const std::string& name) {
    const std::string pre = P::registry_prefix;
    const std::string key = name.rfind(pre, 0) == 0 ? name.substr(pre.size()) : name;
    for (const auto& i : P::registry())
      if (key == i.name) return i;
    throw invalid_argument("unknown " + std::string(P::registry_kind) + " parameter '" + name + "'; see " +
                           std::string(P::registry_doc));
  }
  /// Every dotted name (with the prefix).
  static std::vector<std::string> names() {
    std::vector<std::string> n;
    for (const auto& i : P::registry()) n.push_back(std::string(P::registry_prefix) + i.name);
    return n;
  }
  /// SI value by dotted name.
  double get(const std::string& name) const { return self().*(find(name).member); }
  /// Set by dotted name, in SI; throws invalid_argument naming the valid range.
  void set(const std::string& name, double si_value) {
    const Info& i = find(name);
    check(i, si_value);
    static_cast<P&>(*this).*(i.member) = si_value;
  }
  /// Range check of every registered member.
  void validate_registered() const {
    for (const auto& i : P::registry()) check(i, self().*(i.member));
  }

 private:
  const P& self() const { return static_cast<const P&>(*this); }
  static void check(const Info& i, double si) {
    require_range(std::string(P::registry_prefix) + i.name, si / i.to_si, i.lo, i.hi,
                  std::string(i.unit) == "-" ? "" : i.unit);
  }
};

}  // namespace dermasim
