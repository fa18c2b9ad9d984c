"""The persistent store of derivations (``symbolic_info.derive.store``).

Round trips of real derivations, keys stable across processes and sensitive to everything that
determines a derivation, concurrent writers (threads, processes, a fork), corrupt entries and
corrupt database files, ``SYMBOLIC_INFO_CACHE`` and the ``cache`` commands.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
import threading
import types
import warnings
from pathlib import Path

import platformdirs
import pytest
import sympy as sp

import symbolic_info as si
from symbolic_info.cli import run
from symbolic_info.derive import quantities
from symbolic_info.derive.store import (
    DATABASE_NAME,
    CorruptRecord,
    DerivationStore,
    StoreInfo,
    default_store,
    derivation_key,
    engine_version,
    from_record,
    key_text,
    load,
    save,
    to_record,
)
from symbolic_info.families.spec import POSITIVE, Family, FamilySpec, Param

PACKAGE = Path(si.__file__).resolve().parent


@pytest.fixture
def store_dir(tmp_path, monkeypatch) -> Path:
    """A fresh directory that ``default_store()`` uses for this test."""
    directory = tmp_path / "store"
    monkeypatch.setenv("SYMBOLIC_INFO_CACHE", str(directory))
    return directory


def python(script: str, *args: str, env: dict | None = None, cwd: Path | None = None,
           timeout: float = 300) -> str:
    """Run ``script`` in a fresh interpreter and return its standard output."""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script), *args],
                          capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def assert_same_derivation(a, b) -> None:
    assert sp.simplify(a.result - b.result) == 0
    assert a.status == b.status
    assert a.name == b.name and a.quantity == b.quantity and a.base == b.base
    assert a.conditions == b.conditions
    assert a.parameters == b.parameters
    assert len(a.steps) == len(b.steps)
    for s, t in zip(a.steps, b.steps):
        assert s.rule == t.rule and s.note == t.note
        assert s.expr == t.expr


# -- records -------------------------------------------------------------------------------------
def _kl_normals():
    p = si.family("normal", mu="mu_1", sigma="sigma_1")
    q = si.family("normal", mu="mu_2", sigma="sigma_2")
    return quantities.kl(p, q), p, q


def _entropy_gamma_bits():
    p = si.family("gamma", shape="k", rate="r")
    return quantities.entropy(p, base=2), p, None


def _entropy_poisson():
    p = si.family("poisson", lam="lam")
    return quantities.entropy(p), p, None


@pytest.mark.parametrize("make", [_kl_normals, _entropy_gamma_bits, _entropy_poisson],
                         ids=["kl-normal-normal", "entropy-gamma-bits", "entropy-poisson"])
def test_record_round_trip_of_real_derivations(make):
    d, p, q = make()
    blob = to_record(d)
    assert isinstance(blob, bytes)
    back = from_record(blob, p, q)
    assert_same_derivation(back, d)
    assert back.p is p and back.q is q  # the caller's members, re-attached
    point = {str(s): 0.5 + 0.25 * i for i, s in enumerate(d.parameters)}
    if d.status == "closed_form":
        assert back.lambdify()(**point) == pytest.approx(d.lambdify()(**point), rel=1e-12)


def test_record_holds_every_field_but_the_members():
    d, _, _ = _kl_normals()
    data = pickle.loads(to_record(d))
    assert set(data) == {f for f in d.__dataclass_fields__ if f not in ("p", "q", "_numeric")}


@pytest.mark.parametrize("blob", [b"", b"garbage", pickle.dumps([1, 2]),
                                  pickle.dumps({"name": "x"})])
def test_from_record_of_a_bad_blob_is_a_corrupt_record(blob):
    p = si.family("normal", mu="m", sigma="s")
    with pytest.raises(CorruptRecord):
        from_record(blob, p, None)


# -- keys ----------------------------------------------------------------------------------------
KEY_CASES = """
import json, sys
import sympy as sp
import symbolic_info as si
from symbolic_info.derive.store import derivation_key, engine_version
from symbolic_info.families.spec import POSITIVE, Family, FamilySpec, Param

sp.Dummy("shift"), sp.Dummy("the"), sp.Dummy("counter")  # a process-dependent Dummy count
t = sp.Dummy("t", positive=True)
lam = sp.Symbol("lam", positive=True)
spec = FamilySpec(name="store_exp", params=(Param("lam", POSITIVE),), symbols=(lam,),
                  variable=t, density=lam * sp.exp(-lam * t), support=sp.Interval(0, sp.oo))
user = Family(spec, (sp.Symbol("l", positive=True),))
normal = si.family("normal", mu=sp.Dummy("m", real=True), sigma="s")
keys = [
    derivation_key("kl", si.family("normal", mu="mu_1", sigma="sigma_1"),
                   si.family("normal", mu="mu_2", sigma="sigma_2")),
    derivation_key("entropy", si.family("gamma", shape="k", rate="r"), None, base=2,
                   timeout=30.0),
    derivation_key("cross_entropy", normal, si.family("laplace"), base=sp.E),
    derivation_key("entropy", user, None),
    derivation_key("kl", user, Family(spec, (sp.Symbol("m", positive=True),))),
]
print(json.dumps({"keys": keys, "engine": engine_version()}))
"""


def package_copy(directory: Path) -> dict:
    """A snapshot of the package in ``directory`` (the tree may change while tests run) and the
    environment that imports it."""
    shutil.copytree(PACKAGE, directory / "symbolic_info",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return {"PYTHONPATH": str(directory), "PYTHONDONTWRITEBYTECODE": "1"}


def test_keys_are_identical_in_fresh_processes(tmp_path):
    env = package_copy(tmp_path / "copy")
    runs = [json.loads(python(KEY_CASES, env={**env, "PYTHONHASHSEED": seed}, cwd=tmp_path))
            for seed in ("1", "2")]
    assert runs[0] == runs[1]
    assert len(set(runs[0]["keys"])) == len(runs[0]["keys"])


def test_dummies_are_numbered_by_appearance():
    t = sp.Dummy("t", positive=True)
    p = si.family("normal", mu=sp.Dummy("m", real=True), sigma=sp.Dummy("s", positive=True))
    spec = FamilySpec(name="store_exp", params=(Param("lam", POSITIVE),),
                      symbols=(sp.Symbol("lam", positive=True),), variable=t,
                      density=sp.Symbol("lam", positive=True) * sp.exp(-t),
                      support=sp.Interval(0, sp.oo))
    text = key_text("kl", p, Family(spec, (sp.Integer(1),)))
    assert "dummy_index=0" in text and "dummy_index=1" in text and "dummy_index=2" in text
    assert f"dummy_index={t.dummy_index}" not in text


def _key(quantity="kl", mu="m", sigma="s", q_mu="n", base=None, q=True, **extra):
    p = si.family("normal", mu=mu, sigma=sigma)
    other = si.family("normal", mu=q_mu, sigma="s2") if q else None
    return derivation_key(quantity, p, other, base, **extra)


def test_key_depends_on_everything_that_determines_a_derivation():
    reference = _key()
    variants = {
        "a symbol's name": _key(mu="mu"),
        "a symbol of Q's name": _key(q_mu="m"),
        "an assumption": _key(mu=sp.Symbol("m", positive=True)),
        "no assumption": _key(mu=sp.Symbol("m")),
        "a number for a symbol": _key(mu=0),
        "the quantity": _key(quantity="cross_entropy"),
        "the base": _key(base=2),
        "another base": _key(base=sp.E),
        "Q": _key(quantity="entropy", q=False),
        "an extra item": _key(timeout=30),
        "its value": _key(timeout=60),
    }
    assert reference not in variants.values()
    assert len(set(variants.values())) == len(variants), variants
    assert _key() == reference  # and nothing else
    assert _key(base=2) == _key(base=sp.Integer(2))
    # symbols sympy deems equal (same name, same deduced assumptions) give one key
    assert sp.Symbol("m", positive=True) == sp.Symbol("m", positive=True, real=True)
    assert _key(mu=sp.Symbol("m", positive=True)) == _key(
        mu=sp.Symbol("m", positive=True, real=True))
    laplace = derivation_key("kl", si.family("normal", mu="m", sigma="s"),
                             si.family("laplace", mu="n", b="s2"))
    assert laplace != reference


def test_engine_version_hashes_the_source(tmp_path):
    copy = tmp_path / "copy"
    env = package_copy(copy)
    script = """
    import symbolic_info
    from symbolic_info.derive.store import engine_version
    print(symbolic_info.__file__, engine_version())
    """
    where, before = python(script, env=env, cwd=tmp_path).split()
    assert Path(where).is_relative_to(copy) and len(before) == len(engine_version()) == 16
    with open(copy / "symbolic_info" / "errors.py", "a", encoding="utf-8") as handle:
        handle.write("# a change\n")
    assert python(script, env=env, cwd=tmp_path).split() != [where, before]


# -- the database --------------------------------------------------------------------------------
def test_get_put_delete_info_clear(tmp_path):
    store = DerivationStore(tmp_path / "s")
    assert store.get("a") is None
    assert store.put("a", b"1") and store.put("b", b"2" * 1000) and store.put("a", b"3")
    assert store.get("a") == b"3" and store.get("b") == b"2" * 1000
    store.delete("b")
    assert store.get("b") is None
    info = store.info()
    assert isinstance(info, StoreInfo)
    assert info.location == tmp_path / "s" and info.entries == 1 and info.size_bytes > 0
    assert store.clear() == 1
    assert store.info().entries == 0 and store.get("a") is None


def _value(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest() * (1 + len(key) % 40)


def test_threads_write_and_read_at_once(tmp_path):
    store = DerivationStore(tmp_path / "s")
    errors: list[str] = []

    def work(i: int) -> None:
        for j in range(80):
            for key in (f"shared-{j}", f"thread{i}-{j}"):
                if not store.put(key, _value(key)):
                    errors.append(f"put {key} skipped")
                if store.get(key) != _value(key):
                    errors.append(f"get {key} wrong")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.info().entries == 80 + 6 * 80


WRITER = """
import hashlib, os, sys, time
from pathlib import Path
from symbolic_info.derive.store import DerivationStore

directory, name, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def value(key):
    return hashlib.sha256(key.encode()).digest() * (1 + len(key) % 40)
(directory.parent / f"ready-{name}").touch()
deadline = time.time() + 120
while len(list(directory.parent.glob("ready-*"))) < 2 and time.time() < deadline:
    time.sleep(0.005)
store = DerivationStore(directory)
bad = 0
for i in range(n):
    for key in (f"shared-{i}", f"{name}-{i}"):
        bad += not store.put(key, value(key))
        bad += store.get(key) != value(key)
        bad += store.get(f"shared-{n - 1 - i}") not in (None, value(f"shared-{n - 1 - i}"))
print(bad)
"""


def test_two_processes_write_the_same_and_different_keys(tmp_path):
    directory, n = tmp_path / "s", 300
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(directory), name, str(n)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("one", "two")]
    outs = [proc.communicate(timeout=300) for proc in procs]
    for proc, (out, err) in zip(procs, outs):
        assert proc.returncode == 0, err
        assert out.strip() == "0", "a writer saw a skipped put or a wrong value"
    store = DerivationStore(directory)
    keys = [f"{prefix}-{i}" for prefix in ("shared", "one", "two") for i in range(n)]
    assert all(store.get(key) == _value(key) for key in keys)
    assert store.info().entries == 3 * n


def _child_uses_the_parents_store(store: DerivationStore, queue) -> None:
    ok = store.get("parent") == b"p" and store.put("child", b"c") and store.get("child") == b"c"
    queue.put(ok)


def test_a_forked_child_opens_its_own_connection(tmp_path):
    store = DerivationStore(tmp_path / "s")
    assert store.put("parent", b"p")  # the parent's connection is open now
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child_uses_the_parents_store, args=(store, queue))
    child.start()
    ok = queue.get(timeout=60)
    child.join(60)
    assert ok and child.exitcode == 0
    assert store.get("child") == b"c" and store.put("after", b"a") and store.get("after") == b"a"


# -- load and save through the default store -----------------------------------------------------
def test_save_then_load(store_dir):
    d, p, q = _kl_normals()
    key = derivation_key("kl", p, q, timeout=30)
    assert load(key, p, q) is None
    assert save(key, d)
    assert (store_dir / DATABASE_NAME).exists()
    assert_same_derivation(load(key, p, q), d)


def test_a_fresh_process_loads_a_stored_derivation_in_milliseconds(store_dir):
    script = """
    import json, sys, time
    t0 = time.perf_counter()
    import symbolic_info as si
    from symbolic_info.derive import quantities
    from symbolic_info.derive.store import derivation_key, load, save
    t1 = time.perf_counter()
    p = si.family("gamma", shape="k", rate="r")
    q = si.family("gamma", shape="k2", rate="r2")
    key = derivation_key("kl", p, q)
    t2 = time.perf_counter()
    d = load(key, p, q)
    t3 = time.perf_counter()
    if d is None:
        d = quantities.kl(p, q)
        assert save(key, d)
    print(json.dumps({"loaded": t3 > t2 and d is not None and sys.argv[1] == "warm",
                      "key_s": t2 - t1, "load_s": t3 - t2, "result": str(d.result)}))
    """
    env = package_copy(store_dir.parent / "copy")  # one engine version for both runs
    cold = json.loads(python(script, "cold", env=env, cwd=store_dir.parent))
    warm = json.loads(python(script, "warm", env=env, cwd=store_dir.parent))
    assert warm["loaded"] and warm["result"] == cold["result"]
    assert warm["load_s"] < 0.5 and warm["key_s"] < 0.5, warm


def test_a_corrupt_entry_is_a_miss_and_is_deleted(store_dir):
    d, p, q = _kl_normals()
    key = derivation_key("kl", p, q)
    store = default_store()
    for garbage in (b"\x80\x05garbage", pickle.dumps({"status": "closed_form"}), b""):
        assert store.put(key, garbage)
        assert load(key, p, q) is None
        assert store.get(key) is None
    assert save(key, d) and load(key, p, q) is not None


def test_a_timed_out_derivation_is_not_saved(store_dir):
    assert not save("k", types.SimpleNamespace(status="timed_out"))
    assert default_store().get("k") is None


def test_a_corrupt_database_file_is_moved_aside(store_dir):
    store_dir.mkdir()
    (store_dir / DATABASE_NAME).write_bytes(b"not a database" * 1000)
    with pytest.warns(UserWarning, match="corrupt"):
        store = default_store()
        assert store.get("a") is None
    assert store.put("a", b"1") and store.get("a") == b"1"
    assert list(store_dir.glob(f"{DATABASE_NAME}.corrupt-*"))


def test_a_database_overwritten_while_open_does_not_crash(store_dir):
    store = default_store()
    for i in range(50):
        assert store.put(f"k{i}", b"v" * 1000)
    for name in (DATABASE_NAME, DATABASE_NAME + "-wal"):
        path = store_dir / name
        path.write_bytes(os.urandom(max(path.stat().st_size, 8192)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        store.get("k1"), store.put("new", b"x"), store.get("new"), store.delete("k2")
        fresh = DerivationStore(store_dir)  # as a new process would open it
        assert fresh.put("b", b"2") and fresh.get("b") == b"2"
        assert default_store().get("absent") is None


def test_a_store_that_cannot_be_created_disables_itself(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    monkeypatch.setenv("SYMBOLIC_INFO_CACHE", str(blocker))
    d, p, q = _kl_normals()
    with pytest.warns(UserWarning, match="disabled"):
        assert default_store().get("a") is None
    assert not default_store().put("a", b"1") and not save("a", d) and load("a", p, q) is None


def test_cache_variable_zero_turns_the_store_off(monkeypatch):
    monkeypatch.setenv("SYMBOLIC_INFO_CACHE", "0")
    d, p, q = _kl_normals()
    assert default_store() is None
    assert not save("k", d) and load("k", p, q) is None


def test_cache_variable_moves_the_store(tmp_path, monkeypatch):
    for name in ("one", "two"):
        monkeypatch.setenv("SYMBOLIC_INFO_CACHE", str(tmp_path / name))
        assert default_store().path == tmp_path / name
        assert default_store() is default_store()
        assert default_store().put("k", name.encode())
    assert DerivationStore(tmp_path / "one").get("k") == b"one"
    assert DerivationStore(tmp_path / "two").get("k") == b"two"


@pytest.mark.parametrize("value", [None, ""])
def test_without_the_variable_the_store_is_in_the_user_cache_directory(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("SYMBOLIC_INFO_CACHE", raising=False)
    else:
        monkeypatch.setenv("SYMBOLIC_INFO_CACHE", value)
    assert default_store().path == Path(platformdirs.user_cache_dir("symbolic_info"))


def test_the_session_uses_a_temporary_store():
    directory = os.environ["SYMBOLIC_INFO_CACHE"]
    assert Path(directory).name.startswith("symbolic_info_test_store_")
    assert Path(directory) != Path(platformdirs.user_cache_dir("symbolic_info"))


# -- the command line ----------------------------------------------------------------------------
def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_cache_info_and_clear(store_dir, capsys):
    store = default_store()
    for key in ("a", "b", "c"):
        assert store.put(key, b"x" * 100)
    code, out, err = cli(capsys, "cache", "info")
    assert code == 0, err
    assert f"location: {store_dir}" in out and "entries:  3" in out and "bytes" in out
    code, out, err = cli(capsys, "cache", "clear")
    assert code == 0, err
    assert "removed 3 entries" in out
    code, out, _ = cli(capsys, "cache", "info")
    assert code == 0 and "entries:  0" in out


def test_cli_cache_when_the_store_is_off(monkeypatch, capsys):
    monkeypatch.setenv("SYMBOLIC_INFO_CACHE", "0")
    for command in ("info", "clear"):
        code, out, err = cli(capsys, "cache", command)
        assert code == 0 and "off" in out and not err


def test_cli_cache_info_of_an_unusable_store_is_one_line(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    monkeypatch.setenv("SYMBOLIC_INFO_CACHE", str(blocker))
    code, out, err = cli(capsys, "cache", "info")
    assert code == 2 and "unavailable" in err and len(err.strip().splitlines()) == 1
