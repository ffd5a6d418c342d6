"""Every example (examples/python/NN_name.py) runs, in seconds, in a scratch directory."""
import glob
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = sorted(glob.glob(os.path.join(ROOT, "examples", "python", "[0-9][0-9]_*.py")))


def test_examples_exist_and_are_numbered():
    assert EXAMPLES, "no examples found"
    nums = [int(os.path.basename(p)[:2]) for p in EXAMPLES]
    assert nums == sorted(set(nums)), "example numbers must be unique"


@pytest.mark.parametrize("path", EXAMPLES, ids=[os.path.basename(p) for p in EXAMPLES])
def test_example_runs(path, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="error::DeprecationWarning:dermasim")
    r = subprocess.run([sys.executable, path], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, f"{os.path.basename(path)} failed:\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}"
    assert r.stdout.strip(), "an example should print what it found"
