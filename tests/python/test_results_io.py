"""Result tables, xarray, the HDF5 layout, the XDMF sidecar and file errors (issue 5 §3)."""
import json
import os
import xml.etree.ElementTree as ET

import h5py
import numpy as np
import pandas as pd
import pytest

import dermasim as ds


def make_result(nt=3, nx=4, ny=3):
    faces = ds.graded_z_faces([15e-6, 85e-6, 235e-6, 1585e-6], 5e-6, 60e-6, 1.2, 2)
    g = ds.Grid(nx, ny, 1e-3, 1e-3, faces)
    z = np.asarray(g.z)
    layers = np.searchsorted([15e-6, 85e-6, 235e-6, 1585e-6], z, side="right")
    rng = np.random.default_rng(1)
    return ds.Result(
        times=np.arange(nt) * 3600.0,
        fields={"cytokine": rng.random((nt, g.nz, ny, nx)), "collagen": 1 + rng.random((nt, g.nz, ny, nx))},
        grid={"x": g.x, "y": g.y, "z": g.z, "z_faces": g.z_faces}, layers=layers,
        outcome_times=np.linspace(0, (nt - 1) * 3600.0, 7),
        outcomes={"erythema_index": np.linspace(1, 0, 7), "collagen_gain_PD": np.linspace(0, 0.2, 7)},
        summary={"erythema_resolution_time": 5400.0},
        units={"cytokine": "ng/mL", "collagen": "1", "erythema_index": "1", "collagen_gain_PD": "1",
               "erythema_resolution_time": "s"},
        scenario=ds.Scenario(device=ds.Pen(needle_length="1 mm"), seed=5), seed=5, threads=2,
        tables={"sessions": pd.DataFrame({"index": [1, 2], "time": [0.0, 3600.0], "label": ["a", "b"]})})


def test_summary_table():
    df = make_result().summary()
    assert list(df.columns) == ["value", "unit"]
    assert df.loc["erythema_resolution_time", "value"] == 5400.0
    assert df.loc["collagen_gain_PD (final)", "value"] == pytest.approx(0.2)
    assert df.loc["erythema_resolution_time", "unit"] == "s"


def test_to_xarray_dims_coords_units():
    r = make_result()
    x = r.to_xarray()
    assert x["cytokine"].dims == ("time", "z", "y", "x")
    assert x["erythema_index"].dims == ("outcome_time",)
    assert x["cytokine"].attrs["units"] == "ng/mL"
    for c in ("x", "y", "z", "time", "outcome_time"):
        assert x[c].attrs["units"] in ("m", "s")
    assert set(np.unique(x["layer"].values)) <= {"SC", "VE", "PD", "RD", "HY"}
    assert x.attrs["seed"] == 5 and x.attrs["threads"] == 2
    assert ds.Scenario.from_json(x.attrs["scenario"]) == r.scenario
    # depth profile by layer: a mean per layer is one groupby away
    prof = x["collagen"].isel(time=-1).mean(("x", "y")).groupby("layer").mean()
    assert set(prof["layer"].values) <= {"SC", "VE", "PD", "RD", "HY"}


def test_hdf5_layout_and_round_trip(tmp_path):
    r = make_result()
    p = r.to_hdf5(tmp_path / "run.h5")
    with h5py.File(p) as h:
        assert h["times"][:].tolist() == r.times.tolist()
        f = h["fields/cytokine"]
        assert f.shape == (3,) + r.fields["cytokine"].shape[1:]
        assert f.chunks == (1,) + f.shape[1:] and f.compression == "gzip"
        assert f.maxshape[0] is None
        for k in ("x", "y", "z", "z_faces", "x_faces", "y_faces"):
            assert k in h["grid"]
        assert "erythema_index" in h["outcomes"] and "time" in h["outcomes"]
        assert h["summary/erythema_resolution_time"][()] == 5400.0
        a = h.attrs
        assert a["format"] == "dermasim-result" and a["version"] == ds.__version__
        assert a["seed"] == 5 and a["threads"] == 2 and a["complete"] == 1
        assert json.loads(a["units"])["cytokine"] == "ng/mL"
        assert ds.Scenario.from_json(a["scenario"]) == r.scenario
    back = ds.read_result(p)
    np.testing.assert_array_equal(back.fields["collagen"], r.fields["collagen"])
    np.testing.assert_array_equal(back.outcomes["erythema_index"], r.outcomes["erythema_index"])
    assert back.scenario == r.scenario and back.seed == 5 and back.threads == 2
    pd.testing.assert_frame_equal(back.tables["sessions"], r.tables["sessions"], check_dtype=False)
    x = ds.open_dataset(p)
    np.testing.assert_array_equal(x["cytokine"].values, r.fields["cytokine"])
    assert x["cytokine"].attrs["units"] == "ng/mL"
    assert [f for f in os.listdir(tmp_path) if f.startswith(".")] == []  # no temporary left


def test_write_is_atomic_existing_file_survives_a_failed_write(tmp_path):
    p = tmp_path / "run.h5"
    make_result().to_hdf5(p)
    before = p.read_bytes()
    bad = make_result()
    bad.fields["cytokine"] = bad.fields["cytokine"][:, :2]  # wrong shape: fails mid-write
    with pytest.raises(Exception):
        bad.to_hdf5(p)
    assert p.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["run.h5", "run.xdmf"]


def test_xdmf_sidecar_references_readable_datasets(tmp_path):
    r = make_result()
    p = r.to_hdf5(tmp_path / "run.h5")
    xdmf = tmp_path / "run.xdmf"
    root = ET.parse(xdmf).getroot()
    assert root.tag == "Xdmf" and root.get("Version") == "3.0"
    coll = root.find("Domain/Grid")
    assert coll.get("CollectionType") == "Temporal"
    grids = coll.findall("Grid")
    assert [float(g.find("Time").get("Value")) for g in grids] == r.times.tolist()
    nz, ny, nx = r.fields["cytokine"].shape[1:]
    n_refs = 0
    for g in grids:
        topo = g.find("Topology")
        assert topo.get("TopologyType") == "3DRectMesh"
        assert [int(v) for v in topo.get("Dimensions").split()] == [nz + 1, ny + 1, nx + 1]
        for item in g.iter("DataItem"):
            if item.get("Format") != "HDF":
                continue
            fname, dset = item.text.strip().split(":")
            dims = [int(v) for v in item.get("Dimensions").split()]
            with h5py.File(tmp_path / fname) as h:
                data = h[dset][()]
            assert list(data.shape) == dims, dset
            n_refs += 1
        for att in g.findall("Attribute"):
            assert att.get("Center") == "Cell"
            hs = att.find("DataItem")
            start = [int(v) for v in hs.find("DataItem").text.split()][:4]
            assert start[0] == grids.index(g)
    assert n_refs == len(grids) * (3 + 2)


def test_xdmf_renders_with_pyvista_if_available(tmp_path):
    pv = pytest.importorskip("pyvista", reason="pyvista not installed: ParaView rendering not checked")
    r = make_result()
    r.to_hdf5(tmp_path / "run.h5")
    try:
        reader = pv.get_reader(str(tmp_path / "run.xdmf"))
    except Exception as e:  # pragma: no cover - depends on the VTK build
        pytest.skip(f"this VTK has no XDMF reader: {e}")
    assert reader.time_values == pytest.approx(r.times.tolist())
    reader.set_active_time_value(reader.time_values[-1])
    mesh = reader.read()
    block = mesh[0] if hasattr(mesh, "n_blocks") else mesh
    assert "cytokine" in block.cell_data
    np.testing.assert_allclose(block.bounds[4:], [0.0, r.grid["z_faces"][-1]])
    # the last snapshot, in VTK's x-fastest order, is our (z, y, x) array
    np.testing.assert_array_equal(np.asarray(block.cell_data["cytokine"]), r.fields["cytokine"][-1].ravel())
    sl = block.slice(normal="y")
    plotter = pv.Plotter(off_screen=True)
    plotter.add_mesh(sl, scalars="cytokine")
    png = tmp_path / "slice.png"
    try:
        plotter.screenshot(str(png))
    except Exception as e:  # pragma: no cover - no offscreen OpenGL on this machine
        pytest.skip(f"offscreen rendering unavailable: {e}")
    finally:
        plotter.close()
    assert png.stat().st_size > 1000


@pytest.mark.parametrize("content, match", [
    (b"not an hdf5 file at all", "is not an HDF5 file"),
    (None, "not a dermasim result"),
])
def test_corrupt_or_foreign_files_raise_fileformaterror_naming_the_file(tmp_path, content, match):
    p = tmp_path / "bad.h5"
    if content is None:
        with h5py.File(p, "w") as h:
            h["something"] = [1, 2, 3]
    else:
        p.write_bytes(content)
    for fn in (ds.open_dataset, ds.read_result):
        with pytest.raises(ds.FileFormatError, match=match) as e:
            fn(p)
        assert "bad.h5" in str(e.value)
        assert isinstance(e.value, OSError)
    with pytest.raises(ds.FileFormatError, match="no such file"):
        ds.open_dataset(tmp_path / "missing.h5")


def test_truncated_file_is_a_fileformaterror(tmp_path):
    p = make_result().to_hdf5(tmp_path / "run.h5")
    with open(p, "rb") as f:
        data = f.read()
    (tmp_path / "trunc.h5").write_bytes(data[: len(data) // 2])
    with pytest.raises(ds.FileFormatError, match="trunc.h5"):
        ds.open_dataset(tmp_path / "trunc.h5")


def test_cpp_writer_file_opens_as_dataset(tmp_path):
    """Files written by the C++ H5Writer directly (the writer behind ResultWriter) open with
    open_dataset and read_result."""
    faces = ds.graded_z_faces([15e-6, 85e-6, 235e-6, 1585e-6], 5e-6, 60e-6, 1.2, 2)
    g = ds.Grid(4, 4, 1e-3, 1e-3, faces)
    f = ds.FieldSet(g, ["cytokine"], 1.0)
    layers = np.searchsorted([15e-6, 85e-6, 235e-6, 1585e-6], np.asarray(g.z), side="right").astype(np.int8)
    w = ds._core.H5Writer(str(tmp_path / "s.h5"))
    w.write_grid(g, list(layers))
    for t in (0.0, 3600.0):
        w.append_snapshot(f, t)
    w.append_outcomes(0.0, [("erythema", 1.0)])
    w.append_outcomes(60.0, [("erythema", 0.5), ("collagen", 0.1)])
    w.write_table("sessions", [("index", np.array([1.0])), ("label", ["é"])])
    w.set_attribute("seed", 7)
    w.set_units([("cytokine", "arbitrary")])
    w.commit()
    x = ds.open_dataset(tmp_path / "s.h5")
    assert x["cytokine"].dims == ("time", "z", "y", "x") and x.sizes["time"] == 2
    assert x["time"].values.tolist() == [0.0, 3600.0]
    assert x["cytokine"].attrs["units"] == "arbitrary"
    r = ds.read_result(tmp_path / "s.h5")
    np.testing.assert_array_equal(r.layers, layers)
    np.testing.assert_array_equal(r.grid["x_faces"], np.linspace(0, 1e-3, 5))
    assert np.isnan(r.outcomes["collagen"][0]) and r.outcomes["collagen"][1] == 0.1
    assert r.tables["sessions"]["label"].tolist() == ["é"] and r.seed == 7 and r.complete
    with h5py.File(tmp_path / "s.h5") as h:
        assert h.attrs["format_version"] == 2 and h.attrs["format_version"].dtype == np.int64
        assert h.attrs["format"] == "dermasim-result" and h.attrs["version"] == ds.__version__


def test_result_writer_rows_attributes_and_refusals(tmp_path):
    """ResultWriter (over the C++ writer): NaN-filled outcome rows, integer attributes, invalid
    input refused without closing the writer, a failed writer closed."""
    g = ds.Grid(2, 1, 1e-3, 1e-3, [0.0, 1e-5, 3e-5])
    p = tmp_path / "w.h5"
    with ds.io.ResultWriter(p, g, attrs={"seed": 3, "title": "t", "meta": {"a": [1]}, "none": None},
                            units={"a": "1"}, xdmf=False) as w:
        w.append_snapshot(0.0, {"a": np.ones((2, 1, 2))})
        with pytest.raises(ds.InvalidArgumentError, match="after the first snapshot"):
            w.append_snapshot(1.0, {"a": np.ones(4), "b": np.ones(4)})
        with pytest.raises(ValueError):
            w.append_snapshot(1.0, {"a": np.ones(3)})  # wrong size
        w.append_snapshot(1.0, {"a": np.full(4, 2.0)})
        w.append_outcomes(0.0, {"m": 1.0})
        w.append_outcomes(1.0, {"n": 2.0})
        with pytest.raises(ds.InvalidArgumentError, match="'time' is reserved"):
            w.append_outcomes(2.0, {"time": 2.0})
        w.write_summary({"s": 4.0})
    r = ds.read_result(p)
    assert r.fields["a"].shape == (2, 2, 1, 2) and r.fields["a"][1].max() == 2.0
    np.testing.assert_array_equal(r.outcomes["m"], [1.0, np.nan])
    np.testing.assert_array_equal(r.outcomes["n"], [np.nan, 2.0])
    assert r.outcome_times.tolist() == [0.0, 1.0] and r.summary_values == {"s": 4.0}
    assert r.seed == 3 and type(r.seed) is int and r.attrs["title"] == "t" and r.attrs["none"] == ""
    assert json.loads(r.attrs["meta"]) == {"a": [1]} and r.units == {"a": "1"}
    w = ds.io.ResultWriter(tmp_path / "x.h5", g, xdmf=False)
    w.abort()
    with pytest.raises(ds.FileFormatError, match="x.h5.*closed"):
        w.append_outcomes(0.0, {"m": 1.0})
    assert not (tmp_path / "x.h5").exists()
    # a seed of 2^63 or more keeps every bit (uint64), as the h5py writer stored it
    big = 2**64 - 5
    with ds.io.ResultWriter(tmp_path / "big.h5", g, attrs={"seed": big}, xdmf=False):
        pass
    assert ds.read_result(tmp_path / "big.h5").seed == big


def fake_cpp_result():
    """A stand-in with the shape of the bound dermasim::Result (simulate.hpp)."""
    from types import SimpleNamespace as NS

    faces = ds.graded_z_faces([15e-6, 85e-6, 235e-6, 1585e-6, 2585e-6], 10e-6, 80e-6, 1.15, 2)
    g = ds.Grid(1, 1, 6e-3, 6e-3, faces)
    snaps = []
    for t in (0.0, 86400.0):
        f = ds.FieldSet(g, ["C1", "I"], 1.0 + t / 86400.0)
        snaps.append(NS(time=t, fields=f))
    names = ["collagen_PD", "erythema"]
    metrics = NS(collagen_PD=0.05, erythema=0.0)
    row = dict(index=1, time=0.0, needle_length=1.5e-3, real_depth=6e-4, channels=50, channels_per_cm2=140.0,
               bleeding_points=50, bleeding_points_per_cm2=140.0, erythema_peak=0.8,
               erythema_resolved_after=40 * 3600.0, channels_closed_after=5 * 3600.0,
               epidermis_recovered_after=3 * 86400.0, pih_risk=0.3, downtime=40 * 3600.0,
               collagen_PD_gain=0.05, collagen_PD_cumulative=0.05)
    return NS(times=[0.0, 3600.0, 86400.0], series={n: [0.0, 0.5, 0.05] for n in names},
              sessions=[NS(**row)], timeline=[NS(label="8 weeks", time=86400.0, metrics=metrics)],
              info=NS(accepted_steps=10, rejected_steps=1, dt_min=1.0, dt_max=3600.0, warnings=[],
                      wall_seconds=0.1, dimension=1, cells=g.size, threads=1, completed=True,
                      injury_source="penetration"),
              snapshots=snaps, grid=g, species=["C1", "I"])


def test_from_cpp_result(tmp_path):
    sc = ds.Scenario(skin=ds.Skin())
    r = ds.Result.from_cpp(fake_cpp_result(), sc)
    assert r.times.tolist() == [0.0, 86400.0] and r.fields["C1"].shape[0] == 2
    assert r.fields["C1"][1].max() == 2.0
    assert r.outcomes["collagen_PD"].tolist() == [0.0, 0.5, 0.05]
    s = r.summary()
    assert s.loc["collagen_PD_gain", "value"] == 0.05 and s.loc["real_depth", "unit"] == "m"
    assert s.loc["collagen_PD_at_8_weeks", "value"] == 0.05
    assert list(r.tables["sessions"]["real_depth"]) == [6e-4]
    assert r.info["injury_source"] == "penetration" and r.threads == 1 and r.complete
    assert set(np.unique(r.to_xarray()["layer"].values)) <= {"SC", "VE", "PD", "RD", "HY"}
    back = ds.read_result(r.to_hdf5(tmp_path / "r.h5"))
    assert back.tables["sessions"]["erythema_peak"].tolist() == [0.8]
    assert back.info["accepted_steps"] == 10 and back.info["injury_source"] == "penetration"
