"""symbolic_info: closed forms of entropy, cross-entropy and KL divergence, derived with sympy."""

from .check import Report, Verdict, check_properties, cross_validate, verify
from .derive import RULES, Derivation, Step, cross_entropy, entropy, jeffreys, kl
from .derive.joint import conditional_entropy, joint_entropy, mutual_information
from .errors import BudgetExceeded, InvalidParameter, NoRule, SymbolicInfoError, UnknownFamily
from .families import families, family, from_density
from .families.joint import JointTable, independent, joint
from .numeric.export import export
from .optimize import MaxEntropy, Optimum, max_entropy, maximize, minimize
from .render.document import document

__all__ = ["export", "MaxEntropy", "Optimum", "max_entropy", "maximize", "minimize",
           "Report", "Verdict", "check_properties", "cross_validate", "verify",
           "BudgetExceeded", "Derivation", "InvalidParameter", "JointTable", "NoRule", "RULES",
           "Step", "SymbolicInfoError", "UnknownFamily", "conditional_entropy",
           "cross_entropy", "document", "entropy", "families", "family", "from_density",
           "independent", "jeffreys", "joint", "joint_entropy", "kl", "mutual_information"]
__version__ = "0.1.0"
