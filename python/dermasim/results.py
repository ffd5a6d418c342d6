"""The result of a run: outcome time series, summary scalars and field snapshots, with the
scenario, seed and thread count that produced them.

``Result.summary()`` gives a pandas table, ``Result.to_xarray()`` an xarray Dataset with units,
``Result.to_hdf5(path)`` the file layout of :mod:`dermasim.io` (with its XDMF sidecar).

**NaN means "not reached within the run".** The recovery times of a session
(``erythema_resolved_after``, ``channels_closed_after``, ``epidermis_recovered_after``; see
:data:`NOT_REACHED`) are NaN when the event did not happen before the next session or, for the
last one, before the end of the run (e.g. a follow-up shorter than the erythema). ``downtime``
is then the whole window, a lower bound. The numbers stay NaN in ``summary_values``, the
``sessions`` table, xarray, HDF5 and sweep tables (numeric code keeps working: ``isna()``);
the printed ``summary()`` table adds a ``reading`` column such as ``> 2 weeks (not reached
within the run)``.
"""
from __future__ import annotations

import json
import os
from typing import Any, Dict, Mapping, Optional

import numpy as np

from .io import LAYER_KEYS, ResultWriter

__all__ = ["Result", "OUTCOME_UNITS", "SESSION_UNITS", "APPLICATION_UNITS", "NOT_REACHED"]

def _metric_units() -> Dict[str, str]:
    """The outcome series' units from their C++ declaration (``Metrics::fields()``)."""
    from . import _core

    cat = {m["name"]: m for m in _core.modules()} if hasattr(_core, "modules") else {}
    return {str(o["name"]): str(o.get("unit", "")) for o in cat.get("healing", {}).get("outcomes", [])}


def _columns(cls: str) -> list:
    """(name, unit) of a C++ row type's declared columns (``SessionSummary::columns()`` …)."""
    from . import _core

    c = getattr(_core, cls, None)
    return [(str(n), str(u)) for n, u in getattr(c, "columns", [])] if c is not None else []


#: Columns (and units) of the per-application table (``dermasim::ApplicationSummary``).
APPLICATION_UNITS: Dict[str, str] = {"agent": "", **dict(_columns("ApplicationSummary"))}
#: Columns (and units) of the per-session table (``dermasim::SessionSummary``).
SESSION_UNITS: Dict[str, str] = dict(_columns("SessionSummary"))
#: The first application's columns that the summary carries, as ``topical_<column>``.
SUMMARY_APPLICATION = ("delivered", "delivered_dermis", "enhancement", "enhancement_dermis", "lag_time")
#: Units of the outcome series of ``dermasim::outcomes::Metrics`` (changes are fractions of
#: the baseline: 0.1 = +10 %) and of the summary scalars.
OUTCOME_UNITS: Dict[str, str] = {
    **_metric_units(),
    "pih_risk": "1",
    # summary scalars: the first session's row and the first application's
    **{k: u for k, u in SESSION_UNITS.items() if k not in ("index", "time", "channels", "bleeding_points")},
    **{f"topical_{k}": APPLICATION_UNITS[k] for k in SUMMARY_APPLICATION if k in APPLICATION_UNITS},
}
SESSION_COLUMNS = list(SESSION_UNITS)
#: Recovery times that are NaN when not reached within the session's window (before the next
#: session, or the end of the run): what was not reached.
NOT_REACHED: Dict[str, str] = {
    "erythema_resolved_after": "erythema not resolved",
    "channels_closed_after": "channels not closed",
    "epidermis_recovered_after": "epidermis not recovered",
    "barrier_recovered_after": "barrier not back",
    "exercise_ok_after": "not yet fine for sweating",
    "uv_sensitive_until": "still UV-sensitive",
}
INFO_FIELDS = ["accepted_steps", "rejected_steps", "dt_min", "dt_max", "warnings", "wall_seconds",
               "dimension", "cells", "threads", "completed", "injury_source"]


def _plain(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    try:
        return float(v)
    except (TypeError, ValueError):
        return str(v)


def _metrics_dict(m: Any, names: Any) -> Dict[str, float]:
    """Metrics of a timeline row by outcome name (``values()`` is in ``Metrics::names()`` order)."""
    if hasattr(m, "to_dict"):
        return {str(k): float(v) for k, v in m.to_dict().items()}
    if hasattr(m, "values") and callable(m.values) and hasattr(type(m), "names"):
        return {n: float(v) for n, v in zip(type(m).names(), m.values())}
    alias = {"macrophages_inflammatory": "macrophages_I", "macrophages_repair": "macrophages_R"}
    return {n: float(getattr(m, alias.get(n, n))) for n in names if hasattr(m, alias.get(n, n))}


def _summary_from_sessions(sessions: Any, timeline: Any) -> Dict[str, float]:
    """Headline scalars: the first session's injury and recovery, the worst PIH risk, the total
    PD collagen change at the end of the last interval, and the timeline values."""
    out: Dict[str, float] = {}
    if len(sessions):
        first = sessions.iloc[0]
        for k in ("real_depth", "channels_per_cm2", "bleeding_points_per_cm2", "erythema_resolved_after",
                  "channels_closed_after", "epidermis_recovered_after", "barrier_recovered_after",
                  "exercise_ok_after", "uv_sensitive_until", "downtime"):
            if k in sessions:
                out[k] = float(first[k])
        if "erythema_peak" in sessions:
            out["erythema_peak"] = float(sessions["erythema_peak"].max())
        if "pih_risk" in sessions:
            out["pih_risk"] = float(sessions["pih_risk"].max())
        if "collagen_PD_cumulative" in sessions:
            out["collagen_PD_gain"] = float(sessions["collagen_PD_cumulative"].iloc[-1])
    for _, row in timeline.iterrows() if len(timeline) else []:
        tag = str(row["label"]).replace(" ", "_")
        for k in ("collagen_PD", "collagen_I_PD", "collagen_III_PD", "elastin_PD", "epidermal_thickness"):
            if k in row:
                out[f"{k}_at_{tag}"] = float(row[k])
    return out


_DAY = 86400.0
_HUMAN = [("year", 365.25 * _DAY), ("month", 30.4375 * _DAY), ("week", 7 * _DAY), ("day", _DAY),
          ("h", 3600.0), ("min", 60.0), ("s", 1.0)]


def _human_time(v: float) -> str:
    """``1209600`` → ``"2 weeks"``, ``21600`` → ``"6 h"`` (3 significant digits)."""
    for sym, f in _HUMAN:
        if abs(v) >= f or sym == "s":
            x = float(f"{v / f:.3g}")
            plural = sym in ("year", "month", "week", "day") and x != 1
            return f"{x:g} {sym}{'s' if plural else ''}"
    return f"{v:g} s"  # pragma: no cover


_SUMMARY_FRAME: Any = None


def _summary_frame_class() -> Any:
    """The DataFrame subclass of :meth:`Result.summary` (made on first use: importing dermasim
    does not import pandas). Picklable as ``dermasim.results.SummaryFrame``."""
    global _SUMMARY_FRAME
    if _SUMMARY_FRAME is None:
        import pandas as pd

        class SummaryFrame(pd.DataFrame):
            """A pandas DataFrame whose printed form adds a ``reading`` column for the rows in
            ``attrs["readings"]``, e.g. "> 2 weeks (not reached within the run)"; its
            columns and values (NaN) are those of a plain DataFrame."""

            @property
            def _constructor(self) -> Any:  # slices, copies, arithmetic: plain DataFrames
                return pd.DataFrame

            def _readable(self) -> Any:
                plain = pd.DataFrame(self, copy=True)
                notes = self.attrs.get("readings", {})
                if notes:
                    plain["reading"] = [notes.get(k, "") for k in plain.index]
                return plain

            def __repr__(self) -> str:
                return repr(self._readable())

            __str__ = __repr__

            def to_string(self, *args: Any, **kwargs: Any) -> Any:
                return self._readable().to_string(*args, **kwargs)

            def _repr_html_(self) -> Any:
                return self._readable()._repr_html_()

        SummaryFrame.__module__, SummaryFrame.__qualname__ = __name__, "SummaryFrame"
        _SUMMARY_FRAME = SummaryFrame
    return _SUMMARY_FRAME


def __getattr__(name: str) -> Any:  # dermasim.results.SummaryFrame (pickle finds it here)
    if name == "SummaryFrame":
        return _summary_frame_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _summary_frame(df: Any, readings: Dict[str, str]) -> Any:
    """``df`` (metric → value, unit) as a DataFrame that prints a ``reading`` column for the
    rows in ``readings``; its columns, values (NaN) and derived frames are unchanged."""
    if not readings:
        return df
    out = _summary_frame_class()(df)
    out.attrs["readings"] = dict(readings)
    return out


class Result:
    """Outputs of one run (SI units; ``units`` maps each field/outcome name to its unit).

    Attributes
    ----------
    times : (nt,) snapshot times, s
    fields : {name: (nt, nz, ny, nx) array}
    grid : {"x", "y", "z", "z_faces", ...: arrays, m}; z is depth, 0 at the surface
    layers : (nz,) layer index (0 SC … 4 HY) of each z cell, or None
    outcome_times : (no,) times of the outcome series, s
    outcomes : {metric: (no,) array}
    summary_values : {metric: float} scalar results of the run; the recovery times of
        :data:`NOT_REACHED` are NaN when not reached within the run (see :meth:`summary`)
    tables : {name: pandas DataFrame} e.g. ``sessions`` (one row per session), ``timeline``
    scenario, seed, threads, info : how it was produced (``info``: run statistics)
    """

    def __init__(self, *, times: Any = (), fields: Optional[Mapping[str, Any]] = None,
                 grid: Optional[Mapping[str, Any]] = None, layers: Any = None,
                 outcome_times: Any = (), outcomes: Optional[Mapping[str, Any]] = None,
                 summary: Optional[Mapping[str, float]] = None, units: Optional[Mapping[str, str]] = None,
                 scenario: Any = None, seed: Optional[int] = None, threads: Optional[int] = None,
                 info: Optional[Mapping[str, Any]] = None, attrs: Optional[Mapping[str, Any]] = None,
                 complete: bool = True, path: Optional[str] = None, tables: Optional[Mapping[str, Any]] = None):
        self.times = np.asarray(times, dtype=float)
        self.fields = {k: np.asarray(v, dtype=float) for k, v in (fields or {}).items()}
        self.grid = {k: np.asarray(v, dtype=float) for k, v in (grid or {}).items()}
        self.layers = None if layers is None else np.asarray(layers, dtype=int)
        self.outcome_times = np.asarray(outcome_times, dtype=float)
        self.outcomes = {k: np.asarray(v, dtype=float) for k, v in (outcomes or {}).items()}
        self.summary_values = {k: float(v) for k, v in (summary or {}).items()}
        self.units = dict(units or {})
        self.scenario = scenario
        self.seed = None if seed is None else int(seed)
        self.threads = None if threads is None else int(threads)
        self.info = dict(info or {})
        self.tables = dict(tables or {})
        self.attrs = dict(attrs or {})
        self.complete = bool(self.attrs.pop("complete", complete))
        self.path = path
        for k, v in self.fields.items():
            if v.ndim != 4 or v.shape[0] != self.times.size:
                raise ValueError(f"field {k!r}: shape {v.shape} is not (nt={self.times.size}, nz, ny, nx)")
        for k, v in self.outcomes.items():
            if v.shape != self.outcome_times.shape:
                raise ValueError(f"outcome {k!r}: {v.size} values for {self.outcome_times.size} times")

    def __repr__(self) -> str:
        shape = next(iter(self.fields.values())).shape[1:] if self.fields else ()
        return (f"Result({len(self.times)} snapshots of {sorted(self.fields)} on {shape}, "
                f"{len(self.outcome_times)} outcome samples of {sorted(self.outcomes)}, "
                f"summary={sorted(self.summary_values)}" + ("" if self.complete else ", INCOMPLETE") + ")")

    # -- tables ---------------------------------------------------------------------------------
    def summary(self) -> Any:
        """A pandas DataFrame, one row per metric: ``value`` and ``unit`` (summary scalars, then
        the final value of every outcome series as ``<metric> (final)``).

        The recovery times of the first session (``erythema_resolved_after``,
        ``channels_closed_after``, ``epidermis_recovered_after``) are NaN when not reached
        within its window (before the 2nd session, or the end of a one-session run); then
        ``downtime`` is that whole window, a lower bound. ``value`` stays NaN (numeric code:
        ``isna()``); the printed table adds a ``reading`` column, e.g. ``> 6 h (not reached
        within the run)`` and, for ``downtime``, ``>= 6 h (erythema not resolved within the
        run)``. The readings are also in ``table.attrs["readings"]``."""
        import pandas as pd

        rows = [(k, v, self.units.get(k, "")) for k, v in self.summary_values.items()]
        for k, v in self.outcomes.items():
            if k not in self.summary_values and v.size:
                rows.append((f"{k} (final)", float(v[-1]), self.units.get(k, "")))
        df = pd.DataFrame(rows, columns=["metric", "value", "unit"]).set_index("metric")
        return _summary_frame(df, self._readings())

    def _window(self) -> tuple:
        """(length in s or None, "within the run" / "before the next session") of the first
        session's window, the one the summary's recovery times refer to."""
        sess = self.tables.get("sessions")
        times = list(sess["time"]) if sess is not None and "time" in getattr(sess, "columns", ()) else []
        if len(times) >= 2:
            return float(times[1]) - float(times[0]), "before the next session"
        end = float(self.outcome_times[-1]) if self.outcome_times.size else None
        start = float(times[0]) if times else 0.0
        return (None if end is None else end - start), "within the run"

    def _readings(self) -> Dict[str, str]:
        """How a user reads the NaN (not reached) recovery times of the summary."""
        out: Dict[str, str] = {}
        sv = self.summary_values
        missing = [k for k in NOT_REACHED if k in sv and np.isnan(sv[k])]
        if not missing:
            return out
        window, where = self._window()
        bound = f"> {_human_time(window)} " if window is not None and np.isfinite(window) else ""
        for k in missing:
            out[k] = f"{bound}(not reached {where})"
        if "erythema_resolved_after" in missing and "downtime" in sv and np.isfinite(sv["downtime"]):
            out["downtime"] = f">= {_human_time(sv['downtime'])} (erythema not resolved {where})"
        return out

    def outcomes_frame(self) -> Any:
        """The outcome series as a DataFrame indexed by time in days."""
        import pandas as pd

        df = pd.DataFrame(self.outcomes, index=pd.Index(self.outcome_times / 86400.0, name="time (days)"))
        return df

    # -- xarray ---------------------------------------------------------------------------------
    def to_xarray(self) -> Any:
        """An xarray Dataset: fields on (time, z, y, x), outcomes on ``outcome_time``, summary
        scalars as 0-d variables; coordinates in m and s with ``units`` attributes; a ``layer``
        coordinate on z (SC, VE, PD, RD, HY) when known; scenario JSON, seed and version in attrs."""
        import xarray as xr

        coords: Dict[str, Any] = {}
        for ax in ("x", "y", "z"):
            if ax in self.grid:
                coords[ax] = (ax, self.grid[ax], {"units": "m", "long_name": "depth" if ax == "z" else ax})
        if "z_faces" in self.grid:
            coords["z_faces"] = ("z_face", self.grid["z_faces"], {"units": "m"})
        if self.layers is not None and "z" in self.grid:
            coords["layer"] = ("z", np.array([LAYER_KEYS[i] for i in self.layers]))
        coords["time"] = ("time", self.times, {"units": "s"})
        coords["outcome_time"] = ("outcome_time", self.outcome_times, {"units": "s"})
        data: Dict[str, Any] = {}
        for k, v in self.fields.items():
            data[k] = (("time", "z", "y", "x"), v, {"units": self.units.get(k, "")})
        for k, v in self.outcomes.items():
            data[k] = (("outcome_time",), v, {"units": self.units.get(k, "")})
        for k, v in self.summary_values.items():
            name = k if k not in data else f"{k}_summary"
            data[name] = ((), v, {"units": self.units.get(k, ""), "kind": "summary"})
        attrs = {k: v for k, v in self.attrs.items() if isinstance(v, (str, int, float))}
        attrs.update(self._root_attrs())
        return xr.Dataset(data, coords=coords, attrs=attrs)

    def _root_attrs(self) -> Dict[str, Any]:
        from . import __version__

        a: Dict[str, Any] = {"version": self.attrs.get("version", __version__),
                             "complete": int(self.complete)}
        if self.scenario is not None:
            a["scenario"] = self.scenario.to_json() if hasattr(self.scenario, "to_json") else json.dumps(self.scenario)
        if self.seed is not None:
            a["seed"] = self.seed
        if self.threads is not None:
            a["threads"] = self.threads
        if self.info:
            a["info"] = json.dumps(self.info, default=float)
        return a

    # -- files ------------------------------------------------------------------------------------
    def to_hdf5(self, path: str | os.PathLike, *, xdmf: bool = True, compression: int = 4) -> str:
        """Write the result file atomically (temporary file + rename) and its ``.xdmf`` sidecar.
        Returns the path."""
        attrs = {k: v for k, v in self.attrs.items() if k not in ("format", "format_version", "version")}
        attrs.update(self._root_attrs())
        attrs.pop("version", None)
        attrs.pop("complete", None)
        w = ResultWriter(path, self.grid, attrs=attrs, units=self.units, layers=self.layers,
                         compression=compression, xdmf=xdmf, keep_partial=False)
        try:
            for k, t in enumerate(self.times):
                w.append_snapshot(float(t), {n: v[k] for n, v in self.fields.items()})
            if self.outcome_times.size:
                w.write_outcome_series(self.outcome_times, self.outcomes)
            if self.summary_values:
                w.write_summary(self.summary_values)
            for name, df in self.tables.items():
                w.write_table(name, df)
        except BaseException:
            w.abort()
            raise
        return w.close(complete=bool(self.complete))  # keeps the flag of an interrupted run

    @classmethod
    def from_hdf5(cls, path: str | os.PathLike) -> "Result":
        from .io import read_result

        return read_result(path)

    # -- from the C++ result ------------------------------------------------------------------
    @classmethod
    def from_cpp(cls, r: Any, scenario: Any = None, *, threads: Optional[int] = None,
                 complete: Optional[bool] = None) -> "Result":
        """Convert a bound ``dermasim::Result`` (simulate.hpp): outcome ``series`` over ``times``,
        the per-session and timeline tables, run ``info`` and field ``snapshots``."""
        import pandas as pd


        times = np.asarray(r.times, dtype=float)
        series = {str(k): np.asarray(v, dtype=float) for k, v in dict(r.series).items()}
        sessions = pd.DataFrame([{k: _plain(getattr(s, k)) for k in SESSION_COLUMNS if hasattr(s, k)}
                                 for s in r.sessions])
        metric_names = [n for n in series if n != "pih_risk"]
        timeline = pd.DataFrame([{"label": t.label, "time": float(t.time),
                                  **_metrics_dict(t.metrics, metric_names)} for t in r.timeline])
        info = {k: _plain(getattr(r.info, k)) for k in INFO_FIELDS if hasattr(r.info, k)}
        g = r.grid
        grid = {"x": np.asarray(g.x), "y": np.asarray(g.y), "z": np.asarray(g.z),
                "z_faces": np.asarray(g.z_faces), "x_faces": np.linspace(0.0, g.lx, g.nx + 1),
                "y_faces": np.linspace(0.0, g.ly, g.ny + 1)}
        snaps = list(r.snapshots)
        fields: Dict[str, Any] = {}
        if snaps:
            names = list(snaps[0].fields.names)
            fields = {n: np.stack([np.array(sn.fields[n], copy=True) for sn in snaps]) for n in names}
        layers = None
        if scenario is not None and hasattr(scenario, "skin"):
            layers = np.searchsorted(np.asarray(scenario.skin.interfaces[:-1]), grid["z"], side="right")
        units = dict(OUTCOME_UNITS)
        from . import _core

        if hasattr(r, "species_units"):  # the run's own species (core and modules)
            units.update({n: u for n, u in zip(r.species, r.species_units) if n not in units})
            units.update({str(k): str(v) for k, v in dict(r.module_outcome_units).items()})
        elif hasattr(_core, "healing_species_units"):
            units.update({n: u for n, u in zip(_core.healing_species(), _core.healing_species_units())
                          if n not in units})
        summary = _summary_from_sessions(sessions, timeline)
        tables = {"sessions": sessions, "timeline": timeline}
        apps = list(getattr(r, "applications", ()))
        if apps:  # topical applications: their table, and the first one's delivery in the summary
            tables["applications"] = pd.DataFrame([{k: _plain(getattr(a, k)) for k in APPLICATION_UNITS}
                                                   for a in apps])
            summary.update({f"topical_{k}": float(getattr(apps[0], k)) for k in SUMMARY_APPLICATION})
        done = bool(info.get("completed", True)) if complete is None else complete
        return cls(times=[sn.time for sn in snaps], fields=fields, grid=grid, layers=layers,
                   outcome_times=times, outcomes=series, summary=summary, units=units,
                   scenario=scenario, seed=getattr(scenario, "seed", None),
                   threads=threads if threads is not None else info.get("threads"), info=info,
                   complete=done, tables=tables)

    # -- plots ------------------------------------------------------------------------------------
    @property
    def plot(self) -> Any:
        """Plot helpers bound to this result: ``r.plot.outcomes()``, ``r.plot.depth_profile(...)``,
        ``r.plot.slice(...)`` (see :mod:`dermasim.plot`)."""
        from .plot import ResultPlotter

        return ResultPlotter(self)
