"""atlas: cold and warm builds of every built-in entropy and same-family KL with jobs=1,
jobs=2 and a 2-worker Dask LocalCluster; cells/s and the speed-up over jobs=1.

Each setting derives into its own new, empty store (cold), then rebuilds from it (warm: every
cell read from the store, none derived). The machine may be shared, so next to wall time the
benchmark reports the CPU time the cells' processes used and an idle-machine projection: the
cells' CPU times dealt first-come first-served to the workers in submission order, as the
executors do (the projected wall time is the busiest worker's CPU time, plus this process's
own CPU time during the build, counted as if it were serial).
"""

from __future__ import annotations

import argparse
import heapq
import os
import tempfile
import time
from dataclasses import dataclass

from ..atlas import Atlas, Task, build
from ..derive.store import ENVIRONMENT_VARIABLE
from ..families import BUILTIN_FAMILIES
from ..hash_seed import pin_for_children

SPEEDUP_TARGET = 1.7
WARM_TARGET_S = 2.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="CPU budget of each cell, seconds (default 30)")
    parser.add_argument("--families", nargs="+", metavar="NAME",
                        help="only these families (default: all built-ins)")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster")
    parser.add_argument("--progress", action="store_true", help="show the progress bars")


def tasks(names: list[str], timeout: float) -> list[Task]:
    """Each family's entropy and its same-family KL."""
    return ([Task("entropy", n, None, timeout) for n in names]
            + [Task("kl", n, n, timeout) for n in names])


def projected_wall(cpu: list[float], workers: int) -> float:
    """The busiest worker's CPU seconds when ``cpu`` (in submission order) go, one by one, to
    whichever of ``workers`` is free first."""
    free = [0.0] * workers
    for seconds in cpu:
        heapq.heapreplace(free, free[0] + seconds)
    return max(free)


@dataclass(frozen=True)
class Run:
    label: str
    workers: int
    cold: Atlas
    warm: Atlas
    parent_cpu: float  # CPU seconds of this process during the cold build

    @property
    def projected(self) -> float:
        """Idle-machine wall time: the busiest worker, plus this process's CPU as if serial."""
        return projected_wall(list(self.cold.cpu_seconds), self.workers) + self.parent_cpu


def one(label: str, workers: int, work: list[Task], progress: bool, **executor) -> Run:
    with tempfile.TemporaryDirectory(prefix="symbolic_info_atlas_bench_") as directory:
        previous = os.environ.get(ENVIRONMENT_VARIABLE)
        os.environ[ENVIRONMENT_VARIABLE] = directory
        try:
            before = time.process_time()
            cold = build(work, progress=progress, **executor)
            parent_cpu = time.process_time() - before
            warm = build(work, progress=progress, **executor)
        finally:
            if previous is None:
                os.environ.pop(ENVIRONMENT_VARIABLE, None)
            else:
                os.environ[ENVIRONMENT_VARIABLE] = previous
    run = Run(label, workers, cold, warm, parent_cpu)
    s, w = cold.stats, warm.stats
    print(f"{label:<22} cold {s.wall_seconds:8.1f} s wall  {s.total / s.wall_seconds:6.2f} "
          f"cells/s  cpu {s.cpu_seconds:7.1f} s  busy cores {s.cpu_seconds / s.wall_seconds:4.2f}"
          f"  parent cpu {parent_cpu:5.1f} s  projected idle {run.projected:7.1f} s"
          f"  | warm {w.wall_seconds:6.2f} s "
          f"(derived {w.derived}, from store {w.from_store})", flush=True)
    return run


def run(args: argparse.Namespace) -> int:
    names = args.families or list(BUILTIN_FAMILIES)
    work = tasks(names, args.timeout)
    print(f"{len(work)} cells: the entropy and the same-family KL of {len(names)} families; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    runs = [one("jobs=1", 1, work, args.progress, jobs=1),
            one("jobs=2", 2, work, args.progress, jobs=2)]
    if not args.no_dask:
        from distributed import Client, LocalCluster
        pin_for_children()  # the workers are spawned: they hash as this process does
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            runs.append(one("dask LocalCluster(2)", 2, work, args.progress, client=client))
    base = runs[0]
    counts = base.cold.counts()
    print("statuses (jobs=1): " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    same = all([c.status for c in r.cold.cells] == [c.status for c in base.cold.cells]
               for r in runs)
    print(f"same statuses in every setting: {same}")
    for k, cell in enumerate(base.cold.cells):
        statuses = [r.cold.cells[k].status for r in runs]
        if len(set(statuses)) > 1:
            print(f"  differs: {cell.quantity}({cell.p}" + (f" || {cell.q}" if cell.q else "")
                  + "): " + ", ".join(f"{r.label} {s} ({r.cold.cpu_seconds[k]:.1f} s cpu)"
                                      for r, s in zip(runs, statuses)))
    ok = True
    for r in runs[1:]:
        wall = base.cold.stats.wall_seconds / r.cold.stats.wall_seconds
        projected = base.projected / r.projected
        verdict = "PASS" if max(wall, projected) >= SPEEDUP_TARGET else "FAIL"
        ok &= verdict == "PASS"
        print(f"  {verdict}  speed-up {r.label:<22} wall {wall:5.2f}x  "
              f"CPU-projected {projected:5.2f}x  (target >= {SPEEDUP_TARGET}x)")
    for r in runs:
        w = r.warm.stats
        verdict = "PASS" if w.wall_seconds <= WARM_TARGET_S and w.derived == 0 else "FAIL"
        ok &= verdict == "PASS"
        print(f"  {verdict}  warm rebuild {r.label:<22} {w.wall_seconds:5.2f} s, derived "
              f"{w.derived}  (target <= {WARM_TARGET_S} s, 0 derived)")
    return 0 if ok else 1

