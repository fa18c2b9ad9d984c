"""``bench derive --quantities``: the issue-12 quantities on a tiny subset, and the GAL table."""

from __future__ import annotations

import pytest

from symbolic_info.bench.__main__ import main
from symbolic_info.bench.quantities import (
    GIL,
    PAIR,
    SINGLE,
    Case,
    bench_cases,
    format_table,
    gil_cases,
    run_cases,
)


def test_cases_cover_every_quantity_of_each_family():
    cases = bench_cases(["normal", "exponential"])
    assert len(cases) == 2 * (len(SINGLE) + len(PAIR))
    assert {c.row for c in cases} == {"normal", "exponential", "normal || normal",
                                      "exponential || exponential"}


def test_table_has_a_column_per_quantity(capsys):
    code = main(["derive", "--quantities", "--families", "exponential",
                 "--quantity", "renyi_entropy", "bhattacharyya", "jeffreys", "--timeout", "10"])
    out = capsys.readouterr().out
    assert code == 0, out
    single, pair = out.split("single member")[1].split("same-family pair")
    assert single.splitlines()[1].split() == ["renyi_entropy"]
    assert single.splitlines()[2].split()[:2] == ["exponential", "closed"]
    assert pair.splitlines()[1].split() == ["bhattacharyya", "jeffreys"]
    assert pair.splitlines()[2].split()[:4] == ["exponential", "||", "exponential", "closed"]
    assert "3 derivations" in out and "closed_form 3" in out


def test_exceptions_are_rows_not_crashes(monkeypatch):
    monkeypatch.setitem(PAIR, "boom", lambda p, q, t: 1 / 0)  # the forked child inherits it
    refused, error = run_cases([Case("bhattacharyya", "no_such_family"), Case("boom", "normal")],
                               timeout=5)
    assert refused.status == "refused" and "UnknownFamily" in refused.error
    assert error.status == "error" and error.error.startswith("ZeroDivisionError")


def test_markdown_table():
    text = format_table([["", "a", "b"], ["x", "1", "2"]], markdown=True)
    assert text.splitlines() == ["|  | a | b |", "|---|---|---|", "| x | 1 | 2 |"]


def test_gil_cases_share_the_fixed_parameter():
    cases = {c.family: c for c in gil_cases()}
    assert cases["gumbel"].p["beta"] == cases["gumbel"].q["beta"] == "b"
    assert cases["weibull"].p["k"] == cases["weibull"].q["k"] == "k"
    assert cases["levy"].p["mu"] == cases["levy"].q["mu"] == "m"
    assert cases["generalized_normal"].p["beta"] == cases["generalized_normal"].q["beta"] == "b"
    assert len(GIL) == len(cases)  # every Gil-Alajaji-Linder family is built in


@pytest.mark.slow
def test_gil_renyi_divergences_are_closed(capsys):
    assert main(["derive", "--gil"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "not built" not in line]
    assert all("closed_form" in r for r in rows[1:]), out
