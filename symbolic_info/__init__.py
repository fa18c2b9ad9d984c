"""symbolic_info: closed forms of entropy, cross-entropy and KL divergence, derived with sympy."""

from .atlas import Atlas, Cell, atlas
from .audit import AuditReport, Finding, audit
from .check import Report, Verdict, check_properties, cross_validate, verify
from .derive import (
    RULES,
    Derivation,
    Step,
    bhattacharyya,
    chi_square,
    cross_entropy,
    entropy,
    f_divergence,
    fisher_information,
    hellinger,
    jeffreys,
    jensen_shannon,
    kl,
    renyi_divergence,
    renyi_entropy,
    total_variation,
    tsallis_entropy,
)
from .derive.joint import conditional_entropy, joint_entropy, mutual_information
from .errors import BudgetExceeded, InvalidParameter, NoRule, SymbolicInfoError, UnknownFamily
from .families import families, family, from_density, pair
from .families.joint import JointTable, independent, joint
from .numeric.export import export
from .optimize import MaxEntropy, Optimum, max_entropy, maximize, minimize
from .render.document import document

__all__ = ["Atlas", "Cell", "atlas", "AuditReport", "Finding", "audit",
           "export", "MaxEntropy", "Optimum", "max_entropy", "maximize", "minimize",
           "Report", "Verdict", "check_properties", "cross_validate", "verify",
           "BudgetExceeded", "Derivation", "InvalidParameter", "JointTable", "NoRule", "RULES",
           "Step", "SymbolicInfoError", "UnknownFamily", "conditional_entropy",
           "cross_entropy", "document", "entropy", "families", "family", "from_density",
           "independent", "jeffreys", "joint", "joint_entropy", "kl", "mutual_information", "pair",
           "bhattacharyya", "chi_square", "f_divergence", "fisher_information", "hellinger",
           "jensen_shannon", "renyi_divergence", "renyi_entropy", "total_variation",
           "tsallis_entropy"]
__version__ = "0.1.0"
