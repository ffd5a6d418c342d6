"""Generated stubs (tools/gen_stubs.py): they parse and spell out the keyword constructors."""
import ast
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_gen_stubs(tmp_path):
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_stubs.py"), "--out", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "scenario.pyi").read_text()
    tree = ast.parse(text)
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    assert {"Skin", "LayerProperties", "Roller", "Pen", "Stamp", "Protocol", "Numerics", "Scenario"} <= set(classes)
    init = next(f for f in classes["Pen"].body if isinstance(f, ast.FunctionDef) and f.name == "__init__")
    kw = [a.arg for a in init.args.kwonlyargs]
    assert "depth" in kw and "needle_length" in kw and "frequency" in kw
    assert (tmp_path / "py.typed").exists()
    try:
        import pybind11_stubgen  # noqa: F401
    except ImportError:
        pytest.skip("pybind11-stubgen not installed: _core.pyi not checked")
    core = (tmp_path / "_core.pyi").read_text()
    ast.parse(core)
    assert "class Grid" in core and "class FieldSet" in core
