"""The ``export`` command: ``symbolic-info export kl normal normal -o kl_normal.py``.

:func:`register_cli` adds it to the main click group (see :mod:`symbolic_info.cli`).
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from .export import EXPORT_BACKENDS


def _export(quantity: str, members: Sequence[str], output: str, backend: str,
            name: str | None, base: str | None, timeout: float) -> None:
    """Write QUANTITY of P (and Q) as a standalone Python module of numeric functions.

    \b
    Examples:
      symbolic-info export kl normal normal -o kl_normal.py
      symbolic-info export entropy beta -o beta.py --backend numba --name beta_entropy
    """
    from symbolic_info.cli import derive_from_arguments

    from .export import export
    d = derive_from_arguments(quantity, members, base, timeout)
    path = export({name or d.name: d}, output, backend=backend)
    click.echo(f"wrote {name or d.name}({', '.join(s.name for s in d.parameters)}) to {path}")


def register_cli(group: click.Group) -> None:
    """Add the ``export`` command to ``group``."""
    from symbolic_info.cli import QUANTITIES
    command = click.argument("quantity", metavar="QUANTITY",
                             type=click.Choice(sorted(QUANTITIES), case_sensitive=False))(
        click.argument("members", nargs=-1, required=True, metavar="P [Q]")(
            click.option("-o", "--output", required=True,
                         type=click.Path(dir_okay=False, writable=True),
                         help="The Python file to write.")(
                click.option("--backend", default="numpy", show_default=True,
                             type=click.Choice(EXPORT_BACKENDS),
                             help="numpy/scipy code, numba-compiled ufuncs, or "
                                  "differentiable torch / jax code.")(
                    click.option("--name", default=None,
                                 help="Function name (default: the derivation's name).")(
                        click.option("--base", default=None,
                                     help="Logarithm base (default e, nats).")(
                            click.option("--timeout", default=30.0, show_default=True,
                                         type=click.FloatRange(min=0, min_open=True),
                                         help="Time budget in seconds.")(_export)))))))
    group.command(name="export")(command)
