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
from .scenario import Param, Spec
from .units import show as _show

__all__ = ["Topical", "Needling", "Course", "agents"]

_YEAR = 365.25 * 86400.0


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
    _params = {
        "agent": Param("caffeine", "str", doc="agent preset (dermasim.agents())", choices=tuple(agents())),
        "concentration": _Concentration("1 %", "concentration", 1e-15, 2e3,
                                        "in the vehicle; '15 %' is w/v (150 kg/m^3), or '169 ng/mL', '10 mg/mL'"),
        "volume": Param("10 uL/cm^2", "length", 1e-7, 1e-2,
                        "vehicle per skin area (10 uL/cm^2: OECD 428 finite dose)"),
        "duration": Param("30 min", "time", 1.0, 10 * _YEAR, "on the skin, then wiped off"),
        "session": Param(0, "int", 0, 1000, "0: 'time' is absolute; N: placed at needling session N (1-based)"),
        "when": Param("after", "str", doc="relative to the session: 'before' (ends at the needling), "
                      "'during' (on when the channels open), 'after'", choices=("after", "during", "before")),
        "time": Param("0 s", "time", 0.0, 20 * _YEAR, "start (absolute), or the delay after the session"),
        "occluded": Param(False, "bool", doc="occlusive vehicle or dressing"),
        "repeat": Param(1, "int", 1, 10000, "number of applications"),
        "every": Param("1 day", "time", 60.0, 10 * _YEAR, "interval between repeats"),
        "kp_sc": Param(0.0, "speed", 0.0, 1e-3, "SC permeability override, m/s (0: Potts-Guy)"),
        "K_sc": Param(0.0, "dimensionless", 0.0, 1e9, "SC/water partition override (0: from log Kow)"),
    }

    def starts(self, session_times: List[float]) -> List[tuple]:
        """(start time, before_needling) of each application, s."""
        if self.session == 0:
            t0, before = self.time, False
        else:
            if self.session > len(session_times):
                raise InvalidArgumentError(f"topical.session = {self.session}: the course has "
                                           f"{len(session_times)} needling session(s); valid: 0 (absolute "
                                           f"time) or 1..{len(session_times)}")
            ts = session_times[self.session - 1]
            if self.when == "during" and self.time:
                raise InvalidArgumentError(f"topical.time = {_units.format(self.time, 'time')} with when = 'during': "
                                           f"a gliding serum is on at the needling (time = 0); use when = 'after' "
                                           f"for a delay")
            if self.when == "before" and self.repeat > 1:
                raise InvalidArgumentError("topical.repeat > 1 with when = 'before': give the earlier applications "
                                           "as entries of their own (session = 0, absolute time)")
            if self.when == "before":
                t0 = ts - self.duration - self.time
                if t0 < 0:
                    raise InvalidArgumentError(f"topical: applied {_units.format(self.duration, 'time')} before "
                                               f"session {self.session} would start before the run (t < 0)")
            else:
                t0 = ts + self.time
            before = self.when == "during" and self.time == 0
        return [(t0 + i * self.every, before and i == 0) for i in range(self.repeat)]

    def to_cpp(self, session_times: List[float]) -> List[Any]:
        out = []
        agent = _core.agent_preset(self.agent)
        if self.kp_sc > 0:
            agent.kp_sc = self.kp_sc
        if self.K_sc > 0:
            agent.K_sc = self.K_sc
        for t0, before in self.starts(session_times):
            a = _core.Topical()
            a.agent = agent
            a.time, a.duration = float(t0), float(self.duration)
            a.concentration, a.volume = float(self.concentration), float(self.volume)
            a.occluded, a.before_needling = bool(self.occluded), bool(before)
            out.append(a)
        return out


class Needling(Spec):
    """One needling session on the course, at an absolute ``time`` with its own ``device``: a
    course of sessions with different devices or irregular intervals. When the course has
    Needling entries they are the sessions (``protocol.sessions`` must then be 0; the follow-up
    is ``protocol.follow_up`` after the last one)."""

    _prefix = "needling"
    _params = {
        "time": Param("0 s", "time", 0.0, 20 * _YEAR, "when, from the start of the run"),
        "occluded": Param(False, "bool", doc="occlusive dressing / product after the session"),
        "pattern_seed": Param(0, "int", 0, 2**63 - 1, "0: from the scenario seed and the session index"),
    }

    def __init__(self, device: Any = None, **kwargs: Any):
        from .scenario import Device, Pen

        if device is None:
            device = Pen.clinical("1.5 mm")
        elif isinstance(device, Mapping):
            device = Device.from_dict(device, prefix=f"{self._prefix}.device")
        elif not isinstance(device, Device):
            raise InvalidArgumentError(f"{self._prefix}.device: expected a device such as ds.Pen.clinical('1 mm') "
                                       f"or a dict (got {_show(device)})")
        object.__setattr__(self, "device", device)
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
        return {**super().to_dict(units), "device": self.device.to_dict(units)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], prefix: str = "needling") -> "Needling":
        d = dict(as_table(d, prefix))
        check_keys(d, tuple(cls._params) + ("device",), prefix)
        dev = d.pop("device", None)
        from .scenario import Device

        return cls(device=Device.from_dict(dev, prefix=f"{prefix}.device") if dev is not None else None, **d)

    def to_cpp(self) -> Any:
        s = _core.Session()
        s.time = float(self.time)
        s.device = _core.Device(self.device.to_cpp())
        s.occluded = bool(self.occluded)
        s.pattern_seed = int(self.pattern_seed)
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

    def sessions(self) -> List[Any]:
        """The C++ needling sessions of the course's Needling entries, in time order."""
        ns = sorted((p for p in self.procedures if isinstance(p, Needling)), key=lambda p: p.time)
        for a, b in zip(ns, ns[1:]):
            if not b.time > a.time:
                raise InvalidArgumentError(f"course: two needling sessions at {_units.format(a.time, 'time')}; "
                                           f"sessions must be at different times")
        return [p.to_cpp() for p in ns]

    def has_needling(self) -> bool:
        return any(isinstance(p, Needling) for p in self.procedures)

    def applications(self, session_times: List[float]) -> List[Any]:
        """The C++ topical applications, in time order."""
        return [a for a, _ in self._applications(session_times)]

    def _applications(self, session_times: List[float]) -> List[tuple]:
        """(C++ application, "course.N" or "course.N (application k)") in time order."""
        apps = []
        for n, p in enumerate(self.procedures):
            if isinstance(p, Topical):
                cpp = p.to_cpp(session_times)
                for k, a in enumerate(cpp):
                    apps.append((a, f"course.{n}" + (f" (application {k + 1} of {len(cpp)})" if len(cpp) > 1 else "")))
        apps.sort(key=lambda x: (x[0].time, not x[0].before_needling))
        return apps

    def name_entries(self, message: str, session_times: List[float]) -> str:
        """A C++ message naming ``course.topical[i]`` (the i-th application in time order) with the
        course entry it came from."""
        import re

        names = [w for _, w in self._applications(session_times)]

        def sub(m: Any) -> str:
            i = int(m.group(1))
            return names[i] if i < len(names) else m.group(0)

        return re.sub(r"course\.topical\[(\d+)\]", sub, message)
