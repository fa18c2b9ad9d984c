"""Checks of derivations: cross-validation against numerical integration, verification of a
claimed formula, and the properties KL(P‖P) = 0, KL ≥ 0, asymmetry and H(P, Q) = H(P) + KL."""

from .cross_validate import Report, cross_validate
from .properties import Properties, PropertyCheck, check_properties
from .verify import ClaimError, Verdict, parse_claim, verify

__all__ = ["ClaimError", "Properties", "PropertyCheck", "Report", "Verdict", "check_properties",
           "cross_validate", "parse_claim", "verify"]
