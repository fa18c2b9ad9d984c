"""Any thread, any process: derivations, lambdify, verify and cross_validate off the main
thread (thread pools, spawned and forked processes, Dask workers) give the main thread's
results, with their budgets enforced; budgets are CPU seconds of the deriving thread; the
budget's interrupt never leaves the limit that raised it.

Each job derives members with symbols of its own (so no cache short-cuts the work) and is
compared with the main thread's derivation at a fixed point.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import threading
import time

import pytest
import sympy as sp
from optional import needs

import symbolic_info as si
from symbolic_info.budget import _Alarm, cpu_seconds, run_limited, time_limit
from symbolic_info.errors import BudgetExceeded
from symbolic_info.hash_seed import pin_for_children

POINT = (1.7, 0.6, 2.3, 1.4)  # shape/rate of P, then of Q


def derive_job(tag: str) -> tuple[str, float, float, bool, bool, str]:
    """A gamma KL with symbols tagged ``tag``: status, its value at POINT (sympy and lambdify),
    whether verify accepts the result and cross_validate passes, and the thread's name."""
    p = si.family("gamma", shape=f"a_{tag}", rate=f"b_{tag}")
    q = si.family("gamma", shape=f"c_{tag}", rate=f"d_{tag}")
    d = si.kl(p, q)
    at = dict(zip(d.parameters, POINT))
    exact = float(d.result.xreplace({s: sp.Float(v, 30) for s, v in at.items()}))
    numeric = float(d.lambdify()(*POINT))
    verdict = si.verify(d.result, d)
    report = si.cross_validate(d, n=3)
    return (d.status, exact, numeric, bool(verdict.holds), bool(report.ok),
            threading.current_thread().name)


def timed_out_job(tag: str) -> str:
    p = si.family("kumaraswamy", a=f"a_{tag}", b=f"b_{tag}")
    q = si.family("kumaraswamy", a=f"c_{tag}", b=f"d_{tag}")
    return si.kl(p, q, timeout=0.05).status


@pytest.fixture(scope="module")
def main_thread_result():
    return derive_job("main")


def _same(a, b) -> None:
    assert a[0] == b[0] == "closed_form"
    assert abs(a[1] - b[1]) <= 1e-12 * abs(b[1]) and abs(a[2] - b[1]) <= 1e-9 * abs(b[1])
    assert a[3] and a[4]


def test_thread_pool_matches_the_main_thread(main_thread_result):
    with cf.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(derive_job, ["t1", "t2"]))
        budget = list(pool.map(timed_out_job, ["t3", "t4"]))
    for r in results:
        assert r[5] != "MainThread"
        _same(r, main_thread_result)
    assert budget == ["timed_out", "timed_out"]


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_processes_match_the_main_thread(method, main_thread_result):
    context = multiprocessing.get_context(method)
    with cf.ProcessPoolExecutor(1, mp_context=context) as pool:
        result = pool.submit(derive_job, method).result(timeout=300)
        status = pool.submit(timed_out_job, method + "_b").result(timeout=300)
    _same(result, main_thread_result)
    assert status == "timed_out"


def test_a_fork_inside_a_limit_keeps_the_limit_in_the_child():
    def child(queue):
        try:
            with time_limit(0.2):
                while True:
                    pass
        except BudgetExceeded:
            queue.put("exceeded")

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    with time_limit(30):
        process = context.Process(target=child, args=(queue,))
        process.start()
        assert queue.get(timeout=60) == "exceeded"
        process.join(10)


@needs("distributed")
@pytest.mark.parametrize("processes", [False, True])
def test_dask_workers_match_the_main_thread(processes, main_thread_result):
    import cloudpickle
    import distributed

    cloudpickle.register_pickle_by_value(__import__(__name__))
    pin_for_children()  # spawned workers hash as this process does
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=processes,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        futures = [client.submit(derive_job, f"dask{int(processes)}{i}", pure=False)
                   for i in range(2)]
        futures.append(client.submit(timed_out_job, f"daskb{int(processes)}", pure=False))
        *results, status = client.gather(futures)
    for r in results:
        _same(r, main_thread_result)
    assert status == "timed_out"


# -- the budget itself ------------------------------------------------------------------------
def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_budgets_are_cpu_seconds_of_the_calling_thread():
    with time_limit(0.2):
        time.sleep(0.4)  # sleeping uses no CPU time
    busy = threading.Thread(target=_spin, args=(1.0,))
    busy.start()
    start = cpu_seconds()
    with time_limit(0.3):
        _spin(0.5)  # shares the GIL with the busy thread: about 0.25 s of CPU time
    busy.join()
    assert cpu_seconds() - start < 0.3
    with pytest.raises(BudgetExceeded, match="CPU"):
        run_limited(_spin, 0.1, 5.0)


def test_limits_work_in_any_thread_and_nest():
    def nested() -> str:
        try:
            with time_limit(0.2):
                try:
                    with time_limit(5):
                        _spin(3)
                except BudgetExceeded:
                    return "inner"
        except BudgetExceeded:
            return "outer"
        return "none"

    with cf.ThreadPoolExecutor(2) as pool:
        assert list(pool.map(lambda _: nested(), range(2))) == ["outer", "outer"]
    assert nested() == "outer"


def test_the_interrupt_never_leaves_its_limit():
    """Many limits that expire at every point of sympy work, in two threads at once: each call
    returns or raises BudgetExceeded; no _Alarm reaches the caller, before or after."""
    x = sp.Symbol("x", positive=True)
    a = sp.Symbol("a", positive=True)

    def hammer(seed: int) -> tuple[int, int]:
        done = exceeded = 0
        for i in range(150):
            try:
                run_limited(sp.integrate, 0.002 + 0.0005 * ((i * seed) % 7),
                            x ** (a + i % 5) * sp.exp(-x), (x, 0, sp.oo))
                done += 1
            except BudgetExceeded:
                exceeded += 1
            except _Alarm:  # pragma: no cover - the failure this test guards against
                raise AssertionError("the budget's interrupt escaped its limit") from None
        time.sleep(0.2)  # a stray alarm raised after the last limit would land here
        return done, exceeded

    with cf.ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(hammer, [3, 5]))
    outcomes.append(hammer(7))
    assert all(d + e == 150 for d, e in outcomes)
    assert sum(e for _, e in outcomes) > 0


def test_a_swallowed_interrupt_is_repeated_in_a_thread():
    def body() -> int:
        swallowed = 0
        start = time.monotonic()
        try:
            with time_limit(0.1):
                while time.monotonic() - start < 5:
                    try:
                        _spin(5)
                    except _Alarm:
                        swallowed += 1
                        if swallowed > 1:
                            raise
        except BudgetExceeded:
            return swallowed
        return -1

    with cf.ThreadPoolExecutor(1) as pool:
        assert pool.submit(body).result() == 2


def test_budgets_work_under_a_profiler():
    """cProfile (and any tracer) sees the interrupt as an ordinary exception; leaving a limit
    must not leave the interpreter's pending-exception flag set (which made cProfile loop)."""
    import subprocess
    import sys
    code = (
        "import cProfile, time\n"
        "from symbolic_info.budget import time_limit\n"
        "from symbolic_info.errors import BudgetExceeded\n"
        "def work():\n"
        "    with time_limit(5):\n"
        "        pass\n"
        "    try:\n"
        "        with time_limit(0.2):\n"
        "            end = time.monotonic() + 5\n"
        "            while time.monotonic() < end:\n"
        "                pass\n"
        "    except BudgetExceeded:\n"
        "        print('exceeded')\n"
        "    print(any(i > 5 for i in range(3)))\n"
        "cProfile.run('work()', sort='cumulative')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == ["exceeded", "False"]


def test_thousands_of_limits_expiring_at_their_edges():
    """Limits so short that their alarms land at every point of entering and leaving them."""
    def work(n: int) -> int:
        total = 0
        for j in range(n):  # about as long as the limit: alarms land before, in and after it
            total += j
        return total

    exceeded = 0
    for i in range(5000):
        try:
            run_limited(work, 0.0005 + 0.0001 * (i % 5), 3000 + (i % 7) * 100)
        except BudgetExceeded:
            exceeded += 1
        except _Alarm:  # pragma: no cover - the failure this test guards against
            raise AssertionError("the budget's interrupt escaped its limit") from None
