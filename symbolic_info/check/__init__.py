"""Checks of derivations: cross-validation against numerical integration, verification of a
claimed formula, and the properties KL(P‖P) = 0, KL ≥ 0, asymmetry and H(P, Q) = H(P) + KL."""

from .cross_validate import Report, cross_validate

__all__ = ["Report", "cross_validate"]
