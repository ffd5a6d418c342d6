"""Topical delivery from Python (issue 16 item 7): ds.Topical on the course, files, dotted names,
sweeps, the application table, after-care windows, ds.deliver and `dermasim deliver`."""
import os

import numpy as np
import pytest

import dermasim as ds
from dermasim import InvalidArgumentError
from dermasim.cli import main


def one_session(course, length="1 mm", follow_up="3 days"):
    return ds.Scenario(device=ds.Pen.clinical(length), protocol=ds.Protocol(sessions=1, follow_up=follow_up),
                       course=course)


def vit_c(**kw):
    kw = {"agent": "ascorbic_acid", "concentration": "15 %", "duration": "30 min", "session": 1, "when": "after", **kw}
    return ds.Topical(**kw)


def test_course_round_trips_and_dotted_names():
    sc = one_session([vit_c(), vit_c(session=0, time="1 day", repeat=2, every="12 h", occluded=True)])
    assert sc.get("course.0.concentration") == pytest.approx(150.0)  # w/v percent
    assert ds.Scenario.from_toml(sc.to_toml()) == sc
    assert ds.Scenario.from_json(sc.to_json()) == sc
    s2 = sc.with_values({"course.0.concentration": "5 %", "course.1.duration": "1 h"})
    assert s2.get("course.0.concentration") == pytest.approx(50.0)
    assert s2.get("course.1.duration") == 3600.0
    assert "course" not in ds.Scenario().to_dict()  # files without a course stay as they were
    apps = sc.course.applications([0.0])
    assert [a.time for a in apps] == [0.0, 86400.0, 86400.0 + 43200.0]


def test_bad_course_entries_are_clear_errors():
    with pytest.raises(InvalidArgumentError, match="agent.*not one of"):
        ds.Topical(agent="snake_oil")
    with pytest.raises(InvalidArgumentError, match="concentration"):
        ds.Topical(concentration="-1 %")
    with pytest.raises(InvalidArgumentError, match="course.0.type"):
        ds.Scenario(course={"0": {"type": "laser"}})
    with pytest.raises(InvalidArgumentError, match=r"course\.0\.session = 3"):
        one_session([vit_c(session=3)]).to_cpp()
    with pytest.raises(InvalidArgumentError, match="solubility"):  # 50 % caffeine does not dissolve
        ds.simulate(one_session([ds.Topical(agent="caffeine", concentration="50 %")]))
    with pytest.raises(InvalidArgumentError, match=r"course\.1\.time"):  # overlapping: names the entry
        ds.simulate(one_session([vit_c(duration="2 h"), vit_c(time="1 h")]))
    with pytest.raises(InvalidArgumentError, match=r"course\.0\.every = 3600 s is shorter"):
        one_session([vit_c(session=0, duration="2 h", repeat=3, every="1 h")]).to_cpp()
    with pytest.raises(InvalidArgumentError, match=r"course\.1\.time \(application 1 of 2\) = .*previous one, course\.0"):
        ds.simulate(one_session([vit_c(duration="2 h"), vit_c(time="1 h", repeat=2, every="1 day")]))


def test_application_table_summary_files_and_balance(tmp_path):
    r = ds.simulate(one_session([vit_c()]))
    t = r.tables["applications"]
    assert list(t["agent"]) == ["ascorbic_acid"]
    a = t.iloc[0]
    assert 0 < a["delivered"] <= a["dose"]
    assert a["enhancement"] > 10  # open channels: far more than intact skin
    s = r.summary()
    for k in ("topical_delivered", "topical_enhancement", "barrier_recovered_after", "exercise_ok_after",
              "uv_sensitive_until"):
        assert k in s.index
    assert np.max(np.abs(r.outcomes["topical_balance_error"])) < 1e-10
    assert r.units["delivered_skin"] == "kg/m^2"
    p = r.to_hdf5(str(tmp_path / "r.h5"))
    back = ds.read_result(p)
    assert list(back.tables["applications"]["delivered"]) == pytest.approx(list(t["delivered"]))


def test_sweep_over_a_procedure_parameter_is_monotone():
    base = one_session([vit_c()], follow_up="2 days")
    rows = ds.sweep(base, {"course.0.concentration": ["5 %", "10 %", "20 %"]}, ["topical_delivered"],
                    executor="serial", progress=False)
    v = list(rows["topical_delivered"])
    assert v == sorted(v) and v[0] > 0
    # linear transport: 4x the dose, 4x delivered (to the time-step error: the steps differ)
    assert v[2] / v[0] == pytest.approx(4.0, rel=1e-2)


def test_deliver_deeper_needles_more_and_intact_row():
    res = ds.deliver("caffeine", lengths=[0.25, 1.0, 1.5], when="after")
    t = res.table
    assert list(t.index) == [0.0, 0.25, 1.0, 1.5]
    assert t.loc[0.0, "enhancement"] == 1.0
    d = list(t["into dermis (ug/cm2)"])
    assert d == sorted(d)
    assert all(t.loc[L, "enhancement"] > 1 for L in (0.25, 1.0, 1.5))
    before = ds.deliver("caffeine", lengths=[1.0], when="before").table
    # applied before the needles and wiped off at the needling: the channels never see it
    assert before.loc[1.0, "enhancement"] == pytest.approx(1.0, rel=1e-6)
    fig = res.plot()
    assert len(fig.axes) == 2


def test_deliver_command_prints_the_table_and_writes_files(tmp_path, capsys):
    out = str(tmp_path / "d")
    assert main(["deliver", "--agent", "niacinamide", "--lengths", "0,0.5,1", "-o", out]) == 0
    text = capsys.readouterr().out
    assert "enhancement" in text and "niacinamide" in text
    assert os.path.getsize(os.path.join(out, "delivery.csv")) > 0
    assert os.path.getsize(os.path.join(out, "delivery.png")) > 0
    assert main(["deliver", "--lengths", "0,9"]) == 2
    assert "--lengths" in capsys.readouterr().err


def test_needling_on_the_course_equals_the_regular_protocol_and_allows_other_devices():
    regular = ds.Scenario(device=ds.Pen.clinical("1 mm"),
                          protocol=ds.Protocol(sessions=2, interval="2 weeks", follow_up="2 weeks"))
    course = ds.Scenario(protocol=ds.Protocol(sessions=0, follow_up="2 weeks"),
                         course=[ds.Needling(device=ds.Pen.clinical("1 mm"), time="0 s"),
                                 ds.Needling(device=ds.Pen.clinical("1 mm"), time="2 weeks")])
    a, b = ds.simulate(regular), ds.simulate(course)
    assert np.array_equal(a.outcomes["collagen_PD"], b.outcomes["collagen_PD"])  # bitwise the same run
    assert course.session_times == [0.0, 14 * 86400.0] and course.duration == 28 * 86400.0
    mixed = ds.Scenario(protocol=ds.Protocol(sessions=0, follow_up="1 week"),
                        course=[ds.Needling(device=ds.Pen.clinical("1.5 mm"), time="0 s"),
                                ds.Needling(device=ds.Roller.home("0.5 mm"), time="10 days", occluded=True),
                                vit_c(session=2)])
    assert ds.Scenario.from_toml(mixed.to_toml()) == mixed
    assert mixed.get("course.1.device.needle_length") == pytest.approx(0.5e-3)
    m2 = mixed.with_values({"course.1.device.needle_length": "0.25 mm"})
    assert m2.get("course.1.device.needle_length") == pytest.approx(0.25e-3)
    r = ds.simulate(mixed)
    t = r.tables["sessions"]
    assert list(t["needle_length"]) == pytest.approx([1.5e-3, 0.5e-3])
    assert float(r.tables["applications"]["time"].iloc[0]) == pytest.approx(10 * 86400.0)
    with pytest.raises(InvalidArgumentError, match="protocol.sessions = 4"):
        ds.Scenario(course=[ds.Needling()]).to_cpp()
    with pytest.raises(InvalidArgumentError, match="two needling sessions"):
        ds.Scenario(protocol=ds.Protocol(sessions=0), course=[ds.Needling(), ds.Needling()]).to_cpp()


def test_placement_rules_and_entry_names_in_errors():
    with pytest.raises(InvalidArgumentError, match="gliding serum"):
        one_session([vit_c(when="during", time="10 min")]).to_cpp()
    with pytest.raises(InvalidArgumentError, match="repeat > 1 with when = 'before'"):
        one_session([vit_c(when="before", repeat=2)]).to_cpp()
    with pytest.raises(InvalidArgumentError, match=r"^course\.1\.volume"):
        ds.Scenario(course={"0": {"type": "topical"}, "1": {"type": "topical", "volume": "-1 um"}})
    with pytest.raises(InvalidArgumentError, match="protocol.start and protocol.occluded"):
        ds.Scenario(protocol=ds.Protocol(sessions=0, start="1 day"), course=[ds.Needling()]).to_cpp()
    with pytest.raises(InvalidArgumentError, match=r"lengths: -1"):
        ds.deliver("caffeine", lengths=[-1, 1])
    # start shifts the regular sessions only; with none, the run is the follow-up
    sc = ds.Scenario(protocol=ds.Protocol(sessions=1, start="1 day", follow_up="2 days"))
    assert sc.session_times == [86400.0] and sc.duration == 3 * 86400.0
    assert [x.time for x in sc.to_cpp().protocol.sessions] == [86400.0]
    assert ds.Protocol(sessions=0, start="1 day", follow_up="2 days").duration == 2 * 86400.0


def test_course_types_are_built_from_the_cpp_declarations():
    """Topical and Needling declare nothing of their own: names, ranges, docs and choices are the
    C++ field tables (TopicalEntry::fields(), Session::fields()), defaults a default C++ entry's."""
    from dermasim import _core

    for cls, cpp in ((ds.Topical, _core.TopicalEntry), (ds.Needling, _core.Session)):
        fields = cpp.fields()
        assert list(cls._params) == [f["name"] for f in fields]
        for f in fields:
            p = cls._params[f["name"]]
            assert p.doc == f["doc"]
            if f["kind"] not in ("str", "bool"):
                assert (p.lo, p.hi) == pytest.approx((f["lo"], f["hi"]))
    assert ds.Topical._params["agent"].choices == tuple(ds.agents())
    assert ds.Topical().volume == _core.TopicalEntry().volume == pytest.approx(1e-4)
    with pytest.raises(InvalidArgumentError, match=r"topical.when.*after, during, before|topical.when"):
        ds.Topical(when="sideways")


def test_a_needling_entry_may_carry_its_own_penetration_and_raster_parameters():
    """Needling{device, penetration and raster parameters}: overrides on top of the scenario's,
    by dotted name (course.N.raster.halo), in files, and only that session changes."""
    pen = ds.Pen.clinical("1.5 mm")
    base = ds.Scenario(course=[ds.Needling(pen, time="0 s"), ds.Needling(pen, time="2 weeks")],
                       protocol=ds.Protocol(sessions=0, follow_up="1 week"))
    wide = base.with_values({"course.1.raster.halo": "20 um"})
    assert wide.get("course.1.raster.halo") == pytest.approx(20e-6)
    assert wide.get("course.0.raster.halo") == pytest.approx(base.get("raster.halo"))  # the scenario's
    assert ds.Scenario.from_toml(wide.to_toml()) == wide
    assert "raster" not in base.to_dict()["course"]["1"]
    cpp = wide.to_cpp().protocol.sessions
    assert cpp[0].raster is None and cpp[1].raster.halo == pytest.approx(20e-6)
    a = ds.simulate(base).tables["sessions"]["injured_fraction_PD"]
    b = ds.simulate(wide).tables["sessions"]["injured_fraction_PD"]
    assert b.iloc[0] == a.iloc[0] and b.iloc[1] > 1.05 * a.iloc[1]
    with pytest.raises(InvalidArgumentError, match="raster.blood_fill"):
        base.with_values({"course.1.raster.blood_fill": 3})
