"""06 — Reading a result file with xarray (and h5py): the layout, units, the stored scenario.

Runs a short 1D scenario, writes run.h5, then opens it the way a collaborator would."""
import h5py

import dermasim as ds

ds.simulate(ds.Scenario(device=ds.Pen.clinical("1 mm"), protocol=ds.Protocol(sessions=1, follow_up="4 weeks")),
            snapshots=["0 s", "1 day", "4 weeks"]).to_hdf5("run.h5")

x = ds.open_dataset("run.h5")
print(x)
print("\nunits of collagen_PD:", x["collagen_PD"].attrs["units"])
sc = ds.Scenario.from_json(x.attrs["scenario"])            # the exact scenario of the run
print("scenario:", sc.device.type, sc.device.needle_length * 1e3, "mm; seed", x.attrs["seed"])
name = list(x.data_vars)[0]
prof = x[name].isel(time=-1).mean(("x", "y")).groupby("layer").mean()
print(f"\n{name} by layer at the last snapshot:\n{prof.to_series().to_string()}")
with h5py.File("run.h5") as h:
    print("\nHDF5 groups:", list(h), "| fields:", list(h["fields"]), "| chunks:", h["fields"][name].chunks)
