"""Command line for optima: ``symbolic-info maximize entropy bernoulli``,
``symbolic-info minimize kl bernoulli:p=p bernoulli:p=q --over q``.

:func:`register_cli` adds the ``maximize`` and ``minimize`` commands to the main click group
(``symbolic_info.cli.cli``); family members are written as for ``derive``.
"""

from __future__ import annotations

from collections.abc import Sequence

import click
import sympy as sp


def _over(values: Sequence[str]) -> list[str] | None:
    names = [n.strip() for v in values for n in v.split(",") if n.strip()]
    return names or None


def _command(sense: str):
    word = "maximize" if sense == "max" else "minimize"

    @click.argument("quantity", metavar="QUANTITY",
                    type=click.Choice(["cross-entropy", "entropy", "kl"], case_sensitive=False))
    @click.argument("members", nargs=-1, required=True, metavar="P [Q]")
    @click.option("--over", "over", multiple=True, metavar="NAMES",
                  help="Parameters to optimise over (comma-separated or repeated; "
                       "default: all).")
    @click.option("--base", default=None, help="Logarithm base (2 for bits; default e, nats).")
    @click.option("--timeout", default=30.0, show_default=True,
                  type=click.FloatRange(min=0, min_open=True),
                  help="Time budget in seconds (derivation, then optimisation).")
    @click.option("--latex", "as_latex", is_flag=True, help="Print the proof as LaTeX.")
    @click.option("--standalone", is_flag=True,
                  help="With --latex: a complete document that compiles with pdflatex.")
    def command(quantity: str, members: Sequence[str], over: Sequence[str],
                base: str | None, timeout: float, as_latex: bool, standalone: bool) -> None:
        from symbolic_info.cli import derive_from_arguments

        from .maximize import maximize, minimize

        if standalone and not as_latex:
            raise click.UsageError("--standalone needs --latex")
        d = derive_from_arguments(quantity, members, base, timeout)
        optimum = (maximize if sense == "max" else minimize)(d, _over(over), timeout=timeout)
        if as_latex:
            click.echo(optimum.latex(standalone=standalone))
            return
        click.echo(str(optimum))
        for point in optimum.argopts:
            pairs = ", ".join(f"{k} = {sp.sstr(v)}" for k, v in point.items())
            click.echo(f"  arg{sense}     : {pairs}")

    command.__doc__ = (f"{word.capitalize()} QUANTITY of P (and Q) over parameters.\n\n"
                       f"    \b\n    Examples:\n"
                       f"      symbolic-info {word} entropy bernoulli\n"
                       f"      symbolic-info {word} kl bernoulli:p=p bernoulli:p=q --over q\n")
    return command


def register_cli(group: click.Group) -> None:
    """Add the ``maximize`` and ``minimize`` commands to ``group``."""
    group.command(name="maximize")(_command("max"))
    group.command(name="minimize")(_command("min"))
