"""Plots of results (matplotlib): outcome time courses, depth profiles by layer, slices of 3D
fields. Each function returns ``(fig, ax)`` and saves a PNG when given ``save="file.png"``.

Figures are made without pyplot unless pyplot is already in use (so scripts, batch jobs and
the CLI need no display); pass ``ax=`` to draw into your own axes. The needle-length comparison
lives with the device stage (:mod:`dermasim.needles`) and is re-exported here as
:func:`needle_comparison` when present.
"""
from __future__ import annotations

import sys
from typing import Any, Dict, Optional, Sequence, Tuple

import numpy as np

__all__ = ["outcomes", "depth_profile", "field_slice", "needle_comparison", "standard_figures",
           "ResultPlotter", "LAYER_COLOURS"]

from ._layers import LAYER_KEYS  # noqa: E402
from ._layers import LAYER_NAMES as _NAMES  # noqa: E402
LAYER_NAMES = dict(zip(LAYER_KEYS, _NAMES))  # key -> name, from the C++ definition
LAYER_COLOURS = dict(zip(LAYER_KEYS, ("#f2e6d9", "#f7d9c4", "#fbe3e8", "#e8eef8", "#fdf6d8")))


def _axes(ax: Any = None, figsize: Tuple[float, float] = (6.4, 4.0)) -> Tuple[Any, Any]:
    if ax is not None:
        return ax.figure, ax
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _finish(fig: Any, ax: Any, save: Optional[str]) -> Tuple[Any, Any]:
    if save:
        fig.savefig(save, dpi=120)
    return fig, ax


def _time_axis(t: np.ndarray) -> Tuple[np.ndarray, str]:
    span = float(np.nanmax(t)) if t.size else 0.0
    if span >= 3 * 86400:
        return t / 86400.0, "time (days)"
    if span >= 3 * 3600:
        return t / 3600.0, "time (h)"
    return t, "time (s)"


def _session_times(result: Any) -> list:
    sc = getattr(result, "scenario", None)
    try:
        return list(sc.session_times) if sc is not None else []
    except AttributeError:
        return []


def outcomes(result: Any, metrics: Optional[Sequence[str]] = None, *, ax: Any = None,
             sessions: bool = True, save: Optional[str] = None) -> Tuple[Any, Any]:
    """Time courses of outcome metrics (default: all), sessions marked by dotted lines."""
    fig, ax = _axes(ax)
    names = list(metrics) if metrics is not None else list(result.outcomes)
    if not names:
        raise ValueError("this result has no outcome series to plot")
    t, label = _time_axis(np.asarray(result.outcome_times))
    scale = {"time (days)": 86400.0, "time (h)": 3600.0}.get(label, 1.0)
    for n in names:
        if n not in result.outcomes:
            from .config import suggest

            raise ValueError(f"no outcome {n!r}{suggest(n, result.outcomes)}")
        unit = result.units.get(n, "")
        ax.plot(t, result.outcomes[n], label=f"{n} ({unit})" if unit and unit not in ("1", "-") else n)
    if sessions:
        for k, ts in enumerate(_session_times(result)):
            ax.axvline(ts / scale, color="0.5", ls=":", lw=1, label="session" if k == 0 else None)
    ax.set_xlabel(label)
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return _finish(fig, ax, save)


def _layer_bounds(result: Any) -> list:
    """[(key, top, bottom)] in m from the scenario's skin or the grid's layer index."""
    sc = getattr(result, "scenario", None)
    if sc is not None and hasattr(sc, "skin"):
        tops = [0.0] + list(sc.skin.interfaces)
        return [(k, tops[i], tops[i + 1]) for i, k in enumerate(LAYER_KEYS)]
    if getattr(result, "layers", None) is not None and "z_faces" in result.grid:
        zf, lay = result.grid["z_faces"], result.layers
        out = []
        for i, k in enumerate(LAYER_KEYS):
            idx = np.nonzero(lay == i)[0]
            if idx.size:
                out.append((k, zf[idx[0]], zf[idx[-1] + 1]))
        return out
    return []


def _shade_layers(ax: Any, bounds: list, depth_max: float, scale: float, vertical: bool) -> None:
    for k, top, bot in bounds:
        if top >= depth_max:
            break
        bot = min(bot, depth_max)
        span = (ax.axhspan if vertical else ax.axvspan)
        span(top / scale, bot / scale, color=LAYER_COLOURS[k], alpha=0.6, lw=0, zorder=0)
        mid = 0.5 * (top + bot) / scale
        if vertical:
            ax.text(1.0, mid, f" {k}", transform=ax.get_yaxis_transform(), va="center", fontsize=8,
                    color="0.35", clip_on=False)
        else:
            ax.text(mid, 1.0, k, transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                    fontsize=8, color="0.35")


def _time_index(result: Any, time: Any) -> int:
    times = np.asarray(result.times)
    if not times.size:
        raise ValueError("this result has no field snapshots")
    if time is None:
        return times.size - 1
    if isinstance(time, (int, np.integer)) and not isinstance(time, bool):
        return int(time) % times.size
    from . import units

    t = units.parse(time, "time", "time")
    return int(np.argmin(np.abs(times - t)))


def depth_profile(result: Any, field: str, time: Any = None, *, ax: Any = None,
                  max_depth: Any = None, relative_to: Any = None, save: Optional[str] = None) -> Tuple[Any, Any]:
    """Laterally averaged ``field`` against depth at a snapshot (``time``: index, quantity such as
    "8 weeks" (nearest snapshot), default the last), with the skin layers shaded. Several times
    may be given as a list. ``relative_to``: a snapshot (index/time) to divide by (fold change)."""
    if field not in result.fields:
        from .config import suggest

        raise ValueError(f"no field {field!r}{suggest(field, result.fields)}")
    fig, ax = _axes(ax, (5.0, 5.5))
    z = np.asarray(result.grid["z"])
    dmax = float(result.grid["z_faces"][-1]) if max_depth is None else _len(max_depth)
    scale = 1e-3 if dmax > 1.5e-3 else 1e-6
    unit = "mm" if scale == 1e-3 else "µm"
    ref = None
    ref_label = ""
    if relative_to is not None:
        kr = _time_index(result, relative_to)
        ref = result.fields[field][kr].mean(axis=(1, 2))
        from . import units as _u

        ref_label = _u.format(float(result.times[kr]), "time")
    times = time if isinstance(time, (list, tuple)) else [time]
    for tt in times:
        k = _time_index(result, tt)
        prof = result.fields[field][k].mean(axis=(1, 2))
        if ref is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                prof = np.where(ref > 0, prof / ref, np.nan)
        from . import units

        ax.plot(prof[z <= dmax], z[z <= dmax] / scale, marker=".", ms=3,
                label=f"t = {units.format(float(result.times[k]), 'time')}")
    _shade_layers(ax, _layer_bounds(result), dmax, scale, vertical=True)
    ax.set_ylim(dmax / scale, 0)
    ax.set_ylabel(f"depth ({unit})")
    u = result.units.get(field, "")
    ax.set_xlabel(f"{field} relative to t = {ref_label}" if ref is not None else (f"{field} ({u})" if u and u != "1" else field))
    ax.legend(fontsize="small", loc="lower right")
    ax.grid(alpha=0.3)
    return _finish(fig, ax, save)


def _len(v: Any) -> float:
    from . import units

    return units.parse(v, "length", "max_depth")


def field_slice(result: Any, field: str, time: Any = None, *, axis: str = "y", index: Optional[int] = None,
                ax: Any = None, max_depth: Any = None, cmap: str = "viridis",
                save: Optional[str] = None) -> Tuple[Any, Any]:
    """A vertical (``axis="y"``: x–z, ``"x"``: y–z) or horizontal (``axis="z"``: x–y at depth
    cell ``index``) slice of a 3D field at a snapshot, drawn on the cell faces."""
    if field not in result.fields:
        from .config import suggest

        raise ValueError(f"no field {field!r}{suggest(field, result.fields)}")
    k = _time_index(result, time)
    a = result.fields[field][k]  # (z, y, x)
    g = result.grid
    xf = np.asarray(g.get("x_faces", _faces(g["x"]))) * 1e3
    yf = np.asarray(g.get("y_faces", _faces(g["y"]))) * 1e3
    zf = np.asarray(g["z_faces"]) * 1e3
    fig, ax = _axes(ax, (6.4, 4.2))
    from . import units

    if axis == "z":
        i = a.shape[0] // 2 if index is None else index
        m = ax.pcolormesh(xf, yf, a[i], cmap=cmap, shading="flat")
        ax.set_xlabel("x (mm)")
        ax.set_ylabel("y (mm)")
        ax.set_aspect("equal")
        where = f"depth {g['z'][i] * 1e6:.0f} µm"
    else:
        if axis == "y":
            j = a.shape[1] // 2 if index is None else index
            data, hf, hl, where = a[:, j, :], xf, "x (mm)", f"y = {g['y'][j] * 1e3:.2f} mm"
        elif axis == "x":
            j = a.shape[2] // 2 if index is None else index
            data, hf, hl, where = a[:, :, j], yf, "y (mm)", f"x = {g['x'][j] * 1e3:.2f} mm"
        else:
            raise ValueError(f"axis: {axis!r} is not 'x', 'y' or 'z'")
        m = ax.pcolormesh(hf, zf, data, cmap=cmap, shading="flat")
        dmax = zf[-1] if max_depth is None else _len(max_depth) * 1e3
        ax.set_ylim(dmax, 0)
        ax.set_xlabel(hl)
        ax.set_ylabel("depth (mm)")
        for _, top, bot in _layer_bounds(result)[1:]:
            if top * 1e3 < dmax:
                ax.axhline(top * 1e3, color="w", lw=0.6, ls="--", alpha=0.7)
    u = result.units.get(field, "")
    fig.colorbar(m, ax=ax, label=f"{field} ({u})" if u and u != "1" else field)
    ax.set_title(f"{field}, t = {units.format(float(result.times[k]), 'time')}, {where}", fontsize="medium")
    return _finish(fig, ax, save)


def _faces(c: Any) -> np.ndarray:
    from .io import _faces_from_centres

    return _faces_from_centres(np.asarray(c))


def standard_figures(result: Any) -> Dict[str, Tuple[Any, Any]]:
    """The figures ``dermasim run --plots`` writes: outcomes, and a depth profile and slice of
    each field when there are snapshots."""
    figs: Dict[str, Tuple[Any, Any]] = {}
    matrix = [m for m in ("collagen_PD", "collagen_I_PD", "collagen_III_PD", "elastin_PD") if m in result.outcomes]
    early = [m for m in ("erythema", "open_fraction", "epidermal_damage") if m in result.outcomes]
    if matrix:
        figs["outcomes"] = outcomes(result, matrix)
        if early:
            figs["erythema"] = outcomes(result, early)
    elif result.outcomes:
        figs["outcomes"] = outcomes(result, list(result.outcomes)[:6])
    preferred = [f for f in ("collagen_I", "collagen_III", "elastin", "cytokine") if f in result.fields]
    for f in (preferred or list(result.fields))[:4]:
        figs[f"profile_{f}"] = depth_profile(result, f, [0, None] if len(result.times) > 1 else None)
        if result.fields[f].shape[3] > 1:
            figs[f"slice_{f}"] = field_slice(result, f)
    return figs


class ResultPlotter:
    """``result.plot``: ``.outcomes(...)``, ``.depth_profile(field, ...)``, ``.slice(field, ...)``
    and ``.<metric>()`` for any outcome series (``r.plot.collagen_PD()``)."""

    def __init__(self, result: Any):
        self._r = result

    def outcomes(self, metrics: Optional[Sequence[str]] = None, **kw: Any) -> Tuple[Any, Any]:
        return outcomes(self._r, metrics, **kw)

    def depth_profile(self, field: str, time: Any = None, **kw: Any) -> Tuple[Any, Any]:
        return depth_profile(self._r, field, time, **kw)

    def slice(self, field: str, time: Any = None, **kw: Any) -> Tuple[Any, Any]:
        return field_slice(self._r, field, time, **kw)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._r.outcomes:
            from .config import suggest

            raise AttributeError(f"no outcome {name!r}{suggest(name, self._r.outcomes)}")
        return lambda **kw: outcomes(self._r, [name], **kw)

    def __dir__(self) -> list:
        return ["outcomes", "depth_profile", "slice"] + list(self._r.outcomes)


def needle_comparison(skin: Any = "face", device: Any = "pen",
                      lengths: Sequence[Any] = ("0.25 mm", "0.5 mm", "1 mm", "1.5 mm", "2 mm", "2.5 mm"),
                      save: str = "needles.png", **kw: Any) -> Tuple[Any, str]:
    """The needle-length comparison of the device stage (:mod:`dermasim.needles`, the figure of
    ``dermasim needles``): real channel depth vs needle length over the skin layers, bleeding
    needles marked. Returns ``(table, png_path)``; ``kw`` go to ``needles_table``."""
    from .needles import make_skin, needles_table, plot_depths

    table = needles_table(skin, list(lengths), device if isinstance(device, str) else device, **kw)
    return table, plot_depths(table, make_skin(skin), save)
