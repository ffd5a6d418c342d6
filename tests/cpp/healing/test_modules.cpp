// Model modules (issue 12 item 1): the worked-example tracer (modules/tracer.hpp) appears in
// the state, the outcome series, checkpoints, and keeps its own physics (conservation, decay).
#include <set>
#include <doctest/doctest.h>

#include <cstring>

#include "common.hpp"

using namespace dermasim;
using namespace htest;

namespace {
Scenario with_tracer(double decay_per_day) {
  Scenario s = column(clinical_pen(1.5e-3), 2, 2 * units::week, 2 * units::week);
  s.modules = {"tracer"};
  s.module_parameters["tracer.decay"] = decay_per_day / units::day;
  return s;
}
}  // namespace

TEST_CASE("modules: the tracer is a species, two outcome series and a registered module") {
  const auto names = model::ModuleRegistry::instance().names();
  CHECK(std::find(names.begin(), names.end(), "tracer") != names.end());
  const Result r = simulate(with_tracer(0.5));
  CHECK(r.species.back() == "tracer");
  CHECK(r.species.size() == healing::n_species + 1);
  REQUIRE(r.series.count("tracer_dermis") == 1);
  REQUIRE(r.series.count("tracer_total") == 1);
  CHECK(r.module_outcome_units.at("tracer_total") == "m");
  CHECK(r.series.at("tracer_total").size() == r.times.size());
  CHECK(r.series.at("tracer_total").front() == 0.0);
  CHECK(*std::max_element(r.series.at("tracer_dermis").begin(), r.series.at("tracer_dermis").end()) > 0.0);
  // the core model's outcomes barely move (the tracer does not feed back; only the step
  // control sees one more species)
  Scenario plain = with_tracer(0.5);
  plain.modules.clear();
  plain.module_parameters.clear();
  const Result p = simulate(plain);
  const double c = r.series.at("collagen_PD").back(), c0 = p.series.at("collagen_PD").back();
  std::printf("  PD collagen with / without the tracer module: %+.6f / %+.6f\n", c, c0);
  CHECK(std::fabs(c - c0) <= 2e-3 * std::fabs(c0));
}

TEST_CASE("modules: tracer conserved without decay, exponential with it") {
  const Result r = simulate(with_tracer(0.0));
  const auto& tot = r.series.at("tracer_total");
  const double t1 = r.sessions[0].time + 1 * units::day, t2 = r.sessions[0].time + 13.5 * units::day;
  const double a = at(r, "tracer_total", t1), b = at(r, "tracer_total", t2);
  std::printf("  tracer total (decay 0): %.12e after 1 day, %.12e before session 2\n", a, b);
  CHECK(a > 0);
  CHECK(std::fabs(b - a) <= 1e-10 * a);  // zero-flux faces, P = L = 0: conserved
  CHECK(tot.back() > b);                 // the second session deposits more
  const double k = 0.5 / units::day;
  const Result d = simulate(with_tracer(0.5));
  const double d1 = at(d, "tracer_total", t1), d2 = at(d, "tracer_total", t2);
  const double want = d1 * std::exp(-k * (t2 - t1));
  std::printf("  tracer total (decay 0.5/day): %.6e vs exact %.6e\n", d2, want);
  CHECK(d2 == doctest::Approx(want).epsilon(2e-2));
}

TEST_CASE("modules: checkpoints carry the module's species and outcomes; another layout is refused") {
  Scenario s = with_tracer(0.5);
  s.protocol = healing::Protocol::regular(clinical_pen(1.5e-3), 3, 2 * units::week, 2 * units::week);
  std::vector<std::string> cks;
  SimulateOptions o;
  o.checkpoint = [&](const Checkpoint& c) {
    cks.push_back(serialize(c));
    return true;
  };
  const Result a = simulate(s, {}, o);
  REQUIRE(cks.size() == 2);
  const Checkpoint c = deserialize_checkpoint(cks[1], s);
  SimulateOptions o2;
  o2.resume = &c;
  const Result r = simulate(s, {}, o2);
  CHECK(r.series == a.series);  // bitwise, the tracer series included
  Scenario plain = s;
  plain.modules.clear();
  plain.module_parameters.clear();
  CHECK_THROWS_WITH_AS(deserialize_checkpoint(cks[1], plain), doctest::Contains("another layout of species"), io_error);
}

TEST_CASE("modules: unknown modules and parameters are clear errors") {
  Scenario s = with_tracer(0.5);
  s.modules = {"nope"};
  CHECK_THROWS_WITH_AS(s.validate(), doctest::Contains("unknown module 'nope'; known: "), invalid_argument);
  CHECK_THROWS_WITH_AS(s.validate(), doctest::Contains("'tracer'"), invalid_argument);
  s = with_tracer(0.5);
  s.modules.push_back("tracer");
  CHECK_THROWS_WITH_AS(s.validate(), doctest::Contains("enabled twice"), invalid_argument);
  s = with_tracer(0.5);
  s.module_parameters["tracer.speed"] = 1.0;
  CHECK_THROWS_WITH_AS(s.validate(), doctest::Contains("'tracer.speed' is not a parameter"), invalid_argument);
  s = with_tracer(-1.0);
  CHECK_THROWS_WITH_AS(s.validate(), doctest::Contains("tracer.decay"), invalid_argument);
}

namespace {
/// A module whose outcome takes a name of the healing model's: refused.
class ClashingOutcome : public model::Module {
 public:
  std::string name() const override { return "test_clash"; }
  std::string doc() const override { return "test only"; }
  std::vector<model::SpeciesDecl> species() const override { return {{"test_clash_species", "-", 1e-6}}; }
  std::vector<model::ObservableDecl> observables() const override { return {{"erythema", "-"}}; }
  void rates(double, int, const double*, double*, double*) const override {}  // P, L left 0
};
[[maybe_unused]] const bool clash_registered = model::ModuleRegistry::instance().add<ClashingOutcome>();
}  // namespace

TEST_CASE("modules: a clashing outcome name and a second registration are refused") {
  Scenario s = with_tracer(0.5);
  s.modules = {"test_clash"};
  s.module_parameters.clear();
  CHECK_THROWS_WITH_AS(s.validate(), doctest::Contains("outcome 'erythema' is an outcome of the healing model"),
                       invalid_argument);
  CHECK_THROWS_WITH_AS(model::ModuleRegistry::instance().add<ClashingOutcome>(),
                       doctest::Contains("registered twice"), invalid_argument);
}

TEST_CASE("declared once: the outcome and core species tables cover their structs, in order") {
  const auto& f = outcomes::Metrics::fields();
  CHECK(sizeof(outcomes::Metrics) == f.size() * sizeof(double));  // every member has a row
  for (std::size_t i = 0; i < f.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) CHECK(f[i].member != f[j].member);
  outcomes::Metrics m;
  m.tgf_PD = 7.0;
  const auto v = m.values();
  const auto n = outcomes::Metrics::names();
  CHECK(v[std::find(n.begin(), n.end(), "tgf_PD") - n.begin()] == 7.0);
  const auto& c = healing::core_species();
  CHECK(c.size() == healing::n_species);
  for (std::size_t i = 0; i < c.size(); ++i) CHECK(std::size_t(c[i].id) == i);
  CHECK(healing::species_names()[healing::sFl] == "flare");
  CHECK(c[healing::sO].surface);
}

TEST_CASE("core modules: each species is declared by one module, and the model is built from the rows") {
  std::vector<int> owner(healing::n_species, 0);
  std::set<std::string> names;
  for (const auto& m : healing::core_modules()) {
    CHECK(names.insert(m.name).second);
    CHECK(!m.parameter_groups.empty());
    for (const auto& s : m.species) {
      const auto n = healing::species_names();
      const auto it = std::find(n.begin(), n.end(), s);
      REQUIRE(it != n.end());
      ++owner[it - n.begin()];
    }
  }
  for (int o : owner) CHECK(o == 1);
  CHECK(names.size() == 7);
  // every parameter group of a core module names at least one registered parameter
  for (const auto& m : healing::core_modules())
    for (const auto& g : m.parameter_groups) {
      bool any = false;
      for (const auto& i : healing::HealingParameters::registry()) any |= std::string(i.name).rfind(g, 0) == 0;
      CHECK_MESSAGE(any, m.name << ": group " << g);
    }
  // the rows are what the model is built from: baselines, transport, chemotaxis, injury
  Scenario sc = Scenario::default_face();
  sc.numerics.dimension = 1;
  const Grid g = sc.numerics.grid(sc.skin);
  const healing::HealingParameters& p = sc.parameters;
  healing::HealingModel model(g, sc.skin, p);
  const FieldSet u = model.initial_state();
  const auto& rows = healing::core_species();
  for (const auto& r : rows)
    for (int k = 0; k < g.nz(); ++k) {
      const double want = r.baseline && (!r.surface || k == 0) ? r.baseline(p, model.baseline(), k) : 0.0;
      CHECK(u[r.id][std::size_t(k) * g.plane()] == want);
    }
  for (const auto& r : rows) {
    if (r.chi) CHECK((r.up < healing::n_species && r.chi_K && r.chi_ratio));
    if (r.surface) CHECK(!r.D);  // surface states are not transported
  }
  CHECK(rows[healing::sN].injury == healing::InjuryResponse::cells);
  CHECK(rows[healing::sC1].injury == healing::InjuryResponse::matrix);
  CHECK(rows[healing::sT].channel_exchange);
  CHECK(!rows[healing::sB].D);
}

namespace {
/// A test-only module: a solute that enters through the top face from a bath at c_ext = 1
/// (Robin, h = "bath.h" over the whole surface), diffuses with one D in every layer and is not
/// otherwise produced or lost. Its observable is the amount per area in the column.
class Bath : public model::Module {
 public:
  std::string name() const override { return "bath"; }
  std::string doc() const override { return "test: a bath over the skin (top-face Robin exchange)"; }
  std::vector<model::SpeciesDecl> species() const override {
    model::SpeciesDecl d{"bath", "kg/m^3", 1e-9};
    d.D.fill(1e-10);
    d.top_h = param("h");
    d.through_channels = param("through_channels") > 0.5;
    return {d};
  }
  std::vector<model::ParamDecl> parameters() const override {
    return {{"h", "m/s", 1.0, 0.0, 1.0, 1e-9, "[P] test"},
            {"through_channels", "-", 1.0, 0.0, 1.0, 0.0, "[P] test: 1 = through the open channels only"}};
  }
  std::vector<model::ObservableDecl> observables() const override { return {{"bath_amount", "kg/m^2"}}; }
  void bind(const model::Binding& b) override {
    model::Module::bind(b);
    s_ = idx("bath");
  }
  void rates(double, int, const double*, double* P, double* L) const override { P[s_] = L[s_] = 0.0; }
  double top_external(double, std::size_t) const override { return 1.0; }
  void observe(double, const FieldSet& u, double* out) const override {
    const Grid& g = *b_.grid;
    double m = 0.0;
    for (int k = 0; k < g.nz(); ++k) m += u[s_][std::size_t(k) * g.plane()] * g.dz()[k];
    out[0] = m;
  }

 private:
  std::size_t s_ = 0;
};
const bool registered_bath = model::ModuleRegistry::instance().add<Bath>();

Scenario bath(double h, double follow_up, const char* scheme = "unsplit") {
  Scenario s = column(clinical_pen(1.5e-3), 0, units::week, follow_up);
  s.modules = {"bath"};
  s.module_parameters["bath.h"] = h;
  s.numerics.scheme = scheme;
  return s;
}
}  // namespace

TEST_CASE("modules: a species with a top face takes up h (c_ext - c) and fills to c_ext") {
  REQUIRE(registered_bath);
  // early: the uptake is h c_ext t while the top stays far below c_ext
  const double h = 1e-9, t = units::hour;
  const Result r = simulate(bath(h, t));
  const auto& m = r.series.at("bath_amount");
  for (std::size_t i = 1; i < m.size(); ++i) CHECK(m[i] >= m[i - 1]);
  const double want = h * 1.0 * t;
  std::printf("  bath uptake after 1 h: %.6e kg/m^2 vs h c t = %.6e\n", m.back(), want);
  CHECK(m.back() == doctest::Approx(want).epsilon(2e-2));
  CHECK(m.back() < want);  // c_top > 0 slows it
  // the split scheme's Robin face gives the same uptake
  const Result sp = simulate(bath(h, t, "split"));
  CHECK(sp.series.at("bath_amount").back() == doctest::Approx(m.back()).epsilon(1e-2));
  // late, at the Dirichlet limit: the column fills to c_ext everywhere
  const Result f = simulate(bath(1e-3, 30 * units::day));
  const Grid g = f.grid;
  const double depth = g.z_faces().back() - g.z_faces().front();
  std::printf("  bath amount after 30 days: %.6e vs c_ext x depth = %.6e\n", f.series.at("bath_amount").back(), depth);
  CHECK(f.series.at("bath_amount").back() == doctest::Approx(depth).epsilon(1e-2));
}

TEST_CASE("injury: the field is a set of named fields; a later stage adds one and it is averaged like the damage") {
  const auto skin = skin_preset("face");
  const Grid fine = skin_grid(skin, 1e-3, 1e-3, 8, 8, 10e-6, 80e-6);
  InjuryField inj = session_injury(skin, clinical_pen(1e-3), fine, 7, 0);
  CHECK(inj.field_names() == std::vector<std::string>{"damage", "bleeding"});
  aligned_vector half(inj.damage.size());
  for (std::size_t i = 0; i < half.size(); ++i) half[i] = 0.5 * inj.damage[i];
  inj.set_field("coagulation", half);  // what a thermal stage would add
  CHECK(inj.field_names().back() == "coagulation");
  CHECK_THROWS_WITH_AS(inj.set_field("damage", half), doctest::Contains("core field"), invalid_argument);
  CHECK_THROWS_WITH_AS(inj.set_field("x", aligned_vector(3)), doctest::Contains("one per cell"), invalid_argument);
  CHECK_THROWS_WITH_AS(inj.field("heat"), doctest::Contains("known: 'damage', 'bleeding', 'coagulation'"),
                       invalid_argument);
  const Grid column(1, 1, fine.lx(), fine.ly(), fine.z_faces(), Lateral::periodic);
  const InjuryField avg = healing::lateral_average(inj, column);
  double sum = 0.0;
  for (int k = 0; k < column.nz(); ++k) {
    CHECK(avg.field("coagulation")[std::size_t(k)] == doctest::Approx(0.5 * avg.damage[std::size_t(k)]));
    sum += avg.damage[std::size_t(k)];
  }
  CHECK(sum > 0.0);
}

TEST_CASE("modules: a top face through the channels takes up only while they are open") {
  Scenario s = bath(1e-6, 2 * units::day);
  s.protocol = healing::Protocol::regular(clinical_pen(1.5e-3), 1, units::week, 2 * units::day);
  s.protocol.sessions[0].time = units::day;  // intact skin for a day, then the needles
  s.module_parameters["bath.through_channels"] = 1.0;
  const Result r = simulate(s);
  const double t0 = units::day;
  const auto& t = r.times;
  const auto& m = r.series.at("bath_amount");
  double before = 0.0, early = 0.0, late = 0.0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] < t0) before = std::max(before, m[i]);
    if (t[i] <= t0 + 12 * units::hour) early = m[i];
    if (t[i] <= t0 + 36 * units::hour) late = m[i];
  }
  const double end = m.back();
  std::printf("  bath through the channels: %.3e before the needles, %.3e 12 h after, +%.3e in the last 12 h\n",
              before, early, end - late);
  CHECK(before == 0.0);  // closed channels, intact skin: nothing enters
  CHECK(early > 0.0);
  CHECK(end - late < 0.05 * early);  // the channels have closed
  // top_h = 0 is a closed face
  Scenario bad = bath(1e-9, units::hour);
  bad.module_parameters["bath.h"] = 0.0;
  CHECK_NOTHROW(simulate(bad));  // 0: a closed face
}

TEST_CASE("timeline: a session may carry its own penetration and raster parameters") {
  Scenario a = column(clinical_pen(1.5e-3), 2, 2 * units::week, units::week);
  Scenario b = a;
  RasterParams wide;
  wide.halo = 20e-6;
  b.protocol.sessions[1].raster = wide;  // only the second session
  const Result ra = simulate(a), rb = simulate(b);
  CHECK(rb.sessions[0].injured_fraction[2] == ra.sessions[0].injured_fraction[2]);  // unchanged
  CHECK(rb.sessions[1].injured_fraction[2] > 1.05 * ra.sessions[1].injured_fraction[2]);  // measured +14 %
  PenetrationParams bad;
  bad.set("penetration.insertion.friction_stress", 1e3);
  b.protocol.sessions[1].penetration = bad;
  CHECK_NOTHROW(b.validate());
  b.protocol.sessions[1].raster->blood_fill = 2.0;
  CHECK_THROWS_WITH_AS(b.validate(), doctest::Contains("raster.blood_fill"), invalid_argument);
}
