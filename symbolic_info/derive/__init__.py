"""Builders and the Derivation record."""

from .derivation import Derivation, Step
from .f_divergence import f_divergence
from .fisher import fisher_information
from .jensen_shannon import jensen_shannon
from .quantities import cross_entropy, derive, entropy, kl
from .renyi import (
    bhattacharyya,
    chi_square,
    hellinger,
    renyi_divergence,
    renyi_entropy,
    tsallis_entropy,
)
from .rules import RULES
from .symmetric import jeffreys
from .total_variation import total_variation

__all__ = ["RULES", "Derivation", "Step", "bhattacharyya", "chi_square", "cross_entropy",
           "derive", "entropy", "f_divergence", "fisher_information", "hellinger", "jeffreys",
           "jensen_shannon", "kl", "renyi_divergence", "renyi_entropy", "total_variation",
           "tsallis_entropy"]
