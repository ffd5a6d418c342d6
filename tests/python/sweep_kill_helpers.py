"""Run functions that kill their own worker process (issue 15: a dead worker must not fail
every pending run). Module-level so a fork server or spawned workers can import them. The
scenario's title carries "<pid of the test process>|<log directory>" (environment variables
would not reach the children of a fork server started earlier); they never kill the test
process itself."""
import os
import signal

import sweep_helpers as H

KILL_SESSIONS, KILL_LENGTH = 2, 1e-3  # the point that kills its worker


def title(log_dir):
    return f"{os.getpid()}|{log_dir}"


def _is_killer(scenario):
    main_pid = int(scenario.title.split("|")[0])
    return (scenario.protocol.sessions == KILL_SESSIONS and abs(scenario.device.needle_length - KILL_LENGTH) < 1e-12
            and os.getpid() != main_pid)


def _note(scenario, what):
    d = scenario.title.split("|", 1)[1]
    with open(os.path.join(d, f"{what}-{scenario.seed}-{os.getpid()}"), "w"):
        pass


def killing_run(scenario):
    """Kills its worker (SIGKILL, as the OOM killer does) at one point, every time."""
    _note(scenario, "start")
    if _is_killer(scenario):
        os.kill(os.getpid(), signal.SIGKILL)
    return H.toy_run(scenario)


def flaky_killing_run(scenario):
    """Kills its worker at one point the first time only (a marker file remembers)."""
    _note(scenario, "start")
    marker = os.path.join(scenario.title.split("|", 1)[1], "killed-once")
    if _is_killer(scenario) and not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return H.toy_run(scenario)


def threads_run(scenario):
    """Reports the OpenMP threads and OMP_NUM_THREADS the run sees."""
    import dermasim as ds

    return {"omp_threads": float(ds.max_threads()), "omp_env": float(os.environ.get("OMP_NUM_THREADS", "0"))}
