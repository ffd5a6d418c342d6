"""Parameter sweeps and Sobol sensitivity analysis, from a laptop to a Dask cluster.

``sweep(base, grid_or_samples, outputs=[...])`` runs one simulation per point and returns a tidy
pandas DataFrame: one row per run with its inputs (by dotted name), its seed, the requested
outcomes, ``status`` ("ok" or "error: …") and ``runtime_s``.

- Parallel on the local cores by default (a process pool, one OpenMP thread per run); any
  :class:`concurrent.futures.Executor` may be passed, or a ``dask.distributed.Client`` (its
  ``get_executor()`` is used), which is how a sweep leaves one machine.
- Never oversubscribed: the local pool runs ``processes × threads ≤ cores`` (the cores this
  process may use, ``os.sched_getaffinity``; see :func:`plan_workers`) unless
  ``oversubscribe=True``.
- Deterministic: run ``i`` gets the seed ``SeedSequence(seed).spawn(n)[i]`` (``seed`` defaults to
  the base scenario's), so the table does not depend on the executor or the order runs finish.
- Robust: a failing run is reported in its row and never loses the others. A worker process
  that dies (killed, out of memory, a crash in C++) breaks a ``ProcessPoolExecutor`` and every
  run pending in it; the sweep then retries the runs that had not finished, each in a process
  of its own, at most ``retries`` times; one that kills its worker every time ends with the
  status ``"error: worker process died (killed by signal 9, SIGKILL) — retried 2×"``. Finished
  rows are never lost.
- NaN outcomes: a recovery time (``erythema_resolved_after``, ``channels_closed_after``,
  ``epidermis_recovered_after``) is NaN in a row whose run ended before it was reached (see
  :mod:`dermasim.results`); such a row still has the status "ok".
- Resumable: with ``directory=``, each finished run is stored as a small JSON file
  (``runs/run-000042.json``); calling ``sweep`` again with the same directory skips them.
"""
from __future__ import annotations

import concurrent.futures as cf
import itertools
import json
import math
import multiprocessing
import os
import sys
import time
import traceback
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from ._core import InvalidArgumentError

__all__ = ["sweep", "sensitivity", "design", "run_seeds", "plan_workers", "available_cores"]

RunFn = Callable[[Any], Any]


# -- design -------------------------------------------------------------------------------------

def design(grid_or_samples: Any) -> List[Dict[str, Any]]:
    """The list of parameter points: a dict of lists is a full-factorial grid (first key varies
    slowest); a DataFrame or a list of dicts is taken row by row."""
    g = grid_or_samples
    try:
        import pandas as pd

        if isinstance(g, pd.DataFrame):
            return [{k: _plain(v) for k, v in row.items()} for row in g.to_dict(orient="records")]
    except ImportError:  # pragma: no cover
        pass
    if isinstance(g, Mapping):
        keys = list(g)
        vals = []
        for k in keys:
            v = g[k]
            if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
                v = [v]
            vals.append([_plain(x) for x in v])
        return [dict(zip(keys, combo)) for combo in itertools.product(*vals)]
    if isinstance(g, Iterable):
        pts = [dict(p) for p in g]
        if not all(isinstance(p, dict) for p in pts):
            raise InvalidArgumentError("sweep: samples must be dicts of dotted name → value")
        return [{k: _plain(v) for k, v in p.items()} for p in pts]
    raise InvalidArgumentError(f"sweep: expected a dict of lists, a DataFrame or a list of dicts (got {type(g).__name__})")


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


def run_seeds(master: int, n: int) -> List[int]:
    """Per-run seeds (uint64) spawned from one master seed (numpy SeedSequence)."""
    return [int(c.generate_state(1, dtype=np.uint64)[0]) for c in np.random.SeedSequence(master).spawn(n)]


# -- running one point -----------------------------------------------------------------------------

#: OpenMP threads of each run in this process (set per run by the sweep; default 1).
_RUN_THREADS = 1


def default_run(scenario: Any) -> Any:
    """The default run function: ``dermasim.simulate`` with the sweep's threads per run (1 by
    default: sweeps parallelise over runs, not inside them)."""
    from .simulation import simulate

    return simulate(scenario, threads=_RUN_THREADS)


def _outputs_of(res: Any, outputs: Optional[Sequence[str]]) -> Dict[str, float]:
    if isinstance(res, Mapping):
        vals = {k: float(v) for k, v in res.items()}
    else:  # a Result: summary scalars, then final values of outcome series
        vals = {k: float(v[-1]) for k, v in getattr(res, "outcomes", {}).items() if np.size(v)}
        vals.update({k: float(v) for k, v in getattr(res, "summary_values", {}).items()})
    if outputs is None:
        return vals
    missing = [o for o in outputs if o not in vals]
    if missing:
        from .config import suggest

        raise InvalidArgumentError(f"output {missing[0]!r} is not produced by the run"
                                   f"{suggest(missing[0], vals)} (available: {', '.join(sorted(vals))})")
    return {o: vals[o] for o in outputs}


def _run_point(base: Dict[str, Any], index: int, values: Dict[str, Any], seed: int,
               outputs: Optional[Sequence[str]], run: Optional[RunFn], threads: int = 1) -> Dict[str, Any]:
    """Runs one point (in a worker). Never raises: errors become the row's status."""
    t0 = time.perf_counter()
    row: Dict[str, Any] = {"run": index, "inputs": values, "seed": seed}
    before = _get_threads()
    _set_threads(threads)  # restored below: a serial sweep must not change the caller's setting
    try:
        from .scenario import Scenario

        sc = Scenario.from_dict(base).with_values(values).replace(seed=seed)
        res = (run or default_run)(sc)
        row["outcomes"] = _outputs_of(res, outputs)
        row["status"] = "ok"
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # noqa: BLE001 - reported in the row
        msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
        row["outcomes"] = {}
        row["status"] = f"error: {type(e).__name__}: {msg}" if msg else f"error: {type(e).__name__}"
    finally:
        _set_threads(*before)
    row["runtime_s"] = time.perf_counter() - t0
    return row


def _get_threads() -> Tuple[int, Optional[int]]:
    try:
        from . import _core

        return _RUN_THREADS, int(_core.max_threads())
    except Exception:  # pragma: no cover
        return _RUN_THREADS, None


def _set_threads(threads: int, omp: Optional[int] = -1) -> None:
    """Threads of the runs in this process (and the OpenMP setting: ``omp``, default the same)."""
    global _RUN_THREADS
    _RUN_THREADS = threads
    omp = threads if omp == -1 else omp
    if omp is None:
        return
    try:
        from . import _core

        if _core.max_threads() != omp:
            _core.set_threads(omp)
    except Exception:  # pragma: no cover
        pass


def _worker_init(threads: int = 1) -> None:
    os.environ["OMP_NUM_THREADS"] = str(threads)
    _set_threads(threads)


def available_cores() -> int:
    """The cores this process may run on: ``len(os.sched_getaffinity(0))`` where available
    (Linux: honours ``taskset``, cgroups cpusets, batch-system pinning), else ``os.cpu_count()``."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    return max(1, n)


def plan_workers(max_workers: Optional[int] = None, threads: Optional[int] = None, *,
                 cores: Optional[int] = None, runs: Optional[int] = None,
                 oversubscribe: bool = False) -> Tuple[int, int]:
    """``(processes, threads per run)`` of the local process pool.

    The rule: ``processes × threads ≤ cores`` (``cores`` defaults to :func:`available_cores`).
    ``threads`` (default 1) is capped at ``cores``; ``max_workers`` (default: as many as fit)
    is capped at ``cores // threads``; neither exceeds the number of ``runs`` when given. With
    ``oversubscribe=True`` the given values are used as they are (the user asked for it).
    """
    for name, v in (("max_workers", max_workers), ("threads", threads)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            raise InvalidArgumentError(f"sweep: {name}: expected an integer >= 1 (got {v!r})")
    ncores = available_cores() if cores is None else max(1, int(cores))
    t = threads or 1
    if oversubscribe:
        w = max_workers or max(1, ncores // t)
    else:
        t = min(t, ncores)
        fit = max(1, ncores // t)
        w = min(max_workers or fit, fit)
    if runs is not None:
        w = max(1, min(w, runs))
    return w, t


def _context() -> Any:
    """Fork on Linux while this process has a single thread (no ``if __name__ ==
    "__main__":`` guard needed in scripts, no re-imports); with other threads alive, forking
    is unsafe and a fork server is used (then scripts need the guard and run functions must be
    importable, as with ``spawn`` on macOS/Windows)."""
    import threading

    if sys.platform.startswith("linux"):
        method = "fork" if threading.active_count() == 1 else "forkserver"
    else:
        method = "spawn"
    return multiprocessing.get_context(method)


def _default_executor(workers: int, threads: int = 1) -> cf.Executor:
    """A process pool of ``workers`` processes (see :func:`_context` for the start method)."""
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_worker_init,
                                  initargs=(threads,))


def _isolated_child(conn: Any, args: Tuple[Any, ...], threads: int) -> None:
    _worker_init(threads)
    try:
        conn.send(_run_point(*args))
    finally:
        conn.close()


def _run_isolated(jobs: List[Tuple[int, Tuple[Any, ...]]], workers: int, threads: int) -> Dict[int, Any]:
    """Run each job in a process of its own (at most ``workers`` at a time), so a process that
    dies takes only its own run with it. Returns ``{run: row}``, or ``{run: exit code}`` for a
    process that died without answering (negative: killed by that signal)."""
    from multiprocessing.connection import wait

    ctx = _context()
    jobs = list(jobs)
    running: Dict[Any, Tuple[int, Any]] = {}
    out: Dict[int, Any] = {}
    try:
        while jobs or running:
            while jobs and len(running) < workers:
                i, args = jobs.pop(0)
                r, w = ctx.Pipe(duplex=False)
                p = ctx.Process(target=_isolated_child, args=(w, args, threads), daemon=True)
                p.start()
                w.close()
                running[r] = (i, p)
            for r in wait(list(running)):  # readable: a row arrived, or the child is gone (EOF)
                i, p = running.pop(r)
                try:
                    out[i] = r.recv()
                except (EOFError, OSError):
                    out[i] = None
                r.close()
                p.join()
                if out[i] is None:
                    out[i] = p.exitcode if p.exitcode is not None else -1
    finally:
        for r, (i, p) in running.items():
            p.kill()
            p.join()
            r.close()
    return out


def _died(code: Any, retries: int) -> str:
    """Status of a run whose worker process died on every try."""
    if isinstance(code, int) and code < 0:
        import signal as _signal

        try:
            name = f", {_signal.Signals(-code).name}"
        except ValueError:
            name = ""
        why = f"killed by signal {-code}{name}" + ("; out of memory?" if -code == 9 else "")
    elif isinstance(code, int):
        why = f"exit code {code}"
    else:
        why = "killed by a signal?"
    return f"error: worker process died ({why}) — retried {retries}×"


# -- the sweep --------------------------------------------------------------------------------------

def sweep(base: Any, grid_or_samples: Any, outputs: Optional[Sequence[str]] = None, *,
          executor: Any = None, seed: Optional[int] = None, directory: Optional[str | os.PathLike] = None,
          run: Optional[RunFn] = None, max_workers: Optional[int] = None,
          threads: Optional[int] = None, oversubscribe: bool = False, retries: int = 2,
          progress: Optional[bool] = None) -> Any:
    """Run ``base`` (a :class:`dermasim.Scenario`) at every point of ``grid_or_samples`` and
    return a tidy DataFrame (one row per run; columns ``run``, the inputs, ``seed``, the outputs,
    ``status``, ``runtime_s``).

    ``grid_or_samples``: ``{"device.needle_length": ["0.5 mm", "1 mm"], "protocol.sessions": [1, 3]}``
    (full factorial) or a DataFrame / list of dicts (one point each). ``outputs``: outcome names
    to keep (default: all the run returns). ``executor``: None (a local process pool over
    ``max_workers`` or all cores), ``"serial"`` (in this process), any ``concurrent.futures``
    executor, or a ``dask.distributed.Client``. ``seed``: master seed for the per-run seeds
    (default: ``base.seed``). ``directory``: store one JSON file per finished run there and skip
    runs already stored (resume). ``run``: the function run per point, ``run(scenario)`` →
    a :class:`Result` or a dict of outcome values (default: ``dermasim.simulate``); with a
    process pool or Dask it must be picklable (a module-level function).

    Cores: ``threads`` is the OpenMP threads of each run (default 1). The local pool never
    oversubscribes the machine: processes × threads ≤ the cores this process may use
    (``os.sched_getaffinity(0)``, else ``os.cpu_count()``), so ``max_workers`` and ``threads``
    are capped to fit (:func:`plan_workers`) unless ``oversubscribe=True``. With your own
    executor or Dask, each run uses ``threads`` threads and sizing the workers is yours.

    Dead workers: when a process of the local pool dies (``os.kill``, the OOM killer, a crash),
    the runs that had not finished are retried, each in a process of its own, at most
    ``retries`` times (default 2); a run whose process dies every time gets the status
    ``"error: worker process died (…) — retried 2×"``. Finished rows are kept.
    """
    import pandas as pd

    from .scenario import Scenario

    if not isinstance(base, Scenario):
        raise InvalidArgumentError(f"sweep: base must be a Scenario (got {type(base).__name__})")
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise InvalidArgumentError(f"sweep: retries: expected an integer >= 0 (got {retries!r})")
    points = design(grid_or_samples)
    if not points:
        raise InvalidArgumentError("sweep: the design has no points")
    base_d = base.to_dict(units=False)
    for p in points[:1]:  # validate names and values early, in this process, with a clear error
        base.with_values(p)
    master = base.seed if seed is None else int(seed)
    seeds = run_seeds(master, len(points))
    outputs = list(outputs) if outputs is not None else None

    done: Dict[int, Dict[str, Any]] = {}
    rundir = None
    if directory is not None:
        rundir = _prepare_directory(os.fspath(directory), base, points, master, outputs)
        done = _load_finished(rundir, len(points))
    todo = [i for i in range(len(points)) if i not in done]

    rows = dict(done)
    if todo:
        rows.update(_execute(base_d, points, seeds, outputs, run, todo, executor, max_workers,
                             rundir, progress, threads=threads, oversubscribe=oversubscribe,
                             retries=retries))
    return _table([rows[i] for i in sorted(rows)], points, outputs)


def _execute(base_d: Dict[str, Any], points: List[Dict[str, Any]], seeds: List[int],
             outputs: Optional[List[str]], run: Optional[RunFn], todo: List[int], executor: Any,
             max_workers: Optional[int], rundir: Optional[str], progress: Optional[bool], *,
             threads: Optional[int] = None, oversubscribe: bool = False,
             retries: int = 2) -> Dict[int, Dict[str, Any]]:
    rows: Dict[int, Dict[str, Any]] = {}
    bar = _bar(len(todo), progress)

    def finished(row: Dict[str, Any]) -> None:
        rows[row["run"]] = row
        if rundir is not None:
            _store(rundir, row)
        if bar is not None:
            bar.update(1)

    def failed(i: int, status: str) -> None:
        finished({"run": i, "inputs": points[i], "seed": seeds[i], "outcomes": {}, "status": status,
                  "runtime_s": float("nan")})

    own = None
    if executor is None:
        workers, nthreads = plan_workers(max_workers, threads, runs=len(todo), oversubscribe=oversubscribe)
    else:
        workers, nthreads = 0, threads or 1

    def args(i: int) -> Tuple[Any, ...]:
        return (base_d, i, points[i], seeds[i], outputs, run, nthreads)

    broken: List[int] = []  # runs lost with a broken local pool, to retry in isolation
    try:
        if executor == "serial":
            for i in todo:
                finished(_run_point(*args(i)))
            return rows
        if executor is None:
            own = executor = _default_executor(workers, nthreads)
        elif hasattr(executor, "get_executor"):  # a dask.distributed Client
            executor = executor.get_executor(pure=False)
        futures = {executor.submit(_run_point, *args(i)): i for i in todo}
        try:
            for fut in cf.as_completed(futures):
                i = futures[fut]
                try:
                    finished(fut.result())
                except cf.process.BrokenProcessPool as e:
                    if own is not None and retries > 0:
                        broken.append(i)
                    else:
                        failed(i, f"error: worker process died ({type(e).__name__}: the pool broke)")
                except Exception as e:  # the worker itself died (pickling, lost worker, ...)
                    failed(i, f"error: {type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}".rstrip(": "))
        except KeyboardInterrupt:
            for f in futures:
                f.cancel()
            raise
        if own is not None:
            own.shutdown(wait=True, cancel_futures=True)
            own = None
        # A dead worker broke the pool and failed every run pending in it: we cannot tell which
        # run killed it, so each is retried in a process of its own (a death is then its own).
        attempt = 0
        while broken:
            attempt += 1
            out = _run_isolated([(i, args(i)) for i in sorted(broken)], workers, nthreads)
            broken = []
            for i, r in out.items():
                if isinstance(r, dict):
                    finished(r)
                elif attempt < retries:
                    broken.append(i)
                else:
                    failed(i, _died(r, retries))
    finally:
        if own is not None:
            own.shutdown(wait=True, cancel_futures=True)
        if bar is not None:
            bar.close()
    return rows


def _bar(total: int, progress: Optional[bool]) -> Any:
    from .trackers import _interactive

    if progress is False or (progress is None and not _interactive()):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="run", desc="sweep")


def _table(rows: List[Dict[str, Any]], points: List[Dict[str, Any]], outputs: Optional[List[str]]) -> Any:
    import pandas as pd

    in_cols: List[str] = []
    for p in points:
        for k in p:
            if k not in in_cols:
                in_cols.append(k)
    out_cols: List[str] = list(outputs) if outputs is not None else []
    if outputs is None:
        for r in rows:
            for k in r["outcomes"]:
                if k not in out_cols:
                    out_cols.append(k)
    recs = []
    for r in rows:
        rec: Dict[str, Any] = {"run": r["run"]}
        for k in in_cols:
            rec[k] = r["inputs"].get(k)
        rec["seed"] = r["seed"]
        for k in out_cols:
            rec[k] = r["outcomes"].get(k, float("nan"))
        rec["status"] = r["status"]
        rec["runtime_s"] = r["runtime_s"]
        recs.append(rec)
    df = pd.DataFrame(recs, columns=["run"] + in_cols + ["seed"] + out_cols + ["status", "runtime_s"])
    df["seed"] = df["seed"].astype("uint64")
    return df.set_index("run")


# -- resumable output directory ---------------------------------------------------------------

def _prepare_directory(d: str, base: Any, points: List[Dict[str, Any]], master: int,
                       outputs: Optional[List[str]]) -> str:
    from .config import atomic_write_text

    os.makedirs(os.path.join(d, "runs"), exist_ok=True)
    meta = {"scenario": base.to_dict(units=False), "points": points, "seed": master, "outputs": outputs}
    text = json.dumps(meta, indent=1, sort_keys=True, default=str)
    mpath = os.path.join(d, "sweep.json")
    if os.path.exists(mpath):
        with open(mpath, encoding="utf-8") as f:
            old = f.read()
        if json.loads(old) != json.loads(text):
            raise InvalidArgumentError(
                f"sweep directory '{d}' holds a different sweep (scenario, design, seed or outputs "
                "differ); use a new directory or remove it")
    else:
        atomic_write_text(mpath, text)
    return os.path.join(d, "runs")


def _store(rundir: str, row: Dict[str, Any]) -> None:
    from .config import atomic_write_text

    atomic_write_text(os.path.join(rundir, f"run-{row['run']:06d}.json"),
                      json.dumps(row, default=_json_default) + "\n")


def _json_default(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return str(v)


def _load_finished(rundir: str, n: int) -> Dict[int, Dict[str, Any]]:
    """Finished runs (status ok) stored in the directory; failed ones are run again."""
    out: Dict[int, Dict[str, Any]] = {}
    for name in os.listdir(rundir):
        if not (name.startswith("run-") and name.endswith(".json")):
            continue
        try:
            with open(os.path.join(rundir, name), encoding="utf-8") as f:
                row = json.load(f)
        except (OSError, ValueError):
            continue  # a damaged record: run it again
        i = row.get("run")
        if isinstance(i, int) and 0 <= i < n and row.get("status") == "ok":
            out[i] = row
    return out


# -- sensitivity ----------------------------------------------------------------------------------

def sensitivity(base: Any, parameters: Mapping[str, Tuple[Any, Any]], output: str, *, n: int = 64,
                second_order: bool = False, seed: Optional[int] = None, executor: Any = None,
                run: Optional[RunFn] = None, directory: Optional[str | os.PathLike] = None,
                max_workers: Optional[int] = None, progress: Optional[bool] = None,
                return_samples: bool = False, threads: Optional[int] = None,
                oversubscribe: bool = False, retries: int = 2) -> Any:
    """Sobol indices of ``output`` over ``parameters`` ({dotted name: (low, high)}, unit strings
    accepted) with SALib's Saltelli/Sobol' sampling (``n`` base samples, a power of 2; the model
    runs n·(k+2) times, or n·(2k+2) with ``second_order``). Returns a DataFrame indexed by
    parameter with ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (and the sweep table too with
    ``return_samples=True``). Needs the ``sensitivity`` extra (SALib)."""
    try:
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import sobol as sobol_sample
    except ImportError:
        raise ImportError("dermasim.sensitivity needs SALib: pip install 'dermasim[sensitivity]'") from None
    import pandas as pd

    from . import units as _units

    names = list(parameters)
    if not names:
        raise InvalidArgumentError("sensitivity: give at least one parameter")
    bounds = []
    for k in names:
        lo, hi = parameters[k]
        lo_si, hi_si = _to_si(lo, k), _to_si(hi, k)
        if not lo_si < hi_si:
            raise InvalidArgumentError(f"sensitivity: {k}: need low < high (got {lo!r}, {hi!r})")
        bounds.append([lo_si, hi_si])
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    master = base.seed if seed is None else int(seed)
    X = sobol_sample.sample(problem, n, calc_second_order=second_order, seed=master % (2**32))
    ints = {k for k in names if _is_int_param(base, k)}
    samples = [{k: (int(round(v)) if k in ints else float(v)) for k, v in zip(names, row)} for row in X]
    table = sweep(base, samples, [output], executor=executor, seed=master, directory=directory,
                  run=run, max_workers=max_workers, progress=progress, threads=threads,
                  oversubscribe=oversubscribe, retries=retries)
    bad = table[table["status"] != "ok"]
    if len(bad):
        raise RuntimeError(f"sensitivity: {len(bad)} of {len(table)} runs failed, e.g. run "
                           f"{bad.index[0]}: {bad['status'].iloc[0]}")
    Si = sobol_analyze.analyze(problem, table[output].to_numpy(dtype=float),
                               calc_second_order=second_order, seed=master % (2**32))
    df = pd.DataFrame({"S1": Si["S1"], "S1_conf": Si["S1_conf"], "ST": Si["ST"], "ST_conf": Si["ST_conf"]},
                      index=pd.Index(names, name="parameter"))
    return (df, table) if return_samples else df


def _to_si(v: Any, name: str) -> float:
    from . import units as _units

    return _units.to_si(v, name)[0]


def _is_int_param(base: Any, name: str) -> bool:
    try:
        v = base.get(name)
    except Exception:
        return False
    return isinstance(v, int) and not isinstance(v, bool)
