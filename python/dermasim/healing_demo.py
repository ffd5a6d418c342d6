"""The default healing scenario of ``dermasim demo``.

Face (40 y, phototype III), clinical pen 1.5 mm, 4 sessions 4 weeks apart, 6 months follow-up,
1D depth column (laterally averaged injury). Prints the per-session, after-care and timeline
tables and writes plots of the time courses.
"""
from __future__ import annotations

import os
from typing import Any, Optional

DAY = 86400.0


def default_scenario(dimension: int = 1) -> Any:
    """The default scenario as a :class:`dermasim.Scenario` (its defaults are the C++ ones)."""
    from .scenario import Scenario

    return Scenario().with_values({"numerics.dimension": dimension})


def run(output: Optional[str] = None, dimension: int = 1, threads: int = 0, plots: bool = True) -> Any:
    """Run the default scenario; print the summary; write plots and an HDF5 file (+ XDMF) to
    ``output`` if given."""
    from . import _core
    from .results import Result

    sc = default_scenario(dimension)
    duration = sc.protocol.duration
    res = _core.simulate_healing(sc.to_cpp(), threads=threads, snapshot_times=[0.0, duration])
    print("dermasim demo: face, clinical pen 1.5 mm, 4 sessions 4 weeks apart, 6 months follow-up "
          f"({dimension}D)\n")
    print(res.summary_table())
    if output:
        os.makedirs(output, exist_ok=True)
        h5 = Result.from_cpp(res, sc, threads=threads or None).to_hdf5(os.path.join(output, "default_scenario.h5"))
        print(f"wrote {h5}")
        if plots:
            path = plot_time_courses(res, os.path.join(output, "healing_time_courses.png"))
            if path:
                print(f"wrote {path}")
    return res


def plot_time_courses(res: Any, path: str) -> Optional[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # plots are optional
        return None
    t = res.times / DAY
    s = res.series
    fig, ax = plt.subplots(2, 2, figsize=(11, 7))
    a = ax[0, 0]
    for k, lab in [("collagen_PD", "PD total"), ("collagen_I_PD", "PD I"), ("collagen_III_PD", "PD III"),
                   ("collagen_RD", "RD total")]:
        a.plot(t, 100 * s[k], label=lab)
    a.set_ylabel("collagen change (%)")
    a.legend()
    a = ax[0, 1]
    a.plot(t, 100 * s["elastin_PD"], label="PD")
    a.plot(t, 100 * s["elastin_RD"], label="RD")
    if "epidermal_thickness" in s:
        a.plot(t, 100 * s["epidermal_thickness"], "--", label="epidermal thickness")
    a.set_ylabel("elastin, epidermal thickness change (%)")
    a.legend()
    # the first 4 days after session 1, in hours: redness by mechanism, barrier, epidermis
    a = ax[1, 0]
    h = res.times / 3600.0
    w = h <= 96.0
    a.plot(h[w], s["erythema"][w], label="erythema index")
    if "erythema_flare" in s:
        a.plot(h[w], s["erythema_flare"][w], ":", label="  neurogenic flare")
        a.plot(h[w], s["erythema_inflammatory"][w], "--", label="  inflammatory")
    a.plot(h[w], s["open_fraction"][w] / max(1e-30, s["open_fraction"][w].max()), label="open channels (rel.)")
    a.plot(h[w], s["epidermal_damage"][w] / max(1e-30, s["epidermal_damage"][w].max()),
           label="epidermal damage (rel.)")
    a.axhline(0.1, color="0.6", lw=0.8)
    a.text(95, 0.11, "visible", ha="right", fontsize=7, color="0.4")
    s0 = res.sessions[0]  # the after-care windows of session 1 (docs/model.md §7.6)
    for x, lab in ((s0.barrier_recovered_after, "barrier back"), (s0.exercise_ok_after, "exercise ok")):
        if x == x and x / 3600.0 <= 96.0:
            a.axvline(x / 3600.0, color="0.3", ls="-.", lw=0.8)
            a.text(x / 3600.0, 0.95, " " + lab, fontsize=7, rotation=90, va="top")
    if s0.uv_sensitive_until == s0.uv_sensitive_until:
        a.text(95, 0.8, f"UV-sensitive until {s0.uv_sensitive_until / 3600.0:.0f} h", ha="right", fontsize=7)
    a.set_ylabel("-")
    a.set_title("first 4 days after session 1", fontsize=9)
    a.legend(fontsize=8)
    a = ax[1, 1]
    a.plot(t, s["neutrophils"] / 1e9, label="neutrophils")
    a.plot(t, s["macrophages_inflammatory"] / 1e9, label="M_I")
    a.plot(t, s["macrophages_repair"] / 1e9, label="M_R")
    a.set_ylabel("cells/mm³ (dermal mean)")
    a.legend()
    for a in ax.flat:
        a.set_xlabel("day")
    ax[1, 0].set_xlabel("hours after session 1")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
