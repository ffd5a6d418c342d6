// dermasim/numerics/splitting.hpp — operators of a split step and their Strang composition.
//
// A SplitOperator advances the state by one of the physical processes (reaction, diffusion,
// chemotaxis, ...) over [t, t + dt]. StrangSplitting composes n operators symmetrically:
//     A₁(dt/2) … A_{n−1}(dt/2) A_n(dt) A_{n−1}(dt/2) … A₁(dt/2)
// which is second order when every Aᵢ is (Strang 1968); the overall order is reported as
// min(2, min orders) and used by the adaptive controller.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dermasim/core/field.hpp"
#include "dermasim/numerics/chemotaxis.hpp"
#include "dermasim/numerics/diffusion.hpp"
#include "dermasim/numerics/reaction.hpp"

namespace dermasim {

class SplitOperator {
 public:
  virtual ~SplitOperator() = default;
  virtual void advance(FieldSet& u, double t, double dt) = 0;
  virtual int order() const = 0;
  virtual std::string name() const = 0;
};

class DiffusionOperator : public SplitOperator {
 public:
  explicit DiffusionOperator(DiffusionSolver solver) : s_(std::move(solver)) {}
  void advance(FieldSet& u, double, double dt) override { s_.step(u, dt); }
  int order() const override { return s_.order(); }
  std::string name() const override { return "diffusion"; }
  DiffusionSolver& solver() { return s_; }

 private:
  DiffusionSolver s_;
};

class ChemotaxisSplitOperator : public SplitOperator {
 public:
  explicit ChemotaxisSplitOperator(ChemotaxisOperator op) : op_(std::move(op)) {}
  void advance(FieldSet& u, double, double dt) override { op_.step(u, dt); }
  int order() const override { return 1; }  // forward-Euler sub-steps (MUSCL in space)
  std::string name() const override { return "chemotaxis"; }
  ChemotaxisOperator& op() { return op_; }

 private:
  ChemotaxisOperator op_;
};

template <class Kinetics>
class ReactionOperator : public SplitOperator {
 public:
  explicit ReactionOperator(Kinetics k, int order = 2) : k_(std::move(k)), order_(order) {}
  void advance(FieldSet& u, double, double dt) override { patankar_step(u, k_, dt, order_); }
  int order() const override { return order_; }
  std::string name() const override { return "reaction"; }
  Kinetics& kinetics() { return k_; }

 private:
  Kinetics k_;
  int order_;
};

/// An operator given as a function: e.g. a model's own operators, which it keeps (and
/// updates: occlusion, time) itself and hands to the splitting by reference.
class FunctionOperator : public SplitOperator {
 public:
  using Fn = std::function<void(FieldSet&, double, double)>;
  FunctionOperator(std::string name, int order, Fn f) : name_(std::move(name)), order_(order), f_(std::move(f)) {}
  void advance(FieldSet& u, double t, double dt) override { f_(u, t, dt); }
  int order() const override { return order_; }
  std::string name() const override { return name_; }

 private:
  std::string name_;
  int order_;
  Fn f_;
};

class StrangSplitting {
 public:
  StrangSplitting() = default;
  explicit StrangSplitting(std::vector<std::shared_ptr<SplitOperator>> ops) : ops_(std::move(ops)) {
    if (ops_.empty()) throw invalid_argument("StrangSplitting needs at least one operator");
    for (auto& o : ops_)
      if (!o) throw invalid_argument("StrangSplitting was given a null operator");
  }
  void step(FieldSet& u, double t, double dt) {
    const std::size_t n = ops_.size();
    if (n == 1) {
      ops_[0]->advance(u, t, dt);
      return;
    }
    const double h = 0.5 * dt;
    for (std::size_t i = 0; i + 1 < n; ++i) ops_[i]->advance(u, t, h);
    ops_[n - 1]->advance(u, t, dt);
    for (std::size_t i = n - 1; i-- > 0;) ops_[i]->advance(u, t + h, h);
  }
  int order() const {
    int o = 2;
    for (auto& op : ops_) o = std::min(o, op->order());
    return o;
  }
  const std::vector<std::shared_ptr<SplitOperator>>& operators() const { return ops_; }

 private:
  std::vector<std::shared_ptr<SplitOperator>> ops_;
};

}  // namespace dermasim
