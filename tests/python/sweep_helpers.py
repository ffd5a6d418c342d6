"""Module-level run functions for the sweep tests (picklable: process pools and Dask use them)."""
import math
import time


def toy_run(scenario):
    """A cheap stand-in for simulate: a deterministic function of the inputs and the seed."""
    L = scenario.device.needle_length
    n = scenario.protocol.sessions
    iv = scenario.protocol.interval / 86400.0
    noise = (scenario.seed % 1000) / 1e6
    return {"collagen_gain": n * L * 1e3 * math.exp(-iv / 60.0) + noise,
            "erythema_days": 1.0 + 2.0 * L * 1e3, "seed_echo": float(scenario.seed % 2**52)}


def failing_run(scenario):
    if scenario.protocol.sessions == 2:
        raise ValueError("sessions = 2 is unlucky\nsecond line")
    return toy_run(scenario)


def sobol_run(scenario):
    """Ishigami-like: depends strongly on needle length, weakly on interval, not on passes."""
    x = scenario.device.needle_length * 1e3  # 0.5 … 2.5
    y = scenario.protocol.interval / 86400.0 / 28.0  # 0.5 … 1.5
    return {"collagen_gain": 4.0 * x + 0.3 * y + 0.0 * scenario.device.passes}


def slow_run(scenario):
    time.sleep(0.05)
    return toy_run(scenario)


def depth_run(scenario):
    """The penetration stage only (milliseconds): the median needle's depth for the scenario's
    skin, device and penetration parameters."""
    from dermasim import _core

    r = _core.penetrate(scenario.skin.to_cpp(), _core.Device(scenario.device.to_cpp()),
                        scenario.penetration.to_cpp())
    return {"depth_um": r.needle.depth * 1e6, "work_uJ": r.needle.work * 1e6}
