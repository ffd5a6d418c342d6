"""Device engineer's quick answers: how deep do the needles go, which layers do they reach, does
it bleed, how many channels per cm², how much tissue is injured.

Thin Python over the C++ stages (``include/dermasim/{skin,device,mechanics,injury}``):

>>> import dermasim as ds
>>> ds.penetration("face", "pen", lengths=["0.5 mm", "1.5 mm"])      # pandas DataFrame
>>> res = ds.injury("face", "pen", length="1.5 mm")                    # numpy arrays

and the ``dermasim needles`` command (table + PNG of real depth vs needle length over the
layer bands). Lengths are metres, or strings with units ("1.5 mm").
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Optional, Sequence

import numpy as np

from . import _core

LAYER_KEYS = ("SC", "VE", "PD", "RD", "HY")
LAYER_NAMES = ("stratum corneum", "viable epidermis", "papillary dermis", "reticular dermis", "hypodermis")
DEVICE_KINDS = ("pen", "roller", "home-roller", "home-roller-540", "clinical-roller", "stamp")

__all__ = ["penetration", "injury", "needles_table", "plot_depths", "make_skin", "make_device",
           "InjuryResult", "add_parser"]


def _length(v: Any, name: str = "length") -> float:
    if isinstance(v, str):
        from . import units

        return float(units.parse(v, "length", name))
    x = float(v)
    if not np.isfinite(x) or x <= 0:
        raise _core.InvalidArgumentError(f"{name} = {x:g} m is invalid; it must be finite and > 0 m")
    return x


def make_skin(skin: Any = "face", **preset: Any) -> Any:
    """A C++ ``SkinProfile`` from a site name (``skin_preset(site, **preset)``), a
    ``dermasim.Skin`` or a ``SkinProfile``."""
    if isinstance(skin, str):
        return _core.skin_preset(skin, **preset)
    if isinstance(skin, _core.SkinProfile):
        return skin
    if hasattr(skin, "to_cpp"):
        return skin.to_cpp()
    raise _core.InvalidArgumentError(f"skin: expected a site name, Skin or SkinProfile (got {skin!r})")


def make_device(device: Any = "pen", length: Any = None) -> Any:
    """A C++ ``Device``. ``device`` is a kind name with ``length`` (needle length, or the pen's
    depth setting): ``pen`` (clinical pen, 12 needles), ``roller`` (home roller, 192 needles,
    up to 0.5 mm; clinical roller above), ``home-roller``, ``home-roller-540``,
    ``clinical-roller``, ``stamp``; or a ``dermasim.Roller/Pen/Stamp`` spec or a bound value."""
    if isinstance(device, _core.Device):
        return device
    if isinstance(device, (_core.Roller, _core.Pen, _core.Stamp)):
        return _core.Device(device)
    if hasattr(device, "to_cpp"):
        return _core.Device(device.to_cpp())
    if not isinstance(device, str):
        raise _core.InvalidArgumentError(f"device: expected a kind name or a device (got {device!r})")
    kind = device.lower()
    L = _length(length, "device.length") if length is not None else None
    if kind == "pen":
        return _core.Device(_core.clinical_pen(L if L is not None else 1.5e-3))
    if kind in ("roller", "home-roller", "home-roller-540", "clinical-roller"):
        L = L if L is not None else (0.5e-3 if kind.startswith("home") else 1.5e-3)
        if kind == "clinical-roller" or (kind == "roller" and L > 0.5e-3 + 1e-12):
            return _core.Device(_core.clinical_roller(L))
        return _core.Device(_core.home_roller(L, 540 if kind.endswith("540") else 192))
    if kind == "stamp":
        s = _core.Stamp()
        if L is not None:
            n = s.needle
            n.length = L
            s.needle = n
        return _core.Device(s)
    import difflib

    near = difflib.get_close_matches(kind, DEVICE_KINDS, n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    raise _core.InvalidArgumentError(f"device = {device!r} is not a known kind; valid kinds: "
                                     f"{', '.join(DEVICE_KINDS)}{hint}")


def penetration(skin: Any = "face", device: Any = "pen", lengths: Optional[Iterable[Any]] = None,
                params: Any = None):
    """Penetration of the median needle: one row per device (or per length for a kind name).

    Columns: device, nominal_length_mm, depth_um, depth_fraction, deepest_layer, bleeding,
    punctured, puncture_probability, strikes_per_cm2, channels_per_cm2, surface_diameter_um,
    tent_um, puncture_force_mN, insertion_force_mN, vascular_exposure_um.
    """
    import pandas as pd

    return pd.DataFrame(_penetration_rows(skin, device, lengths, params))


def _penetration_rows(skin: Any, device: Any, lengths: Optional[Iterable[Any]], params: Any = None) -> list:
    sk = make_skin(skin)
    p = params if params is not None else _core.PenetrationParams()
    if lengths is None:
        devs = [make_device(device)]
    else:
        devs = [make_device(device, L) for L in lengths]
    rows = []
    for d in devs:
        r = _core.penetrate(sk, d, p)
        n = r.needle
        rows.append(dict(
            device=d.name,
            nominal_length_mm=r.nominal_length * 1e3,
            depth_um=n.depth * 1e6,
            depth_fraction=n.depth / r.nominal_length,
            deepest_layer=_core.layer_key(n.deepest_layer) if n.punctured else "-",
            bleeding=bool(n.bleeding),
            punctured=bool(n.punctured),
            puncture_probability=r.puncture_probability,
            strikes_per_cm2=r.strikes_per_cm2,
            channels_per_cm2=r.channels_per_cm2,
            surface_diameter_um=2e6 * n.surface_radius if n.punctured else 0.0,
            tent_um=n.tent * 1e6,
            puncture_force_mN=n.puncture_force * 1e3,
            insertion_force_mN=n.insertion_force * 1e3,
            vascular_exposure_um=n.vascular_exposure * 1e6,
        ))
    return rows


@dataclass
class InjuryResult:
    """The micro-injury of one session as numpy arrays (SI units; fields are (nz, ny, nx))."""

    damage: np.ndarray
    bleeding: np.ndarray
    open_surface: np.ndarray  # (ny, nx)
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    z_faces: np.ndarray
    injured_volume: Dict[str, float]  # m³ per layer key
    channels: Any  # pandas DataFrame, one row per punctured channel
    channels_per_cm2: float
    opened_area_fraction: float
    bleeding_points: int
    attempted: int
    area: float  # patch area, m²
    field: Any = field(repr=False, default=None)  # the C++ InjuryField

    def injured_volume_per_cm2(self) -> Dict[str, float]:
        """Injured volume per layer per cm² of skin, mm³/cm²."""
        return {k: v * 1e9 / (self.area * 1e4) for k, v in self.injured_volume.items()}


def injury(skin: Any = "face", device: Any = "pen", length: Any = None, *, lx: Any = 2e-3,
           ly: Any = 2e-3, nx: int = 64, ny: int = 64, h_min: Any = 5e-6, h_max: Any = 50e-6,
           seed: int = 0, session: int = 0, grid: Any = None, penetration_params: Any = None,
           raster_params: Any = None) -> InjuryResult:
    """Device pattern → penetration → injury field on a patch grid (default: 2 × 2 mm, 64 × 64
    columns, graded depth with a face on every layer interface)."""
    import pandas as pd

    sk = make_skin(skin)
    d = make_device(device, length)
    g = grid if grid is not None else _core.skin_grid(sk, _length(lx, "lx"), _length(ly, "ly"), nx, ny,
                                                       _length(h_min, "h_min"), _length(h_max, "h_max"))
    f = _core.session_injury(sk, d, g, seed, session,
                             penetration_params if penetration_params is not None else _core.PenetrationParams(),
                             raster_params if raster_params is not None else _core.RasterParams())
    ch = pd.DataFrame([dict(x=c.x, y=c.y, t=c.t, depth=c.depth, surface_radius=c.surface_radius,
                            tip_radius=c.tip_radius, deepest_layer=_core.layer_key(c.deepest_layer),
                            bleeding=bool(c.bleeding)) for c in f.channels],
                      columns=["x", "y", "t", "depth", "surface_radius", "tip_radius", "deepest_layer", "bleeding"])
    return InjuryResult(
        damage=f.damage, bleeding=f.bleeding, open_surface=f.open_surface,
        x=np.asarray(g.x), y=np.asarray(g.y), z=np.asarray(g.z), z_faces=np.asarray(g.z_faces),
        injured_volume=dict(zip(LAYER_KEYS, map(float, f.injured_volume))), channels=ch,
        channels_per_cm2=f.channels_per_cm2, opened_area_fraction=f.opened_area_fraction,
        bleeding_points=int(f.bleeding_points), attempted=int(f.attempted), area=g.lx * g.ly, field=f)


def needles_table(skin: Any = "face", lengths: Sequence[Any] = ("0.25 mm", "0.5 mm", "1 mm", "1.5 mm", "2 mm", "2.5 mm"),
                  device: str = "pen", *, seed: int = 0, nx: int = 32, lx: float = 2e-3):
    """The ``dermasim needles`` table (a DataFrame): penetration per length plus the injured
    volume per layer (mm³ per cm² of skin) of one session on a lx × lx patch."""
    import pandas as pd

    return pd.DataFrame(_needles_rows(skin, lengths, device, seed=seed, nx=nx, lx=lx))


def _needles_rows(skin: Any, lengths: Sequence[Any], device: Any, *, seed: int = 0, nx: int = 32,
                  lx: float = 2e-3) -> list:
    sk = make_skin(skin)
    rows = _penetration_rows(sk, device, lengths)
    L = _length(lx, "lx")
    g = _core.skin_grid(sk, L, L, nx, nx, 5e-6, 50e-6)
    for row, length in zip(rows, lengths):
        f = _core.session_injury(sk, make_device(device, length), g, seed, 0,
                                 _core.PenetrationParams(), _core.RasterParams())
        for k, v in zip(LAYER_KEYS, f.injured_volume):
            row[f"injured_{k}_mm3_per_cm2"] = float(v) * 1e9 / (L * L * 1e4)
    return rows


def plot_depths(table, skin: Any, path: str, title: Optional[str] = None) -> str:
    """Real depth vs nominal length over the coloured layer bands; bleeding needles marked."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    sk = make_skin(skin)
    if isinstance(table, list):  # rows (dicts) -> columns
        table = {k: np.asarray([r[k] for r in table]) for k in table[0]}
    col = lambda k: np.asarray(table[k])  # noqa: E731  (DataFrame or dict of arrays)
    z = [0.0] + list(sk.interfaces)
    colours = ["#d9c08c", "#f2dcc0", "#ef9a9a", "#f8d3d3", "#fdf0b0"]  # SC, VE, PD, RD, HY
    Lmax = float(col("nominal_length_mm").max()) * 1.08
    zmax = max(Lmax, float(col("depth_um").max()) / 1e3 * 1.1)
    fig, ax = plt.subplots(figsize=(7.0, 5.0), dpi=120)
    for i in range(5):
        top, bot = z[i] * 1e3, min(z[i + 1] * 1e3, zmax)
        if top >= zmax:
            break
        ax.axhspan(top, bot, color=colours[i], zorder=0)
        if bot - top > 0.035 * zmax:
            ypos = 0.5 * (top + bot) if bot - top < 0.3 * zmax else top + 0.85 * (bot - top)
            ax.text(Lmax * 0.99, ypos, LAYER_NAMES[i], ha="right", va="center", fontsize=8,
                    color="#553333")
    # thin top layers: one label for the epidermis
    ax.text(Lmax * 0.99, 0.5 * z[2] * 1e3, "epidermis (SC + VE)", ha="right", va="center", fontsize=7,
            color="#553333")
    ax.axhline(sk.upper_plexus_depth * 1e3, color="#a02020", lw=0.8, ls=":", zorder=1)
    ax.text(0.02 * Lmax, sk.upper_plexus_depth * 1e3, "upper vascular plexus", fontsize=7, color="#a02020",
            va="bottom")
    L = col("nominal_length_mm")
    d = col("depth_um") / 1e3
    ax.plot([0, Lmax], [0, Lmax], color="0.5", lw=0.8, ls="--", zorder=2, label="needle length (no tenting)")
    ax.plot(L, d, "-", color="black", lw=1.5, zorder=3)
    bl = col("bleeding").astype(bool)
    ax.plot(L[~bl], d[~bl], "o", color="white", mec="black", ms=7, zorder=4, label="no bleeding")
    ax.plot(L[bl], d[bl], "o", color="#c00000", mec="black", ms=7, zorder=4, label="pinpoint bleeding")
    ax.set_xlim(0, Lmax)
    ax.set_ylim(zmax, 0)
    # inset: the top 0.3 mm (epidermis and papillary dermis), where short needles end
    ztop = 0.3
    if zmax > 2 * ztop:
        ins = ax.inset_axes([0.07, 0.25, 0.36, 0.30])
        for i in range(3):
            top, bot = z[i] * 1e3, min(z[i + 1] * 1e3, ztop)
            ins.axhspan(top, bot, color=colours[i], zorder=0)
            ins.text(Lmax * 0.98, 0.5 * (top + bot), LAYER_KEYS[i], ha="right", va="center", fontsize=7,
                     color="#553333")
        if z[3] * 1e3 < ztop:
            ins.axhspan(z[3] * 1e3, ztop, color=colours[3], zorder=0)
        else:
            ins.axhspan(min(z[3] * 1e3, ztop), ztop, color=colours[3], zorder=0)
        ins.plot(L, d, "-", color="black", lw=1.2, zorder=3)
        ins.plot(L[~bl], d[~bl], "o", color="white", mec="black", ms=5, zorder=4)
        ins.plot(L[bl], d[bl], "o", color="#c00000", mec="black", ms=5, zorder=4)
        ins.set_xlim(0, Lmax)
        ins.set_ylim(ztop, 0)
        ins.tick_params(labelsize=7)
        ins.set_title("top 0.3 mm", fontsize=7, pad=2)
    ax.set_xlabel("nominal needle length / depth setting (mm)")
    ax.set_ylabel("depth below the skin surface (mm)")
    ax.set_title(title or f"Real channel depth vs needle length — {sk.site}, {sk.age_years:g} y")
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


# -- command line ----------------------------------------------------------------------------

def _format_table(rows) -> str:
    cols = [("nominal_length_mm", "length mm", "{:.2f}"), ("depth_um", "depth um", "{:.0f}"),
            ("depth_fraction", "depth/L", "{:.2f}"), ("deepest_layer", "layer", "{}"),
            ("bleeding", "bleeds", "{}"), ("channels_per_cm2", "ch/cm2", "{:.0f}")]
    cols += [(f"injured_{k}_mm3_per_cm2", f"{k} mm3/cm2", "{:.3f}") for k in LAYER_KEYS]
    head = [c[1] for c in cols]
    rows = [[fmt.format("yes" if v is True else "no" if v is False else v) if c not in ("bleeding",)
             else ("yes" if v else "no") for (c, _, fmt), v in zip(cols, [r[c] for c, _, _ in cols])]
            for r in (rows if isinstance(rows, list) else [r for _, r in rows.iterrows()])]
    w = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    line = lambda cells: "  ".join(s.rjust(w[i]) for i, s in enumerate(cells))  # noqa: E731
    return "\n".join([line(head), line(["-" * x for x in w])] + [line(r) for r in rows])


def _cmd_needles(args: argparse.Namespace) -> int:
    lengths = [float(x) * 1e-3 for x in args.lengths.split(",") if x.strip()]
    if not lengths:
        raise _core.InvalidArgumentError("--lengths is empty; give e.g. 0.25,0.5,1,1.5 (mm)")
    skin = _core.skin_preset(args.site, args.age, args.male, args.phototype)
    rows = _needles_rows(skin, lengths, args.device, seed=args.seed)
    print(f"dermasim needles: {args.device} on {skin.site} (age {args.age:g}, "
          f"{'male' if args.male else 'female'}, phototype {args.phototype}); one session, "
          f"injured volume per cm² of skin\n")
    print(_format_table(rows), flush=True)
    os.makedirs(args.output, exist_ok=True)
    import csv as _csv

    csv = os.path.join(args.output, f"needles_{args.site}_{args.device}.csv")
    with open(csv, "w", newline="") as fh:
        w = _csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    png = os.path.join(args.output, f"needles_{args.site}_{args.device}.png")
    plot_depths(rows, skin, png, title=f"{args.device} on {skin.site}: real depth vs needle length")
    print(f"\nwrote {png} and {csv}")
    return 0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Registers ``dermasim needles`` on the CLI's subparsers."""
    n = subparsers.add_parser(
        "needles", help="compare needle lengths on a skin: real depth, layers, bleeding, injury",
        description="Penetration and micro-injury of one session for several needle lengths "
                    "(or pen depth settings): prints a table and writes a PNG of real depth vs "
                    "length over the skin layers.")
    n.add_argument("--site", default="face", help="skin site (face, forehead, cheek, periorbital, neck, "
                   "forearm, abdomen, back; default face)")
    n.add_argument("--lengths", default="0.25,0.5,1,1.5,2,2.5",
                   help="comma-separated needle lengths / depth settings in mm (default 0.25,...,2.5)")
    n.add_argument("--device", default="pen", choices=DEVICE_KINDS, help="device kind (default pen)")
    n.add_argument("--age", type=float, default=40.0, help="age in years (default 40)")
    n.add_argument("--male", action="store_true", help="male skin (default female)")
    n.add_argument("--phototype", type=int, default=3, help="Fitzpatrick phototype 1-6 (default 3)")
    n.add_argument("--seed", type=int, default=0, help="random seed of the puncture pattern")
    n.add_argument("-o", "--output", default="needles_out", help="output directory (default needles_out)")
    n.set_defaults(func=_cmd_needles)
    return n
