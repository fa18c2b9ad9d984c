"""quantities: derive the quantities of issue 12 for every built-in univariate family (Rényi
and Tsallis entropies, Fisher information) and same-family pair (Rényi divergence,
Bhattacharyya, Hellinger, χ², total variation, Jensen-Shannon, Jeffreys); print a table of
status and seconds per case and the totals per status.

Members are the defaults (P subscripted 1, Q subscripted 2); orders are symbols (alpha, q).
Each case runs cold (store off, ``SYMBOLIC_INFO_CACHE=0``) in its own forked process, two at a
time (``--jobs``), under the engine's CPU budget (``--timeout``), with the process killed
after a wall-clock limit so one slow case cannot stall the run.  ``--gil`` prints instead the
Rényi divergences of the Gil-Alajaji-Linder (2013) families as markdown.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import wait

import symbolic_info as si

from ..budget import run_limited
from ..cli import default_member
from ..errors import BudgetExceeded

SINGLE: dict[str, Callable] = {
    "renyi_entropy": lambda p, t: si.renyi_entropy(p, "alpha", timeout=t),
    "tsallis_entropy": lambda p, t: si.tsallis_entropy(p, "q", timeout=t),
    "fisher_information": lambda p, t: si.fisher_information(p, timeout=t),
}
PAIR: dict[str, Callable] = {
    "renyi_divergence": lambda p, q, t: si.renyi_divergence(p, q, "alpha", timeout=t),
    "bhattacharyya": lambda p, q, t: si.bhattacharyya(p, q, timeout=t),
    "hellinger": lambda p, q, t: si.hellinger(p, q, timeout=t),
    "chi_square": lambda p, q, t: si.chi_square(p, q, timeout=t),
    "total_variation": lambda p, q, t: si.total_variation(p, q, timeout=t),
    "jensen_shannon": lambda p, q, t: si.jensen_shannon(p, q, timeout=t),
    "jeffreys": lambda p, q, t: si.jeffreys(p, q, timeout=t),
}
SHORT = {"closed_form": "closed", "infinite": "inf", "undefined": "undef",
         "no_closed_form": "none", "timed_out": "t/o", "refused": "refused", "timeout": "LIMIT",
         "error": "ERROR", "killed": "KILLED", "crashed": "CRASH"}

# Gil, Alajaji & Linder (2013), Table 2: (label, built-in family or None, P params, Q params).
# None params mean the default members; shared symbols fix a parameter of both members.
GIL: list[tuple[str, str | None, dict | None, dict | None]] = [
    ("beta", "beta", None, None),
    ("chi", "chi", None, None),
    ("χ² (chi_squared)", "chi_squared", None, None),
    ("exponential", "exponential", None, None),
    ("gamma", "gamma", None, None),
    ("normal", "normal", None, None),
    ("generalized normal, fixed shape β", "generalized_normal",
     {"mu": "m", "alpha": "alpha_1", "beta": "b"}, {"mu": "m", "alpha": "alpha_2", "beta": "b"}),
    ("Gumbel, fixed scale b", "gumbel", {"mu": "mu_1", "beta": "b"}, {"mu": "mu_2", "beta": "b"}),
    ("half-normal", "half_normal", None, None),
    ("inverse Gaussian", "inverse_gaussian", None, None),
    ("Laplace", "laplace", None, None),
    ("Lévy, fixed location", "levy", {"mu": "m", "c": "c_1"}, {"mu": "m", "c": "c_2"}),
    ("lognormal", "lognormal", None, None),
    ("Maxwell", "maxwell", None, None),
    ("Pareto", "pareto", None, None),
    ("Rayleigh", "rayleigh", None, None),
    ("uniform", "uniform", None, None),
    ("Weibull, fixed shape k", "weibull", {"k": "k", "lam": "lam_1"}, {"k": "k", "lam": "lam_2"}),
    ("Dirichlet (extra)", "dirichlet", None, None),
    ("multivariate normal (extra)", "mvnormal", None, None),
]


@dataclass(frozen=True)
class Case:
    """One derivation: ``quantity`` of ``family`` (P, or P and Q for pair quantities)."""

    quantity: str
    family: str
    p: dict | None = None
    q: dict | None = None
    label: str = ""

    @property
    def row(self) -> str:
        return self.label or (self.family if self.quantity in SINGLE
                              else f"{self.family} || {self.family}")


@dataclass
class Outcome:
    """What a case came to: its status (an engine status; ``refused``: the engine's own
    error, e.g. NotRegular; ``timeout`` / ``error`` / ``killed`` / ``crashed``), wall and CPU
    seconds, the numeric check flag, a result excerpt, the exception."""

    case: Case
    status: str
    seconds: float
    cpu: float = 0.0
    checked: bool = False
    result: str = ""
    error: str = field(default="")


def member(family: str, params: dict | None, role: int):
    """The default member of ``family`` (symbols subscripted ``role``), or one from ``params``."""
    return default_member(family, role) if params is None else si.family(family, **params)


def derive(case: Case, timeout: float):
    """The Derivation of ``case`` (in this process)."""
    p = member(case.family, case.p, 1)
    if case.quantity in SINGLE:
        return SINGLE[case.quantity](p, timeout)
    return PAIR[case.quantity](p, member(case.family, case.q, 2), timeout)


def where(exc: BaseException) -> str:
    """The innermost frame of the project that raised ``exc``, as ``file:line function``."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "symbolic_info" in f.filename]
    if not frames:
        return ""
    f = frames[-1]
    return f"{f.filename.split('symbolic_info/')[-1]}:{f.lineno} {f.name}"


def measure(case: Case, timeout: float) -> Outcome:
    """Derive ``case`` under twice the CPU budget plus 5 s; never raises."""
    start, cpu = time.perf_counter(), time.process_time()
    out = Outcome(case, "error", 0.0)
    try:
        d = run_limited(derive, 2 * timeout + 5.0, case, timeout)  # Jeffreys: two KLs
        out.status, out.checked, out.result = d.status, bool(d.checked), str(d.result)[:300]
    except BudgetExceeded:
        out.status = "timeout"
    except Exception as exc:  # noqa: BLE001 - a benchmark reports failures, it does not stop
        out.status = "refused" if isinstance(exc, si.SymbolicInfoError) else "error"
        message = " ".join(str(exc).split())[:300]
        out.error = f"{type(exc).__name__}: {message} [{where(exc)}]"
    out.seconds, out.cpu = time.perf_counter() - start, time.process_time() - cpu
    return out


def _child(case: Case, timeout: float, conn) -> None:
    os.environ["SYMBOLIC_INFO_CACHE"] = "0"
    conn.send(asdict(measure(case, timeout)))
    conn.close()


def _finish(case: Case, conn, proc, started: float) -> Outcome | None:
    """The outcome of a running case if it is over (sent, or its process died), else None."""
    if conn.poll():
        try:
            data = conn.recv()
        except EOFError:
            data = None
        proc.join()
        if data is not None:
            return Outcome(**(data | {"case": case}))
    if proc.is_alive():
        return None
    return Outcome(case, "crashed", time.perf_counter() - started,
                   error=f"process exited with code {proc.exitcode}")


def run_cases(cases: list[Case], timeout: float, jobs: int = 2, wall: float | None = None,
              progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Each case in a forked process, ``jobs`` at a time; a process still running after
    ``wall`` seconds (default 4 × timeout + 60) is killed and its case reported ``killed``."""
    wall = wall if wall is not None else 4 * timeout + 60
    context = multiprocessing.get_context("fork")
    pending, running, done = list(enumerate(cases)), {}, {}
    while pending or running:
        while pending and len(running) < jobs:
            i, case = pending.pop(0)
            here, there = context.Pipe(duplex=False)
            proc = context.Process(target=_child, args=(case, timeout, there), daemon=True)
            proc.start()
            there.close()
            running[i] = (case, here, proc, time.perf_counter())
        wait([r[1] for r in running.values()] + [r[2].sentinel for r in running.values()], 1.0)
        for i, (case, conn, proc, started) in list(running.items()):
            out = _finish(case, conn, proc, started)
            if out is None and time.perf_counter() - started > wall:
                proc.kill()
                proc.join()
                out = Outcome(case, "killed", time.perf_counter() - started,
                              error=f"still running after {wall:g} s wall time")
            if out is not None:
                conn.close()
                done[i] = out
                del running[i]
                if progress:
                    progress(out)
    return [done[i] for i in range(len(cases))]


def univariate_families() -> list[str]:
    """The built-in families whose default member is univariate."""
    return [n for n in si.families() if not default_member(n, 1).multivariate]


def bench_cases(names: list[str], quantities: list[str] | None = None) -> list[Case]:
    """Every single-member quantity of each family, then every pair quantity of each pair."""
    wanted = quantities or [*SINGLE, *PAIR]
    single = [Case(k, n) for n in names for k in SINGLE if k in wanted]
    return single + [Case(k, n) for n in names for k in PAIR if k in wanted]


def gil_cases() -> list[Case]:
    """The Rényi divergence of each built-in Gil-Alajaji-Linder family."""
    return [Case("renyi_divergence", n, p, q, label) for label, n, p, q in GIL if n]


def cell(out: Outcome | None, cpu: bool = False) -> str:
    if out is None:
        return ""
    return f"{SHORT.get(out.status, out.status)} {out.cpu if cpu else out.seconds:.2f}"


def grid(outcomes: list[Outcome], quantities: list[str], cpu: bool = False) -> list[list[str]]:
    """Rows of [row label, cell per quantity] for the cases of ``quantities``."""
    rows: dict[str, dict[str, Outcome]] = {}
    for out in outcomes:
        if out.case.quantity in quantities:
            rows.setdefault(out.case.row, {})[out.case.quantity] = out
    present = [k for k in quantities if any(k in r for r in rows.values())]
    return [["", *present]] + [[label, *(cell(r.get(k), cpu) for k in present)]
                               for label, r in rows.items()]


def format_table(table: list[list[str]], markdown: bool = False) -> str:
    """A header row and rows as aligned text, or as a markdown table."""
    if markdown:
        lines = ["| " + " | ".join(r) + " |" for r in table]
        return "\n".join([lines[0], "|" + "---|" * len(table[0]), *lines[1:]])
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    return "\n".join("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))
                     for r in table)


def totals(outcomes: list[Outcome]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for out in outcomes:
        counts[out.status] = counts.get(out.status, 0) + 1
    return dict(sorted(counts.items()))


def print_report(outcomes: list[Outcome], wall: float, markdown: bool = False,
                 cpu: bool = False) -> None:
    """The single-member and pair tables, totals (overall and per quantity), then failures."""
    legend = ", ".join(f"{v} = {k}" for k, v in SHORT.items())
    print(f"cells: status and {'CPU' if cpu else 'wall'} seconds; {legend}")
    for title, keys in (("single member", SINGLE), ("same-family pair", PAIR)):
        table = grid(outcomes, list(keys), cpu)
        if len(table) > 1:
            print(f"\n{title}\n{format_table(table, markdown)}")
    seconds = [o.seconds for o in outcomes]
    print(f"\n{len(outcomes)} derivations, {sum(seconds):.1f} s summed "
          f"({sum(o.cpu for o in outcomes):.1f} s CPU), {wall:.1f} s wall; "
          + ", ".join(f"{k} {v}" for k, v in totals(outcomes).items()))
    for k in [*SINGLE, *PAIR]:
        mine = [o for o in outcomes if o.case.quantity == k]
        if mine:
            print(f"  {k:<20} " + ", ".join(f"{s} {n}" for s, n in totals(mine).items()))
    print_failures(outcomes)


def print_failures(outcomes: list[Outcome]) -> None:
    bad = [o for o in outcomes if o.error or o.status in ("timeout", "killed", "crashed")]
    if bad:
        print("\nrefusals and failures")
        for o in bad:
            print(f"  {o.case.quantity} {o.case.row}: {o.status} after {o.seconds:.1f} s"
                  + (f": {o.error}" if o.error else ""))


def print_gil(outcomes: list[Outcome], wall: float) -> None:
    """The Gil-Alajaji-Linder Rényi table, markdown; absent families are rows saying so."""
    found = {o.case.label: o for o in outcomes}
    print("| family (Gil, Alajaji & Linder 2013) | members | Rényi divergence | seconds | "
          "CPU s | numeric check |\n|---|---|---|---|---|---|")
    for label, name, p, q in GIL:
        o = found.get(label)
        if name is None:
            print(f"| {label} | not built in | — | — | — | — |")
            continue
        if o is None:
            continue
        members = "default" if p is None else f"P {p}, Q {q}"
        status = o.status + (f" ({o.error})" if o.error else "")
        print(f"| {label} | `{name}` {members} | {status} | {o.seconds:.2f} | {o.cpu:.2f} | "
              f"{'yes' if o.checked else 'no'} |")
    print(f"\n{len(outcomes)} derivations in {wall:.1f} s wall; "
          + ", ".join(f"{k} {v}" for k, v in totals(outcomes).items()))
    print_failures(outcomes)


def add_arguments(parser: argparse.ArgumentParser, families: bool = True) -> None:
    """The options of ``bench quantities`` (``families=False`` where ``--families`` and
    ``--timeout`` are already defined, as in ``bench derive``)."""
    if families:
        parser.add_argument("--timeout", type=float, default=30.0,
                            help="CPU budget of each derivation, seconds (default 30)")
        parser.add_argument("--families", nargs="+", metavar="NAME",
                            help="only these families (default: every univariate built-in)")
    parser.add_argument("--quantity", nargs="+", metavar="NAME", choices=[*SINGLE, *PAIR],
                        help="only these quantities (default: all)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="derivations run at once, one process each (default 2)")
    parser.add_argument("--multivariate", action="store_true",
                        help="add the multivariate built-ins (dirichlet, mvnormal, ...)")
    parser.add_argument("--markdown", action="store_true", help="print tables as markdown")
    parser.add_argument("--gil", action="store_true",
                        help="only the Gil-Alajaji-Linder Rényi divergence table, as markdown")
    parser.add_argument("--cpu", action="store_true",
                        help="cells show CPU seconds of the deriving process, not wall seconds")
    parser.add_argument("--json", metavar="FILE", help="also write the outcomes to FILE")
    parser.add_argument("--load", metavar="FILE",
                        help="derive nothing: print the outcomes a --json run wrote to FILE")


def progress_line(out: Outcome) -> None:
    print(f"  {out.case.quantity} {out.case.row}: {out.status} {out.seconds:.2f} s",
          file=sys.stderr, flush=True)


def save(path: str, outcomes: list[Outcome], wall: float) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"wall": wall, "outcomes": [asdict(o) for o in outcomes]}, f, indent=1)


def load(path: str) -> tuple[list[Outcome], float]:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return [Outcome(**(o | {"case": Case(**o["case"])})) for o in data["outcomes"]], data["wall"]


def derive_all(args: argparse.Namespace) -> tuple[list[Outcome], float]:
    """The outcomes of the cases ``args`` select, and the wall seconds they took."""
    started = time.perf_counter()
    if args.gil:
        cases = gil_cases()
    else:
        names = args.families or (si.families() if args.multivariate else univariate_families())
        cases = bench_cases(names, args.quantity)
    return run_cases(cases, args.timeout, args.jobs, progress=progress_line), \
        time.perf_counter() - started


def run(args: argparse.Namespace) -> int:
    outcomes, wall = load(args.load) if args.load else derive_all(args)
    if args.json:
        save(args.json, outcomes, wall)
    if args.gil:
        print_gil(outcomes, wall)
    else:
        print_report(outcomes, wall, args.markdown, args.cpu)
    return 1 if any(o.status in ("error", "crashed", "killed") for o in outcomes) else 0
