"""Train/test validation of the insertion mechanics (docs/model.md §3, docs/validation.md §1).

    python -m dermasim.validation_insertion [outdir]     (default: docs/figures)

Every row is a published measurement (shared/science/mechanics-data.md, calibration.md §1)
set against the model's prediction for the same needle, device and skin. **Training** rows fix
the free constants (each row names the constant it fits); **test** rows are predictions made
with those constants, never refitted. A quantitative test row passes within a factor 1.5 of the
measurement; a qualitative row passes when the stated relation holds. Every row is reported,
pass or not, with the reason for a failure in docs/validation.md.

Writes ``insertion_validation.png`` (predicted vs measured; depth vs hand force for the
hand-pressed arrays) and ``insertion_validation_table.md`` into ``outdir``.
"""
from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

#: Hand force of the hand-pressed arrays (D2, D3, Donnelly 2010): not reported by the studies;
#: 30 N is the middle of the 10–50 N bench range Larrañeta 2014 use to mimic hand insertion
#: (mechanics-data.md P4, A). The figure shows the whole 10–50 N band.
HAND_FORCE = 30.0
HAND_FORCE_RANGE = (10.0, 50.0)
FACTOR = 1.5  # test-row tolerance


@dataclass
class Row:
    id: str
    study: str
    quantity: str
    measured: float               # SI (or 1/0 for qualitative rows)
    unit: str                     # display unit of measured/predicted
    scale: float                  # SI -> display
    split: str                    # "train" or "test"
    predict: Callable[[dict], float]
    tol: Optional[float] = None   # train: relative tolerance; test: None = factor 1.5
    qualitative: bool = False
    fits: str = ""                # train: the constant(s) this row fixes
    grade: str = "A"
    note: str = ""
    by_form: bool = False         # holds by the model's form or monotonicity (reported, weak test)
    predicted: float = float("nan")
    passed: bool = False


def _c():
    from . import _core

    return _core


def _cone(c, L, base, tip, taper=0.0, shape="cone"):
    n = c.Needle()
    n.length, n.base_diameter, n.tip_radius, n.taper_length = L, base, tip, taper
    n.shape = getattr(c.NeedleShape, shape)
    return n


def _stamp(c, needle, n, pitch, force, speed):
    s = c.Stamp()
    s.rows = s.cols = n
    s.pitch, s.needle, s.applied_force, s.press_speed = pitch, needle, force, speed
    return c.Device(s)


def _hand_array(c, force):  # 11 x 11 arrays of 600 um needles, 300 um base (Donnelly group, R)
    return _stamp(c, _cone(c, 600e-6, 300e-6, 2.5e-6, shape="pyramid"), 11, 600e-6, force, 1e-3)


def _olatunji(c, pitch, speed):  # 600 um pyramids, 300 um base, pressed at 0.5/1 mm/s (R geometry)
    return _stamp(c, _cone(c, 600e-6, 300e-6, 2.5e-6, shape="pyramid"), 11, pitch, 500.0, speed)


def _nanopatch(c, v):  # Meliga 2017 micro-projection array (R geometry): 4 x 4 mm, 70 um pitch
    a = c.Applicator()
    a.rows = a.cols = 58
    a.pitch = 70e-6
    a.needle = _cone(c, 110e-6, 30e-6, 1e-6)
    a.impact_mass, a.impact_velocity = 35e-3, v
    return c.Device(a)


def _rat(ctx):
    """The hairless-rat preset; with ``rat_tearing_energy`` in ctx (leave-one-study-out) its
    fitted tearing energy is replaced by that value in every row that uses the rat."""
    s = ctx["c"].skin_preset("rat")
    if "rat_tearing_energy" in ctx:
        s.tearing_energy = ctx["rat_tearing_energy"]
    return s


def rows() -> List[Row]:
    """The validation rows (predictions are filled by :func:`run`)."""
    R: List[Row] = []

    def pf(tip):
        def f(ctx):
            c = ctx["c"]
            s = c.skin_preset("abdomen")
            p = ctx["params"]
            q = c.PenetrationParams()
            for n in c.PenetrationParams.names():
                q.set(n, p.get(n))
            q.set("penetration.puncture.reference_shear_modulus", c.epidermal_shear_modulus(s))
            return c.puncture_force(s, _cone(c, 1e-3, 200e-6, 0.5 * tip), 0.0, q)
        return f

    R.append(Row("R1", "Roemgens 2014", "puncture force, 5 um tip (ex vivo human)", 20e-3, "mN", 1e3, "train", pf(5e-6),
                 tol=0.02, fits="puncture.force_per_tip_diameter/area"))
    R.append(Row("R2", "Roemgens 2014", "puncture force, 37 um tip", 167e-3, "mN", 1e3, "train", pf(37e-6),
                 tol=0.02, fits="puncture.force_per_tip_diameter/area"))

    def tent(ctx):
        c = ctx["c"]
        d = _stamp(c, _cone(c, 1e-3, 140e-6, 4e-6), 1, 600e-6, 10.0, 1e-4)
        return c.penetrate(c.skin_preset("abdomen"), d, ctx["params"]).needle.puncture_tent

    R.append(Row("R3", "Roemgens 2014", "travel to the force drop (quasi-static)", 160e-6, "um", 1e6, "train", tent,
                 tol=0.10, fits="puncture.tent"))

    def lam(ctx):
        return ctx["params"].get("penetration.insertion.friction_stress") * 2 * math.pi * 50e-6 * 100e-6

    R.append(Row("R4", "Lam 2008", "force to retract a 100 um needle buried 100 um", 0.1e-3, "mN", 1e3, "train", lam,
                 tol=0.05, fits="insertion.friction_stress"))

    def kal(ctx, what="depth"):
        c = ctx["c"]
        r = c.penetrate(_rat(ctx), c.Device(c.kalluri_roller(770e-6)), ctx["params"]).needle
        return r.depth if what == "depth" else 2 * r.surface_radius

    R.append(Row("R5", "Kalluri 2011", "channel depth, 770 um DermaRoller, hairless rat", 152.5e-6, "um", 1e6, "train",
                 kal, tol=9.6 / 152.5, fits="skin.tearing_energy of the rat preset"))

    def kal_sd(ctx):
        c = ctx["c"]
        r = c.penetrate_events(_rat(ctx), c.Device(c.kalluri_roller(770e-6)), 6e-3, 6e-3, 11, 0,
                               ctx["params"])
        import numpy as np

        d = r["depth"][r["punctured"]]
        return float(np.std(d))

    R.append(Row("R6", "Kalluri 2011", "SD of channel depth", 9.6e-6, "um", 1e6, "train", kal_sd, tol=0.15,
                 fits="insertion.tearing_energy_cv"))

    # ---- test rows ----------------------------------------------------------------------
    def pen(L):
        return lambda ctx: ctx["c"].penetrate(ctx["c"].skin_preset("face"), ctx["c"].Device(ctx["c"].clinical_pen(L)),
                                              ctx["params"]).needle.depth

    R.append(Row("T1", "Sasaki 2019 (D1)", "pen channel depth at the 0.5 mm setting (human face, ex vivo)", 0.5e-3, "um",
                 1e6, "test", pen(0.5e-3), note="'closely approximated' the setting; no spread given"))
    R.append(Row("T2", "Sasaki 2019 (D1)", "pen channel depth at the 1.5 mm setting", 1.5e-3, "um", 1e6, "test",
                 pen(1.5e-3)))

    def hand(ctx, force=HAND_FORCE):
        c = ctx["c"]
        return c.penetrate(c.skin_preset("forearm"), _hand_array(c, force), ctx["params"]).needle.depth

    R.append(Row("T3", "Donnelly 2014 (D2)", "hand-pressed 600 um array, depth in vivo (OCT)", 300e-6, "um", 1e6,
                 "test", hand, note=f"hand force not reported: {HAND_FORCE:g} N assumed (P4 range midpoint); array geometry R"))
    R.append(Row("T4", "Vicente-Perez 2016 (D3)", "self-applied 600 um array, mean depth (OCT)", 237e-6, "um", 1e6,
                 "test", hand, note="as T3"))
    R.append(Row("T5", "Donnelly 2010", "600 um Gantrez MN in human skin in vivo (OCT)", 460e-6, "um", 1e6, "test",
                 hand, note="as T3"))

    def fp_array(ctx):
        c = ctx["c"]
        return c.penetrate(c.skin_preset("forearm"), _hand_array(c, HAND_FORCE), ctx["params"]).needle.puncture_force

    R.append(Row("T6", "Donnelly 2010", "force per MN to penetrate (600 um Gantrez, neonatal pig)", 0.03,
                 "mN", 1e3, "test", fp_array, note="'> 0.03 N per microneedle'; forearm preset as the pig-skin proxy (P); "
                 "tip radius 2.5 um assumed (R), R1's tip: a consistency check"))

    def ola(pitch, speed):
        return lambda ctx: ctx["c"].penetrate(ctx["c"].skin_preset("forearm"), _olatunji(ctx["c"], pitch, speed),
                                              ctx["params"]).needle.puncture_force

    R.append(Row("T7", "Olatunji 2013", "insertion force per MN, 330 um tip spacing, 0.5 mm/s", 0.030, "mN", 1e3, "test",
                 ola(330e-6, 0.5e-3), note="tip radius 2.5 um assumed (R), R1's tip: T7-T10 check the transfer "
                 "(pyramid, skin, shielding) more than the tip law"))
    R.append(Row("T8", "Olatunji 2013", "insertion force per MN, 900 um tip spacing, 0.5 mm/s", 0.028, "mN", 1e3, "test",
                 ola(900e-6, 0.5e-3)))
    R.append(Row("T9", "Olatunji 2013", "insertion force per MN, 330 um, 1.0 mm/s", 0.0216, "mN", 1e3, "test",
                 ola(330e-6, 1e-3), note="measured 28 % below the 0.5 mm/s value; the model's rate law gives < 1 %"))
    R.append(Row("T10", "Olatunji 2013", "insertion force per MN, 900 um, 1.0 mm/s", 0.0214, "mN", 1e3, "test",
                 ola(900e-6, 1e-3)))

    def ola_flat(ctx):  # spacing matters only below ~150 um gap: F(450 um pitch)/F(900 um pitch) < 1.05
        a = ola(450e-6, 0.5e-3)(ctx)
        b = ola(900e-6, 0.5e-3)(ctx)
        ctx["ola_ratio"] = a / b
        return 1.0 if a / b < 1.05 else 0.0

    R.append(Row("T11", "Olatunji 2013", "spacing hardly matters above a 150 um gap (force ratio 450/900 um pitch < 1.05)",
                 1.0, "", 1.0, "test", ola_flat, qualitative=True))

    def potts(ctx):  # spacing penalty switches on below 2-3 mm: F(1 mm)/F(5 mm) > 1.10
        c = ctx["c"]
        n = _cone(c, 600e-6, 300e-6, 2.5e-6, shape="pyramid")
        a = c.penetrate(c.skin_preset("forearm"), _stamp(c, n, 11, 1e-3, 500.0, 1e-3), ctx["params"]).needle.puncture_force
        b = c.penetrate(c.skin_preset("forearm"), _stamp(c, n, 11, 5e-3, 500.0, 1e-3), ctx["params"]).needle.puncture_force
        ctx["potts_ratio"] = a / b
        return 1.0 if a / b > 1.10 else 0.0

    R.append(Row("T12", "Potts 2023 (P1)", "per-needle force rises significantly below 2-3 mm spacing (ratio 1/5 mm > 1.1)",
                 1.0, "", 1.0, "test", potts, qualitative=True, note="FE study"))
    R.append(Row("T13", "Kalluri 2011", "channel surface diameter, 770 um roller (rat)", 70.7e-6, "um", 1e6, "test",
                 lambda ctx: kal(ctx, "mouth")))

    def kal370(ctx):
        c = ctx["c"]
        s = _rat(ctx)
        a = c.penetrate(s, c.Device(c.kalluri_roller(370e-6)), ctx["params"]).needle.depth
        b = c.penetrate(s, c.Device(c.kalluri_roller(770e-6)), ctx["params"]).needle.depth
        return 1.0 if 0 < a < b else 0.0

    R.append(Row("T14", "Kalluri 2011", "370 um needles make shallower channels than 770 um", 1.0, "", 1.0, "test", kal370,
                 qualitative=True, by_form=True))

    def lam_buried(ctx):
        c = ctx["c"]
        worst = 0.0
        for L in (0.3e-3, 0.5e-3, 0.7e-3, 0.9e-3):
            # Lam's rig: a bare needle driven a set displacement by an actuator that does not
            # touch the skin (stroke-driven, no support near the needle: nose 50 mm away)
            pen = c.Pen()
            pen.needles, pen.depth, pen.needle_speed, pen.motor_force, pen.nose_radius = 1, L, 1e-3, 1000.0, 50e-3
            pen.needle = _cone(c, 3e-3, 100e-6, 4e-6, taper=100e-6)  # R4's 100 um needle, short tip [R]
            worst = max(worst, c.penetrate(c.skin_preset("forearm"), c.Device(pen), ctx["params"]).needle.depth / L)
        ctx["lam_fraction"] = worst
        return 1.0 if worst < 0.5 else 0.0

    R.append(Row("T15", "Lam 2008", "buried length < 50 % of the nominal insertion below 1 mm (single needle)", 1.0, "",
                 1.0, "test", lam_buried, qualitative=True,
                 note="pig skin (forearm preset as proxy); displacement-controlled bare needle"))

    def davis(ctx):
        c = ctx["c"]
        import numpy as np

        s = c.skin_preset("forearm")
        d = np.arange(60e-6, 221e-6, 20e-6)
        F = np.array([c.puncture_force(s, _cone(c, 1e-3, 600e-6, 0.5 * x), 0.0, ctx["params"]) for x in d])
        A = np.pi * d ** 2 / 4
        r2 = np.corrcoef(A, F)[0, 1] ** 2
        return 1.0 if (r2 > 0.97 and F.min() > 0.1 and F.max() < 3.0) else 0.0

    R.append(Row("T16", "Davis 2004", "force linear in tip area, 0.1-3 N (R^2 > 0.97)", 1.0, "", 1.0, "test", davis,
                 qualitative=True, by_form=True))

    def meliga(v):
        return lambda ctx: ctx["c"].penetrate(_rat(ctx), _nanopatch(ctx["c"], v),
                                              ctx["params"]).energy_share

    R.append(Row("T17", "Meliga 2017 (V1)", "share of impact energy into the skin at 2 m/s", 0.05, "%", 100, "test",
                 meliga(2.0), note="micro-projection array on murine ear; geometry R; rat preset as proxy"))
    R.append(Row("T18", "Meliga 2017 (V1)", "share of impact energy into the skin at 10 m/s", 0.55, "%", 100, "test",
                 meliga(10.0)))

    def roem_depth(ctx):  # mean depth at 1.5 mm displacement similar for all tips (5-37 um): within 20 %
        c = ctx["c"]
        s = c.skin_preset("abdomen")
        ds = [c.penetrate(s, _stamp(c, _cone(c, 1.5e-3, 200e-6, 0.5 * t), 1, 600e-6, 10.0, 1e-3),
                          ctx["params"]).needle.depth for t in (5e-6, 37e-6)]
        return 1.0 if max(ds) <= 1.2 * min(ds) and min(ds) > 0 else 0.0

    R.append(Row("T19", "Roemgens 2014", "depth after 1.5 mm travel similar for 5 and 37 um tips (within 20 %)", 1.0, "",
                 1.0, "test", roem_depth, qualitative=True, by_form=True))

    def clinic_pen(ctx):
        c = ctx["c"]
        f = c.skin_preset("face")
        ok = True
        for L in (1.5e-3, 2.0e-3, 2.5e-3):
            n = c.penetrate(f, c.Device(c.clinical_pen(L)), ctx["params"]).needle
            ok = ok and n.bleeding and int(n.deepest_layer) >= 3
        return 1.0 if ok else 0.0

    R.append(Row("T20", "clinical practice (S)", "1.5-2.5 mm pens reach the reticular dermis and bleed", 1.0, "", 1.0,
                 "test", clinic_pen, qualitative=True, grade="S"))

    def n1(ctx):  # sharp-tip puncture pressure falls as the tip diameter rises
        c = ctx["c"]
        s = c.skin_preset("abdomen")
        pr = [c.puncture_force(s, _cone(c, 1e-3, 200e-6, 0.5 * d), 0.0, ctx["params"]) / (math.pi * d * d / 4)
              for d in (5e-6, 10e-6, 20e-6, 37e-6)]
        return 1.0 if all(a > b for a, b in zip(pr, pr[1:])) else 0.0

    R.append(Row("T21", "Shergold & Fleck 2005 (N1)", "sharp-tip puncture pressure falls as the tip diameter rises", 1.0,
                 "", 1.0, "test", n1, qualitative=True, by_form=True))

    def p3(ctx):  # patches insert by hand without an applicator: every needle punctures at 10-50 N
        c = ctx["c"]
        s = c.skin_preset("forearm")
        return 1.0 if all(c.penetrate(s, _hand_array(c, f), ctx["params"]).puncture_probability > 0.95
                          for f in (10.0, 30.0, 50.0)) else 0.0

    R.append(Row("T22", "Arya 2017 (P3)", "hand pressure (10-50 N) punctures with every needle of a 600 um array", 1.0, "",
                 1.0, "test", p3, qualitative=True))

    def n5(ctx):  # friction share of the insertion force of a hypodermic needle (25 G, 5 mm deep)
        c = ctx["c"]
        pen = c.Pen()
        pen.needles, pen.depth, pen.needle_speed, pen.motor_force, pen.nose_radius = 1, 5e-3, 1e-3, 1000.0, 50e-3
        pen.depth_max = 5e-3
        pen.needle = _cone(c, 5e-3, 500e-6, 10e-6, taper=1.0e-3)
        r = c.penetrate(c.skin_preset("abdomen"), c.Device(pen), ctx["params"]).needle
        tau = ctx["params"].get("penetration.insertion.friction_stress")
        # friction = 2 pi tau_f * integral of r over the buried length (closed form for cone + cylinder)
        d, t, rt, rb = r.depth, 1.0e-3, 10e-6, 250e-6
        I = rt * t + 0.5 * (rb - rt) * t + rb * max(0.0, d - t) if d > t else rt * d + 0.5 * (rb - rt) / t * d * d
        return 2 * math.pi * tau * I / r.insertion_force

    R.append(Row("T23", "Barnett et al. (N5)", "friction share of the insertion force (hypodermic needle)", 0.21, "%", 100,
                 "test", n5, note="25 G, 5 mm deep (R geometry); tearing 61 %, spreading 18 % measured"))
    R.append(Row("-", "Yang 2004; Lee 2016; Cai 2022 (N2-N4)", "vibration/rotation lower the insertion force 40-70 %",
                 1.0, "", 1.0, "n/a", lambda ctx: 0.0, qualitative=True,
                 note="not applicable: no device in the model vibrates or rotates its needles; not counted"))
    return R


def _ratio_ok(pred: float, meas: float) -> bool:
    return pred > 0 and meas > 0 and 1.0 / FACTOR <= pred / meas <= FACTOR


def run(params=None, **ctx_extra) -> List[Row]:
    """Predictions and pass/fail of every row with the default (or given) parameters."""
    c = _c()
    ctx: Dict = dict(c=c, params=params or c.PenetrationParams(), **ctx_extra)
    out = rows()
    for r in out:
        r.predicted = float(r.predict(ctx))
        if r.qualitative:
            r.passed = r.predicted == 1.0
        elif r.split == "train":
            r.passed = abs(r.predicted / r.measured - 1.0) <= r.tol
        else:
            r.passed = _ratio_ok(r.predicted, r.measured)
    return out


def leave_one_study_out() -> List[dict]:
    """For each training study whose constants have a fallback, the prediction of its own row
    and the median |log10(pred/meas)| over the quantitative test rows without it."""
    c = _c()
    res = []
    base = run()
    def med_err(rs):
        import numpy as np

        e = [min(2.0, abs(math.log10(r.predicted / r.measured))) if r.predicted > 0 else 2.0
             for r in rs if r.split == "test" and not r.qualitative]  # 0 counts as a factor 100
        return float(np.median(e)) if e else float("nan")
    res.append(dict(left_out="(none)", fallback="", own_row="", median_log_error=med_err(base)))
    # Kalluri: G_c of the rat falls back to the human needle value
    human = c.skin_preset("forearm").tearing_energy
    r = run(rat_tearing_energy=human)
    own = next(x for x in r if x.id == "R5")
    res.append(dict(left_out="Kalluri 2011", fallback=f"rat G_c = human {human / 1e3:g} kJ/m2",
                    own_row=f"R5 predicted {own.predicted * 1e6:.0f} um vs 152.5 um", median_log_error=med_err(r)))
    # Lam: no shaft friction
    p = c.PenetrationParams()
    p.set("penetration.insertion.friction_stress", 0.0)
    r = run(params=p)
    res.append(dict(left_out="Lam 2008", fallback="tau_f = 0", own_row="R4 predicted 0 mN vs 0.1 mN",
                    median_log_error=med_err(r)))
    return res


def table(rs: List[Row]) -> str:
    lines = ["| row | split | study | quantity | measured | predicted | pass | fits / note |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rs:
        if r.qualitative:
            meas, pred = "holds", ("holds" if r.predicted == 1.0 else "does not hold")
        else:
            meas = f"{r.measured * r.scale:.4g} {r.unit}"
            pred = f"{r.predicted * r.scale:.4g} {r.unit}"
        note = r.fits if r.split == "train" else r.note
        lines.append(f"| {r.id} | {r.split} | {r.study} | {r.quantity} | {meas} | {pred} | "
                     f"{'yes' if r.passed else '**no**'} | {note} |")
    test = [r for r in rs if r.split == "test"]  # rows marked n/a are reported, not counted
    ntest = sum(r.passed for r in test)
    ntrain = sum(r.passed for r in rs if r.split == "train")
    lines.append("")
    lines.append(f"Training rows within tolerance: {ntrain}/{sum(r.split == 'train' for r in rs)}; "
                 f"test rows passing: {ntest}/{len(test)} ({100 * ntest / len(test):.0f} %).")
    strict = [r for r in test if not r.by_form]
    quant = [r for r in test if not r.qualitative]
    lines.append(f"Without the rows that hold by the model's form (T14, T16, T19, T21): "
                 f"{sum(r.passed for r in strict)}/{len(strict)} "
                 f"({100 * sum(r.passed for r in strict) / len(strict):.0f} %); quantitative rows within a factor "
                 f"{FACTOR:g}: {sum(r.passed for r in quant)}/{len(quant)} "
                 f"({100 * sum(r.passed for r in quant) / len(quant):.0f} %).")
    return "\n".join(lines)


def figure(rs: List[Row], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    c = _c()
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 5))
    q = [r for r in rs if not r.qualitative]
    lo = min(min(r.measured * r.scale, max(r.predicted * r.scale, 1e-3)) for r in q) / 2
    hi = max(max(r.measured * r.scale, r.predicted * r.scale) for r in q) * 2
    x = np.geomspace(lo, hi, 10)
    ax.fill_between(x, x / FACTOR, x * FACTOR, color="0.9", label="within a factor 1.5")
    ax.plot(x, x, "k-", lw=0.8)
    for r in q:
        y = max(r.predicted * r.scale, lo * 1.05)
        mk = "s" if r.split == "train" else "o"
        col = "tab:blue" if r.split == "train" else ("tab:green" if r.passed else "tab:red")
        ax.plot(r.measured * r.scale, y, mk, color=col, ms=7)
        ax.annotate(r.id, (r.measured * r.scale, y), textcoords="offset points", xytext=(4, 3), fontsize=7)
    ax.plot([], [], "s", color="tab:blue", label="training row (fitted)")
    ax.plot([], [], "o", color="tab:green", label="test row, passes")
    ax.plot([], [], "o", color="tab:red", label="test row, fails")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("measured (row unit: um, mN or %)")
    ax.set_ylabel("predicted")
    ax.set_title("Insertion mechanics: predicted vs measured")
    ax.legend(fontsize=8, loc="upper left")
    # depth vs hand force for the hand-pressed arrays, with the measured depths
    F = np.geomspace(1, 100, 40)
    ctx = dict(c=c, params=c.PenetrationParams())
    d = [c.penetrate(c.skin_preset("forearm"), _hand_array(c, f), ctx["params"]).needle.depth * 1e6 for f in F]
    bx.plot(F, d, "k-", label="model: 11 x 11 array of 600 um needles, forearm")
    for rid, col in (("T3", "tab:orange"), ("T4", "tab:purple"), ("T5", "tab:brown")):
        r = next(x for x in rs if x.id == rid)
        bx.axhline(r.measured * 1e6, color=col, ls="--", label=f"{r.id} {r.study}: {r.measured * 1e6:.0f} um")
    bx.axvspan(*HAND_FORCE_RANGE, color="0.92", label="10-50 N hand-insertion range (Larraneta 2014)")
    bx.axvline(HAND_FORCE, color="0.5", lw=0.8)
    bx.set_xscale("log")
    bx.set_xlabel("hand force on the array (N)")
    bx.set_ylabel("channel depth (um)")
    bx.set_ylim(0, 650)
    bx.set_title("Hand-pressed arrays: depth vs force")
    bx.legend(fontsize=7, loc="upper left")
    from .validation_healing import finish

    finish(fig, path)


def main(outdir: str = "docs/figures") -> int:
    from .validation_healing import save

    rs = run()
    lo = leave_one_study_out()
    txt = table(rs) + "\n\nLeave one training study out (median |log10(pred/meas)| over the quantitative test rows, capped at 2):\n\n"
    txt += "| left out | fallback | its own row | median log10 error |\n|---|---|---|---|\n"
    for x in lo:
        txt += f"| {x['left_out']} | {x['fallback']} | {x['own_row']} | {x['median_log_error']:.3f} |\n"
    return save(outdir, "insertion", rs, figure, txt)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
