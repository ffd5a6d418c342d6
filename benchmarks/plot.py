#!/usr/bin/env python3
"""Plots for docs/performance.md from a `make bench` JSON file.

    .venv/bin/python benchmarks/plot.py bench_out/bench.json docs/img

Writes throughput_vs_grid.png (voxel-species updates/s vs cells per axis, 1 and 2 threads) and
fraction_of_triad.png (each diffusion sweep and the whole step as a fraction of the in-run
triad). Best repetition per benchmark, as compare.py does. Needs matplotlib.
"""
import json
import os
import re
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def args_of(name):
    return {k: int(v) for k, v in re.findall(r"(\w+):(\d+)", name)}


def main(src, outdir):
    with open(src) as f:
        doc = json.load(f)
    best = {}
    for b in doc["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration":
            continue
        name = b.get("run_name", b["name"])
        if name not in best or b.get("updates_per_s", 0) > best[name].get("updates_per_s", 0):
            best[name] = b
    os.makedirs(outdir, exist_ok=True)

    # 1. throughput vs grid size
    series = defaultdict(list)
    for name, b in best.items():
        a = args_of(name)
        if "n" not in a or "updates_per_s" not in b:
            continue
        t = a.get("threads", 1)
        if name.startswith("BM_DiffusionStep") and a.get("species") == 1:
            label = "diffusion step, " + ("LOD" if a["scheme"] == 0 else "CN-Strang")
        elif name.startswith("BM_ReactionStep"):
            label = "reaction, " + {0: "wound network (8 sp.)", 1: "linear decay",
                                    2: "wound network, per-cell rates"}.get(a["kinetics"], "?")
        elif name.startswith("BM_ChemotaxisStep"):
            label = "chemotaxis step"
        else:
            continue
        series[(label, t)].append((a["n"], b["updates_per_s"]))
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    colors = {}
    for (label, t), pts in sorted(series.items()):
        pts.sort()
        c = colors.setdefault(label, f"C{len(colors)}")
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-" if t == 1 else "s--", color=c,
                label=f"{label}, {t} thr")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("cells per axis (n³ grid)")
    ax.set_ylabel("voxel-species updates / s")
    ax.set_title("dermasim throughput vs grid size (solid: 1 thread, dashed: 2)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "throughput_vs_grid.png"), dpi=110)

    # 2. fraction of triad: sweeps and the whole step
    bars = defaultdict(dict)  # (threads) -> {label: {n: frac}}
    for name, b in best.items():
        a = args_of(name)
        if "frac_triad" not in b or "n" not in a:
            continue
        t = a.get("threads", 1)
        if name.startswith("BM_DiffusionSweep"):
            label = "xyz"[a["axis"]] + (" sweep BE" if a["theta100"] == 100 else " sweep CN")
        elif name.startswith("BM_DiffusionStep") and a.get("species") == 1:
            label = "step LOD" if a["scheme"] == 0 else "step CN"
        elif name.startswith("BM_ReactionStep") and a.get("kinetics") == 1:
            label = "reaction (lin.)"
        else:
            continue
        bars[t].setdefault(label, {})[a["n"]] = b["frac_triad"]
    threads = sorted(bars)
    fig, axes = plt.subplots(1, len(threads), figsize=(6 * len(threads), 4.5), squeeze=False)
    for ax, t in zip(axes[0], threads):
        labels = sorted(bars[t])
        ns = sorted({n for d in bars[t].values() for n in d})
        w = 0.8 / max(1, len(ns))
        for i, n in enumerate(ns):
            ax.bar([j + i * w for j in range(len(labels))],
                   [bars[t][lab].get(n, 0) for lab in labels], w, label=f"{n}³")
        ax.axhline(0.7, color="k", ls=":", lw=1)
        ax.text(len(labels) - 0.5, 0.72, "target 0.7", ha="right", fontsize=8)
        ax.set_xticks([j + w * (len(ns) - 1) / 2 for j in range(len(labels))])
        ax.set_xticklabels(labels, rotation=35, ha="right", fontsize=8)
        ax.set_ylabel("effective GB/s ÷ triad GB/s")
        ax.set_title(f"{t} thread{'s' if t > 1 else ''}")
        ax.legend(fontsize=8)
        ax.grid(True, axis="y", alpha=0.3)
    fig.suptitle("Fraction of the in-run STREAM-like triad (compulsory traffic model)")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "fraction_of_triad.png"), dpi=110)
    print("wrote", os.path.join(outdir, "throughput_vs_grid.png"), "and fraction_of_triad.png")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
