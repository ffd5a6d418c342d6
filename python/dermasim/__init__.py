"""dermasim — biophysical simulation of microneedling (collagen induction therapy).

The C++ core (``dermasim._core``) does the numerics; this package adds scenario helpers,
results, files, plots and the command line. Units are SI unless a name says otherwise.
"""
from __future__ import annotations

from . import _core
from ._core import (
    BoundaryCondition,
    DermasimError,
    DiffusionSolver,
    DiffusionSpec,
    FieldSet,
    FileFormatError,
    Grid,
    InvalidArgumentError,
    Lateral,
    TimeScheme,
    graded_z_faces,
    max_threads,
    set_threads,
)

__version__: str = _core.__version__

# The researcher's API (issue 5): scenario types, results and files, trackers, sweeps.
from . import units
from .io import open_dataset, read_result
from .results import Result
from .scenario import (Applicator, LayerProperties, ModelParameters, ModuleSet, Needle, Numerics, Patient, Pen,
                       PenetrationParameters, Protocol, RasterParameters, Roller, Scenario, Skin, Stamp)
from .scenario import module_catalog as _module_catalog
from .course import Course, Needling, Topical, agents


def modules() -> list:
    """The healing model (``"healing"``) and every module this build has: a list of dicts with
    ``name``, ``doc``, ``species`` (name, unit, surface), ``parameters`` (name, unit, to_si,
    default, lo, hi, source; display units) and ``outcomes`` (name, unit). The healing model's
    entry also lists its ``parts``: the core modules (inflammation, growth_factors, fibroblasts,
    matrix, channels, flare, pigmentation) with their species and parameter groups, always on,
    in the order their rates are evaluated. Enable a module with
    ``Scenario(modules=["tracer"])`` (docs/architecture.md, "Writing a module")."""
    return _module_catalog()
from .simulation import simulate
from .sweep import sensitivity, sweep
from .trackers import PrintTracker, ProgressTracker, RuntimeTracker, StorageTracker, Tracker
# Device engineer's quick answers (issue 3): penetration table and injury arrays.
from .needles import injury, penetration
from .delivery import deliver

__all__ = [
    "ModuleSet",
    "modules",
    "Course", "Needling", "Topical", "agents",
    "BoundaryCondition",
    "DermasimError",
    "DiffusionSolver",
    "DiffusionSpec",
    "FieldSet",
    "FileFormatError",
    "Grid",
    "InvalidArgumentError",
    "Lateral",
    "TimeScheme",
    "graded_z_faces",
    "max_threads",
    "set_threads",
    "__version__",
    "units", "open_dataset", "read_result", "Result",
    "Applicator", "LayerProperties", "ModelParameters", "Needle", "Numerics", "Patient", "Pen",
    "PenetrationParameters", "Protocol", "RasterParameters", "Roller", "Scenario", "Skin", "Stamp",
    "simulate", "sensitivity", "sweep",
    "PrintTracker", "ProgressTracker", "RuntimeTracker", "StorageTracker", "Tracker",
    "penetration", "injury", "deliver",
]
