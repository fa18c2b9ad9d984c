"""``symbolic-info max-entropy``: the maximum-entropy density under moment constraints.

The lead wires it with ``register_cli(cli)`` on the top-level click group of
``symbolic_info.cli``. Examples::

    symbolic-info max-entropy --support "[0, oo)" --constraint "x=mu"
    symbolic-info max-entropy --support R --constraint "x=mu" --constraint "(x-mu)**2=sigma**2"
    symbolic-info max-entropy --support "{1,...,k}"
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import click
import sympy as sp

from ..errors import InvalidParameter

_REALS = {"r", "reals", "(-oo, oo)", "ℝ"}


def _parse_expr(text: str, local: dict, what: str) -> sp.Expr:
    try:
        return sp.parse_expr(text, local_dict=dict(local))
    except Exception as exc:  # noqa: BLE001 - any parse failure is bad input
        raise InvalidParameter(f"cannot read {what} {text!r}: {exc}") from None


def parse_support(text: str, local: dict) -> sp.Set:
    """``[a, b]``, ``(0, oo)``, ``[0, oo)``, ``R``; ``{1,...,k}`` or ``{1, 2, 3}`` (a pmf)."""
    t = text.strip()
    if t.lower() in _REALS:
        return sp.Reals
    if t.startswith("{") and t.endswith("}"):
        items = [s.strip() for s in t[1:-1].split(",") if s.strip()]
        if len(items) >= 3 and items[-2] in ("...", "…"):
            first = _parse_expr(items[0], local, "support start")
            last_local = dict(local)
            for name in re.findall(r"[A-Za-z_]\w*", items[-1]):
                last_local.setdefault(name, sp.Symbol(name, integer=True, positive=True))
                if not getattr(last_local[name], "is_integer", True):
                    last_local[name] = sp.Symbol(name, integer=True, positive=True)
            last = _parse_expr(items[-1], last_local, "support end")
            return sp.Range(first, last + 1)
        if not items:
            raise InvalidParameter("the support is empty")
        return sp.FiniteSet(*[_parse_expr(s, local, "support point") for s in items])
    match = re.fullmatch(r"([\[(])(.*),(.*)([\])])", t)
    if not match:
        raise InvalidParameter(f"cannot read support {text!r}: write [a, b], (0, oo), R or "
                               "{1,...,k}")
    left, a, b, right = match.groups()
    return sp.Interval(_parse_expr(a, local, "support start"),
                       _parse_expr(b, local, "support end"),
                       left_open=left == "(", right_open=right == ")")


def parse_constraint(text: str, local: dict) -> tuple[sp.Expr, sp.Expr]:
    """``STATISTIC=VALUE``, e.g. ``x=mu``, ``(x-mu)**2=sigma**2``, ``abs(x-mu)=b``."""
    if text.count("=") != 1:
        raise InvalidParameter(f"a constraint is STATISTIC=VALUE, got {text!r}")
    stat, value = text.split("=")
    return (_parse_expr(stat, local, "statistic"), _parse_expr(value, local, "value"))


def register_cli(group: click.Group) -> None:
    """Add the ``max-entropy`` command to ``group`` (the top-level ``symbolic-info`` group)."""

    @group.command("max-entropy")
    @click.option("--support", required=True,
                  help='The support: "[a, b]", "[0, oo)", "R", "{1,...,k}", "{1, 2, 3}".')
    @click.option("--constraint", "constraints", multiple=True, metavar="STAT=VALUE",
                  help='A moment constraint E[STAT] = VALUE, e.g. "x=mu"; repeatable.')
    @click.option("--variable", default="x", show_default=True, help="The variable's name.")
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
    @click.option("--latex", "as_latex", is_flag=True, help="Print the proof as LaTeX.")
    @click.option("--standalone", is_flag=True,
                  help="With --latex: a complete document that compiles with pdflatex.")
    @click.option("--timeout", default=30.0, show_default=True,
                  type=click.FloatRange(min=0, min_open=True), help="Time budget in seconds.")
    def max_entropy_command(support: str, constraints: Sequence[str], variable: str,
                            as_json: bool, as_latex: bool, standalone: bool,
                            timeout: float) -> None:
        """The maximum-entropy density on SUPPORT under the given moment constraints.

        \b
        Examples:
          symbolic-info max-entropy --support "[0, oo)" --constraint "x=mu"
          symbolic-info max-entropy --support R --constraint "x=mu" \\
              --constraint "(x-mu)**2=sigma**2"
          symbolic-info max-entropy --support "{1,...,k}"
        """
        from .max_entropy import max_entropy
        if standalone and not as_latex:
            raise click.UsageError("--standalone needs --latex")
        if as_json and as_latex:
            raise click.UsageError("--json and --latex exclude each other")
        if not variable.isidentifier():
            raise InvalidParameter(f"the variable must be a name, got {variable!r}")
        x = sp.Symbol(variable, real=True)
        local = {variable: x, "abs": sp.Abs, "Abs": sp.Abs, "log": sp.log, "exp": sp.exp,
                 "oo": sp.oo}
        the_support = parse_support(support, local)
        pairs = dict(parse_constraint(c, local) for c in constraints)
        d = max_entropy(x, the_support, pairs, timeout=timeout)
        if as_latex:
            click.echo(d.latex(standalone=standalone))
        elif as_json:
            click.echo(json.dumps({
                "status": d.status, "result": sp.sstr(d.result),
                "density": None if d.density is None else sp.sstr(d.density),
                "conditions": sp.sstr(d.conditions),
                "equations": [sp.sstr(e) for e in d.equations],
                "multipliers": {sp.sstr(k): sp.sstr(v) for k, v in d.multipliers},
                "steps": [{"rule": s.rule, "expr": sp.sstr(s.expr), "note": s.note}
                          for s in d.steps]}))
        else:
            click.echo(f"density    = {sp.sstr(d.density)}")
            click.echo(str(d))
