"""Builders and the Derivation record."""

from .derivation import Derivation, Step
from .quantities import cross_entropy, derive, entropy, kl
from .rules import RULES
from .symmetric import jeffreys

__all__ = ["RULES", "Derivation", "Step", "cross_entropy", "derive", "entropy", "jeffreys", "kl"]
