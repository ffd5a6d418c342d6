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

__all__ = [
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
]
