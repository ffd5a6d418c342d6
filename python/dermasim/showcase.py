"""A showcase of the numerical core: a cytokine released from needle channels diffuses and
decays in layered skin. Until the healing model exists this is what ``dermasim demo`` runs.

Layer thicknesses and transport values are the defaults of docs/model.md (SC 15 µm, viable
epidermis 70 µm, papillary dermis 150 µm, reticular dermis 1350 µm; D_I = 0.015 mm²/h in the
dermis, ×0.5 in the viable epidermis, ×1e-4 in the stratum corneum; k_I = 0.7 /h).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _core

UM = 1e-6
MM2_PER_H = 1e-6 / 3600.0

LAYERS = [  # name, bottom depth (m)
    ("stratum corneum", 15 * UM),
    ("viable epidermis", 85 * UM),
    ("papillary dermis", 235 * UM),
    ("reticular dermis", 1585 * UM),
]


@dataclass
class ShowcaseResult:
    times_h: np.ndarray  # (nt,)
    amount_by_layer: np.ndarray  # (nt, nlayers), fraction of the released amount
    grid: _core.Grid
    fields: _core.FieldSet


def run(n_lateral: int = 24, hours=(0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0),
        needle_depth: float = 600 * UM, channel_radius: float = 35 * UM,
        path: str | None = None) -> ShowcaseResult:
    faces = _core.graded_z_faces([b for _, b in LAYERS], 5 * UM, 60 * UM, 1.2, 2)
    grid = _core.Grid(n_lateral, n_lateral, 1e-3, 1e-3, faces)
    f = _core.FieldSet(grid, ["cytokine"])
    z = np.asarray(grid.z)
    x = np.asarray(grid.x)
    y = np.asarray(grid.y)
    # four channels on a 0.5 mm lattice, filled with 1 (arbitrary units) down to the needle depth
    c = f["cytokine"]
    X, Y = np.meshgrid(x, y)
    for cx, cy in [(0.25e-3, 0.25e-3), (0.75e-3, 0.25e-3), (0.25e-3, 0.75e-3), (0.75e-3, 0.75e-3)]:
        inside = (X - cx) ** 2 + (Y - cy) ** 2 <= channel_radius ** 2
        inside[np.argmin(np.abs(y - cy)), np.argmin(np.abs(x - cx))] = True  # coarse grids
        for k in np.nonzero(z <= needle_depth)[0]:
            c[k][inside] = 1.0
    d_dermis = 0.015 * MM2_PER_H
    D = [d_dermis * (1e-4 if zk < 15 * UM else 0.5 if zk < 85 * UM else 1.0) for zk in z]
    solver = _core.DiffusionSolver(grid, [_core.DiffusionSpec(D=D, decay=0.7 / 3600.0)],
                                   _core.TimeScheme.crank_nicolson_strang)
    released = f.integral("cytokine")
    dz = np.asarray(grid.dz)
    bounds = [0.0] + [b for _, b in LAYERS]
    times, rows = [], []
    writer = _core.H5Writer(path) if path else None
    if writer:
        writer.write_grid(grid)
    t_prev = 0.0
    for t in hours:
        if t > t_prev:
            nsteps = max(1, math.ceil((t - t_prev) * 3600 / 60.0))  # 1-minute steps
            solver.step(f, (t - t_prev) * 3600 / nsteps, nsteps)
            t_prev = t
        prof = np.asarray(f["cytokine"]).sum(axis=(1, 2)) * grid.dx * grid.dy * dz
        rows.append([prof[(z >= lo) & (z < hi)].sum() / released for lo, hi in zip(bounds[:-1], bounds[1:])])
        times.append(t)
        if writer:
            writer.append_snapshot(f, t * 3600.0)
    if writer:
        writer.set_attribute("title", "dermasim showcase: cytokine from needle channels")
        writer.set_attribute("units", '{"cytokine": "arbitrary", "time": "s", "length": "m"}')
        writer.set_attribute("version", _core.__version__)
        writer.commit()
    return ShowcaseResult(np.array(times), np.array(rows), grid, f)


def table(res: ShowcaseResult) -> str:
    head = f"{'time (h)':>9} | " + " | ".join(f"{n:>16}" for n, _ in LAYERS) + " |    total"
    lines = [head, "-" * len(head)]
    for t, row in zip(res.times_h, res.amount_by_layer):
        lines.append(f"{t:9.2f} | " + " | ".join(f"{v:16.4f}" for v in row) + f" | {row.sum():8.4f}")
    return "\n".join(lines)
