"""Topical delivery through the needle channels: ``dermasim deliver`` and :func:`deliver`.

One run per needle length (a 1D column: seconds in all); every run also computes the same
application on intact skin (the "0 mm" row). The transport is the C++ topical module
(``modules/topical.hpp``, docs/model.md §7); this module builds the scenarios, collects the
per-application rows and depth profiles, and plots them.

>>> import dermasim as ds
>>> table = ds.deliver("caffeine", lengths=[0.25, 1.0], when="after")   # doctest: +SKIP
"""
from __future__ import annotations

import argparse
import os
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from . import units as _units
from ._core import InvalidArgumentError

__all__ = ["deliver", "DeliveryResult", "add_parser"]

_UG_CM2 = 1e-9 / 1e-4  # kg/m² per µg/cm²


class DeliveryResult:
    """``table`` (pandas DataFrame, one row per needle length, "0 mm" = intact skin; amounts in
    µg/cm², times in h), ``profiles`` {length mm: (z in µm, tissue concentration in kg/m³ at
    the end of the application)}, ``flux`` {length mm: (t in h from the start, flux into the
    skin in µg/cm²/h) of the same agent as an infinite dose (1 mL/cm²) over 24 h, where the
    flux falls to the intact-skin flux as the channels close}, ``layers`` (interfaces in µm) and the scenarios that were run."""

    def __init__(self, table: Any, profiles: Dict[float, Any], flux: Dict[float, Any], layers: List[float],
                 agent: str, when: str, scenarios: List[Any]):
        self.table, self.profiles, self.flux, self.layers = table, profiles, flux, layers
        self.agent, self.when, self.scenarios = agent, when, scenarios

    def __repr__(self) -> str:
        return f"DeliveryResult({self.agent}, {self.when} needling)\n{self.table.to_string()}"

    def plot(self, path: Optional[str] = None) -> Any:
        """Depth profiles at the end of the application and the flux into the skin over time."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(11, 4.2), dpi=110)
        a, b = fig.subplots(1, 2)
        for i, (z0, z1) in enumerate(zip([0.0] + self.layers[:-1], self.layers)):
            a.axvspan(z0, z1, color="0.9" if i % 2 else "0.97", lw=0)
        for L, (z, c) in sorted(self.profiles.items()):
            a.semilogy(z, np.maximum(c, 1e-12), label="intact" if L == 0 else f"{L:g} mm")
        a.set_xlabel("depth (µm)")
        a.set_ylabel("tissue concentration at the end (kg/m³)")
        a.set_title(f"{self.agent}: depth profile ({self.when} needling)")
        a.legend(fontsize=8)
        for L, (t, j) in sorted(self.flux.items()):
            b.plot(t, j, label="intact" if L == 0 else f"{L:g} mm")
        b.set_xlabel("time from application (h)")
        b.set_ylabel("flux into the skin (µg/cm²/h)")
        b.set_yscale("symlog", linthresh=1e-3)
        b.set_title("flux of an infinite dose: the channels close → intact skin")
        b.legend(fontsize=8)
        fig.tight_layout()
        if path:  # atomically: a temporary file, then rename
            tmp = f"{path}.tmp{os.getpid()}.png"
            fig.savefig(tmp)
            os.replace(tmp, path)
        return fig


def _scenario(agent: str, length_mm: float, when: str, device: str, site: str, concentration: Any,
              duration: float, volume: Any, occluded: bool) -> Any:
    from . import Pen, Protocol, Roller, Scenario, Skin, Stamp, Topical

    kinds = {"pen": lambda L: Pen.clinical(f"{L} mm"), "roller": lambda L: Roller.clinical(f"{L} mm"),
             "stamp": lambda L: Stamp(needle_length=f"{L} mm")}
    if device not in kinds:
        raise InvalidArgumentError(f"deliver: device = {device!r}; valid: {', '.join(map(repr, kinds))}")
    follow = max(duration + 86400.0, 2 * 86400.0)
    kw: Dict[str, Any] = dict(agent=agent, duration=duration, session=1, when=when, volume=volume,
                              occluded=occluded)
    if concentration is None:  # 1 % w/v, or what dissolves in the vehicle
        from . import _core

        ag = _core.agent_preset(agent)
        concentration = min(10.0, ag.solubility * ag.vehicle_partition)
    kw["concentration"] = concentration
    top = Topical(**kw)
    start = duration if when == "before" else 0.0  # room for it before the needling
    return Scenario(skin=Skin.preset(site), device=kinds[device](length_mm),
                    protocol=Protocol(sessions=1, follow_up=f"{follow} s", start=f"{start} s"), course=[top],
                    title=f"{agent} {when} {length_mm} mm {device}")


def deliver(agent: str = "caffeine", lengths: Sequence[float] = (0.25, 0.5, 1.0, 1.5), when: str = "after",
            device: str = "pen", site: str = "face", concentration: Any = None, duration: Any = "30 min",
            volume: Any = "10 uL/cm^2", occluded: bool = False) -> DeliveryResult:
    """Delivery of ``agent`` for each needle length (mm; 0 or the intact column of every run =
    intact skin): amount into the skin and the dermis during the application, what is in each
    layer when it is wiped off, cleared, enhancement over intact skin, lag time. ``when``:
    "after", "during" (a gliding serum) or "before" (ending at the needling)."""
    import pandas as pd

    from . import simulate

    if when not in ("after", "during", "before"):
        raise InvalidArgumentError(f"deliver: when = {when!r}; valid: 'after', 'during', 'before'")
    dur = _units.parse(duration, "time", "duration")
    for x in lengths:
        if not np.isfinite(float(x)) or float(x) < 0 or float(x) > 3:
            raise InvalidArgumentError(f"deliver: lengths: {x!r} mm is out of range; valid: [0, 3] mm "
                                       f"(0: intact skin, computed alongside every run)")
    lens = sorted({float(x) for x in lengths if float(x) > 0})
    if not lens:
        raise InvalidArgumentError("deliver: lengths needs at least one needle length > 0 mm (0: intact skin, "
                                   "computed alongside every run)")
    rows, profiles, flux, scenarios = [], {}, {}, []
    layers: List[float] = []
    for L in lens:
        sc = _scenario(agent, L, when, device, site, concentration, dur, volume, occluded)
        app = sc.course[0].to_cpp(sc.protocol.session_times)[0]
        t_end = app.time + app.duration
        r = simulate(sc, snapshots=[t_end - 1e-6 * max(1.0, t_end)])
        scenarios.append(sc)
        a = r.tables["applications"].iloc[0]
        sess = r.tables["sessions"].iloc[0]
        z = r.grid["z"] / 1e-6
        layers = [x / 1e-6 for x in sc.skin.interfaces]
        c = np.asarray(r.fields["topical"])[-1].reshape(len(z), -1).mean(axis=1)
        profiles[L] = (z, c)
        # the flux panel: the same agent as an infinite dose (1 mL/cm²) for 24 h, so the flux
        # follows the channels closing down to the intact-skin flux
        fl = _scenario(agent, L, when, device, site, concentration, 86400.0, "1 mL/cm^2", occluded)
        rf = simulate(fl)
        af = fl.course[0].to_cpp(fl.protocol.session_times)[0]
        m = (rf.outcome_times >= af.time - 1) & (rf.outcome_times <= af.time + af.duration + 1)
        tf = (rf.outcome_times[m] - af.time) / 3600.0
        flux[L] = (tf, rf.outcomes["topical_flux"][m] / _UG_CM2 * 3600.0)
        if not rows:  # intact skin, from the same run
            ci = np.asarray(r.fields["topical_intact"])[-1].reshape(len(z), -1).mean(axis=1)
            profiles[0.0] = (z, ci)
            flux[0.0] = (tf, rf.outcomes["topical_intact_flux"][m] / _UG_CM2 * 3600.0)
            rows.append({"needle (mm)": 0.0, "real depth (um)": 0.0,
                         "into skin (ug/cm2)": a["intact_delivered"] / _UG_CM2,
                         "into dermis (ug/cm2)": a["intact_delivered_dermis"] / _UG_CM2,
                         "in skin at end (ug/cm2)": float(np.sum(ci * np.diff(r.grid["z_faces"]))) / _UG_CM2,
                         "enhancement": 1.0, "enhancement dermis": 1.0, "lag (h)": a["intact_lag_time"] / 3600.0})
        rows.append({"needle (mm)": L, "real depth (um)": sess["real_depth"] / 1e-6,
                     "into skin (ug/cm2)": a["delivered"] / _UG_CM2,
                     "into dermis (ug/cm2)": a["delivered_dermis"] / _UG_CM2,
                     "in skin at end (ug/cm2)": a["in_skin_at_end"] / _UG_CM2,
                     "enhancement": a["enhancement"], "enhancement dermis": a["enhancement_dermis"],
                     "lag (h)": a["lag_time"] / 3600.0})
    table = pd.DataFrame(rows).set_index("needle (mm)")
    return DeliveryResult(table, profiles, flux, layers, agent, when, scenarios)


# -- command line ------------------------------------------------------------------------------------

def _lengths(text: str) -> List[float]:
    try:
        v = [float(x) for x in str(text).split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--lengths: expected mm values such as 0,0.25,0.5,1 (got {text!r})") from None
    if not v or any(not np.isfinite(x) or x < 0 or x > 3 for x in v):
        raise argparse.ArgumentTypeError(f"--lengths: each length must be in [0, 3] mm (got {text!r})")
    return v


def _cmd_deliver(args: argparse.Namespace) -> int:
    res = deliver(args.agent, args.lengths, when=args.when, device=args.device, site=args.site,
                  concentration=args.concentration, duration=args.duration, volume=args.volume,
                  occluded=args.occluded)
    os.makedirs(args.output, exist_ok=True)
    import pandas as pd

    with pd.option_context("display.float_format", "{:.4g}".format, "display.width", 160):
        print(f"{args.agent}, {args.when} needling ({args.device}, {args.site}); intact skin = 0 mm\n")
        print(res.table.to_string())
    csv = os.path.join(args.output, "delivery.csv")
    tmp = f"{csv}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(res.table.to_csv())
    os.replace(tmp, csv)
    if not args.no_plot:
        png = os.path.join(args.output, "delivery.png")
        res.plot(png)
        print(f"\nwrote {csv} and {png}")
    return 0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Registers ``dermasim deliver``."""
    from .course import agents

    d = subparsers.add_parser(
        "deliver", help="topical delivery through the needle channels vs needle length",
        description="Amount of an agent delivered into the skin and the dermis, the enhancement over intact "
                    "skin (computed in the same run), lag time and depth profiles, one run per needle length.")
    d.add_argument("--agent", default="caffeine", choices=agents(), help="agent preset (default caffeine)")
    d.add_argument("--lengths", type=_lengths, default=[0, 0.25, 0.5, 1, 1.5], metavar="MM[,MM...]",
                   help="needle lengths in mm; 0 = intact skin (default 0,0.25,0.5,1,1.5)")
    d.add_argument("--when", default="after", choices=("after", "during", "before"),
                   help="relative to the needling (default after)")
    d.add_argument("--device", default="pen", choices=("pen", "roller", "stamp"))
    d.add_argument("--site", default="face")
    d.add_argument("--concentration", default=None, help="e.g. '15 %%', '10 mg/mL' (default: the agent's 1 %% or "
                   "its solubility)")
    d.add_argument("--duration", default="30 min", help="on the skin before it is wiped off (default 30 min)")
    d.add_argument("--volume", default="10 uL/cm^2", help="vehicle per skin area (default 10 uL/cm^2)")
    d.add_argument("--occluded", action="store_true", help="occlusive vehicle or dressing")
    d.add_argument("-o", "--output", default="deliver_out", help="output directory (default deliver_out)")
    d.add_argument("--no-plot", action="store_true", help="skip the PNG")
    d.set_defaults(func=_cmd_deliver)
    return d
