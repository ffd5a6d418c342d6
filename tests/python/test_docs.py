"""The API reference generator renders every public module from its docstrings."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_gen_api_docs(tmp_path):
    out = tmp_path / "api.md"
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_api_docs.py"), "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    for name in ("## `dermasim.scenario`", "### class `Scenario", "### `sweep(", "### `open_dataset(",
                 "### class `StorageTracker", "| `depth` |"):
        assert name in text, name
    assert "'Any'" not in text  # annotations are shown unquoted


def test_guide_mentions_the_file_layout_and_commands():
    from pathlib import Path

    text = Path(ROOT, "docs", "guide.md").read_text(encoding="utf-8")
    for s in ("make demo", "make test", "/fields/<name>", "/outcomes/<metric>", "ds.sweep", "Dask", "xdmf"):
        assert s in text, s
