#include <doctest/doctest.h>

#include "../test_util.hpp"

#include <array>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "dermasim/core/parallel.hpp"
#include "dermasim/injury/session.hpp"

using namespace dermasim;

using dstest::message_of;

namespace {
const double pi = 3.14159265358979323846;
Channel cone(double x, double y, double d, double rs, double rt, bool bleed = false) {
  Channel c;
  c.x = x, c.y = y, c.depth = d, c.surface_radius = rs, c.tip_radius = rt, c.bleeding = bleed;
  return c;
}
/// Exact ∫Φ dV for one isolated conical channel (halo Gaussian of width h, no cutoff).
double exact_volume(double d, double rs, double rt, double h) {
  const double lumen = pi / 3 * d * (rs * rs + rs * rt + rt * rt);
  const double sp = std::sqrt(pi);
  // lateral halo: ∫0^d 2π (h²/2 + r(z) h √π / 2) dz, r linear from rs to rt
  const double side = 2 * pi * (0.5 * h * h * d + 0.5 * h * sp * 0.5 * (rs + rt) * d);
  // below the tip: ∫0^∞ e^{-s²/h²} ds × (π rt² + 2π (h²/2 + rt h √π/2))
  const double cap = 0.5 * h * sp * (pi * rt * rt + pi * h * h + pi * rt * h * sp);
  return lumen + side + cap;
}
}  // namespace

TEST_CASE("injury: injured volume of a channel converges to the exact integral as the grid refines") {
  const auto skin = skin_preset("face");
  const double d = 300e-6, rs = 35e-6, rt = 4e-6, h = 10e-6;
  const double exact = exact_volume(d, rs, rt, h);
  std::vector<double> err;
  for (int n : {10, 20, 40}) {  // dx = 20, 10, 5 um
    const double L = 200e-6;
    Grid g = Grid::uniform(n, n, n * 2, L, L, 400e-6);
    const auto f = rasterise({cone(0.5 * L + 1.3e-6, 0.5 * L - 0.7e-6, d, rs, rt)}, skin, g, 1);
    err.push_back(std::fabs(total_injured_volume(f) - exact) / exact);
    MESSAGE("dx = " << L / n * 1e6 << " um: relative error " << err.back());
  }
  const double order = std::log2(err[1] / err[2]);
  MESSAGE("observed order " << order);
  CHECK(err[2] < 2e-3);
  CHECK(err[2] < err[1]);
  CHECK(err[1] < err[0]);
  CHECK(order > 1.0);
}

TEST_CASE("injury: coarse cells (1D column, 2D slice, 3D) give the same injured volume") {
  const auto skin = skin_preset("face");
  const double d = 700e-6, rs = 60e-6, rt = 5e-6, h = 10e-6;
  const double exact = exact_volume(d, rs, rt, h);
  const auto faces = graded_z_faces(skin.interfaces(), 5e-6, 50e-6);
  for (auto nxy : {std::array<int, 2>{1, 1}, std::array<int, 2>{40, 1}, std::array<int, 2>{40, 40}}) {
    CAPTURE(nxy[0]);
    CAPTURE(nxy[1]);
    Grid g(nxy[0], nxy[1], 2e-3, 2e-3, faces);
    const auto f = rasterise({cone(0.03e-3, 1.99e-3, d, rs, rt)}, skin, g, 1);  // wraps a corner
    CHECK(total_injured_volume(f) == doctest::Approx(exact).epsilon(0.01));
  }
}

TEST_CASE("injury: a whole session's per-layer injured volume converges on refined skin grids") {
  const auto face = skin_preset("face");
  const Device dev(clinical_pen(1.0e-3));
  std::vector<std::array<double, n_layers>> v;
  std::vector<double> tot;
  for (int n : {16, 32, 64}) {  // lateral 125, 62.5, 31.25 um; depth spacing halves too
    const double h = 80e-6 * 16 / n;
    Grid g = skin_grid(face, 2e-3, 2e-3, n, n, h / 8, h);
    const auto f = session_injury(face, dev, g, 21, 0);
    v.push_back(f.injured_volume);
    tot.push_back(total_injured_volume(f));
  }
  const double e1 = std::fabs(tot[1] - tot[0]), e2 = std::fabs(tot[2] - tot[1]);
  MESSAGE("session injured volume " << tot[0] << ", " << tot[1] << ", " << tot[2]
                                     << " m^3; successive differences " << e1 << ", " << e2);
  CHECK(e2 < e1);
  CHECK(e2 < 0.01 * tot[2]);
  for (int l = 0; l < 4; ++l) {
    CAPTURE(l);
    CHECK(v[2][l] == doctest::Approx(v[1][l]).epsilon(0.03));
  }
}

TEST_CASE("injury: damage is a fraction, layers add up, wrap-around is seamless") {
  const auto skin = skin_preset("face");
  Grid g = skin_grid(skin, 1e-3, 1e-3, 50, 50, 5e-6, 40e-6);
  const auto f = rasterise({cone(0.5e-3, 0.5e-3, 400e-6, 40e-6, 4e-6, true)}, skin, g, 3);
  double sum = 0;
  for (int k = 0; k < g.nz(); ++k)
    for (std::size_t c = 0; c < g.plane(); ++c) {
      const double D = f.damage[k * g.plane() + c], B = f.bleeding[k * g.plane() + c];
      CHECK(D >= 0.0);
      CHECK(D <= 1.0);
      CHECK(B <= D);
      if (skin.layer_at(g.z_centres()[k]) <= Layer::viable_epidermis) CHECK(B == 0.0);
      sum += D * g.cell_volume(k);
    }
  CHECK(total_injured_volume(f) == doctest::Approx(sum).epsilon(1e-12));
  CHECK(f.injured_volume[static_cast<int>(Layer::hypodermis)] == 0.0);
  CHECK(f.injured_volume[static_cast<int>(Layer::reticular_dermis)] > 0.0);
  CHECK(f.attempted == 3);
  CHECK(f.bleeding_points == 1);
  CHECK(f.channels_per_cm2 == doctest::Approx(1.0 / 0.01));
  // open surface: one mouth of radius 40 um over 1 mm² (within 3 %)
  CHECK(f.opened_area_fraction == doctest::Approx(pi * 40e-6 * 40e-6 / 1e-6).epsilon(0.03));
  // a channel on the corner of a periodic patch injures the same volume
  const auto w = rasterise({cone(0.0, 0.0, 400e-6, 40e-6, 4e-6, true)}, skin, g, 1);
  CHECK(total_injured_volume(w) == doctest::Approx(total_injured_volume(f)).epsilon(1e-3));
  CHECK(w.opened_area_fraction == doctest::Approx(f.opened_area_fraction).epsilon(0.03));
}

TEST_CASE("injury: sessions on the face, home roller vs clinical pen") {
  const auto face = skin_preset("face");
  Grid g = skin_grid(face, 2e-3, 2e-3, 48, 48, 5e-6, 50e-6);
  // a 0.175 mm home roller stays in the epidermis; from ~0.21 mm the needles snap through the
  // soft epidermis into the papillary dermis (docs/model.md §3.6)
  const auto home = session_injury(face, Device(home_roller(0.175e-3)), g, 3, 0);
  const auto pen = session_injury(face, Device(clinical_pen(1.5e-3)), g, 3, 0);
  CHECK(home.bleeding_points == 0);
  double hb = 0;
  for (double b : home.bleeding) hb += b;
  CHECK(hb == 0.0);
  CHECK(home.injured_volume[static_cast<int>(Layer::reticular_dermis)] == 0.0);
  CHECK(pen.bleeding_points > 0);
  CHECK(pen.injured_volume[static_cast<int>(Layer::reticular_dermis)] > 0.0);
  CHECK(total_injured_volume(pen) > 5 * total_injured_volume(home));
  CHECK(pen.channels_per_cm2 > 100);
  CHECK(pen.open_surface.size() == g.plane());
  CHECK(pen.damage.size() == g.size());
  // helper grid has a face on every layer interface
  for (double z : face.interfaces()) {
    bool found = false;
    for (double f : g.z_faces()) found |= std::fabs(f - z) < 1e-15;
    CHECK(found);
  }
}

TEST_CASE("injury: bitwise identical on 1 and 2 threads") {
  const auto face = skin_preset("face");
  Grid g = skin_grid(face, 2e-3, 2e-3, 40, 40, 5e-6, 50e-6);
  const Device dev(clinical_pen(2.0e-3));
  InjuryField a, b;
  {
    ThreadScope t(1);
    a = session_injury(face, dev, g, 99, 4);
  }
  {
    ThreadScope t(2);
    b = session_injury(face, dev, g, 99, 4);
  }
  REQUIRE(a.damage.size() == b.damage.size());
  bool same = true;
  for (std::size_t i = 0; i < a.damage.size(); ++i)
    same = same && a.damage[i] == b.damage[i] && a.bleeding[i] == b.bleeding[i];
  CHECK(same);
  for (int l = 0; l < n_layers; ++l) CHECK(a.injured_volume[l] == b.injured_volume[l]);
  CHECK(a.opened_area_fraction == b.opened_area_fraction);
}

TEST_CASE("injury: bad channels are named") {
  const auto skin = skin_preset("face");
  Grid g = skin_grid(skin, 1e-3, 1e-3, 10, 10, 5e-6, 50e-6);
  auto m = message_of([&] { rasterise({cone(0.5e-3, 0.5e-3, -1e-6, 30e-6, 4e-6)}, skin, g); });
  CHECK(m.find("channels[0].depth") != std::string::npos);
  m = message_of([&] { rasterise({cone(2e-3, 0.5e-3, 1e-4, 30e-6, 4e-6)}, skin, g); });
  CHECK(m.find("channels[0].x") != std::string::npos);
  RasterParams rp;
  rp.halo = -1;
  m = message_of([&] { rasterise({}, skin, g, 0, rp); });
  CHECK(m.find("raster.halo = -1e+06 um") != std::string::npos);
  // the registry: by dotted name, in SI, range-checked
  RasterParams r2;
  r2.set("raster.halo", 20e-6);
  CHECK(r2.halo == 20e-6);
  CHECK(r2.get("blood_fill") == 0.5);
  CHECK_THROWS_AS(r2.set("raster.blood_fill", 1.5), invalid_argument);
  CHECK_THROWS_AS(r2.set("raster.nonsense", 1.0), invalid_argument);
}

TEST_CASE("injury: the 1D column's exact lateral average matches a fine raster and the exact volume") {
  const auto skin = skin_preset("face");
  const auto zf = graded_z_faces(skin.interfaces(), 10e-6, 80e-6);
  const double L = 1e-3;
  Grid col(1, 1, L, L, zf);
  // one channel: the column equals the raster average as the raster refines, and its injured
  // volume is the closed-form integral (cut-off at 4 ℓ_h: e^{-16} below the no-cut-off value)
  const std::vector<Channel> one{cone(0.41e-3, 0.52e-3, 430e-6, 60e-6, 4e-6, true)};
  const InjuryField c = column_injury(one, skin, col);
  const double exact = exact_volume(430e-6, 60e-6, 4e-6, 10e-6);
  CHECK(total_injured_volume(c) == doctest::Approx(exact).epsilon(1e-5));
  double first = -1, prev = 1e300, mxd = 0;
  for (int n : {25, 50, 100}) {
    const Grid g(n, n, L, L, zf);
    const InjuryField r = rasterise(one, skin, g);
    double err = 0, mx = 0;
    for (int k = 0; k < col.nz(); ++k) {
      double avg = 0;
      for (std::size_t q = 0; q < g.plane(); ++q) avg += r.damage[std::size_t(k) * g.plane() + q];
      avg /= double(g.plane());
      err = std::max(err, std::fabs(avg - c.damage[k]));
      mx = std::max(mx, c.damage[k]);
    }
    MESSAGE("raster " << n << "^2: max |column - raster| = " << err << " (max damage " << mx << ")");
    if (first < 0) first = err;
    prev = err;
    mxd = mx;
  }
  CHECK(prev < first);             // the raster approaches the exact average ...
  CHECK(prev < 1e-3 * mxd);        // ... to 0.1 % of the peak (its z sub-sampling limits it)
  // two distant channels combine as 1 − (1 − a)(1 − b): the Boolean rule
  const std::vector<Channel> two{one[0], cone(0.1e-3, 0.1e-3, 200e-6, 40e-6, 4e-6)};
  const InjuryField c2 = column_injury(two, skin, col);
  const InjuryField cb = column_injury({two[1]}, skin, col);
  for (int k = 0; k < col.nz(); ++k)
    CHECK(c2.damage[k] == doctest::Approx(1 - (1 - c.damage[k]) * (1 - cb.damage[k])).epsilon(1e-12));
  CHECK(c2.bleeding_points == 1);
  CHECK(c2.open_surface[0] == doctest::Approx(1 - (1 - pi * 60e-6 * 60e-6 / (L * L)) * (1 - pi * 40e-6 * 40e-6 / (L * L))));
  // a session on a column grid goes through the exact average; a patch grid is refused
  CHECK(message_of([&] { (void)column_injury(one, skin, Grid(2, 1, L, L, zf)); }).find("1 x 1") !=
        std::string::npos);
  const InjuryField s = session_injury(skin, clinical_pen(1.5e-3), Grid(1, 1, 3e-3, 3e-3, zf), 7, 0);
  CHECK(s.channels.size() > 10);
  CHECK(total_injured_volume(s) > 0.0);
}

TEST_CASE("injury: a session's per-layer injured volume matches the channels' analytic volumes") {
  // issue 14 item 4: pen channels that do not overlap, rasterised in 3D, against the sum over
  // them of each channel's volume per layer (lumen + crush halo, integrated in closed form
  // laterally and by Gauss in depth on a column whose cells are the layers)
  const auto face = skin_preset("face");
  const double lx = 4e-3, ly = 4e-3;
  const Grid g = skin_grid(face, lx, ly, 40, 40, 10e-6, 80e-6);
  const Device pen(clinical_pen(1.5e-3));
  const auto session = session_injury(face, pen, g, 7, 0);
  // successive stamps of a pen land 0.1 mm apart along the track, so its channels overlap;
  // keep a set of channels that do not (centres further apart than both lumens + halo cut-off)
  std::vector<Channel> apart;
  for (const auto& c : session.channels) {
    bool ok = true;
    for (const auto& a : apart) {
      const double dx = std::fabs(c.x - a.x), dy = std::fabs(c.y - a.y);
      const double r = std::hypot(std::min(dx, lx - dx), std::min(dy, ly - dy));
      ok = ok && r > c.surface_radius + a.surface_radius + 8 * 10e-6;
    }
    if (ok) apart.push_back(c);
  }
  REQUIRE(apart.size() > 10);
  const auto f = rasterise(apart, face, g, apart.size());
  std::vector<double> z{0.0};
  for (double zi : face.interfaces()) z.push_back(zi);
  const Grid layers(1, 1, lx, ly, z);
  std::array<double, n_layers> analytic{};
  for (const auto& ch : f.channels) {
    const auto one = column_injury({ch}, face, layers, 1);
    for (int l = 0; l < n_layers; ++l) analytic[l] += one.injured_volume[l];
  }
  for (int l = 0; l < n_layers; ++l) {
    CAPTURE(layer_key(static_cast<Layer>(l)));
    const double vl = face.layers[l].thickness * lx * ly;
    MESSAGE(layer_key(static_cast<Layer>(l)) << ": raster " << f.injured_volume[l] / vl << ", analytic "
                                             << analytic[l] / vl << " of the layer; whole session (overlapping) "
                                             << session.injured_volume[l] / vl);
    if (analytic[l] < 1e-6 * vl) continue;
    CHECK(f.injured_volume[l] == doctest::Approx(analytic[l]).epsilon(0.01));  // raster accuracy: 1 %
  }
}
