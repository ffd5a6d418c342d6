"""The ``dermasim`` command line (also ``python -m dermasim``).

Commands: ``demo``, ``run scenario.toml -o out/``, ``needles ...`` (registered by
:mod:`dermasim.needles`), ``deliver ...`` (:mod:`dermasim.delivery`), ``sweep sweep.toml``,
``info file.h5``. ``--help`` works everywhere.

Exit codes: 0 ok, 1 error (one clear line on stderr; ``--debug`` shows the traceback),
2 usage error, 130 interrupted (Ctrl-C; what was written is kept).
"""
from __future__ import annotations

import argparse
import os
import sys

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(ValueError):
    """A bad command-line value found after parsing (e.g. a force out of the chosen device's
    range): one line naming the option and the valid range on stderr, exit code 2."""


def _cmd_demo(args: argparse.Namespace) -> int:
    from . import healing_demo

    os.makedirs(args.output, exist_ok=True)
    healing_demo.run(output=args.output)
    return 0


# -- run -------------------------------------------------------------------------------------------

def _simulate_fn():
    import dermasim

    fn = getattr(dermasim, "simulate", None)
    if fn is None:
        raise RuntimeError("this build of dermasim has no healing model (dermasim.simulate is missing)")
    return fn


def _cmd_run(args: argparse.Namespace) -> int:
    from . import Scenario
    from .trackers import ProgressTracker

    sc = Scenario.load(args.scenario)
    if args.seed is not None:
        sc = sc.replace(seed=args.seed)
    if args.set:
        sc = sc.with_values(_parse_sets(args.set))
    os.makedirs(args.output, exist_ok=True)
    stem = os.path.splitext(os.path.basename(args.scenario))[0]
    path = os.path.join(args.output, f"{stem}.h5")
    trackers = [ProgressTracker(enabled=None if args.progress is None else args.progress)]
    simulate = _simulate_fn()
    snaps = [x.strip() for item in (args.snapshot or []) for x in item.split(",") if x.strip()] or None
    ck = None if args.no_checkpoint else os.path.join(args.output, f"{stem}.ckpt.h5")
    if ck and os.path.exists(ck):
        print(f"resuming from the checkpoint {ck}")
    from .io import cleanup_temporaries

    cleanup_temporaries(path)  # left by a killed run
    res = simulate(sc, trackers=trackers, threads=args.threads, max_runtime=args.max_runtime,
                   snapshots=snaps, checkpoint=ck, max_memory=args.max_memory)
    res.to_hdf5(path)
    table = res.summary()
    table.to_csv(os.path.join(args.output, f"{stem}_summary.csv"))
    print(table.to_string())
    print(f"\nwrote {path} (+ .xdmf for ParaView)")
    if args.plots:
        from . import plot

        for name, (fig, _) in plot.standard_figures(res).items():
            out = os.path.join(args.output, f"{stem}_{name}.png")
            fig.savefig(out, dpi=120)
            print(f"wrote {out}")
    if not res.complete:
        print("dermasim: run stopped early (max runtime or interruption); the file holds what was computed",
              file=sys.stderr)
    return 0


def _parse_sets(items: list) -> dict:
    out = {}
    for it in items:
        if "=" not in it:
            raise ValueError(f"--set {it!r}: expected NAME=VALUE, e.g. device.needle_length='1 mm'")
        k, v = it.split("=", 1)
        v = v.strip()
        try:
            import json

            v = json.loads(v)
        except ValueError:
            pass  # a unit string such as 1 mm
        out[k.strip()] = v
    return out


# -- sweep -----------------------------------------------------------------------------------------

SWEEP_HELP = """\
A sweep file is TOML:

  scenario = "scenario.toml"      # the base scenario (a path, relative to this file), or a
                                  # [scenario] table written inline
  [sweep]
  outputs = ["collagen_PD_gain"]  # outcome names to keep (default: all)
  seed = 1                        # master seed of the per-run seeds (default: the scenario's)
  [sweep.grid]                    # full factorial over dotted parameter names
  "device.needle_length" = ["0.5 mm", "1 mm", "1.5 mm"]
  "protocol.sessions" = [1, 3]

Instead of [sweep.grid], `samples = "points.csv"` reads one point per CSV row.
"""


def _cmd_sweep(args: argparse.Namespace) -> int:
    import pandas as pd

    from . import Scenario, sweep
    from .config import check_keys, read_file

    d = read_file(args.file)
    check_keys(d, ["scenario", "sweep"], args.file)
    here = os.path.dirname(os.path.abspath(args.file))
    sc = d.get("scenario")
    if isinstance(sc, str):
        base = Scenario.load(os.path.join(here, sc))
    elif isinstance(sc, dict):
        base = Scenario.from_dict(sc)
    else:
        raise ValueError(f"{args.file}: needs `scenario = \"file.toml\"` or a [scenario] table")
    sw = d.get("sweep") or {}
    check_keys(sw, ["grid", "samples", "outputs", "seed"], f"{args.file} [sweep]")
    if "grid" in sw and "samples" in sw:
        raise ValueError(f"{args.file}: give [sweep.grid] or sweep.samples, not both")
    if "grid" in sw:
        points = sw["grid"]
    elif "samples" in sw:
        points = pd.read_csv(os.path.join(here, sw["samples"]))
    else:
        raise ValueError(f"{args.file}: needs a [sweep.grid] table or sweep.samples = \"points.csv\"")
    out = args.output or os.path.splitext(args.file)[0] + "_out"
    os.makedirs(out, exist_ok=True)
    executor = None
    client = None
    if args.dask:
        from distributed import Client

        client = executor = Client(args.dask)
    try:
        df = sweep(base, points, outputs=sw.get("outputs"), executor=executor, seed=sw.get("seed"),
                   directory=out, max_workers=args.workers, run=_load_function(args.run),
                   progress=None if args.progress is None else args.progress)
    finally:
        if client is not None:
            client.close()
    csv = os.path.join(out, "results.csv")
    df.to_csv(csv)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(df.to_string(max_rows=40))
    failed = int((df["status"] != "ok").sum())
    print(f"\n{len(df)} runs ({failed} failed); wrote {csv}")
    return 0 if failed == 0 else EXIT_ERROR


def _load_function(spec):
    if spec is None:
        return None
    import importlib

    mod, _, fn = spec.partition(":")
    if not mod or not fn:
        raise ValueError(f"--run {spec!r}: expected MODULE:FUNCTION")
    sys.path.insert(0, os.getcwd())
    try:
        return getattr(importlib.import_module(mod), fn)
    except (ImportError, AttributeError) as e:
        raise ValueError(f"--run {spec!r}: {e}") from None


# -- info ------------------------------------------------------------------------------------------

def _cmd_info(args: argparse.Namespace) -> int:
    from . import units
    from .io import read_result

    r = read_result(args.file)
    print(f"{args.file}: dermasim result (library {r.attrs.get('version', '?')}, "
          f"format {r.attrs.get('format_version', '?')})" + ("" if r.complete else "  [INCOMPLETE]"))
    print(f"  seed {r.seed}, threads {r.threads}")
    if r.scenario is not None:
        sc = r.scenario
        p = sc.protocol
        print(f"  scenario: {sc.device.type} {units.format(sc.device.needle_length, 'length')}, "
              f"{p.sessions} session(s) every {units.format(p.interval, 'time')}, "
              f"follow-up {units.format(p.follow_up, 'time')}, skin {sc.skin.site}, "
              f"{sc.numerics.dimension}D")
    if r.times.size:
        shape = next(iter(r.fields.values())).shape if r.fields else ()
        print(f"  snapshots: {r.times.size} from {units.format(float(r.times[0]), 'time')} to "
              f"{units.format(float(r.times[-1]), 'time')}; fields {', '.join(r.fields)} (t, z, y, x) = {shape}")
    if r.outcome_times.size:
        print(f"  outcomes: {len(r.outcomes)} series × {r.outcome_times.size} times: {', '.join(r.outcomes)}")
    if r.summary_values or r.outcomes:
        print()
        print(r.summary().to_string())
    return 0


# -- parser ----------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show full tracebacks on errors")
    p = argparse.ArgumentParser(
        prog="dermasim", description="Simulate microneedling: penetration, injury, healing, collagen.",
        epilog="exit codes: 0 ok, 1 error, 2 usage error, 130 interrupted. "
               "`dermasim COMMAND --help` for each command.", parents=[common])
    p.add_argument("--version", action="version", version=f"dermasim {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    d = sub.add_parser("demo", parents=[common], help="run the default demonstration and print its table")
    d.add_argument("-o", "--output", default="demo_out", help="output directory (default: demo_out)")
    d.set_defaults(func=_cmd_demo)

    r = sub.add_parser("run", parents=[common], help="run a scenario file (TOML/JSON)",
                       description="Run one scenario; write <output>/<name>.h5 (+ .xdmf), a summary "
                                   "CSV and optionally plots.")
    r.add_argument("scenario", help="scenario file (.toml or .json)")
    r.add_argument("-o", "--output", default="out", help="output directory (default: out)")
    r.add_argument("--threads", type=int, default=None, help="OpenMP threads for this run")
    r.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    r.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="override a parameter by dotted name, e.g. --set device.needle_length='1 mm'")
    r.add_argument("--snapshot", action="append", metavar="TIME",
                   help="store all fields at these times (e.g. --snapshot '0 s,8 weeks'); "
                        "default: start and end")
    r.add_argument("--max-runtime", default=None, metavar="TIME",
                   help="stop cleanly after this wall time (e.g. '10 min'); results so far are kept")
    r.add_argument("--plots", action="store_true", help="also write PNG figures")
    r.add_argument("--max-memory", default=None, metavar="SIZE",
                   help="memory the run may use, e.g. '4 GB' (default: DERMASIM_MAX_MEMORY, else what is "
                        "available); a run estimated to need more is refused before it starts")
    r.add_argument("--no-checkpoint", action="store_true",
                   help="do not write <output>/<name>.ckpt.h5 at each session (by default a stopped "
                        "run, re-run with the same command, resumes from it; it is removed on completion)")
    g = r.add_mutually_exclusive_group()
    g.add_argument("--progress", dest="progress", action="store_true", default=None,
                   help="show a progress bar (default: only on a terminal)")
    g.add_argument("--no-progress", dest="progress", action="store_false")
    r.set_defaults(func=_cmd_run)

    s = sub.add_parser("sweep", parents=[common], help="run a parameter sweep file (TOML)",
                       description="Run a sweep; write <output>/results.csv and one record per run "
                                   "(re-running resumes).",
                       epilog=SWEEP_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("file", help="sweep file (.toml)")
    s.add_argument("-o", "--output", default=None, help="output directory (default: <file>_out)")
    s.add_argument("--workers", type=int, default=None, help="local worker processes (default: all cores)")
    s.add_argument("--run", default=None, metavar="MODULE:FUNCTION",
                   help="run function per point instead of dermasim.simulate: "
                        "FUNCTION(scenario) -> Result or dict of outcomes")
    s.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run on a dask.distributed scheduler (e.g. tcp://10.0.0.5:8786)")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--progress", dest="progress", action="store_true", default=None)
    g.add_argument("--no-progress", dest="progress", action="store_false")
    s.set_defaults(func=_cmd_sweep)

    i = sub.add_parser("info", parents=[common], help="describe a result file (.h5)")
    i.add_argument("file", help="result file written by dermasim (.h5)")
    i.set_defaults(func=_cmd_info)

    # `needles` belongs to dermasim.needles (device / penetration engineer): it registers itself.
    try:
        from . import needles
    except ImportError:
        needles = None  # type: ignore[assignment]
    if needles is not None and hasattr(needles, "add_parser"):
        needles.add_parser(sub)
    from . import delivery  # `deliver`: topical delivery through the channels

    delivery.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help / --version (0) or a usage error (2)
        return int(e.code or 0) if isinstance(e.code, int) else EXIT_USAGE
    debug = getattr(args, "debug", False)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("dermasim: interrupted (files written so far are kept)", file=sys.stderr)
        return EXIT_INTERRUPTED
    except UsageError as e:
        if debug:
            raise
        print(f"dermasim {args.command}: error: {str(e).strip().splitlines()[0]}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as e:  # one clear line unless --debug
        if debug:
            raise
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        print(f"dermasim: error: {msg}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
