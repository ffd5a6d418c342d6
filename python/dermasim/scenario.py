"""Scenario types: a plain, typed, serialisable description of one simulated treatment.

``Scenario`` = ``Skin`` + a device (``Roller``, ``Pen``, ``Stamp`` or ``Applicator``) +
``Protocol`` + ``ModelParameters`` (the healing model's parameters, overrides of the C++
defaults) + ``PenetrationParameters`` (the insertion mechanics' parameters, likewise) +
``Patient`` + ``Numerics`` + ``seed``. Runtime knobs (threads, output paths, progress) are deliberately *not*
part of it.

These classes only *describe*: they validate and convert units at construction, round-trip
through dicts, TOML and JSON, and convert to the C++ types of the bindings when a run starts.
All quantities are stored in SI; constructors accept unit strings::

    >>> import dermasim as ds
    >>> ds.Pen(needle_length="1.5 mm")
    Pen(needle_length='1.5 mm', needle_diameter='250 um', ...)

Every parameter has a dotted name (``device.needle_length``, ``skin.PD.thickness``,
``healing.fibroblast.proliferation_rate``, ``penetration.insertion.friction_stress``) used by :meth:`Scenario.get`,
:meth:`Scenario.with_values`, sweeps and sensitivity analyses.
"""
from __future__ import annotations

import json
import math
import os
import re
from typing import Any, ClassVar, Dict, Mapping, Optional, Tuple, Type

from . import units as _units
from . import _core
from ._core import InvalidArgumentError
from .config import (as_table, check_keys, flatten, read_file, set_dotted, suggest, unflatten,
                     write_file)
from .units import show as _show

__all__ = ["Param", "Spec", "LayerProperties", "Skin", "Needle", "Device", "Roller", "Pen", "Stamp", "Applicator",
           "Protocol", "RegistryParameters", "ModelParameters", "PenetrationParameters", "RasterParameters", "Numerics", "Patient",
           "Scenario", "LAYER_KEYS"]

#: Short keys of the five skin layers, top to bottom (as in include/dermasim/skin/layers.hpp).
from ._layers import LAYER_KEYS  # noqa: E402


class Param:
    """Declaration of one scalar parameter of a :class:`Spec`.

    ``dim`` is a dimension of :data:`dermasim.units.DIMENSIONS`, or ``"int"``, ``"bool"``,
    ``"str"``; ``lo``/``hi`` bound the SI value (inclusive); ``choices`` restricts strings.
    """

    def __init__(self, default: Any, dim: str = "dimensionless", lo: Optional[float] = None,
                 hi: Optional[float] = None, doc: str = "", choices: Optional[Tuple[Any, ...]] = None):
        self.default, self.dim, self.lo, self.hi, self.doc, self.choices = default, dim, lo, hi, doc, choices

    def convert(self, value: Any, name: str) -> Any:
        """The validated value (SI for quantities). Every rejection is an InvalidArgumentError
        naming ``name`` (the dotted parameter name) and the valid range or choices."""
        if self.dim == "str":
            if not isinstance(value, str):
                raise InvalidArgumentError(f"{name}: expected a string (got {_show(value)})")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidArgumentError(f"{name}: not valid Unicode text (a lone surrogate; "
                                           f"got {_show(value)})") from None
            v: Any = str(value)
        elif self.dim == "bool":
            if not isinstance(value, bool):
                raise InvalidArgumentError(f"{name}: expected true or false (got {_show(value)})")
            v = value
        elif self.dim == "int":
            if isinstance(value, bool) or not (isinstance(value, int) or
                                               (isinstance(value, float) and value.is_integer())):
                try:
                    import numpy as np

                    if isinstance(value, np.integer):
                        value = int(value)
                    else:
                        raise TypeError
                except TypeError:
                    raise InvalidArgumentError(f"{name}: expected an integer (got {_show(value)}); "
                                               f"valid: {self.valid()}") from None
            v = int(value)
        else:
            try:
                v = _units.parse(value, self.dim, name)
            except InvalidArgumentError as e:
                raise InvalidArgumentError(f"{e}; valid: {self.valid()}") from None
        if self.choices is not None and v not in self.choices:
            raise InvalidArgumentError(
                f"{name}: {_show(v)} is not one of {', '.join(map(repr, self.choices))}"
                + (suggest(v, self.choices) if isinstance(v, str) else ""))
        if self.lo is not None and v < self.lo or self.hi is not None and v > self.hi:
            raise InvalidArgumentError(f"{name}: {_show(v)}{self._unit()} is out of range; valid: {self.valid()}")
        return v

    def _unit(self) -> str:
        unit = _units.DIMENSIONS.get(self.dim, (None, ""))[1]
        return "" if unit in ("1", "") else " " + unit

    def valid(self) -> str:
        """The valid values, as shown in messages: ``[1e-05, 0.005] m``, ``>= 0``, ``'cone', 'pyramid'``."""
        if self.choices is not None:
            return "one of " + ", ".join(map(repr, self.choices))
        if self.dim == "bool":
            return "true or false"
        if self.dim == "str":
            return "a string"
        what = "an integer in " if self.dim == "int" else ""
        if self.lo is None and self.hi is None:
            return f"{what or 'a finite number in '}{self._unit().strip() or 'SI'}".strip()
        if self.hi is None:
            return f"{what}>= {self.lo:g}{self._unit()}"
        if self.lo is None:
            return f"{what}<= {self.hi:g}{self._unit()}"
        return f"{what}[{self.lo:g}, {self.hi:g}]{self._unit()}"

    def show(self, v: Any) -> Any:
        if self.dim in ("str", "bool", "int", "dimensionless"):
            return v
        return _units.format(v, self.dim)


class Spec:
    """Base of the scenario types: keyword constructor from declared :class:`Param` s and
    nested specs, validation, ``repr``, ``to_dict``/``from_dict`` and ``replace``."""

    _params: ClassVar[Dict[str, Param]] = {}
    _nested: ClassVar[Dict[str, Type["Spec"]]] = {}
    _prefix: ClassVar[str] = ""

    def __init__(self, **kwargs: Any):
        where = self._prefix or type(self).__name__
        check_keys(kwargs, list(self._params) + list(self._nested), where)
        for k, p in self._params.items():
            object.__setattr__(self, k, p.convert(kwargs.get(k, p.default), self._name(k)))
        for k, cls in self._nested.items():
            v = kwargs.get(k)
            if v is None:
                v = cls()
            elif isinstance(v, Mapping):
                v = cls.from_dict(v, prefix=self._name(k))
            elif not isinstance(v, cls):
                raise InvalidArgumentError(f"{where}.{k}: expected a {cls.__name__} or a dict (got {_show(v)})")
            object.__setattr__(self, k, v)
        self._validate()

    def _name(self, k: str) -> str:
        return f"{self._prefix}.{k}" if self._prefix else k

    def _validate(self) -> None:
        """Checks across parameters (subclasses)."""

    def __setattr__(self, k: str, v: Any) -> None:
        if k in self._params:
            object.__setattr__(self, k, self._params[k].convert(v, self._name(k)))
            self._validate()
        elif k in self._nested:
            cls = self._nested[k]
            object.__setattr__(self, k, v if isinstance(v, cls) else cls.from_dict(v, prefix=self._name(k)))
        else:
            known = list(self._params) + list(self._nested)
            raise AttributeError(f"{type(self).__name__} has no parameter {k!r}{suggest(k, known)}")

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.to_dict() == other.to_dict()  # type: ignore[union-attr]

    def __repr__(self) -> str:
        items = [f"{k}={self._params[k].show(getattr(self, k))!r}" for k in self._params]
        items += [f"{k}={getattr(self, k)!r}" for k in self._nested]
        return f"{type(self).__name__}({', '.join(items)})"

    def to_dict(self, units: bool = True) -> Dict[str, Any]:
        """A plain dict (TOML/JSON-ready). With ``units=True`` quantities are readable strings
        ("1.5 mm") where they parse back exactly, else SI numbers."""
        d: Dict[str, Any] = {}
        for k, p in self._params.items():
            v = getattr(self, k)
            d[k] = _units.format(v, p.dim, exact=True) if units and p.dim in _units.DIMENSIONS else v
        for k in self._nested:
            d[k] = getattr(self, k).to_dict(units)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], prefix: str = "") -> "Spec":
        return cls(**as_table(d, prefix or cls._prefix or cls.__name__))

    def replace(self, **changes: Any) -> "Spec":
        """A copy with some parameters changed (validated)."""
        d = self.to_dict(units=False)
        d.update(changes)
        return type(self).from_dict(d)

    @classmethod
    def parameters(cls) -> Dict[str, Param]:
        """The declared parameters (name → :class:`Param`)."""
        return dict(cls._params)


# ---------------------------------------------------------------------------------------------
# Skin

def _generic_skin() -> Any:
    return _core.generic_skin() if hasattr(_core, "generic_skin") else None


def _skin_param(f: Mapping[str, Any], default: Any) -> "Param":
    return Param(default, str(f["kind"]), float(f["lo"]), float(f["hi"]), str(f["doc"]))


class LayerProperties(Spec):
    """Properties of one skin layer (``dermasim::LayerProperties``, include/dermasim/skin/layers.hpp).

    The parameters, their ranges and docs are the C++ declaration (``LayerProperties::fields()``);
    the defaults of a bare ``LayerProperties()`` are the generic skin's papillary dermis, those
    of ``Skin()``'s layers the generic skin's (``dermasim::generic_skin()``)."""

    _params = {str(f["name"]): _skin_param(f, getattr(_generic_skin().layers[2], str(f["name"])))
               for f in _core.layer_fields()}


def _layer_factory(key: str) -> Type["LayerProperties"]:
    layer = _generic_skin().layers[LAYER_KEYS.index(key)]
    defaults = {k: Param(getattr(layer, k), p.dim, p.lo, p.hi, p.doc) for k, p in LayerProperties._params.items()}
    return type(f"LayerProperties{key}", (LayerProperties,),
                {"_params": defaults, "_prefix": f"skin.{key}", "__qualname__": "LayerProperties",
                 "__repr__": lambda self: "LayerProperties(" + Spec.__repr__(self).split("(", 1)[1]})


class Skin(Spec):
    """A skin profile: five layers (``SC``, ``VE``, ``PD``, ``RD``, ``HY``) and patient descriptors.

    ``Skin()`` is the generic skin of the model specification; ``Skin.preset("face")`` takes a
    site/age preset from the C++ library (``dermasim::skin`` presets) when it is available.
    Layers may be given as dicts: ``Skin(PD={"thickness": "200 um"})``.
    """

    _prefix = "skin"
    # the C++ declaration (SkinProfile::fields()) with the generic skin's defaults
    _params = {
        "site": Param(_generic_skin().site, "str", doc="anatomical site or preset name"),
        **{str(f["name"]): _skin_param(f, getattr(_generic_skin(), str(f["name"])))
           for f in _core.skin_fields() if f["name"] != "age_years"},
        "phototype": Param(_generic_skin().phototype, "int", *_core.SkinProfile.phototype_range, "Fitzpatrick I–VI"),
        **{str(f["name"]): _skin_param(f, getattr(_generic_skin(), str(f["name"])))
           for f in _core.skin_fields() if f["name"] == "age_years"},
        "male": Param(_generic_skin().male, "bool"),
    }
    _nested = {k: _layer_factory(k) for k in LAYER_KEYS}

    @property
    def interfaces(self) -> list:
        """Depths (m) of the bottom of each layer."""
        z, out = 0.0, []
        for k in LAYER_KEYS:
            z += getattr(self, k).thickness
            out.append(z)
        return out

    @classmethod
    def presets(cls) -> list:
        """Names of the C++ skin presets (``dermasim::skin_sites()``; empty until the skin
        bindings exist)."""
        from . import _core

        f = getattr(_core, "skin_sites", None) or getattr(_core, "skin_presets", None)
        return list(f()) if f else []

    @classmethod
    def preset(cls, site: str, *, age_years: float = 40.0, male: bool = False, phototype: int = 3,
               **overrides: Any) -> "Skin":
        """A skin from the C++ presets (``dermasim::skin_preset(site, age, male, phototype)``:
        published layer thicknesses by site, thinned with age), then ``overrides``."""
        from . import _core

        f = getattr(_core, "skin_preset", None)
        if f is None:
            raise InvalidArgumentError(
                f"skin preset {site!r}: this build has no skin presets (dermasim._core.skin_preset "
                "is missing); use Skin(...) with explicit layers")
        P = cls._params
        args = (P["site"].convert(site, "skin.site"), P["age_years"].convert(age_years, "skin.age_years"),
                P["male"].convert(male, "skin.male"), P["phototype"].convert(phototype, "skin.phototype"))
        skin = cls.from_cpp(f(*args))
        return skin.replace(**overrides) if overrides else skin

    @classmethod
    def from_cpp(cls, p: Any) -> "Skin":
        """From a bound ``dermasim::SkinProfile``."""
        d: Dict[str, Any] = {k: getattr(p, k) for k in cls._params if hasattr(p, k)}
        layers = p.layers
        for i, key in enumerate(LAYER_KEYS):
            d[key] = {k: getattr(layers[i], k) for k in LayerProperties._params if hasattr(layers[i], k)}
        return cls(**d)

    def to_cpp(self) -> Any:
        """The C++ ``SkinProfile`` (needs the skin bindings)."""
        from . import _core

        SP = getattr(_core, "SkinProfile", None)
        if SP is None:
            raise InvalidArgumentError("this build has no skin bindings (dermasim._core.SkinProfile)")
        p = SP()
        for k in self._params:
            if hasattr(p, k):
                setattr(p, k, getattr(self, k))
        layers = list(p.layers)
        for i, key in enumerate(LAYER_KEYS):
            lay = getattr(self, key)
            for k in LayerProperties._params:
                if hasattr(layers[i], k):
                    setattr(layers[i], k, getattr(lay, k))
        p.layers = layers
        return p


# ---------------------------------------------------------------------------------------------
# Devices — field names and defaults mirror include/dermasim/device/{needle,device}.hpp; when
# the device bindings exist (dermasim._core.Roller/Pen/Stamp) the defaults are read from the
# default-constructed C++ values and to_cpp() fills them.

_DEG = "deg"


class Needle(Spec):
    """Needle geometry (``dermasim::Needle``): a cone or pyramid tapering from the tip over
    ``taper_length`` (0: the whole length) to ``base_diameter``."""

    _prefix = "needle"
    # the C++ declaration (Needle::fields()) with a default Needle's values
    _params = {
        **{str(f["name"]): Param(float(getattr(_core.Needle(), str(f["name"]))), "length", float(f["lo"]),
                                 float(f["hi"]), str(f["doc"])) for f in _core.Needle.fields()},
        # the C++ NeedleShape enum's names, default a default Needle's
        "shape": Param(_core.Needle().shape.name, "str", choices=tuple(_core.NeedleShape.__members__)),
    }


def _field_range(f: Mapping[str, Any]) -> Tuple[Any, Any]:
    """(lo, hi) of a C++ field declaration: none for bool/str, ints for int."""
    if f["kind"] in ("bool", "str"):
        return None, None
    conv = int if f["kind"] == "int" else float
    return conv(f["lo"]), conv(f["hi"])


def fields_params(cls: Any, kinds: Optional[Mapping[str, Any]] = None) -> Dict[str, "Param"]:
    """Parameters from a C++ type's field table (``cls.fields()``: name, kind, SI range, doc and,
    where declared, choices) with a default-constructed ``cls()``'s values as the defaults: the
    one builder of the Python types that C++ declares. ``kinds`` maps a kind to a Param subclass
    (a course entry's "concentration" takes "15 %")."""
    obj = cls()
    out: Dict[str, Param] = {}
    for f in cls.fields():
        n, kind = str(f["name"]), str(f["kind"])
        p = (kinds or {}).get(kind, Param)
        out[n] = p(getattr(obj, n), kind, *_field_range(f), str(f["doc"]), tuple(f.get("choices", ())) or None)
    return out


def _device_params(cpp_name: str) -> Dict[str, "Param"]:
    """A device type's parameters from its C++ declaration (``<Device>::fields()``: kind, range,
    doc) with a default-constructed C++ device's values as the defaults."""
    cls = getattr(_core, cpp_name)
    return {"name": Param(str(cls().name), "str"), **fields_params(cls)}


def _device_needle(cpp_name: str) -> Type["Needle"]:
    """The needle of a default-constructed C++ device, as the Needle type's defaults."""
    n = getattr(_core, cpp_name)().needle
    return _needle(n.length, n.base_diameter, n.tip_radius, n.taper_length)


def _needle(length: Any, diameter: Any, tip: Any, taper: Any) -> Type[Needle]:
    d = dict(length=length, base_diameter=diameter, tip_radius=tip, taper_length=taper)
    params = {k: Param(d.get(k, p.default), p.dim, p.lo, p.hi, p.doc, p.choices) for k, p in Needle._params.items()}
    return type("Needle", (Needle,), {"_params": params, "_prefix": "device.needle"})


class Device(Spec):
    """Base of the microneedling devices. ``Device.from_dict`` dispatches on ``type``
    (``roller``, ``pen``, ``stamp``, ``applicator``). ``needle_length`` is accepted everywhere:
    the needle length (roller, stamp, applicator) or the depth setting (pen)."""

    _prefix = "device"
    type: ClassVar[str] = ""
    _length_path: ClassVar[str] = "needle.length"

    def __init__(self, **kwargs: Any):
        if "needle_length" in kwargs:
            v = kwargs.pop("needle_length")
            head, _, leaf = self._length_path.rpartition(".")
            if head:
                nd = kwargs.get(head)
                if nd is not None and not isinstance(nd, (Spec, Mapping)):
                    raise InvalidArgumentError(f"device.{head}: expected a table/dict (got {_show(nd)})")
                nd = dict(nd.to_dict(units=False) if isinstance(nd, Spec) else as_table(nd or {}, f"device.{head}"))
                if leaf in nd and nd[leaf] != v:
                    raise InvalidArgumentError(f"device: give needle_length or {self._length_path}, not both")
                nd[leaf] = v
                kwargs[head] = nd
            else:
                if leaf in kwargs and kwargs[leaf] != v:
                    raise InvalidArgumentError(f"device: give needle_length or {leaf}, not both")
                kwargs[leaf] = v
        super().__init__(**kwargs)

    @property
    def needle_length(self) -> float:
        """Nominal needle length (pen: the depth setting), m."""
        obj: Any = self
        for part in self._length_path.split("."):
            obj = getattr(obj, part)
        return obj

    def to_dict(self, units: bool = True) -> Dict[str, Any]:
        return {"type": self.type, **super().to_dict(units)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], prefix: str = "device") -> "Device":
        d = as_table(d, prefix)
        kinds = _device_kinds()
        t = d.pop("type", cls.type or None)
        if not isinstance(t, str) or t not in kinds:
            raise InvalidArgumentError(f"{prefix}.type: {_show(t)} is not one of "
                                       f"{', '.join(map(repr, kinds))}" + suggest(t, kinds))
        if cls is not Device and t != cls.type:
            raise InvalidArgumentError(f"{prefix}.type: expected {cls.type!r} (got {t!r})")
        return kinds[t](**d)

    def to_cpp(self) -> Any:
        """The C++ device value (``dermasim._core.Roller``/``Pen``/``Stamp``/``Applicator``;
        needs the device bindings)."""
        from . import _core

        cpp = getattr(_core, type(self).__name__, None)
        if cpp is None:
            raise InvalidArgumentError(f"this build has no device bindings (dermasim._core.{type(self).__name__})")
        return _fill(cpp(), self)

    @classmethod
    def from_cpp(cls, obj: Any) -> "Device":
        return cls(**_read(obj, cls))


def _fill(obj: Any, spec: Spec) -> Any:
    for k, p in spec._params.items():
        if hasattr(obj, k):
            v = getattr(spec, k)
            if k == "shape":
                from . import _core

                v = getattr(getattr(_core, "NeedleShape"), v)
            setattr(obj, k, v)
    for k in spec._nested:
        if hasattr(obj, k):
            setattr(obj, k, _fill(getattr(obj, k), getattr(spec, k)))
    return obj


def _read(obj: Any, cls: Type[Spec]) -> Dict[str, Any]:
    d: Dict[str, Any] = {}
    for k in cls._params:
        if hasattr(obj, k):
            v = getattr(obj, k)
            d[k] = v.name if hasattr(v, "name") and not isinstance(v, (str, int, float)) else v
    for k, sub in cls._nested.items():
        if hasattr(obj, k):
            d[k] = _read(getattr(obj, k), sub)
    return d


_NEEDLES = Param(12, "int", -2**31, 2**31 - 1, "needles of a preset (a C int: the C++ preset checks its own range)")


class Roller(Device):
    """A dermaroller (``dermasim::Roller``): a drum with ``rows`` × ``needles_per_row`` needles
    rolled over the skin ``passes`` times in ``directions`` directions (default: MF8 format,
    192 needles in 8 rows on a 2 cm × 2 cm drum; Schwarz & Laaff 2011)."""

    type = "roller"
    _params = _device_params("Roller")  # the C++ declaration (Roller::fields())
    _nested = {"needle": _device_needle("Roller")}

    @classmethod
    def home(cls, needle_length: Any = "0.25 mm", needles: int = 192) -> "Roller":
        """The C++ home-roller preset (0.1–1 mm; 192- or 540-needle drum)."""
        from . import _core

        return cls.from_cpp(_core.home_roller(_units.parse(needle_length, "length", "device.needle_length"),
                                              _NEEDLES.convert(needles, "needles")))

    @classmethod
    def clinical(cls, needle_length: Any = "1.5 mm") -> "Roller":
        """The C++ clinical-roller preset (Dermaroller MF8-like)."""
        from . import _core

        return cls.from_cpp(_core.clinical_roller(_units.parse(needle_length, "length", "device.needle_length")))


class Pen(Device):
    """An automated microneedling pen (``dermasim::Pen``): a cartridge of ``needles`` at
    ``pitch`` stamping at ``frequency`` while the hand glides at ``hand_speed``. ``depth`` is
    the depth setting (``needle_length`` is accepted for it)."""

    type = "pen"
    _length_path = "depth"
    _params = _device_params("Pen")  # the C++ declaration (Pen::fields())
    _nested = {"needle": _device_needle("Pen")}

    @classmethod
    def clinical(cls, depth: Any = "1.5 mm", needles: int = 12) -> "Pen":
        """The C++ clinical-pen preset (``dermasim::clinical_pen``)."""
        from . import _core

        return cls.from_cpp(_core.clinical_pen(_units.parse(depth, "length", "device.depth"),
                                               _NEEDLES.convert(needles, "needles")))

    def _validate(self) -> None:
        if hasattr(self, "depth_max") and not self.depth_min <= self.depth <= self.depth_max:
            raise InvalidArgumentError(
                f"device.depth: {self.depth:g} m is outside the pen's range "
                f"[{self.depth_min:g}, {self.depth_max:g}] m (device.depth_min, device.depth_max)")


class Stamp(Device):
    """A stamp (``dermasim::Stamp``): a flat ``rows`` × ``cols`` array at ``pitch`` pressed
    ``presses`` times."""

    type = "stamp"
    _params = _device_params("Stamp")  # the C++ declaration (Stamp::fields())
    _nested = {"needle": _device_needle("Stamp")}


class Applicator(Device):
    """An impact applicator (``dermasim::Applicator``): a spring-driven mass ``impact_mass``
    carries a flat ``rows`` × ``cols`` array at ``pitch`` into the skin at ``impact_velocity``;
    the needles share its kinetic energy ½ m v² (energy drive). Applied ``presses`` times."""

    type = "applicator"
    _params = _device_params("Applicator")  # the C++ declaration (Applicator::fields())
    _nested = {"needle": _device_needle("Applicator")}

    @property
    def kinetic_energy(self) -> float:
        """½ m v² of the moving mass at impact, J (shared by the needles)."""
        return 0.5 * self.impact_mass * self.impact_velocity ** 2


# ---------------------------------------------------------------------------------------------

class Protocol(Spec):
    """Treatment sessions: how many, how far apart, and how long to follow up after the last."""

    _prefix = "protocol"
    # the C++ declaration (healing::Protocol::fields())
    _params = {str(f["name"]): (Param(bool(f["default"]), "bool", doc=str(f["doc"])) if f["kind"] == "bool" else
                                Param(int(f["default"]), "int", int(f["lo"]), int(f["hi"]), str(f["doc"]))
                                if f["kind"] == "int" else
                                Param(float(f["default"]), str(f["kind"]), float(f["lo"]), float(f["hi"]),
                                      str(f["doc"])))
               for f in _core.Protocol.fields()}

    @property
    def duration(self) -> float:
        """Total simulated time (s)."""
        if not self.sessions:  # no regular sessions: the run is the follow-up (start shifts sessions only)
            return self.follow_up
        return self.start + (self.sessions - 1) * self.interval + self.follow_up

    @property
    def session_times(self) -> list:
        return [self.start + i * self.interval for i in range(self.sessions)]


class Numerics(Spec):
    """Resolution and tolerances (``dermasim::Numerics``). ``dimension`` 1 is the depth column
    (sweep speed), 2 an x–z slice, 3 the patch. The z grid is graded from ``h_min`` with a face
    on every layer boundary. Snapshots, threads and progress are arguments of ``simulate``."""

    _prefix = "numerics"
    # built from the C++ declaration (Numerics::fields(); defaults from a default Numerics)
    _params = fields_params(_core.Numerics)

    def _validate(self) -> None:
        if not hasattr(self, "adaptive"):
            return
        if self.h_max < self.h_min:
            raise InvalidArgumentError(f"numerics.h_max: {self.h_max:g} m must be >= numerics.h_min ({self.h_min:g} m)")
        if self.raster_spacing > self.patch_size:
            raise InvalidArgumentError(f"numerics.raster_spacing: {self.raster_spacing:g} m must be <= "
                                       f"numerics.patch_size ({self.patch_size:g} m)")
        if self.lateral_spacing > self.patch_size:
            raise InvalidArgumentError(f"numerics.lateral_spacing: {self.lateral_spacing:g} m must be <= "
                                       f"numerics.patch_size ({self.patch_size:g} m)")
        if self.dt_max < self.dt_initial:
            raise InvalidArgumentError(f"numerics.dt_max: {self.dt_max:g} s must be >= numerics.dt_initial "
                                       f"({self.dt_initial:g} s)")


class Patient(Spec):
    """Patient factors (``dermasim::healing::PatientFactors``): diabetes, anticoagulants and
    smoking change the model; the contraindications only produce warnings."""

    _prefix = "patient"
    # built from the C++ declaration (PatientFactors::fields(), through the bindings)
    _params = {str(f["name"]): Param(bool(f["default"]), "bool", doc=str(f["doc"]))
               for f in _core.PatientFactors.fields()}


class RegistryParameters:
    """Overrides of a C++ parameter registry by dotted name within ``_prefix`` (the shared
    machinery of :class:`ModelParameters` and :class:`PenetrationParameters`).

    The defaults, units, valid ranges and sources belong to the C++ registry
    (``dermasim._core.<_core_class>``: ``names()``, ``info(name)``, ``get``/``set``); names are
    checked against it (with a "did you mean" hint), unit strings are converted with the
    registry's unit (any unit of the same dimension works), plain numbers are SI and the range
    is checked as the C++ does. Without the bindings the overrides are kept as given.
    """

    _prefix: ClassVar[str] = ""
    _core_class: ClassVar[str] = ""

    def __init__(self, values: Optional[Mapping[str, Any]] = None, **groups: Any):
        pre = self._prefix
        flat = flatten(as_table(values or {}, pre), where=pre + ".")
        flat.update(flatten(groups, where=pre + "."))
        table = self.table()
        out: Dict[str, Any] = {}
        for k, v in flat.items():
            if k.startswith(pre + "."):
                k = k[len(pre) + 1:]
            name = f"{pre}.{k}"
            if table is not None:
                if k not in table:
                    raise InvalidArgumentError(f"unknown parameter {_show(name)}{suggest(k, table)}")
                v = _convert_registry(name, v, *table[k])
            out[k] = v
        self._values = out

    @classmethod
    def _core_type(cls) -> Any:
        from . import _core

        return getattr(_core, cls._core_class, None)

    @classmethod
    def table(cls) -> Optional[Dict[str, Tuple[str, float, float, float]]]:
        """``{dotted name within the prefix: (unit, to_si, lo, hi)}`` (``lo``/``hi`` in
        ``unit``) from the C++ registry, or None when the bindings are absent."""
        cached = cls.__dict__.get("_registry")
        if cached is not None:
            return cached
        T = cls._core_type()
        if T is None:
            return None
        out = {}
        pre = cls._prefix + "."
        for full in T.names():
            e = T.info(full)
            name = str(e["name"])
            name = name[len(pre):] if name.startswith(pre) else name
            out[name] = (str(e["unit"]), float(e["to_si"]), float(e["lo"]), float(e["hi"]))
        cls._registry = out
        return out

    @classmethod
    def names(cls) -> list:
        """The full dotted names of the registry (``healing.…``, ``penetration.…``)."""
        t = cls.table()
        return [f"{cls._prefix}.{k}" for k in t] if t else []

    @classmethod
    def default(cls, name: str) -> float:
        """The C++ default (SI) of a parameter (dotted name, with or without the prefix)."""
        k = name[len(cls._prefix) + 1:] if name.startswith(cls._prefix + ".") else name
        table, T = cls.table(), cls._core_type()
        if table is None or T is None:
            raise InvalidArgumentError(f"{cls._prefix}.{k}: this build has no {cls._core_class} bindings")
        if k not in table:
            raise InvalidArgumentError(f"unknown parameter {_show(cls._prefix + '.' + k)}{suggest(k, table)}")
        return float(T().get(f"{cls._prefix}.{k}"))

    @property
    def values(self) -> Dict[str, Any]:
        """The overrides, by dotted name within the prefix (SI where converted)."""
        return dict(self._values)

    def __getitem__(self, k: str) -> Any:
        return self._values[k]

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values == other._values  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}({self._values!r})" if self._values else f"{name}()"

    def to_dict(self, units: bool = True) -> Dict[str, Any]:
        return unflatten(self._values)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], prefix: str = "") -> Any:
        return cls(as_table(d, prefix or cls._prefix))

    def replace(self, **changes: Any) -> Any:
        v = dict(self._values)
        v.update(flatten(changes))
        return type(self)(v)

    def apply_to(self, obj: Any) -> Any:
        """Sets the overrides on a C++ registry object (``.set(dotted name, SI value)``) and
        returns it."""
        for k, v in self._values.items():
            obj.set(f"{self._prefix}.{k}", float(v))
        return obj

    def to_cpp(self) -> Any:
        """A C++ registry object (default-constructed, then the overrides)."""
        T = self._core_type()
        if T is None:
            raise InvalidArgumentError(f"this build has no {self._cpp_name()} bindings")
        return self.apply_to(T())

    @classmethod
    def _cpp_name(cls) -> str:
        return f"dermasim._core.{cls._core_class}"


class ModelParameters(RegistryParameters):
    """Overrides of the healing model's parameters, by dotted name within ``healing``:

        ModelParameters({"fibroblast.proliferation_rate": "0.8 1/day"})
        ModelParameters(fibroblast={"proliferation_rate": "0.8 1/day"})

    The defaults, units, valid ranges and sources belong to the C++ model
    (``dermasim::healing::HealingParameters``, docs/model.md); names are checked against its
    registry (with a "did you mean" hint), unit strings are converted with the registry's unit,
    plain numbers are SI. Without the healing bindings the overrides are kept as given.
    """

    _prefix = "healing"
    _core_class = "HealingParameters"


class PenetrationParameters(RegistryParameters):
    """Overrides of the insertion mechanics' parameters, by dotted name within ``penetration``:

        PenetrationParameters({"insertion.friction_stress": "2 kPa"})
        PenetrationParameters(puncture={"critical_speed": "0.5 m/s"})

    The defaults, units, ranges and sources belong to the C++ ``dermasim::PenetrationParams``
    (``dermasim._core.PenetrationParams.names()`` / ``.info(name)``, docs/model.md §3); the
    same rules as :class:`ModelParameters` apply. ``Scenario.penetration`` holds one; the
    simulation's puncture stage uses it.
    """

    _prefix = "penetration"
    _core_class = "PenetrationParams"


class RasterParameters(RegistryParameters):
    """Overrides of the injury field's parameters (crush-halo width, its cut-off, the blood fill
    of a bleeding lumen), by dotted name within ``raster``: ``RasterParameters({"halo": "20 um"})``.
    Defaults, units, ranges and sources are the C++ ``dermasim::RasterParams`` registry
    (docs/model.md §4). ``Scenario.raster`` holds one; the rasterisation of every session uses it.
    """

    _prefix = "raster"
    _core_class = "RasterParams"


def module_catalog() -> list:
    """The healing model and every registered module (``dermasim._core.modules()``): name, doc,
    species, parameters and outcomes; ``[]`` without the bindings."""
    from . import _core

    return list(_core.modules()) if hasattr(_core, "modules") else []


class ModuleSet:
    """Modules added to the healing model and their parameter overrides, by dotted name
    within the module (:func:`dermasim.modules` lists what a build has):

        ModuleSet(["tracer"], {"tracer.decay": "1 1/day"})
        ModuleSet(enabled=["tracer"], tracer={"decay": "1 1/day"})

    Names, units, ranges and defaults belong to the C++ modules (model/module.hpp); an unknown
    module, or a parameter of no enabled module, is an InvalidArgumentError. In a scenario
    file: ``[modules] enabled = ["tracer"]`` and ``[modules.tracer] decay = "1 1/day"``; by
    dotted name: ``modules.tracer.decay``."""

    def __init__(self, enabled: Any = (), parameters: Optional[Mapping[str, Any]] = None, **groups: Any):
        if isinstance(enabled, str) or not all(isinstance(x, str) for x in enabled):
            raise InvalidArgumentError(f"modules.enabled: expected a list of module names (got {_show(enabled)})")
        self.enabled = list(enabled)
        cat = {m["name"]: m for m in module_catalog() if m["name"] != "healing"}
        if cat:
            for n in self.enabled:
                if n not in cat:
                    raise InvalidArgumentError(f"modules.enabled: unknown module {_show(n)}{suggest(n, cat)}; "
                                               f"known: {', '.join(sorted(cat)) or 'none'}")
        flat = flatten(as_table(parameters or {}, "modules"), where="modules.")
        flat.update(flatten(groups, where="modules."))
        table = {p["name"]: (str(p["unit"]), float(p["to_si"]), float(p["lo"]), float(p["hi"]))
                 for n in self.enabled if n in cat for p in cat[n]["parameters"]}
        self._values: Dict[str, Any] = {}
        for k, v in flat.items():
            if cat and k not in table:
                raise InvalidArgumentError(f"modules.{k} is not a parameter of the enabled modules "
                                           f"({', '.join(self.enabled) or 'none'}){suggest(k, table)}")
            self._values[k] = _convert_registry(f"modules.{k}", v, *table[k]) if cat else v

    @property
    def values(self) -> Dict[str, Any]:
        return dict(self._values)

    def default(self, name: str) -> float:
        """The declared default (SI) of an enabled module's parameter ("tracer.decay")."""
        for m in module_catalog():
            if m["name"] in self.enabled:
                for p in m["parameters"]:
                    if p["name"] == name:
                        return float(p["default"]) * float(p["to_si"])
        raise InvalidArgumentError(f"modules.{name} is not a parameter of the enabled modules "
                                   f"({', '.join(self.enabled) or 'none'})")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModuleSet) and (self.enabled, self._values) == (other.enabled, other._values)

    def __repr__(self) -> str:
        return f"ModuleSet({self.enabled!r}, {self._values!r})" if self.enabled or self._values else "ModuleSet()"

    def to_dict(self, units: bool = True) -> Dict[str, Any]:
        d: Dict[str, Any] = {"enabled": list(self.enabled)}
        d.update(unflatten(self._values))
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], prefix: str = "") -> "ModuleSet":
        d = dict(as_table(d, prefix or "modules"))
        return cls(d.pop("enabled", ()), d)

    def apply_to(self, s: Any) -> Any:
        s.modules = list(self.enabled)
        s.module_parameters = {k: float(v) for k, v in self._values.items()}
        return s


def _convert_registry(name: str, value: Any, unit: str, to_si: float, lo: float, hi: float) -> float:
    """A registry parameter (healing, penetration) in SI: numbers are SI; "<number> <unit>" is converted through the
    registry's display unit (any unit of the same dimension works); the range is checked in
    the display unit, as the C++ does."""
    reg_unit = "" if unit in ("-", "1", "") else unit
    u = "" if unit in ("-", "1", "") else f" {unit}"
    valid = f"[{lo:g}, {hi:g}]{u}"
    try:
        if isinstance(value, str):
            si_num, dim = _units.to_si(value, name)
            f_reg, dim_reg = _units._parse_unit(reg_unit, name, value)
            if dim != dim_reg:
                raise InvalidArgumentError(f"{name}: expected a quantity in {unit} (got {_show(value)})")
            v = si_num / float(f_reg) * to_si
        else:
            v = _units.parse(value, "dimensionless", name)
    except InvalidArgumentError as e:
        raise InvalidArgumentError(f"{e}; valid: {valid}") from None
    shown = v / to_si
    if not lo - 1e-12 * abs(lo) <= shown <= hi + 1e-12 * abs(hi):
        raise InvalidArgumentError(f"{name}: {shown:g}{u} is out of range; valid: {valid}")
    return v


class Scenario:
    """One treatment to simulate: skin, device, protocol, healing and penetration parameters,
    patient, numerics and seed.

    >>> s = Scenario(device=Pen(needle_length="1.5 mm"), protocol=Protocol(sessions=4))
    >>> s.get("device.needle_length")
    0.0015
    >>> s2 = s.with_values({"device.needle_length": "0.5 mm", "protocol.sessions": 2})
    """

    _parts: ClassVar[Tuple[str, ...]] = ("skin", "device", "protocol", "healing", "penetration", "raster",
                                         "patient", "numerics", "modules", "course")
    #: The parts that are overrides of a C++ registry (RegistryParameters).
    _registries: ClassVar[Tuple[str, ...]] = ("healing", "penetration", "raster")

    def __init__(self, skin: Any = None, device: Any = None, protocol: Any = None,
                 healing: Any = None, numerics: Any = None, patient: Any = None,
                 seed: int = 20240601, title: str = "", penetration: Any = None, modules: Any = None,
                 course: Any = None, raster: Any = None):
        if skin is None and _has_presets():  # as the C++ Scenario: skin_preset("face")
            skin = Skin.preset("face")
        self.skin = _coerce(skin, Skin, "skin")
        if device is None:  # as the C++ Scenario: clinical_pen(1.5 mm)
            device = Pen.clinical("1.5 mm") if _has_presets() else Pen(needle_length="1.5 mm")
        self.device = _coerce(device, Device, "device")
        self.protocol = _coerce(protocol, Protocol, "protocol")
        self.healing = _coerce(healing, ModelParameters, "healing")
        self.penetration = _coerce(penetration, PenetrationParameters, "penetration")
        self.raster = _coerce(raster, RasterParameters, "raster")
        self.numerics = _coerce(numerics, Numerics, "numerics")
        self.patient = _coerce(patient, Patient, "patient")
        if isinstance(modules, (list, tuple)):
            modules = ModuleSet(modules)
        self.modules = _coerce(modules, ModuleSet, "modules")
        from .course import Course  # procedures besides needling (topical applications)

        self.course = course if isinstance(course, Course) else (
            Course() if course is None else Course.from_dict(course))
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0 or seed >= 2**64:
            try:
                import numpy as np

                ok = isinstance(seed, np.integer) and 0 <= int(seed) < 2**64
            except ImportError:  # pragma: no cover
                ok = False
            if not ok:
                raise InvalidArgumentError(f"seed: expected an integer in [0, 2^64) (got {_show(seed)})")
        self.seed = int(seed)
        self.title = Param("", "str").convert(title, "title")

    def __repr__(self) -> str:
        parts = ",\n    ".join(f"{k}={getattr(self, k)!r}" for k in self._parts)
        t = f",\n    title={self.title!r}" if self.title else ""
        return f"Scenario(\n    {parts},\n    seed={self.seed}{t})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self.to_dict(units=False) == other.to_dict(units=False)

    # -- dicts and files ---------------------------------------------------------------------
    def to_dict(self, units: bool = True) -> Dict[str, Any]:
        d: Dict[str, Any] = {}
        if self.title:
            d["title"] = self.title
        d["seed"] = self.seed
        for k in self._parts:
            if k == "modules" and not (self.modules.enabled or self.modules.values):
                continue  # none: files stay as they were
            if k == "course" and not len(self.course):
                continue
            if k == "raster" and not self.raster.values:
                continue  # no overrides: files stay as they were
            d[k] = getattr(self, k).to_dict(units)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Scenario":
        d = as_table(d, "scenario")
        check_keys(d, ("title", "seed") + cls._parts, "scenario")
        return cls(**d)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=False)

    @classmethod
    def from_json(cls, text: str) -> "Scenario":
        """From JSON text (errors, including bad syntax, are InvalidArgumentError)."""
        from .config import loads_json

        return cls.from_dict(loads_json(text))

    def to_toml(self) -> str:
        from .config import dumps_toml

        return dumps_toml(self.to_dict())

    @classmethod
    def from_toml(cls, text: str) -> "Scenario":
        """From TOML text (errors, including bad syntax, are InvalidArgumentError)."""
        from .config import loads_toml

        return cls.from_dict(loads_toml(text))

    def save(self, path: str | os.PathLike) -> None:
        """Write TOML (``.toml``) or JSON (``.json``)."""
        write_file(self.to_dict(), path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Scenario":
        """Read a TOML or JSON scenario file; a ``[scenario]`` table is accepted too.

        A file that cannot be read is a FileFormatError; bad content (syntax, an unknown
        parameter, a bad value) an InvalidArgumentError; both messages start with the path."""
        d = read_file(path)
        if "scenario" in d and isinstance(d["scenario"], Mapping):
            d = d["scenario"]
        try:
            return cls.from_dict(d)
        except InvalidArgumentError as e:
            raise InvalidArgumentError(f"{os.fspath(path)}: {e}") from None

    @staticmethod
    def _check_name(name: Any) -> str:
        if not isinstance(name, str):
            raise InvalidArgumentError(f"parameter names are dotted strings such as "
                                       f"'device.needle_length' (got {_show(name)})")
        if "." in name and not all(name.split(".")):
            raise InvalidArgumentError(f"{_show(name)} is not a parameter name (an empty part between "
                                       f"dots); use dotted names such as 'device.needle_length'")
        return name

    # -- the C++ scenario ------------------------------------------------------------------------
    def to_cpp(self) -> Any:
        """The C++ ``dermasim::Scenario`` (``dermasim._core.HealingScenario``): the same device in
        every session (``Protocol.regular``), healing and penetration overrides set through
        their registries."""
        from . import _core

        HS = getattr(_core, "HealingScenario", None)
        if HS is None:
            raise InvalidArgumentError("this build has no healing model (dermasim._core.HealingScenario)")
        s = HS()
        s.skin = self.skin.to_cpp()
        if self.course.has_needling():  # the sessions are the course's Needling entries
            if self.protocol.sessions:
                raise InvalidArgumentError(f"protocol.sessions = {self.protocol.sessions}: the course has needling "
                                           f"sessions of its own; set protocol.sessions = 0 (protocol.follow_up "
                                           f"still applies after the last one)")
            if self.protocol.start or self.protocol.occluded:
                raise InvalidArgumentError("protocol.start and protocol.occluded apply to the regular sessions; the "
                                           "course's Needling entries have their own (absolute) time and occluded")
            p = _core.Protocol()
            p.sessions = self.course.sessions(self.penetration, self.raster)
            p.follow_up = self.protocol.follow_up
        else:
            p = _core.Protocol.regular(_core.Device(self.device.to_cpp()), self.protocol.sessions,
                                       self.protocol.interval, self.protocol.follow_up)
        if not self.course.has_needling() and (self.protocol.occluded or self.protocol.start > 0):
            sessions = list(p.sessions)
            for x in sessions:
                x.occluded = bool(self.protocol.occluded)
                x.time = x.time + self.protocol.start
            p.sessions = sessions
        if len(self.course):  # topical applications (the C++ topical module is enabled by them)
            p.applications = self.course.applications([x.time for x in p.sessions])
        s.protocol = p
        s.parameters = self.healing.apply_to(s.parameters)
        if self.penetration.values:
            if not hasattr(s, "penetration"):
                raise InvalidArgumentError("this build's C++ scenario has no penetration parameters "
                                           "(dermasim._core.HealingScenario.penetration)")
            s.penetration = self.penetration.apply_to(s.penetration)
        if self.raster.values:
            s.raster = self.raster.apply_to(s.raster)
        s.patient = _fill(s.patient, self.patient)
        s.numerics = _fill(s.numerics, self.numerics)
        s.seed = self.seed
        if self.modules.enabled or self.modules.values:
            self.modules.apply_to(s)
        s.validate()  # errors name the course entry (Topical.origin: course.N)
        return s

    @property
    def session_times(self) -> list:
        """Times of the needling sessions (s): the course's Needling entries, else the protocol's."""
        if self.course.has_needling():
            return sorted(float(p.time) for p in self.course.procedures if hasattr(p, "device"))
        return list(self.protocol.session_times)

    @property
    def duration(self) -> float:
        """Total simulated time (s)."""
        if self.course.has_needling():
            return self.session_times[-1] + self.protocol.follow_up
        return self.protocol.duration

    # -- dotted names --------------------------------------------------------------------------
    def flat(self, units: bool = False) -> Dict[str, Any]:
        """All parameters by dotted name (SI values)."""
        return flatten(self.to_dict(units))

    def get(self, name: str) -> Any:
        """The value (SI) of a dotted parameter name."""
        name = self._check_name(name)
        if name == "device.needle_length":
            return self.device.needle_length
        m = _COURSE_LENGTH.match(name)
        if m and int(m.group(1)) < len(self.course) and hasattr(self.course[int(m.group(1))], "device"):
            return self.course[int(m.group(1))].device.needle_length
        flat = self.flat()
        if name in flat:
            return flat[name]
        m = _COURSE_SESSION_PARAM.match(name)  # a Needling's parameter it does not override
        if m and int(m.group(1)) < len(self.course) and hasattr(self.course[int(m.group(1))], "device"):
            return self.get(m.group(2))
        part = name.split(".", 1)[0]
        if part in self._registries:  # not overridden: the C++ default
            return getattr(self, part).default(name)
        if part == "modules":  # not overridden: the module's declared default (SI)
            return self.modules.default(name[len("modules."):])
        raise InvalidArgumentError(f"unknown parameter {_show(name)}{suggest(name, flat)}")

    def with_values(self, values: Mapping[str, Any]) -> "Scenario":
        """A new scenario with parameters set by dotted name (unit strings accepted). Names are
        checked (an unknown one is an InvalidArgumentError with a "did you mean" hint); a name
        of a table (``skin.PD``) replaces the whole table."""
        if not isinstance(values, Mapping):
            raise InvalidArgumentError(f"with_values: expected a dict of dotted name → value "
                                       f"(got {_show(values)})")
        for name in values:
            self._check_name(name)
        d = self.to_dict(units=False)
        kinds = _device_kinds()
        device_cls: Any = type(self.device)
        if "device.type" in values:  # another kind of device: keep only the parameters it shares
            new = values["device.type"]
            device_cls = kinds.get(new) if isinstance(new, str) else None
            keep = {**device_cls._params, **device_cls._nested} if device_cls else {}
            d["device"] = {k: v for k, v in d["device"].items() if k in keep}
        known = {k for k, v in self.flat().items() if not isinstance(v, Mapping)}
        if device_cls is not None:
            known |= {"device." + k for k in flatten(device_cls().to_dict(units=False))}
        for name, v in values.items():
            if name == "device.needle_length":  # the alias of needle.length / a pen's depth
                name = "device." + (device_cls or type(self.device))._length_path
            m = _COURSE_LENGTH.match(name)
            if m and int(m.group(1)) < len(self.course) and hasattr(self.course[int(m.group(1))], "device"):
                name = f"course.{m.group(1)}.device." + type(self.course[int(m.group(1))].device)._length_path
                known.add(name)
            if name in ("seed", "title"):
                d[name] = v
            elif "." not in name:
                raise InvalidArgumentError(f"{_show(name)} is not a parameter name; use dotted names "
                                           f"such as 'device.needle_length'" + suggest(name, self.flat()))
            elif name.split(".")[0] not in self._parts:
                raise InvalidArgumentError(f"unknown parameter {_show(name)}{suggest(name, known)} (dotted "
                                           f"names start with {', '.join(self._parts)})")
            elif any(p in known for p in _prefixes(name)):  # "protocol.interval.x", "seed.x"
                leaf = next(p for p in _prefixes(name) if p in known)
                raise InvalidArgumentError(f"unknown parameter {_show(name)}: {leaf} is a parameter, "
                                           f"not a table" + suggest(name, known))
            else:  # an unknown name within a table is reported by the table (with a hint)
                set_dotted(d, name, v)
        return Scenario.from_dict(d)

    def replace(self, **parts: Any) -> "Scenario":
        kw = {k: getattr(self, k) for k in self._parts}
        kw.update(seed=self.seed, title=self.title)
        kw.update(parts)
        return Scenario(**kw)


_COURSE_LENGTH = re.compile(r"^course\.(\d+)\.device\.needle_length$")
_COURSE_SESSION_PARAM = re.compile(r"^course\.(\d+)\.((?:penetration|raster)\..+)$")


def _device_kinds() -> Dict[str, Type["Device"]]:
    """Device type name → spec class."""
    return {c.type: c for c in (Roller, Pen, Stamp, Applicator)}


def _prefixes(name: str) -> list:
    """``"a.b.c"`` → ``["a", "a.b"]``."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _has_presets() -> bool:
    from . import _core

    return hasattr(_core, "skin_preset")


def _coerce(v: Any, cls: Any, name: str) -> Any:
    if v is None:
        return cls()
    if isinstance(v, cls):
        return v
    if isinstance(v, Mapping):
        return cls.from_dict(v, prefix=name)
    raise InvalidArgumentError(f"{name}: expected a {cls.__name__} or a dict (got {_show(v)})")
