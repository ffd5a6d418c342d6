#!/usr/bin/env python3
"""Benchmark regression gate: compare machine-normalised figures with a committed baseline.

    python3 benchmarks/compare.py BASELINE.json RUN.json [RUN2.json ...] [--threshold 0.35]

Both files are Google Benchmark JSON (``--benchmark_out_format=json``). Absolute times mean
little on a shared or different machine, so every figure is normalised by the STREAM-like
triad measured in the same process (benchmarks/bench_common.hpp):

* benchmarks with a ``frac_triad`` counter (effective GB/s / triad GB/s; higher is better)
  are compared on it;
* other benchmarks are compared on ``real_time × triad GB/s`` (the time in units of "one
  triad byte-stream"; lower is better), with the triad of the run's ``BM_Triad`` at the same
  thread count (``threads:N`` in the name, else 1).

Noise only ever slows a run down, so each benchmark's figure is its best over all repetitions
and over all RUN files given (the Makefile re-runs the smoke set once when the first attempt
fails, and passes both files).

A benchmark fails the gate when its figure is worse than the baseline's by more than the
threshold (default 35 %, or $BENCH_GATE_THRESHOLD). Why 35 %: on the reference machine (2
cores shared with other users) repeated smoke runs of the same binary vary by up to ~25 % in
frac_triad at 1 thread (the triad and the kernel see different contention), so a tighter
gate fails at random; the regressions the gate exists for (a lost vectorisation, an extra
pass over memory, an allocation in a step) cost 1.5–5×. New benchmarks (absent from the
baseline) and benchmarks missing from the run are reported and pass.

Only 1-thread benchmarks are gated (``--gate-threads``, default 1): on a 2-core machine shared
with other users the second OpenMP thread waits for an OS time slice at every barrier, and
2-thread figures of the same binary were measured to swing by −80 % … +260 % between two runs
minutes apart (1-thread figures: within ±30 %). They are still reported. Exit status 1 on a
regression, 2 on unusable input. Standard library only (CI runs it with the system python).

Regenerate the baseline deliberately with ``make bench-baseline`` and say why in the commit.
"""
import argparse
import json
import os
import re
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"compare.py: cannot read {path}: {e}", file=sys.stderr)
        sys.exit(2)


def threads_of(name):
    m = re.search(r"threads:(\d+)", name)
    return int(m.group(1)) if m else 1


def figures(runs):
    """{name: (kind, value)} with kind 'frac' (higher better) or 'cost' (lower better)."""
    triad = {}  # threads -> best GB/s of BM_Triad
    frac, cost = {}, {}
    for doc in runs:
        for b in doc.get("benchmarks", []):
            if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
                continue
            name = b.get("run_name", b["name"])
            if name.startswith("BM_Triad"):
                gbs = b.get("GB_per_s")
                if gbs:
                    t = threads_of(name)
                    triad[t] = max(triad.get(t, 0.0), gbs)
    for doc in runs:
        for b in doc.get("benchmarks", []):
            if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
                continue
            name = b.get("run_name", b["name"])
            if name.startswith("BM_Triad"):
                continue
            if "frac_triad" in b:
                frac[name] = max(frac.get(name, 0.0), float(b["frac_triad"]))
                continue
            t = threads_of(name)
            gbs = b.get("triad_GB_per_s") or triad.get(t) or triad.get(1)
            if not gbs:
                continue
            scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
            c = float(b["real_time"]) * scale * gbs
            cost[name] = min(cost.get(name, float("inf")), c)
    out = {n: ("frac", v) for n, v in frac.items()}
    out.update({n: ("cost", v) for n, v in cost.items()})
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("baseline")
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--gate-threads", type=int,
                    default=int(os.environ.get("BENCH_GATE_THREADS", "1")),
                    help="gate benchmarks with at most this many threads (default 1)")
    ap.add_argument("--threshold", type=float,
                    default=float(os.environ.get("BENCH_GATE_THRESHOLD", "0.35")),
                    help="allowed relative loss (default 0.35 = 35 %%)")
    a = ap.parse_args(argv)
    base = figures([load(a.baseline)])
    new = figures([load(p) for p in a.runs])
    if not new:
        print("compare.py: the run has no normalisable benchmarks", file=sys.stderr)
        return 2
    thr = a.threshold
    failed, rows = [], []
    for name in sorted(set(base) | set(new)):
        if name not in base:
            rows.append((name, "-", f"{new[name][1]:.3g}", "-", "new (not in the baseline; not gated)"))
            continue
        if name not in new:
            rows.append((name, f"{base[name][1]:.3g}", "-", "-", "not run (filtered out or removed)"))
            continue
        kind, b = base[name]
        kind2, v = new[name]
        if kind != kind2 or b <= 0:
            rows.append((name, f"{b:.3g}", f"{v:.3g}", "-", "figure changed kind; not gated"))
            continue
        # relative change, positive = better
        rel = (v / b - 1.0) if kind == "frac" else (b / v - 1.0)
        gated = threads_of(name) <= a.gate_threads
        bad = gated and rel < -thr
        status = "REGRESSION" if bad else ("ok" if gated else "reported, not gated")
        if bad:
            failed.append(name)
        label = "frac_triad" if kind == "frac" else "time×triad"
        rows.append((name, f"{b:.3g}", f"{v:.3g}", f"{100 * rel:+.0f}%", f"{status} ({label})"))
    w = max(len(r[0]) for r in rows)
    print(f"benchmark gate: best of repetitions vs {a.baseline}, threshold -{100 * thr:.0f}%")
    print(f"{'benchmark':<{w}}  {'baseline':>9}  {'run':>9}  {'change':>7}  status")
    for r in rows:
        print(f"{r[0]:<{w}}  {r[1]:>9}  {r[2]:>9}  {r[3]:>7}  {r[4]}")
    if failed:
        print(f"\n{len(failed)} regression(s) beyond {100 * thr:.0f}%: " + ", ".join(failed))
        return 1
    gated = sum(1 for n in new if n in base and threads_of(n) <= a.gate_threads)
    print(f"\nno regression beyond {100 * thr:.0f}% ({gated} gated)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
