"""How hard and how fast a device drives its needles (issue 13): the loading keywords of
``dermasim.penetration``, the impact applicator, penetration parameters in scenarios and
sweeps, and ``dermasim needles --force/--speed/--impact-velocity``."""
from __future__ import annotations

import csv
import math
import struct

import numpy as np
import pytest

import dermasim as ds
from dermasim import _core, needles

import sweep_helpers as H

LOADING_COLUMNS = ["drive", "force_per_needle_N", "energy_per_needle_mJ", "speed_m_s", "support_radius_um",
                   "shielding", "puncture_tent_um", "work_uJ", "limit", "energy_share"]


def non_decreasing(x, tol=1e-9):
    x = np.asarray(x, dtype=float)
    return bool(np.all(np.diff(x) >= -tol * np.maximum(1.0, np.abs(x[:-1]))))


# -- loading sweeps ------------------------------------------------------------------------------

def test_table_has_the_loading_columns():
    df = ds.penetration("face", "stamp", force=[1, 10])
    for c in LOADING_COLUMNS + ["force_N", "device_speed_m_s", "impact_mass_g"]:
        assert c in df.columns, c
    assert set(df["drive"]) == {"force"}
    assert set(df["limit"]) <= {"dimple", "stroke", "force", "energy"}
    assert df["force_N"].tolist() == [1.0, 10.0]
    assert df["force_per_needle_N"].tolist() == pytest.approx([0.01, 0.1])  # 10 x 10 needles share it
    assert df["support_radius_um"].tolist() == pytest.approx([300.0, 300.0])  # half the 0.6 mm pitch
    assert math.isinf(df["energy_per_needle_mJ"][0]) and math.isnan(df["impact_mass_g"][0])
    pen = ds.penetration("face", "pen").iloc[0]
    assert pen["drive"] == "stroke" and pen["force_per_needle_N"] == pytest.approx(5.0 / 12)
    app = ds.penetration("face", "applicator").iloc[0]
    assert app["drive"] == "energy" and math.isnan(app["force_N"])
    assert app["energy_per_needle_mJ"] == pytest.approx(0.5 * 5e-3 * 3.0 ** 2 / 100 * 1e3)
    assert app["device_speed_m_s"] == 3.0 and app["impact_mass_g"] == pytest.approx(5.0)


def test_stamp_depth_is_monotone_in_force_and_saturates_at_full_insertion():
    forces = list(np.geomspace(0.01, 500, 30))
    df = ds.penetration("face", "stamp", force=forces)
    assert df["force_N"].tolist() == pytest.approx(forces)
    assert non_decreasing(df["depth_um"]), df[["force_N", "depth_um"]]
    assert non_decreasing(df["puncture_probability"])
    assert not df["punctured"].iloc[0] and df["depth_um"].iloc[0] == 0.0  # 0.1 mN per needle: a dimple
    top = df.tail(5)  # a firm press drives the needles home: the stroke limits, not the force
    assert (top["limit"] == "stroke").all()
    assert top["depth_um"].max() - top["depth_um"].min() < 1e-6 * top["depth_um"].max()
    assert (top["depth_fraction"] > 0.9).all() and (top["depth_fraction"] <= 1.0).all()
    assert (df["limit"] == "force").any()  # in between the force is what stops them


def test_faster_stamp_press_never_lowers_puncture_probability():
    speeds = list(np.geomspace(1e-4, 20, 12))
    partial = False
    for f in (0.5, 1.0, 2.0, 5.0, 10.0):
        df = ds.penetration("face", "stamp", force=f, speed=speeds)
        assert df["device_speed_m_s"].tolist() == pytest.approx(speeds)
        assert non_decreasing(df["puncture_probability"]), (f, df["puncture_probability"].tolist())
        partial |= bool(((df["puncture_probability"] > 0) & (df["puncture_probability"] < 1)).any())
    assert partial  # the check is not vacuous: some press is near the puncture threshold


def test_applicator_depth_is_monotone_in_impact_velocity():
    v = list(np.geomspace(0.01, 50, 25))
    df = ds.penetration("face", "applicator", impact_velocity=v)
    assert df["device_speed_m_s"].tolist() == pytest.approx(v)
    assert non_decreasing(df["depth_um"]), df[["device_speed_m_s", "depth_um"]]
    assert df["depth_um"].iloc[0] == 0.0 and df["depth_um"].iloc[-1] > 0.9 * 600
    assert (df["drive"] == "energy").all()
    assert df["energy_per_needle_mJ"].tolist() == pytest.approx([0.5 * 5e-3 * x * x / 100 * 1e3 for x in v])
    # a heavier piston at the same speed carries more energy: never shallower
    m = ds.penetration("face", "applicator", impact_mass=["1 g", "5 g", "20 g"], impact_velocity="3 m/s")
    assert m["impact_mass_g"].tolist() == pytest.approx([1, 5, 20]) and non_decreasing(m["depth_um"])
    assert m["depth_um"].iloc[-1] > m["depth_um"].iloc[0]


def test_pen_depth_is_monotone_in_motor_force():
    df = ds.penetration("face", "pen", lengths=["1 mm"], force=list(np.geomspace(1e-3, 1000, 15)))
    assert non_decreasing(df["depth_um"])
    assert df["depth_um"].iloc[0] < df["depth_um"].iloc[-1]
    assert df["limit"].iloc[-1] == "stroke"


def test_lengths_and_loading_are_a_full_factorial():
    df = ds.penetration("face", "roller", lengths=["0.25 mm", "0.5 mm"], force=[2, 20], speed=["10 mm/s", 0.1])
    assert len(df) == 8
    assert df["nominal_length_mm"].tolist() == pytest.approx([0.25] * 4 + [0.5] * 4)  # lengths slowest
    assert df["force_N"].tolist() == [2.0, 2.0, 20.0, 20.0] * 2
    assert df["device_speed_m_s"].tolist() == pytest.approx([0.01, 0.1] * 4)


def test_unit_strings_and_si_numbers_agree():
    a = ds.penetration("face", "stamp", force="500 mN", speed="50 mm/s").iloc[0]
    b = ds.penetration("face", "stamp", force=0.5, speed=0.05).iloc[0]
    assert a["depth_um"] == b["depth_um"] and a["force_N"] == 0.5 and a["device_speed_m_s"] == 0.05
    c = ds.penetration("face", "applicator", impact_velocity="300 cm/s", impact_mass="0.005 kg").iloc[0]
    d = ds.penetration("face", "applicator").iloc[0]  # the defaults: 3 m/s, 5 g
    assert c["depth_um"] == d["depth_um"]


def test_specs_and_bound_values_take_loading_without_being_changed():
    s = _core.Stamp()
    df = ds.penetration("face", s, force=[1, 100])
    assert s.applied_force == 10.0  # the caller's value is not changed
    assert df["depth_um"].iloc[1] > df["depth_um"].iloc[0]
    spec = ds.Stamp(applied_force="100 N")
    assert ds.penetration("face", spec).iloc[0]["depth_um"] == pytest.approx(df["depth_um"].iloc[1], rel=1e-12)
    # lengths apply to specs and bound values too (needle length; a pen's depth setting)
    L = ds.penetration("face", ds.Stamp(), lengths=["0.3 mm", "1 mm"])
    assert L["nominal_length_mm"].tolist() == pytest.approx([0.3, 1.0])
    p = ds.penetration("face", ds.Pen.clinical("1 mm"), lengths=["0.5 mm"]).iloc[0]
    assert p["nominal_length_mm"] == pytest.approx(0.5)


def test_bad_loading_values_name_the_keyword_and_range():
    cases = [(dict(force=-1), r"force \(device.applied_force of the stamp\): -1.* out of range; valid: \[0.001, 500\] N"),
             (dict(force=math.nan), r"force .*finite"),
             (dict(force=1e4), r"force .*out of range; valid: \[0.001, 500\] N"),
             (dict(speed="3 N"), r"speed .*expected a speed"),
             (dict(speed=[0.01, 100]), r"speed \(device.press_speed of the stamp\): 100.* \[0.0001, 20\] m/s"),
             (dict(impact_velocity=3), r"impact_velocity does not apply to a stamp.*force=, speed=")]
    for kw, match in cases:
        with pytest.raises(ds.InvalidArgumentError, match=match):
            ds.penetration("face", "stamp", **kw)
    with pytest.raises(ds.InvalidArgumentError, match=r"force does not apply to an applicator.*impact_velocity="):
        ds.penetration("face", "applicator", force=1)
    with pytest.raises(ds.InvalidArgumentError, match=r"impact_velocity .*\[0.01, 50\] m/s"):
        ds.penetration("face", "applicator", impact_velocity=0.001)
    with pytest.raises(ds.InvalidArgumentError, match=r"motor_force.*\[0.001, 1000\] N"):
        ds.penetration("face", "pen", force=2000)
    with pytest.raises(ds.InvalidArgumentError, match="cannot be changed"):
        ds.penetration("face", _core.Device(_core.Stamp()), force=1)
    with pytest.raises(ds.InvalidArgumentError, match="empty list"):
        ds.penetration("face", "stamp", force=[])
    with pytest.raises(ds.InvalidArgumentError, match="did you mean 'applicator'"):
        needles.make_device("aplicator")


def test_penetration_parameters_reach_the_cpp_model():
    base = ds.penetration("face", "stamp").iloc[0]
    hi = ds.penetration("face", "stamp", params={"insertion.friction_stress": "50 kPa"}).iloc[0]
    p = _core.PenetrationParams()
    p.set("penetration.insertion.friction_stress", 50e3)
    cpp = ds.penetration("face", "stamp", params=p).iloc[0]
    spec = ds.penetration("face", "stamp", params=ds.PenetrationParameters(insertion={"friction_stress": 5e4})).iloc[0]
    assert hi["depth_um"] == cpp["depth_um"] == spec["depth_um"]
    assert hi["depth_um"] < base["depth_um"]  # more friction: a force-limited needle stops sooner
    with pytest.raises(ds.InvalidArgumentError, match="did you mean 'insertion.friction_stress'"):
        ds.penetration("face", "stamp", params={"insertion.friction_stres": 1.0})


def test_injury_and_needles_table_take_loading():
    lo = ds.injury("face", "stamp", force=2, nx=16, ny=16)
    hi = ds.injury("face", "stamp", force=50, nx=16, ny=16)
    assert sum(hi.injured_volume.values()) > sum(lo.injured_volume.values())
    t = needles.needles_table("face", ["0.5 mm", "1 mm"], "applicator", impact_velocity="10 m/s", nx=16)
    assert t["device_speed_m_s"].tolist() == [10.0, 10.0] and "injured_RD_mm3_per_cm2" in t
    with pytest.raises(ds.InvalidArgumentError, match="one value here"):
        needles.needles_table("face", ["0.5 mm"], "stamp", force=[1, 2])


# -- the applicator and the new skin fields as scenario types ---------------------------------------

def test_applicator_spec_mirrors_cpp():
    assert ds.Applicator.from_cpp(_core.Applicator()) == ds.Applicator()
    a = ds.Applicator(impact_velocity="5 m/s", impact_mass="10 g", needle_length="0.8 mm")
    cpp = a.to_cpp()
    assert (cpp.impact_velocity, cpp.impact_mass, cpp.needle.length) == (5.0, 0.01, 8e-4)
    assert a.kinetic_energy == pytest.approx(cpp.kinetic_energy) == pytest.approx(0.125)
    assert _core.Device(cpp).kind == "applicator"
    assert needles.make_device("applicator", "0.8 mm").kind == "applicator"
    with pytest.raises(ds.InvalidArgumentError, match=r"device.impact_velocity: .* out of range; valid: \[0.01, 50\] m/s"):
        ds.Applicator(impact_velocity="60 m/s")
    with pytest.raises(ds.InvalidArgumentError, match=r"device.impact_mass: expected a mass"):
        ds.Applicator(impact_mass="5 mm")
    assert isinstance(ds.scenario.Device.from_dict({"type": "applicator", "rows": 4}), ds.Applicator)


def test_pen_and_skin_new_fields():
    p = ds.Pen(motor_force="2 N", nose_radius="3 mm")
    cpp = p.to_cpp()
    assert (cpp.motor_force, cpp.nose_radius) == (2.0, 3e-3)
    assert ds.Pen.from_cpp(_core.Pen()) == ds.Pen()
    with pytest.raises(ds.InvalidArgumentError, match=r"device.motor_force: .*\[0.001, 1000\] N"):
        ds.Pen(motor_force="2 kN")
    s = ds.Skin()
    assert (s.subcutis_thickness, s.tearing_energy) == (5e-3, 1140.0)  # the C++ SkinProfile defaults
    sp = _core.SkinProfile()
    assert (sp.subcutis_thickness, sp.tearing_energy) == (s.subcutis_thickness, s.tearing_energy)
    rat = ds.Skin.preset("rat")
    assert rat.tearing_energy == _core.skin_preset("rat").tearing_energy > 10 * s.tearing_energy  # ~15 kJ/m^2
    assert ds.Skin.from_cpp(rat.to_cpp()) == rat
    t = ds.Skin(tearing_energy="2 kJ/m^2", subcutis_thickness="1 cm").to_cpp()
    assert (t.tearing_energy, t.subcutis_thickness) == (2000.0, 0.01)
    with pytest.raises(ds.InvalidArgumentError, match=r"skin.tearing_energy: .*\[1, 1e\+06\] J/m\^2"):
        ds.Skin(tearing_energy=0.5)
    # the spec carries the preset's fields to C++: a tougher skin never lets a needle deeper
    tough = ds.Skin.preset("face").replace(tearing_energy=20000.0)
    assert ds.penetration(tough, "stamp").iloc[0]["depth_um"] <= ds.penetration("face", "stamp").iloc[0]["depth_um"]


# -- penetration parameters in scenarios, files and sweeps ----------------------------------------

def _scenario():
    return ds.Scenario(device=ds.Applicator(needle_length="0.8 mm", impact_velocity="4 m/s"),
                       penetration={"insertion.friction_stress": "2 kPa", "puncture": {"critical_speed": "0.5 m/s"}},
                       protocol=ds.Protocol(sessions=1, follow_up="1 week"), seed=5)


def test_scenario_with_penetration_and_applicator_round_trips(tmp_path):
    sc = _scenario()
    assert sc.penetration["insertion.friction_stress"] == 2000.0
    assert sc.penetration.values == {"insertion.friction_stress": 2000.0, "puncture.critical_speed": 0.5}
    assert ds.Scenario.from_dict(sc.to_dict()) == sc
    assert ds.Scenario.from_json(sc.to_json()) == sc
    assert ds.Scenario.from_toml(sc.to_toml()) == sc
    for name in ("a.toml", "a.json"):
        sc.save(tmp_path / name)
        back = ds.Scenario.load(tmp_path / name)
        assert back == sc and isinstance(back.device, ds.Applicator)
        assert back.penetration["puncture.critical_speed"] == 0.5
    text = (tmp_path / "a.toml").read_text()
    assert 'type = "applicator"' in text and "[penetration.insertion]" in text
    # a hand-written file with units
    (tmp_path / "h.toml").write_text('[device]\ntype = "applicator"\nimpact_velocity = "6 m/s"\n'
                                     '[penetration]\n"insertion.friction_stress" = "3 kPa"\n')
    h = ds.Scenario.load(tmp_path / "h.toml")
    assert h.device.impact_velocity == 6.0 and h.get("penetration.insertion.friction_stress") == 3000.0
    (tmp_path / "bad.toml").write_text('[penetration]\n"insertion.friction_stres" = "3 kPa"\n')
    with pytest.raises(ds.InvalidArgumentError, match=r"bad.toml: .*did you mean 'insertion.friction_stress'"):
        ds.Scenario.load(tmp_path / "bad.toml")
    (tmp_path / "range.toml").write_text('[penetration]\n"insertion.friction_stress" = "1 GPa"\n')
    with pytest.raises(ds.InvalidArgumentError, match="unknown unit 'GPa'|out of range"):
        ds.Scenario.load(tmp_path / "range.toml")


def test_scenario_penetration_reaches_the_cpp_scenario():
    sc = _scenario()
    cpp = sc.to_cpp()
    assert cpp.penetration.get("penetration.insertion.friction_stress") == 2000.0
    assert cpp.penetration.get("penetration.puncture.critical_speed") == 0.5
    assert cpp.protocol.sessions[0].device.kind == "applicator"
    default = ds.Scenario().to_cpp().penetration
    assert default.to_dict() == _core.PenetrationParams().to_dict()


def test_dotted_names_of_penetration_parameters():
    sc = ds.Scenario(seed=2)
    name = "penetration.insertion.friction_stress"
    assert sc.get(name) == _core.PenetrationParams().get(name)  # not overridden: the C++ default
    t = sc.with_values({name: "4 kPa", "device.type": "applicator", "device.impact_velocity": "2 m/s"})
    assert t.get(name) == 4000.0 and t.device.impact_velocity == 2.0 and isinstance(t.device, ds.Applicator)
    assert sc.get(name) != 4000.0  # unchanged
    with pytest.raises(ds.InvalidArgumentError, match="did you mean 'insertion.friction_stress'"):
        sc.with_values({"penetration.insertion.friction_stres": 1.0})
    with pytest.raises(ds.InvalidArgumentError, match="did you mean"):
        sc.get("penetration.insertion.friction_stres")
    with pytest.raises(ds.InvalidArgumentError, match=r"penetration.insertion.friction_stress: .* out of range; valid: \[0, 10000\] kPa"):
        sc.with_values({name: "20 MPa"})
    with pytest.raises(ds.InvalidArgumentError, match="expected a quantity in kPa"):
        sc.with_values({name: "2 mm"})
    assert name in ds.PenetrationParameters.names()
    assert set(ds.PenetrationParameters.names()) == set(_core.PenetrationParams.names())


def test_one_registry_implementation():
    from dermasim.scenario import RegistryParameters

    assert issubclass(ds.ModelParameters, RegistryParameters) and issubclass(ds.PenetrationParameters, RegistryParameters)
    for cls in (ds.ModelParameters, ds.PenetrationParameters):
        assert "__init__" not in vars(cls) and "table" not in vars(cls)
    assert ds.ModelParameters.table() is not ds.PenetrationParameters.table()  # each its own registry
    assert not set(ds.ModelParameters.table()) & set(ds.PenetrationParameters.table())
    assert ds.PenetrationParameters({"penetration.bleeding.exposure": "80 um"})["bleeding.exposure"] == pytest.approx(8e-5)


def test_sweep_over_a_penetration_parameter():
    base = ds.Scenario(device=ds.Stamp(), seed=1)
    name = "penetration.insertion.friction_stress"
    df = ds.sweep(base, {name: ["1 kPa", "10 kPa", "100 kPa"]}, outputs=["depth_um"], run=H.depth_run,
                  executor="serial")
    assert (df["status"] == "ok").all() and df[name].tolist() == ["1 kPa", "10 kPa", "100 kPa"]
    d = df["depth_um"].to_numpy()
    assert d[0] > d[1] > d[2]  # the override reached the C++ model in every run
    # the default run (dermasim.simulate) uses the scenario's penetration parameters
    sim = ds.sweep(base.replace(protocol=ds.Protocol(sessions=1, follow_up="3 days")),
                   {name: ["1 kPa", "100 kPa"]}, outputs=["real_depth"], executor="serial")
    assert (sim["status"] == "ok").all()
    assert sim["real_depth"].iloc[0] > sim["real_depth"].iloc[1]


def test_sensitivity_over_penetration_parameters():
    pytest.importorskip("SALib")
    si = ds.sensitivity(ds.Scenario(device=ds.Stamp(), seed=1),
                        {"penetration.insertion.friction_stress": ("1 kPa", "100 kPa"),
                         "penetration.bleeding.exposure": ("50 um", "100 um")},
                        output="depth_um", n=16, run=H.depth_run, executor="serial")
    assert si.loc["penetration.insertion.friction_stress", "ST"] > 0.5
    assert abs(si.loc["penetration.bleeding.exposure", "ST"]) < 0.05  # bleeding does not move the needle


# -- the command line ------------------------------------------------------------------------------

def _png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def _csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_cli_applicator_impact_velocities(tmp_path, capsys):
    from dermasim.cli import main

    rc = main(["needles", "--device", "applicator", "--impact-velocity", "1,3,10", "-o", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0
    assert "depth vs impact velocity" in out and "depth vs impact mass" in out and "RD mm3/cm2" in out
    png = tmp_path / "needles_face_applicator.png"
    w, h = _png_size(png)
    assert png.stat().st_size > 30_000 and w > 2.5 * h  # three panels side by side
    rows = _csv(tmp_path / "needles_face_applicator_impact_velocity.csv")
    assert [float(r["device_speed_m_s"]) for r in rows] == [1.0, 3.0, 10.0]
    assert non_decreasing([float(r["depth_um"]) for r in rows])
    assert {r["drive"] for r in rows} == {"energy"}
    assert len(_csv(tmp_path / "needles_face_applicator.csv")) == 6  # the default lengths


def test_cli_stamp_forces(tmp_path, capsys):
    from dermasim.cli import main

    rc = main(["needles", "--device", "stamp", "--force", "1,10,50", "--skin", "forearm", "-o", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0 and "depth vs force" in out and "depth vs speed" in out
    png = tmp_path / "needles_forearm_stamp.png"
    w, h = _png_size(png)
    assert png.stat().st_size > 30_000 and w > 2.5 * h
    rows = _csv(tmp_path / "needles_forearm_stamp_force.csv")
    assert [float(r["force_N"]) for r in rows] == [1.0, 10.0, 50.0]
    depth = [float(r["depth_um"]) for r in rows]
    assert non_decreasing(depth) and depth[-1] > depth[0]
    assert (tmp_path / "needles_forearm_stamp_speed.csv").exists()
    # one value sets the force everywhere, with units
    rc = main(["needles", "--device", "stamp", "--force", "500 mN", "--speed", "1 mm/s,1 m/s",
               "--lengths", "0.5,1", "-o", str(tmp_path / "one")])
    assert rc == 0
    rows = _csv(tmp_path / "one" / "needles_face_stamp.csv")
    assert [float(r["force_N"]) for r in rows] == [0.5, 0.5]
    assert [float(r["device_speed_m_s"]) for r in _csv(tmp_path / "one" / "needles_face_stamp_speed.csv")] == [1e-3, 1.0]


@pytest.mark.parametrize("args, match", [
    (["--device", "stamp", "--force", "-1"], r"argument --force: '-1' is invalid: values must be finite and > 0 \(N\)"),
    (["--device", "stamp", "--force", "nan"], r"argument --force: 'nan' is invalid"),
    (["--device", "stamp", "--force", "1,,2"], r"argument --force: an empty item"),
    (["--device", "stamp", "--force", "3 m"], r"argument --force: expected a force"),
    (["--device", "stamp", "--force", "1000"], r"--force \(device.applied_force of the stamp\): .*valid: \[0.001, 500\] N"),
    (["--device", "pen", "--speed", "100"], r"--speed \(device.needle_speed of the pen\): .*\[0.0001, 20\] m/s"),
    (["--device", "applicator", "--impact-velocity", "0,3"], r"argument --impact-velocity: '0' is invalid"),
    (["--device", "applicator", "--impact-velocity", "100"], r"--impact-velocity .*\[0.01, 50\] m/s"),
    (["--device", "applicator", "--force", "3"], r"--force does not apply to an applicator.*--impact-velocity"),
    (["--device", "stamp", "--impact-velocity", "3"], r"--impact-velocity does not apply to a stamp.*--force, --speed"),
    (["--device", "stamper"], r"argument --device: invalid choice: 'stamper'"),
    (["--site", "cheeck"], r"--site 'cheeck' is not a skin site; did you mean 'cheek'"),
    (["--age", "200"], r"--age: .*out of range; valid: \[0, 120\]"),
    (["--device", "pen", "--lengths", "3"], r"--lengths: device.depth .*\[0.00025, 0.0025\] m"),
    (["--device", "stamp", "--length", "1,2"], r"--length takes one value"),
])
def test_cli_bad_input_is_a_usage_error(tmp_path, capsys, args, match):
    import re

    from dermasim.cli import main

    rc = main(["needles", *args, "-o", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert re.search(match, err), err
    assert "Traceback" not in err
    assert not list(tmp_path.iterdir())  # nothing written


def test_cli_home_roller_defaults_fit_the_preset(tmp_path, capsys):
    from dermasim.cli import main

    assert main(["needles", "--device", "home-roller", "-o", str(tmp_path)]) == 0
    rows = _csv(tmp_path / "needles_face_home-roller.csv")
    assert max(float(r["nominal_length_mm"]) for r in rows) <= 1.0
