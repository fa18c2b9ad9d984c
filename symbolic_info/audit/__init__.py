"""Audit the closed forms a probability library ships (torch, TFP, NumPyro, SciPy) against
derived ones: ``si.audit("torch")`` -> :class:`AuditReport`.

A library is a :class:`LibraryAdapter` registered by name (:func:`register_adapter`); each of
its classes we have a family for has a :class:`FamilyMapping`. Vector-valued classes
(categorical, multinomial, Dirichlet, multivariate normals, Wishart) map to our vector
families at a fixed small dimension (:mod:`.vector`; the keyword conversions in
:mod:`.conversions`): their parameters are tuples (vectors) and tuples of rows (matrices).
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
from .run import audit

register_adapter("torch", "symbolic_info.audit.torch_adapter:TorchAdapter")
register_adapter("tfp", "symbolic_info.audit.tfp_adapter:TFPAdapter")
register_adapter("numpyro", "symbolic_info.audit.numpyro_adapter:NumPyroAdapter")
register_adapter("scipy", "symbolic_info.audit.scipy_adapter:ScipyAdapter")

__all__ = ["AuditReport", "audit", "FamilyMapping", "Finding", "LibraryAdapter", "SEVERITY",
           "get_adapter", "libraries", "mapping", "register_adapter", "unregister_adapter"]
