"""Running a scenario: :func:`simulate`.

The C++ ``dermasim::simulate`` does the work with the GIL released; Python trackers become C++
observers that take the GIL only when their schedule fires (see :mod:`dermasim.trackers`).
``threads`` sets the OpenMP threads of this call only; results do not depend on it.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

from . import _core
from . import units as _units
from ._core import InvalidArgumentError
from .results import OUTCOME_UNITS, Result
from .trackers import RuntimeTracker, get_trackers, raise_errors, to_observers

__all__ = ["simulate"]


def simulate(scenario: Any, trackers: Any = None, threads: Optional[int] = None,
             max_runtime: Any = None, snapshots: Optional[Sequence[Any]] = None) -> Result:
    """Run ``scenario`` (a :class:`dermasim.Scenario`) and return a :class:`dermasim.Result`.

    ``trackers``: trackers, ``"progress"``, ``"print"`` or callables (see
    :mod:`dermasim.trackers`); ``threads``: OpenMP threads for this call (None: as set);
    ``max_runtime``: wall-clock limit ("10 min"), after which the run stops cleanly and the
    result holds what was computed (``result.complete`` is False); ``snapshots``: times
    ("12 weeks", or seconds) at which to keep copies of every field (default: the start and
    the end). Ctrl-C stops the run cleanly (trackers finish, storage files are kept) and
    raises KeyboardInterrupt.
    """
    from .scenario import Scenario

    if not isinstance(scenario, Scenario):
        raise InvalidArgumentError(f"simulate: expected a Scenario (got {type(scenario).__name__})")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise InvalidArgumentError(f"threads: expected an integer >= 1 (got {threads!r})")
    trs = get_trackers(trackers)
    if max_runtime is not None:
        trs.append(RuntimeTracker(max_runtime))
    duration = scenario.protocol.duration
    times = [0.0, duration] if snapshots is None else sorted(
        min(_units.parse(t, "time", "snapshots[]"), duration) for t in snapshots)
    cpp = scenario.to_cpp()
    grid = cpp.numerics.grid(cpp.skin)
    import numpy as np

    units = dict(OUTCOME_UNITS)
    if hasattr(_core, "healing_species_units"):
        units.update(zip(_core.healing_species(), _core.healing_species_units()))
    layers = np.searchsorted(np.asarray(scenario.skin.interfaces[:-1]), np.asarray(grid.z), side="right")
    run = {"scenario": scenario, "duration": duration, "grid": grid, "threads": threads,
           "units": units, "layers": layers}
    for t in trs:
        t.start(run)
    obs = to_observers(trs, run)
    interrupted = False
    result = None
    try:
        r = _core.simulate_healing(cpp, threads=threads or 0, snapshot_times=times, observers=obs)
        raise_errors(obs)
        result = Result.from_cpp(r, scenario, threads=threads)
        return result
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        for t in trs:
            t.finish(result, interrupted=interrupted)
