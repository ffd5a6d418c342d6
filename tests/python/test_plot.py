"""Plots (issue 5 §6): each returns (fig, ax) and saves a PNG."""
import numpy as np
import pytest

import dermasim as ds
from dermasim import plot

from test_results_io import make_result


@pytest.fixture
def result():
    r = make_result(nt=3, nx=6, ny=5)
    r.scenario = ds.Scenario(protocol=ds.Protocol(sessions=2, interval="1 h"))
    return r


def test_outcomes_plot(result, tmp_path):
    fig, ax = plot.outcomes(result, save=str(tmp_path / "o.png"))
    assert len(ax.lines) == 2 + 2  # two metrics, two session markers
    assert (tmp_path / "o.png").stat().st_size > 5000
    with pytest.raises(ValueError, match="did you mean 'erythema_index'"):
        plot.outcomes(result, ["erythema_indx"])


def test_depth_profile_by_layer(result, tmp_path):
    fig, ax = plot.depth_profile(result, "collagen", [0, "2 h"], relative_to=0,
                                 save=str(tmp_path / "p.png"))
    assert len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[0].get_xdata(), 1.0)  # relative to itself
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # depth downwards
    assert {t.get_text().strip() for t in ax.texts} >= {"SC", "VE", "PD"}
    assert (tmp_path / "p.png").exists()


def test_slices(result, tmp_path):
    for axis in ("x", "y", "z"):
        fig, ax = plot.field_slice(result, "cytokine", axis=axis, save=str(tmp_path / f"s{axis}.png"))
        assert ax.collections and (tmp_path / f"s{axis}.png").exists()
    with pytest.raises(ValueError, match="axis"):
        plot.field_slice(result, "cytokine", axis="q")


def test_result_plot_accessor(result):
    fig, ax = result.plot.erythema_index()
    assert len(ax.lines) >= 1
    fig, ax = result.plot.depth_profile("cytokine")
    with pytest.raises(AttributeError, match="did you mean"):
        result.plot.erythema_indx()
    assert set(plot.standard_figures(result)) == {"outcomes", "profile_cytokine", "slice_cytokine"}


def test_draws_into_given_axes(result):
    from matplotlib.figure import Figure

    fig = Figure()
    a1, a2 = fig.subplots(1, 2)
    assert plot.outcomes(result, ax=a1) == (fig, a1)
    assert plot.depth_profile(result, "cytokine", ax=a2) == (fig, a2)
