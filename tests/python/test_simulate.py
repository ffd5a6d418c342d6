"""dermasim.simulate (issue 5 §5): the C++ run from Python, trackers as C++ observers, threads,
runtime limit, Ctrl-C, and the result's tables/files."""
import os
import signal
import threading
import time

import numpy as np
import pytest

import dermasim as ds

pytestmark = pytest.mark.skipif(not hasattr(ds._core, "simulate_healing"), reason="no healing model bound")


def short(**kw):
    p = dict(sessions=1, follow_up="2 weeks")
    p.update(kw)
    return ds.Scenario(protocol=ds.Protocol(**p), seed=3)


def test_simulate_returns_a_result_with_tables_and_units(tmp_path):
    r = ds.simulate(short(), snapshots=["1 day", "2 weeks"])
    assert r.complete and r.times.tolist() == [86400.0, 14 * 86400.0]
    assert "collagen_PD" in r.outcomes and r.outcome_times[-1] == pytest.approx(14 * 86400.0)
    s = r.summary()
    assert s.loc["real_depth", "unit"] == "m" and 0 < s.loc["real_depth", "value"] < 1.5e-3
    assert len(r.tables["sessions"]) == 1
    assert r.units["cytokine"] == "ng/mL"
    x = ds.open_dataset(r.to_hdf5(tmp_path / "r.h5"))
    assert x["collagen_I"].dims == ("time", "z", "y", "x") and x.attrs["seed"] == 3
    assert ds.Scenario.from_json(x.attrs["scenario"]) == short()


def test_a_snapshot_at_time_zero_is_the_untreated_baseline():
    r = ds.simulate(short(), snapshots=[0.0, "1 day"])
    assert r.times.tolist() == [0.0, 86400.0]
    x = r.to_xarray()
    c0 = x["collagen_I"].isel(time=0).values
    c1 = x["collagen_I"].isel(time=1).values
    # before the first session nothing is injured: collagen I is laterally uniform per depth
    assert np.allclose(c0, c0[:, :1, :1])
    assert not np.allclose(c0, c1)


def test_scenario_round_trips_through_cpp():
    sc = short(sessions=2, interval="3 weeks", occluded=True).with_values(
        {"healing.fibroblast.proliferation_rate": "0.8 1/day", "numerics.rtol": 0.02})
    cpp = sc.to_cpp()
    assert len(cpp.protocol.sessions) == 2 and cpp.protocol.sessions[1].time == 21 * 86400.0
    assert cpp.protocol.sessions[0].occluded
    assert cpp.parameters.get("healing.fibroblast.proliferation_rate") == pytest.approx(0.8 / 86400)
    assert cpp.numerics.rtol == 0.02 and cpp.seed == 3
    with pytest.raises(ds.InvalidArgumentError, match="did you mean"):
        sc.with_values({"healing.fibroblast.proliferation_rte": 1.0})


def test_numerics_and_patient_defaults_match_cpp():
    cpp = ds._core.HealingScenario()
    for k in ds.Numerics._params:
        assert getattr(cpp.numerics, k) == pytest.approx(getattr(ds.Numerics(), k)), k
    assert ds.Scenario().to_cpp().seed == cpp.seed


def test_same_answer_on_1_and_2_threads():
    a = ds.simulate(short(), threads=1)
    b = ds.simulate(short(), threads=2)
    for k in a.outcomes:
        np.testing.assert_array_equal(a.outcomes[k], b.outcomes[k])


def test_trackers_fire_on_their_schedules(tmp_path):
    seen = []
    ds.simulate(short(), trackers=[ds.trackers.CallbackTracker(lambda s: seen.append(s.t), "1 week"),
                                    ds.StorageTracker(tmp_path / "s.h5", "1 day", fields=["cytokine"])])
    assert seen == [0.0, 604800.0, 1209600.0]  # the start (baseline) included
    st = ds.read_result(tmp_path / "s.h5")
    assert st.complete and list(st.fields) == ["cytokine"] and len(st.times) >= 13


def test_max_runtime_stops_cleanly():
    # the whole run takes ≥ 30 ms (≈ 400 steps); the limit is checked at step ends
    r = ds.simulate(short(follow_up="2 years", sessions=3), max_runtime="1 ms")
    assert not r.complete and r.outcome_times[-1] < 2 * 365 * 86400
    assert r.info["accepted_steps"] >= 1


def test_interrupt_in_a_tracker_stops_and_keeps_the_file(tmp_path):
    """Python raises KeyboardInterrupt inside whatever Python code runs when Ctrl-C arrives: in
    a run, that is a tracker callback (the C++ holds no GIL otherwise)."""

    def ctrl_c(state):
        if state.t >= 3 * 86400:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ds.simulate(short(sessions=3, follow_up="1 year"),
                    trackers=[ds.StorageTracker(tmp_path / "i.h5", "1 day"), ds.trackers.CallbackTracker(ctrl_c, "1 day")])
    r = ds.read_result(tmp_path / "i.h5")
    assert not r.complete and r.times[-1] == 3 * 86400.0


def test_ctrl_c_on_the_command_line_exits_130(tmp_path):
    import subprocess
    import sys

    (tmp_path / "long.toml").write_text('seed = 1\n[protocol]\nsessions = 12\ninterval = "4 weeks"\n'
                                        'follow_up = "5 years"\n[numerics]\nadaptive = false\n'
                                        'dt_initial = "30 s"\n')  # millions of steps: minutes
    # the child must see Ctrl-C even when this test runs in a background job (which ignores
    # SIGINT, and ignored signals are inherited): restore the default before exec
    p = subprocess.Popen([sys.executable, "-m", "dermasim", "run", "long.toml", "-o", "out", "--no-progress"],
                         cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # wait until the C++ run is under way: its first checkpoint (session 2, after 4 weeks of
    # 30 s steps) appears a few seconds in; a fixed sleep could land in the imports on a slow
    # machine
    ck = tmp_path / "out" / "long.ckpt.h5"
    t0 = time.monotonic()
    while not ck.exists() and p.poll() is None and time.monotonic() - t0 < 120:
        time.sleep(0.05)
    assert ck.exists(), "the run did not reach its first checkpoint"
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        raise AssertionError("Ctrl-C did not stop the run within 60 s: " + err[-2000:])
    assert p.returncode == 130, (p.returncode, err[-2000:])
    assert "interrupted" in err and "Traceback" not in err
    assert ck.exists()  # the checkpoint survives Ctrl-C: re-running the command resumes


def test_bad_arguments():
    with pytest.raises(ds.InvalidArgumentError, match="threads"):
        ds.simulate(short(), threads=0)
    with pytest.raises(ds.InvalidArgumentError, match="Scenario"):
        ds.simulate({"device": {}})


def test_sweep_default_runs_simulate():
    t = ds.sweep(short(), {"device.needle_length": ["0.5 mm", "1.5 mm"]},
                 outputs=["collagen_PD_gain", "real_depth"], max_workers=2)
    assert (t["status"] == "ok").all()
    assert t["real_depth"].iloc[0] < t["real_depth"].iloc[1]


def test_error_norm_is_a_validated_choice_and_both_norms_agree():
    with pytest.raises(ValueError, match="numerics.error_norm"):
        ds.Numerics(error_norm="l2")
    sc = short()
    a = ds.simulate(sc)
    b = ds.simulate(sc.with_values({"numerics.error_norm": "max", "numerics.rtol": 1e-2}))
    assert a.info["accepted_steps"] != b.info["accepted_steps"]
    # the two controls agree on the headline outcome to well within the calibration tolerances
    assert a.outcomes["collagen_PD"][-1] == pytest.approx(b.outcomes["collagen_PD"][-1], rel=0.03)
    # the epidermal thickness series is recorded and never negative
    assert np.all(a.outcomes["epidermal_thickness"] >= 0.0)


def test_checkpoint_resume_is_bitwise_identical_and_refuses_another_scenario(tmp_path):
    from dermasim.trackers import CallbackTracker

    sc = ds.Scenario(protocol=ds.Protocol(sessions=3, interval="2 weeks", follow_up="2 weeks"), seed=5)
    full = ds.simulate(sc)
    ck = tmp_path / "run.ckpt.h5"
    # stop between sessions 2 and 3 (a tracker that lands after the checkpoint, so the state
    # stored at session 2 is that of the uninterrupted run): the checkpoint stays on disk
    stop = [CallbackTracker(lambda st: False, times=["3 weeks"])]
    part = ds.simulate(sc, trackers=stop, checkpoint=ck)
    assert not part.complete
    assert ck.exists()
    from dermasim.config import default_mode

    assert ck.stat().st_mode & 0o777 == default_mode()  # like any new file, not mkstemp's 0600
    other = sc.with_values({"protocol.sessions": 4})
    with pytest.raises(ValueError, match="different scenario"):
        ds.simulate(other, checkpoint=ck)
    res = ds.simulate(sc, checkpoint=ck)
    assert res.complete
    assert not ck.exists()  # removed once the run completed
    for k in full.outcomes:
        np.testing.assert_array_equal(res.outcomes[k], full.outcomes[k])
    # a corrupt checkpoint is a FileFormatError naming the file, never a crash
    ds.simulate(sc, trackers=[CallbackTracker(lambda st: False, times=["3 weeks"])], checkpoint=ck)
    assert ck.exists()
    import h5py

    with h5py.File(ck, "r+") as h:
        p = h["payload"][()]
        p[len(p) // 2] ^= 1
        h["payload"][...] = p
    with pytest.raises(ds.FileFormatError, match="checksum"):
        ds.simulate(sc, checkpoint=ck)
    ck.write_bytes(b"not hdf5")
    with pytest.raises(ds.FileFormatError, match="run.ckpt.h5"):
        ds.simulate(sc, checkpoint=ck)


def test_progress_runtime_limit_and_ctrl_c_check_cut_no_steps():
    """The Ctrl-C watcher, the progress bar and RuntimeTracker fire at step ends: from Python the
    run takes the same steps as from C++ and gives the same bits (they used to land on 1000 times
    per run, which made the default 1D run 4x slower from Python)."""
    sc = short(sessions=2, interval="3 weeks", follow_up="4 weeks")
    cpp = ds._core.simulate_healing(sc.to_cpp(), snapshot_times=[0.0, sc.protocol.duration])
    bar = ds.ProgressTracker(enabled=True)
    r = ds.simulate(sc, trackers=[bar, ds.RuntimeTracker("1 h")])
    assert r.info["accepted_steps"] == cpp.info.accepted_steps
    for k, v in cpp.series.items():
        np.testing.assert_array_equal(r.outcomes[k], v)
    # an exact-time tracker does cut steps (it lands on its 200 times)
    seen = []
    r2 = ds.simulate(sc, trackers=[ds.trackers.CallbackTracker(lambda s: seen.append(s.t), times=[
        sc.protocol.duration * (i + 1) / 200 for i in range(200)])])
    assert r2.info["accepted_steps"] > cpp.info.accepted_steps
    assert len(seen) == 200
