"""Python-side checks of the core bindings: zero-copy views, errors, results match C++."""
import numpy as np
import pytest

import dermasim as ds


def test_version_single_source():
    import tomllib
    from pathlib import Path

    meta = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert ds.__version__ == meta["project"]["version"]


def test_fieldset_view_is_zero_copy_and_writable():
    g = ds.Grid.uniform(4, 3, 5, 1e-3, 1e-3, 1e-3)
    f = ds.FieldSet(g, ["a", "b"])
    v = f["a"]
    assert v.shape == (5, 3, 4)
    v[2, 1, 3] = 7.0
    assert f["a"][2, 1, 3] == 7.0  # same memory
    w = f["a"]
    assert np.shares_memory(v, w)
    assert v.ctypes.data % 64 == 0
    del f  # the view keeps the C++ object alive
    assert v[2, 1, 3] == 7.0


def test_diffusion_conserves_mass_and_matches_cpp_analytic_steady_state():
    L1, L2, D1, D2 = 0.3e-3, 0.7e-3, 1e-10, 4e-10
    faces = ds.graded_z_faces([L1, L1 + L2], 7e-6, 40e-6, 1.3)
    g = ds.Grid(1, 1, 1e-3, 1e-3, faces)
    z = np.asarray(g.z)
    D = np.where(z < L1, D1, D2)
    spec = ds.DiffusionSpec(D=list(D), top=ds.BoundaryCondition.dirichlet(1.0),
                            bottom=ds.BoundaryCondition.dirichlet(0.2))
    f = ds.FieldSet(g, ["c"])
    ds.DiffusionSolver(g, [spec]).step(f, 1e9, 200)
    q = 0.8 / (L1 / D1 + L2 / D2)
    exact = np.where(z < L1, 1.0 - q * z / D1, 1.0 - q * L1 / D1 - q * (z - L1) / D2)
    np.testing.assert_allclose(f["c"][:, 0, 0], exact, atol=1e-10)


def test_closed_box_mass_conservation():
    g = ds.Grid.uniform(8, 8, 8, 1e-3, 1e-3, 1e-3)
    f = ds.FieldSet(g, ["c"])
    rng = np.random.default_rng(0)
    f["c"] = rng.random(g.shape)
    m0 = f.integral("c")
    ds.DiffusionSolver(g, [ds.DiffusionSpec(D=[1e-9] * 8)], ds.TimeScheme.crank_nicolson_strang).step(f, 10.0, 20)
    assert abs(f.integral("c") - m0) / m0 < 1e-12


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda g: ds.DiffusionSolver(g, [ds.DiffusionSpec(D=[-1.0] * g.nz)]), r"D\[0\].*>= 0"),
        (lambda g: ds.DiffusionSolver(g, [ds.DiffusionSpec(D=[float("nan")] * g.nz)]), r"D\[0\]"),
        (lambda g: ds.DiffusionSolver(g, [ds.DiffusionSpec(D=[1.0])]), r"expected 4"),
        (lambda g: ds.Grid.uniform(0, 1, 1, 1, 1, 1), r"grid.nx"),
        (lambda g: ds.DiffusionSolver(g, [ds.DiffusionSpec(D=[1.0] * g.nz)]).step(ds.FieldSet(g, ["a"]), 0.0), r"dt"),
    ],
)
def test_bad_input_is_a_valueerror_naming_the_parameter(make, match):
    g = ds.Grid.uniform(2, 2, 4, 1, 1, 1)
    with pytest.raises(ValueError, match=match) as e:
        make(g)
    assert isinstance(e.value, ds.InvalidArgumentError)


def test_corrupt_file_is_an_oserror(tmp_path):
    p = tmp_path / "bad.h5"
    p.write_bytes(b"not hdf5")
    with pytest.raises(OSError, match="not an HDF5 file"):
        ds._core.read_array(str(p), "/x")


def test_layered_decay_from_needle_channels():
    """A cytokine released in four needle channels of layered skin (SC/VE/PD/RD, D ×1e-4/×0.5/×1)
    diffuses and decays (0.7/h): after 1 h of 1-minute CN-Strang steps the total is exp(-0.7)
    (zero-flux box) to the splitting error."""
    faces = ds.graded_z_faces([15e-6, 85e-6, 235e-6, 1585e-6], 5e-6, 60e-6, 1.2, 2)
    g = ds.Grid(8, 8, 1e-3, 1e-3, faces)
    f = ds.FieldSet(g, ["cytokine"])
    z, x, y = np.asarray(g.z), np.asarray(g.x), np.asarray(g.y)
    X, Y = np.meshgrid(x, y)
    c = f["cytokine"]
    for cx, cy in [(0.25e-3, 0.25e-3), (0.75e-3, 0.25e-3), (0.25e-3, 0.75e-3), (0.75e-3, 0.75e-3)]:
        inside = (X - cx) ** 2 + (Y - cy) ** 2 <= (35e-6) ** 2
        inside[np.argmin(np.abs(y - cy)), np.argmin(np.abs(x - cx))] = True  # coarse grid
        for k in np.nonzero(z <= 600e-6)[0]:
            c[k][inside] = 1.0
    d = 0.015e-6 / 3600.0  # 0.015 mm²/h in the dermis
    D = [d * (1e-4 if zk < 15e-6 else 0.5 if zk < 85e-6 else 1.0) for zk in z]
    solver = ds.DiffusionSolver(g, [ds.DiffusionSpec(D=D, decay=0.7 / 3600.0)],
                                ds.TimeScheme.crank_nicolson_strang)
    released = f.integral("cytokine")
    assert released > 0
    solver.step(f, 60.0, 60)
    assert f.integral("cytokine") / released == pytest.approx(np.exp(-0.7), rel=1e-3)
    assert np.asarray(f["cytokine"]).min() > -1e-12
