"""Penetration / injury from Python and the `dermasim needles` command (issue 3)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import dermasim as ds
from dermasim import _core
from dermasim import needles


def test_penetration_table_face_pen_is_monotone_and_clinically_sensible():
    # mirrors tests/cpp/mechanics/test_penetration.cpp ("clinical picture on the default face",
    # "test row: Sasaki 2019 ...") for the insertion mechanics of issue 13
    df = ds.penetration("face", "pen", lengths=["0.25 mm", "0.5 mm", "1 mm", "1.5 mm", "2 mm", "2.5 mm"])
    assert list(df["nominal_length_mm"]) == pytest.approx([0.25, 0.5, 1, 1.5, 2, 2.5])
    assert np.all(np.diff(df["depth_um"]) > 0)  # longer -> deeper
    assert np.all(df["depth_um"] < 1000 * df["nominal_length_mm"])  # tenting: never the full length
    assert (df["drive"] == "stroke").all()
    for i in (1, 3):  # Sasaki 2019: channels approximate the 0.5 and 1.5 mm settings (factor 1.5)
        assert df.loc[i, "depth_um"] > 1000 * df.loc[i, "nominal_length_mm"] / 1.5
    assert all(df.loc[3:, "bleeding"])  # 1.5-2.5 mm reach vascular dermis
    assert all(df.loc[3:, "deepest_layer"].isin(["RD", "HY"]))
    # channels per cm2: 12 needles x 100 Hz / (0.15 m/s x 2.4 mm tracks)
    assert df.loc[0, "channels_per_cm2"] == pytest.approx(12 * 100 / (15.0 * 0.24), rel=1e-9)


def test_kalluri_roller_from_python():
    # Kalluri 2011 measured on hairless rat skin: the "rat" preset's tearing energy is fitted to it
    r = ds.penetration("rat", _core.kalluri_roller(770e-6)).iloc[0]
    assert r["depth_um"] == pytest.approx(152.5, abs=9.6)
    assert r["surface_diameter_um"] == pytest.approx(70.7, abs=9.9)  # test row, not fitted
    assert r["drive"] == "force" and r["limit"] == "force"
    assert ds.penetration("rat", _core.kalluri_roller(370e-6)).iloc[0]["depth_um"] < r["depth_um"]


def test_home_rollers_stay_superficial():
    # the shortest home roller stays in the epidermis and does not bleed; once bleeding starts
    # it persists for longer needles (tests/cpp/mechanics/test_penetration.cpp)
    for kind in ("home-roller", "home-roller-540"):
        df = ds.penetration("face", kind, lengths=["0.1 mm", "0.15 mm", "0.2 mm", "0.25 mm", "0.3 mm", "0.4 mm", "0.5 mm"])
        first = df.iloc[0]
        assert first["deepest_layer"] in ("-", "SC", "VE") and not first["bleeding"]
        bl = df["bleeding"].tolist()
        assert bl == sorted(bl)  # False ... False, True ... True
        assert np.all(np.diff(df["depth_um"]) >= 0)
        assert np.all(df["depth_um"] < 1000 * df["nominal_length_mm"])


def test_injury_arrays_shapes_and_per_layer_volume():
    r = ds.injury("face", "pen", length="1.5 mm", nx=32, ny=32, seed=3)
    nz = r.z.size
    assert r.damage.shape == (nz, 32, 32)
    assert r.bleeding.shape == (nz, 32, 32)
    assert r.open_surface.shape == (32, 32)
    assert 0.0 <= r.damage.min() and r.damage.max() <= 1.0
    assert r.field.field_names() == ["damage", "bleeding"]  # the named fields (stages may add more)
    assert np.array_equal(r.field.field("bleeding"), r.bleeding)
    with pytest.raises(ds.InvalidArgumentError, match="known: 'damage', 'bleeding'"):
        r.field.field("heat")
    assert np.all(r.bleeding <= r.damage + 1e-15)
    dz = np.diff(r.z_faces)
    dV = (r.x[1] - r.x[0]) * (r.y[1] - r.y[0]) * dz
    total = float((r.damage.sum(axis=(1, 2)) * dV).sum())
    assert sum(r.injured_volume.values()) == pytest.approx(total, rel=1e-10)
    assert r.injured_volume["RD"] > 0 and r.injured_volume["HY"] == 0
    assert r.bleeding_points == int(r.channels["bleeding"].sum()) > 0
    assert len(r.channels) == r.attempted  # a clinical pen punctures every strike
    # reproducible for a seed
    r2 = ds.injury("face", "pen", length="1.5 mm", nx=32, ny=32, seed=3)
    assert np.array_equal(r.damage, r2.damage)


def test_same_result_on_1_and_2_threads():
    old = _core.max_threads()
    try:
        _core.set_threads(1)
        a = ds.injury("face", "pen", length="2 mm", nx=24, ny=24, seed=9).damage
        _core.set_threads(2)
        b = ds.injury("face", "pen", length="2 mm", nx=24, ny=24, seed=9).damage
    finally:
        _core.set_threads(old)
    assert np.array_equal(a, b)


def test_bad_input_raises_value_error_naming_the_parameter():
    with pytest.raises(ValueError, match=r"device.depth = 0.003 m .*\[0.00025, 0.0025\] m"):
        ds.penetration("face", "pen", lengths=["3 mm"])
    with pytest.raises(ValueError, match="did you mean 'cheek'"):
        ds.penetration("cheeck", "pen")
    with pytest.raises(ValueError, match="device.length"):
        ds.penetration("face", "pen", lengths=[-1e-3])
    with pytest.raises(ValueError, match="device.length"):
        ds.penetration("face", "pen", lengths=[math.nan])
    with pytest.raises(ValueError, match="device.needles = 0"):
        _core.clinical_pen(1e-3, 0)
    with pytest.raises(ValueError, match="did you mean 'roller'"):
        needles.make_device("rollr", 1e-3)
    s = _core.skin_preset("face")
    with pytest.raises(ValueError, match=r"skin.interfaces\[1\]"):
        _core.with_interfaces(s, [15e-6, 10e-6, 235e-6, 1.5e-3, 2.5e-3])
    assert issubclass(_core.InvalidArgumentError, ValueError)


def test_cli_needles_prints_table_and_writes_png(tmp_path, capsys):
    from dermasim.cli import main

    rc = main(["needles", "--site", "face", "--lengths", "0.25,0.5,1.5,2.5", "--device", "roller",
               "-o", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0
    assert "depth um" in out and "RD mm3/cm2" in out
    assert (tmp_path / "needles_face_roller.png").stat().st_size > 10_000
    assert (tmp_path / "needles_face_roller.csv").exists()
    rc = main(["needles", "--site", "nowhere", "-o", str(tmp_path)])
    assert rc != 0


def test_accepts_scenario_specs_and_bound_values():
    a = ds.penetration(ds.Skin.preset("face"), ds.Pen(needle_length="1.5 mm")).iloc[0]
    b = ds.penetration("face", _core.clinical_pen(1.5e-3)).iloc[0]
    c = ds.penetration("face", "pen", lengths=["1.5 mm"]).iloc[0]
    assert a["depth_um"] == pytest.approx(c["depth_um"], rel=1e-12)
    assert b["depth_um"] == pytest.approx(c["depth_um"], rel=1e-12)
    # the roller spec's defaults mirror the C++ roller
    r = ds.penetration("face", ds.Roller()).iloc[0]
    assert r["strikes_per_cm2"] == pytest.approx(192 * 15 / (math.pi * 4.0))
