"""The quantities an atlas can hold: entropies (one family) and divergences (ordered pairs).

Each is the engine's own builder, called on the cell's default members.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import derive
from ..errors import InvalidParameter

ENTROPIES: dict[str, Callable] = {"entropy": derive.entropy}
DIVERGENCES: dict[str, Callable] = {
    "kl": derive.kl, "cross_entropy": derive.cross_entropy, "jeffreys": derive.jeffreys,
    "jensen_shannon": derive.jensen_shannon, "hellinger": derive.hellinger,
    "bhattacharyya": derive.bhattacharyya, "chi_square": derive.chi_square,
    "total_variation": derive.total_variation,
}
QUANTITIES = tuple(ENTROPIES) + tuple(DIVERGENCES)


def builder(quantity: str) -> Callable:
    """The engine's builder of ``quantity``; InvalidParameter naming it when unknown."""
    found = ENTROPIES.get(quantity) or DIVERGENCES.get(quantity)
    if found is None:
        raise InvalidParameter(f"quantities: unknown quantity {quantity!r}; "
                               f"choose from {', '.join(QUANTITIES)}")
    return found


def is_divergence(quantity: str) -> bool:
    builder(quantity)
    return quantity in DIVERGENCES
