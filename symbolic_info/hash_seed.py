"""Python's string-hash seed, fixed at 0 in every process the project starts.

sympy iterates over sets in places (``heurisch``'s candidate terms, ``meijerint``'s formula
tables, ``free_symbols``), and a set's order follows the hashes of the symbols' names, which
Python randomises per process unless ``PYTHONHASHSEED`` is set.  Where two integration routes
compete, or a strategy finishes near its cap, that order decides the outcome: the triangular
KL closed under ``PYTHONHASHSEED=1`` and stayed an integral under ``0`` (34 s of CPU each), so
two runs of the same command could disagree.  A process cannot change its own seed, so the
entry points (the command line, the benchmarks, the lecture's build, the test suite) start
again under :data:`SEED` when theirs is random; processes they fork or spawn (atlas and audit
workers, a Dask ``LocalCluster``) inherit it.  From Python, run under ``PYTHONHASHSEED=0`` for
the same statuses as the command line (:func:`seed_is_fixed` tells).
"""

from __future__ import annotations

import os
import sys

SEED = "0"


def seed_is_fixed() -> bool:
    """True when this process hashes strings with :data:`SEED` (no hash randomisation)."""
    return not sys.flags.hash_randomization


def restart_with_fixed_seed() -> None:
    """Replace this process by the same command under ``PYTHONHASHSEED=0`` (``os.execv``);
    nothing when the seed is already fixed or the platform has no ``execv`` that replaces."""
    if seed_is_fixed() or os.name != "posix":
        return
    os.environ["PYTHONHASHSEED"] = SEED
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])


def pin_for_children() -> None:
    """Set ``PYTHONHASHSEED=0`` in this process's environment for the processes it spawns, when
    this process hashes with it (Dask's multiprocessing scheduler rewrites an inherited 0 to
    6640 for its pools, and spawned Dask workers would then hash with that)."""
    if seed_is_fixed():
        os.environ["PYTHONHASHSEED"] = SEED
