"""Fuzzing the input boundary (issue 15): scenario dicts, constructors, unit strings, dotted
names, TOML and JSON text and files, with a plain seeded generator (no hypothesis).

Every rejection must be one of the library's errors (InvalidArgumentError, FileFormatError)
whose message names the parameter (dotted name) or the file; never a bare TypeError,
OverflowError, RecursionError, KeyError, a parser's own exception, a crash or a hang. Every
accepted scenario must round-trip through dicts, JSON and TOML (text and files) unchanged.
Nothing here runs a simulation; the whole file takes a few seconds.
"""
import json
import math
import os
import signal

import numpy as np
import pytest

import dermasim as ds
from dermasim import units
from dermasim.config import flatten, set_dotted

SEED = 20251201
LIB_ERRORS = (ds.InvalidArgumentError, ds.FileFormatError)


@pytest.fixture(autouse=True)
def watchdog():
    """A hang fails the test instead of stalling the suite (a guard, not a timing assertion)."""
    def hang(signum, frame):
        raise AssertionError("fuzz case hung (no answer within 120 s)")

    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def deep(n, leaf=1, kind="dict"):
    v = leaf
    for _ in range(n):
        v = {"a": v} if kind == "dict" else [v]
    return v


# Values that broke or could break conversion: types, non-finite and huge numbers, bad units.
SPECIAL = [
    None, True, False, 0, -1, 1, 2, 7, 10**400, -10**400, 10**5000, 2**64, 1.5, -0.0, 1e308, 1e-320,
    math.nan, math.inf, -math.inf, "", "   ", "1.5 mm", "-0 mm", "0 mm", "nan s", "inf s", "1e999 mm",
    "1e9999999 s", "1 parsec", "1 mm^99999", "4 weeks", "6 months", "100 Hz", "10 N", "0.5", "50 %",
    "3 per day", "1000 cells/mm^3", "2.2 MPa", "15 deg", "\ud800", "x\x00y", "é", "1.5 h", "mm",
    b"1 mm", bytearray(b"2"), [1], [], {}, {"x": 1}, (1, 2), {1, 2}, object(), np.float64(1.0),
    np.int64(3), np.float64(math.nan), np.bool_(True), np.array([1.0, 2.0]), "rms", "max", "pen",
    "roller", "stamp", "cone", "pyramid", "unsplit", "split",
]


def random_value(rng, depth=0):
    r = rng.random()
    if r < 0.45:
        return SPECIAL[rng.integers(len(SPECIAL))]
    if r < 0.6:
        return float(rng.choice([-1, 1]) * 10.0 ** rng.uniform(-12, 12))
    if r < 0.7:
        return int(rng.integers(-10, 2000))
    if r < 0.8:
        num = rng.choice(["1", "0.25", "-3", "1e3", "7.5e-4", "12"])
        unit = rng.choice(list(units.UNITS) + ["", "furlong", "1/h", "mm^2/h", "cells/mm^3", "m/s"])
        return f"{num} {unit}"
    if r < 0.9:
        return deep(int(rng.integers(20, 3000)), kind=rng.choice(["dict", "list"]))
    if depth < 2:
        return {str(rng.integers(100)): random_value(rng, depth + 1) for _ in range(int(rng.integers(1, 3)))}
    return "".join(chr(int(c)) for c in rng.integers(1, 0x3000, size=int(rng.integers(0, 12))))


def base_scenarios():
    return [ds.Scenario(seed=1),
            ds.Scenario(device=ds.Roller(needle_length="0.5 mm"), protocol=ds.Protocol(sessions=2),
                        title="roller"),
            ds.Scenario(device=ds.Stamp(), numerics=ds.Numerics(dimension=2), patient=ds.Patient(diabetes=True)),
            ds.Scenario(device=ds.Pen(depth="2 mm"),
                        healing={"fibroblast.proliferation_rate": "0.8 1/day"} if _healing_names() else None),
            ds.Scenario(device=ds.Applicator(impact_velocity="4 m/s"),
                        penetration={"insertion.friction_stress": "2 kPa"} if _penetration_names() else None)]


def _healing_names():
    t = ds.ModelParameters.table()
    return sorted(t) if t else []


def _penetration_names():
    t = ds.PenetrationParameters.table()
    return sorted(t) if t else []


def names_the_parameter(msg, name):
    """The message names ``name`` (a dotted parameter), or its table and the key in it."""
    if name in msg:
        return True
    parent, _, leaf = name.rpartition(".")
    if parent and parent in msg and leaf in msg:  # "device: unknown parameter 'foo'"
        return True
    return name == "device.type" and msg.startswith("device")  # the new kind rejects the old keys


def assert_round_trips(s, tmp_path=None):
    assert ds.Scenario.from_dict(s.to_dict()) == s
    assert ds.Scenario.from_dict(s.to_dict(units=False)) == s
    assert ds.Scenario.from_json(s.to_json()) == s
    assert ds.Scenario.from_toml(s.to_toml()) == s
    if tmp_path is not None:
        for name in ("rt.toml", "rt.json"):
            s.save(tmp_path / name)
            assert ds.Scenario.load(tmp_path / name) == s


def test_scenario_dicts_with_one_mutated_parameter(tmp_path):
    """Valid scenario dicts with one parameter set to a random value of a random type (or
    removed, or an unknown key added): accepted ones round-trip, rejected ones name it."""
    rng = np.random.default_rng(SEED)
    bases = [b.to_dict(units=bool(i % 2)) for i, b in enumerate(base_scenarios())]
    names = sorted({k for b in bases for k in flatten(b)} | {f"healing.{n}" for n in _healing_names()[:40]}
                   | {f"penetration.{n}" for n in _penetration_names()})
    counts = {"accepted": 0, "rejected": 0}
    for case in range(300):
        d = json.loads(json.dumps(bases[case % len(bases)], default=float))
        r = rng.random()
        if r < 0.3:  # a plausible change of a valid value: scaled, or written with a unit
            name = names[rng.integers(len(names))]
            old = flatten(d).get(name)
            f = float(rng.choice([0.5, 0.9, 1.0, 1.1, 2.0]))
            if isinstance(old, float):
                v = old * f
            elif isinstance(old, str) and old[:1].isdigit() and " " in old:
                num, unit = old.split(" ", 1)
                v = f"{float(num) * f:g} {unit}"
            else:
                v = old
        elif r < 0.8:
            name, v = names[rng.integers(len(names))], random_value(rng)
        elif r < 0.9:  # an unknown key next to known ones
            table = rng.choice(["skin", "skin.PD", "device", "device.needle", "protocol", "numerics", "patient"])
            name, v = f"{table}.no_such_{case}", random_value(rng)
        else:  # a whole table replaced by garbage
            name = rng.choice(["skin", "skin.RD", "device", "device.needle", "protocol", "healing", "penetration", "numerics"])
            v = random_value(rng)
        if name in ("seed", "title"):
            d[name] = v
        else:
            set_dotted(d, name, v)
        try:
            s = ds.Scenario.from_dict(d)
        except LIB_ERRORS as e:
            counts["rejected"] += 1
            assert names_the_parameter(str(e), name), (name, v, str(e))
            continue
        counts["accepted"] += 1
        assert_round_trips(s, tmp_path if case % 10 == 0 else None)
    # the generator exercises both sides
    assert counts["accepted"] > 30 and counts["rejected"] > 100, counts


SPECS = [ds.Protocol, ds.Numerics, ds.Pen, ds.Roller, ds.Stamp, ds.Patient, ds.Skin]


def test_constructors_with_random_keyword_values():
    rng = np.random.default_rng(SEED + 1)
    for case in range(300):
        cls = SPECS[case % len(SPECS)]
        params = list(cls.parameters())
        k = params[rng.integers(len(params))]
        v = random_value(rng)
        try:
            obj = cls(**{k: v})
        except LIB_ERRORS as e:
            prefix = cls._prefix
            assert f"{prefix}.{k}" in str(e) or (cls is ds.Pen and "device.depth" in str(e)), (cls, k, v, str(e))
            continue
        assert type(obj).from_dict(obj.to_dict()) == obj
        assert type(obj).from_dict(obj.to_dict(units=False)) == obj


def test_unit_parsing_of_random_values():
    rng = np.random.default_rng(SEED + 2)
    dims = list(units.DIMENSIONS)
    for case in range(400):
        v = random_value(rng)
        dim = dims[case % len(dims)]
        try:
            x = units.parse(v, dim, "some.param")
        except ds.InvalidArgumentError as e:
            assert str(e).startswith("some.param: "), (v, dim, str(e))
            continue
        assert isinstance(x, float) and math.isfinite(x), (v, dim, x)
        assert math.copysign(1.0, x) == 1.0 or x != 0.0  # "-0 mm" is read as +0


@pytest.mark.parametrize("value, match", [
    (10**400, r"protocol.interval: is too large .*valid: \[3600, 3.15576e\+08\] s"),
    (10**5000, r"protocol.interval: is too large .*1.000e\+5000"),
    (math.nan, r"protocol.interval: must be a finite number"),
    (math.inf, r"protocol.interval: must be a finite number"),
    ("1e999 s", r"protocol.interval: is too large"),
    ("1e9999999 s", r"protocol.interval: is too large"),
    ("nan s", r"protocol.interval: expected a number with a unit"),
    ("1 s^99999", r"protocol.interval: the exponent of 's' is too large"),
    ("2 mm", r"protocol.interval: expected a time \(s\), but the unit is a length"),
    ("2 parsec", r"protocol.interval: unknown unit 'parsec'"),
    (None, r"protocol.interval: expected a time.*got None"),
    (True, r"protocol.interval: expected a time \(s\), not a boolean"),
    (b"1 h", r"protocol.interval: expected a time"),
    (deep(5000), r"protocol.interval: expected a time.*\{\.\.\.\}"),
], ids=["10**400", "10**5000", "nan", "inf", "1e999 s", "1e9999999 s", "nan s", "s^99999", "2 mm", "parsec",
        "None", "True", "bytes", "deep dict"])
def test_the_reported_cases_are_library_errors_naming_the_parameter(value, match):
    with pytest.raises(ds.InvalidArgumentError, match=match):
        ds.Protocol(interval=value)


def test_huge_integers_and_negative_zero():
    with pytest.raises(ds.InvalidArgumentError, match=r"protocol.sessions: 1.000e\+5000 .*valid: an integer in \[0, 1000\]"):
        ds.Protocol(sessions=10**5000)
    with pytest.raises(ds.InvalidArgumentError, match=r"seed: expected an integer in \[0, 2\^64\)"):
        ds.Scenario(seed=10**5000)
    z = ds.Pen(depth_min="-0 mm").depth_min
    assert z == 0.0 and math.copysign(1.0, z) == 1.0


def test_null_nesting_and_key_types_in_dicts():
    cases = [
        ({"protocol": {"sessions": None}}, "protocol.sessions"),
        ({"device": {"type": ["pen"]}}, "device.type"),
        ({"device": {"type": None}}, "device.type"),
        ({"protocol": {1: 2}}, "protocol: parameter names must be strings"),
        ({"healing": deep(5000)}, "healing.a.a"),
        ({"skin": {"PD": deep(5000)}}, "skin.PD"),
        ({"device": {"type": "roller", "needle_length": "1 mm", "needle": [1]}}, "device.needle"),
        ({"title": "\ud800"}, "title"),
        ({"seed": None}, "seed"),
    ]
    for d, match in cases:
        with pytest.raises(ds.InvalidArgumentError) as e:
            ds.Scenario.from_dict(d)
        assert match in str(e.value), (d if len(str(d)) < 200 else "(deep)", str(e.value))


def test_dotted_get_and_with_values():
    s = ds.Scenario(seed=3)
    bad = [5, ["a"], None, b"protocol.sessions"]
    for name in bad:
        with pytest.raises(ds.InvalidArgumentError, match="dotted strings"):
            s.get(name)
        with pytest.raises(ds.InvalidArgumentError, match="dotted strings"):
            s.with_values({name: 1} if not isinstance(name, list) else {5: 1})
    with pytest.raises(ds.InvalidArgumentError, match="expected a dict"):
        s.with_values([("protocol.sessions", 2)])
    with pytest.raises(ds.InvalidArgumentError, match="protocol.interval is a parameter, not a table"):
        s.with_values({"protocol.interval.x": 1})
    with pytest.raises(ds.InvalidArgumentError, match="device.type"):
        s.with_values({"device.type": ["pen"]})
    with pytest.raises(ds.InvalidArgumentError, match="unknown parameter 'protocol.sesions'; did you mean"):
        s.get("protocol.sesions")
    rng = np.random.default_rng(SEED + 3)
    names = sorted(s.flat()) + ["device.needle_length", "protocol", "x.y", "skin.PD", "device..depth"]
    for case in range(200):
        name = names[rng.integers(len(names))]
        v = random_value(rng)
        try:
            t = s.with_values({name: v})
        except LIB_ERRORS as e:
            msg = str(e)
            alias = name == "device.needle_length" and "device.depth" in msg
            assert alias or names_the_parameter(msg, name) or name in msg, (name, v, msg)
            continue
        assert_round_trips(t)


def test_json_and_toml_text():
    for text, match in [("null", "scenario: expected a table"), ("{", "<string>: invalid JSON"),
                        ("[" * 100000 + "]" * 100000, "nested too deeply"),
                        ('{"seed": 1, "seed": 2}', "duplicate key 'seed'"),
                        ('{"seed": ' + "9" * 5000 + "}", "invalid JSON"),
                        (b"\xff\xfe{}", "not UTF-8"), (5, "expected JSON text")]:
        with pytest.raises(ds.InvalidArgumentError, match=match):
            ds.Scenario.from_json(text)
    for text, match in [("[x", "<string>: invalid TOML"), ("a = " + "[" * 5000 + "]" * 5000, "nested too deeply"),
                        ("seed = " + "9" * 5000, "invalid TOML"), (None, "expected TOML text"),
                        ("x = " + "[" * 40 + "]" * 40, "nested more than 32 levels"),
                        ("seed = 1\nseed = 2", "invalid TOML")]:
        with pytest.raises(ds.InvalidArgumentError, match=match):
            ds.Scenario.from_toml(text)


def _mutate(rng, data: bytes) -> bytes:
    kind = rng.integers(7)
    lines = data.split(b"\n")
    if kind == 0:  # truncated
        return data[:int(rng.integers(0, len(data)))]
    if kind == 1:  # random bytes flipped
        b = bytearray(data)
        for i in rng.integers(0, len(b), size=int(rng.integers(1, 4))):
            b[i] = int(rng.integers(0, 256))
        return bytes(b)
    if kind == 2:  # a line (a key, in TOML) removed
        del lines[int(rng.integers(len(lines)))]
        return b"\n".join(lines)
    if kind == 3:  # a line duplicated
        i = int(rng.integers(len(lines)))
        lines.insert(i, lines[i])
        return b"\n".join(lines)
    if kind == 4:  # non-UTF-8 bytes inserted
        i = int(rng.integers(0, len(data)))
        return data[:i] + rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80\x80"]) + data[i:]
    if kind == 5:  # a value replaced by a special one (TOML literals and JSON alike)
        i = int(rng.integers(len(lines)))
        if b"=" in lines[i] or b":" in lines[i]:
            sep = b"=" if b"=" in lines[i] else b":"
            key = lines[i].split(sep, 1)[0]
            val = rng.choice([b"nan", b"inf", b"-inf", b"NaN", b"Infinity", b"null", b"1e999", b"-0",
                              b'"1e999 mm"', b'"nan s"', b"[[[[1]]]]", b"{}", b"true", b'"1 parsec"'])
            lines[i] = key + sep + b" " + val + (b"," if lines[i].rstrip().endswith(b",") else b"")
        return b"\n".join(lines)
    return b""  # empty


def test_mutated_files(tmp_path):
    rng = np.random.default_rng(SEED + 4)
    scenarios = base_scenarios()
    texts = {}
    for i, s in enumerate(scenarios):
        for ext in ("toml", "json"):
            p = tmp_path / f"base{i}.{ext}"
            s.save(p)
            texts[(i, ext)] = p.read_bytes()
    counts = {"accepted": 0, "rejected": 0}
    keys = sorted(texts)
    for case in range(240):
        i, ext = keys[case % len(keys)]
        p = tmp_path / f"case{case}.{ext}"
        p.write_bytes(_mutate(rng, texts[(i, ext)]))
        try:
            s = ds.Scenario.load(p)
        except LIB_ERRORS as e:
            counts["rejected"] += 1
            assert str(p) in str(e), str(e)
            continue
        counts["accepted"] += 1
        assert_round_trips(s, tmp_path if case % 8 == 0 else None)
    assert counts["accepted"] > 20 and counts["rejected"] > 100, counts


def test_files_that_cannot_be_read(tmp_path):
    (tmp_path / "adir.toml").mkdir()
    with pytest.raises(ds.FileFormatError, match="adir.toml"):
        ds.Scenario.load(tmp_path / "adir.toml")
    with pytest.raises(ds.FileFormatError, match="missing.json"):
        ds.Scenario.load(tmp_path / "missing.json")
    for name, data, match in [("e.toml", b"", "the file is empty"), ("e.json", b"  \n", "the file is empty"),
                              ("n.json", b"null", "expected a JSON object"), ("l.json", b"[1, 2]", "expected a JSON object"),
                              ("b.toml", b"seed = 1\n\xff", "not UTF-8"),
                              ("d.json", b'{"a":' * 100000 + b"1" + b"}" * 100000, "nested too deeply")]:
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ds.InvalidArgumentError, match=match) as e:
            ds.Scenario.load(tmp_path / name)
        assert str(tmp_path / name) in str(e.value)
    # a UTF-8 byte-order mark (Windows editors) is accepted
    s = ds.Scenario(seed=9)
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + s.to_json().encode())
    assert ds.Scenario.load(tmp_path / "bom.json") == s


@pytest.mark.skipif(not hasattr(ds._core, "skin_preset"), reason="no presets bound")
def test_preset_arguments_are_checked_before_the_cpp_call():
    """Wrong types reached pybind11 and came back as a bare TypeError ("incompatible function
    arguments"); now they are InvalidArgumentErrors naming the argument."""
    for f, match in [(lambda: ds.Skin.preset(5), "skin.site: expected a string"),
                     (lambda: ds.Skin.preset("face", male="x"), "skin.male: expected true or false"),
                     (lambda: ds.Skin.preset("face", age_years=math.nan), "skin.age_years"),
                     (lambda: ds.Skin.preset("nowhere"), "nowhere"),
                     (lambda: ds.Pen.clinical("1 mm", needles="x"), "needles: expected an integer"),
                     (lambda: ds.Pen.clinical("1 mm", needles=10**30), "needles: .* is out of range"),
                     (lambda: ds.Pen.clinical(None), "device.depth"),
                     (lambda: ds.Roller.home("0.5 mm", needles=None), "needles"),
                     (lambda: ds.Roller.clinical(10**400), "device.needle_length: is too large")]:
        with pytest.raises(ds.InvalidArgumentError, match=match):
            f()
    assert ds.Pen.clinical("1 mm").depth == 1e-3
