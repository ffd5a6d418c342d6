// dermasim/modules/topical.hpp — topical delivery through intact SC and the needle channels
// (issue 16; derivation and sources: docs/model.md §7).
//
// State (per column; "surface" species live on the top plane):
//   topical            tissue concentration c = K u (kg/m³ of tissue; u = c/K is the
//                      water-equivalent concentration, continuous across layer interfaces)
//   topical_donor      agent in the vehicle film, kg/m² (its concentration M / volume)
//   topical_cleared    cumulative clearance into the dermal capillaries, kg/m²
//   topical_lost       cumulative degradation + vehicle wiped off + joined the healing model, kg/m²
//   topical_applied    cumulative dose, kg/m²
//   topical_entered    cumulative flux into the skin (SC and channels), kg/m²
//   topical_to_dermis  cumulative flux into the dermis (across the DEJ and from channels), kg/m²
//   topical_channels   channel conductance geometry γ(z) of the last session, 1/m²
//   topical_open0      open fraction right after the last session per column, − (negative:
//                      a column holding a lumen but no open mouth, which follows the patch mean)
//   topical_intact_*   the same application on intact skin (no channels), in the same run
//
// Transport, one backward-Euler solve per (sub-)step, exactly conservative over the patch:
//   C_k du_k/dt = Σ_faces T (u_j − u_k) + G_k (a M − u_k) − λ_k C_k u_k,     C_k = K_k dz_k
//   dM/dt       = −Σ_k G_k (a M − u_k),                                         a = 1/(V K_v)
// with face transmissibilities T = 1/(dz/(2DK) + dz'/(2D'K')), the vehicle contact
// T_0 = 2 D_0 K_0 / dz_0 on the top cell, and channel conductances
// G_k = s γ_k D_k K_k dz_k (γ: steady radial conductance 2π/ln(R/r) of the lumens whose axis
// lies in the column, per column area, R the Krogh radius of the channel spacing; s = O/O₀ the
// fraction still open). The vehicle film M is one reservoir for the patch: each column's
// tridiagonal block is bordered by it, solved by two Thomas sweeps per column and one scalar.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "dermasim/core/parallel.hpp"
#include "dermasim/core/units.hpp"
#include "dermasim/model/module.hpp"
#include "dermasim/treatment/topical.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace dermasim::modules {

class Topical : public model::Module {
 public:
  enum : std::size_t { donor = 0, conc, cleared, lost, applied, entered, to_dermis, n_track };
  std::string name() const override { return "topical"; }
  std::string doc() const override {
    return "a topical agent through intact stratum corneum and the open needle channels into the viable "
           "epidermis and dermis, with degradation and capillary clearance; the same application on intact "
           "skin is computed alongside (enhancement)";
  }
  std::vector<model::ParamDecl> parameters() const override {
    return {{"clearance", "1/h", 1.0 / units::hour, 0, 1e3, 3.6,
             "[A/calc] perfusion-limited capillary clearance at vascular access 1: skin blood flow 5.7 mL/100 g/min "
             "(133Xe, leg) = 1e-3 /s (docs/model.md §7.3)"},
            {"join_time", "min", units::minute, 0.01, 1e4, 1.0,
             "[P] a growth factor (tgf_beta_yield > 0) joins the TGF-b pool of viable tissue at 1/join_time"}};
  }
  void set_applications(const std::vector<treatment::Topical>& apps) override {
    apps_ = apps;
    for (std::size_t i = 0; i < apps_.size(); ++i) {
      apps_[i].validate(treatment::application_name(apps_[i], i), treatment::application_note(apps_[i]));
      if (!(apps_[i].agent == apps_[0].agent))
        throw invalid_argument(treatment::application_name(apps_[i], i) + ".agent" +
                               treatment::application_note(apps_[i]) + " = '" + apps_[i].agent.name +
                               "' differs from the first application's ('" + apps_[0].agent.name +
                               "'): one agent per run");
    }
  }
  std::vector<model::SpeciesDecl> species() const override {
    const double cmax = scale();
    const double dmax = dose_scale();
    std::vector<model::SpeciesDecl> d;
    for (const char* pre : {"topical", "topical_intact"}) {
      const std::string p = pre;
      const bool intact = p != "topical";
      model::SpeciesDecl s;
      s.surface = true;
      s.conserved = true;
      s.unit = "kg/m^2";
      s.atol = 1e-4 * dmax;
      s.name = p + "_donor";
      d.push_back(s);
      model::SpeciesDecl c{p, "kg/m^3", 1e-4 * cmax};
      c.own_transport = true;
      c.conserved = true;
      if (!apps_.empty() && b_.skin) {
        const auto tr = transport();
        for (int l = 0; l < n_layers; ++l) c.D[l] = tr.D[l];
      }
      d.push_back(c);
      for (const char* n : {"_cleared", "_lost"}) s.name = p + n, d.push_back(s);
      if (!intact) s.name = p + "_applied", d.push_back(s);
      for (const char* n : {"_entered", "_to_dermis"}) s.name = p + n, d.push_back(s);
    }
    model::SpeciesDecl g{"topical_channels", "1/m^2", 1e3};
    g.own_transport = true;
    d.push_back(g);
    model::SpeciesDecl o{"topical_open0", "-", 1e-6};
    o.surface = true;
    d.push_back(o);
    return d;
  }
  std::vector<model::ObservableDecl> observables() const override {
    return {{"delivered_skin", "kg/m^2"},       {"delivered_sc", "kg/m^2"},
            {"delivered_epidermis", "kg/m^2"},  {"delivered_dermis", "kg/m^2"},
            {"delivered_hypodermis", "kg/m^2"}, {"delivered_cleared", "kg/m^2"},
            {"delivered_cumulative", "kg/m^2"}, {"delivered_cumulative_dermis", "kg/m^2"},
            {"delivered_intact_cumulative", "kg/m^2"}, {"delivered_intact_dermis", "kg/m^2"},
            {"topical_flux", "kg/m^2/s"},       {"topical_flux_dermis", "kg/m^2/s"},
            {"topical_intact_flux", "kg/m^2/s"}, {"topical_donor_left", "kg/m^2"},
            {"topical_balance_error", "-"}, {"topical_lost_total", "kg/m^2"},
            {"delivered_intact_past_sc", "kg/m^2"}};
  }

  void bind(const model::Binding& b) override {
    Module::bind(b);
    for (int j = 0; j < 2; ++j) {
      const std::string p = j ? "topical_intact" : "topical";
      auto& ix = j ? si_ : sn_;
      ix[donor] = idx(p + "_donor");
      ix[conc] = idx(p);
      ix[cleared] = idx(p + "_cleared");
      ix[lost] = idx(p + "_lost");
      ix[applied] = j ? idx("topical_applied") : idx(p + "_applied");
      ix[entered] = idx(p + "_entered");
      ix[to_dermis] = idx(p + "_to_dermis");
    }
    s_gamma_ = idx("topical_channels");
    s_open0_ = idx("topical_open0");
    s_open_ = idx("open_fraction");
    s_tgf_ = idx("tgf_beta");
    const Grid& g = *b.grid;
    const int nz = g.nz();
    K_.assign(nz, 1.0);
    DK_.assign(nz, 0.0);
    lam_.assign(nz, 0.0);
    clear_.assign(nz, 0.0);
    join_.assign(nz, 0.0);
    Tf_.assign(nz + 1, 0.0);
    dermal_.assign(nz, 0);
    if (apps_.empty()) return;
    const auto tr = transport();
    const auto& ag = apps_[0].agent;
    const auto& dz = g.dz();
    for (int k = 0; k < nz; ++k) {
      const int l = b.layer[k];
      K_[k] = tr.K[l];
      DK_[k] = tr.D[l] * tr.K[l];
      clear_[k] = param("clearance") * treatment::clearance_size_factor(ag.molecular_weight) *
                  b.skin->layers[l].vascular_access;
      join_[k] = (ag.tgf_beta_yield > 0 && l != int(Layer::stratum_corneum)) ? 1.0 / param("join_time") : 0.0;
      lam_[k] = clear_[k] + tr.k_deg + join_[k];
      dermal_[k] = l >= int(Layer::papillary_dermis);
    }
    for (int k = 1; k < nz; ++k) Tf_[k] = 1.0 / (dz[k - 1] / (2 * DK_[k - 1]) + dz[k] / (2 * DK_[k]));
    Tf_[0] = 2 * DK_[0] / dz[0];  // vehicle (well mixed) to the top cell
    Tf_[nz] = 0.0;                // zero flux at the bottom of the grid
    dej_ = 0;
    for (int k = 0; k < nz; ++k)
      if (dermal_[k]) {
        dej_ = k;
        break;
      }
    ensure_scratch();
    const std::size_t nb = (g.plane() + block - 1) / block;
    slab_.assign(nb * 3 * block * nz, 0.0);
    bsum_.assign(3 * nb, 0.0);
  }

  bool has_operator() const override { return !apps_.empty(); }

  void rates(double, int, const double*, double*, double*) const override {}  // all in advance()

  void on_injury(FieldSet& u, const InjuryField& inj) const override {
    if (apps_.empty()) return;
    const Grid& g = *b_.grid;
    const std::size_t P = g.plane();
    const auto& zf = g.z_faces();
    const double area = inj.grid.lx() * inj.grid.ly();
    const double n = inj.channels.size() / area;  // channels per m²
    const double R = n > 0 ? 1.0 / std::sqrt(M_PI * n) : 0.0;  // Krogh radius of the spacing
    // each lumen in the column that holds its axis (1D: the one column; 2D: by x), per area of
    // the column; lateral diffusion spreads what it delivers
    const double dx = g.lx() / g.nx(), dy = g.ly() / g.ny(), col_area = dx * dy;
    std::fill(u[s_gamma_].begin(), u[s_gamma_].end(), 0.0);
    for (const auto& ch : inj.channels) {
      const int ix = std::clamp(int(std::floor(ch.x / dx)), 0, g.nx() - 1);
      const int iy = std::clamp(int(std::floor(ch.y / dy)), 0, g.ny() - 1);
      const std::size_t c = std::size_t(iy) * g.nx() + ix;
      for (int k = 0; k < g.nz(); ++k) {
        const double f = std::clamp((ch.depth - zf[k]) / (zf[k + 1] - zf[k]), 0.0, 1.0);
        if (f <= 0) break;
        const double zc = zf[k] + 0.5 * f * (zf[k + 1] - zf[k]);
        const double r = std::max(1e-7, ch.surface_radius + (ch.tip_radius - ch.surface_radius) * zc / ch.depth);
        // steady radial conductance of a lumen of radius r in a Krogh cylinder of radius R;
        // ln(R/r) floored at 0.5 where the lumens nearly touch (docs/model.md §7.3)
        u[s_gamma_][std::size_t(k) * P + c] += f * 2 * M_PI / std::max(0.5, std::log(R / r)) / col_area;
      }
    }
    // the open fraction right after this session, per column (its closure scales the lumens);
    // a column holding an axis but no open mouth (a mouth narrower than the column, off-centre)
    // follows the patch mean instead (stored negative as the flag)
    const double o = mean_open(u);
    for (std::size_t c = 0; c < P; ++c) u[s_open0_][c] = u[s_open_][c] > 0 ? u[s_open_][c] : -o;
  }

  void begin_application(FieldSet& u, std::size_t i) const override {
    const double dose = apps_.at(i).dose();
    for (std::size_t c = 0; c < b_.grid->plane(); ++c) {
      u[sn_[donor]][c] += dose;
      u[si_[donor]][c] += dose;
      u[sn_[applied]][c] += dose;
    }
  }
  void end_application(FieldSet& u, std::size_t) const override {
    for (const auto* ix : {&sn_, &si_})
      for (std::size_t c = 0; c < b_.grid->plane(); ++c) {
        u[(*ix)[lost]][c] += u[(*ix)[donor]][c];  // the vehicle is wiped off
        u[(*ix)[donor]][c] = 0.0;
      }
  }

  void advance(FieldSet& u, double t, double dt) override {
    const double a = vehicle_factor(t);
    const double yield = apps_[0].agent.tgf_beta_yield * 1e6;  // kg/m³ → ng/mL
    const double mean = mean_open(u);
    ensure_scratch();
    pass(u, dt, a, sn_, true, yield, mean);
    pass(u, dt, a, si_, false, 0.0, mean);
  }

  void observe(double t, const FieldSet& u, double* out) const override {
    const Grid& g = *b_.grid;
    const std::size_t P = g.plane();
    const auto& dz = g.dz();
    std::fill(out, out + observables().size(), 0.0);
    if (apps_.empty()) return;
    const double a = vehicle_factor(t), mean = mean_open(u);
    for (std::size_t c = 0; c < P; ++c) {
      double skin = 0;
      for (int k = 0; k < g.nz(); ++k) {
        const double m = u[sn_[conc]][std::size_t(k) * P + c] * dz[k];
        skin += m;
        const int l = b_.layer[k];
        out[l <= 1 ? 1 + l : (l == 4 ? 4 : 3)] += m;
      }
      out[0] += skin;
      out[5] += u[sn_[cleared]][c];
      out[6] += u[sn_[entered]][c];
      out[7] += u[sn_[to_dermis]][c];
      out[8] += u[si_[entered]][c];
      out[9] += u[si_[to_dermis]][c];
      out[10] += flux(u, c, a, sn_, true, false, mean);
      out[11] += flux(u, c, a, sn_, true, true, mean);
      out[12] += flux(u, c, a, si_, false, false, mean);
      out[13] += u[sn_[donor]][c];
      const double app = u[sn_[applied]][c];
      const double bal = app - u[sn_[donor]][c] - skin - u[sn_[cleared]][c] - u[sn_[lost]][c];
      out[14] += app > 0 ? bal / app : 0.0;
      out[15] += u[sn_[lost]][c];
      // intact skin: in the viable tissue, cleared and lost (the curve of its lag)
      double past = u[si_[cleared]][c] + u[si_[lost]][c];
      for (int k = 0; k < g.nz(); ++k)
        if (b_.layer[k] != int(Layer::stratum_corneum)) past += u[si_[conc]][std::size_t(k) * P + c] * dz[k];
      out[16] += past;
    }
    for (std::size_t j = 0; j < observables().size(); ++j) out[j] /= double(P);
  }

  /// The agent's transport coefficients with this module's constants (docs/model.md §7.3).
  treatment::AgentTransport transport() const {
    return treatment::agent_transport(apps_.at(0).agent, *b_.skin);
  }

 private:
  using Index = std::array<std::size_t, n_track>;

  double scale() const {
    double c = 0;
    for (const auto& x : apps_) c = std::max(c, x.concentration / x.agent.vehicle_partition);
    return c > 0 ? c : 1.0;
  }
  double dose_scale() const {
    double d = 0;
    for (const auto& x : apps_) d = std::max(d, x.dose());
    return d > 0 ? d : 1.0;
  }
  /// a = 1/(V K_v) of the application on at time t (0 when none is: the donor is then empty).
  double vehicle_factor(double t) const {
    for (const auto& x : apps_)
      if (x.time <= t && t < x.end()) return 1.0 / (x.volume * x.agent.vehicle_partition);
    return 0.0;
  }
  double mean_open(const FieldSet& u) const {
    double o = 0;
    const std::size_t P = b_.grid->plane();
    for (std::size_t c = 0; c < P; ++c) o += u[s_open_][c];
    return o / double(P);
  }
  /// The fraction of column c's channels still open: its open fraction over the one after the
  /// session (or the patch mean's, for a column flagged by on_injury).
  double open_ratio(const FieldSet& u, std::size_t c, double mean) const {
    const double o0 = u[s_open0_][c];
    if (o0 > 0) return std::clamp(u[s_open_][c] / o0, 0.0, 1.0);
    if (o0 < 0) return std::clamp(mean / -o0, 0.0, 1.0);
    return 0.0;
  }
  /// Channel conductance (m/s) of cell k with geometry gamma and open fraction ratio s: the one
  /// formula of the solve and the reported fluxes.
  double conductance(double s, double gamma, int k) const {
    return s > 0 ? s * gamma * DK_[k] * b_.grid->dz()[k] : 0.0;
  }
  /// Channel conductance of cell k in column c (m/s), with the fraction still open.
  double channel_G(const FieldSet& u, std::size_t c, int k, double mean) const {
    return conductance(open_ratio(u, c, mean), u[s_gamma_][std::size_t(k) * b_.grid->plane() + c], k);
  }
  /// Per-thread scratch (the Thomas coefficients of a block): sized for the threads there can
  /// be, growing only when their number does.
  void ensure_scratch() const {
#ifdef _OPENMP
    const std::size_t nt = std::size_t(std::max(omp_get_max_threads(), omp_get_num_procs()));
#else
    const std::size_t nt = 1;
#endif
    const std::size_t need = nt * block * std::size_t(b_.grid->nz());
    if (scratch_.size() < need) scratch_.assign(need, 0.0);
  }
  /// The sizes the block solves share.
  struct Dims {
    int nz;
    std::size_t P, S;  ///< columns in a plane; doubles in one block slab (block × nz)
    const double* dz;
  };
  Dims dims() const {
    const Grid& g = *b_.grid;
    return {g.nz(), g.plane(), block * std::size_t(g.nz()), g.dz().data()};
  }
  /// Flux into the skin (dermis_only: into the dermis) of column c from the state, kg/m²/s.
  double flux(const FieldSet& u, std::size_t c, double a, const Index& ix, bool channels, bool dermis_only,
              double mean) const {
    const std::size_t P = b_.grid->plane();
    const double w = a * u[ix[donor]][c];
    auto uk = [&](int k) { return u[ix[conc]][std::size_t(k) * P + c] / K_[k]; };
    double J = 0;
    if (dermis_only) J += dej_ > 0 ? Tf_[dej_] * (uk(dej_ - 1) - uk(dej_)) : 0.0;
    else if (a > 0) J += Tf_[0] * (w - uk(0));
    if (channels && a > 0)
      for (int k = dermis_only ? dej_ : 0; k < b_.grid->nz(); ++k) J += channel_G(u, c, k, mean) * (w - uk(k));
    return J;
  }

  static constexpr std::size_t block = 8;  ///< columns per block (contiguous in memory)

  /// One pass (needled or intact) over every column. The vehicle film is one reservoir for the
  /// whole patch (laterally well mixed: aqueous diffusion over the channel spacing takes about a
  /// minute, and the film flows), so the columns share the donor's scalar equation:
  ///   1. per block of 8 columns (vectorised across them): u' = y + z M' with y = A⁻¹r and
  ///      z = A⁻¹b (two Thomas sweeps), and the block's sums Σ G, Σ G y, Σ G z;
  ///   2. the patch's M' from those sums (summed in block order: no dependence on threads);
  ///   3. per block: the new concentrations and the exactly balanced bookkeeping.
  void pass(FieldSet& u, double dt, double a, const Index& ix, bool channels, double yield, double mean) const {
    const std::size_t P = b_.grid->plane();
    const long nb = long((P + block - 1) / block);
    parallel_for(0, nb, nb >= 8, [&](long b) {
      const std::size_t c0 = std::size_t(b) * block;
      solve_block(u, std::size_t(b), c0, std::min(block, P - c0), dt, a, ix, channels, mean);
    });
    double Gs = 0, Sy = 0, Sz = 0;
    for (long b = 0; b < nb; ++b) Gs += bsum_[3 * b], Sy += bsum_[3 * b + 1], Sz += bsum_[3 * b + 2];
    const double Pn = double(P), M = u[ix[donor]][0];
    const double Mn = (M + dt * (Sy / Pn)) / (1.0 + dt * a * (Gs / Pn) - dt * (Sz / Pn));
    parallel_for(0, nb, nb >= 8, [&](long b) {
      const std::size_t c0 = std::size_t(b) * block;
      update_block(u, std::size_t(b), c0, std::min(block, P - c0), dt, a, ix, yield, Mn);
    });
  }

  /// Step 1 for block b (columns [c0, c0 + nc)): G, y and z into its slab, its sums into bsum_.
  void solve_block(FieldSet& u, std::size_t b, std::size_t c0, std::size_t nc, double dt, double a, const Index& ix,
                   bool channels, double mean) const {
    const auto [nz, P, S, dz] = dims();
    constexpr std::size_t B = block;
#ifdef _OPENMP
    double* cp = scratch_.data() + std::size_t(omp_get_thread_num()) * S;
#else
    double* cp = scratch_.data();
#endif
    double *G = slab_.data() + 3 * S * b, *dy = G + S, *dzv = G + 2 * S;
    const double* cc = u.data(ix[conc]);
    const double* gam = u.data(s_gamma_);
    double Gs[B], sopen[B];
    for (std::size_t j = 0; j < nc; ++j) {
      Gs[j] = 0.0;
      sopen[j] = channels ? open_ratio(u, c0 + j, mean) : 0.0;
    }
    for (int k = 0; k < nz; ++k)  // no vehicle on (a = 0): the surface is closed
      for (std::size_t j = 0; j < nc; ++j) {
        const std::size_t id = std::size_t(k) * P + c0 + j, o = std::size_t(k) * B + j;
        G[o] = a > 0 ? conductance(sopen[j], gam[id], k) + (k == 0 ? Tf_[0] : 0.0) : 0.0;
        Gs[j] += G[o];
      }
    // Thomas for A y = r and A z = b together (A: tridiagonal, diagonally dominant)
    for (int k = 0; k < nz; ++k) {
      const double Ck = K_[k] * dz[k];
      const double up = k > 0 ? dt * Tf_[k] : 0.0, dn = k < nz - 1 ? dt * Tf_[k + 1] : 0.0;
      for (std::size_t j = 0; j < nc; ++j) {
        const std::size_t o = std::size_t(k) * B + j, om = o - B;
        const double diag = Ck + up + dn + dt * (G[o] + lam_[k] * Ck);
        const double r = cc[std::size_t(k) * P + c0 + j] * dz[k];  // C u = c dz
        const double bb = dt * G[o] * a;
        const double inv = 1.0 / (diag + (k > 0 ? up * cp[om] : 0.0));
        cp[o] = -dn * inv;
        dy[o] = (r + (k > 0 ? up * dy[om] : 0.0)) * inv;
        dzv[o] = (bb + (k > 0 ? up * dzv[om] : 0.0)) * inv;
      }
    }
    for (int k = nz - 2; k >= 0; --k)  // back substitution in place: dy → y, dzv → z
      for (std::size_t j = 0; j < nc; ++j) {
        const std::size_t o = std::size_t(k) * B + j;
        dy[o] -= cp[o] * dy[o + B];
        dzv[o] -= cp[o] * dzv[o + B];
      }
    double bG = 0, bY = 0, bZ = 0;
    for (std::size_t j = 0; j < nc; ++j) {
      double sy = 0, sz = 0;
      for (int k = 0; k < nz; ++k) {
        const std::size_t o = std::size_t(k) * B + j;
        sy += G[o] * dy[o], sz += G[o] * dzv[o];
      }
      bG += Gs[j], bY += sy, bZ += sz;
    }
    bsum_[3 * b] = bG, bsum_[3 * b + 1] = bY, bsum_[3 * b + 2] = bZ;
  }

  /// Step 3 for block b: u' = y + z M', the donor, and what entered, reached the dermis, was
  /// cleared or lost (degraded, joined the healing model), from the same implicit values.
  void update_block(FieldSet& u, std::size_t b, std::size_t c0, std::size_t nc, double dt, double a, const Index& ix,
                    double yield, double Mn) const {
    const auto [nz, P, S, dz] = dims();
    constexpr std::size_t B = block;
    const double *G = slab_.data() + 3 * S * b, *y = G + S, *z = G + 2 * S;
    double* cc = u.data(ix[conc]);
    double in[B], in_d[B], cl[B], ls[B];
    for (std::size_t j = 0; j < nc; ++j) in[j] = in_d[j] = cl[j] = ls[j] = 0.0;
    for (int k = 0; k < nz; ++k) {
      const double Ck = K_[k] * dz[k];
      for (std::size_t j = 0; j < nc; ++j) {
        const std::size_t o = std::size_t(k) * B + j, id = std::size_t(k) * P + c0 + j;
        const double un = y[o] + z[o] * Mn;  // u' = c'/K
        const double jk = G[o] * (a * Mn - un);
        in[j] += jk;
        if (dermal_[k]) in_d[j] += jk;
        cl[j] += clear_[k] * Ck * un;
        ls[j] += (lam_[k] - clear_[k]) * Ck * un;
        if (yield > 0 && join_[k] > 0) u[s_tgf_][id] += dt * join_[k] * K_[k] * un * yield;
        cc[id] = K_[k] * un;
      }
    }
    for (std::size_t j = 0; j < nc; ++j) {
      const std::size_t c = c0 + j;
      if (dej_ > 0) {
        const std::size_t a1 = std::size_t(dej_ - 1) * B + j, a2 = std::size_t(dej_) * B + j;
        in_d[j] += Tf_[dej_] * (y[a1] + z[a1] * Mn - y[a2] - z[a2] * Mn);
      }
      u[ix[donor]][c] = Mn;
      u[ix[entered]][c] += dt * in[j];
      u[ix[to_dermis]][c] += dt * in_d[j];
      u[ix[cleared]][c] += dt * cl[j];
      u[ix[lost]][c] += dt * ls[j];
    }
  }

  std::vector<treatment::Topical> apps_;
  Index sn_{}, si_{};
  std::size_t s_gamma_ = 0, s_open0_ = 0, s_open_ = 0, s_tgf_ = 0;
  std::vector<double> K_, DK_, lam_, clear_, join_, Tf_;
  std::vector<char> dermal_;
  int dej_ = 0;
  mutable std::vector<double> scratch_;  ///< per thread: the Thomas coefficients of a block
  mutable std::vector<double> slab_;     ///< per block: G, y, z (3 × block × nz)
  mutable std::vector<double> bsum_;     ///< per block: Σ G, Σ G y, Σ G z
};

}  // namespace dermasim::modules
