"""Shared fixtures: one derivation per (quantity, P, Q) per session, and seeded generators."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
import reference
import user_families  # noqa: F401 - registers the from_density families for every suite


@pytest.fixture(scope="session")
def derive():
    """``derive(quantity, p_name, q_name=None)``: the engine's derivation, computed once."""
    return reference.derivation


@pytest.fixture
def rng(request) -> np.random.Generator:
    """A generator seeded from the test's id: reproducible, different for every case."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))
