"""08 — Vitamin C after a home roller, after a clinical pen, and on intact skin.

15 % L-ascorbic acid (10 µL/cm², 30 min, then wiped off) right after one session of a 0.5 mm
home roller or a 1.5 mm clinical pen; every run also computes the same application on intact
skin. Prints how much entered the skin and the dermis, the enhancement over intact skin, and
the after-care windows; plots the depth profiles at the end of the application and the flux.
"""
import numpy as np

import dermasim as ds

serum = dict(agent="ascorbic_acid", concentration="15 %", duration="30 min", session=1, when="after")
devices = {"home roller 0.5 mm": ds.Roller.home("0.5 mm"), "clinical pen 1.5 mm": ds.Pen.clinical("1.5 mm")}
dose = 150.0 * 10 * 1e-3 * 1e3  # 150 mg/mL x 10 uL/cm2 = 1500 ug/cm2
ug = 1e-9 / 1e-4  # kg/m2 per ug/cm2

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2))
for i, (name, dev) in enumerate(devices.items()):
    sc = ds.Scenario(device=dev, protocol=ds.Protocol(sessions=1, follow_up="10 days"), course=[ds.Topical(**serum)])
    r = ds.simulate(sc, snapshots=["29.9 min"])
    app = r.tables["applications"].iloc[0]
    ses = r.tables["sessions"].iloc[0]
    if i == 0:
        print(f"{'intact skin':22s} into skin {app['intact_delivered'] / ug:8.2f} ug/cm2 of {dose:.0f}, "
              f"into dermis {app['intact_delivered_dermis'] / ug:8.4f}")
    print(f"{name:22s} into skin {app['delivered'] / ug:8.2f} ug/cm2 of {dose:.0f}, into dermis "
          f"{app['delivered_dermis'] / ug:8.2f} (x{app['enhancement']:.0f} / x{app['enhancement_dermis']:.3g} "
          f"intact); barrier back after {ses['barrier_recovered_after'] / 3600:.1f} h, sweating fine after "
          f"{ses['exercise_ok_after'] / 3600:.1f} h, UV-sensitive for {ses['uv_sensitive_until'] / 86400:.1f} days")
    z = r.grid["z"] * 1e6
    c = r.fields["topical"][-1].reshape(len(z), -1).mean(axis=1)
    a.semilogy(z, np.maximum(c, 1e-9), label=name)
    if i == 0:
        ci = r.fields["topical_intact"][-1].reshape(len(z), -1).mean(axis=1)
        a.semilogy(z, np.maximum(ci, 1e-9), "k--", label="intact skin")
    m = r.outcome_times <= 1800 + 1
    b.plot(r.outcome_times[m] / 60, r.outcomes["topical_flux"][m] / ug * 3600, label=name)
    if i == 0:
        b.plot(r.outcome_times[m] / 60, r.outcomes["topical_intact_flux"][m] / ug * 3600, "k--", label="intact skin")
a.set(xlabel="depth (um)", ylabel="ascorbic acid in tissue (kg/m3)", title="at the end of the 30 min application")
b.set(xlabel="minutes", ylabel="flux into the skin (ug/cm2/h)", yscale="log", title="flux")
a.legend(fontsize=8)
b.legend(fontsize=8)
fig.tight_layout()
fig.savefig("vitamin_c.png", dpi=110)
print("wrote vitamin_c.png")
