"""Trackers: things that happen while a run goes (after py-pde's trackers).

A tracker fires on a schedule of *simulated* time (``interval="1 day"``, a geometric schedule
``geometric=("1 h", 1.5)``, or explicit ``times=[...]``); the C++ time integrator lands exactly on
those times and calls back into Python there only (the GIL is taken only then). Returning
``False`` from :meth:`Tracker.handle` stops the run cleanly: what was computed so far is kept.

- :class:`ProgressTracker` — a progress bar (tqdm.auto when installed; quiet when stderr is not a
  terminal and not in a notebook)
- :class:`PrintTracker` — prints the time and chosen outcomes
- :class:`StorageTracker` — appends field snapshots and outcomes to an HDF5 result file as the run
  goes (kept, marked incomplete, if the run is interrupted)
- :class:`RuntimeTracker` — stops the run after a wall-clock limit

``trackers`` arguments accept tracker objects, the strings ``"progress"``/``"print"``, or None.
"""
from __future__ import annotations

import os
import sys
import time
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from . import units as _units
from ._core import InvalidArgumentError

__all__ = ["Tracker", "ProgressTracker", "PrintTracker", "StorageTracker", "RuntimeTracker",
           "CallbackTracker", "State", "get_trackers", "to_observers", "raise_errors"]


class State:
    """What a tracker sees when it fires: time ``t`` (s), ``fields`` (a mapping of species name
    to a (nz, ny, nx) array view — valid only during the call), ``outcomes`` (metric → current
    value), ``stats`` (step counters), ``grid`` and the run's ``duration`` (s)."""

    def __init__(self, t: float, fields: Any = None, outcomes: Optional[Mapping[str, float]] = None,
                 stats: Any = None, grid: Any = None, duration: Optional[float] = None):
        self.t, self.fields, self.outcomes, self.stats, self.grid, self.duration = (
            t, fields, dict(outcomes or {}), stats, grid, duration)


class Tracker:
    """Base class. Subclasses override :meth:`start`, :meth:`handle` and :meth:`finish`.

    Exactly one of ``interval`` (fixed, a time quantity), ``geometric`` ((first, factor)) or
    ``times`` (a list of time quantities) gives the schedule; default: ``default_interval``.
    """

    default_points = 100  # fires ~this many times per run when no schedule is given
    #: True: the run lands exactly on every scheduled time (shorter steps there, so results
    #: depend on the schedule to within the tolerance). False: the tracker is called at the end
    #: of the step that reaches or passes each scheduled time, with ``t`` and the state there;
    #: no step is cut and the results do not depend on it (progress, wall-clock limits).
    exact_times = True

    def __init__(self, interval: Any = None, *, geometric: Optional[Tuple[Any, float]] = None,
                 times: Optional[Sequence[Any]] = None):
        given = sum(x is not None for x in (interval, geometric, times))
        if given > 1:
            raise InvalidArgumentError("tracker: give only one of interval, geometric, times")
        self.interval = None if interval is None else _units.parse(interval, "time", "tracker.interval")
        if self.interval is not None and self.interval <= 0:
            raise InvalidArgumentError(f"tracker.interval: must be > 0 (got {interval!r})")
        self.geometric = None
        if geometric is not None:
            first, factor = geometric
            self.geometric = (_units.parse(first, "time", "tracker.geometric[0]"), float(factor))
            if self.geometric[0] <= 0 or self.geometric[1] <= 1:
                raise InvalidArgumentError("tracker.geometric: need first > 0 and factor > 1")
        self.times = None if times is None else sorted(
            _units.parse(t, "time", "tracker.times[]") for t in times)

    def schedule(self, duration: float) -> Tuple[str, Tuple[Any, ...]]:
        """``("fixed", (interval,))``, ``("geometric", (first, factor))`` or ``("at", (times,))``
        — the arguments of ``dermasim._core.Schedule`` factories."""
        if self.times is not None:
            return "at", (list(self.times),)
        if self.geometric is not None:
            return "geometric", self.geometric
        iv = self.interval if self.interval is not None else max(duration / self.default_points, 1e-9)
        return "fixed", (iv,)

    def fire_times(self, duration: float) -> List[float]:
        """The times in [0, duration] at which this tracker fires (used by pure-Python drivers)."""
        kind, args = self.schedule(duration)
        if kind == "wall":  # wall-clock schedules have no simulated times
            return []
        if kind == "at":
            return [t for t in args[0] if t <= duration]
        out, t = [0.0], 0.0
        if kind == "fixed":
            n = int(duration / args[0] + 1e-9)
            return [k * args[0] for k in range(n + 1)]
        step = args[0]
        while t + step <= duration * (1 + 1e-12):
            t += step
            out.append(t)
            step *= args[1]
        return out

    def start(self, run: Mapping[str, Any]) -> None:
        """Called once before the run; ``run`` has ``scenario``, ``duration``, ``grid``."""

    def handle(self, state: State) -> Optional[bool]:
        """Called at the scheduled times; return False to stop the run."""
        return None

    def finish(self, result: Any = None, interrupted: bool = False) -> None:
        """Called once after the run (also after an interruption or an error)."""


class CallbackTracker(Tracker):
    """Calls ``fn(state)`` on the schedule (return False to stop)."""

    def __init__(self, fn: Any, interval: Any = None, **kw: Any):
        super().__init__(interval, **kw)
        self.fn = fn

    def handle(self, state: State) -> Optional[bool]:
        return self.fn(state)


def _interactive() -> bool:
    if "ipykernel" in sys.modules:
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressTracker(Tracker):
    """A progress bar over simulated time (tqdm.auto if installed). ``enabled=None``: only when
    stderr is a terminal or in a notebook, so batch jobs and logs stay clean. It updates at step
    ends (``exact_times = False``), so showing it does not change the results."""

    exact_times = False

    def __init__(self, interval: Any = None, *, enabled: Optional[bool] = None, **kw: Any):
        super().__init__(interval, **kw)
        self.enabled = _interactive() if enabled is None else enabled
        self._bar: Any = None
        self._last = 0.0

    def start(self, run: Mapping[str, Any]) -> None:
        self._duration = float(run.get("duration") or 0.0)
        self._last = 0.0
        if not self.enabled:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self._bar = None
            return
        self._bar = tqdm(total=round(self._duration / 86400.0, 3), unit="day", desc="dermasim",
                         leave=True, bar_format="{l_bar}{bar}| {n:.1f}/{total:.1f} days [{elapsed}<{remaining}]")

    def handle(self, state: State) -> Optional[bool]:
        if self._bar is not None:
            days = state.t / 86400.0
            # the sum of rounded increments must never pass the total (tqdm warns, and the
            # test suite turns warnings into errors): clamp what is added
            room = float(self._bar.total) - float(self._bar.n)
            step = min(round(days - self._last, 6), room)
            if step > 0 and float(self._bar.n) + step <= float(self._bar.total):
                self._bar.update(step)
            self._last = days
        return None

    def finish(self, result: Any = None, interrupted: bool = False) -> None:
        if self._bar is not None:
            if not interrupted:
                self._bar.n = self._bar.total  # exactly full
                self._bar.refresh()
            self._bar.close()
            self._bar = None


class PrintTracker(Tracker):
    """Prints ``t`` and the chosen outcomes (all when ``outcomes`` is None) on the schedule."""

    def __init__(self, interval: Any = None, *, outcomes: Optional[Sequence[str]] = None,
                 stream: Any = None, **kw: Any):
        super().__init__(interval, **kw)
        self.outcomes = outcomes
        self.stream = stream

    def handle(self, state: State) -> Optional[bool]:
        names = self.outcomes if self.outcomes is not None else list(state.outcomes)
        vals = "  ".join(f"{n}={state.outcomes[n]:.4g}" for n in names if n in state.outcomes)
        print(f"t = {_units.format(state.t, 'time')}  {vals}".rstrip(), file=self.stream or sys.stdout)
        return None


class RuntimeTracker(Tracker):
    """Stops the run (cleanly; results so far are kept) after ``max_runtime`` of wall-clock time
    ("10 min", "2 h" or seconds). It checks at the end of every step at most every
    ``check_period`` seconds of wall-clock time (default: 1/20 of the limit, at most 50 ms), so
    it stops within one step plus ``check_period`` of the limit whatever the step size; it cuts
    no steps, so the results do not depend on it. With ``interval=`` (simulated time) it checks
    on that schedule instead."""

    exact_times = False  # checks at step ends: cuts no steps

    def __init__(self, max_runtime: Any, interval: Any = None, *, check_period: Optional[float] = None,
                 **kw: Any):
        super().__init__(interval, **kw)
        self.max_runtime = _units.parse(max_runtime, "time", "max_runtime")
        if not (self.max_runtime > 0):
            raise InvalidArgumentError(f"max_runtime: must be > 0 (got {max_runtime!r})")
        self.check_period = min(0.05, self.max_runtime / 20) if check_period is None else float(check_period)
        if not (1e-6 <= self.check_period <= 1e6):
            raise InvalidArgumentError(f"check_period: {self.check_period!r} s is outside [1e-06, 1e+06] s")
        self.stopped = False

    def schedule(self, duration: float) -> Tuple[str, Tuple[Any, ...]]:
        if self.interval is None and self.geometric is None and self.times is None:
            return "wall", (self.check_period,)
        return super().schedule(duration)

    def start(self, run: Mapping[str, Any]) -> None:
        self._t0 = time.perf_counter()
        self.stopped = False

    def handle(self, state: State) -> Optional[bool]:
        if time.perf_counter() - self._t0 > self.max_runtime:
            self.stopped = True
            return False
        return None


class StorageTracker(Tracker):
    """Writes field snapshots (``fields``: names, default all) and the current outcomes to an HDF5
    result file (the layout of :mod:`dermasim.io`) as the run goes. The file appears atomically;
    after an interruption it holds everything up to the last snapshot with ``complete = 0``."""

    def __init__(self, path: str | os.PathLike, interval: Any = None, *,
                 fields: Optional[Sequence[str]] = None, **kw: Any):
        super().__init__(interval, **kw)
        self.path = os.fspath(path)
        self.fields = fields
        self._w: Any = None
        self._run: Mapping[str, Any] = {}

    def start(self, run: Mapping[str, Any]) -> None:
        self._run = run
        self._w = None

    def _open(self, state: State) -> None:
        from .io import ResultWriter

        run = self._run
        sc = run.get("scenario")
        attrs: Dict[str, Any] = {}
        if sc is not None:
            attrs["scenario"] = sc.to_json()
            attrs["seed"] = sc.seed
        if run.get("threads") is not None:
            attrs["threads"] = int(run["threads"])
        self._w = ResultWriter(self.path, run.get("grid") if run.get("grid") is not None else state.grid,
                               attrs=attrs, units=run.get("units"), layers=run.get("layers"))

    def handle(self, state: State) -> Optional[bool]:
        if self._w is None:
            self._open(state)
        if state.fields is not None:
            names = self.fields if self.fields is not None else list(
                state.fields.names if hasattr(state.fields, "names") else state.fields)
            self._w.append_snapshot(state.t, {n: state.fields[n] for n in names})
        if state.outcomes:
            self._w.append_outcomes(state.t, state.outcomes)
        self._w.flush()
        return None

    def finish(self, result: Any = None, interrupted: bool = False) -> None:
        if self._w is not None:
            if result is not None and getattr(result, "summary_values", None):
                self._w.write_summary(result.summary_values)
            self._w.close(complete=not interrupted)
            self._w = None


def to_observers(trackers: Sequence[Tracker], run: Mapping[str, Any], *,
                 outcomes: Any = None, interrupt_period: float = 0.05) -> List[Any]:
    """C++ observers (``dermasim._core.PyObserver``) for ``trackers``: each fires on its tracker's
    schedule (exactly, or at step ends for trackers with ``exact_times = False``) with the GIL
    held only then and calls ``tracker.handle(State(...))``. A watcher checking for Ctrl-C at
    step ends, every ``interrupt_period`` s of wall-clock time (0: none), is added. ``outcomes(t, fields)``, if
    given, supplies the current outcome values for the trackers. After the C++ call, pass the
    observers to :func:`raise_errors`."""
    from . import _core

    duration = float(run.get("duration") or 0.0)
    grid = run.get("grid")
    obs = []
    for tr in trackers:
        kind, args = tr.schedule(duration)
        sched = getattr(_core.Schedule, kind)(*args)

        def fire(t: float, fields: Any, stats: Any, tr: Tracker = tr) -> Optional[bool]:
            st = State(t, fields=fields, outcomes=outcomes(t, fields) if outcomes else None, stats=stats,
                       grid=grid if grid is not None else getattr(fields, "grid", None), duration=duration)
            return tr.handle(st)

        o = _core.PyObserver(sched, fire)
        if not getattr(tr, "exact_times", True):
            o.at_step_end = True
        obs.append(o)
    if interrupt_period and duration > 0:
        # every `interrupt_period` s of wall-clock time, at step ends: Ctrl-C is seen within a
        # step plus that period whatever the step size (a fixed 1 ms step run used to be
        # checked once per duration/1000 of simulated time, i.e. never in practice); the
        # checks cut no steps (when they landed on 1000 simulated times, the default 1D run
        # took 4x longer from Python than from C++), and results do not depend on them
        watcher = _core.PyObserver(_core.Schedule.wall(interrupt_period),  # at step ends
                                   lambda t, f, s: None, check_signals=True)
        obs.append(watcher)
    return obs


def raise_errors(observers: Sequence[Any]) -> None:
    """Re-raise the first exception a tracker raised inside the C++ run (KeyboardInterrupt from
    Ctrl-C included)."""
    for o in observers:
        e = getattr(o, "error", None)
        if e is not None:
            o.clear_error()
            raise e


def get_trackers(spec: Any) -> List[Tracker]:
    """Normalise a ``trackers=`` argument: None, a tracker, a string or a list of them."""
    if spec is None:
        return []
    if isinstance(spec, (Tracker, str)):
        spec = [spec]
    out: List[Tracker] = []
    for s in spec:
        if isinstance(s, Tracker):
            out.append(s)
        elif s == "progress":
            out.append(ProgressTracker())
        elif s == "print":
            out.append(PrintTracker())
        elif callable(s):
            out.append(CallbackTracker(s))
        else:
            raise InvalidArgumentError(f"trackers: {s!r} is not a Tracker, 'progress', 'print' or a callable")
    return out
