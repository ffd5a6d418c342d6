"""01 — Compare needle lengths: how deep do the needles really go on the face, which layers do
they reach, and where does bleeding start?

Uses the device/penetration stage only (milliseconds per device): a clinical pen at depth
settings from 0.25 to 2.5 mm on a 55-year-old's forehead, and the same skin with a home roller.
Writes needles.png (real depth vs needle length over the skin layers) in the current directory.
"""
import dermasim as ds
from dermasim import plot

skin = ds.Skin.preset("forehead", age_years=55)
print(f"skin: {skin.site}, layer bottoms (mm):",
      ", ".join(f"{k} {z * 1e3:.3f}" for k, z in zip(ds.scenario.LAYER_KEYS, skin.interfaces)))

pen = ds.penetration(skin, "pen", lengths=["0.25 mm", "0.5 mm", "1 mm", "1.5 mm", "2 mm", "2.5 mm"])
print("\nclinical pen")
print(pen[["nominal_length_mm", "depth_um", "deepest_layer", "bleeding", "channels_per_cm2"]]
      .to_string(index=False, float_format=lambda v: f"{v:.3g}"))

roller = ds.penetration(skin, ds.Roller.home("0.5 mm"))
print(f"\nhome roller 0.5 mm: real depth {roller['depth_um'][0]:.0f} µm, reaches "
      f"{roller['deepest_layer'][0]}, {roller['channels_per_cm2'][0]:.0f} channels/cm²")

table, png = plot.needle_comparison(skin, "pen", lengths=["0.25 mm", "0.5 mm", "1 mm", "1.5 mm", "2 mm", "2.5 mm"],
                                    save="needles.png", nx=24)
first_bleeding = table.loc[table["bleeding"], "nominal_length_mm"].min()
print(f"\nbleeding starts at a depth setting of {first_bleeding:g} mm; wrote {png}")
