"""The audit's results: a :class:`Finding` per formula and dtype, an :class:`AuditReport`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

#: Statuses from the most to the least severe (a report's rows are sorted by this order).
SEVERITY = ("wrong", "negative", "nan_or_inf", "inaccurate", "mapping_error", "unsupported",
            "agrees")
KINDS = ("kl", "entropy")
DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class Finding:
    """One audited formula in one dtype: ``kind`` "kl" or "entropy", ``p``/``q`` the library's
    class names (``q`` None for an entropy), ``status`` one of :data:`SEVERITY`, and for every
    status but ``agrees`` a ``counterexample``: ``params`` (``{"p": {...}, "q": {...}}``, the
    library's constructor keyword arguments), ``library``, ``ours``, ``numeric``, ``rel_err``,
    ``reason``, ``snippet`` (one line reproducing it) and ``point`` (how the point was drawn)."""

    kind: str
    p: str
    q: str | None
    dtype: str
    status: str
    counterexample: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def severity(self) -> int:
        return SEVERITY.index(self.status)

    @property
    def label(self) -> str:
        return f"KL({self.p} ‖ {self.q})" if self.kind == "kl" else f"H({self.p})"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "p": self.p, "q": self.q, "dtype": self.dtype,
                "status": self.status, "counterexample": self.counterexample}


def sort_key(f: Finding) -> tuple:
    return (f.severity, f.kind, f.p, f.q or "", f.dtype)


@dataclass(frozen=True)
class AuditReport:
    """The audit of one library (``library``, its ``version``): ``rows`` sorted by severity."""

    library: str
    version: str
    rows: tuple[Finding, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(sorted(self.rows, key=sort_key)))

    def counts(self) -> dict[str, int]:
        """How many rows have each status (statuses in order of severity)."""
        c = Counter(f.status for f in self.rows)
        return {s: c[s] for s in SEVERITY if c[s]}

    def findings(self) -> tuple[Finding, ...]:
        """The rows that are not ``agrees``."""
        return tuple(f for f in self.rows if f.status != "agrees")

    def by_status(self, status: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.rows if f.status == status)

    def find(self, kind: str, p: str, q: str | None = None,
             dtype: str | None = None) -> tuple[Finding, ...]:
        """The rows of one formula (every dtype unless ``dtype`` is given)."""
        return tuple(f for f in self.rows if f.kind == kind and f.p == p and f.q == q
                     and (dtype is None or f.dtype == dtype))

    def to_dict(self) -> dict[str, Any]:
        return {"library": self.library, "version": self.version, "counts": self.counts(),
                "rows": [f.to_dict() for f in self.rows]}

    def to_json(self, path=None) -> str:
        """The report as JSON (written to ``path`` too when given)."""
        from .report import to_json
        return to_json(self, path)

    def to_markdown(self) -> str:
        from .report import to_markdown
        return to_markdown(self)

    def to_html(self, directory):
        """Write ``directory/index.html`` (and its style sheet); return the page's path."""
        from .report import write_html
        return write_html(self, directory)

    def __str__(self) -> str:
        return self.to_markdown()
