"""What a library must provide to be audited: a :class:`LibraryAdapter`, and for each class
we have a family for, a :class:`FamilyMapping` (our family, and the library's constructor
keywords as functions of our parameters)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from typing import Any

#: Parameter values by name: a number, or for a vector family a tuple of numbers (a vector) or
#: a tuple of rows (a matrix).
Params = dict[str, Any]


@dataclass(frozen=True)
class FamilyMapping:
    """How a library class is one of our families.

    ``renames``: (library keyword, our parameter) pairs; ``fixed``: library keywords held at a
    value (torch ``StudentT`` ``loc=0, scale=1`` for our standard ``student_t``);
    ``to_library``/``to_ours``: a conversion beyond renaming (ours -> library keywords and
    back; both or neither); ``shift``: the library's variate is ours plus ``shift`` (torch's
    ``Geometric`` counts failures, ours trials: -1); ``tied``: our parameters that P and Q must
    share for the library's KL (torch ``Binomial`` ``total_count``); ``variate``: for a vector
    family, our variate (full coordinates, see :func:`.vector.variates`) as the library's, given
    our parameter values (``OneHotCategorical``: the outcome i as the i-th unit vector).
    """

    family: str
    renames: tuple[tuple[str, str], ...]
    fixed: tuple[tuple[str, float], ...] = ()
    to_library: Callable[[Params], Params] | None = None
    to_ours: Callable[[Params], Params] | None = None
    shift: float = 0.0
    tied: tuple[str, ...] = ()
    variate: Callable[[Any, Params], Any] | None = None

    def library_kwargs(self, ours: Params) -> Params:
        """The library's constructor keywords for our parameter values ``ours``."""
        if self.to_library is not None:
            out = dict(self.to_library(dict(ours)))
        else:
            out = {lib: ours[name] for lib, name in self.renames}
        out.update(self.fixed)
        return out

    def our_params(self, kwargs: Params) -> Params:
        """Our parameter values for the library's constructor keywords ``kwargs``."""
        if self.to_ours is not None:
            return dict(self.to_ours(dict(kwargs)))
        return {name: kwargs[lib] for lib, name in self.renames}


def mapping(family: str, *renames: str, **options) -> FamilyMapping:
    """Shorthand: ``mapping("gamma", "concentration=shape", "rate=rate")``."""
    pairs = tuple(tuple(r.split("=")) for r in renames)
    return FamilyMapping(family, pairs, **options)


def literal(value) -> str:
    """A parameter value as Python source: a number by ``repr``, a vector or matrix as
    (nested) lists."""
    if isinstance(value, tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return repr(value)


class LibraryAdapter(ABC):
    """One library, as the audit sees it. Classes are named by strings (the library's class
    names), so work can be sent to other processes; values are Python floats.

    Subclasses set ``name``, ``default_dtype`` and ``mappings`` (class name ->
    :class:`FamilyMapping`) and implement the abstract methods. A method that the library
    refuses at a point (raises) makes that point skipped; an adapter should not catch errors.
    """

    name: str = ""
    default_dtype: str = "float64"
    mappings: MappingABC[str, FamilyMapping] = {}

    @property
    @abstractmethod
    def version(self) -> str:
        """The library's version string."""

    @abstractmethod
    def enumerate_kl_pairs(self) -> list[tuple[str, str]]:
        """Every (P class, Q class) the library registers a KL formula for."""

    @abstractmethod
    def enumerate_entropies(self) -> list[str]:
        """Every class with its own (analytic) entropy."""

    @abstractmethod
    def log_prob(self, cls: str, kwargs: Params, x: float, dtype: str) -> float:
        """The library's log density (pmf) of ``cls(**kwargs)`` at ``x``."""

    @abstractmethod
    def kl(self, cls_p: str, kw_p: Params, cls_q: str, kw_q: Params, dtype: str) -> float:
        """The library's KL(P ‖ Q)."""

    @abstractmethod
    def entropy(self, cls: str, kw: Params, dtype: str) -> float:
        """The library's entropy of ``cls(**kw)``."""

    def dtypes(self) -> tuple[str, ...]:
        """The dtypes audited: the default one, and float64."""
        return tuple(dict.fromkeys((self.default_dtype, "float64")))

    def snippet(self, kind: str, p: str, kw_p: Params, q: str | None = None,
                kw_q: Params | None = None, dtype: str = "float64") -> str:
        """One line of code reproducing the library's value (override for the real call)."""
        def call(cls: str, kw: Params) -> str:
            return f"{cls}({', '.join(f'{k}={literal(v)}' for k, v in kw.items())})"
        if kind == "kl":
            return f"kl_divergence({call(p, kw_p)}, {call(q, kw_q or {})})"
        return f"{call(p, kw_p)}.entropy()"


# -- the registry of adapters ------------------------------------------------------------------
_ADAPTERS: dict[str, Callable[[], LibraryAdapter]] = {}
_LAZY: dict[str, str] = {}
_MADE: dict[str, LibraryAdapter] = {}


def register_adapter(name: str, factory: Callable[[], LibraryAdapter] | str) -> None:
    """Register a library under ``name``: a factory, or ``"module:attribute"`` imported on first
    use (so auditing one library never imports another)."""
    _MADE.pop(name, None)
    if isinstance(factory, str):
        _LAZY[name] = factory
        _ADAPTERS.pop(name, None)
    else:
        _ADAPTERS[name] = factory
        _LAZY.pop(name, None)


def unregister_adapter(name: str) -> None:
    for table in (_ADAPTERS, _LAZY, _MADE):
        table.pop(name, None)


def libraries() -> list[str]:
    """The names of the registered libraries."""
    return sorted(set(_ADAPTERS) | set(_LAZY))


def get_adapter(name: str) -> LibraryAdapter:
    """The adapter of library ``name`` (made once per process); ``KeyError`` naming the known
    libraries when there is none."""
    if name in _MADE:
        return _MADE[name]
    if name in _LAZY:
        from importlib import import_module
        module, _, attribute = _LAZY[name].partition(":")
        factory = getattr(import_module(module), attribute)
    elif name in _ADAPTERS:
        factory = _ADAPTERS[name]
    else:
        raise KeyError(f"unknown library {name!r}; known: {', '.join(libraries())}")
    _MADE[name] = factory()
    return _MADE[name]
