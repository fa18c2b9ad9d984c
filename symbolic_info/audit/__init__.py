"""Audit the closed forms a probability library ships (torch, TFP, NumPyro, SciPy) against
derived ones: ``si.audit("torch")`` -> :class:`AuditReport`.

A library is a :class:`LibraryAdapter` registered by name (:func:`register_adapter`); each of
its classes we have a family for has a :class:`FamilyMapping`.
"""

from .adapter import (
    FamilyMapping,
    LibraryAdapter,
    get_adapter,
    libraries,
    mapping,
    register_adapter,
    unregister_adapter,
)
from .findings import SEVERITY, AuditReport, Finding

__all__ = ["AuditReport", "FamilyMapping", "Finding", "LibraryAdapter", "SEVERITY",
           "get_adapter", "libraries", "mapping", "register_adapter", "unregister_adapter"]
