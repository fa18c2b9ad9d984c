"""Shared fixtures: one derivation per (quantity, P, Q) per session, and seeded generators."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

# Before symbolic_info is imported: the whole session (and every process it starts) uses a fresh
# store of derivations, never the user's.
_STORE_DIR = tempfile.mkdtemp(prefix="symbolic_info_test_store_")
os.environ["SYMBOLIC_INFO_CACHE"] = _STORE_DIR
atexit.register(shutil.rmtree, _STORE_DIR, ignore_errors=True)

import zlib  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import reference  # noqa: E402
import user_families  # noqa: E402, F401 - registers the from_density families for every suite

from symbolic_info.hash_seed import restart_with_fixed_seed, seed_is_fixed  # noqa: E402


def pytest_configure(config):
    """The suite runs under PYTHONHASHSEED=6640 (symbolic_info.hash_seed): another seed can
    change which integration route sympy takes, and so a status.  When this process's seed is
    another, pytest starts again under it (captured output released first)."""
    if seed_is_fixed():
        return
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        capture.stop_global_capturing()
    shutil.rmtree(_STORE_DIR, ignore_errors=True)
    restart_with_fixed_seed()


@pytest.fixture(scope="session")
def derive():
    """``derive(quantity, p_name, q_name=None)``: the engine's derivation, computed once."""
    return reference.derivation


@pytest.fixture
def rng(request) -> np.random.Generator:
    """A generator seeded from the test's id: reproducible, different for every case."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))
