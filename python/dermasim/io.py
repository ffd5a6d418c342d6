"""Result files: HDF5 (one file per run) with an XDMF sidecar for ParaView, read back as xarray.

Layout (docs/guide.md, "File layout")::

    /grid/x, /grid/y, /grid/z            cell centres (m); z is depth, 0 at the surface, inward
    /grid/x_faces, /grid/y_faces, /grid/z_faces   cell faces (m)
    /grid/layer                          layer index (0 SC … 4 HY) of each z cell (optional)
    /times                               snapshot times (s), extendable
    /fields/<name>                       (t, z, y, x) float64, chunked one snapshot per chunk,
                                         shuffle + gzip
    /outcomes/time                       outcome sampling times (s), extendable
    /outcomes/<metric>                   one value per /outcomes/time
    /summary/<metric>                    scalar results of the run (e.g. final collagen gain)
    /tables/<table>/<column>             small tables (e.g. one row per session); column order
                                         in the group attribute ``columns``
    root attributes: format ("dermasim-result"), format_version, version (library),
                     scenario (JSON), units (JSON: name → unit), seed, threads, complete
                     (0 while a run is being written or after an interruption), title

Files are written atomically: to a temporary file in the same directory, renamed onto the
final name by :meth:`ResultWriter.close`. A sidecar ``<name>.xdmf`` (XDMF 3, rectilinear grid
with a temporal collection) lets ParaView open the run.
"""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple

import numpy as np

from ._core import FileFormatError, InvalidArgumentError
from .config import temp_beside

__all__ = ["ResultWriter", "open_dataset", "read_result", "write_xdmf", "FORMAT", "FORMAT_VERSION"]

FORMAT = "dermasim-result"
FORMAT_VERSION = 1
LAYER_KEYS = ("SC", "VE", "PD", "RD", "HY")


def _faces_from_centres(c: np.ndarray, length: Optional[float] = None) -> np.ndarray:
    c = np.asarray(c, dtype=float)
    if c.size == 1:
        h = length if length else 1.0
        return np.array([c[0] - h / 2, c[0] + h / 2])
    h = np.diff(c)
    return np.concatenate([[c[0] - h[0] / 2], (c[1:] + c[:-1]) / 2, [c[-1] + h[-1] / 2]])


class ResultWriter:
    """Incremental, atomic writer of the result layout (used by ``Result.to_hdf5`` and the
    storage tracker). Use as a context manager; an exception inside the block still keeps what
    was written (marked ``complete = 0``) unless ``keep_partial=False``.

    ``grid``: mapping with ``x``, ``y``, ``z`` (centres, m) and ``z_faces`` (m), or a
    :class:`dermasim.Grid`.
    """

    def __init__(self, path: str | os.PathLike, grid: Any, *, attrs: Optional[Mapping[str, Any]] = None,
                 units: Optional[Mapping[str, str]] = None, layers: Optional[Sequence[int]] = None,
                 compression: int = 4, xdmf: bool = True, keep_partial: bool = True):
        import h5py

        self.path = os.fspath(path)
        self._tmp = temp_beside(self.path)
        self._h = h5py.File(self._tmp, "w")
        self._compression = compression
        self._xdmf = xdmf
        self._keep_partial = keep_partial
        self._closed = False
        self.units: Dict[str, str] = dict(units or {})
        g = _grid_arrays(grid)
        self.shape = (len(g["z"]), len(g["y"]), len(g["x"]))
        for k, v in g.items():
            self._h.create_dataset(f"grid/{k}", data=np.asarray(v, dtype=float))
        if layers is not None:
            self._h.create_dataset("grid/layer", data=np.asarray(layers, dtype=np.int8))
        self._h.create_dataset("times", shape=(0,), maxshape=(None,), dtype="f8", chunks=(256,))
        self._h.create_group("fields")
        self._h.create_group("outcomes").create_dataset("time", shape=(0,), maxshape=(None,),
                                                        dtype="f8", chunks=(256,))
        a = self._h.attrs
        from . import __version__

        a["format"] = FORMAT
        a["format_version"] = FORMAT_VERSION
        a["version"] = __version__
        a["complete"] = 0
        for k, v in (attrs or {}).items():
            self.set_attr(k, v)

    # -- writing ------------------------------------------------------------------------------
    def set_attr(self, key: str, value: Any) -> None:
        if isinstance(value, (dict, list, tuple)):
            value = json.dumps(value)
        elif value is None:
            value = ""
        self._h.attrs[key] = value

    def append_snapshot(self, t: float, fields: Mapping[str, Any]) -> None:
        """Append the fields (each nz × ny × nx, or anything reshapeable to it) at time t (s)."""
        k = self._h["times"].shape[0]
        for name, v in fields.items():
            arr = np.asarray(v, dtype=float).reshape(self.shape)
            if name not in self._h["fields"]:
                if k:
                    raise InvalidArgumentError(f"field {name!r} appears after the first snapshot")
                self._h["fields"].create_dataset(
                    name, shape=(0,) + self.shape, maxshape=(None,) + self.shape, dtype="f8",
                    chunks=(1,) + self.shape, compression="gzip" if self._compression else None,
                    compression_opts=self._compression or None, shuffle=bool(self._compression))
            ds = self._h["fields"][name]
            ds.resize(k + 1, axis=0)
            ds[k] = arr
        self._h["times"].resize(k + 1, axis=0)
        self._h["times"][k] = t

    def append_outcomes(self, t: float, values: Mapping[str, float]) -> None:
        """Append one row of outcome metrics at time t (s)."""
        g = self._h["outcomes"]
        k = g["time"].shape[0]
        for name, v in values.items():
            if name == "time":
                raise InvalidArgumentError("'time' is reserved in /outcomes")
            if name not in g:
                ds = g.create_dataset(name, shape=(k,), maxshape=(None,), dtype="f8", chunks=(256,))
                ds[:] = np.nan
            g[name].resize(k + 1, axis=0)
            g[name][k] = v
        for name in g:
            if name != "time" and name not in values:
                g[name].resize(k + 1, axis=0)
                g[name][k] = np.nan
        g["time"].resize(k + 1, axis=0)
        g["time"][k] = t

    def write_outcome_series(self, times: Any, series: Mapping[str, Any]) -> None:
        """Write whole outcome series at once (each the length of ``times``)."""
        g = self._h["outcomes"]
        t = np.asarray(times, dtype=float)
        g["time"].resize(t.size, axis=0)
        g["time"][:] = t
        for name, v in series.items():
            v = np.asarray(v, dtype=float)
            if v.shape != t.shape:
                raise InvalidArgumentError(f"outcome {name!r}: {v.shape[0] if v.ndim else 0} values "
                                           f"for {t.size} times")
            g.create_dataset(name, data=v, maxshape=(None,), chunks=(max(1, min(256, t.size)),))

    def write_summary(self, values: Mapping[str, float]) -> None:
        for name, v in values.items():
            self._h.require_group("summary").create_dataset(name, data=float(v))

    def write_table(self, name: str, df: Any) -> None:
        """A pandas DataFrame as /tables/<name>/<column> (numbers float64, text UTF-8); the column
        order is kept in the group's ``columns`` attribute."""
        import h5py

        g = self._h.require_group(f"tables/{name}")
        cols = [str(c) for c in df.columns]
        for c in df.columns:
            v = df[c].to_numpy()
            if v.dtype.kind in "biuf":
                g.create_dataset(str(c), data=v.astype(float))
            else:
                g.create_dataset(str(c), data=[str(x) for x in v], dtype=h5py.string_dtype())
        g.attrs["columns"] = json.dumps(cols)

    def flush(self) -> None:
        self._h.flush()

    def close(self, complete: bool = True) -> str:
        """Mark complete, close, rename onto the final path and write the XDMF sidecar."""
        if self._closed:
            return self.path
        self._h.attrs["complete"] = int(bool(complete))
        self._h.attrs["units"] = json.dumps(self.units)
        self._h.close()
        os.replace(self._tmp, self.path)
        self._closed = True
        if self._xdmf:
            write_xdmf(self.path)
        return self.path

    def abort(self) -> None:
        if not self._closed:
            self._h.close()
            os.remove(self._tmp)
            self._closed = True

    def __enter__(self) -> "ResultWriter":
        return self

    def __exit__(self, et: Any, ev: Any, tb: Any) -> None:
        if et is None or (self._keep_partial and issubclass(et, (KeyboardInterrupt, Exception))):
            self.close(complete=et is None)
        else:
            self.abort()

    def __del__(self) -> None:  # never leave a temporary file behind
        try:
            if not self._closed:
                self.abort()
        except Exception:
            pass


def _grid_arrays(grid: Any) -> Dict[str, np.ndarray]:
    if isinstance(grid, Mapping):
        g = {k: np.asarray(grid[k], dtype=float) for k in ("x", "y", "z", "z_faces")}
        lx = grid.get("lx")
        ly = grid.get("ly")
        g["x_faces"] = np.asarray(grid["x_faces"]) if "x_faces" in grid else _faces_from_centres(g["x"], lx)
        g["y_faces"] = np.asarray(grid["y_faces"]) if "y_faces" in grid else _faces_from_centres(g["y"], ly)
        return g
    x, y = np.asarray(grid.x), np.asarray(grid.y)
    return {"x": x, "y": y, "z": np.asarray(grid.z), "z_faces": np.asarray(grid.z_faces),
            "x_faces": np.linspace(0.0, grid.lx, grid.nx + 1),
            "y_faces": np.linspace(0.0, grid.ly, grid.ny + 1)}


# -- XDMF ----------------------------------------------------------------------------------------

def write_xdmf(h5path: str | os.PathLike, xdmf_path: Optional[str] = None) -> str:
    """Write the XDMF 3 sidecar of a result file: a temporal collection of rectilinear grids
    (cell data) that reference the HDF5 datasets by relative path. Returns its path."""
    import h5py

    h5path = os.fspath(h5path)
    xdmf_path = xdmf_path or os.path.splitext(h5path)[0] + ".xdmf"
    ref = os.path.relpath(os.path.abspath(h5path), os.path.dirname(os.path.abspath(xdmf_path)))
    with _open_h5(h5path) as h:
        times = h["times"][:]
        nz, ny, nx = (h["grid/z"].shape[0], h["grid/y"].shape[0], h["grid/x"].shape[0])
        names = list(h["fields"]) if "fields" in h else []
        nt = len(times)
    root = ET.Element("Xdmf", Version="3.0")
    dom = ET.SubElement(root, "Domain")
    coll = ET.SubElement(dom, "Grid", Name="run", GridType="Collection", CollectionType="Temporal")
    for k, t in enumerate(times):
        g = ET.SubElement(coll, "Grid", Name=f"t{k}", GridType="Uniform")
        ET.SubElement(g, "Time", Value=repr(float(t)))
        # XDMF orders 3DRectMesh dimensions slowest-first: (z, y, x) node counts
        ET.SubElement(g, "Topology", TopologyType="3DRectMesh", Dimensions=f"{nz + 1} {ny + 1} {nx + 1}")
        geo = ET.SubElement(g, "Geometry", GeometryType="VXVYVZ")
        for ax, n in (("x", nx), ("y", ny), ("z", nz)):
            ET.SubElement(geo, "DataItem", Dimensions=str(n + 1), NumberType="Float", Precision="8",
                          Format="HDF").text = f"{ref}:/grid/{ax}_faces"
        for name in names:
            a = ET.SubElement(g, "Attribute", Name=name, AttributeType="Scalar", Center="Cell")
            hs = ET.SubElement(a, "DataItem", ItemType="HyperSlab", Dimensions=f"{nz} {ny} {nx}",
                               Type="HyperSlab")
            ET.SubElement(hs, "DataItem", Dimensions="3 4", Format="XML").text = (
                f"{k} 0 0 0  1 1 1 1  1 {nz} {ny} {nx}")
            ET.SubElement(hs, "DataItem", Dimensions=f"{nt} {nz} {ny} {nx}", NumberType="Float",
                          Precision="8", Format="HDF").text = f"{ref}:/fields/{name}"
    ET.indent(root)
    text = '<?xml version="1.0" ?>\n<!DOCTYPE Xdmf SYSTEM "Xdmf.dtd" []>\n' + ET.tostring(root, encoding="unicode") + "\n"
    from .config import atomic_write_text

    atomic_write_text(xdmf_path, text)
    return xdmf_path


# -- reading -------------------------------------------------------------------------------------

class _open_h5:
    """h5py.File opened read-only with dermasim's errors (FileFormatError naming the file)."""

    def __init__(self, path: str, require_layout: bool = True):
        self.path, self.require = os.fspath(path), require_layout

    def __enter__(self) -> Any:
        import h5py

        if not os.path.exists(self.path):
            raise FileFormatError(f"cannot open '{self.path}': no such file")
        try:
            self.h = h5py.File(self.path, "r")
        except OSError as e:
            raise FileFormatError(f"'{self.path}' is not an HDF5 file (or is corrupt): {e}") from None
        if self.require and not ("grid" in self.h and "times" in self.h):
            self.h.close()
            raise FileFormatError(f"'{self.path}' is an HDF5 file but not a dermasim result "
                                  "(no /grid and /times)")
        return self.h

    def __exit__(self, *exc: Any) -> None:
        self.h.close()


def _attr_str(v: Any) -> Any:
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, np.generic):
        return v.item()
    return v


def read_result(path: str | os.PathLike) -> Any:
    """Read a result file into a :class:`dermasim.Result`."""
    from .results import Result

    path = os.fspath(path)
    try:
        with _open_h5(path) as h:
            grid = {k: h["grid"][k][:] for k in h["grid"] if k != "layer"}
            layers = h["grid/layer"][:] if "grid/layer" in h else None
            times = h["times"][:]
            fields = {k: h["fields"][k][:] for k in h.get("fields", {})}
            og = h.get("outcomes")
            outcome_times = og["time"][:] if og is not None and "time" in og else np.zeros(0)
            outcomes = {k: og[k][:] for k in og if k != "time"} if og is not None else {}
            summary = {k: float(h["summary"][k][()]) for k in h.get("summary", {})}
            tables = {}
            for tn in h.get("tables", {}):
                g = h["tables"][tn]
                cols = json.loads(g.attrs.get("columns", "[]")) or list(g)
                tables[tn] = {c: [x.decode() if isinstance(x, bytes) else x for x in g[c][()]]
                              if g[c].dtype.kind == "O" else g[c][()] for c in cols}
            attrs = {k: _attr_str(v) for k, v in h.attrs.items()}
    except (KeyError, ValueError) as e:
        raise FileFormatError(f"'{path}' is not a valid dermasim result file: {e}") from None
    units = json.loads(attrs.pop("units", "{}") or "{}")
    info = json.loads(attrs.pop("info", "{}") or "{}")
    scen = attrs.pop("scenario", "")
    scenario = None
    if scen:
        from .scenario import Scenario

        try:
            scenario = Scenario.from_json(scen)
        except (ValueError, TypeError):
            scenario = None  # an older/foreign scenario: kept as text in attrs
            attrs["scenario"] = scen
    import pandas as pd

    tables = {k: pd.DataFrame(v) for k, v in tables.items()}
    return Result(times=times, fields=fields, grid=grid, layers=layers, outcome_times=outcome_times, tables=tables,
                  outcomes=outcomes, summary=summary, units=units, scenario=scenario,
                  seed=attrs.pop("seed", None), threads=attrs.pop("threads", None), attrs=attrs, info=info,
                  path=path)


def open_dataset(path: str | os.PathLike) -> Any:
    """Open a result file as an :class:`xarray.Dataset` (fields on (time, z, y, x), outcomes on
    ``outcome_time``, summary scalars; ``units`` attributes on every variable and coordinate)."""
    return read_result(path).to_xarray()


# -- run checkpoints -----------------------------------------------------------------------------

CHECKPOINT_FORMAT = "dermasim-checkpoint"


def write_checkpoint(path: str | os.PathLike, scenario_json: str, payload: bytes) -> str:
    """Atomically write a run checkpoint (the C++ checksummed bytes of ``dermasim::Checkpoint``
    plus the scenario as JSON) to ``path`` (HDF5): a crash while writing leaves the previous
    checkpoint in place."""
    import h5py

    path = os.fspath(path)
    tmp = temp_beside(path, "checkpoint ")
    try:
        with h5py.File(tmp, "w") as h:
            h.attrs["format"] = CHECKPOINT_FORMAT
            h.attrs["scenario"] = scenario_json
            h.create_dataset("payload", data=np.frombuffer(payload, dtype=np.uint8))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


def read_checkpoint(path: str | os.PathLike) -> Tuple[str, bytes]:
    """(scenario JSON, payload bytes) of a checkpoint written by :func:`write_checkpoint`;
    a missing, corrupt or foreign file is a FileFormatError naming it."""
    path = os.fspath(path)
    with _open_h5(path, require_layout=False) as h:
        if h.attrs.get("format") != CHECKPOINT_FORMAT or "payload" not in h:
            raise FileFormatError(f"'{path}' is an HDF5 file but not a dermasim checkpoint")
        sj = h.attrs.get("scenario")
        return str(sj), h["payload"][()].tobytes()
