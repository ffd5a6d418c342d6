"""Regenerates the healing-model validation figures of docs/validation.md (``make validation``).

    python -m dermasim.validation [outdir]     (default: docs/figures)

Each figure sets a simulated outcome (1D column, default face, devices from the device stage)
against a calibration target of shared/science/calibration.md; a Markdown table of the values
is written beside the figures (validation_table.md).
"""
from __future__ import annotations

import os
import sys

H, DAY, WEEK, MONTH = 3600.0, 86400.0, 7 * 86400.0, 30.4375 * 86400.0


def _core():
    from . import _core as c

    return c


def _run(device, n, interval, follow_up, **patch):
    c = _core()
    sc = c.HealingScenario.regular(device, n, interval, follow_up)
    for k, v in patch.items():
        setattr(sc, k, v)
    return c.simulate_healing(sc)


def _at(res, name, t):
    import numpy as np

    i = int(np.argmin(abs(res.times - t)))
    return float(res.series[name][i])


def main(outdir: str = "docs/figures") -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    c = _core()
    os.makedirs(outdir, exist_ok=True)
    rows = []

    # 1) early course after one 1.5 mm session: erythema, channels, epidermis
    r = _run(c.clinical_pen(1.5e-3), 1, 4 * WEEK, 2 * WEEK)
    s = r.sessions[0]
    t = r.times / H
    m = t <= 168
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(t[m], r.series["erythema"][m], label="erythema index")
    ax.plot(t[m], r.series["open_fraction"][m] / r.series["open_fraction"].max(), label="open channels (rel.)")
    ax.plot(t[m], r.series["epidermal_damage"][m] / r.series["epidermal_damage"].max(), label="epidermal damage (rel.)")
    ax.axvspan(24, 72, color="r", alpha=0.1, label="erythema resolves 24-72 h (clinical)")
    ax.axvline(120, color="k", ls=":", label="epidermis recovered ~day 5 (Schmitt 2018)")
    ax.axhline(0.1, color="grey", lw=0.8)
    ax.set_xlabel("hours after session")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "early_course.png"), dpi=110)
    plt.close(fig)
    rows += [("erythema resolved (1.5 mm)", f"{s.erythema_resolved_after / H:.0f} h", "24-72 h"),
             ("epidermis 90 % recovered", f"{s.epidermis_recovered_after / DAY:.1f} d", "~5 d"),
             ("channels 90 % closed, unoccluded", f"{s.channels_closed_after / H:.1f} h", "< 2 h reseal (Gupta 2011); hours")]

    # 2) Lotfi 2013 and El-Domyati 2015
    lot = _run(c.clinical_pen(1.5e-3), 5, MONTH, 8 * WEEK)
    lc = float(lot.series["collagen_PD"][-1])
    eld = _run(c.clinical_pen(1.5e-3), 6, 2 * WEEK, 3 * MONTH)
    last = eld.sessions[-1].time
    vals = {k: [_at(eld, k, last + mm * MONTH) for mm in (1, 3)]
            for k in ("collagen_I_PD", "collagen_III_PD", "elastin_PD")}
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.6))
    ax[0].bar(["simulated"], [100 * lc])
    ax[0].errorbar(["Lotfi 2013"], [53.2], yerr=[15], fmt="o", color="k")
    ax[0].set_ylabel("papillary collagen change (%)")
    ax[0].set_title("5 monthly sessions, +8 weeks")
    x = range(3)
    ax[1].bar([i - 0.2 for i in x], [100 * vals[k][0] for k in vals], 0.4, label="1 month")
    ax[1].bar([i + 0.2 for i in x], [100 * vals[k][1] for k in vals], 0.4, label="3 months")
    ax[1].set_xticks(list(x), ["col I", "col III", "elastin"])
    ax[1].axhline(0, color="k", lw=0.8)
    ax[1].set_title("6 sessions 2 wk apart (El-Domyati 2015: I, III up; elastin down)")
    ax[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "collagen_elastin.png"), dpi=110)
    plt.close(fig)
    rows += [("PD collagen 8 wk after 5 monthly sessions", f"{100 * lc:+.1f} %", "+53.2 % ± 15 (Lotfi 2013)")]
    for k in vals:
        rows.append((f"{k} at 1 / 3 months (El-Domyati)", f"{100 * vals[k][0]:+.1f} / {100 * vals[k][1]:+.1f} %",
                     "up" if "collagen" in k else "down"))

    # 2b) epidermal thickness: Aust 2008 (fitted, 4 monthly sessions, 1 year) and Lotfi 2013 (check)
    aus = _run(c.clinical_pen(1.5e-3), 4, MONTH, 12 * MONTH)
    ha = float(aus.series["epidermal_thickness"][-1])
    hl = float(lot.series["epidermal_thickness"][-1])
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.plot(aus.times / DAY, 100 * aus.series["epidermal_thickness"], label="epidermal thickness (model)")
    ax.plot(aus.times / DAY, 100 * aus.series["collagen_PD"], ":", label="PD collagen (model)")
    t_a = aus.times[-1] / DAY
    ax.errorbar([t_a], [40], yerr=[15], fmt="o", color="k", label="Aust 2008: +40 % at 1 year (fitted)")
    ax.set_xlabel("days (4 monthly sessions)")
    ax.set_ylabel("change (%)")
    ax.legend(fontsize=7)
    ax.set_title(f"Lotfi 2013 check (5 monthly + 8 wk): model {100 * hl:+.1f} %, reported +50 %", fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "epidermis.png"), dpi=110)
    plt.close(fig)
    rows += [("epidermal thickness 1 year after 4 monthly sessions", f"{100 * ha:+.1f} %", "+40 % ± 15 (Aust 2008, fitted)"),
             ("epidermal thickness 8 wk after 5 monthly sessions", f"{100 * hl:+.1f} %", "+50 % ± 20 (Lotfi 2013, not fitted)")]

    # 3) trends: depth and home roller, phototype
    depths = [0.25e-3, 0.5e-3, 1.0e-3, 1.5e-3, 2.0e-3]
    gains, bleed = [], []
    for L in depths:
        rr = _run(c.clinical_pen(L), 1, 4 * WEEK, 8 * WEEK)
        gains.append(100 * float(rr.series["collagen_PD"][-1]))
        bleed.append(rr.sessions[0].bleeding_points_per_cm2)
    roll = [100 * float(_run(c.home_roller(L), 4, 4 * WEEK, 3 * MONTH).series["collagen_PD"][-1]) for L in (0.25e-3, 0.5e-3)]
    pen4 = 100 * float(_run(c.clinical_pen(1.5e-3), 4, 4 * WEEK, 3 * MONTH).series["collagen_PD"][-1])
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.6))
    ax[0].plot([1e3 * L for L in depths], gains, "o-", label="PD collagen at 8 wk (%)")
    ax2 = ax[0].twinx()
    ax2.plot([1e3 * L for L in depths], bleed, "s--", color="r", label="bleeding /cm²")
    ax[0].set_xlabel("pen depth setting (mm)")
    ax[0].legend(loc="upper left", fontsize=7)
    ax2.legend(loc="lower right", fontsize=7)
    ax[1].bar(["roller 0.25", "roller 0.5", "pen 1.5"], roll + [pen4])
    ax[1].set_ylabel("PD collagen, 4 sessions + 3 months (%)")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "trends.png"), dpi=110)
    plt.close(fig)
    rows += [("PD collagen vs depth 0.25-2 mm (1 session, 8 wk)", " / ".join(f"{g:+.1f}" for g in gains) + " %", "increasing"),
             ("home roller 0.25 / 0.5 mm vs pen 1.5 mm", f"{roll[0]:+.1f} / {roll[1]:+.1f} vs {pen4:+.1f} %", "clearly less")]

    with open(os.path.join(outdir, "validation_table.md"), "w") as f:
        f.write("| outcome | simulated | target |\n|---|---|---|\n")
        for a, b, t_ in rows:
            f.write(f"| {a} | {b} | {t_} |\n")
    for a, b, t_ in rows:
        print(f"{a:55s} {b:28s} target {t_}")
    print(f"wrote figures and validation_table.md to {outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
