"""Sweeps and Sobol sensitivity (issue 5 §4) with an injected run function (toy model)."""
import concurrent.futures as cf
import json
import os

import numpy as np
import pandas as pd
import pytest

import dermasim as ds
from dermasim.sweep import design, run_seeds

import sweep_helpers as H

GRID = {"device.needle_length": ["0.5 mm", "1 mm", "1.5 mm"], "protocol.sessions": [1, 2, 3],
        "protocol.interval": ["2 weeks", "6 weeks"]}


def base():
    return ds.Scenario(device=ds.Pen(), protocol=ds.Protocol(sessions=1), seed=11)


def test_design_full_factorial_and_samples():
    pts = design(GRID)
    assert len(pts) == 18 and pts[0] == {"device.needle_length": "0.5 mm", "protocol.sessions": 1,
                                          "protocol.interval": "2 weeks"}
    df = pd.DataFrame({"a.b": [1.0, 2.0], "c.d": [3, 4]})
    assert design(df) == [{"a.b": 1.0, "c.d": 3}, {"a.b": 2.0, "c.d": 4}]
    assert design([{"x.y": 1}]) == [{"x.y": 1}]


def test_seeds_deterministic_and_distinct():
    a, b = run_seeds(7, 50), run_seeds(7, 50)
    assert a == b and len(set(a)) == 50
    assert run_seeds(8, 3) != a[:3]


def test_serial_sweep_table_is_tidy():
    df = ds.sweep(base(), GRID, outputs=["collagen_gain"], run=H.toy_run, executor="serial")
    assert list(df.columns) == list(GRID) + ["seed", "collagen_gain", "status", "runtime_s"]
    assert len(df) == 18 and (df["status"] == "ok").all() and df.index.name == "run"
    row = df.loc[0]
    assert row["device.needle_length"] == "0.5 mm" and row["protocol.sessions"] == 1
    assert df["seed"].tolist() == run_seeds(11, 18)
    assert (df["runtime_s"] >= 0).all()
    # the run function saw the swept values (SI) and the per-run seed
    exp = [H.toy_run(base().with_values(p).replace(seed=s))["collagen_gain"]
           for p, s in zip(design(GRID), run_seeds(11, 18))]
    np.testing.assert_array_equal(df["collagen_gain"].to_numpy(), exp)


def test_process_pool_default_matches_serial():
    serial = ds.sweep(base(), GRID, run=H.toy_run, executor="serial")
    par = ds.sweep(base(), GRID, run=H.toy_run, max_workers=2)
    pd.testing.assert_frame_equal(serial.drop(columns="runtime_s"), par.drop(columns="runtime_s"))


def test_any_concurrent_futures_executor():
    with cf.ThreadPoolExecutor(2) as ex:
        t = ds.sweep(base(), GRID, run=H.toy_run, executor=ex)
    s = ds.sweep(base(), GRID, run=H.toy_run, executor="serial")
    pd.testing.assert_frame_equal(s.drop(columns="runtime_s"), t.drop(columns="runtime_s"))


def test_failed_run_is_reported_and_others_kept():
    df = ds.sweep(base(), GRID, outputs=["collagen_gain"], run=H.failing_run, executor="serial")
    bad = df[df["protocol.sessions"] == 2]
    assert len(bad) == 6
    assert (bad["status"] == "error: ValueError: sessions = 2 is unlucky").all()
    assert bad["collagen_gain"].isna().all()
    assert (df[df["protocol.sessions"] != 2]["status"] == "ok").all()


def test_unknown_output_or_parameter():
    df = ds.sweep(base(), {"protocol.sessions": [1]}, outputs=["colagen_gain"], run=H.toy_run, executor="serial")
    assert "did you mean 'collagen_gain'" in df["status"].iloc[0]
    with pytest.raises(ds.InvalidArgumentError, match="did you mean"):
        ds.sweep(base(), {"protocol.sesions": [1, 2]}, run=H.toy_run, executor="serial")


def test_resume_skips_finished_runs(tmp_path):
    d = tmp_path / "sw"
    first = ds.sweep(base(), GRID, run=H.failing_run, executor="serial", directory=d)
    files = sorted(os.listdir(d / "runs"))
    assert len(files) == 18 and (d / "sweep.json").exists()
    rec = json.loads((d / "runs" / files[0]).read_text())
    assert rec["status"] == "ok" and "collagen_gain" in rec["outcomes"]
    # simulate an interrupted sweep: remove two finished records
    os.remove(d / "runs" / files[0])
    os.remove(d / "runs" / files[5])
    calls = []

    def counting(sc):
        calls.append(sc.seed)
        return H.toy_run(sc)

    again = ds.sweep(base(), GRID, run=counting, executor="serial", directory=d)
    # the two removed runs and the 6 failed ones run again; the other 10 are read back
    assert len(calls) == 2 + 6
    assert (again["status"] == "ok").all()
    ok = first["status"] == "ok"
    pd.testing.assert_frame_equal(first[ok].drop(columns="runtime_s"), again[ok].drop(columns="runtime_s"))
    with pytest.raises(ds.InvalidArgumentError, match="different sweep"):
        ds.sweep(base(), {"protocol.sessions": [5]}, run=H.toy_run, executor="serial", directory=d)


def test_keyboard_interrupt_keeps_finished_runs(tmp_path):
    d = tmp_path / "sw"
    n = []

    def interrupted(sc):
        if len(n) == 4:
            raise KeyboardInterrupt
        n.append(1)
        return H.toy_run(sc)

    with pytest.raises(KeyboardInterrupt):
        ds.sweep(base(), GRID, run=interrupted, executor="serial", directory=d)
    assert len(os.listdir(d / "runs")) == 4
    df = ds.sweep(base(), GRID, run=H.toy_run, executor="serial", directory=d)
    assert (df["status"] == "ok").all() and len(df) == 18


@pytest.mark.slow
@pytest.mark.parametrize("processes", [False, True])
def test_dask_localcluster_gives_the_same_table(processes, tmp_path):
    distributed = pytest.importorskip("distributed")
    local = ds.sweep(base(), GRID, run=H.toy_run, max_workers=2)
    # in-process workers talk over inproc://; worker processes over TCP on loopback only
    net = {"host": "127.0.0.1"} if processes else {}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=processes,
                                  dashboard_address=None, local_directory=str(tmp_path), **net) as cluster, \
            distributed.Client(cluster) as client:
        remote = ds.sweep(base(), GRID, run=H.toy_run, executor=client)
    pd.testing.assert_frame_equal(local.drop(columns="runtime_s"), remote.drop(columns="runtime_s"))


def test_sensitivity_sobol_ranks_parameters():
    pytest.importorskip("SALib")
    b = ds.Scenario(device=ds.Pen(depth_max="3 mm"), seed=3)
    params = {"device.needle_length": ("0.5 mm", "2.5 mm"), "protocol.interval": ("2 weeks", "6 weeks"),
              "device.passes": (1, 5)}
    si, table = ds.sensitivity(b, params, "collagen_gain", n=64, run=H.sobol_run, executor="serial",
                               return_samples=True)
    assert list(si.index) == list(params) and list(si.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    assert len(table) == 64 * (3 + 2)
    # analytic: var(4x) = 16·(2²/12), var(0.3y) = 0.09/12 → S1 ≈ 0.9986, 0.0014, 0
    assert si.loc["device.needle_length", "S1"] == pytest.approx(0.9986, abs=0.03)
    assert abs(si.loc["device.passes", "ST"]) < 0.01
    assert si.loc["device.needle_length", "ST"] > si.loc["protocol.interval", "ST"]
    assert table["device.passes"].map(type).eq(int).all()  # integer parameters stay integers


# -- issue 15: dead workers and oversubscription --------------------------------------------------

import sweep_kill_helpers as K  # noqa: E402


@pytest.fixture
def kill_env(tmp_path):
    log = tmp_path / "log"
    log.mkdir()
    return log


def kbase(log):
    return base().replace(title=K.title(log))


def _killer_rows(df):
    return (df["protocol.sessions"] == K.KILL_SESSIONS) & (df["device.needle_length"] == "1 mm")


def test_a_killed_worker_fails_only_its_own_run(kill_env, tmp_path):
    """One point SIGKILLs its worker every time: before issue 15, 6 of 8 pending runs got
    BrokenProcessPool; now the others are retried in processes of their own and succeed, and
    the killer is reported after 2 retries."""
    d = tmp_path / "sw"
    df = ds.sweep(kbase(kill_env), GRID, outputs=["collagen_gain"], run=K.killing_run, max_workers=2, directory=d)
    killer = _killer_rows(df)
    assert killer.sum() == 2  # two intervals
    assert (df.loc[~killer, "status"] == "ok").all(), df.loc[~killer, "status"].tolist()
    for status in df.loc[killer, "status"]:
        assert status.startswith("error: worker process died (killed by signal 9, SIGKILL"), status
        assert status.endswith("retried 2×"), status
    assert df.loc[killer, "collagen_gain"].isna().all()
    # the surviving rows are the serial ones, and were all stored; each killer was retried twice
    # in a process of its own after the pool broke (plus once in the pool if it had started)
    serial = ds.sweep(base(), GRID, outputs=["collagen_gain"], run=H.toy_run, executor="serial")
    pd.testing.assert_frame_equal(df.loc[~killer].drop(columns="runtime_s"),
                                  serial.loc[~killer].drop(columns="runtime_s"))
    assert len(os.listdir(d / "runs")) == 18
    for seed in df.loc[killer, "seed"]:
        assert len([f for f in os.listdir(kill_env) if f.startswith(f"start-{seed}-")]) in (2, 3)


def test_a_worker_killed_once_loses_nothing(kill_env):
    df = ds.sweep(kbase(kill_env), GRID, run=K.flaky_killing_run, max_workers=2)
    assert (df["status"] == "ok").all(), df["status"].tolist()
    assert (kill_env / "killed-once").exists()
    serial = ds.sweep(base(), GRID, run=H.toy_run, executor="serial")
    pd.testing.assert_frame_equal(df.drop(columns="runtime_s"), serial.drop(columns="runtime_s"))


def test_without_retries_a_dead_worker_is_reported(kill_env):
    df = ds.sweep(kbase(kill_env), GRID, run=K.killing_run, max_workers=2, retries=0)
    killer = _killer_rows(df)
    assert df.loc[killer, "status"].str.startswith("error: worker process died").all()
    ok = df["status"] == "ok"
    assert ok.sum() + (~ok & df["status"].str.startswith("error: worker process died")).sum() == 18
    with pytest.raises(ds.InvalidArgumentError, match="retries"):
        ds.sweep(base(), GRID, run=H.toy_run, retries=-1)


def test_plan_workers_never_oversubscribes():
    from dermasim.sweep import available_cores, plan_workers

    assert plan_workers(cores=8) == (8, 1)
    assert plan_workers(threads=2, cores=8) == (4, 2)
    assert plan_workers(threads=3, cores=8) == (2, 3)
    assert plan_workers(max_workers=16, cores=8) == (8, 1)
    assert plan_workers(max_workers=16, threads=4, cores=8) == (2, 4)
    assert plan_workers(max_workers=3, threads=2, cores=8) == (3, 2)
    assert plan_workers(threads=16, cores=8) == (1, 8)
    assert plan_workers(cores=8, runs=3) == (3, 1)
    assert plan_workers(cores=1) == (1, 1)
    # only when asked explicitly
    assert plan_workers(max_workers=16, threads=4, cores=8, oversubscribe=True) == (16, 4)
    assert plan_workers(threads=16, cores=8, oversubscribe=True) == (1, 16)
    rng = np.random.default_rng(15)
    for _ in range(200):
        c = int(rng.integers(1, 129))
        mw = None if rng.random() < 0.3 else int(rng.integers(1, 300))
        t = None if rng.random() < 0.3 else int(rng.integers(1, 300))
        w, th = plan_workers(mw, t, cores=c, runs=int(rng.integers(1, 500)))
        assert w >= 1 and th >= 1 and w * th <= c, (mw, t, c, w, th)
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ds.InvalidArgumentError, match="threads"):
            plan_workers(threads=bad)
        with pytest.raises(ds.InvalidArgumentError, match="max_workers"):
            plan_workers(max_workers=bad)
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert available_cores() == expected
    assert plan_workers() == (expected, 1)


def test_runs_get_the_planned_threads():
    from dermasim.sweep import plan_workers

    g = {"protocol.sessions": [1, 2, 3]}
    for threads in (1, 2):
        _, t = plan_workers(None, threads, runs=3)
        df = ds.sweep(base(), g, run=K.threads_run, threads=threads)
        assert (df["status"] == "ok").all()
        assert (df["omp_threads"] == t).all() and (df["omp_env"] == t).all(), df


def test_a_serial_sweep_leaves_the_callers_threads_alone():
    before = ds.max_threads()
    try:
        ds.set_threads(2)
        df = ds.sweep(base(), {"protocol.sessions": [1, 2]}, run=K.threads_run, executor="serial", threads=1)
        assert (df["omp_threads"] == 1).all()
        assert ds.max_threads() == 2
    finally:
        ds.set_threads(before)
