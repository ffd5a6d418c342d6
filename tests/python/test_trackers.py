"""Trackers (issue 5 §4): schedules, progress, print, storage, runtime limit."""
import io
import time

import h5py
import numpy as np
import pytest

import dermasim as ds
from dermasim.trackers import CallbackTracker, State, get_trackers


def grid():
    return ds.Grid(2, 1, 1e-3, 1e-3, ds.graded_z_faces([15e-6, 85e-6], 5e-6, 20e-6, 1.3, 2))


def drive(trackers, times, scenario=None, fail_at=None):
    """What simulate does with trackers: start, handle at the scheduled times, finish."""
    g = grid()
    f = ds.FieldSet(g, ["cytokine", "collagen"])
    run = {"scenario": scenario or ds.Scenario(), "duration": times[-1], "grid": g, "threads": 1,
           "units": {"cytokine": "ng/mL", "collagen": "1", "erythema": "1"}}
    for t in trackers:
        t.start(run)
    interrupted = False
    try:
        for k, tt in enumerate(times):
            if fail_at is not None and k == fail_at:
                raise KeyboardInterrupt
            f["cytokine"] = np.full(g.shape, float(k))
            st = State(tt, fields=f, outcomes={"erythema": 1.0 / (1 + k)}, grid=g, duration=times[-1])
            if any(t.handle(st) is False for t in trackers):
                break
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        for t in trackers:
            t.finish(None, interrupted=interrupted)


def test_schedules():
    assert ds.Tracker("1 day").fire_times(3 * 86400) == [0, 86400, 2 * 86400, 3 * 86400]
    assert ds.Tracker(geometric=("1 h", 2)).fire_times(10 * 3600) == [0, 3600, 3 * 3600, 7 * 3600]
    assert ds.Tracker(times=["2 days", "1 day"]).schedule(1e9) == ("at", ([86400.0, 172800.0],))
    assert ds.Tracker().schedule(100 * 86400) == ("fixed", (86400.0,))
    with pytest.raises(ds.InvalidArgumentError, match="tracker.interval"):
        ds.Tracker("1 mm")
    with pytest.raises(ds.InvalidArgumentError, match="only one"):
        ds.Tracker("1 day", times=[0])


def test_get_trackers():
    ts = get_trackers(["progress", "print", lambda s: None])
    assert [type(t) for t in ts] == [ds.ProgressTracker, ds.PrintTracker, CallbackTracker]
    with pytest.raises(ds.InvalidArgumentError, match="trackers"):
        get_trackers([3])


def test_progress_is_quiet_when_not_a_terminal(capsys):
    p = ds.ProgressTracker()  # pytest captures stderr: not a TTY
    assert p.enabled is False
    drive([p], [0.0, 86400.0])
    assert capsys.readouterr().err == ""


def test_progress_bar_when_enabled():
    pytest.importorskip("tqdm")
    p = ds.ProgressTracker(enabled=True)
    drive([p], [0.0, 43200.0, 86400.0])
    assert p._bar is None  # closed


def test_print_tracker():
    out = io.StringIO()
    drive([ds.PrintTracker(stream=out)], [0.0, 3600.0, 7200.0])
    lines = out.getvalue().splitlines()
    assert lines == ["t = 0 s  erythema=1", "t = 1 h  erythema=0.5", "t = 2 h  erythema=0.3333"]


def test_runtime_tracker_stops_the_run():
    seen = []
    rt = ds.RuntimeTracker("0.05 s")
    slow = CallbackTracker(lambda s: (seen.append(s.t), time.sleep(0.02))[0])
    drive([slow, rt], [float(k) for k in range(100)])
    assert rt.stopped and 2 <= len(seen) < 100
    with pytest.raises(ds.InvalidArgumentError, match="max_runtime"):
        ds.RuntimeTracker("-1 s")


def test_storage_tracker_writes_the_layout(tmp_path):
    p = tmp_path / "run.h5"
    drive([ds.StorageTracker(p, fields=["cytokine"])], [0.0, 3600.0, 7200.0])
    with h5py.File(p) as h:
        assert h["times"][:].tolist() == [0.0, 3600.0, 7200.0]
        assert h["fields/cytokine"].shape[0] == 3 and "collagen" not in h["fields"]
        assert h["fields/cytokine"][2].max() == 2.0
        assert h["outcomes/erythema"][:].tolist() == pytest.approx([1, 0.5, 1 / 3])
        assert h.attrs["complete"] == 1 and h.attrs["threads"] == 1
    x = ds.open_dataset(p)
    assert x["cytokine"].attrs["units"] == "ng/mL"
    assert (tmp_path / "run.xdmf").exists()


def test_interrupt_keeps_what_was_written(tmp_path):
    p = tmp_path / "run.h5"
    with pytest.raises(KeyboardInterrupt):
        drive([ds.StorageTracker(p)], [0.0, 1.0, 2.0, 3.0], fail_at=2)
    r = ds.read_result(p)
    assert r.times.tolist() == [0.0, 1.0] and not r.complete
    assert [f for f in tmp_path.iterdir() if f.name.startswith(".")] == []


needs_observers = pytest.mark.skipif(not hasattr(ds._core, "PyObserver"), reason="no observer bindings")


@needs_observers
def test_trackers_become_cpp_observers(tmp_path):
    from dermasim.trackers import raise_errors, to_observers

    seen = []
    trackers = [CallbackTracker(lambda s: seen.append((s.t, float(s.fields["cytokine"].max()))), "1 h"),
                ds.StorageTracker(tmp_path / "r.h5", "2 h")]
    g = grid()
    f = ds.FieldSet(g, ["cytokine", "collagen"], 1.0)
    run = {"scenario": ds.Scenario(), "duration": 4 * 3600.0, "grid": g}
    for t in trackers:
        t.start(run)
    obs = to_observers(trackers, run)
    assert len(obs) == 3  # + the Ctrl-C watcher
    sched = obs[0].schedule
    assert sched.next_after(0.0) == 3600.0 and obs[1].schedule.next_after(0.0) == 7200.0
    for t in (0.0, 3600.0, 7200.0):  # what the C++ stepper does at each scheduled time
        for o in obs:
            if o.schedule.includes(t):
                assert o.observe(t, f) is True
    for t in trackers:
        t.finish()
    raise_errors(obs)
    assert seen == [(0.0, 1.0), (3600.0, 1.0), (7200.0, 1.0)]
    assert ds.read_result(tmp_path / "r.h5").times.tolist() == [0.0, 7200.0]


@needs_observers
def test_exception_in_a_tracker_stops_and_is_reraised():
    from dermasim.trackers import raise_errors, to_observers

    def boom(s):
        raise KeyboardInterrupt

    obs = to_observers([CallbackTracker(boom, "1 h")], {"duration": 3600.0}, interrupt_period=0)
    f = ds.FieldSet(grid(), ["a"])
    assert obs[0].observe(0.0, f) is False
    assert obs[0].observe(1.0, f) is False  # stays stopped
    with pytest.raises(KeyboardInterrupt):
        raise_errors(obs)
    raise_errors(obs)  # cleared
