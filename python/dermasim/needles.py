"""Device engineer's quick answers: how deep do the needles go, which layers do they reach, does
it bleed, how many channels per cm², how much tissue is injured — and how that depends on how
hard and how fast the device drives its needles.

Thin Python over the C++ stages (``include/dermasim/{skin,device,mechanics,injury}``):

>>> import dermasim as ds
>>> ds.penetration("face", "pen", lengths=["0.5 mm", "1.5 mm"])      # pandas DataFrame
>>> ds.penetration("face", "stamp", force=["1 N", "10 N", "50 N"])    # depth vs hand force
>>> ds.penetration("face", "applicator", impact_velocity=[1, 3, 10])  # depth vs impact speed
>>> res = ds.injury("face", "pen", length="1.5 mm")                    # numpy arrays

and the ``dermasim needles`` command (tables + a PNG of real depth vs needle length, vs force
and vs speed over the layer bands). Quantities are SI numbers, or strings with units
("1.5 mm", "10 N", "5 mm/s", "3 m/s", "5 g").
"""
from __future__ import annotations

import argparse
import itertools
import math
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from . import _core

from ._layers import LAYER_KEYS, LAYER_NAMES  # noqa: E402
DEVICE_KINDS = ("pen", "roller", "home-roller", "home-roller-540", "clinical-roller", "stamp", "applicator")

#: The device setting each loading keyword of :func:`penetration` sets, by device type.
LOADING_SETTINGS: Dict[str, Dict[str, str]] = {
    "force": {"roller": "applied_force", "stamp": "applied_force", "pen": "motor_force"},
    "speed": {"roller": "rolling_speed", "stamp": "press_speed", "pen": "needle_speed"},
    "impact_velocity": {"applicator": "impact_velocity"},
    "impact_mass": {"applicator": "impact_mass"},
}
_LOADING_DIM = {"force": "force", "speed": "speed", "impact_velocity": "speed", "impact_mass": "mass"}

__all__ = ["penetration", "injury", "needles_table", "plot_depths", "plot_loading", "make_skin",
           "make_device", "make_params", "InjuryResult", "add_parser", "DEVICE_KINDS", "LOADING_SETTINGS"]


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


def make_params(params: Any = None) -> Any:
    """A C++ ``PenetrationParams``: the defaults (None), a bound value, a
    :class:`dermasim.PenetrationParameters` or a dict of overrides by dotted name
    (``{"insertion.friction_stress": "2 kPa"}``; the ``penetration.`` prefix is optional)."""
    if params is None:
        return _core.PenetrationParams()
    if isinstance(params, _core.PenetrationParams):
        return params
    from .scenario import PenetrationParameters

    if isinstance(params, Mapping):
        params = PenetrationParameters(params)
    if isinstance(params, PenetrationParameters):
        return params.to_cpp()
    raise _core.InvalidArgumentError(f"params: expected None, a PenetrationParams, a PenetrationParameters "
                                     f"or a dict of overrides (got {params!r})")


_STRUCTS = ("Roller", "Pen", "Stamp", "Applicator")


def _struct_kind(obj: Any) -> Optional[str]:
    for n in _STRUCTS:
        T = getattr(_core, n, None)
        if T is not None and isinstance(obj, T):
            return n.lower()
    return None


def _spec_class(kind: str) -> Any:
    from . import scenario

    return {"roller": scenario.Roller, "pen": scenario.Pen, "stamp": scenario.Stamp,
            "applicator": scenario.Applicator}[kind]


def _unknown_kind(device: Any) -> Exception:
    import difflib

    kind = device.lower() if isinstance(device, str) else device
    near = difflib.get_close_matches(kind, DEVICE_KINDS, n=1) if isinstance(kind, str) else []
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return _core.InvalidArgumentError(f"device = {device!r} is not a known kind; valid kinds: "
                                      f"{', '.join(DEVICE_KINDS)}{hint}")


def _kind_struct(kind: str, L: Optional[float]) -> Any:
    """A fresh C++ device value for a kind name (presets), needle length / pen depth ``L``."""
    if kind == "pen":
        return _core.clinical_pen(L if L is not None else 1.5e-3)
    if kind in ("roller", "home-roller", "home-roller-540", "clinical-roller"):
        L = L if L is not None else (0.5e-3 if kind.startswith("home") else 1.5e-3)
        if kind == "clinical-roller" or (kind == "roller" and L > 0.5e-3 + 1e-12):
            return _core.clinical_roller(L)
        return _core.home_roller(L, 540 if kind.endswith("540") else 192)
    if kind in ("stamp", "applicator"):
        s = _core.Stamp() if kind == "stamp" else _core.Applicator()
        if L is not None:
            _set_length(s, "stamp", L)
        return s
    raise _unknown_kind(kind)


def _set_length(struct: Any, kind: str, L: float) -> None:
    if kind == "pen":
        struct.depth = L
    else:
        n = struct.needle
        n.length = L
        struct.needle = n


def _device_struct(device: Any, length: Any = None) -> Tuple[Any, Optional[str]]:
    """``(value, kind)``: a fresh C++ Roller/Pen/Stamp/Applicator that may be changed (kind
    "roller", "pen", "stamp", "applicator"), or a bound ``Device`` as given (kind None)."""
    L = _length(length, "device.length") if length is not None else None
    if isinstance(device, _core.Device):
        if L is not None:
            raise _core.InvalidArgumentError("device: a dermasim._core.Device cannot take a length; pass a "
                                             "kind name, a Roller/Pen/Stamp/Applicator or a dermasim spec")
        return device, None
    if isinstance(device, str):
        kind = device.lower()
        if kind not in DEVICE_KINDS:
            raise _unknown_kind(device)
        st = _kind_struct(kind, L)
        return st, _struct_kind(st)
    kind = _struct_kind(device)
    if kind is not None:  # a bound value: copy it (through its spec) so the caller's is not changed
        st = _spec_class(kind).from_cpp(device).to_cpp() if L is not None else device
    elif hasattr(device, "to_cpp") and getattr(device, "type", None) in LOADING_SETTINGS["force"].keys() | {"applicator"}:
        st = device.to_cpp()
        kind = device.type
    else:
        raise _core.InvalidArgumentError(f"device: expected a kind name or a device (got {device!r})")
    if L is not None:
        _set_length(st, kind, L)
    return st, kind


def make_device(device: Any = "pen", length: Any = None, **loading: Any) -> Any:
    """A C++ ``Device``. ``device`` is a kind name with ``length`` (needle length, or the pen's
    depth setting): ``pen`` (clinical pen, 12 needles), ``roller`` (home roller, 192 needles,
    up to 0.5 mm; clinical roller above), ``home-roller``, ``home-roller-540``,
    ``clinical-roller``, ``stamp``, ``applicator`` (impact applicator); or a
    ``dermasim.Roller/Pen/Stamp/Applicator`` spec or a bound value (``length`` then sets its
    needle length / depth).

    ``loading`` sets how the device drives its needles (one value each; see
    :data:`LOADING_SETTINGS`): ``force`` (N: a roller's or stamp's ``applied_force``, a pen's
    ``motor_force``), ``speed`` (m/s: ``rolling_speed``, ``press_speed``, ``needle_speed``),
    ``impact_velocity`` (m/s) and ``impact_mass`` (kg) of an applicator. Unit strings work;
    a value out of the device's range is an InvalidArgumentError naming the keyword."""
    return _make(device, length, **loading)[2]


def _make(device: Any, length: Any = None, **loading: Any) -> Tuple[Any, Optional[str], Any]:
    """``(value, kind, Device)``: the Roller/Pen/Stamp/Applicator value and its kind (None, None
    for a bound Device given as is) and the C++ Device."""
    loading = {k: v for k, v in loading.items() if v is not None}
    st, kind = _device_struct(device, length)
    if kind is None:
        if loading:
            raise _core.InvalidArgumentError(
                f"device: a dermasim._core.Device cannot be changed ({', '.join(loading)}); pass a kind name, "
                "a Roller/Pen/Stamp/Applicator or a dermasim spec")
        return None, None, st
    if loading:
        if st is device:  # the caller's bound value: change a copy
            st = _spec_class(kind).from_cpp(device).to_cpp()
        for key, v in loading.items():
            attr, value = _loading_value(kind, key, v, key)
            setattr(st, attr, value)
    return st, kind, _core.Device(st)


def _loading_value(kind: str, key: str, value: Any, name: str) -> Tuple[str, float]:
    """The device attribute that ``key`` (force, speed, impact_velocity, impact_mass) sets on a
    device of ``kind``, and ``value`` in SI checked against that attribute's range (messages
    name ``name``: the keyword, or the command-line option)."""
    if key not in LOADING_SETTINGS:
        from .config import suggest

        raise _core.InvalidArgumentError(f"unknown loading keyword {key!r}{suggest(key, LOADING_SETTINGS)}; "
                                         f"valid: {', '.join(LOADING_SETTINGS)}")
    attrs = LOADING_SETTINGS[key]
    if kind not in attrs:
        alt = [k for k, v in LOADING_SETTINGS.items() if kind in v]
        why = {"applicator": "its needles are driven by the kinetic energy of the impact mass"}.get(
            kind, "it is not an impact applicator")
        raise _core.InvalidArgumentError(
            f"{name} does not apply to {'an' if kind[0] in 'aeiou' else 'a'} {kind} ({why}); it applies to: "
            f"{', '.join(attrs)}"
            + (f"; for this device use {', '.join(_option(a, name) for a in alt)}" if alt else ""))
    attr = attrs[kind]
    param = _spec_class(kind)._params[attr]
    from .scenario import Param

    p = Param(param.default, param.dim, param.lo, param.hi)
    return attr, float(p.convert(value, f"{name} (device.{attr} of the {kind})"))


def _option(key: str, like: str) -> str:
    return "--" + key.replace("_", "-") if like.startswith("--") else f"{key}="


def _as_list(v: Any) -> Optional[List[Any]]:
    if v is None:
        return None
    if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
        return [v]
    out = list(v)
    if not out:
        raise _core.InvalidArgumentError("an empty list of values; give at least one")
    return out


def _variants(device: Any, lengths: Any = None, **loading: Any) -> List[Tuple[Any, Optional[str], Any]]:
    """The devices of a table: the full factorial of ``lengths`` and the loading keywords
    (each None, one value or a list; lengths vary slowest), as :func:`_make` gives them."""
    axes: List[Tuple[str, List[Any]]] = []
    L = _as_list(lengths)
    axes.append(("length", L if L is not None else [None]))
    for k in LOADING_SETTINGS:
        vals = _as_list(loading.pop(k, None))
        if vals is not None:
            axes.append((k, vals))
    if loading:
        raise TypeError(f"unexpected keyword argument {next(iter(loading))!r}")
    out = []
    for combo in itertools.product(*(vals for _, vals in axes)):
        inputs = dict(zip((k for k, _ in axes), combo))
        out.append(_make(device, inputs.pop("length"), **inputs))
    return out


def penetration(skin: Any = "face", device: Any = "pen", lengths: Optional[Iterable[Any]] = None,
                params: Any = None, *, force: Any = None, speed: Any = None, impact_velocity: Any = None,
                impact_mass: Any = None):
    """Penetration of the median needle, one row per device variant (a pandas DataFrame).

    ``lengths`` (needle lengths / pen depth settings), ``force`` (N: hand force of a roller or
    stamp, motor force of a pen), ``speed`` (m/s: rolling speed of a roller, press speed of a
    stamp, needle speed of a pen), ``impact_velocity`` (m/s) and ``impact_mass`` (kg) of an
    applicator: each None (the device's own value), one value or a list; rows are the full
    factorial (lengths vary slowest), so ``penetration("face", "stamp", force=[1, 10, 50])`` is
    depth vs force. Unit strings work ("10 N", "5 mm/s", "5 g"). ``params`` are the insertion
    parameters (see :func:`make_params`: a dict of dotted overrides works).

    Columns: device, nominal_length_mm, force_N, device_speed_m_s, impact_mass_g (the device
    settings; NaN where a device has none), depth_um, depth_fraction, deepest_layer, bleeding,
    punctured, puncture_probability, strikes_per_cm2, channels_per_cm2, surface_diameter_um,
    tent_um, puncture_tent_um, puncture_force_mN, insertion_force_mN, vascular_exposure_um, and
    the loading of the needle: drive ("stroke", "force" or "energy"), force_per_needle_N,
    energy_per_needle_mJ (inf where the drive sets no such cap), speed_m_s (needle speed at
    impact), support_radius_um, shielding, work_uJ, limit (what stopped the needle: "dimple",
    "stroke", "force" or "energy") and energy_share.
    """
    import pandas as pd

    return pd.DataFrame(_penetration_rows(skin, device, lengths, params, force=force, speed=speed,
                                          impact_velocity=impact_velocity, impact_mass=impact_mass))


def _setting(d: Any, kind: Optional[str], key: str) -> float:
    attrs = LOADING_SETTINGS[key]
    return float(getattr(d, attrs[kind])) if kind in attrs else math.nan


def _penetration_rows(skin: Any, device: Any, lengths: Optional[Iterable[Any]], params: Any = None,
                      **loading: Any) -> list:
    sk = make_skin(skin)
    p = make_params(params)
    rows = []
    for st, kind, d in _variants(device, lengths, **loading):
        r = _core.penetrate(sk, d, p)
        n = r.needle
        rows.append(dict(
            device=d.name,
            nominal_length_mm=r.nominal_length * 1e3,
            force_N=_setting(st, kind, "force"),
            device_speed_m_s=_setting(st, kind, "speed") if kind != "applicator"
            else _setting(st, kind, "impact_velocity"),
            impact_mass_g=_setting(st, kind, "impact_mass") * 1e3,
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
            puncture_tent_um=n.puncture_tent * 1e6,
            puncture_force_mN=n.puncture_force * 1e3,
            insertion_force_mN=n.insertion_force * 1e3,
            vascular_exposure_um=n.vascular_exposure * 1e6,
            drive=r.drive.name,
            force_per_needle_N=r.force_per_needle,
            energy_per_needle_mJ=r.energy_per_needle * 1e3,
            speed_m_s=r.speed,
            support_radius_um=r.support_radius * 1e6,
            shielding=r.shielding,
            work_uJ=n.work * 1e6,
            limit=n.limit.name,
            energy_share=r.energy_share,
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
           raster_params: Any = None, force: Any = None, speed: Any = None, impact_velocity: Any = None,
           impact_mass: Any = None) -> InjuryResult:
    """Device pattern → penetration → injury field on a patch grid (default: 2 × 2 mm, 64 × 64
    columns, graded depth with a face on every layer interface). ``force``, ``speed``,
    ``impact_velocity``, ``impact_mass``: one value each, as in :func:`penetration`;
    ``penetration_params`` as ``params`` there."""
    import pandas as pd

    sk = make_skin(skin)
    d = make_device(device, length, force=force, speed=speed, impact_velocity=impact_velocity,
                    impact_mass=impact_mass)
    g = grid if grid is not None else _core.skin_grid(sk, _length(lx, "lx"), _length(ly, "ly"), nx, ny,
                                                       _length(h_min, "h_min"), _length(h_max, "h_max"))
    f = _core.session_injury(sk, d, g, seed, session, make_params(penetration_params),
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
                  device: Any = "pen", *, seed: int = 0, nx: int = 32, lx: float = 2e-3, params: Any = None,
                  **loading: Any):
    """The ``dermasim needles`` length table (a DataFrame): :func:`penetration` per length plus
    the injured volume per layer (mm³ per cm² of skin) of one session on a lx × lx patch.
    ``loading`` (force, speed, impact_velocity, impact_mass) are single values here."""
    import pandas as pd

    return pd.DataFrame(_needles_rows(skin, lengths, device, seed=seed, nx=nx, lx=lx, params=params, **loading))


def _needles_rows(skin: Any, lengths: Sequence[Any], device: Any, *, seed: int = 0, nx: int = 32,
                  lx: float = 2e-3, params: Any = None, **loading: Any) -> list:
    sk = make_skin(skin)
    for k, v in loading.items():
        if v is not None and not isinstance(v, str) and isinstance(v, Iterable):
            raise _core.InvalidArgumentError(f"{k}: one value here (got {v!r}); sweep it with penetration()")
    p = make_params(params)
    rows = _penetration_rows(sk, device, lengths, p, **loading)
    L = _length(lx, "lx")
    g = _core.skin_grid(sk, L, L, nx, nx, 5e-6, 50e-6)
    for row, length in zip(rows, lengths):
        f = _core.session_injury(sk, make_device(device, length, **loading), g, seed, 0, p, _core.RasterParams())
        for k, v in zip(LAYER_KEYS, f.injured_volume):
            row[f"injured_{k}_mm3_per_cm2"] = float(v) * 1e9 / (L * L * 1e4)
    return rows


# -- plots ---------------------------------------------------------------------------------------

_COLOURS = ["#d9c08c", "#f2dcc0", "#ef9a9a", "#f8d3d3", "#fdf0b0"]  # SC, VE, PD, RD, HY


def _columns(table: Any) -> Any:
    if isinstance(table, list):  # rows (dicts) -> columns
        table = {k: np.asarray([r[k] for r in table]) for k in table[0]}
    return lambda k: np.asarray(table[k])  # DataFrame or dict of arrays


def _layer_bands(ax: Any, sk: Any, zmax: float, xlabel_at: float, *, plexus_label_at: float) -> None:
    """The skin layers as coloured bands (depth in mm, increasing downwards) down to ``zmax``."""
    z = [0.0] + list(sk.interfaces)
    for i in range(5):
        top, bot = z[i] * 1e3, min(z[i + 1] * 1e3, zmax)
        if top >= zmax:
            break
        ax.axhspan(top, bot, color=_COLOURS[i], zorder=0)
        if i >= 2 and bot - top > 0.035 * zmax:
            ypos = 0.5 * (top + bot) if bot - top < 0.3 * zmax else top + 0.85 * (bot - top)
            ax.text(xlabel_at, ypos, LAYER_NAMES[i], ha="right", va="center", fontsize=8, color="#553333",
                    transform=ax.get_yaxis_transform())
    # thin top layers: one label for the epidermis
    if z[2] * 1e3 < zmax:
        ax.text(xlabel_at, 0.5 * z[2] * 1e3, "epidermis (SC + VE)", ha="right", va="center", fontsize=7,
                color="#553333", transform=ax.get_yaxis_transform())
    if sk.upper_plexus_depth * 1e3 < zmax:
        ax.axhline(sk.upper_plexus_depth * 1e3, color="#a02020", lw=0.8, ls=":", zorder=1)
        ax.text(plexus_label_at, sk.upper_plexus_depth * 1e3, "upper vascular plexus", fontsize=7,
                color="#a02020", va="bottom", transform=ax.get_yaxis_transform())


def _depth_curve(ax: Any, x: np.ndarray, d: np.ndarray, bl: np.ndarray, ms: float = 7, legend: bool = True) -> None:
    ax.plot(x, d, "-", color="black", lw=1.5, zorder=3)
    ax.plot(x[~bl], d[~bl], "o", color="white", mec="black", ms=ms, zorder=4,
            label="no bleeding" if legend else None)
    ax.plot(x[bl], d[bl], "o", color="#c00000", mec="black", ms=ms, zorder=4,
            label="pinpoint bleeding" if legend else None)


def _draw_lengths(ax: Any, table: Any, sk: Any, inset: bool = True) -> None:
    """Real depth vs nominal length (the diagonal: the needle length) over the layer bands."""
    col = _columns(table)
    z = [0.0] + list(sk.interfaces)
    Lmax = float(col("nominal_length_mm").max()) * 1.08
    zmax = max(Lmax, float(col("depth_um").max()) / 1e3 * 1.1)
    _layer_bands(ax, sk, zmax, 0.99, plexus_label_at=0.02)
    L = col("nominal_length_mm")
    d = col("depth_um") / 1e3
    bl = col("bleeding").astype(bool)
    ax.plot([0, Lmax], [0, Lmax], color="0.5", lw=0.8, ls="--", zorder=2, label="needle length (no tenting)")
    _depth_curve(ax, L, d, bl)
    ax.set_xlim(0, Lmax)
    ax.set_ylim(zmax, 0)
    # inset: the top 0.3 mm (epidermis and papillary dermis), where short needles end
    ztop = 0.3
    if inset and zmax > 2 * ztop:
        ins = ax.inset_axes([0.07, 0.25, 0.36, 0.30])
        for i in range(3):
            top, bot = z[i] * 1e3, min(z[i + 1] * 1e3, ztop)
            ins.axhspan(top, bot, color=_COLOURS[i], zorder=0)
            ins.text(Lmax * 0.98, 0.5 * (top + bot), LAYER_KEYS[i], ha="right", va="center", fontsize=7,
                     color="#553333")
        ins.axhspan(min(z[3] * 1e3, ztop), ztop, color=_COLOURS[3], zorder=0)
        _depth_curve(ins, L, d, bl, ms=5, legend=False)
        ins.set_xlim(0, Lmax)
        ins.set_ylim(ztop, 0)
        ins.tick_params(labelsize=7)
        ins.set_title("top 0.3 mm", fontsize=7, pad=2)
    ax.set_xlabel("nominal needle length / depth setting (mm)")
    ax.set_ylabel("depth below the skin surface (mm)")
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)


def _draw_versus(ax: Any, table: Any, sk: Any, x_col: str, xlabel: str, title: str) -> None:
    """Real depth vs a loading setting (log axis when it spans a decade) at one needle length,
    over the layer bands; the dashed line is the needle length (full insertion)."""
    col = _columns(table)
    x = col(x_col).astype(float)
    d = col("depth_um") / 1e3
    bl = col("bleeding").astype(bool)
    L = float(np.max(col("nominal_length_mm")))
    zmax = max(L * 1.08, float(d.max()) * 1.1, 1e-3)
    _layer_bands(ax, sk, zmax, 0.99, plexus_label_at=0.02)
    ax.axhline(L, color="0.5", lw=0.8, ls="--", zorder=2, label=f"needle length {L:g} mm")
    _depth_curve(ax, x, d, bl)
    if x.size > 1 and x.min() > 0 and x.max() / x.min() >= 10:
        ax.set_xscale("log")
    if x.size == 1:
        ax.set_xlim(x[0] * 0.5, x[0] * 1.5)
    ax.set_ylim(zmax, 0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("depth below the skin surface (mm)")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)


def _figure(ncols: int, width: float) -> Tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, 5.0), dpi=120)
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, axes


def _save(fig: Any, path: str) -> str:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.tight_layout()
    fig.savefig(path)
    return path


def plot_depths(table, skin: Any, path: str, title: Optional[str] = None) -> str:
    """Real depth vs nominal length over the coloured layer bands; bleeding needles marked."""
    sk = make_skin(skin)
    fig, (ax,) = _figure(1, 7.0)
    _draw_lengths(ax, table, sk)
    ax.set_title(title or f"Real channel depth vs needle length — {sk.site}, {sk.age_years:g} y")
    return _save(fig, path)


#: Panel of each loading sweep: (table column of its x values, axis label, unit factor).
_PANELS = {
    "force": ("force_N", "force (N): hand force (roller, stamp) / motor force (pen)"),
    "speed": ("device_speed_m_s", "speed (m/s): rolling (roller) / press (stamp) / needle (pen)"),
    "impact_velocity": ("device_speed_m_s", "impact velocity (m/s)"),
    "impact_mass": ("impact_mass_g", "impact mass (g)"),
}


_KIND_LABELS = {("force", "roller"): "hand force on the drum (N)", ("force", "stamp"): "hand force (N)",
                ("force", "pen"): "motor force (N)", ("speed", "roller"): "rolling speed (m/s)",
                ("speed", "stamp"): "press speed (m/s)", ("speed", "pen"): "needle speed (m/s)"}


def plot_loading(tables: Mapping[str, Any], skin: Any, path: str, title: Optional[str] = None,
                 kind: Optional[str] = None) -> str:
    """One figure, one panel per table: ``tables`` maps ``"length"`` (a :func:`needles_table`
    / :func:`penetration` over lengths) and loading sweeps (``"force"``, ``"speed"``,
    ``"impact_velocity"``, ``"impact_mass"``: :func:`penetration` over that keyword) to their
    tables; each panel is real depth over the layer bands, bleeding needles marked. ``kind``
    (roller, pen, stamp, applicator) names the settings on the axes."""
    sk = make_skin(skin)
    keys = [k for k in tables if tables[k] is not None and len(tables[k])]
    bad = [k for k in keys if k != "length" and k not in _PANELS]
    if bad:
        raise _core.InvalidArgumentError(f"plot_loading: unknown panel {bad[0]!r}; valid: length, "
                                         f"{', '.join(_PANELS)}")
    fig, axes = _figure(len(keys), 6.0 * len(keys))
    for ax, k in zip(axes, keys):
        if k == "length":
            _draw_lengths(ax, tables[k], sk, inset=False)
            ax.set_title("depth vs needle length", fontsize=10)
        else:
            x_col, label = _PANELS[k]
            label = _KIND_LABELS.get((k, kind or ""), label)
            L = float(np.max(_columns(tables[k])("nominal_length_mm")))
            _draw_versus(ax, tables[k], sk, x_col, label, f"depth vs {k.replace('_', ' ')} ({L:g} mm needles)")
    fig.suptitle(title or f"Real channel depth — {sk.site}, {sk.age_years:g} y", fontsize=11)
    return _save(fig, path)


# -- command line ----------------------------------------------------------------------------

def _fmt_cell(v: Any, fmt: str) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, float) and not math.isfinite(v):
        return "-" if math.isnan(v) else "inf"
    return fmt.format(v)


_LENGTH_COLS = [("nominal_length_mm", "length mm", "{:.2f}"), ("depth_um", "depth um", "{:.0f}"),
                ("depth_fraction", "depth/L", "{:.2f}"), ("deepest_layer", "layer", "{}"),
                ("bleeding", "bleeds", "{}"), ("channels_per_cm2", "ch/cm2", "{:.0f}"), ("limit", "limit", "{}")]
_LENGTH_COLS += [(f"injured_{k}_mm3_per_cm2", f"{k} mm3/cm2", "{:.3f}") for k in LAYER_KEYS]
_LOADING_COLS = [("depth_um", "depth um", "{:.0f}"), ("depth_fraction", "depth/L", "{:.2f}"),
                 ("deepest_layer", "layer", "{}"), ("bleeding", "bleeds", "{}"),
                 ("puncture_probability", "P(punct)", "{:.3f}"), ("force_per_needle_N", "F/needle mN", "{:.3g}"),
                 ("energy_per_needle_mJ", "E/needle mJ", "{:.3g}"), ("speed_m_s", "v tip m/s", "{:.3g}"),
                 ("work_uJ", "work uJ", "{:.3g}"), ("limit", "limit", "{}")]
_FIRST_COL = {"force": ("force_N", "force N", "{:.3g}"), "speed": ("device_speed_m_s", "speed m/s", "{:.3g}"),
              "impact_velocity": ("device_speed_m_s", "v impact m/s", "{:.3g}"),
              "impact_mass": ("impact_mass_g", "mass g", "{:.3g}")}


def _format_table(rows, cols=None) -> str:
    cols = cols or _LENGTH_COLS
    rows = rows if isinstance(rows, list) else [r for _, r in rows.iterrows()]
    rows = [[_fmt_cell(r[c] * 1e3 if c == "force_per_needle_N" else r[c], fmt) for c, _, fmt in cols] for r in rows]
    head = [c[1] for c in cols]
    w = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    line = lambda cells: "  ".join(s.rjust(w[i]) for i, s in enumerate(cells))  # noqa: E731
    return "\n".join([line(head), line(["-" * x for x in w])] + [line(r) for r in rows])


#: Default sweeps of the loading panels, by device type (SI).
_DEFAULT_SWEEPS = {
    "force": {"roller": [0.5, 1, 2, 5, 10, 20, 50], "stamp": [0.5, 1, 2, 5, 10, 20, 50],
              "pen": [0.1, 0.2, 0.5, 1, 2, 5, 10]},
    "speed": {"roller": [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5], "stamp": [1e-3, 0.01, 0.1, 0.5, 1, 5, 20],
              "pen": [0.01, 0.05, 0.1, 0.2, 0.5, 1, 2, 5]},
    "impact_velocity": {"applicator": [0.5, 1, 2, 3, 5, 10, 20]},
    "impact_mass": {"applicator": [1e-3, 2e-3, 5e-3, 10e-3, 20e-3, 50e-3]},
}
#: Default --lengths per device kind, m (within each preset's range).
_DEFAULT_LENGTHS = {k: [0.25e-3, 0.5e-3, 1e-3, 1.5e-3, 2e-3, 2.5e-3] for k in DEVICE_KINDS}
_DEFAULT_LENGTHS.update({"home-roller": [0.2e-3, 0.25e-3, 0.5e-3, 0.75e-3, 1e-3],
                         "home-roller-540": [0.2e-3, 0.25e-3, 0.5e-3, 0.75e-3, 1e-3]})
#: Command-line unit of plain numbers per option (what the help says).
_CLI_UNITS = {"lengths": ("length", 1e-3, "mm"), "length": ("length", 1e-3, "mm"), "force": ("force", 1.0, "N"),
              "speed": ("speed", 1.0, "m/s"), "impact_velocity": ("speed", 1.0, "m/s"),
              "impact_mass": ("mass", 1e-3, "g")}


def _cli_values(text: str, key: str) -> List[float]:
    """A comma-separated option value: plain numbers in the option's unit (see --help) or
    numbers with units ("500 mN"); each finite and > 0. Errors name the option."""
    from . import units

    dim, factor, unit = _CLI_UNITS[key]
    opt = "--" + key.replace("_", "-")
    items = [x.strip() for x in str(text).split(",")]
    if not any(items):
        raise argparse.ArgumentTypeError(f"empty; give e.g. {opt} 1,10,50 ({unit})")
    out = []
    for it in items:
        if not it:
            raise argparse.ArgumentTypeError(f"an empty item in {text!r}; give comma-separated values in {unit}")
        try:
            v = float(it) * factor if _is_plain_number(it) else units.parse(it, dim, opt)
        except (ValueError, _core.InvalidArgumentError) as e:
            raise argparse.ArgumentTypeError(str(e).replace(f"{opt}: ", "")) from None
        if not math.isfinite(v) or v <= 0:
            raise argparse.ArgumentTypeError(f"{it!r} is invalid: values must be finite and > 0 ({unit})")
        out.append(v)
    return out


def _is_plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _arg_type(key: str) -> Any:
    def parse(text: str) -> List[float]:
        return _cli_values(text, key)

    parse.__name__ = key.replace("_", "-") + " list"
    return parse


def _usage(msg: str) -> Exception:
    from .cli import UsageError

    return UsageError(msg)


def _cmd_needles(args: argparse.Namespace) -> int:
    from .scenario import Skin

    sites = list(_core.skin_sites()) if hasattr(_core, "skin_sites") else []
    if sites and args.site not in sites:
        from .config import suggest

        raise _usage(f"--site {args.site!r} is not a skin site{suggest(args.site, sites)}; valid: {', '.join(sites)}")
    try:
        age = Skin._params["age_years"].convert(args.age, "--age")
        photo = Skin._params["phototype"].convert(args.phototype, "--phototype")
    except _core.InvalidArgumentError as e:
        raise _usage(str(e)) from None
    skin = _core.skin_preset(args.site, age, args.male, photo)
    kind = _struct_kind(_kind_struct(args.device, None)) or args.device
    # which loading options this device takes; one value sets it everywhere, a list is a panel
    given = {k: getattr(args, k) for k in LOADING_SETTINGS if getattr(args, k) is not None}
    for k, vals in given.items():
        try:
            for v in vals:
                _loading_value(kind, k, v, "--" + k.replace("_", "-"))
        except _core.InvalidArgumentError as e:
            raise _usage(str(e)) from None
    fixed = {k: v[0] for k, v in given.items() if len(v) == 1}
    lengths = args.lengths or _DEFAULT_LENGTHS.get(args.device, _DEFAULT_LENGTHS["pen"])
    ref = args.length[0] if args.length else None
    if args.length and len(args.length) > 1:
        raise _usage("--length takes one value (the needle length of the force and speed panels); "
                     "compare lengths with --lengths")
    for opt, Ls in (("--length", [ref]), ("--lengths", lengths)):
        try:
            for L in Ls:
                make_device(args.device, L, **fixed)
        except _core.InvalidArgumentError as e:
            raise _usage(f"{opt}: {e}") from None
    rows = _needles_rows(skin, lengths, args.device, seed=args.seed, **fixed)
    who = f"{args.device} on {skin.site} (age {age:g}, {'male' if args.male else 'female'}, phototype {photo})"
    print(f"dermasim needles: {who}; one session, injured volume per cm² of skin\n")
    print(_format_table(rows), flush=True)
    tables: Dict[str, Any] = {"length": rows}
    panels = [k for k in ("force", "impact_mass", "speed", "impact_velocity") if kind in LOADING_SETTINGS[k]]
    for k in panels:
        sweep = given.get(k) or _DEFAULT_SWEEPS[k][kind]
        others = {o: v for o, v in fixed.items() if o != k}
        t = _penetration_rows(skin, args.device, [ref] if ref is not None else None, None, **{k: sweep}, **others)
        tables[k] = t
        L = t[0]["nominal_length_mm"]
        print(f"\ndepth vs {k.replace('_', ' ')} ({L:g} mm needles):\n")
        print(_format_table(t, [_FIRST_COL[k]] + _LOADING_COLS), flush=True)
    os.makedirs(args.output, exist_ok=True)
    import csv as _csv

    stem = os.path.join(args.output, f"needles_{args.site}_{args.device}")
    written = []
    for k, t in tables.items():
        path = stem + ("" if k == "length" else f"_{k}") + ".csv"
        with open(path, "w", newline="") as fh:
            w = _csv.DictWriter(fh, fieldnames=list(t[0]))
            w.writeheader()
            w.writerows(t)
        written.append(path)
    png = plot_loading(tables, skin, stem + ".png", title=f"{args.device} on {skin.site}: real channel depth",
                       kind=kind)
    print(f"\nwrote {png} and {', '.join(written)}")
    return 0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Registers ``dermasim needles`` on the CLI's subparsers."""
    sites = ", ".join(_core.skin_sites()) if hasattr(_core, "skin_sites") else "face, ..."
    n = subparsers.add_parser(
        "needles", help="needle depth on a skin vs length, force and speed: layers, bleeding, injury",
        description="Penetration and micro-injury of one session for several needle lengths "
                    "(or pen depth settings), and the penetration vs the device's force and speed "
                    "(impact velocity and mass for the applicator): prints the tables, writes CSVs "
                    "and a PNG of real depth over the skin layers (one panel each).",
        epilog="A list (--force 1,10,50) is swept in its panel; one value (--force 10) sets it in "
               "every panel. Plain numbers are in the unit shown; numbers with units work too "
               "(--force '500 mN,2 N', --speed '5 mm/s'). --force: hand force of a roller or stamp, "
               "motor force of a pen; --speed: rolling speed (roller), press speed (stamp), needle "
               "speed (pen); --impact-velocity/--impact-mass: applicator only.")
    n.add_argument("--site", "--skin", dest="site", default="face", help=f"skin site ({sites}; default face)")
    n.add_argument("--lengths", default=None, type=_arg_type("lengths"), metavar="MM[,MM...]",
                   help="comma-separated needle lengths / depth settings in mm (default 0.25,0.5,1,1.5,2,2.5; "
                        "home rollers 0.2,0.25,0.5,0.75,1)")
    n.add_argument("--length", default=None, type=_arg_type("length"), metavar="MM",
                   help="needle length of the force and speed panels, mm (default: the device's)")
    n.add_argument("--device", default="pen", choices=DEVICE_KINDS, help="device kind (default pen)")
    n.add_argument("--force", default=None, type=_arg_type("force"), metavar="N[,N...]",
                   help="force(s), N: hand force (roller, stamp) or motor force (pen)")
    n.add_argument("--speed", default=None, type=_arg_type("speed"), metavar="V[,V...]",
                   help="speed(s), m/s: rolling (roller), press (stamp) or needle speed (pen)")
    n.add_argument("--impact-velocity", dest="impact_velocity", default=None, type=_arg_type("impact_velocity"),
                   metavar="V[,V...]", help="impact velocity(ies) of the applicator, m/s")
    n.add_argument("--impact-mass", dest="impact_mass", default=None, type=_arg_type("impact_mass"),
                   metavar="G[,G...]", help="moving mass(es) of the applicator, g")
    n.add_argument("--age", type=float, default=40.0, help="age in years (default 40)")
    n.add_argument("--male", action="store_true", help="male skin (default female)")
    n.add_argument("--phototype", type=int, default=3, help="Fitzpatrick phototype 1-6 (default 3)")
    n.add_argument("--seed", type=int, default=0, help="random seed of the puncture pattern")
    n.add_argument("-o", "--output", default="needles_out", help="output directory (default needles_out)")
    n.set_defaults(func=_cmd_needles)
    return n
