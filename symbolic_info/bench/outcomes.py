"""outcomes: derive the benchmark set (every built-in entropy and same-family KL) and print
each outcome (status, result, steps) as JSON, with the seconds it took.

Used by ``bench derive`` for its warm run (a fresh process reading the store) and by
``bench load`` to compare outcomes on an idle and on a loaded machine.  Dummies (whose index
is random per process) are numbered by order of appearance, so equal outcomes print equally.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time

import sympy as sp

import symbolic_info as si

from ..cli import default_member
from ..derive.store import canonical_dummies
from .quantities import PAIR, SINGLE


def derivation_set(names: list[str] | None = None) -> list[tuple[str, object]]:
    """(label, thunk) for the entropy and the same-family KL of every family in ``names``."""
    names = names or si.families()
    out = [(f"entropy {n}", lambda n=n: si.entropy(default_member(n, 1))) for n in names]
    out += [(f"kl {n} || {n}", lambda n=n: si.kl(default_member(n, 1), default_member(n, 2)))
            for n in names]
    return out


BUILDERS = {"entropy": lambda p, q: si.entropy(p), "kl": si.kl, "cross_entropy": si.cross_entropy,
            **{k: lambda p, q, k=k: SINGLE[k](p, 30) for k in SINGLE},
            **{k: lambda p, q, k=k: PAIR[k](p, q, 30) for k in PAIR}}


def case_set(cases: list[str]) -> list[tuple[str, object]]:
    """(label, thunk) for cases written ``quantity:P`` or ``quantity:P:Q`` (default members;
    any quantity of :data:`BUILDERS`, e.g. ``renyi_divergence:normal:normal``)."""
    out = []
    for case in cases:
        quantity, p, *q = case.split(":")
        out.append((case, lambda quantity=quantity, p=p, q=q: BUILDERS[quantity](
            default_member(p, 1), default_member(q[0], 2) if q else None)))
    return out


def outcome(d) -> dict:
    """What must not depend on the machine: status, result and every step, as text."""
    steps = canonical_dummies(sp.srepr(sp.Tuple(*[
        sp.Tuple(sp.Symbol(str(s.rule)), s.expr if isinstance(s.expr, sp.Basic)
                 else sp.Symbol(str(s.expr)), sp.Symbol(s.note)) for s in d.steps])))
    return {"status": d.status, "result": canonical_dummies(sp.srepr(d.result)),
            "steps": hashlib.sha256(steps.encode()).hexdigest()[:16]}


def collect(names: list[str] | None = None, cases: list[str] | None = None) -> dict:
    rows, started = {}, time.perf_counter()
    for label, build in case_set(cases) if cases else derivation_set(names):
        t0 = time.perf_counter()
        rows[label] = outcome(build()) | {"seconds": round(time.perf_counter() - t0, 4)}
    return {"seconds": time.perf_counter() - started, "outcomes": rows}


def in_fresh_process(names: list[str] | None = None, store: str | None = None,
                     cases: list[str] | None = None) -> dict:
    """:func:`collect` in a new Python process (``store``: its SYMBOLIC_INFO_CACHE; "0" off)."""
    env = dict(os.environ)
    if store is not None:
        env["SYMBOLIC_INFO_CACHE"] = store
    command = [sys.executable, "-m", "symbolic_info.bench", "outcomes"]
    if names:
        command += ["--families", *names]
    if cases:
        command += ["--cases", *cases]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    data = json.loads(done.stdout)
    data["process_seconds"] = time.perf_counter() - started
    return data


def differences(a: dict, b: dict) -> list[str]:
    """Labels whose status, result or steps differ between two runs."""
    out = []
    for label, one in a["outcomes"].items():
        two = b["outcomes"].get(label)
        if two is None or any(one[k] != two[k] for k in ("status", "result", "steps")):
            out.append(label)
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--families", nargs="+", metavar="NAME",
                        help="only these families (default: all built-ins)")
    parser.add_argument("--cases", nargs="+", metavar="CASE",
                        help="instead: these cases, quantity:P or quantity:P:Q")


def run(args: argparse.Namespace) -> int:
    json.dump(collect(args.families, getattr(args, "cases", None)), sys.stdout)
    return 0
