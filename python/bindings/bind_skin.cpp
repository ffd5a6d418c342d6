// Bindings of the first pipeline stages: skin profiles, devices, penetration, injury field.
// Thin: type conversion only; physics lives in include/dermasim/{skin,device,mechanics,injury}.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <sstream>

#include "bindings.hpp"
#include "dermasim/device/device.hpp"
#include "dermasim/injury/rasterise.hpp"
#include "dermasim/injury/session.hpp"
#include "dermasim/mechanics/penetration.hpp"
#include "dermasim/skin/presets.hpp"

namespace py = pybind11;


namespace {
/// The declaration of a device type's fields for the Python device types.
template <class T>
py::list device_fields() {
  py::list out;
  for (const auto& f : T::fields())
    out.append(py::dict(py::arg("name") = f.name, py::arg("kind") = f.kind, py::arg("unit") = f.unit,
                        py::arg("lo") = f.lo, py::arg("hi") = f.hi, py::arg("doc") = f.doc));
  return out;
}
py::list needle_fields() {
  py::list out;
  for (const auto& f : dermasim::Needle::fields())
    out.append(py::dict(py::arg("name") = f.name, py::arg("kind") = "length", py::arg("unit") = "m",
                        py::arg("lo") = f.lo, py::arg("hi") = f.hi, py::arg("doc") = f.doc));
  return out;
}
}  // namespace

namespace dermasim::bindings {

namespace {
py::array_t<double> to_array(const std::vector<double>& v) {
  return py::array_t<double>(static_cast<py::ssize_t>(v.size()), v.data());
}
py::array_t<double> field_array(const aligned_vector& v, const Grid& g) {
  py::array_t<double> a({g.nz(), g.ny(), g.nx()});
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}
std::string um(double m) { return detail::fmt(m * 1e6) + " um"; }

py::dict events_dict(const std::vector<PunctureEvent>& ev) {
  const py::ssize_t n = static_cast<py::ssize_t>(ev.size());
  py::array_t<double> x(n), y(n), t(n), ang(n), az(n);
  py::array_t<int> pass(n), needle(n);
  for (py::ssize_t i = 0; i < n; ++i) {
    x.mutable_at(i) = ev[i].x, y.mutable_at(i) = ev[i].y, t.mutable_at(i) = ev[i].t;
    ang.mutable_at(i) = ev[i].angle, az.mutable_at(i) = ev[i].azimuth;
    pass.mutable_at(i) = ev[i].pass, needle.mutable_at(i) = ev[i].needle;
  }
  py::dict d;
  d["x"] = x, d["y"] = y, d["t"] = t, d["angle"] = ang, d["azimuth"] = az;
  d["pass"] = pass, d["needle"] = needle;
  return d;
}
}  // namespace

void bind_skin(py::module_& m) {
  // ---- skin ------------------------------------------------------------------------------
  py::enum_<Layer>(m, "Layer", "Skin layers, top to bottom")
      .value("stratum_corneum", Layer::stratum_corneum)
      .value("viable_epidermis", Layer::viable_epidermis)
      .value("papillary_dermis", Layer::papillary_dermis)
      .value("reticular_dermis", Layer::reticular_dermis)
      .value("hypodermis", Layer::hypodermis);
  m.def("layer_name", &layer_name, py::arg("layer"));
  m.def("layer_key", &layer_key, py::arg("layer"));
  m.def("layer_keys", [] {
    std::vector<std::string> k;
    for (int l = 0; l < n_layers; ++l) k.push_back(layer_key(static_cast<Layer>(l)));
    return k;
  }, "The layer keys, top to bottom (SC, VE, PD, RD, HY): the one definition the Python layer uses.");

  py::class_<LayerProperties>(m, "LayerProperties", "One skin layer (SI units)")
      .def(py::init([](double thickness, double shear_modulus, double vascular_access,
                       double fibroblast_density, double collagen, double elastin,
                       double keratinocyte) {
             return LayerProperties{thickness, shear_modulus, vascular_access, fibroblast_density,
                                    collagen, elastin, keratinocyte};
           }),
           py::arg("thickness") = 0.0, py::arg("shear_modulus") = 0.0,
           py::arg("vascular_access") = 0.0, py::arg("fibroblast_density") = 0.0,
           py::arg("collagen") = 0.0, py::arg("elastin") = 0.0, py::arg("keratinocyte") = 0.0)
      .def_readwrite("thickness", &LayerProperties::thickness, "m")
      .def_readwrite("shear_modulus", &LayerProperties::shear_modulus, "Pa")
      .def_readwrite("vascular_access", &LayerProperties::vascular_access, "0..1")
      .def_readwrite("fibroblast_density", &LayerProperties::fibroblast_density, "cells/m^3")
      .def_readwrite("collagen", &LayerProperties::collagen, "normalised")
      .def_readwrite("elastin", &LayerProperties::elastin, "normalised")
      .def_readwrite("keratinocyte", &LayerProperties::keratinocyte, "0 or 1")
      .def("__repr__", [](const LayerProperties& l) {
        return "LayerProperties(thickness=" + detail::fmt(l.thickness) + ", shear_modulus=" +
               detail::fmt(l.shear_modulus) + ", vascular_access=" + detail::fmt(l.vascular_access) +
               ", fibroblast_density=" + detail::fmt(l.fibroblast_density) + ")";
      });

  py::class_<SkinProfile>(m, "SkinProfile", "Five skin layers plus patient descriptors (SI)")
      .def(py::init<>())
      .def_property_readonly_static("phototype_range", [](py::object) {
        return py::make_tuple(SkinProfile::phototype_range[0], SkinProfile::phototype_range[1]);
      })
      .def_readwrite("site", &SkinProfile::site)
      .def_readwrite("upper_plexus_depth", &SkinProfile::upper_plexus_depth, "m")
      .def_readwrite("subcutis_thickness", &SkinProfile::subcutis_thickness, "m")
      .def_readwrite("tearing_energy", &SkinProfile::tearing_energy, "J/m^2")
      .def_readwrite("phototype", &SkinProfile::phototype)
      .def_readwrite("age_years", &SkinProfile::age_years)
      .def_readwrite("male", &SkinProfile::male)
      .def("__getitem__", [](SkinProfile& s, Layer l) -> LayerProperties& { return s[l]; },
           py::return_value_policy::reference_internal)
      .def("__setitem__", [](SkinProfile& s, Layer l, const LayerProperties& p) { s[l] = p; })
      .def_property("layers",
                    [](const SkinProfile& s) {
                      return std::vector<LayerProperties>(s.layers.begin(), s.layers.end());
                    },
                    [](SkinProfile& s, const std::vector<LayerProperties>& v) {
                      require_same_size("skin.layers", v.size(), n_layers);
                      std::copy(v.begin(), v.end(), s.layers.begin());
                    },
                    "the five layers (a copy; assign a list to change them)")
      .def_property_readonly("interfaces", &SkinProfile::interfaces, "bottom depth of each layer, m")
      .def_property_readonly("total_thickness", &SkinProfile::total_thickness)
      .def("layer_at", &SkinProfile::layer_at, py::arg("z"))
      .def("validate", &SkinProfile::validate)
      .def("__repr__", [](const SkinProfile& s) {
        std::string r = "SkinProfile(site='" + s.site + "', age_years=" + detail::fmt(s.age_years) +
                        ", male=" + (s.male ? "True" : "False") +
                        ", phototype=" + std::to_string(s.phototype) + ", thickness_um=[";
        for (int i = 0; i < n_layers; ++i)
          r += (i ? ", " : "") + detail::fmt(s.layers[i].thickness * 1e6);
        return r + "])";
      });
  m.def("skin_preset", &skin_preset, py::arg("site") = "face", py::arg("age_years") = 40.0,
        py::arg("male") = false, py::arg("phototype") = 3,
        "Skin profile for a body site (forehead, cheek, periorbital, neck, forearm, abdomen, "
        "back; 'face' = cheek), adjusted for age, sex and Fitzpatrick phototype.");
  m.def("skin_sites", &skin_sites);
  m.def("generic_skin", &generic_skin, "the generic skin of the model specification (Python Skin() defaults)");
  auto field_list = [](const auto& fields) {
    py::list out;
    for (const auto& f : fields)
      out.append(py::dict(py::arg("name") = f.name, py::arg("kind") = f.kind, py::arg("unit") = f.unit,
                          py::arg("lo") = f.lo, py::arg("hi") = f.hi, py::arg("doc") = f.doc));
    return out;
  };
  m.def("layer_fields", [field_list] { return field_list(LayerProperties::fields()); },
        "declaration of every layer property (name, kind, unit, lo, hi, doc; SI)");
  m.def("skin_fields", [field_list] { return field_list(SkinProfile::fields()); },
        "declaration of the skin's numeric descriptors");
  m.def("with_interfaces", &with_interfaces, py::arg("skin"), py::arg("depths"),
        "Copy of skin with layer thicknesses from 5 increasing interface depths (m).");

  // ---- devices ---------------------------------------------------------------------------
  py::enum_<NeedleShape>(m, "NeedleShape")
      .value("cone", NeedleShape::cone)
      .value("pyramid", NeedleShape::pyramid);
  py::class_<Needle>(m, "Needle", "Needle geometry (m)")
      .def_static("fields", &needle_fields)
      .def(py::init([](double length, double base_diameter, double tip_radius, double taper_length,
                       NeedleShape shape) {
             return Needle{length, base_diameter, tip_radius, taper_length, shape};
           }),
           py::arg("length") = 0.5e-3, py::arg("base_diameter") = 140e-6,
           py::arg("tip_radius") = 4e-6, py::arg("taper_length") = 0.0,
           py::arg("shape") = NeedleShape::cone)
      .def_readwrite("length", &Needle::length)
      .def_readwrite("base_diameter", &Needle::base_diameter)
      .def_readwrite("tip_radius", &Needle::tip_radius)
      .def_readwrite("taper_length", &Needle::taper_length)
      .def_readwrite("shape", &Needle::shape)
      .def("radius_at", &Needle::radius_at, py::arg("x"))
      .def("__repr__", [](const Needle& n) {
        return "Needle(length=" + detail::fmt(n.length) + ", base_diameter=" +
               detail::fmt(n.base_diameter) + ", tip_radius=" + detail::fmt(n.tip_radius) + ")";
      });

  py::class_<Roller>(m, "Roller", "Drum of needle rows")
      .def_static("fields", &device_fields<Roller>)
      .def(py::init<>())
      .def_readwrite("name", &Roller::name)
      .def_readwrite("needle", &Roller::needle)
      .def_readwrite("drum_diameter", &Roller::drum_diameter)
      .def_readwrite("drum_width", &Roller::drum_width)
      .def_readwrite("rows", &Roller::rows)
      .def_readwrite("needles_per_row", &Roller::needles_per_row)
      .def_readwrite("passes", &Roller::passes)
      .def_readwrite("directions", &Roller::directions)
      .def_readwrite("applied_force", &Roller::applied_force)
      .def_readwrite("rolling_speed", &Roller::rolling_speed)
      .def_readwrite("speed_cv", &Roller::speed_cv)
      .def_readwrite("position_jitter", &Roller::position_jitter)
      .def_readwrite("angle_jitter", &Roller::angle_jitter)
      .def_readwrite("pass_interval", &Roller::pass_interval)
      .def_property_readonly("needle_count", &Roller::needle_count)
      .def("__repr__", [](const Roller& r) {
        return "Roller('" + r.name + "', needles=" + std::to_string(r.needle_count()) +
               ", length=" + um(r.needle.length) + ", passes=" + std::to_string(r.passes) + ")";
      });
  py::class_<Pen>(m, "Pen", "Motorised stamping pen")
      .def_static("fields", &device_fields<Pen>)
      .def(py::init<>())
      .def_readwrite("name", &Pen::name)
      .def_readwrite("needle", &Pen::needle)
      .def_readwrite("needles", &Pen::needles)
      .def_readwrite("pitch", &Pen::pitch)
      .def_readwrite("frequency", &Pen::frequency)
      .def_readwrite("depth", &Pen::depth)
      .def_readwrite("depth_min", &Pen::depth_min)
      .def_readwrite("depth_max", &Pen::depth_max)
      .def_readwrite("needle_speed", &Pen::needle_speed)
      .def_readwrite("motor_force", &Pen::motor_force)
      .def_readwrite("nose_radius", &Pen::nose_radius)
      .def_readwrite("hand_speed", &Pen::hand_speed)
      .def_readwrite("passes", &Pen::passes)
      .def_readwrite("speed_cv", &Pen::speed_cv)
      .def_readwrite("position_jitter", &Pen::position_jitter)
      .def_readwrite("angle_jitter", &Pen::angle_jitter)
      .def("__repr__", [](const Pen& p) {
        return "Pen('" + p.name + "', needles=" + std::to_string(p.needles) +
               ", depth=" + um(p.depth) + ", frequency=" + detail::fmt(p.frequency) + " Hz)";
      });
  py::class_<Stamp>(m, "Stamp", "Flat needle array pressed by hand")
      .def_static("fields", &device_fields<Stamp>)
      .def(py::init<>())
      .def_readwrite("name", &Stamp::name)
      .def_readwrite("needle", &Stamp::needle)
      .def_readwrite("rows", &Stamp::rows)
      .def_readwrite("cols", &Stamp::cols)
      .def_readwrite("pitch", &Stamp::pitch)
      .def_readwrite("applied_force", &Stamp::applied_force)
      .def_readwrite("press_speed", &Stamp::press_speed)
      .def_readwrite("presses", &Stamp::presses)
      .def_readwrite("press_interval", &Stamp::press_interval)
      .def_readwrite("angle_jitter", &Stamp::angle_jitter)
      .def("__repr__", [](const Stamp& s) {
        return "Stamp('" + s.name + "', " + std::to_string(s.rows) + "x" + std::to_string(s.cols) +
               ", length=" + um(s.needle.length) + ")";
      });

  py::class_<Applicator>(m, "Applicator", "Impact applicator: a moving mass drives an array")
      .def_static("fields", &device_fields<Applicator>)
      .def(py::init<>())
      .def_readwrite("name", &Applicator::name)
      .def_readwrite("needle", &Applicator::needle)
      .def_readwrite("rows", &Applicator::rows)
      .def_readwrite("cols", &Applicator::cols)
      .def_readwrite("pitch", &Applicator::pitch)
      .def_readwrite("impact_velocity", &Applicator::impact_velocity)
      .def_readwrite("impact_mass", &Applicator::impact_mass)
      .def_readwrite("presses", &Applicator::presses)
      .def_readwrite("press_interval", &Applicator::press_interval)
      .def_readwrite("angle_jitter", &Applicator::angle_jitter)
      .def_property_readonly("kinetic_energy", &Applicator::kinetic_energy, "J")
      .def("__repr__", [](const Applicator& a) {
        return "Applicator('" + a.name + "', " + std::to_string(a.rows) + "x" + std::to_string(a.cols) +
               ", length=" + um(a.needle.length) + ", v=" + detail::fmt(a.impact_velocity) + " m/s)";
      });

  py::enum_<Drive>(m, "Drive", "What drives the needles: stroke (pen), force (hand), energy (impact)")
      .value("stroke", Drive::stroke)
      .value("force", Drive::force)
      .value("energy", Drive::energy);
  py::class_<Loading>(m, "Loading", "How a device loads each needle (SI)")
      .def_readonly("needle", &Loading::needle)
      .def_readonly("drive", &Loading::drive)
      .def_readonly("stroke", &Loading::stroke)
      .def_readonly("speed", &Loading::speed)
      .def_readonly("force_per_needle", &Loading::force_per_needle)
      .def_readonly("energy_per_needle", &Loading::energy_per_needle)
      .def_readonly("support_radius", &Loading::support_radius)
      .def_property_readonly("neighbours", [](const Loading& l) { return l.neighbours.size(); });

  py::class_<Device>(m, "Device", "Any device (roller, pen, stamp or applicator)")
      .def(py::init<Roller>(), py::arg("roller"))
      .def(py::init<Pen>(), py::arg("pen"))
      .def(py::init<Stamp>(), py::arg("stamp"))
      .def(py::init<Applicator>(), py::arg("applicator"))
      .def("loading", &Device::loading)
      .def_property_readonly("kind", &Device::kind_name)
      .def_property_readonly("name", &Device::name)
      .def_property_readonly("nominal_length", &Device::nominal_length, "m")
      .def_property_readonly("needle", &Device::needle)
      .def("strikes_per_area", &Device::strikes_per_area, "strikes per m² per session")
      .def("punctures",
           [](const Device& d, double lx, double ly, std::uint64_t seed, std::uint64_t session) {
             return events_dict(d.punctures(lx, ly, seed, session));
           },
           py::arg("lx"), py::arg("ly"), py::arg("seed") = 0, py::arg("session") = 0,
           "Puncture events over a periodic lx × ly patch (m): dict of numpy arrays")
      .def("__repr__", [](const Device& d) { return "Device(" + std::string(d.kind_name()) + ", '" + d.name() + "')"; });
  py::implicitly_convertible<Roller, Device>();
  py::implicitly_convertible<Pen, Device>();
  py::implicitly_convertible<Stamp, Device>();
  py::implicitly_convertible<Applicator, Device>();
  m.def("home_roller", &home_roller, py::arg("length") = 0.25e-3, py::arg("needles") = 192);
  m.def("clinical_roller", &clinical_roller, py::arg("length") = 1.5e-3);
  m.def("kalluri_roller", &kalluri_roller, py::arg("length") = 770e-6);
  m.def("clinical_pen", &clinical_pen, py::arg("depth") = 1.5e-3, py::arg("needles") = 12);

  // ---- penetration -----------------------------------------------------------------------
  py::class_<PenetrationParams> pp(m, "PenetrationParams",
                                   "Insertion model parameters (SI), by dotted name (docs/model.md §3)");
  pp.def(py::init<>());
  def_registry<PenetrationParams>(pp, "penetration.");
  py::enum_<InsertionLimit>(m, "InsertionLimit", "What stopped a needle")
      .value("dimple", InsertionLimit::dimple)
      .value("stroke", InsertionLimit::stroke)
      .value("force", InsertionLimit::force)
      .value("energy", InsertionLimit::energy);
  py::class_<NeedleResult>(m, "NeedleResult")
      .def_readonly("punctured", &NeedleResult::punctured)
      .def_readonly("depth", &NeedleResult::depth)
      .def_readonly("surface_radius", &NeedleResult::surface_radius)
      .def_readonly("tip_radius", &NeedleResult::tip_radius)
      .def_readonly("tent", &NeedleResult::tent)
      .def_readonly("puncture_tent", &NeedleResult::puncture_tent)
      .def_readonly("work", &NeedleResult::work)
      .def_readonly("limit", &NeedleResult::limit)
      .def_readonly("puncture_force", &NeedleResult::puncture_force)
      .def_readonly("insertion_force", &NeedleResult::insertion_force)
      .def_readonly("available_force", &NeedleResult::available_force)
      .def_readonly("vascular_exposure", &NeedleResult::vascular_exposure)
      .def_readonly("deepest_layer", &NeedleResult::deepest_layer)
      .def_readonly("bleeding", &NeedleResult::bleeding)
      .def("__repr__", [](const NeedleResult& r) {
        return std::string("NeedleResult(punctured=") + (r.punctured ? "True" : "False") +
               ", depth=" + um(r.depth) + ", layer=" + layer_key(r.deepest_layer) +
               ", bleeding=" + (r.bleeding ? "True" : "False") + ")";
      });
  py::class_<PenetrationSummary>(m, "PenetrationSummary")
      .def_readonly("needle", &PenetrationSummary::needle)
      .def_readonly("nominal_length", &PenetrationSummary::nominal_length)
      .def_readonly("puncture_probability", &PenetrationSummary::puncture_probability)
      .def_readonly("strikes_per_cm2", &PenetrationSummary::strikes_per_cm2)
      .def_readonly("channels_per_cm2", &PenetrationSummary::channels_per_cm2)
      .def_readonly("drive", &PenetrationSummary::drive)
      .def_readonly("speed", &PenetrationSummary::speed)
      .def_readonly("force_per_needle", &PenetrationSummary::force_per_needle)
      .def_readonly("energy_per_needle", &PenetrationSummary::energy_per_needle)
      .def_readonly("support_radius", &PenetrationSummary::support_radius)
      .def_readonly("shielding", &PenetrationSummary::shielding)
      .def_readonly("bending_length", &PenetrationSummary::bending_length)
      .def_readonly("plate_compliance", &PenetrationSummary::plate_compliance)
      .def_readonly("stiffening", &PenetrationSummary::stiffening)
      .def_readonly("energy_share", &PenetrationSummary::energy_share);
  m.def("epidermal_shear_modulus", &epidermal_shear_modulus, py::arg("skin"),
        "Thickness-weighted shear modulus of SC + VE, Pa");
  m.def("penetrate", &penetrate, py::arg("skin"), py::arg("device"),
        py::arg("params") = PenetrationParams{}, "Median needle of a device on a skin");
  m.def("puncture_force", &puncture_force, py::arg("skin"), py::arg("needle"),
        py::arg("speed") = 0.0, py::arg("params") = PenetrationParams{}, "N");
  m.def("penetrate_events",
        [](const SkinProfile& s, const Device& d, double lx, double ly, std::uint64_t seed,
           std::uint64_t session, const PenetrationParams& p) {
          std::vector<PunctureEvent> ev;
          std::vector<NeedleResult> r;
          {
            py::gil_scoped_release rel;
            ev = d.punctures(lx, ly, seed, session);
            r = penetrate_events(s, d, ev, seed, session, p);
          }
          py::dict out = events_dict(ev);
          const py::ssize_t n = static_cast<py::ssize_t>(r.size());
          py::array_t<double> depth(n), rs(n);
          py::array_t<bool> punct(n), bleed(n);
          py::array_t<int> layer(n);
          for (py::ssize_t i = 0; i < n; ++i) {
            depth.mutable_at(i) = r[i].depth, rs.mutable_at(i) = r[i].surface_radius;
            punct.mutable_at(i) = r[i].punctured, bleed.mutable_at(i) = r[i].bleeding;
            layer.mutable_at(i) = static_cast<int>(r[i].deepest_layer);
          }
          out["depth"] = depth, out["surface_radius"] = rs, out["punctured"] = punct;
          out["bleeding"] = bleed, out["deepest_layer"] = layer;
          return out;
        },
        py::arg("skin"), py::arg("device"), py::arg("lx"), py::arg("ly"), py::arg("seed") = 0,
        py::arg("session") = 0, py::arg("params") = PenetrationParams{},
        "Per-event penetration over a patch: dict of numpy arrays");

  // ---- injury ----------------------------------------------------------------------------
  py::class_<Channel>(m, "Channel")
      .def(py::init<>())
      .def_readwrite("x", &Channel::x)
      .def_readwrite("y", &Channel::y)
      .def_readwrite("t", &Channel::t)
      .def_readwrite("depth", &Channel::depth)
      .def_readwrite("surface_radius", &Channel::surface_radius)
      .def_readwrite("tip_radius", &Channel::tip_radius)
      .def_readwrite("deepest_layer", &Channel::deepest_layer)
      .def_readwrite("bleeding", &Channel::bleeding);
  py::class_<RasterParams> rp(m, "RasterParams", "The injury field's halo and blood fill (SI; registry raster.*)");
  rp.def(py::init<>());
  def_registry<RasterParams>(rp, "raster.");
  rp.def_readwrite("halo", &RasterParams::halo)
      .def_readwrite("halo_cutoff", &RasterParams::halo_cutoff)
      .def_readwrite("blood_fill", &RasterParams::blood_fill)
      .def_readwrite("subsamples_xy", &RasterParams::subsamples_xy)
      .def_readwrite("subsamples_z", &RasterParams::subsamples_z)
      .def_readwrite("surface_subsamples", &RasterParams::surface_subsamples);
  py::class_<InjuryField>(m, "InjuryField", "Micro-injury of one session on a grid")
      .def_readonly("grid", &InjuryField::grid)
      .def_property_readonly("damage", [](const InjuryField& f) { return field_array(f.damage, f.grid); },
                             "(nz, ny, nx) damage fraction (copy)")
      .def_property_readonly("bleeding", [](const InjuryField& f) { return field_array(f.bleeding, f.grid); },
                             "(nz, ny, nx) blood-filled fraction (copy)")
      .def_property_readonly("open_surface", [](const InjuryField& f) {
        py::array_t<double> a({f.grid.ny(), f.grid.nx()});
        std::copy(f.open_surface.begin(), f.open_surface.end(), a.mutable_data());
        return a;
      }, "(ny, nx) open channel-mouth fraction per column")
      .def("field_names", &InjuryField::field_names, "names of the per-voxel fields (damage, bleeding, stages' extra)")
      .def("field", [](const InjuryField& f, const std::string& n) { return field_array(f.field(n), f.grid); },
           py::arg("name"), "(nz, ny, nx) per-voxel field by name (copy)")
      .def_readonly("channels", &InjuryField::channels)
      .def_readonly("attempted", &InjuryField::attempted)
      .def_property_readonly("injured_volume", [](const InjuryField& f) {
        return to_array(std::vector<double>(f.injured_volume.begin(), f.injured_volume.end()));
      }, "m³ per layer (SC, VE, PD, RD, HY)")
      .def_readonly("channels_per_cm2", &InjuryField::channels_per_cm2)
      .def_readonly("opened_area_fraction", &InjuryField::opened_area_fraction)
      .def_readonly("bleeding_points", &InjuryField::bleeding_points);
  m.def("skin_grid", &skin_grid, py::arg("skin"), py::arg("lx") = 2e-3, py::arg("ly") = 2e-3,
        py::arg("nx") = 64, py::arg("ny") = 64, py::arg("h_min") = 5e-6, py::arg("h_max") = 50e-6,
        py::arg("lateral") = Lateral::periodic,
        "Patch grid with a z-face on every layer interface (m)");
  m.def("rasterise", &rasterise, py::arg("channels"), py::arg("skin"), py::arg("grid"),
        py::arg("attempted") = 0, py::arg("params") = RasterParams{},
        py::call_guard<py::gil_scoped_release>());
  m.def("session_injury", &session_injury, py::arg("skin"), py::arg("device"), py::arg("grid"),
        py::arg("seed") = 0, py::arg("session") = 0, py::arg("penetration") = PenetrationParams{},
        py::arg("raster") = RasterParams{}, py::call_guard<py::gil_scoped_release>(),
        "Device pattern → penetration → injury field for one session");
}

}  // namespace dermasim::bindings
