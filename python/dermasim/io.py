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
    root attributes: format ("dermasim-result"), format_version (2, an integer), version
                     (library), scenario (JSON), units (JSON: name → unit), seed, threads,
                     complete (0 while a run is being written or after an interruption; the
                     integers are int64), title; text attributes are UTF-8 strings

One writer: :class:`ResultWriter` and :func:`write_checkpoint` are thin wrappers over the C++
writer ``dermasim._core.H5Writer`` (``dermasim::io::H5Writer``), which builds the whole layout
(h5py is used here for reading only). Files are built in memory and written atomically and
verified: :meth:`ResultWriter.close` reads the file built in memory back (every dataset and
attribute), then writes it with ``write_sealed`` (the one write path of every dermasim file):
checked writes to a temporary file beside the final name, fsync, a read-back against its seal
and only then the rename. Any failure (a full disk, a lost mount) leaves the previous file
untouched, removes the temporary file and raises :class:`FileFormatError` naming the final path.

The seal (format_version 2): the first 512 bytes of the file are an HDF5 user block holding the
FNV-1a 64-bit digest and length of every byte after it; readers check it first
(``dermasim._core.verify_seal``), so any change of any byte, in the data, the HDF5 metadata or
the attributes, is reported as a corrupt file instead of read back as a changed value. Files of
format_version 1 (no seal) are still read, unverified.

A sidecar ``<name>.xdmf`` (XDMF 3, rectilinear grid with a temporal collection) lets ParaView
open the run.
"""
from __future__ import annotations

import contextlib
import json
import numbers
import os
import xml.etree.ElementTree as ET
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from . import _core
from ._core import FileFormatError, InvalidArgumentError
from .config import check_directory

__all__ = ["ResultWriter", "open_dataset", "read_result", "write_xdmf", "cleanup_temporaries", "FORMAT",
           "FORMAT_VERSION"]

FORMAT = "dermasim-result"
FORMAT_VERSION = 2  # 2: sealed (user block digest); 1: no seal
from ._layers import LAYER_KEYS  # noqa: E402


def _faces_from_centres(c: np.ndarray, length: Optional[float] = None) -> np.ndarray:
    c = np.asarray(c, dtype=float)
    if c.size == 1:
        h = length if length else 1.0
        return np.array([c[0] - h / 2, c[0] + h / 2])
    h = np.diff(c)
    return np.concatenate([[c[0] - h[0] / 2], (c[1:] + c[:-1]) / 2, [c[-1] + h[-1] / 2]])


class ResultWriter:
    """Incremental, atomic writer of the result layout (used by ``Result.to_hdf5`` and the
    storage tracker), a thin wrapper over the C++ writer ``dermasim._core.H5Writer``. Use as a
    context manager; an exception inside the block still keeps what was written (marked
    ``complete = 0``) unless ``keep_partial=False``. A failed write (e.g. a full disk) raises
    :class:`FileFormatError` naming ``path``, removes the temporary file and leaves any previous
    file at ``path`` as it was. Invalid input (a field of the wrong size or one that appears
    after the first snapshot, ``'time'`` as a metric, a name written twice) raises
    :class:`InvalidArgumentError` and changes nothing.

    ``grid``: mapping with ``x``, ``y``, ``z`` (centres, m) and ``z_faces`` (m), or a
    :class:`dermasim.Grid`.
    """

    def __init__(self, path: str | os.PathLike, grid: Any, *, attrs: Optional[Mapping[str, Any]] = None,
                 units: Optional[Mapping[str, str]] = None, layers: Optional[Sequence[int]] = None,
                 compression: int = 4, xdmf: bool = True, keep_partial: bool = True):
        self.path = os.fspath(path)
        self._compression = compression
        self._xdmf = xdmf
        self._keep_partial = keep_partial
        self._closed = True
        self._w: Any = None
        check_directory(self.path, "")
        self._w = _core.H5Writer(self.path, int(compression or 0))
        self._closed = False
        with self._guard():
            self._init(grid, attrs, units, layers)

    def _init(self, grid: Any, attrs: Optional[Mapping[str, Any]], units: Optional[Mapping[str, str]],
              layers: Optional[Sequence[int]]) -> None:
        self.units: Dict[str, str] = dict(units or {})
        g = _grid_arrays(grid)
        self.shape = (len(g["z"]), len(g["y"]), len(g["x"]))
        layer = np.zeros(0, dtype=np.int8) if layers is None else np.asarray(layers, dtype=np.int8)
        self._w.write_grid(x=g["x"], y=g["y"], z=g["z"], x_faces=g["x_faces"], y_faces=g["y_faces"],
                           z_faces=g["z_faces"], layer=layer)  # and format, format_version, version
        for k, v in (attrs or {}).items():
            self.set_attr(k, v)

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Every write goes through here: a failed write (the C++ writer's FileFormatError, which
        names the final path) abandons the file; an error of the library becomes a
        FileFormatError naming the final path."""
        if self._closed:
            raise FileFormatError(f"'{self.path}': the writer is closed (an earlier write failed?)")
        try:
            yield
        except (OSError, RuntimeError) as e:
            self.abort()
            if isinstance(e, FileFormatError):
                raise
            raise FileFormatError(f"cannot write '{self.path}': {_short(e)} "
                                  "(the previous file, if any, is unchanged)") from None

    # -- writing ------------------------------------------------------------------------------
    def set_attr(self, key: str, value: Any) -> None:
        """A root attribute (str; a dict, list or tuple as JSON; None as ""; int64 or float64).

        Bools and integers are stored as int64, other numbers as float64."""
        value = _attr_value(key, value)
        with self._guard():
            self._w.set_attribute(str(key), value)

    def append_snapshot(self, t: float, fields: Mapping[str, Any]) -> None:
        """Append the fields (each nz × ny × nx, or anything reshapeable to it) at time t (s)."""
        arrays = [(str(name), np.ascontiguousarray(np.asarray(v, dtype=float).reshape(self.shape)))
                  for name, v in fields.items()]
        with self._guard():
            self._w.append_snapshot(float(t), arrays)

    def append_outcomes(self, t: float, values: Mapping[str, float]) -> None:
        """Append one row of outcome metrics at time t (s).

        A metric missing from the row is NaN there, a new metric NaN in the earlier rows."""
        row = [(str(name), float(v)) for name, v in values.items()]
        with self._guard():
            self._w.append_outcomes(float(t), row)

    def write_outcome_series(self, times: Any, series: Mapping[str, Any]) -> None:
        """Write whole outcome series at once (each the length of ``times``)."""
        t = np.asarray(times, dtype=float).reshape(-1)
        cols = []
        for name, v in series.items():
            v = np.asarray(v, dtype=float)
            if v.shape != t.shape:
                raise InvalidArgumentError(f"outcome {name!r}: {v.shape[0] if v.ndim else 0} values "
                                           f"for {t.size} times")
            cols.append((str(name), v))
        with self._guard():
            self._w.write_outcome_series(t, cols)

    def write_summary(self, values: Mapping[str, float]) -> None:
        with self._guard():
            for name, v in values.items():
                self._w.write_summary(str(name), float(v))

    def write_table(self, name: str, df: Any) -> None:
        """A pandas DataFrame as /tables/<name>/<column> (numbers float64, text UTF-8); the column
        order is kept in the group's ``columns`` attribute."""
        cols = []
        for c in df.columns:
            v = df[c].to_numpy()
            cols.append((str(c), np.ascontiguousarray(v, dtype=float) if v.dtype.kind in "biuf"
                         else [str(x) for x in v]))
        with self._guard():
            self._w.write_table(str(name), cols)

    def flush(self) -> None:
        """Nothing to write yet: the file is built in memory and written by :meth:`close`."""
        with self._guard():
            pass

    def close(self, complete: bool = True) -> str:
        """Mark complete, read back, seal, verify, rename onto the final path, write the XDMF.

        The file built in memory is read back (every dataset and attribute) before it is written."""
        if self._closed:
            return self.path
        with self._guard():
            self._w.set_units([(str(k), str(v)) for k, v in self.units.items()])
            self._w.commit(bool(complete))
        self._closed = True
        self._w = None
        if self._xdmf:
            write_xdmf(self.path)
        return self.path

    def abort(self) -> None:
        """Drop the file built in memory (the previous file at ``path``, if any, stays)."""
        if not self._closed:
            self._closed = True
            w, self._w = self._w, None
            if w is not None:
                w.abort()

    def __enter__(self) -> "ResultWriter":
        return self

    def __exit__(self, et: Any, ev: Any, tb: Any) -> None:
        if et is None or (self._keep_partial and issubclass(et, (KeyboardInterrupt, Exception))
                          and not self._closed):
            self.close(complete=et is None)
        else:
            self.abort()

    def __del__(self) -> None:  # never leave a temporary file behind
        try:
            if not self._closed:
                self.abort()
        except Exception:
            pass


def _attr_value(key: str, value: Any) -> Any:
    """An attribute value as the C++ writer takes it: str, int (int64) or float (float64)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value)
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_, numbers.Integral)):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, str):
        return str(value)
    raise InvalidArgumentError(f"attribute {key!r}: a {type(value).__name__} cannot be stored (use a str, a "
                               "number, or a dict or list for JSON)")


def _short(e: BaseException) -> str:
    """A one-line reason from an OSError of h5py/HDF5 (whose messages span several lines)."""
    if isinstance(e, OSError) and e.errno:
        return os.strerror(e.errno)
    return " ".join(str(e).split())[:300]


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
        if os.path.isdir(self.path):
            raise FileFormatError(f"cannot open '{self.path}': it is a directory")
        state = _core.verify_seal(self.path)  # FileFormatError naming the file if damaged
        try:
            self.h = h5py.File(self.path, "r")
        except OSError as e:
            raise FileFormatError(f"'{self.path}' is not an HDF5 file (or is corrupt): {_short(e)}") from None
        try:
            version = int(self.h.attrs.get("format_version", 1))
        except (TypeError, ValueError, OSError):
            version = 1
        if state == "unsealed" and version >= 2:
            self.h.close()
            raise FileFormatError(f"'{self.path}' is corrupt: a format_version {version} file without its seal")
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
        units = json.loads(attrs.pop("units", "{}") or "{}")
        info = json.loads(attrs.pop("info", "{}") or "{}")
        if not isinstance(units, dict) or not isinstance(info, dict):
            raise ValueError("attributes 'units' and 'info' must hold JSON objects")
        _check_layout(grid, times, fields, outcome_times, outcomes)
    except FileFormatError:
        raise
    except (KeyError, ValueError, TypeError, IndexError, AttributeError, OSError, RuntimeError) as e:
        # every malformed file is the library's error naming it (json.JSONDecodeError is a ValueError)
        raise FileFormatError(f"'{path}' is not a valid dermasim result file: {type(e).__name__}: "
                              f"{_short(e)}") from None
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


def _check_layout(grid: Mapping[str, Any], times: Any, fields: Mapping[str, Any], outcome_times: Any,
                  outcomes: Mapping[str, Any]) -> None:
    """The shapes and types of the layout (ValueError naming what is wrong)."""
    def numeric(name: str, a: Any, ndim: int) -> np.ndarray:
        a = np.asarray(a)
        if a.dtype.kind not in "fiu" or a.ndim != ndim:
            raise ValueError(f"{name} must be a {ndim}-D numeric array (found {a.dtype}, {a.ndim}-D)")
        return a

    for k in ("x", "y", "z", "z_faces"):
        if k not in grid:
            raise ValueError(f"/grid/{k} is missing")
        numeric(f"/grid/{k}", grid[k], 1)
    shape = (len(grid["z"]), len(grid["y"]), len(grid["x"]))
    if len(grid["z_faces"]) != shape[0] + 1:
        raise ValueError(f"/grid/z_faces has {len(grid['z_faces'])} values for {shape[0]} z cells")
    nt = numeric("/times", times, 1).shape[0]
    for k, v in fields.items():
        if numeric(f"/fields/{k}", v, 4).shape != (nt,) + shape:
            raise ValueError(f"/fields/{k} has shape {np.shape(v)}, expected {(nt,) + shape} (times, z, y, x)")
    no = numeric("/outcomes/time", outcome_times, 1).shape[0]
    for k, v in outcomes.items():
        if numeric(f"/outcomes/{k}", v, 1).shape[0] != no:
            raise ValueError(f"/outcomes/{k} has {np.shape(v)[0]} values for {no} outcome times")


def open_dataset(path: str | os.PathLike) -> Any:
    """Open a result file as an :class:`xarray.Dataset` (fields on (time, z, y, x), outcomes on
    ``outcome_time``, summary scalars; ``units`` attributes on every variable and coordinate)."""
    return read_result(path).to_xarray()


# -- run checkpoints -----------------------------------------------------------------------------

CHECKPOINT_FORMAT = "dermasim-checkpoint"


def write_checkpoint(path: str | os.PathLike, scenario_json: str, payload: bytes) -> str:
    """Atomically write a run checkpoint (the C++ checksummed bytes of ``dermasim::Checkpoint``
    plus the scenario as JSON) to ``path`` (HDF5, through the C++ writer: attributes ``format``
    and ``scenario``, dataset ``payload`` of uint8): a crash while writing leaves the previous
    checkpoint in place."""
    path = os.fspath(path)
    check_directory(path, "checkpoint ")
    w = _core.H5Writer(path)
    try:
        w.set_attribute("format", CHECKPOINT_FORMAT)
        w.set_attribute("scenario", scenario_json)
        w.write_bytes("payload", payload)
    except BaseException:
        w.abort()
        raise
    w.commit()
    return path


def read_checkpoint(path: str | os.PathLike) -> Tuple[str, bytes]:
    """(scenario JSON, payload bytes) of a checkpoint written by :func:`write_checkpoint`;
    a missing, corrupt or foreign file is a FileFormatError naming it."""
    path = os.fspath(path)
    with _open_h5(path, require_layout=False) as h:
        try:
            if h.attrs.get("format") != CHECKPOINT_FORMAT or "payload" not in h:
                raise FileFormatError(f"'{path}' is an HDF5 file but not a dermasim checkpoint")
            sj = h.attrs.get("scenario")
            return str(sj), np.asarray(h["payload"][()], dtype=np.uint8).tobytes()
        except FileFormatError:
            raise
        except (KeyError, ValueError, TypeError, OSError, AttributeError) as e:
            raise FileFormatError(f"'{path}' is not a valid dermasim checkpoint: {_short(e)}") from None


def cleanup_temporaries(path: str | os.PathLike, min_age_s: float = 3600.0) -> List[str]:
    """Remove the temporary files that earlier, killed writers of ``path`` left beside it:
    ``<name>.tmp-<pid>`` (``write_sealed``: result files, checkpoints) and
    ``.<name>.<pid>.<random>.tmp`` (``config.atomic_write_text``) whose process no longer runs, and pid-less ``.<name>.<random>.tmp`` of older versions not touched
    for ``min_age_s``. Returns the removed paths. ``simulate(checkpoint=...)`` and ``dermasim
    run`` call it before they write."""
    import re
    import time

    path = os.fspath(path)
    d = os.path.dirname(os.path.abspath(path))
    base = re.escape(os.path.basename(path))
    with_pid = (re.compile(r"^\." + base + r"\.(\d+)\.[A-Za-z0-9_]{8}\.tmp$"),
                re.compile(r"^" + base + r"\.tmp-(\d+)$"))
    old_style = re.compile(r"^\." + base + r"\.[A-Za-z0-9_]{8}\.tmp$")
    removed: List[str] = []
    try:
        names = os.listdir(d)
    except OSError:
        return removed
    now = time.time()
    for n in names:
        full = os.path.join(d, n)
        m = with_pid[0].match(n) or with_pid[1].match(n)
        try:
            if m:
                pid = int(m.group(1))
                if pid == os.getpid() or _pid_alive(pid):
                    continue
            elif not (old_style.match(n) and now - os.path.getmtime(full) >= min_age_s):
                continue
            os.remove(full)
            removed.append(full)
        except OSError:
            pass
    return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
