"""Configuration helpers: key checking with "did you mean" hints, dotted parameter names,
TOML and JSON files.

Every parameter of a scenario has a dotted name (``device.needle_length``,
``skin.PD.thickness``, ``healing.fibroblast.proliferation_rate``): sweeps, fits and sensitivity
analyses address parameters by these names.

This module is the boundary for untrusted input (dicts, TOML and JSON text and files): what
it rejects is one of two library errors, never a bare ``TypeError``, ``KeyError``,
``RecursionError`` or a parser's own exception:

- :class:`dermasim.FileFormatError` (an ``OSError``): the file cannot be read at all (missing,
  a directory, no permission); the message names the file.
- :class:`dermasim.InvalidArgumentError` (a ``ValueError``): the content is wrong (not UTF-8,
  invalid TOML/JSON syntax, a duplicated JSON key, nesting deeper than :data:`MAX_DEPTH`, a
  top level that is not a table, a non-string key); the message names the file (or
  ``<string>``) and, for values, the dotted parameter name.
"""
from __future__ import annotations

import difflib
import json
import os
import tempfile
from typing import Any, Dict, Iterable, Mapping

from ._core import FileFormatError, InvalidArgumentError
from .units import show

__all__ = [
    "check_keys", "flatten", "unflatten", "get_dotted", "set_dotted", "as_table",
    "read_file", "write_file", "dumps_toml", "loads_toml", "loads_json", "MAX_DEPTH",
]

#: Deepest nesting of tables accepted in scenario input (the deepest real parameter name,
#: ``healing.<group>.<name>``, is a few levels; this only stops runaway input).
MAX_DEPTH = 32


def suggest(key: str, allowed: Iterable[str]) -> str:
    """A ``"; did you mean 'x'?"`` suffix for an unknown key, or ``""``."""
    if not isinstance(key, str) or len(key) > 200:
        return ""
    close = difflib.get_close_matches(key, [a for a in allowed if isinstance(a, str)], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_keys(given: Iterable[str], allowed: Iterable[str], where: str) -> None:
    """Raise InvalidArgumentError for the first key of ``given`` not in ``allowed``."""
    allowed = list(allowed)
    for k in given:
        if not isinstance(k, str):
            raise InvalidArgumentError(f"{where}: parameter names must be strings (got {show(k)}); "
                                       f"known: {', '.join(allowed)}")
        if k not in allowed:
            raise InvalidArgumentError(
                f"{where}: unknown parameter {show(k)}{suggest(k, allowed)} "
                f"(known: {', '.join(allowed)})")


def as_table(d: Any, where: str) -> Dict[str, Any]:
    """``d`` as a dict with string keys (the keyword arguments of a scenario type), or an
    InvalidArgumentError naming ``where`` (a dotted name such as ``protocol``)."""
    if not isinstance(d, Mapping):
        raise InvalidArgumentError(f"{where}: expected a table/dict (got {show(d)})")
    for k in d:
        if not isinstance(k, str):
            raise InvalidArgumentError(f"{where}: parameter names must be strings (got {show(k)})")
    return dict(d)


def flatten(d: Mapping[str, Any], prefix: str = "", where: str = "") -> Dict[str, Any]:
    """``{"a": {"b": 1}}`` → ``{"a.b": 1}`` (lists are kept as values). Tables nested deeper
    than :data:`MAX_DEPTH` are an InvalidArgumentError naming the path (``where`` + the
    flattened name, e.g. ``healing.a.a.a…``)."""
    out: Dict[str, Any] = {}
    stack = [(prefix, iter(d.items()))]  # explicit stack: no recursion on hostile input
    while stack:
        pre, it = stack[-1]
        for k, v in it:
            name = f"{pre}{k}"
            if isinstance(v, Mapping) and v:
                if len(stack) >= MAX_DEPTH:
                    raise InvalidArgumentError(f"{(where + name)[:200]}: tables nested more than "
                                               f"{MAX_DEPTH} levels deep")
                stack.append((name + ".", iter(v.items())))
                break
            out[name] = v
        else:
            stack.pop()
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


def _check_depth(d: Any, source: str) -> None:
    """No list or table nested deeper than :data:`MAX_DEPTH` (iterative)."""
    stack = [(d, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (Mapping, list, tuple)):
            if depth >= MAX_DEPTH:
                raise InvalidArgumentError(f"{source}: tables or arrays nested more than "
                                           f"{MAX_DEPTH} levels deep")
            stack.extend((v, depth + 1) for v in (node.values() if isinstance(node, Mapping) else node))


def _text(text: Any, source: str, what: str) -> str:
    if isinstance(text, (bytes, bytearray)):
        try:
            return bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise InvalidArgumentError(f"{source}: not UTF-8 text: {e}") from None
    if not isinstance(text, str):
        raise InvalidArgumentError(f"{source}: expected {what} text (a str), got {show(text)}")
    return text


def loads_toml(text: str, source: str = "<string>") -> Dict[str, Any]:
    """Parse TOML text; any failure is an InvalidArgumentError naming ``source``."""
    import tomllib

    text = _text(text, source, "TOML")
    try:
        d = tomllib.loads(text)
    except RecursionError:
        raise InvalidArgumentError(f"{source}: invalid TOML: nested too deeply") from None
    except ValueError as e:  # TOMLDecodeError, or an integer beyond Python's digit limit
        raise InvalidArgumentError(f"{source}: invalid TOML: {_why(e)}") from None
    _check_depth(d, source)
    return d


def _why(e: Exception) -> str:
    """A parser's message, without Python's advice on its integer digit limit."""
    return str(e).split("; use sys.set_int_max_str_digits()")[0]


def _no_duplicates(pairs: Any) -> Dict[str, Any]:
    d: Dict[str, Any] = {}
    for k, v in pairs:
        if k in d:
            raise InvalidArgumentError(f"duplicate key {show(k)}")
        d[k] = v
    return d


def loads_json(text: str, source: str = "<string>") -> Any:
    """Parse JSON text (duplicate keys are an error, as in TOML, not "the last one wins");
    any failure is an InvalidArgumentError naming ``source``."""
    text = _text(text, source, "JSON")
    try:
        d = json.loads(text, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise InvalidArgumentError(f"{source}: invalid JSON: nested too deeply") from None
    except InvalidArgumentError as e:
        raise InvalidArgumentError(f"{source}: invalid JSON: {e}") from None
    except ValueError as e:  # JSONDecodeError, or an integer beyond Python's digit limit
        raise InvalidArgumentError(f"{source}: invalid JSON: {_why(e)}") from None
    _check_depth(d, source)
    return d


def read_file(path: str | os.PathLike) -> Dict[str, Any]:
    """Read a ``.toml`` or ``.json`` file into a dict.

    A file that cannot be read (missing, a directory, no permission) is a FileFormatError; one
    whose content is not a TOML/JSON table (empty, not UTF-8, bad syntax, nested too deeply, a
    JSON top level that is not an object) is an InvalidArgumentError. Both name the file."""
    try:
        path = os.fspath(path)
    except TypeError:
        raise InvalidArgumentError(f"expected a file path (got {show(path)})") from None
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except (OSError, ValueError) as e:  # ValueError: an embedded NUL in the path
        raise FileFormatError(f"cannot read '{path}': {getattr(e, 'strerror', None) or e}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InvalidArgumentError(f"{path}: not UTF-8 text: {e}") from None
    if not text.strip():
        raise InvalidArgumentError(f"{path}: the file is empty")
    if path.lower().endswith(".json"):
        d = loads_json(text, path)
        if not isinstance(d, dict):
            raise InvalidArgumentError(f"{path}: expected a JSON object {{...}} at the top level "
                                       f"(got {show(d)})")
        return d
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


def check_directory(path: str, what: str = "") -> str:
    """The directory ``path`` would be written to; FileFormatError naming ``path`` if it does not
    exist or is not writable (checked before a file is built, so a run fails before its work)."""
    d = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d):
        raise FileFormatError(f"cannot write {what}'{path}': directory '{d}' does not exist")
    if not os.access(d, os.W_OK | os.X_OK):
        raise FileFormatError(f"cannot write {what}'{path}': directory '{d}' is not writable")
    return d


def temp_beside(path: str, what: str = "") -> str:
    """A new empty temporary file in ``path``'s directory (for an atomic os.replace onto it),
    with the permissions a normal new file would get (mkstemp alone gives 0600)."""
    d = check_directory(path, what)
    # the writer's pid is in the name, so a later run can tell a killed writer's leftover
    # (io.cleanup_temporaries) from a file another live process is writing
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.{os.getpid()}.", suffix=".tmp", dir=d)
    os.close(fd)
    os.chmod(tmp, default_mode())
    return tmp


def atomic_write_text(path: str, text: str) -> None:
    """Write text to a temporary file in the same directory, fsync it, then rename it onto
    ``path``. A failed write (a full disk) is a FileFormatError naming ``path``; the temporary
    file is removed and the previous file kept."""
    tmp = temp_beside(path)
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        if os.path.exists(tmp):
            os.remove(tmp)
        if isinstance(e, OSError) and not isinstance(e, FileFormatError):
            raise FileFormatError(f"cannot write '{path}': {e.strerror or e} "
                                  "(the previous file, if any, is unchanged)") from None
        raise
