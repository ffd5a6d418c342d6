"""Units, configuration files and scenario types (issue 5 §1–2)."""
import json
import math

import pytest

import dermasim as ds
from dermasim import units


@pytest.mark.parametrize("text, dim, si", [
    ("1.5 mm", "length", 1.5e-3), ("20 um", "length", 20e-6), ("20 µm", "length", 20e-6),
    ("20 μm", "length", 20e-6), ("4 weeks", "time", 4 * 7 * 86400.0), ("36 h", "time", 36 * 3600.0),
    ("0.012 mm^2/h", "diffusivity", 0.012e-6 / 3600), ("0.012 mm**2/h", "diffusivity", 0.012e-6 / 3600),
    ("3 per day", "rate", 3 / 86400), ("0.7 1/h", "rate", 0.7 / 3600), ("100 Hz", "frequency", 100.0),
    ("1000 cells/mm^3", "volume_density", 1e12), ("2.22 MPa", "pressure", 2.22e6),
    ("6 months", "time", 6 * 30.4375 * 86400), ("1e-3 m", "length", 1e-3), (0.5, "length", 0.5),
    ("15 deg", "angle", math.radians(15)),
])
def test_parse_quantities(text, dim, si):
    assert units.parse(text, dim) == pytest.approx(si, rel=1e-15)


def test_parse_is_exact_for_decimal_inputs():
    assert units.parse("20 um", "length") == 2e-5
    assert units.parse("1000 cells/mm^3", "volume_density") == 1e12


@pytest.mark.parametrize("text, dim, match", [
    ("2 h", "length", r"needle: expected a length \(m\), but the unit is a time"),
    ("1.5 furlongs", "length", r"needle: unknown unit 'furlongs'"),
    ("1.5 mmm", "length", r"did you mean 'mm'\?"),
    ("mm", "length", r"needle: expected a number with a unit"),
    ("nan m", "length", r"needle"),
    (True, "length", r"boolean"),
    ([1], "length", r"needle"),
])
def test_parse_errors_name_the_parameter_and_dimension(text, dim, match):
    with pytest.raises(ds.InvalidArgumentError, match=match):
        units.parse(text, dim, "needle")


def test_format_round_trips_exactly():
    for v, dim in [(1.5e-3, "length"), (1350e-6, "length"), (36 * 3600.0, "time"), (4 * 604800.0, "time"),
                   (1e12, "volume_density"), (1.23456789e-7, "length"), (0.012e-6 / 3600, "diffusivity")]:
        s = units.format(v, dim, exact=True)
        assert (units.parse(s, dim) if isinstance(s, str) else s) == v
    assert units.format(1.5e-3, "length") == "1.5 mm"
    assert units.format(36 * 3600.0, "time") == "36 h"
    assert units.format(28 * 86400.0, "time") == "4 weeks"


def test_keyword_constructors_accept_unit_strings_and_store_si():
    pen = ds.Pen(needle_length="1.5 mm", frequency="120 Hz", hand_speed="1 cm/s")
    assert pen.needle_length == 1.5e-3 and pen.depth == 1.5e-3
    assert pen.frequency == 120.0 and pen.hand_speed == pytest.approx(0.01)
    r = ds.Roller(needle_length="0.25 mm", needle={"base_diameter": "70 um"})
    assert r.needle.length == 0.25e-3 and r.needle.base_diameter == 70e-6 and r.needle_length == 0.25e-3
    assert ds.Roller(angle_jitter="3 deg").angle_jitter == pytest.approx(math.radians(3))
    p = ds.Protocol(sessions=4, interval="4 weeks", follow_up="6 months")
    assert p.duration == 3 * 4 * 604800 + 6 * 30.4375 * 86400
    assert "depth='1.5 mm'" in repr(pen)
    assert "interval='4 weeks'" in repr(p)


def test_validation_at_construction_names_parameter_and_range():
    with pytest.raises(ds.InvalidArgumentError, match=r"device.needle.length: 0.02 m is out of range; valid: \[1e-05, 0.005\] m"):
        ds.Roller(needle_length="2 cm")
    with pytest.raises(ds.InvalidArgumentError, match=r"device.depth: 0.003 m is outside the pen's range"):
        ds.Pen(needle_length="3 mm")
    with pytest.raises(ds.InvalidArgumentError, match=r"not both"):
        ds.Pen(needle_length="1 mm", depth="2 mm")
    with pytest.raises(ValueError, match=r"protocol.sessions: expected an integer"):
        ds.Protocol(sessions=2.5)
    with pytest.raises(ValueError, match=r"skin.phototype"):
        ds.Skin(phototype=7)
    with pytest.raises(ValueError, match=r"numerics.h_max"):
        ds.Numerics(h_min="50 um", h_max="10 um")
    pen = ds.Pen()
    with pytest.raises(ValueError, match="device.depth"):
        pen.depth = "-1 mm"
    with pytest.raises(AttributeError, match="did you mean 'needles'"):
        pen.neeedles = 1


def test_unknown_keys_rejected_with_hint():
    with pytest.raises(ds.InvalidArgumentError, match=r"unknown parameter 'needles_per_rwo'; did you mean 'needles_per_row'\?"):
        ds.Roller(needles_per_rwo=3)
    with pytest.raises(ds.InvalidArgumentError, match=r"skin.PD: unknown parameter 'thicknes'; did you mean 'thickness'"):
        ds.Skin(PD={"thicknes": "1 mm"})
    with pytest.raises(ds.InvalidArgumentError, match=r"did you mean 'protocol'"):
        ds.Scenario.from_dict({"protocl": {}})
    with pytest.raises(ds.InvalidArgumentError, match=r"device.type: 'pne'.*did you mean 'pen'"):
        ds.Scenario.from_dict({"device": {"type": "pne"}})


def _scenario():
    return ds.Scenario(device=ds.Roller(needle_length="0.5 mm", passes=6, name="MF8"),
                       protocol=ds.Protocol(sessions=4, interval="4 weeks", follow_up="6 months"),
                       skin=ds.Skin(PD={"thickness": "180 um"}, age_years=55),
                       numerics=ds.Numerics(dimension=1), seed=42, title="roller study")


def test_dict_json_toml_round_trip(tmp_path):
    s = _scenario()
    assert ds.Scenario.from_dict(s.to_dict()) == s
    assert ds.Scenario.from_dict(s.to_dict(units=False)) == s
    assert ds.Scenario.from_json(s.to_json()) == s
    assert ds.Scenario.from_toml(s.to_toml()) == s
    for name in ("s.toml", "s.json"):
        s.save(tmp_path / name)
        assert ds.Scenario.load(tmp_path / name) == s
    text = (tmp_path / "s.toml").read_text()
    assert 'length = "500 um"' in text and 'interval = "4 weeks"' in text
    json.loads((tmp_path / "s.json").read_text())
    # written like any new file (not mkstemp's 0600), no temporary left behind
    from dermasim.config import default_mode

    assert (tmp_path / "s.toml").stat().st_mode & 0o777 == default_mode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json", "s.toml"]
    # a missing directory is a clear error naming it
    with pytest.raises(ds.FileFormatError, match="does not exist"):
        s.save(tmp_path / "no_such_dir" / "s.toml")


def test_hand_written_toml_with_units(tmp_path):
    p = tmp_path / "scenario.toml"
    p.write_text('seed = 7\n[device]\ntype = "pen"\nneedle_length = "1.5 mm"\n'
                 '[protocol]\nsessions = 3\ninterval = "6 weeks"\nfollow_up = "36 h"\n')
    s = ds.Scenario.load(p)
    assert s.device.needle_length == 1.5e-3 and s.protocol.follow_up == 36 * 3600 and s.seed == 7
    p.write_text('[device]\ntype = "pen"\nneedle_length = "1.5 h"\n')
    with pytest.raises(ds.InvalidArgumentError, match=r"scenario.toml: device.depth: expected a length"):
        ds.Scenario.load(p)
    p.write_text('[device\n')
    with pytest.raises(ds.InvalidArgumentError, match="invalid TOML"):
        ds.Scenario.load(p)
    with pytest.raises(ds.FileFormatError, match="missing.toml"):
        ds.Scenario.load(tmp_path / "missing.toml")


def test_dotted_names():
    s = _scenario()
    assert s.get("device.needle_length") == 5e-4
    assert s.get("skin.PD.thickness") == 180e-6
    t = s.with_values({"device.needle_length": "1 mm", "protocol.sessions": 2, "skin.RD.collagen": 1.2})
    assert (t.device.needle_length, t.protocol.sessions, t.skin.RD.collagen) == (1e-3, 2, 1.2)
    assert s.device.needle_length == 5e-4  # unchanged
    with pytest.raises(ds.InvalidArgumentError, match="did you mean 'needles_per_row'"):
        s.with_values({"device.needles_per_rw": 1})
    assert s.with_values({"device.needle.length": "1.2 mm"}).device.needle_length == 1.2e-3
    with pytest.raises(ds.InvalidArgumentError, match="did you mean"):
        s.get("protocol.sesions")
    flat = s.flat()
    assert "skin.HY.thickness" in flat and "numerics.h_min" in flat
    u = s.with_values({"device.type": "pen", "device.needle_length": "2 mm"})
    assert isinstance(u.device, ds.Pen) and u.device.depth == 2e-3


def test_replace_and_equality():
    s = _scenario()
    assert s.replace(seed=1) != s and s.replace(seed=1).seed == 1
    assert ds.Pen().replace(needles=36).needles == 36
    assert ds.Protocol(sessions=2) == ds.Protocol(sessions=2)


def test_skin_interfaces_match_layer_thicknesses():
    sk = ds.Skin()
    assert sk.interfaces == pytest.approx([15e-6, 85e-6, 235e-6, 1585e-6, 2585e-6])


def test_skin_preset_without_bindings_is_a_clear_error_or_works():
    if hasattr(ds._core, "skin_preset"):
        s = ds.Skin.preset(ds.Skin.presets()[0])
        assert isinstance(s, ds.Skin)
    else:
        with pytest.raises(ds.InvalidArgumentError, match="skin presets"):
            ds.Skin.preset("face")


# -- the C++ types (skin and device bindings) ----------------------------------------------------

needs_devices = pytest.mark.skipif(not hasattr(ds._core, "Pen"), reason="no device bindings in this build")


@needs_devices
@pytest.mark.parametrize("cls", [ds.Roller, ds.Pen, ds.Stamp, ds.Applicator])
def test_device_defaults_match_cpp_and_round_trip(cls):
    cpp_default = getattr(ds._core, cls.__name__)()
    from_cpp = cls.from_cpp(cpp_default)
    assert from_cpp == cls(), "Python defaults differ from the C++ defaults"
    custom = cls(needle_length="0.75 mm", angle_jitter="1 deg")
    back = cls.from_cpp(custom.to_cpp())
    assert back == custom
    assert ds._core.Device(custom.to_cpp()).nominal_length == pytest.approx(custom.needle_length)


@needs_devices
def test_skin_presets_and_round_trip():
    assert "face" in ds.Skin.presets()
    s = ds.Skin.preset("forehead", age_years=60, phototype=5)
    assert s.site == "forehead" and s.age_years == 60 and s.phototype == 5
    assert ds.Skin.from_cpp(s.to_cpp()) == s
    with pytest.raises(ds.InvalidArgumentError, match="did you mean 'forehead'"):
        ds.Skin.preset("forhead")
    # the Python reference skin equals the C++ one used by the healing model when it is bound
    ref = getattr(ds._core, "reference_face_skin", None)
    if ref is not None:
        assert ds.Skin.from_cpp(ref()) == ds.Skin()


@needs_devices
def test_device_presets():
    home = ds.Roller.home("0.25 mm")
    assert home.needle_length == 0.25e-3 and home.rows * home.needles_per_row == 192
    assert ds.Pen.clinical("1.5 mm").depth == 1.5e-3
    assert ds.Roller.clinical().needle_length == 1.5e-3


def test_model_parameters_against_a_registry(monkeypatch):
    table = {"fibroblast.proliferation_rate": ("1/day", 1 / 86400, 0.0, 100.0),
             "tgf.basal": ("ng/mL", 1.0, 0.0, 100.0),
             "macrophage.inflammatory_fraction": ("-", 1.0, 0.0, 1.0)}
    monkeypatch.setattr(ds.ModelParameters, "table", staticmethod(lambda: table))
    mp = ds.ModelParameters({"fibroblast.proliferation_rate": "0.8 1/day"}, tgf={"basal": "2e-6 kg/m^3"})
    assert mp["fibroblast.proliferation_rate"] == pytest.approx(0.8 / 86400)
    assert mp["tgf.basal"] == pytest.approx(2.0)
    assert ds.ModelParameters({"healing.macrophage.inflammatory_fraction": 0.5})["macrophage.inflammatory_fraction"] == 0.5
    with pytest.raises(ds.InvalidArgumentError, match="did you mean 'fibroblast.proliferation_rate'"):
        ds.ModelParameters({"fibroblast.proliferation_rte": 1.0})
    with pytest.raises(ds.InvalidArgumentError, match=r"healing.fibroblast.proliferation_rate: 200 1/day is out of range"):
        ds.ModelParameters({"fibroblast.proliferation_rate": "200 1/day"})
    with pytest.raises(ds.InvalidArgumentError, match="expected a quantity in 1/day"):
        ds.ModelParameters({"fibroblast.proliferation_rate": "2 mm"})
    sc = ds.Scenario().with_values({"healing.tgf.basal": "0.5 ng/mL"})
    assert sc.healing["tgf.basal"] == 0.5 and sc.get("healing.tgf.basal") == 0.5
    assert ds.Scenario.from_toml(sc.to_toml()) == sc
