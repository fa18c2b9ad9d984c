"""The outcome of a derivation does not depend on the machine's load.

Slow derivations (their strategies run into their caps) are derived in a fresh process on the
idle machine and again while two CPU-bound processes keep both cores busy; status, result and
every step must be identical.  Budgets are CPU seconds of the deriving thread, so the load only
stretches the wall time.  (``python -m symbolic_info.bench load`` does the same for the whole
benchmark set.)
"""

from __future__ import annotations

import pytest

from symbolic_info.bench.load import loaded
from symbolic_info.bench.outcomes import differences, in_fresh_process

CASES = ["entropy:lognormal", "entropy:beta", "kl:lognormal:gamma", "kl:gumbel:gumbel",
         "entropy:logistic", "kl:student_t:student_t"]


@pytest.mark.slow
def test_outcomes_are_the_same_idle_and_loaded():
    idle = in_fresh_process(store="0", cases=CASES)
    busy = loaded(None, 2, limit=900, cases=CASES)
    assert set(idle["outcomes"]) == set(CASES)
    assert differences(idle, busy) == [], (idle["outcomes"], busy["outcomes"])
    statuses = {k: v["status"] for k, v in idle["outcomes"].items()}
    assert statuses["kl:student_t:student_t"] == "timed_out"  # its caps do run out
    assert all(v == "closed_form" for k, v in statuses.items() if "student_t" not in k)
