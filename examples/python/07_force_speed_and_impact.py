"""07 — How hard, how fast: a hand stamp's depth vs its press force and speed, an impact
applicator's depth vs its impact velocity, and an insertion parameter swept in a scenario.

Uses the penetration stage only (milliseconds per row). ``dermasim.penetration`` takes
``force=``, ``speed=``, ``impact_velocity=`` and ``impact_mass=`` as one value or a list (rows
are the full factorial); unit strings work. Writes loading.png (the three panels of
``dermasim needles``) in the current directory.
"""
import dermasim as ds
from dermasim import needles

skin = ds.Skin.preset("forearm")

stamp = ds.penetration(skin, "stamp", force=["0.5 N", "1 N", "2 N", "5 N", "10 N", "20 N", "50 N"])
print("stamp (10 x 10 needles, 0.5 mm) pressed with a growing hand force")
print(stamp[["force_N", "force_per_needle_N", "depth_um", "deepest_layer", "puncture_probability", "limit"]]
      .to_string(index=False, float_format=lambda v: f"{v:.3g}"))

slow_fast = ds.penetration(skin, "stamp", force="2 N", speed=["1 mm/s", "10 mm/s", "0.1 m/s", "1 m/s"])
print("\nthe same stamp at 2 N, pressed faster (the rupture force falls with speed)")
print(slow_fast[["device_speed_m_s", "depth_um", "puncture_probability"]]
      .to_string(index=False, float_format=lambda v: f"{v:.3g}"))

app = ds.penetration(skin, "applicator", impact_velocity=["1 m/s", "2 m/s", "3 m/s", "5 m/s", "10 m/s"])
print("\nimpact applicator (5 g piston, 100 needles of 0.6 mm)")
print(app[["device_speed_m_s", "energy_per_needle_mJ", "depth_um", "deepest_layer", "limit"]]
      .to_string(index=False, float_format=lambda v: f"{v:.3g}"))

# insertion-model parameters are part of a scenario and can be swept by dotted name
sc = ds.Scenario(skin=skin, device=ds.Stamp(applied_force="10 N"), seed=1)
name = "penetration.insertion.friction_stress"
print(f"\n{name}: default {sc.get(name) / 1e3:g} kPa")
for v in ("1 kPa", "10 kPa", "100 kPa"):
    p = sc.with_values({name: v}).penetration
    d = ds.penetration(sc.skin, sc.device, params=p)["depth_um"][0]
    print(f"  {v:>7}: stamp at 10 N reaches {d:.0f} um")

tables = {"length": needles.needles_table(skin, ["0.25 mm", "0.5 mm", "1 mm"], "stamp", nx=16),
          "force": stamp, "speed": slow_fast}
png = needles.plot_loading(tables, skin, "loading.png", kind="stamp")
print(f"\nwrote {png}")
