"""Procedures on the treatment course: topical applications, and needling sessions with their own
device and time (when the regular ``Protocol`` does not describe the course).

>>> import dermasim as ds
>>> s = ds.Scenario(course=[ds.Topical(agent="ascorbic_acid", concentration="15 %",
...                                    duration="30 min", session=1, when="after")])
>>> s.get("course.0.concentration")      # w/v: 15 % = 150 kg/m^3
150.0

A :class:`Topical` is placed either at an absolute ``time`` (``session = 0``) or relative to a
needling session (``session = N``, 1-based, ``when`` = "before" (ending at the needling),
"during" (a gliding serum on when the channels open) or "after"); ``repeat``/``every`` make a
daily serum. The agents' properties and the transport are C++ (``treatment/topical.hpp``,
``modules/topical.hpp``); this module only describes the course. Files: ``[course.0]`` tables;
dotted names ``course.0.concentration`` (sweeps and sensitivity use them).
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from . import _core
from . import units as _units
from ._core import InvalidArgumentError
from .config import as_table, check_keys
from .scenario import Param, Spec, fields_params
from .units import show as _show

__all__ = ["Topical", "Needling", "Course", "agents"]

def agents() -> List[str]:
    """The agent presets (C++ ``treatment::agent_presets``)."""
    return list(_core.agent_presets())


class _Concentration(Param):
    """A concentration in kg/m^3; "15 %" is weight per volume (15 g per 100 mL = 150 kg/m^3)."""

    def convert(self, value: Any, name: str) -> Any:
        if isinstance(value, str) and value.strip().endswith(("%", "percent")):
            frac = _units.parse(value, "dimensionless", name)
            value = frac * 1000.0  # w/v: 1 % = 10 g/L
        return super().convert(value, name)


class Topical(Spec):
    """One topical application (or ``repeat`` of them, ``every`` apart): an agent in a vehicle
    film of ``volume`` per skin area at ``concentration``, on the skin for ``duration`` and then
    wiped off. Occluded applications keep the needle channels open at the occluded rate."""

    _prefix = "topical"
    # the C++ declaration (treatment::TopicalEntry::fields(); defaults from a default entry)
    _params = fields_params(_core.TopicalEntry, {"concentration": _Concentration})

    def to_cpp(self, session_times: List[float], where: str = "topical") -> List[Any]:
        """The C++ applications of this entry (``TopicalEntry::expand``: placement and repeats are
        C++), in time order; errors name ``where``."""
        e = _core.TopicalEntry()
        for k in self._params:
            setattr(e, k, getattr(self, k))
        return list(e.expand([float(t) for t in session_times], where))


class Needling(Spec):
    """One needling session on the course, at an absolute ``time`` with its own ``device``: a
    course of sessions with different devices or irregular intervals. When the course has
    Needling entries they are the sessions (``protocol.sessions`` must then be 0; the follow-up
    is ``protocol.follow_up`` after the last one)."""

    _prefix = "needling"
    # the C++ declaration (healing::Session::fields(); defaults from a default Session)
    _params = fields_params(_core.Session)

    def __init__(self, device: Any = None, penetration: Any = None, raster: Any = None, **kwargs: Any):
        from .scenario import Device, Pen, PenetrationParameters, RasterParameters, _coerce

        if device is None:
            device = Pen.clinical("1.5 mm")
        elif isinstance(device, Mapping):
            device = Device.from_dict(device, prefix=f"{self._prefix}.device")
        elif not isinstance(device, Device):
            raise InvalidArgumentError(f"{self._prefix}.device: expected a device such as ds.Pen.clinical('1 mm') "
                                       f"or a dict (got {_show(device)})")
        object.__setattr__(self, "device", device)
        # this session's overrides of the scenario's insertion and raster parameters
        object.__setattr__(self, "penetration", _coerce(penetration, PenetrationParameters,
                                                        f"{self._prefix}.penetration"))
        object.__setattr__(self, "raster", _coerce(raster, RasterParameters, f"{self._prefix}.raster"))
        super().__init__(**kwargs)

    def __setattr__(self, k: str, v: Any) -> None:
        if k == "device":
            from .scenario import Device

            if not isinstance(v, Device):
                raise InvalidArgumentError(f"{self._prefix}.device: expected a device (got {_show(v)})")
            object.__setattr__(self, k, v)
            return
        super().__setattr__(k, v)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Needling) and self.to_dict(units=False) == other.to_dict(units=False)

    def __repr__(self) -> str:
        return f"Needling(time={self.time!r}, device={self.device!r}, occluded={self.occluded!r})"

    def to_dict(self, units: bool = True) -> Dict[str, Any]:
        d = {**super().to_dict(units), "device": self.device.to_dict(units)}
        for k in ("penetration", "raster"):  # only when this session overrides the scenario's
            if getattr(self, k).values:
                d[k] = getattr(self, k).to_dict(units)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], prefix: str = "needling") -> "Needling":
        d = dict(as_table(d, prefix))
        check_keys(d, tuple(cls._params) + ("device", "penetration", "raster"), prefix)
        dev = d.pop("device", None)
        from .scenario import Device

        return cls(device=Device.from_dict(dev, prefix=f"{prefix}.device") if dev is not None else None, **d)

    def to_cpp(self, penetration: Any = None, raster: Any = None) -> Any:
        """The C++ session; ``penetration``/``raster``: the scenario's parameter sets, which this
        session's overrides (if any) are applied on top of."""
        s = _core.Session()
        s.time = float(self.time)
        s.device = _core.Device(self.device.to_cpp())
        s.occluded = bool(self.occluded)
        s.pattern_seed = int(self.pattern_seed)
        if self.penetration.values:
            s.penetration = self.penetration.apply_to(penetration.apply_to(_core.PenetrationParams())
                                                      if penetration is not None else _core.PenetrationParams())
        if self.raster.values:
            s.raster = self.raster.apply_to(raster.apply_to(_core.RasterParams())
                                            if raster is not None else _core.RasterParams())
        return s


_KINDS = {"topical": Topical, "needling": Needling}


class Course:
    """The procedures of a course besides the needling sessions, in order: ``Course([Topical(...)])``.
    As a dict (files): ``{"0": {"type": "topical", ...}, "1": ...}``."""

    def __init__(self, procedures: Any = ()):
        if isinstance(procedures, Course):
            procedures = procedures.procedures
        if isinstance(procedures, Spec):
            procedures = [procedures]
        if not isinstance(procedures, (list, tuple)):
            raise InvalidArgumentError(f"course: expected a list of procedures such as ds.Topical(...) "
                                       f"(got {_show(procedures)})")
        self.procedures: List[Spec] = []
        for i, p in enumerate(procedures):
            if isinstance(p, Mapping):
                p = Course._from_entry(p, f"course.{i}")
            if not isinstance(p, tuple(_KINDS.values())):
                raise InvalidArgumentError(f"course.{i}: expected a procedure ({', '.join(_KINDS)}), got {_show(p)}")
            self.procedures.append(p)

    @staticmethod
    def _from_entry(d: Mapping[str, Any], where: str) -> Spec:
        d = dict(as_table(d, where))
        kind = d.pop("type", "topical")
        if kind not in _KINDS:
            raise InvalidArgumentError(f"{where}.type = {_show(kind)} is not a procedure; valid: "
                                       f"{', '.join(map(repr, _KINDS))}")
        cls = _KINDS[kind]
        try:
            return cls.from_dict(d, prefix=where)
        except InvalidArgumentError as e:  # name the entry: course.N.volume, not topical.volume
            msg = str(e)
            if msg.startswith(cls._prefix + "."):
                msg = where + msg[len(cls._prefix):]
            raise InvalidArgumentError(msg) from None

    def __len__(self) -> int:
        return len(self.procedures)

    def __getitem__(self, i: int) -> Spec:
        return self.procedures[i]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Course) and self.to_dict(units=False) == other.to_dict(units=False)

    def __repr__(self) -> str:
        return f"Course({self.procedures!r})"

    def to_dict(self, units: bool = True) -> Dict[str, Any]:
        out = {}
        for i, p in enumerate(self.procedures):
            kind = next(k for k, c in _KINDS.items() if isinstance(p, c))
            out[str(i)] = {"type": kind, **p.to_dict(units)}
        return out

    @classmethod
    def from_dict(cls, d: Any, prefix: str = "course") -> "Course":
        if isinstance(d, (list, tuple)):
            return cls(list(d))
        d = as_table(d, prefix)
        keys = sorted(d, key=lambda k: int(k) if str(k).isdigit() else -1)
        want = [str(i) for i in range(len(d))]
        if [str(k) for k in keys] != want:
            check_keys(d, tuple(want), prefix)
            raise InvalidArgumentError(f"{prefix}: procedures are numbered 0, 1, 2, ... (got {sorted(map(str, d))})")
        return cls([cls._from_entry(d[k], f"{prefix}.{k}") for k in keys])

    def sessions(self, penetration: Any = None, raster: Any = None) -> List[Any]:
        """The C++ needling sessions of the course's Needling entries, in time order (each with its
        overrides on top of the scenario's ``penetration`` / ``raster`` parameter sets)."""
        ns = sorted((p for p in self.procedures if isinstance(p, Needling)), key=lambda p: p.time)
        for a, b in zip(ns, ns[1:]):
            if not b.time > a.time:
                raise InvalidArgumentError(f"course: two needling sessions at {_units.format(a.time, 'time')}; "
                                           f"sessions must be at different times")
        return [p.to_cpp(penetration, raster) for p in ns]

    def has_needling(self) -> bool:
        return any(isinstance(p, Needling) for p in self.procedures)

    def applications(self, session_times: List[float]) -> List[Any]:
        """The C++ topical applications (each labelled with its entry, ``course.N``), in time order."""
        apps = [a for n, p in enumerate(self.procedures) if isinstance(p, Topical)
                for a in p.to_cpp(session_times, f"course.{n}")]
        apps.sort(key=lambda a: (a.time, not a.before_needling))
        return apps
