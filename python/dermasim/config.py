"""Configuration helpers: key checking with "did you mean" hints, dotted parameter names,
TOML and JSON files.

Every parameter of a scenario has a dotted name (``device.needle_length``,
``skin.PD.thickness``, ``healing.fibroblast.proliferation_rate``): sweeps, fits and sensitivity
analyses address parameters by these names.
"""
from __future__ import annotations

import difflib
import json
import os
import tempfile
from typing import Any, Dict, Iterable, Mapping

from ._core import FileFormatError, InvalidArgumentError

__all__ = [
    "check_keys", "flatten", "unflatten", "get_dotted", "set_dotted",
    "read_file", "write_file", "dumps_toml", "loads_toml",
]


def suggest(key: str, allowed: Iterable[str]) -> str:
    """A ``"; did you mean 'x'?"`` suffix for an unknown key, or ``""``."""
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_keys(given: Iterable[str], allowed: Iterable[str], where: str) -> None:
    """Raise InvalidArgumentError for the first key of ``given`` not in ``allowed``."""
    allowed = list(allowed)
    for k in given:
        if k not in allowed:
            raise InvalidArgumentError(
                f"{where}: unknown parameter {k!r}{suggest(k, allowed)} "
                f"(known: {', '.join(allowed)})")


def flatten(d: Mapping[str, Any], prefix: str = "") -> Dict[str, Any]:
    """``{"a": {"b": 1}}`` → ``{"a.b": 1}`` (lists are kept as values)."""
    out: Dict[str, Any] = {}
    for k, v in d.items():
        name = f"{prefix}{k}"
        if isinstance(v, Mapping) and v:
            out.update(flatten(v, name + "."))
        else:
            out[name] = v
    return out


def unflatten(d: Mapping[str, Any]) -> Dict[str, Any]:
    """``{"a.b": 1}`` → ``{"a": {"b": 1}}``."""
    out: Dict[str, Any] = {}
    for k, v in d.items():
        node = out
        parts = k.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = v
    return out


def get_dotted(d: Mapping[str, Any], name: str) -> Any:
    node: Any = d
    for p in name.split("."):
        if not isinstance(node, Mapping) or p not in node:
            keys = list(node) if isinstance(node, Mapping) else []
            raise InvalidArgumentError(f"unknown parameter {name!r}{suggest(p, keys)}")
        node = node[p]
    return node


def set_dotted(d: Dict[str, Any], name: str, value: Any) -> None:
    """Set ``d[a][b][c] = value`` for ``name = "a.b.c"``; intermediate dicts are created."""
    parts = name.split(".")
    node = d
    for p in parts[:-1]:
        nxt = node.get(p)
        if not isinstance(nxt, dict):
            nxt = node[p] = {}
        node = nxt
    node[parts[-1]] = value


def _drop_none(d: Any) -> Any:
    if isinstance(d, Mapping):
        return {k: _drop_none(v) for k, v in d.items() if v is not None}
    if isinstance(d, (list, tuple)):
        return [_drop_none(v) for v in d]
    return d


def dumps_toml(d: Mapping[str, Any]) -> str:
    try:
        import tomli_w
    except ImportError:  # pragma: no cover - tomli-w is a declared dependency of the toml extra
        raise ImportError("writing TOML needs tomli-w: pip install tomli-w") from None
    return tomli_w.dumps(_drop_none(d))


def loads_toml(text: str, source: str = "<string>") -> Dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InvalidArgumentError(f"{source}: invalid TOML: {e}") from None


def read_file(path: str | os.PathLike) -> Dict[str, Any]:
    """Read a ``.toml`` or ``.json`` file into a dict (errors name the file)."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise FileFormatError(f"cannot read '{path}': {e.strerror or e}") from None
    if path.endswith(".json"):
        try:
            return json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise InvalidArgumentError(f"{path}: invalid JSON: {e}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidArgumentError(f"{path}: not UTF-8 text: {e}") from None
    return loads_toml(text, path)


def write_file(d: Mapping[str, Any], path: str | os.PathLike) -> None:
    """Write a dict as TOML (``.toml``) or JSON (other suffixes), atomically."""
    path = os.fspath(path)
    text = dumps_toml(d) if path.endswith(".toml") else json.dumps(_drop_none(d), indent=2) + "\n"
    atomic_write_text(path, text)


def default_mode() -> int:
    """Permissions of a new file under the current umask (mkstemp would give 0600)."""
    m = os.umask(0)
    os.umask(m)
    return 0o666 & ~m


def temp_beside(path: str, what: str = "") -> str:
    """A new empty temporary file in ``path``'s directory (for an atomic os.replace onto it),
    with the permissions a normal new file would get (mkstemp alone gives 0600)."""
    d = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d):
        raise FileFormatError(f"cannot write {what}'{path}': directory '{d}' does not exist")
    # the writer's pid is in the name, so a later run can tell a killed writer's leftover
    # (io.cleanup_temporaries) from a file another live process is writing
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.{os.getpid()}.", suffix=".tmp", dir=d)
    os.close(fd)
    os.chmod(tmp, default_mode())
    return tmp


def atomic_write_text(path: str, text: str) -> None:
    """Write text to a temporary file in the same directory, then rename it onto ``path``."""
    tmp = temp_beside(path)
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
