// dermasim/modules/tracer.hpp — a passive tracer of the injured tissue: the worked example of
// a module (docs/architecture.md, "Writing a module").
//
// Each session deposits the tracer where the needles damaged tissue, c += c_dep φ (φ the damage
// fraction of the voxel: a dye carried into the lumens and the crush halo); it diffuses with D
// (dermis and hypodermis; 0 in the epidermis) and is cleared at k. Observable: the mean over
// the dermis (PD + RD) and the total per skin area. With k = 0 and zero-flux faces the total
// is conserved (tests/cpp/model/test_modules.cpp).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "dermasim/core/units.hpp"
#include "dermasim/model/module.hpp"

namespace dermasim::modules {

class Tracer : public model::Module {
 public:
  std::string name() const override { return "tracer"; }
  std::string doc() const override {
    return "passive tracer deposited in the damaged tissue, diffusing in the dermis and cleared at a "
           "first-order rate (a worked example of a module)";
  }
  std::vector<model::SpeciesDecl> species() const override {
    model::SpeciesDecl d{"tracer", "-", 1e-6};
    const double D = param("diffusivity");
    for (int l = 0; l < n_layers; ++l)
      d.D[l] = (l == int(Layer::stratum_corneum) || l == int(Layer::viable_epidermis)) ? 0.0 : D;
    return {d};
  }
  std::vector<model::ParamDecl> parameters() const override {
    return {{"diffusivity", "mm^2/h", units::mm2_per_h, 0, 1, 0.01, "[P] a small dye, 0.01 mm^2/h"},
            {"decay", "1/day", 1.0 / units::day, 0, 100, 0.5, "[P] lymphatic clearance over days"},
            {"deposit", "-", 1.0, 0, 1e3, 1.0, "[P] tracer per unit damage fraction"}};
  }
  std::vector<model::ObservableDecl> observables() const override {
    return {{"tracer_dermis", "-"}, {"tracer_total", "m"}};
  }
  void bind(const model::Binding& b) override {
    Module::bind(b);
    s_ = idx("tracer");
    k_ = param("decay");
  }
  void rates(double, int, const double*, double* P, double* L) const override {
    P[s_] = 0.0;
    L[s_] = k_;
  }
  void on_injury(FieldSet& u, const InjuryField& inj) const override {
    const double c = param("deposit");
    for (std::size_t i = 0; i < u.cells(); ++i) u[s_][i] += c * std::clamp(inj.damage[i], 0.0, 1.0);
  }
  void observe(double, const FieldSet& u, double* out) const override {
    const Grid& g = *b_.grid;
    const std::size_t P = g.plane();
    double dermis = 0, dV = 0, total = 0;
    for (int k = 0; k < g.nz(); ++k) {
      double sum = 0;
      for (std::size_t c = 0; c < P; ++c) sum += u[s_][std::size_t(k) * P + c];
      const double w = g.dz()[k] / double(P);
      total += sum * w;
      const auto l = Layer(b_.layer[k]);
      if (l == Layer::papillary_dermis || l == Layer::reticular_dermis) {
        dermis += sum * w;
        dV += g.dz()[k];
      }
    }
    out[0] = dV > 0 ? dermis / dV : 0.0;
    out[1] = total;
  }

 private:
  std::size_t s_ = 0;
  double k_ = 0.0;
};

}  // namespace dermasim::modules
