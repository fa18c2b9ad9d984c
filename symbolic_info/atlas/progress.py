"""A progress bar (tqdm): cells done / total, failures, elapsed time and the ETA."""

from __future__ import annotations

import sys


class Progress:
    """``update(cell)`` after each cell; ``close()`` at the end. Silent when not ``enabled``."""

    def __init__(self, total: int, enabled: bool = True, description: str = "atlas") -> None:
        from tqdm import tqdm  # here, so that importing the package does not need it

        self.failed = 0
        self.bar = tqdm(total=total, desc=description, unit="cell", disable=not enabled,
                        file=sys.stderr, dynamic_ncols=True, smoothing=0.1,
                        postfix={"failed": 0})

    def update(self, status: str) -> None:
        if status == "failed":
            self.failed += 1
            self.bar.set_postfix(failed=self.failed, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
