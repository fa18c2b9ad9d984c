"""Python's string-hash seed, fixed at :data:`SEED` in every process the project starts.

sympy iterates over sets in places (``heurisch``'s candidate terms, ``meijerint``'s formula
tables, ``free_symbols``), and a set's order follows the hashes of the symbols' names, which
Python randomises per process unless ``PYTHONHASHSEED`` is set.  Where two integration routes
compete, or a strategy finishes near its cap, that order decides the outcome: the triangular
KL closed under ``PYTHONHASHSEED=1`` and stayed an integral under ``0`` (34 s of CPU each), so
two runs of the same command could disagree.  A process cannot change its own seed, so the
entry points (the command line, the benchmarks, the lecture's build, the test suite) start
again under :data:`SEED` when theirs is another; processes they fork inherit it.

:data:`SEED` is Dask's: a Dask nanny starts its worker with ``PYTHONHASHSEED=6640`` whenever
the variable is unset or ``0`` (distributed's ``Nanny``; its multiprocessing scheduler does the
same), so the workers of any Dask cluster, ours or a user's, hash as the command line does.
From Python, run under ``PYTHONHASHSEED=6640`` for the command line's statuses
(:func:`seed_is_fixed` tells).
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys

SEED = "6640"
_PROBE = "symbolic_info"  # a string whose hash tells the seed


@functools.lru_cache(maxsize=1)
def _hash_under_seed() -> int:
    """hash(_PROBE) in a fresh interpreter under :data:`SEED`."""
    done = subprocess.run([sys.executable, "-S", "-c", f"print(hash({_PROBE!r}))"],
                          env={**os.environ, "PYTHONHASHSEED": SEED}, capture_output=True,
                          text=True, check=True)
    return int(done.stdout)


def seed_is_fixed() -> bool:
    """True when this process hashes strings as under ``PYTHONHASHSEED`` = :data:`SEED`."""
    return hash(_PROBE) == _hash_under_seed()


def restart_with_fixed_seed() -> None:
    """Replace this process by the same command under ``PYTHONHASHSEED`` = :data:`SEED`
    (``os.execv``), unless it was started under it (at an entry point the environment is still
    the one the process started with) or the platform has no ``execv`` that replaces."""
    if os.environ.get("PYTHONHASHSEED") == SEED or os.name != "posix":
        return
    os.environ["PYTHONHASHSEED"] = SEED
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])


def pin_for_children() -> None:
    """Set ``PYTHONHASHSEED`` = :data:`SEED` in this process's environment for the processes
    it spawns, when this process hashes with it (code it ran may have changed the variable)."""
    if seed_is_fixed():
        os.environ["PYTHONHASHSEED"] = SEED
