"""Model modules from Python (issue 12 items 1, 5, 6): ds.modules(), Scenario(modules=...),
files, sweeps by dotted name."""
import numpy as np
import pytest

import dermasim as ds
from dermasim import InvalidArgumentError


def short(modules=None):
    sc = ds.Scenario(modules=modules)
    sc.protocol.sessions = 1
    sc.protocol.follow_up = "3 days"
    return sc


def test_catalog_lists_the_model_and_the_tracer():
    cat = {m["name"]: m for m in ds.modules()}
    assert "healing" in cat and "tracer" in cat
    assert {"collagen_I", "flare"} <= {s["name"] for s in cat["healing"]["species"]}
    parts = cat["healing"]["parts"]  # the core modules: every species in exactly one
    assert [p["name"] for p in parts][:2] == ["inflammation", "growth_factors"]
    owned = [s for p in parts for s in p["species"]]
    assert sorted(owned) == sorted(s["name"] for s in cat["healing"]["species"])
    params = [p["name"] for p in cat["healing"]["parameters"]]
    for part in parts:
        for g in part["parameter_groups"]:
            assert any(n.startswith("healing." + g) for n in params), (part["name"], g)
    t = cat["tracer"]
    assert [s["name"] for s in t["species"]] == ["tracer"]
    assert {p["name"] for p in t["parameters"]} == {"tracer.diffusivity", "tracer.decay", "tracer.deposit"}
    assert {o["name"]: o["unit"] for o in t["outcomes"]} == {"tracer_dermis": "-", "tracer_total": "m"}
    assert all(p["source"].startswith("[") for p in t["parameters"])


def test_scenario_files_round_trip_and_default_files_are_unchanged():
    sc = ds.Scenario(modules=ds.ModuleSet(["tracer"], {"tracer.decay": "1 1/day"}))
    assert ds.Scenario.from_toml(sc.to_toml()) == sc
    assert ds.Scenario.from_json(sc.to_json()) == sc
    assert sc.get("modules.tracer.decay") == pytest.approx(1 / 86400)
    assert "modules" not in ds.Scenario().to_dict()


def test_bad_modules_and_parameters_are_clear_errors():
    with pytest.raises(InvalidArgumentError, match="unknown module 'tracr'.*did you mean.*tracer"):
        ds.Scenario(modules=["tracr"])
    with pytest.raises(InvalidArgumentError, match="modules.tracer.speed is not a parameter of the enabled modules"):
        ds.ModuleSet(["tracer"], {"tracer.speed": 1})
    with pytest.raises(InvalidArgumentError, match="modules.tracer.decay.*out of range"):
        ds.ModuleSet(["tracer"], {"tracer.decay": "-1 1/day"})
    with pytest.raises(InvalidArgumentError, match="not a parameter of the enabled modules"):
        ds.ModuleSet([], {"tracer.decay": "1 1/day"})  # not enabled


def test_a_run_has_the_module_species_and_outcomes_in_results_and_files(tmp_path):
    r = ds.simulate(short(["tracer"]), snapshots=["0 s", "1 day"])
    assert r.fields["tracer"].shape[0] == 2
    assert r.fields["tracer"][0].max() == 0.0 and r.fields["tracer"][1].max() > 0.0
    assert r.units["tracer"] == "-" and r.units["tracer_total"] == "m"
    assert r.outcomes["tracer_total"].max() > 0
    r.to_hdf5(tmp_path / "r.h5")
    back = ds.read_result(tmp_path / "r.h5")
    np.testing.assert_array_equal(back.outcomes["tracer_total"], r.outcomes["tracer_total"])
    np.testing.assert_array_equal(back.fields["tracer"], r.fields["tracer"])
    assert back.units["tracer_total"] == "m"
    assert back.scenario.modules.enabled == ["tracer"]


def test_sweep_addresses_module_parameters_by_dotted_name():
    df = ds.sweep(short(["tracer"]), {"modules.tracer.decay": ["0.1 1/day", "1 1/day", "3 1/day"]},
                  outputs=["tracer_total"], executor="serial")
    assert list(df["status"]) == ["ok"] * 3
    v = list(df["tracer_total"])
    assert v[0] > v[1] > v[2] > 0  # faster clearance, less left at the end


def test_get_falls_back_to_the_declared_default():
    sc = ds.Scenario(modules=["tracer"])
    assert sc.get("modules.tracer.decay") == pytest.approx(0.5 / 86400)
    with pytest.raises(InvalidArgumentError, match="not a parameter of the enabled modules"):
        ds.Scenario().get("modules.tracer.decay")


def test_every_module_parameter_is_documented_in_model_md_with_its_default():
    import os
    import re

    with open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "model.md"), encoding="utf-8") as f:
        text = f.read()
    rows = dict(re.findall(r"^\| `([a-z_]+\.[a-z_.]+)` \| ([^|]+) \|", text, flags=re.M))
    for m in ds.modules():
        if m["name"] == "healing":
            continue
        for p in m["parameters"]:
            assert p["name"] in rows, f"{p['name']} is not in docs/model.md §5.12"
            assert float(rows[p["name"]]) == pytest.approx(p["default"]), p["name"]


def test_raster_parameters_reach_the_scenario_by_dotted_name():
    """The injury field's halo and blood fill are a C++ registry (raster.*) on the Scenario:
    sweeps address them, files keep them, and a wider halo injures more tissue."""
    base = short()
    assert "raster" not in base.to_dict()  # no overrides: files as before
    wide = base.with_values({"raster.halo": "20 um"})
    assert wide.get("raster.halo") == pytest.approx(20e-6)
    assert ds.Scenario.from_toml(wide.to_toml()) == wide
    assert wide.to_cpp().raster.halo == pytest.approx(20e-6)
    with pytest.raises(InvalidArgumentError, match="raster.blood_fill"):
        base.with_values({"raster.blood_fill": 2})
    with pytest.raises(InvalidArgumentError, match="unknown parameter 'raster.hallo'.*halo"):
        base.with_values({"raster.hallo": 1e-6})
    a = ds.simulate(base).tables["sessions"]["injured_fraction_PD"].iloc[0]
    b = ds.simulate(wide).tables["sessions"]["injured_fraction_PD"].iloc[0]
    assert b > a
