#include <doctest/doctest.h>

#include "../test_util.hpp"

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "dermasim/core/units.hpp"
#include "dermasim/skin/presets.hpp"

using namespace dermasim;
using units::um;

using dstest::message_of;

TEST_CASE("skin: every site gives a valid profile whose numbers match their sources") {
  for (const auto& site : skin_sites()) {
    CAPTURE(site);
    const auto s = skin_preset(site);
    CHECK_NOTHROW(s.validate());
    // layer interfaces increasing, hypodermis at the bottom
    const auto z = s.interfaces();
    for (std::size_t i = 1; i < z.size(); ++i) CHECK(z[i] > z[i - 1]);
    // epidermis (SC + VE) within the published human range 40–110 µm (Sandby-Møller 2003,
    // Chopra 2015, Xu 2017)
    const double epi = s[Layer::stratum_corneum].thickness + s[Layer::viable_epidermis].thickness;
    if (site == "rat") {  // hairless rat (insertion calibration, Kalluri 2011): thinner epidermis
      CHECK(epi < 40 * um);
      CHECK(s.tearing_energy > skin_preset("forearm").tearing_energy);
      continue;
    }
    CHECK(epi > 40 * um);
    CHECK(epi < 110 * um);
    // vascular access 0 in SC/VE, 1 in papillary dermis, 0.5 in reticular (model-spec §6.8)
    CHECK(s[Layer::stratum_corneum].vascular_access == 0.0);
    CHECK(s[Layer::viable_epidermis].vascular_access == 0.0);
    CHECK(s[Layer::papillary_dermis].vascular_access == 1.0);
    CHECK(s[Layer::reticular_dermis].vascular_access == 0.5);
    CHECK(s[Layer::viable_epidermis].keratinocyte == 1.0);
    CHECK(s[Layer::papillary_dermis].fibroblast_density > s[Layer::reticular_dermis].fibroblast_density);
    // plexus inside the reticular dermis
    CHECK(s.upper_plexus_depth > z[2]);
    CHECK(s.upper_plexus_depth < z[3]);
  }
  // Sandby-Møller 2003: forearm SC 18.3 µm, VE 56.6 µm (women)
  const auto fa = skin_preset("forearm", 40, false);
  CHECK(fa[Layer::stratum_corneum].thickness == doctest::Approx(18.3 * um));
  CHECK(fa[Layer::viable_epidermis].thickness == doctest::Approx(56.6 * um));
  // Tran 2007: μ = 2 C10
  CHECK(fa[Layer::reticular_dermis].shear_modulus == doctest::Approx(2.22e6));
  CHECK(fa[Layer::viable_epidermis].shear_modulus == doctest::Approx(0.24e6));
  CHECK(fa[Layer::hypodermis].shear_modulus == doctest::Approx(840.0));
  // 50 MHz ultrasound: cheek full skin 1.90 mm (woman 20–29 y) within 1 %
  const auto ck = skin_preset("cheek", 25, false);
  CHECK(ck.interfaces()[3] == doctest::Approx(1.90e-3).epsilon(0.01));
  const auto ckm = skin_preset("cheek", 25, true);
  CHECK(ckm.interfaces()[3] == doctest::Approx(2.53e-3).epsilon(0.05));
  // face = cheek alias
  CHECK(skin_preset("face").site == "cheek");
}

TEST_CASE("skin: dermis thins with age, males thicker, eyelid thinnest facial site") {
  auto dermis = [](const SkinProfile& s) {
    return s[Layer::papillary_dermis].thickness + s[Layer::reticular_dermis].thickness;
  };
  for (const char* site : {"forehead", "cheek", "periorbital", "neck", "forearm", "abdomen", "back"}) {
    CAPTURE(site);
    double prev = 1e9;
    for (double age : {20.0, 30.0, 45.0, 60.0, 75.0, 90.0}) {
      const double d = dermis(skin_preset(site, age));
      CHECK(d <= prev);
      prev = d;
    }
    CHECK(dermis(skin_preset(site, 30)) > dermis(skin_preset(site, 70)));
    CHECK(dermis(skin_preset(site, 40, true)) > dermis(skin_preset(site, 40, false)));
  }
  CHECK(dermis(skin_preset("periorbital")) < dermis(skin_preset("cheek")));
  CHECK(dermis(skin_preset("periorbital")) < dermis(skin_preset("forehead")));
  CHECK(dermis(skin_preset("back")) > dermis(skin_preset("forearm")));
  // phototype is carried
  CHECK(skin_preset("cheek", 40, false, 6).phototype == 6);
}

TEST_CASE("skin: bad input names the parameter, value and valid range") {
  auto m = message_of([] { skin_preset("cheeck"); });
  CHECK(m.find("skin.site") != std::string::npos);
  CHECK(m.find("forehead") != std::string::npos);
  CHECK(m.find("did you mean 'cheek'") != std::string::npos);
  m = message_of([] { skin_preset("cheek", -3); });
  CHECK(m.find("skin.age_years") != std::string::npos);
  CHECK(m.find("[0, 120]") != std::string::npos);
  m = message_of([] { skin_preset("cheek", 40, false, 7); });
  CHECK(m.find("skin.phototype") != std::string::npos);
  m = message_of([] { skin_preset("cheek", std::numeric_limits<double>::quiet_NaN()); });
  CHECK(m.find("skin.age_years = nan") != std::string::npos);

  // layers out of order / non-positive thickness
  const auto base = skin_preset("cheek");
  m = message_of([&] { with_interfaces(base, {15e-6, 85e-6, 60e-6, 1.5e-3, 2.5e-3}); });
  CHECK(m.find("skin.interfaces[2]") != std::string::npos);
  CHECK(m.find("out of order") != std::string::npos);
  auto s = with_interfaces(base, {15e-6, 85e-6, 235e-6, 1585e-6, 2585e-6});
  CHECK(s[Layer::reticular_dermis].thickness == doctest::Approx(1350e-6));
  s[Layer::viable_epidermis].thickness = 0.0;
  m = message_of([&] { s.validate(); });
  CHECK(m.find("skin.VE.thickness = 0") != std::string::npos);
  CHECK(m.find("valid range") != std::string::npos);
}
