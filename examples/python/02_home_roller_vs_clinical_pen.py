"""02 — Home roller vs clinical pen: one session each on the same face, followed for 8 weeks.

The home roller (0.25 mm, 192 needles, 15 passes) barely reaches the papillary dermis; the
clinical pen (1.5 mm depth setting) reaches the reticular dermis and bleeds. Compare erythema,
downtime and the collagen change of the papillary dermis (1D depth column: seconds per run).
"""
import dermasim as ds
from dermasim import plot

skin = ds.Skin.preset("face", age_years=45)
protocol = ds.Protocol(sessions=1, follow_up="8 weeks")
devices = {"home roller 0.25 mm": ds.Roller.home("0.25 mm"),
           "clinical pen 1.5 mm": ds.Pen.clinical("1.5 mm")}

results = {}
for name, dev in devices.items():
    res = ds.simulate(ds.Scenario(skin=skin, device=dev, protocol=protocol, seed=1))
    results[name] = res
    s = res.summary()["value"]
    print(f"{name:22s} real depth {s['real_depth'] * 1e6:6.0f} µm, erythema peak "
          f"{s['erythema_peak']:.2f}, downtime {s['downtime'] / 3600:5.1f} h, "
          f"PD collagen at 8 weeks {100 * s['collagen_PD_gain']:+.1f} %")

fig, ax = plot.outcomes(results["clinical pen 1.5 mm"], ["collagen_PD", "collagen_III_PD"])
plot.outcomes(results["home roller 0.25 mm"], ["collagen_PD"], ax=ax, sessions=False)
ax.lines[-1].set_label("collagen_PD (home roller)")
ax.legend(fontsize="small")
fig.savefig("roller_vs_pen.png", dpi=120)
print("wrote roller_vs_pen.png")
