"""Quantities with units at the user boundary.

Inside dermasim everything is SI (m, s, kg). Anywhere a quantity is accepted, Python code and
TOML/JSON files may instead give a string with a unit, which is converted here::

    >>> parse("1.5 mm", "length")
    0.0015
    >>> parse("4 weeks", "time")
    2419200.0
    >>> parse("0.012 mm^2/h", "diffusivity")  # doctest: +ELLIPSIS
    3.33...e-12

A plain number is taken to be SI already. A wrong dimension, an unknown unit or a malformed
string raises :class:`dermasim.InvalidArgumentError` (a ``ValueError``) naming the parameter,
the value and the expected dimension.
"""
from __future__ import annotations

import decimal
import math
import numbers
import re
import reprlib
from decimal import Decimal
from typing import Any, Dict, Tuple, Union

from ._core import InvalidArgumentError

__all__ = ["parse", "parse_bytes", "format", "DIMENSIONS", "UNITS", "dimension_of", "Quantity", "show"]

Quantity = Union[float, int, str]

# Dimension vectors are (length, time, mass).
Dim = Tuple[int, int, int]

#: Named dimensions accepted by :func:`parse` and the unit shown for each in messages.
DIMENSIONS: Dict[str, Tuple[Dim, str]] = {
    "dimensionless": ((0, 0, 0), "1"),
    "length": ((1, 0, 0), "m"),
    "area": ((2, 0, 0), "m^2"),
    "time": ((0, 1, 0), "s"),
    "rate": ((0, -1, 0), "1/s"),
    "frequency": ((0, -1, 0), "Hz"),
    "speed": ((1, -1, 0), "m/s"),
    "diffusivity": ((2, -1, 0), "m^2/s"),
    "pressure": ((-1, -2, 1), "Pa"),
    "force": ((1, -2, 1), "N"),
    "energy": ((2, -2, 1), "J"),
    "surface_energy": ((0, -2, 1), "J/m^2"),
    "mass": ((0, 0, 1), "kg"),
    "concentration": ((-3, 0, 1), "kg/m^3"),
    "area_density": ((-2, 0, 0), "1/m^2"),
    "volume_density": ((-3, 0, 0), "1/m^3"),
    "angle": ((0, 0, 0), "rad"),
}

_DAY = 86400.0
#: Unit symbols: factor to SI and dimension vector.
UNITS: Dict[str, Tuple[float, Dim]] = {
    "m": (1.0, (1, 0, 0)), "cm": (1e-2, (1, 0, 0)), "mm": (1e-3, (1, 0, 0)),
    "um": (1e-6, (1, 0, 0)), "µm": (1e-6, (1, 0, 0)), "μm": (1e-6, (1, 0, 0)),
    "micron": (1e-6, (1, 0, 0)), "microns": (1e-6, (1, 0, 0)), "nm": (1e-9, (1, 0, 0)),
    "s": (1.0, (0, 1, 0)), "sec": (1.0, (0, 1, 0)), "second": (1.0, (0, 1, 0)),
    "seconds": (1.0, (0, 1, 0)), "ms": (1e-3, (0, 1, 0)),
    "min": (60.0, (0, 1, 0)), "minute": (60.0, (0, 1, 0)), "minutes": (60.0, (0, 1, 0)),
    "h": (3600.0, (0, 1, 0)), "hr": (3600.0, (0, 1, 0)), "hour": (3600.0, (0, 1, 0)),
    "hours": (3600.0, (0, 1, 0)),
    "d": (_DAY, (0, 1, 0)), "day": (_DAY, (0, 1, 0)), "days": (_DAY, (0, 1, 0)),
    "week": (7 * _DAY, (0, 1, 0)), "weeks": (7 * _DAY, (0, 1, 0)), "wk": (7 * _DAY, (0, 1, 0)),
    "month": (30.4375 * _DAY, (0, 1, 0)), "months": (30.4375 * _DAY, (0, 1, 0)),
    "year": (365.25 * _DAY, (0, 1, 0)), "years": (365.25 * _DAY, (0, 1, 0)),
    "y": (365.25 * _DAY, (0, 1, 0)), "yr": (365.25 * _DAY, (0, 1, 0)),
    "Hz": (1.0, (0, -1, 0)), "kHz": (1e3, (0, -1, 0)), "rpm": (1.0 / 60.0, (0, -1, 0)),
    "g": (1e-3, (0, 0, 1)), "kg": (1.0, (0, 0, 1)), "mg": (1e-6, (0, 0, 1)),
    "ug": (1e-9, (0, 0, 1)), "µg": (1e-9, (0, 0, 1)), "ng": (1e-12, (0, 0, 1)), "pg": (1e-15, (0, 0, 1)),
    "L": (1e-3, (3, 0, 0)), "mL": (1e-6, (3, 0, 0)), "uL": (1e-9, (3, 0, 0)), "µL": (1e-9, (3, 0, 0)),
    "N": (1.0, (1, -2, 1)), "mN": (1e-3, (1, -2, 1)), "kN": (1e3, (1, -2, 1)),
    "J": (1.0, (2, -2, 1)), "kJ": (1e3, (2, -2, 1)), "mJ": (1e-3, (2, -2, 1)),
    "uJ": (1e-6, (2, -2, 1)), "µJ": (1e-6, (2, -2, 1)),
    "Pa": (1.0, (-1, -2, 1)), "kPa": (1e3, (-1, -2, 1)), "MPa": (1e6, (-1, -2, 1)),
    "rad": (1.0, (0, 0, 0)), "deg": (math.pi / 180.0, (0, 0, 0)),
    "°": (math.pi / 180.0, (0, 0, 0)), "degree": (math.pi / 180.0, (0, 0, 0)),
    "degrees": (math.pi / 180.0, (0, 0, 0)),
    "%": (0.01, (0, 0, 0)), "percent": (0.01, (0, 0, 0)),
    "cells": (1.0, (0, 0, 0)), "cell": (1.0, (0, 0, 0)), "needles": (1.0, (0, 0, 0)),
    "punctures": (1.0, (0, 0, 0)), "channels": (1.0, (0, 0, 0)),
}

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_QUANTITY = re.compile(rf"^\s*({_NUMBER})\s*(.*?)\s*$")
_TOKEN = re.compile(r"([A-Za-zµμ°%]+)\s*(?:(?:\^|\*\*)\s*([-+]?\d+)|(\d))?$")


class _Show(reprlib.Repr):
    """A bounded ``repr`` for messages: deep or huge containers, long strings and integers
    beyond ``str``'s digit limit are abbreviated (a plain ``repr`` of a 10^5000 integer raises
    ValueError; of a dict nested 10^4 deep, RecursionError)."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother = 3, 80, 60
        self.maxdict = self.maxlist = self.maxtuple = self.maxset = 6

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() <= 160:
            return repr(x)
        return f"{Decimal(x):.3e} (an integer)"

    def repr_instance(self, x: Any, level: int) -> str:
        try:
            return super().repr_instance(x, level)
        except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the real error
            return f"<{type(x).__name__} object>"


_show = _Show()


def show(value: object) -> str:
    """``repr(value)`` for error messages, bounded in length and depth and never raising."""
    try:
        return _show.repr(value)
    except Exception:  # noqa: BLE001
        return f"<{type(value).__name__} object>"


def _error(name: str, value: object, why: str) -> InvalidArgumentError:
    return InvalidArgumentError(f"{name}: {why} (got {show(value)})")


def _parse_unit(unit: str, name: str, value: object) -> Tuple[Decimal, Dim]:
    """Factor and dimension of a unit expression such as ``mm^2/h``, ``1/h``, ``cells/mm^3``."""
    unit = unit.strip().replace("**", "^")
    if unit.lower().startswith("per "):
        unit = "1/" + unit[4:]
    if not unit or unit == "1":
        return Decimal(1), (0, 0, 0)
    factor, dim = Decimal(1), [0, 0, 0]  # Decimal: "1000 cells/mm^3" is exactly 1e12
    # split on '/' (everything after a '/' is in the denominator, as written: a/b/c = a/(b c))
    parts = [p.strip() for p in unit.split("/")]
    for k, part in enumerate(parts):
        sign = 1 if k == 0 else -1
        for tok in re.split(r"\s*\*\s*|\s*·\s*|\s+", part):
            if not tok or tok == "1":
                continue
            m = _TOKEN.match(tok)
            if not m or m.group(1) not in UNITS:
                sym = m.group(1) if m else tok
                import difflib

                close = difflib.get_close_matches(sym, list(UNITS), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise _error(name, value, f"unknown unit {sym!r}{hint}")
            f, d = UNITS[m.group(1)]
            exp = m.group(2) or m.group(3) or "1"
            if len(exp.lstrip("+-")) > 3:
                raise _error(name, value, f"the exponent of {m.group(1)!r} is too large")
            p = int(exp) * sign
            factor *= Decimal(repr(f)) ** p
            for i in range(3):
                dim[i] += d[i] * p
    return factor, (dim[0], dim[1], dim[2])


def dimension_of(unit: str) -> Dim:
    """Dimension vector (length, time, mass) of a unit expression."""
    return _parse_unit(unit, "unit", unit)[1]


def _is_number(value: object) -> bool:
    """A real number (Python or numpy scalar, or a 0-d numeric array), not a boolean."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return False
    if isinstance(value, numbers.Real):
        return True
    return (type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0
            and getattr(getattr(value, "dtype", None), "kind", "") in "iuf")


def _number_string(text: str, unit: str, name: str, value: object) -> Tuple[float, Dim]:
    """SI value of "<number> <unit>" (may be ±inf if it overflows; the caller checks)."""
    factor, dim = _parse_unit(unit, name, value)
    try:
        v = float(Decimal(text) * factor)
    except (decimal.Overflow, OverflowError):
        v = math.inf
    except decimal.DecimalException:  # underflow etc.: too small to matter
        v = 0.0
    return v, dim


def _finite(v: float, name: str, value: object) -> float:
    if not math.isfinite(v):
        given_inf = not isinstance(value, (int, str)) and not math.isnan(v)  # an inf float itself
        too_large = not math.isnan(v) and not given_inf  # 10**400, "1e999 mm"
        raise _error(name, value, "is too large (beyond the floating-point range)" if too_large
                     else "must be a finite number")
    return v + 0.0  # -0.0 -> 0.0: "-0 mm" is zero


def parse(value: Quantity, dimension: str = "dimensionless", name: str = "value") -> float:
    """Convert ``value`` (a number in SI or a string "<number> <unit>") to SI.

    ``dimension`` is one of :data:`DIMENSIONS`; ``name`` is the parameter's name for messages.
    Anything else — a boolean, ``None``, bytes, a list or dict, NaN, ±inf, a number too large
    for a float (``10**400``, ``"1e999 mm"``), an unknown unit or a unit of another dimension —
    raises :class:`dermasim.InvalidArgumentError` naming ``name``. ``-0`` is read as 0.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; one of {', '.join(DIMENSIONS)}")
    want, si = DIMENSIONS[dimension]
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        raise _error(name, value, f"expected a {dimension} ({si}), not a boolean")
    if _is_number(value):
        try:
            v = float(value)  # type: ignore[arg-type]
        except OverflowError:
            v = math.inf
        except (TypeError, ValueError):
            raise _error(name, value, f"expected a {dimension} in {si}") from None
    elif isinstance(value, str):
        m = _QUANTITY.match(value)
        if not m:
            raise _error(name, value, f"expected a number with a unit, e.g. '1.5 mm', for a {dimension}")
        v, dim = _number_string(m.group(1), m.group(2), name, value)
        if dim != want:
            got = _describe(dim)
            raise _error(name, value, f"expected a {dimension} ({si}), but the unit is a {got}")
    else:
        raise _error(name, value, f"expected a {dimension}: a number in {si} or a string like '1.5 mm'")
    return _finite(v, name, value)


def _describe(dim: Dim) -> str:
    for n, (d, si) in DIMENSIONS.items():
        if d == dim and n not in ("frequency", "angle"):
            return f"{n} ({si})"
    return f"quantity of dimension length^{dim[0]} time^{dim[1]} mass^{dim[2]}"


# Display units per dimension, largest first: (symbol, factor, smallest value shown in it).
_DISPLAY = {
    "length": [("m", 1.0, 1.0), ("mm", 1e-3, 1e-3), ("um", 1e-6, 0.0)],
    "time": [("years", 365.25 * _DAY, 365.25 * _DAY), ("months", 30.4375 * _DAY, 2 * 30.4375 * _DAY),
             ("weeks", 7 * _DAY, 7 * _DAY), ("days", _DAY, _DAY), ("h", 3600.0, 3600.0),
             ("min", 60.0, 60.0), ("s", 1.0, 0.0)],
    "diffusivity": [("mm^2/h", 1e-6 / 3600.0, 0.0)],
    "rate": [("1/h", 1 / 3600.0, 0.0)],
    "frequency": [("Hz", 1.0, 0.0)],
    "speed": [("m/s", 1.0, 1.0), ("mm/s", 1e-3, 0.0)],
    "pressure": [("MPa", 1e6, 1e6), ("kPa", 1e3, 1e3), ("Pa", 1.0, 0.0)],
    "force": [("N", 1.0, 1.0), ("mN", 1e-3, 0.0)],
    "energy": [("J", 1.0, 1.0), ("mJ", 1e-3, 1e-3), ("uJ", 1e-6, 0.0)],
    "surface_energy": [("J/m^2", 1.0, 0.0)],
    "mass": [("kg", 1.0, 1.0), ("g", 1e-3, 0.0)],
    "area_density": [("1/cm^2", 1e4, 0.0)],
    "volume_density": [("cells/mm^3", 1e9, 0.0)],
    "angle": [("deg", math.pi / 180.0, 0.0)],
}


def format(value: float, dimension: str = "dimensionless", exact: bool = False) -> Union[str, float]:
    """A readable string for an SI value, e.g. ``format(0.0015, "length") == "1.5 mm"``.

    With ``exact=True`` the string is returned only if it parses back to exactly ``value``;
    otherwise the SI number itself is returned (used when writing TOML/JSON files).
    """
    if dimension not in _DISPLAY or not isinstance(value, (int, float)) or isinstance(value, bool):
        return value if exact else repr(value)
    v = float(value)
    cands = _DISPLAY[dimension]
    for i, (sym, f, lo) in enumerate(cands):
        if abs(v) >= lo or i == len(cands) - 1:
            # time reads best in the largest unit in which it is a whole number
            if dimension == "time" and sym != "s" and abs(v / f - round(v / f)) > 1e-9 * abs(v / f):
                continue
            s = f"{v / f:.12g} {sym}"
            if not exact or parse(s, dimension) == v:
                return s
            # not exact in the preferred unit: try the others, then fall back to the SI number
            for sym2, f2, _ in cands[i + 1:] + cands[:i]:
                s2 = f"{v / f2:.15g} {sym2}"
                if parse(s2, dimension) == v:
                    return s2
            return v
    return v if exact else repr(v)


def to_si(value: Quantity, name: str = "value") -> Tuple[float, Dim]:
    """SI value and dimension vector of a number (dimensionless) or a quantity string."""
    if isinstance(value, str):
        m = _QUANTITY.match(value)
        if not m:
            raise _error(name, value, "expected a number with a unit, e.g. '1.5 mm'")
        v, dim = _number_string(m.group(1), m.group(2), name, value)
        return _finite(v, name, value), dim
    return parse(value, "dimensionless", name), (0, 0, 0)


_BYTE_UNITS = {"b": 1.0, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
               "kib": 2.0 ** 10, "mib": 2.0 ** 20, "gib": 2.0 ** 30, "tib": 2.0 ** 40}


def parse_bytes(value: Any, name: str) -> float:
    """A memory size in bytes: a number, or a string such as "4 GB" or "512 MiB" (SI and binary
    prefixes), in [1 MB, 1 PB]; InvalidArgumentError naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _error(name, value, "expected a memory size such as '4 GB'")
    if isinstance(value, str):
        m = re.fullmatch(r"\s*([0-9.eE+-]+)\s*([A-Za-z]*)\s*", value)
        unit = (m.group(2) or "b").lower() if m else None
        if not m or unit not in _BYTE_UNITS:
            raise _error(name, value, "expected a memory size such as '4 GB' or '512 MiB'")
        try:
            v = float(m.group(1)) * _BYTE_UNITS[unit]
        except ValueError:
            raise _error(name, value, "not a number of bytes") from None
    else:
        v = float(value) if not isinstance(value, int) or abs(value) < 2 ** 62 else math.inf
    if not (1e6 <= v <= 1e15):
        raise _error(name, value, "outside [1 MB, 1 PB]")
    return v
