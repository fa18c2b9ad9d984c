"""Small helpers shared by the benchmarks: timing rows, a table printer, targets."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..budget import run_limited
from ..errors import BudgetExceeded


@dataclass(frozen=True)
class Row:
    name: str
    seconds: float
    status: str


def timed(name: str, fn: Callable[[], str], limit: float) -> Row:
    """Run ``fn`` (returning a status word) under a time limit; errors become the status."""
    start = time.perf_counter()
    try:
        status = run_limited(fn, limit)
    except BudgetExceeded:
        status = "timeout"
    except Exception as exc:  # noqa: BLE001 - a benchmark reports failures, it does not stop
        status = f"error: {type(exc).__name__}: {' '.join(str(exc).split())}"[:100]
    return Row(name, time.perf_counter() - start, status)


def print_rows(rows: list[Row], title: str) -> None:
    print(f"\n{title}")
    width = max([len(r.name) for r in rows] + [10])
    print(f"  {'name':<{width}}  {'seconds':>8}  status")
    for r in rows:
        print(f"  {r.name:<{width}}  {r.seconds:8.3f}  {r.status}")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass(frozen=True)
class Target:
    label: str
    value: float
    limit: float
    unit: str

    @property
    def passed(self) -> bool:
        return self.value <= self.limit

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return (f"  {verdict}  {self.label:<34} {self.value:10.3f} {self.unit}"
                f"  (target <= {self.limit:g} {self.unit})")


def print_targets(targets: list[Target]) -> bool:
    print("\ntargets")
    for t in targets:
        print(t.line())
    return all(t.passed for t in targets)
