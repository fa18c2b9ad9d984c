"""The atlas: every cell, with lookups, counts, and JSON on disk."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from ..errors import InvalidParameter
from .cell import Cell

FORMAT = "symbolic_info.atlas/1"


@dataclass(frozen=True)
class Stats:
    """How a build went: cells ``derived`` (by a worker this run), read ``from_store``, and
    ``failed`` (their worker died or hung twice); ``retried`` cells needed a second try;
    ``cpu_seconds`` is the CPU time of the workers' children, ``wall_seconds`` the build's."""

    derived: int = 0
    from_store: int = 0
    failed: int = 0
    retried: int = 0
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.derived + self.from_store + self.failed


@dataclass(frozen=True)
class Atlas:
    """The cells of an atlas (entropies of each family, divergences of each ordered pair);
    ``cpu_seconds[i]`` is the CPU time the workers spent on ``cells[i]`` this run (0 when it
    came from the store)."""

    cells: tuple[Cell, ...]
    stats: Stats = Stats()
    cpu_seconds: tuple[float, ...] = ()

    def cell(self, quantity: str, p: str, q: str | None = None) -> Cell:
        """The cell of ``quantity`` of ``p`` (and ``q``); InvalidParameter naming it when the
        atlas has no such cell."""
        for c in self.cells:
            if c.key == (quantity, p, q):
                return c
        what = f"{quantity}({p})" if q is None else f"{quantity}({p} || {q})"
        raise InvalidParameter(f"the atlas has no cell {what}")

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.p for c in self.cells))

    @property
    def quantities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.quantity for c in self.cells))

    def counts(self, quantity: str | None = None) -> dict[str, int]:
        """How many cells (of ``quantity``) have each status."""
        out: dict[str, int] = {}
        for c in self.cells:
            if quantity is None or c.quantity == quantity:
                out[c.status] = out.get(c.status, 0) + 1
        return out

    def to_json(self, path) -> Path:
        """Write the atlas to ``path`` (a file; its directory is created): every cell with its
        result and conditions as text, LaTeX and ``srepr`` (read back by :func:`load`)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"format": FORMAT, "families": list(self.families),
                "quantities": list(self.quantities),
                "stats": {**self.stats.__dict__, "total": self.stats.total},
                "counts": self.counts(), "cells": [cell_json(c) for c in self.cells]}
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        return path

    def to_html(self, directory) -> Path:
        """Write the browsable site into ``directory``: ``index.html`` with the matrix of each
        quantity and a page per cell (see :mod:`.site`); returns the index's path."""
        from .site import write_site
        return write_site(self, Path(directory))

    def to_latex(self, path) -> Path:
        """Write the atlas as a LaTeX book that compiles with pdflatex (see :mod:`.book`)."""
        from .book import write_book
        return write_book(self, Path(path))


def _expr_json(expr: sp.Basic) -> dict:
    return {"text": str(expr), "latex": sp.latex(expr), "srepr": sp.srepr(expr)}


def cell_json(c: Cell) -> dict:
    """One cell as JSON-ready data."""
    return {"quantity": c.quantity, "p": c.p, "q": c.q, "status": c.status,
            "result": _expr_json(c.result), "conditions": _expr_json(c.conditions),
            "reason": c.reason, "seconds": c.seconds}


def load(path) -> Atlas:
    """The atlas written by :meth:`Atlas.to_json` (results rebuilt from their ``srepr``)."""
    data = json.loads(Path(path).read_text())
    if data.get("format") != FORMAT:
        raise InvalidParameter(f"{path}: not an atlas file (format {data.get('format')!r})")
    cells = tuple(Cell(d["quantity"], d["p"], d["q"], d["status"],
                       sp.sympify(d["result"]["srepr"]), sp.sympify(d["conditions"]["srepr"]),
                       d["reason"], float(d["seconds"])) for d in data["cells"])
    stats = {k: v for k, v in data.get("stats", {}).items() if k in Stats.__dataclass_fields__}
    return Atlas(cells, Stats(**stats))
