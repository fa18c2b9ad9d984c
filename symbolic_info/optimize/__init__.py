"""Global optima of derived quantities over their parameters, with the proof as steps."""

from .max_entropy import MaxEntropy, max_entropy
from .maximize import OPTIMUM_STATUSES, Optimum, maximize, minimize

__all__ = ["OPTIMUM_STATUSES", "MaxEntropy", "Optimum", "max_entropy", "maximize", "minimize"]
