"""The atlas (issue 14): cells match the direct calls; jobs=1, jobs=2 and a Dask LocalCluster
agree; a worker that dies or hangs loses only its cell (retried once, then ``failed``); a warm
rebuild and an interrupted one read the store instead of deriving (counted, not timed).

Each build uses its own temporary store (``SYMBOLIC_INFO_CACHE``), so nothing is read from an
earlier build unless the test says so. The crash and hang families are registered only for
their test, through ``si.from_density`` with a sympy function that exits (or sleeps) when it is
evaluated in any process other than the test's: the derivation's child process.
"""

from __future__ import annotations

import json
import os
import time

import pytest
import sympy as sp

import symbolic_info as si
from symbolic_info.atlas import load
from symbolic_info.atlas.backends import warn_of_random_seeds
from symbolic_info.cli import run
from symbolic_info.derive.quantities import clear_cache
from symbolic_info.errors import SymbolicInfoError
from symbolic_info.families import registry
from symbolic_info.hash_seed import pin_for_children

FAMILIES = ["normal", "exponential", "uniform", "gamma", "poisson", "bernoulli"]
QUANTITIES = ("entropy", "kl")
TIMEOUT = 30
TEST_PID = os.getpid()
x = sp.Symbol("x", real=True)
lam = sp.Symbol("lam", positive=True)


def undummy(expr: sp.Basic) -> sp.Basic:
    """``expr`` with its Dummy symbols (bound variables of a Sum) replaced by named symbols in
    order of appearance: a Dummy rebuilt from JSON is a new Dummy."""
    dummies = [a for a in sp.preorder_traversal(expr) if isinstance(a, sp.Dummy)]
    names = {d: sp.Symbol(f"_bound{i}", **d.assumptions0)
             for i, d in enumerate(dict.fromkeys(dummies))}
    return expr.xreplace(names)


def outcome(cell) -> tuple:
    """What a cell says, without its timing."""
    return (cell.quantity, cell.p, cell.q, cell.status, undummy(cell.result),
            undummy(cell.conditions), cell.reason)


def build(monkeypatch, directory, families=FAMILIES, quantities=QUANTITIES, **options):
    monkeypatch.setenv("SYMBOLIC_INFO_CACHE", str(directory))
    options.setdefault("progress", False)
    return si.atlas(families, quantities, timeout=TIMEOUT, **options)


@pytest.fixture(scope="module")
def cold(tmp_path_factory):
    """The 6-family atlas with jobs=1 into an empty store, and that store's directory."""
    mp = pytest.MonkeyPatch()
    directory = tmp_path_factory.mktemp("atlas_store")
    try:
        yield build(mp, directory, jobs=1), directory
    finally:
        mp.undo()


def test_every_cell_of_the_plan_is_there(cold):
    atlas, _ = cold
    n = len(FAMILIES)
    assert len(atlas.cells) == n + n * n
    assert atlas.stats.derived == n + n * n and atlas.stats.from_store == 0
    assert atlas.stats.failed == 0
    assert atlas.cell("kl", "gamma", "poisson").q == "poisson"
    with pytest.raises(si.InvalidParameter, match="no cell"):
        atlas.cell("kl", "normal", "cauchy")


def test_cells_match_the_direct_calls(cold, monkeypatch, tmp_path):
    """Each cell against si.entropy / si.kl on the same default members, derived afresh in
    this process from another empty store."""
    atlas, _ = cold
    monkeypatch.setenv("SYMBOLIC_INFO_CACHE", str(tmp_path / "direct"))
    clear_cache()
    for cell in atlas.cells:
        try:
            d = (si.entropy(si.family(cell.p), timeout=TIMEOUT) if cell.q is None
                 else si.kl(*si.pair(cell.p, cell.q), timeout=TIMEOUT))
        except SymbolicInfoError:
            assert cell.status == "refused", cell
            continue
        assert cell.status == d.status, cell
        if d.status in ("closed_form", "infinite"):
            assert cell.result == d.result or sp.simplify(cell.result - d.result) == 0, cell
            assert cell.conditions == d.conditions, cell


def test_same_family_kl_is_zero_at_equal_parameters(cold):
    """A property of the cells themselves: KL(P || P) = 0 once Q's symbols are P's."""
    atlas, _ = cold
    for name in FAMILIES:
        cell = atlas.cell("kl", name, name)
        assert cell.status == "closed_form"
        p, q = si.pair(name)
        same = dict(zip(q.values, p.values))
        assert sp.simplify(cell.result.xreplace(same)) == 0, name


def test_warm_rebuild_derives_nothing(cold, monkeypatch):
    atlas, directory = cold
    warm = build(monkeypatch, directory, jobs=1)
    assert warm.stats.derived == 0
    assert warm.stats.from_store == len(atlas.cells)
    assert [outcome(c) for c in warm.cells] == [outcome(c) for c in atlas.cells]


def test_json_round_trip(cold, tmp_path):
    atlas, _ = cold
    path = atlas.to_json(tmp_path / "out" / "atlas.json")
    data = json.loads(path.read_text())
    assert len(data["cells"]) == len(atlas.cells)
    assert data["stats"]["derived"] == atlas.stats.derived
    back = load(path)
    assert [outcome(c) for c in back.cells] == [outcome(c) for c in atlas.cells]


@pytest.mark.slow
def test_two_jobs_give_the_same_cells_and_resume(cold, monkeypatch, tmp_path):
    """jobs=2 from an empty store; first an interrupted-like partial run (two families),
    whose cells the full run then reads instead of deriving."""
    atlas, _ = cold
    part = build(monkeypatch, tmp_path, FAMILIES[:2], jobs=2)
    assert part.stats.derived == 2 + 4
    full = build(monkeypatch, tmp_path, jobs=2)
    assert full.stats.from_store == 2 + 4
    assert full.stats.derived == len(atlas.cells) - 6
    assert [outcome(c) for c in full.cells] == [outcome(c) for c in atlas.cells]


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_cells(cold, monkeypatch, tmp_path):
    distributed = pytest.importorskip("distributed")
    atlas, _ = cold
    monkeypatch.setenv("SYMBOLIC_INFO_CACHE", str(tmp_path))
    pin_for_children()  # spawned workers hash as this process does
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        assert warn_of_random_seeds(client) == []  # the nanny's workers: PYTHONHASHSEED=6640
        on_dask = build(monkeypatch, tmp_path, client=client)
    assert on_dask.stats.derived == len(atlas.cells)
    assert [outcome(c) for c in on_dask.cells] == [outcome(c) for c in atlas.cells]


# -- workers that die or hang ------------------------------------------------------------------
class Crash(sp.Function):
    """Ends the process that evaluates it, unless that is the test's own process (where it is
    an unevaluated factor, 1 numerically)."""

    _imp_ = staticmethod(lambda t: 1.0)

    @classmethod
    def eval(cls, arg):
        if os.getpid() != TEST_PID:
            os._exit(3)
        return None


class Hang(sp.Function):
    """Sleeps (no CPU: the budget never expires) in any process but the test's."""

    _imp_ = staticmethod(lambda t: 1.0)

    @classmethod
    def eval(cls, arg):
        if os.getpid() != TEST_PID:
            time.sleep(600)
        return None


@pytest.fixture
def temporary_family(monkeypatch):
    """Register a family for this test only (removed from the registry afterwards)."""
    def register(name: str, function: type[sp.Function]) -> str:
        monkeypatch.setitem(registry._SPECS, name, None)  # undone: the name is removed again
        si.from_density(name, lam * sp.exp(-lam * x) * function(x), x,
                        sp.Interval(0, sp.oo))
        return name
    return register


def test_a_dying_worker_loses_only_its_cell(temporary_family, monkeypatch, tmp_path, capsys):
    name = temporary_family("atlas_test_crash", Crash)
    atlas = build(monkeypatch, tmp_path, ["exponential", name, "normal"], ["entropy"], jobs=2,
                  progress=True)
    cell = atlas.cell("entropy", name)
    assert cell.status == "failed"
    assert "exited with code 3" in cell.reason and "tried 2 times" in cell.reason
    assert atlas.cell("entropy", "exponential").status == "closed_form"
    assert atlas.cell("entropy", "normal").status == "closed_form"
    assert (atlas.stats.failed, atlas.stats.retried, atlas.stats.derived) == (1, 1, 2)
    err = capsys.readouterr().err
    assert "3/3" in err and "failed=1" in err
    again = build(monkeypatch, tmp_path, ["exponential", name, "normal"], ["entropy"], jobs=1)
    assert (again.stats.from_store, again.stats.failed) == (2, 1)  # failures are not stored


def test_a_hanging_worker_is_killed_at_the_wall_limit(temporary_family, monkeypatch, tmp_path):
    name = temporary_family("atlas_test_hang", Hang)
    atlas = build(monkeypatch, tmp_path, [name, "exponential"], ["entropy"], jobs=2, wall=3)
    cell = atlas.cell("entropy", name)
    assert cell.status == "failed" and "no answer within 3 s" in cell.reason
    assert atlas.cell("entropy", "exponential").status == "closed_form"
    assert atlas.stats.failed == 1 and atlas.stats.derived == 1


def test_a_refused_cell_is_recorded_not_raised(monkeypatch, tmp_path):
    with pytest.raises(si.NoRule):
        si.hellinger(*si.pair("wishart"))
    atlas = build(monkeypatch, tmp_path, ["wishart"], ["hellinger"], jobs=1)
    cell = atlas.cell("hellinger", "wishart", "wishart")
    assert cell.status == "refused" and cell.reason.startswith("NoRule")
    assert atlas.stats.derived == 1 and atlas.stats.failed == 0


# -- bad input and the command line -------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    ({"families": ["normal", "no_such"]}, "no_such"),
    ({"families": "normal"}, "families"),
    ({"quantities": ["entropy", "nope"]}, "nope"),
    ({"jobs": 0}, "jobs"),
    ({"timeout": -1}, "timeout"),
    ({"wall": 0}, "wall"),
])
def test_bad_input_names_the_parameter(kwargs, match):
    with pytest.raises(SymbolicInfoError, match=match):
        si.atlas(**{"families": ["normal"], **kwargs})


def test_cli_writes_atlas_json(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SYMBOLIC_INFO_CACHE", str(tmp_path / "store"))
    code = run(["atlas", "--out", str(tmp_path / "out"), "--families", "normal,exponential",
                "--quantities", "entropy", "--jobs", "1", "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads((tmp_path / "out" / "atlas.json").read_text())
    assert [(c["p"], c["status"]) for c in data["cells"]] == [
        ("normal", "closed_form"), ("exponential", "closed_form")]
    assert "2 cells" in out


@pytest.mark.parametrize("argv", [
    ["--families", "normal,bogus"], ["--quantities", "entropy,bogus"], ["--jobs", "0"],
    ["--timeout", "0"], ["--families", ","],
])
def test_cli_bad_input_is_one_line_exit_2(tmp_path, capsys, argv):
    code = run(["atlas", "--out", str(tmp_path / "out"), "--no-progress", *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
