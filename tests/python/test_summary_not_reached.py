"""Issue 15: a NaN recovery time means "not reached within the run"; the numbers stay NaN,
the printed summary says so."""
import pickle

import numpy as np
import pytest

import dermasim as ds
from dermasim.results import NOT_REACHED, _human_time

needs_model = pytest.mark.skipif(not hasattr(ds._core, "simulate_healing"), reason="no healing model bound")


def run(**protocol):
    return ds.simulate(ds.Scenario(protocol=ds.Protocol(**protocol), seed=3))


@needs_model
def test_a_follow_up_shorter_than_the_erythema(tmp_path):
    r = run(sessions=1, follow_up="6 h")
    t = r.summary()
    # numeric users: unchanged columns, NaN values, NaN in the sessions table and in files
    assert list(t.columns) == ["value", "unit"]
    assert np.isnan(t.loc["erythema_resolved_after", "value"]) and t.loc["erythema_resolved_after", "unit"] == "s"
    assert np.isnan(r.summary_values["erythema_resolved_after"])
    assert r.tables["sessions"]["erythema_resolved_after"].isna().all()
    assert t.loc["downtime", "value"] == 6 * 3600.0  # the whole window: a lower bound
    # readers: the printed table says what NaN means
    readings = t.attrs["readings"]
    assert readings["erythema_resolved_after"] == "> 6 h (not reached within the run)"
    assert readings["downtime"] == ">= 6 h (erythema not resolved within the run)"
    assert set(readings) <= set(NOT_REACHED) | {"downtime"}
    text = t.to_string()
    line = next(ln for ln in text.splitlines() if ln.startswith("erythema_resolved_after"))
    assert "NaN" in line and "> 6 h (not reached within the run)" in line
    assert "not reached within the run" in repr(t) or "..." in repr(t)  # repr may elide columns
    # slices are plain frames; pickling and HDF5 keep the NaN
    assert type(t.loc[["downtime"]]).__name__ == "DataFrame"
    u = pickle.loads(pickle.dumps(t))
    assert u.attrs["readings"] == readings and np.isnan(u.loc["erythema_resolved_after", "value"])
    back = ds.read_result(r.to_hdf5(tmp_path / "r.h5"))
    assert np.isnan(back.summary_values["erythema_resolved_after"])
    assert "not reached" in back.summary().to_string()


@needs_model
def test_before_the_next_session_and_when_reached():
    r = run(sessions=2, interval="1 h", follow_up="6 h")
    readings = r.summary().attrs["readings"]
    assert readings["erythema_resolved_after"] == "> 1 h (not reached before the next session)"
    long = run(sessions=1, follow_up="6 months").summary()
    assert np.isfinite(long.loc["erythema_resolved_after", "value"])
    assert "readings" not in long.attrs and "reading" not in long.to_string()


def test_readings_of_a_result_without_tables():
    r = ds.Result(outcome_times=[0.0, 14 * 86400.0], outcomes={"erythema": [0.3, 0.2]},
                  summary={"erythema_resolved_after": float("nan"), "channels_closed_after": 3600.0,
                           "downtime": 14 * 86400.0}, units={"erythema_resolved_after": "s"})
    t = r.summary()
    assert t.attrs["readings"] == {"erythema_resolved_after": "> 2 weeks (not reached within the run)",
                                   "downtime": ">= 2 weeks (erythema not resolved within the run)"}
    assert np.isnan(t.loc["erythema_resolved_after", "value"])


@pytest.mark.parametrize("seconds, text", [(14 * 86400.0, "2 weeks"), (21600.0, "6 h"), (86400.0, "1 day"),
                                           (6 * 30.4375 * 86400, "6 months"), (90.0, "1.5 min"),
                                           (5.0, "5 s"), (0.0, "0 s"), (400 * 86400.0, "1.1 years")])
def test_human_times(seconds, text):
    assert _human_time(seconds) == text
