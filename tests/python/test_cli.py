"""The command line (issue 5 §7): help everywhere, exit codes, one-line errors, run/sweep/info."""
import os
import subprocess
import sys

import numpy as np
import pytest

import dermasim as ds
from dermasim.cli import main

HERE = os.path.dirname(__file__)


def test_help_everywhere(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for cmd in ("demo", "run", "sweep", "info"):
        assert cmd in out
        assert main([cmd, "--help"]) == 0
        assert "usage: dermasim " + cmd in capsys.readouterr().out


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert main(["frobnicate"]) == 2
    assert main(["info"]) == 2
    assert "usage" in capsys.readouterr().err


def test_errors_are_one_line_without_traceback(tmp_path, capsys):
    p = tmp_path / "bad.h5"
    p.write_bytes(b"garbage")
    assert main(["info", str(p)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("dermasim: error: ") and "bad.h5" in err
    assert "Traceback" not in err
    with pytest.raises(ds.FileFormatError):
        main(["--debug", "info", str(p)])
    with pytest.raises(ds.FileFormatError):
        main(["info", str(p), "--debug"])


def test_info_describes_a_result(tmp_path, capsys):
    from test_results_io import make_result

    path = make_result().to_hdf5(tmp_path / "r.h5")
    assert main(["info", path]) == 0
    out = capsys.readouterr().out
    assert "dermasim result" in out and "seed 5" in out and "cytokine" in out
    assert "erythema_resolution_time" in out and "pen 1 mm" in out


def test_run_bad_scenario_is_one_line(tmp_path, capsys):
    p = tmp_path / "s.toml"
    p.write_text('[device]\ntype = "pen"\nneedle_lenght = "1 mm"\n')
    assert main(["run", str(p), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "did you mean 'needle_length'" in err or "did you mean" in err
    assert err.count("\n") == 1


def write_sweep(tmp_path, grid='"protocol.sessions" = [1, 2]\n"device.needle_length" = ["0.5 mm", "1 mm"]'):
    (tmp_path / "base.toml").write_text('seed = 3\n[device]\ntype = "pen"\n')
    f = tmp_path / "sweep.toml"
    f.write_text(f'scenario = "base.toml"\n[sweep]\noutputs = ["collagen_gain"]\n[sweep.grid]\n{grid}\n')
    return f


def test_sweep_command_with_custom_run_function(tmp_path, capsys, monkeypatch):
    monkeypatch.syspath_prepend(HERE)
    f = write_sweep(tmp_path)
    out = tmp_path / "o"
    assert main(["sweep", str(f), "-o", str(out), "--run", "sweep_helpers:toy_run", "--workers", "2"]) == 0
    text = capsys.readouterr().out
    assert "4 runs (0 failed)" in text
    import pandas as pd

    df = pd.read_csv(out / "results.csv")
    assert len(df) == 4 and (df["status"] == "ok").all()
    assert len(os.listdir(out / "runs")) == 4
    # failures: exit code 1, table still written
    assert main(["sweep", str(f), "-o", str(tmp_path / "o2"), "--run", "sweep_helpers:failing_run"]) == 1
    assert "2 failed" in capsys.readouterr().out


def test_sweep_file_errors(tmp_path, capsys):
    f = write_sweep(tmp_path)
    f.write_text(f.read_text().replace("[sweep.grid]", "[sweep.grd]"))
    assert main(["sweep", str(f)]) == 1
    assert "did you mean 'grid'" in capsys.readouterr().err


def test_python_dash_m_and_interrupt_exit_code(tmp_path):
    r = subprocess.run([sys.executable, "-m", "dermasim", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and ds.__version__ in r.stdout
    # Ctrl-C inside a command: exit code 130, one line
    code = ("import dermasim.cli as c\n"
            "def boom(a): raise KeyboardInterrupt\n"
            "c._cmd_info = boom\n"
            "raise SystemExit(c.main(['info', 'x.h5']))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 130 and "interrupted" in r.stderr


@pytest.mark.skipif(not hasattr(ds._core, "simulate_healing"), reason="no healing model bound")
def test_run_command_writes_file_summary_and_plots(tmp_path, capsys):
    p = tmp_path / "face.toml"
    ds.Scenario(protocol=ds.Protocol(sessions=1, follow_up="2 weeks"), seed=9).save(p)
    out = tmp_path / "out"
    assert main(["run", str(p), "-o", str(out), "--snapshot", "1 day,2 weeks", "--plots",
                 "--set", "device.needle_length=1 mm", "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "collagen_PD_gain" in text and "wrote" in text
    r = ds.read_result(out / "face.h5")
    assert r.scenario.device.needle_length == 1e-3 and len(r.times) == 2 and r.complete
    assert (out / "face.xdmf").exists() and (out / "face_summary.csv").exists()
    assert (out / "face_outcomes.png").exists() and (out / "face_profile_collagen_I.png").exists()
    assert main(["info", str(out / "face.h5")]) == 0
    assert "pen 1 mm" in capsys.readouterr().out


@pytest.mark.skipif(not hasattr(ds._core, "simulate_healing"), reason="no healing model bound")
def test_run_command_resumes_from_its_checkpoint(tmp_path, capsys):
    p = tmp_path / "three.toml"
    ds.Scenario(protocol=ds.Protocol(sessions=3, interval="2 weeks", follow_up="2 weeks"), seed=4).save(p)
    ref = tmp_path / "ref"
    assert main(["run", str(p), "-o", str(ref), "--no-progress", "--no-checkpoint"]) == 0
    out = tmp_path / "out"
    # a checkpoint left by a stopped run (written here through the API, as the command would)
    from dermasim.trackers import CallbackTracker

    sc = ds.Scenario.load(p)
    out.mkdir()
    ds.simulate(sc, trackers=[CallbackTracker(lambda st: False, times=["3 weeks"])],
                checkpoint=out / "three.ckpt.h5")
    assert (out / "three.ckpt.h5").exists()
    capsys.readouterr()
    assert main(["run", str(p), "-o", str(out), "--no-progress"]) == 0
    assert "resuming from the checkpoint" in capsys.readouterr().out
    assert not (out / "three.ckpt.h5").exists()
    a, b = ds.read_result(ref / "three.h5"), ds.read_result(out / "three.h5")
    for k in a.outcomes:
        np.testing.assert_array_equal(a.outcomes[k], b.outcomes[k])
