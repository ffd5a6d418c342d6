"""Issue 15: the Python floor of pyproject.toml matches what the package uses."""
import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]


def _floor():
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert spec.startswith(">="), spec
    major, minor = (int(x) for x in spec[2:].split(".")[:2])
    return major, minor


def test_floor_is_3_11_because_of_tomllib():
    floor = _floor()
    assert floor >= (3, 11)  # dermasim.config reads TOML with tomllib (3.11+)
    assert "import tomllib" in (ROOT / "python" / "dermasim" / "config.py").read_text()
    assert sys.version_info[:2] >= floor


def test_sources_parse_with_the_floor_grammar():
    floor = _floor()
    files = sorted((ROOT / "python" / "dermasim").glob("*.py")) + sorted((ROOT / "tools").glob("*.py"))
    assert len(files) > 10
    for f in files:
        ast.parse(f.read_text(encoding="utf-8"), filename=str(f), feature_version=floor)
