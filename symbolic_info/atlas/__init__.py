"""The atlas: entropies of many families and divergences of every ordered pair, derived as
independent tasks on local processes or a Dask cluster, through the persistent store.

Modules: :mod:`.cell` (Task, Cell, default members), :mod:`.quantities` (which builders),
:mod:`.worker` (one cell in a child process, wall limit, one retry), :mod:`.backends`
(process pool, Dask), :mod:`.records` (cells in the store), :mod:`.progress` (the bar),
:mod:`.build` (``atlas()``), :mod:`.atlas` (Atlas, Stats, JSON).
"""

from .atlas import Atlas, Stats, load
from .build import atlas, build, plan
from .cell import STATUSES, Cell, Task
from .quantities import QUANTITIES

__all__ = ["Atlas", "Cell", "QUANTITIES", "STATUSES", "Stats", "Task", "atlas", "build", "load",
           "plan"]
