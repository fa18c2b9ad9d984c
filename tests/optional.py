"""Marks for tests that need an optional package (numba, torch, jax).

Outside CI a missing package skips the test; on CI (``CI=true``) it does not: the test runs and
fails on the import, since ``.ci/run`` installs every optional backend.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

ON_CI = os.environ.get("CI", "").lower() == "true"


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def needs(module: str) -> pytest.MarkDecorator:
    """Skip when ``module`` is missing, except on CI."""
    return pytest.mark.skipif(not installed(module) and not ON_CI,
                              reason=f"{module} not installed")


PDFLATEX_PACKAGES = "texlive-latex-base texlive-latex-recommended texlive-fonts-recommended"


def require_pdflatex() -> str:
    """The path of pdflatex; skip when it is missing, except on CI, where the test fails."""
    import shutil
    path = shutil.which("pdflatex")
    if path is None:
        if ON_CI:
            pytest.fail(f"pdflatex is required on CI (apt-get install {PDFLATEX_PACKAGES})")
        pytest.skip("pdflatex is not installed")
    return path
