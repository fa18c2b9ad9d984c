"""symbolic_info: closed forms of entropy, cross-entropy and KL divergence, derived with sympy."""

from .derive import RULES, Derivation, Step, cross_entropy, entropy, kl
from .errors import BudgetExceeded, InvalidParameter, NoRule, SymbolicInfoError, UnknownFamily
from .families import families, family, from_density
from .render.document import document

__all__ = ["RULES", "BudgetExceeded", "Derivation", "InvalidParameter", "NoRule", "Step",
           "SymbolicInfoError", "UnknownFamily", "cross_entropy", "document", "entropy",
           "families", "family", "from_density", "kl"]
__version__ = "0.1.0"
