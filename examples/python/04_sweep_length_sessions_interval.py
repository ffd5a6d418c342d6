"""04 — A sweep over needle length × number of sessions × interval (1D model, in parallel).

12 runs on the local cores; the table has one row per run (inputs, seed, outcomes, status,
runtime). Re-running the script resumes from sweep_out/ (finished runs are skipped). The same
call with ``executor=dask.distributed.Client(...)`` runs it on a cluster.
"""
import time

import dermasim as ds


def main():
    base = ds.Scenario(skin=ds.Skin.preset("face"), device=ds.Pen.clinical("1.5 mm"),
                       protocol=ds.Protocol(sessions=1, follow_up="4 weeks"), seed=2024)
    grid = {"device.needle_length": ["0.5 mm", "1 mm", "1.5 mm"],
            "protocol.sessions": [1, 3],
            "protocol.interval": ["2 weeks", "4 weeks"]}
    t0 = time.perf_counter()
    table = ds.sweep(base, grid, outputs=["collagen_PD_gain", "erythema_peak", "downtime"],
                     directory="sweep_out")
    wall = time.perf_counter() - t0
    print(table.drop(columns=["seed"]).to_string(float_format=lambda v: f"{v:.3g}"))
    print(f"\n{len(table)} runs in {wall:.1f} s ({len(table) / wall:.2f} runs/s); "
          f"{(table['status'] != 'ok').sum()} failed")
    best = table.loc[table["collagen_PD_gain"].idxmax()]
    print(f"largest PD collagen gain: {100 * best['collagen_PD_gain']:+.1f} % with "
          f"{best['device.needle_length']}, {best['protocol.sessions']} session(s) every "
          f"{best['protocol.interval']}")


if __name__ == "__main__":  # worker processes may re-import this file
    main()
