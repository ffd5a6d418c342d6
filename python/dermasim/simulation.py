"""Running a scenario: :func:`simulate`.

The C++ ``dermasim::simulate`` does the work with the GIL released; Python trackers become C++
observers that take the GIL only when their schedule fires (see :mod:`dermasim.trackers`).
``threads`` sets the OpenMP threads of this call only; results do not depend on it.
"""
from __future__ import annotations

import os
from typing import Any, Optional, Sequence, Union

from . import _core
from . import units as _units
from ._core import InvalidArgumentError
from .results import OUTCOME_UNITS, Result
from .trackers import RuntimeTracker, get_trackers, raise_errors, to_observers

__all__ = ["simulate"]

def simulate(scenario: Any, trackers: Any = None, threads: Optional[int] = None,
             max_runtime: Any = None, snapshots: Optional[Sequence[Any]] = None,
             checkpoint: Optional[Union[str, "os.PathLike[str]"]] = None,
             max_memory: Any = None) -> Result:
    """Run ``scenario`` (a :class:`dermasim.Scenario`) and return a :class:`dermasim.Result`.

    ``trackers``: trackers, ``"progress"``, ``"print"`` or callables (see
    :mod:`dermasim.trackers`); ``threads``: OpenMP threads for this call (None: as set);
    ``max_runtime``: wall-clock limit ("10 min"), after which the run stops cleanly and the
    result holds what was computed (``result.complete`` is False); ``snapshots``: times
    ("12 weeks", or seconds) at which to keep copies of every field (default: the start and
    the end). Ctrl-C stops the run cleanly (trackers finish, storage files are kept) and
    raises KeyboardInterrupt. Both are checked at the end of every step, at most every 50 ms
    of wall-clock time, so a run stops within one step plus 50 ms whatever its step size.

    ``threads``: 1 to 4 × the processors there are. ``max_memory``: the memory the run may use
    ("4 GB", "512 MiB" or bytes; default: the environment variable ``DERMASIM_MAX_MEMORY``,
    else the memory available now, MemAvailable and the cgroup limit). The run's memory is
    estimated before anything is allocated (``dermasim._core.estimate_memory``) and a run that
    would not fit is refused with an InvalidArgumentError naming the numerics parameters that
    drive it. A fixed-step run (``numerics.adaptive = False``) of more than 10⁷ steps is refused
    the same way.

    ``checkpoint``: path of a checkpoint file (HDF5). The run state is written there, atomically,
    at the start of every session after the first; if the file exists when ``simulate`` is
    called (a run stopped by Ctrl-C, ``max_runtime``, a crash or a lost node), the run continues
    from it, and the result is bitwise identical to an uninterrupted run (trackers with exact
    times land on them and so shorten steps: identical means with the same such trackers;
    progress bars, ``max_runtime`` and the Ctrl-C check cut no steps). A checkpoint of a
    different scenario is refused. The file is removed when the run completes. Trackers see
    only the resumed part.
    """
    from .scenario import Scenario

    if not isinstance(scenario, Scenario):
        raise InvalidArgumentError(f"simulate: expected a Scenario (got {type(scenario).__name__})")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise InvalidArgumentError(f"threads: expected an integer >= 1 (got {threads!r})")
    # the upper bound of threads (4 per processor) is checked by the C++ simulate
    mem = _units.parse_bytes(max_memory, "max_memory") if max_memory is not None else 0.0
    trs = get_trackers(trackers)
    if max_runtime is not None:
        trs.append(RuntimeTracker(max_runtime))
    duration = scenario.duration
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
    ck_path = os.fspath(checkpoint) if checkpoint is not None else None
    resume = None
    write = None
    if ck_path is not None:
        from .io import cleanup_temporaries, read_checkpoint, write_checkpoint

        sj = scenario.to_json()
        cleanup_temporaries(ck_path)  # left by a killed run
        if os.path.exists(ck_path):
            stored, resume = read_checkpoint(ck_path)
            if stored != sj:
                raise InvalidArgumentError(
                    f"checkpoint '{ck_path}' was written by a run of a different scenario; "
                    "remove it or pass another path")

        def write(payload: bytes) -> bool:
            write_checkpoint(ck_path, sj, payload)
            return True
    try:
        try:
            r = _core.simulate_healing(cpp, threads=threads or 0, snapshot_times=times, observers=obs,
                                       checkpoint=write, resume=resume, max_memory=mem)
        except _core.FileFormatError as e:
            if resume is not None and str(e).startswith("checkpoint:"):
                raise _core.FileFormatError(f"checkpoint '{ck_path}': {str(e)[len('checkpoint:'):].strip()} "
                                            "(remove it to start the run afresh)") from None
            raise
        raise_errors(obs)
        result = Result.from_cpp(r, scenario, threads=threads)
        if ck_path is not None and r.info.completed and os.path.exists(ck_path):
            os.remove(ck_path)
        return result
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        for t in trs:
            t.finish(result, interrupted=interrupted)
