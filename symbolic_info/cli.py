"""Command line: ``symbolic-info derive kl normal normal``, ``symbolic-info verify CLAIM kl P Q``,
``symbolic-info families``.

A family member is written ``NAME`` or ``NAME:KEY=VALUE,KEY=VALUE``. Omitted parameters get
the family's default symbol names, subscripted 1 for P and 2 for Q (``mu_1``, ``sigma_2``).
A value is a number (``3``, ``0.9``, ``1/2``) or a symbol name (``mu_1``). The categorical
family takes a list, ``categorical:p=[1/2,1/4,1/4]``, or ``p_1=...,p_2=...``; bare
``categorical`` means three outcomes with probabilities ``p_1, p_2, p_3`` (P) or
``q_1, q_2, q_3`` (Q).

Bad input gives one line on stderr and exit status 2; an unexpected failure of the engine gives
one line and status 1 (set ``SYMBOLIC_INFO_DEBUG=1`` to see the traceback instead).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from tokenize import TokenError

import click
import sympy as sp

import symbolic_info as si
from symbolic_info.errors import InvalidParameter, SymbolicInfoError
from symbolic_info.families.registry import default_member as family_default_member
from symbolic_info.families.registry import factory_families, usage
from symbolic_info.hash_seed import restart_with_fixed_seed

PROG = "symbolic-info"
QUANTITIES = {"entropy": ("entropy", 1), "cross-entropy": ("cross_entropy", 2),
              "kl": ("kl", 2), "jeffreys": ("jeffreys", 2),
              "renyi-divergence": ("renyi_divergence", 2), "renyi-entropy": ("renyi_entropy", 1),
              "tsallis-entropy": ("tsallis_entropy", 1), "bhattacharyya": ("bhattacharyya", 2),
              "hellinger": ("hellinger", 2), "chi-square": ("chi_square", 2),
              "total-variation": ("total_variation", 2), "jensen-shannon": ("jensen_shannon", 2),
              "f-divergence": ("f_divergence", 2),
              "fisher-information": ("fisher_information", 1)}
#: The extra argument a quantity needs: its command-line option (the order, or the generator).
EXTRA_OPTIONS = {"renyi-divergence": "alpha", "renyi-entropy": "alpha",
                 "tsallis-entropy": "q", "f-divergence": "f"}
#: Quantities ``verify`` checks a claim of (a scalar result).
VERIFIABLE = sorted(set(QUANTITIES) - {"fisher-information"})
GENERATOR_VARIABLE = "t"
CATEGORICAL = "categorical"
_INT = re.compile(r"[+-]?\d+")
_FRACTION = re.compile(r"[+-]?\d+\s*/\s*\d+")


class SpecError(InvalidParameter):
    """A family member written on the command line cannot be read."""


# -- reading family members ----------------------------------------------------------------------
def parse_value(text: str):
    """``3`` -> int, ``0.9`` -> float, ``1/2`` -> Rational, ``[a,b]`` -> list, else a name."""
    text = text.strip()
    if not text:
        raise SpecError("empty parameter value")
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return [parse_value(v) for v in split_top_level(inner)] if inner else []
    if _INT.fullmatch(text):
        return int(text)
    if _FRACTION.fullmatch(text):
        try:
            return sp.Rational(Fraction(text.replace(" ", "")))
        except ZeroDivisionError:
            raise SpecError(f"division by zero in value {text!r}") from None
    if text.isidentifier():
        return text
    try:
        return float(text)
    except ValueError:
        raise SpecError(f"cannot read value {text!r}: expected a number (3, 0.9, 1/2) "
                        f"or a symbol name (mu_1)") from None


def split_top_level(text: str) -> list[str]:
    """Split on commas outside square brackets."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth < 0:
                raise SpecError(f"unbalanced ']' in {text!r}")
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if depth:
        raise SpecError(f"unbalanced '[' in {text!r}")
    parts.append("".join(current))
    return parts


def parse_params(text: str) -> dict:
    params: dict = {}
    for item in split_top_level(text):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or not key.isidentifier():
            raise SpecError(f"expected KEY=VALUE, got {item.strip()!r}")
        if key in params:
            raise SpecError(f"parameter {key!r} given twice")
        params[key] = parse_value(value)
    return params


def parse_member(text: str, role: int = 1):
    """The family member written ``NAME[:KEY=VALUE,...]``; ``role`` 1 for P, 2 for Q."""
    name, colon, rest = text.strip().partition(":")
    name = name.strip().lower().replace("-", "_")
    if not name:
        raise SpecError(f"missing family name in {text!r}")
    if colon and not rest.strip():
        raise SpecError(f"no parameters after ':' in {text!r}")
    params = parse_params(rest) if colon else {}
    return default_member(name, role, params)


def default_member(name: str, role: int = 1, params: dict | None = None):
    """``si.family(name, **params)`` with default symbols (suffix ``role``) for the rest
    (:func:`symbolic_info.families.default_member`, as ``si.pair`` makes them)."""
    for key, value in (params or {}).items():
        if isinstance(value, list) and name != CATEGORICAL and name not in factory_families():
            raise SpecError(f"{name}: parameter {key} takes one value, not a list")
    return family_default_member(name, role, params)


def parse_order(text: str, option: str):
    """``--alpha 2`` -> 2, ``--alpha 1/2`` -> 1/2, ``--alpha 0.5`` -> 1/2, ``--alpha a`` -> "a"
    (the builder makes a name a positive symbol)."""
    value = parse_value(text)
    if isinstance(value, list):
        raise SpecError(f"--{option} takes one value, not a list")
    return sp.nsimplify(value) if isinstance(value, float) else value


def parse_generator(text: str) -> sp.Lambda:
    """``--f "t*log(t)"`` -> ``Lambda(t, t*log(t))``: a function of ``t`` alone."""
    from sympy.parsing.sympy_parser import parse_expr
    t = sp.Symbol(GENERATOR_VARIABLE, positive=True)
    try:
        expr = parse_expr(text, local_dict={GENERATOR_VARIABLE: t}, evaluate=True)
    except (SyntaxError, TypeError, ValueError, AttributeError, NameError, TokenError) as exc:
        raise SpecError(f"cannot read --f {text!r}: {type(exc).__name__}") from None
    if not isinstance(expr, sp.Expr):
        raise SpecError(f"--f must be an expression in {GENERATOR_VARIABLE}, got {text!r}")
    others = sorted(s.name for s in expr.free_symbols if s != t)
    if others:
        raise SpecError(f"--f must be a function of {GENERATOR_VARIABLE} alone; it also has "
                        f"{', '.join(others)}")
    return sp.Lambda(t, expr)


def extra_argument(quantity: str, alpha: str | None, q: str | None, f: str | None) -> tuple:
    """The positional argument after the members (the order, or the generator), checking that
    exactly the options the quantity takes were given."""
    given = {"alpha": alpha, "q": q, "f": f}
    wanted = EXTRA_OPTIONS.get(quantity)
    extra = [name for name, value in given.items() if value is not None and name != wanted]
    if extra:
        raise click.UsageError(f"{quantity} does not take --{extra[0]}")
    if wanted is None:
        return ()
    if given[wanted] is None:
        example = '"t*log(t)"' if wanted == "f" else "2"
        raise click.UsageError(f"{quantity} needs --{wanted} (e.g. --{wanted} {example})")
    if wanted == "f":
        return (parse_generator(given[wanted]),)
    return (parse_order(given[wanted], wanted),)


def parse_base(text: str | None):
    if text is None:
        return None
    if text.strip().lower() == "e":
        return sp.E
    value = parse_value(text)
    if isinstance(value, (str, list)):
        raise SpecError(f"base must be a number or e, got {text!r}")
    return sp.nsimplify(value) if isinstance(value, float) else sp.sympify(value)


# -- commands ------------------------------------------------------------------------------------
@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Closed forms of entropy, cross-entropy and KL divergence, derived with sympy."""


def derive_from_arguments(quantity: str, members: Sequence[str], base: str | None,
                          timeout: float, alpha: str | None = None, q: str | None = None,
                          f: str | None = None):
    """The Derivation a command line asks for: QUANTITY of the members P (and Q), with its
    order (``alpha``, ``q``) or generator (``f``) where it takes one."""
    quantity = quantity.lower()
    builder_name, arity = QUANTITIES[quantity]
    if len(members) != arity:
        wanted = "one family (P)" if arity == 1 else "two families (P and Q)"
        raise click.UsageError(f"{quantity} needs {wanted}, got {len(members)}")
    try:
        family_members = [parse_member(text, role)
                          for role, text in enumerate(members, start=1)]
        base_value = parse_base(base)
        extra = extra_argument(quantity, alpha, q, f)
    except (SymbolicInfoError, click.UsageError):
        raise
    except (ValueError, TypeError) as exc:  # a value the family could not take
        raise SpecError(str(exc) or type(exc).__name__) from exc
    options = {} if base_value is None else {"base": base_value}
    try:
        return getattr(si, builder_name)(*family_members, *extra, timeout=timeout, **options)
    except (ValueError, TypeError) as exc:  # an order or generator the builder refused
        if isinstance(exc, SymbolicInfoError):
            raise
        raise SpecError(str(exc) or type(exc).__name__) from exc


def order_options(command):
    """``--alpha``, ``--q`` and ``--f``: the order of a Rényi / Tsallis quantity, the generator
    of an f-divergence."""
    command = click.option("--f", "f", default=None, metavar="EXPR",
                           help='f-divergence: the generator, in t (e.g. "t*log(t)").')(command)
    command = click.option("--q", "q", default=None, metavar="Q",
                           help="Tsallis entropy: the order (a number or a name).")(command)
    return click.option("--alpha", default=None, metavar="ALPHA",
                        help="Rényi divergence / entropy: the order (a number or a name)."
                        )(command)


@cli.command()
@click.argument("quantity", metavar="QUANTITY",
                type=click.Choice(sorted(QUANTITIES), case_sensitive=False))
@click.argument("members", nargs=-1, required=True, metavar="P [Q]")
@click.option("--base", default=None, help="Logarithm base (2 for bits; default e, nats).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--timeout", default=30.0, show_default=True,
              type=click.FloatRange(min=0, min_open=True), help="Time budget in seconds.")
@click.option("--latex", "as_latex", is_flag=True, help="Print the derivation as a LaTeX proof.")
@click.option("--standalone", is_flag=True,
              help="With --latex: a complete document (compiles with pdflatex).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="With --latex: write to this file instead of standard output.")
@order_options
def derive(quantity: str, members: Sequence[str], base: str | None, as_json: bool,
           timeout: float, as_latex: bool = False, standalone: bool = False,
           output: str | None = None, alpha: str | None = None, q: str | None = None,
           f: str | None = None) -> None:
    """Derive QUANTITY of P, or of P and Q.

    \b
    Examples:
      symbolic-info derive kl normal normal
      symbolic-info derive kl normal:mu=0,sigma=s normal:mu=m --json
      symbolic-info derive entropy bernoulli:p=0.5 --base 2
      symbolic-info derive renyi-divergence normal normal --alpha a
      symbolic-info derive tsallis-entropy normal --q 2
      symbolic-info derive f-divergence normal normal --f "t*log(t)"
      symbolic-info derive fisher-information gamma --latex
    """
    if (standalone or output) and not as_latex:
        raise click.UsageError("--standalone and --output go with --latex")
    if as_latex and as_json:
        raise click.UsageError("give --latex or --json, not both")
    d = derive_from_arguments(quantity, members, base, timeout, alpha, q, f)
    if as_latex:
        from symbolic_info.render.latex import render_latex
        tex = render_latex(d, standalone=standalone)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(tex if tex.endswith("\n") else tex + "\n")
        else:
            click.echo(tex)
    elif as_json:
        from symbolic_info.render.json import render_json
        text = render_json(d)
        value = numeric_value(d)
        if value is not None:
            import json
            data = json.loads(text)
            data.update(value.to_json())
            text = json.dumps(data, indent=2, ensure_ascii=False)
        click.echo(text)
    else:
        lines = str(d).splitlines()
        value = numeric_value(d)
        if value is not None:  # after the exact form (the "result" line)
            at = next((i + 1 for i, line in enumerate(lines)
                       if line.lstrip().startswith("result")), len(lines))
            lines.insert(at, f"  value      = {value.text()}")
        click.echo("\n".join(lines))


#: Quantities measured in logarithmic units (nats, bits, ...): their value has a base.
LOGARITHMIC = frozenset({"entropy", "cross_entropy", "kl", "jeffreys", "renyi_divergence",
                         "renyi_entropy", "bhattacharyya", "jensen_shannon"})
#: Names of the usual logarithm bases.
UNITS = {2: "bits", sp.E: "nats", 10: "hartleys"}
NUMERIC_BUDGET = 5.0


@dataclass(frozen=True)
class NumericValue:
    """The value of a result without free symbols: a float (or rows of floats for a matrix),
    with the logarithm base it is in (None for a quantity without units)."""

    value: float | list
    base: sp.Expr | None

    def unit(self) -> str | None:
        if self.base is None:
            return None
        name = UNITS.get(self.base)
        return f"{name} (base {self.base_text()})" if name else f"base {self.base_text()}"

    def base_text(self) -> str | None:
        return None if self.base is None else "e" if self.base == sp.E else sp.sstr(self.base)

    def text(self) -> str:
        shown = self.value if isinstance(self.value, list) else f"{self.value:.17g}"
        unit = self.unit()
        return f"{shown} {unit}" if unit else f"{shown}"

    def to_json(self) -> dict:
        """``value`` (a number, rows of numbers, or null when not finite, then ``value_text``)
        and ``value_base`` / ``value_unit`` (null for a quantity without units)."""
        finite = isinstance(self.value, list) or self.value == self.value and abs(
            self.value) != float("inf")
        data = {"value": self.value if finite else None,
                "value_base": self.base_text(),
                "value_unit": self.unit()}
        if not finite:
            data["value_text"] = str(self.value)
        return data


def numeric_value(d) -> NumericValue | None:
    """The float value of ``d.result`` when it has no free symbols (every parameter a number),
    evaluated by ``sympy.N`` under a time budget; None otherwise or when it cannot be
    evaluated."""
    from symbolic_info.budget import BudgetExceeded, run_limited
    result = d.result
    if getattr(d, "status", None) == "undefined":  # no value to print: the status says why
        return None
    if not isinstance(result, (sp.Basic, sp.MatrixBase)) or result.free_symbols:
        return None

    def evaluate(e: sp.Expr) -> float:
        v = complex(sp.N(e, 17))
        if v.imag != 0:
            raise ValueError("not real")
        return v.real

    try:
        if isinstance(result, sp.MatrixBase):
            value = [[run_limited(evaluate, NUMERIC_BUDGET, result[i, j])
                      for j in range(result.cols)] for i in range(result.rows)]
        else:
            value = run_limited(evaluate, NUMERIC_BUDGET, result)
    except (BudgetExceeded, TypeError, ValueError, ArithmeticError):
        return None
    base = None
    if d.quantity in LOGARITHMIC:
        base = sp.E if d.base is None else sp.sympify(d.base)
    return NumericValue(value, base)


class ClaimCommand(click.Command):
    """A command whose first argument is a formula.  A token is an option only when it is one
    of the command's own options (``--json``, ``--base 2``, ``--seed=3``, ``-n 5``); every other
    token is an argument, so a claim that starts with ``-`` (``-p\\log p``) stays whole and the
    options may stand anywhere.  An unknown ``--name`` is an error, never a family member."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        flags, valued = set(), set()
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                names = (*param.opts, *param.secondary_opts)
                (flags if param.is_flag or param.count else valued).update(names)
        options: list[str] = []
        positional: list[str] = []
        i = 0
        while i < len(args):
            token = args[i]
            name = token.split("=", 1)[0] if token.startswith("--") else token
            if token == "--":
                positional += args[i + 1:]
                break
            if name in flags:
                options.append(token)
            elif name in valued:
                options.append(token)
                if "=" not in token and i + 1 < len(args):  # its value is the next token
                    options.append(args[i + 1])
                    i += 1
            elif token[:2] in valued and re.fullmatch(r"-[A-Za-z]\d+", token):  # -n5
                options.append(token)
            elif re.fullmatch(r"--[A-Za-z][A-Za-z0-9_-]*(=.*)?", token):
                raise click.NoSuchOption(name, possibilities=sorted(flags | valued), ctx=ctx)
            else:
                positional.append(token)
            i += 1
        return super().parse_args(ctx, [*options, "--", *positional])


@cli.command(cls=ClaimCommand)
@click.argument("claim", metavar="CLAIM")
@click.argument("quantity", metavar="QUANTITY",
                type=click.Choice(VERIFIABLE, case_sensitive=False))
@click.argument("members", nargs=-1, required=True, metavar="P [Q]")
@click.option("--base", default=None, help="Logarithm base (2 for bits; default e, nats).")
@click.option("--timeout", default=30.0, show_default=True,
              type=click.FloatRange(min=0, min_open=True),
              help="Time budget in seconds (derivation and symbolic check).")
@click.option("-n", "--points", default=25, show_default=True, type=click.IntRange(min=1),
              help="Random parameter points for the numeric comparison.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the points.")
@click.option("--assuming", default=None, metavar="CONDITION",
              help='Check only where CONDITION holds, e.g. "a1 >= 0" or "a1 >= 0, b1 <= 1".')
@click.option("--json", "as_json", is_flag=True,
              help="Print the verdict (with its conditions) as one JSON object.")
@order_options
def verify(claim: str, quantity: str, members: Sequence[str], base: str | None,
           timeout: float, points: int, seed: int, assuming: str | None = None,
           as_json: bool = False, alpha: str | None = None, q: str | None = None,
           f: str | None = None) -> int:
    """Check that CLAIM is the QUANTITY of P (and Q); exit status 0 if it holds, 1 if not.

    CLAIM is a formula in sympy syntax or textbook LaTeX (\\ln, \\log_2, \\Gamma, \\psi,
    \\mathrm{B}, \\gamma for Euler's constant, \\begin{cases}...\\end{cases}), in the
    parameters' symbols.  It also holds (conditionally) when it differs only where the QUANTITY
    is infinite; the verdict then names the region where it holds.  Options may stand anywhere.

    \b
    Examples:
      symbolic-info verify "log(s2/s1) + (s1**2 + (m1 - m2)**2)/(2*s2**2) - 1/2" \\
          kl normal:mu=m1,sigma=s1 normal:mu=m2,sigma=s2
      symbolic-info verify "\\frac12\\log(2\\pi e\\sigma_1^2)" entropy normal
      symbolic-info verify "log((b2 - a2)/(b1 - a1))" kl uniform:a=a1,b=b1 uniform:a=a2,b=b2
    """
    from symbolic_info.check.verify import verify as verify_claim
    d = derive_from_arguments(quantity, members, base, timeout, alpha, q, f)
    verdict = verify_claim(claim, d, assuming=assuming, n=points, seed=seed,
                           timeout=min(timeout, 10.0))
    if as_json:
        import json
        click.echo(json.dumps(verdict.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(str(verdict))
    return 0 if verdict.holds else 1


@cli.command()
def families() -> None:
    """List the registered families and their parameters."""
    for name in si.families():
        params = usage(name)
        click.echo(f"{name:<18} {params}")


@cli.group()
def cache() -> None:
    """The store of derivations on disk (moved by SYMBOLIC_INFO_CACHE=DIR, off with 0)."""


@cache.command("info")
def cache_info() -> None:
    """Print the store's location, number of entries and size."""
    from symbolic_info.derive.store import ENVIRONMENT_VARIABLE, default_store
    store = default_store()
    if store is None:
        click.echo(f"the store of derivations is off ({ENVIRONMENT_VARIABLE}=0)")
        return
    info = store.info()
    click.echo(f"location: {info.location}")
    click.echo(f"entries:  {info.entries}")
    click.echo(f"size:     {info.size_bytes} bytes")


@cache.command("clear")
def cache_clear() -> None:
    """Remove every stored derivation."""
    from symbolic_info.derive.store import ENVIRONMENT_VARIABLE, default_store
    store = default_store()
    if store is None:
        click.echo(f"the store of derivations is off ({ENVIRONMENT_VARIABLE}=0); "
                   f"nothing to clear")
        return
    removed = store.clear()
    click.echo(f"removed {removed} {'entry' if removed == 1 else 'entries'} from "
               f"{store.path}")


def _register_optimisation_commands() -> None:
    from symbolic_info.atlas.cli import register_cli as register_atlas
    from symbolic_info.audit.cli import register_cli as register_audit
    from symbolic_info.numeric.export_cli import register_cli as register_export
    from symbolic_info.optimize.cli import register_cli as register_optimize
    from symbolic_info.optimize.max_entropy_cli import register_cli as register_max_entropy
    register_optimize(cli)
    register_max_entropy(cli)
    register_export(cli)
    register_atlas(cli)
    register_audit(cli)


_register_optimisation_commands()


# -- entry point ---------------------------------------------------------------------------------
def _fail(message: str, code: int) -> int:
    one_line = " ".join(str(message).split())
    click.echo(f"{PROG}: error: {one_line}", err=True)
    return code


def run(argv: Sequence[str] | None = None, prog_name: str = PROG) -> int:
    """Run the command line on ``argv`` and return the exit status (no ``sys.exit``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        args = ["--help"]
    try:
        result = cli.main(args=args, prog_name=prog_name, standalone_mode=False)
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        return 130
    except click.ClickException as exc:
        return _fail(exc.format_message(), exc.exit_code)
    except SymbolicInfoError as exc:
        return _fail(str(exc) or type(exc).__name__, 2)
    except Exception as exc:  # noqa: BLE001 - one line instead of a traceback
        if os.environ.get("SYMBOLIC_INFO_DEBUG"):
            raise
        return _fail(f"internal error: {type(exc).__name__}: {exc}", 1)
    return result if isinstance(result, int) else 0


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (``symbolic-info``), under ``PYTHONHASHSEED=6640``
    (:mod:`symbolic_info.hash_seed`)."""
    if argv is None:
        restart_with_fixed_seed()
    sys.exit(run(argv))


if __name__ == "__main__":
    main()
