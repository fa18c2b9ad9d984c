# ruff: noqa: UP031 - LaTeX templates read better with %-formatting than with doubled braces
r"""A Derivation as a LaTeX proof: one ``align*`` row per step, each with its justification.

``render_latex(d)`` gives the ``align*`` block (it also renders in Jupyter through MathJax);
``render_latex(d, standalone=True)`` a complete document that compiles with ``pdflatex``
using amsmath and amssymb only.  Printers read steps; they never re-derive.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

import sympy as sp

from ..derive.derivation import StepKind
from .printer import InfoLatexPrinter
from .symbols import symbol_latex, text_escape, variable_name
from .textbook import in_base, textbook_form

WIDTH = 46  # visible characters of one expression row before it is broken at a + or -
LHS_WIDTH = 16  # a left side wider than this is set on a line of its own
_COMMAND = re.compile(r"\\(left|right|mathopen|mathclose|operatorname|mathit|mathrm|mathbb|"
                      r"text|quad|qquad|,|;|!|Bigl|Bigr)(?![A-Za-z])")
_OTHER_COMMAND = re.compile(r"\\[A-Za-z]+")
_OPERATOR_NAME = re.compile(r"\\(log|exp|det|sin|cos|tan|max|min|sup|inf|lim)(?![A-Za-z])")
_POINT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=([-+0-9.eE]+|nan|inf)")


@dataclass(frozen=True)
class Row:
    """One row of the proof: ``lhs &= rhs[0] && why``, continued by the rest of ``rhs``."""

    lhs: str
    rhs: tuple[str, ...]
    why: str = ""


#: The names of the quantities that have a fixed symbol.
QUANTITY_LATEX = {
    "jeffreys": "J(P, Q)",
    "renyi_divergence": r"D_{\alpha}(P \parallel Q)",
    "renyi_entropy": r"H_{\alpha}(P)",
    "tsallis_entropy": r"S_{q}(P)",
    "bhattacharyya": r"D_{B}(P, Q)",
    "hellinger": r"H^{2}(P, Q)",
    "chi_square": r"\chi^{2}(P \parallel Q)",
    "total_variation": r"\delta(P, Q)",
    "jensen_shannon": r"\mathrm{JS}(P, Q)",
    "f_divergence": r"D_{f}(P \parallel Q)",
    "fisher_information": r"\mathcal{I}(\theta)",
}


# -- names ---------------------------------------------------------------------------------------
def quantity_latex(d) -> str:
    r"""``D_{\mathrm{KL}}(P \parallel Q)``, ``H(P)`` (pmf), ``h(P)`` (density) or ``H(P, Q)``."""
    if d.quantity == "kl":
        return r"D_{\mathrm{KL}}(P \parallel Q)"
    if d.quantity == "cross_entropy":
        return "H(P, Q)"
    if d.quantity in QUANTITY_LATEX:
        return QUANTITY_LATEX[d.quantity]
    if d.quantity in ("maximize", "minimize"):
        return r"\%s" % ("max" if d.quantity == "maximize" else "min")
    if d.quantity == "max_entropy":
        return r"\max_{p} h(p)"
    if d.quantity == "joint_entropy":
        return "H(X, Y)"
    if d.quantity == "mutual_information":
        return "I(X; Y)"
    if d.quantity == "conditional_entropy":
        return r"H(X \mid Y)" if d.name.endswith("x_given_y") else r"H(Y \mid X)"
    discrete = getattr(d.p, "discrete", True)
    return "H(P)" if discrete else "h(P)"


def log_latex(base) -> str:
    r"""``\log`` in nats, ``\log_{2}`` in bits, ``\log_{b}`` otherwise."""
    if base is None or base == sp.E:
        return r"\log"
    return r"\log_{%s}" % sp.latex(base)


def family_latex(member, printer: InfoLatexPrinter) -> str:
    r"""``\text{Normal}(\mu_{1}, \sigma_{1})`` (the family's title)."""
    values = ", ".join(_value_latex(v, printer) for v in member.params.values())
    return r"\text{%s}(%s)" % (text_escape(family_title(member)), values)


#: The quantities in words, for titles.
QUANTITY_WORDS = {
    "entropy": "Entropy", "cross_entropy": "Cross-entropy", "kl": "KL divergence",
    "jeffreys": "Jeffreys divergence", "renyi_divergence": "Rényi divergence",
    "renyi_entropy": "Rényi entropy", "tsallis_entropy": "Tsallis entropy",
    "bhattacharyya": "Bhattacharyya distance", "hellinger": "Squared Hellinger distance",
    "chi_square": "Chi-square divergence", "total_variation": "Total variation distance",
    "jensen_shannon": "Jensen-Shannon divergence", "f_divergence": "f-divergence",
    "fisher_information": "Fisher information", "joint_entropy": "Joint entropy",
    "mutual_information": "Mutual information", "conditional_entropy": "Conditional entropy",
}


def family_title(member) -> str:
    """The family's name as a title: ``Gamma``, ``Student's t`` (its spec's ``title``)."""
    spec = getattr(member, "spec", None)
    title = getattr(spec, "title", "") or getattr(member, "name", "")
    return title.replace("_", " ")


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeio" or word.startswith(("U", "u")) and not \
        word.lower().startswith(("uni", "usu")) else "a"


def title_words(d) -> str:
    """The title of a derivation in words, from its quantity and families: "Entropy of the
    Gamma distribution", "KL divergence between two Gamma distributions", "Rényi divergence
    between a Normal and a Laplace distribution" (", in bits" in base 2)."""
    words = QUANTITY_WORDS.get(d.quantity, d.quantity.replace("_", " ").capitalize())
    p, q = getattr(d, "p", None), getattr(d, "q", None)
    if p is not None and q is None:
        words = f"{words} of the {family_title(p)} distribution"
    elif p is not None:
        fp, fq = family_title(p), family_title(q)
        words = f"{words} between two {fp} distributions" if p.spec.name == q.spec.name \
            else f"{words} between {_article(fp)} {fp} and {_article(fq)} {fq} distribution"
    base = getattr(d, "base", None)
    if base is not None and base != sp.E:
        words += ", in bits" if base == 2 else f", in base {sp.sstr(base)}"
    return words


def _value_latex(value, printer: InfoLatexPrinter) -> str:
    if isinstance(value, (list, tuple)):
        return r"\left(" + ", ".join(printer.doprint(v) for v in value) + r"\right)"
    return printer.doprint(value)


# -- the proof -----------------------------------------------------------------------------------
def make_printer(d) -> InfoLatexPrinter:
    """The printer for ``d``: its parameters and the symbols of its steps by name."""
    symbols: set = set(d.parameters) | set(d.result.free_symbols)
    for step in d.steps:
        if isinstance(step.expr, sp.Basic):
            symbols |= step.expr.free_symbols
    variable = integration_variable_of(d)
    return InfoLatexPrinter(sorted(symbols, key=sp.default_sort_key), variable=variable,
                            variable_name=variable_name(variable, symbols))


def integration_variable_of(d) -> sp.Symbol | tuple[sp.Symbol, ...]:
    """The bound variable of the defining integral or sum of ``d`` (``x`` when there is none);
    over a region, the tuple of its variables, outermost first."""
    for step in d.steps:
        if step.kind is StepKind.DEFINITION and isinstance(step.expr, (sp.Integral, sp.Sum)):
            limits = step.expr.limits
            if len(limits) > 1:
                return tuple(limit[0] for limit in reversed(limits))
            return limits[0][0]
    for step in d.steps:  # a definition without an integral (Fisher's E[...]): its Dummy
        if step.kind is StepKind.DEFINITION and isinstance(step.expr, (sp.Basic, sp.MatrixBase)):
            dummies = sorted((s for s in step.expr.free_symbols if isinstance(s, sp.Dummy)),
                             key=sp.default_sort_key)
            if len(dummies) == 1:
                return dummies[0]
    return sp.Symbol("x")


def render_latex(d, standalone: bool = False, *, checks: bool = True,
                 implementation: bool = True) -> str:
    """``d`` as an ``align*`` proof ending with the result and its conditions; without the
    numeric-check rows when ``checks`` is false.

    With ``standalone=True``: a complete LaTeX document (see :func:`document`), with the
    numerical implementation unless ``implementation`` is false.
    """
    if standalone:
        from .document import document
        return document([d], title=None, checks=checks, implementation=implementation)
    printer = make_printer(d)
    return format_rows(proof_rows(d, printer, checks=checks))


def format_rows(rows: list[Row]) -> str:
    r"""The rows as an ``align*`` environment, each justification a ``\tag*`` (amsmath moves a
    tag that does not fit to a line of its own, so justifications never widen the columns)."""
    out = []
    for row in rows:
        tag = r" \tag*{$%s$}" % row.why if row.why else ""
        if not row.rhs:
            out.append("&" + tag)
            continue
        if visible_width(row.lhs) > LHS_WIDTH:  # a wide left side gets a line of its own,
            out.append(f"& {row.lhs}{tag}")     # right of the alignment point, so it does not
            out.append(f"&= {row.rhs[0]}")      # widen the column of left sides
            out += [r"&\qquad %s" % r for r in row.rhs[1:]]
            continue
        out.append(f"{row.lhs} &= {row.rhs[0]}{tag}")
        out += [r"&\qquad %s" % r for r in row.rhs[1:]]
    return "\\begin{align*}\n" + " \\\\\n".join(out) + "\n\\end{align*}"


#: The steps that report a numerical check (left out with ``checks=False``).
CHECK_KINDS = (StepKind.NUMERIC_CHECK, StepKind.NO_NUMERIC_CHECK)


def proof_rows(d, printer: InfoLatexPrinter, checks: bool = True) -> list[Row]:
    """The rows of the proof of ``d``, one (or a few, for long expressions) per step; the
    numeric-check rows only if ``checks``."""
    name = quantity_latex(d)
    base = d.base if d.base is not None and d.base != sp.E else None
    lhs = name if base is None else r"%s\,%s" % (log_factor_latex(d, base, printer), name)
    rows: list[Row] = []
    repeat_lhs = True
    for step in d.steps:
        if not checks and step.kind in CHECK_KINDS:
            continue
        for row in step_rows(d, step, printer, lhs, name, base):
            if row.lhs in ("=", lhs):  # the chain goes on; its left side only after a break
                row = Row(lhs if repeat_lhs else "", row.rhs, row.why)
                repeat_lhs = False
            elif step.rule == "change of base" and row.lhs == name:
                lhs, repeat_lhs = name, False
            elif row.rhs:
                repeat_lhs = True
            rows.append(row)
    last = result_row(d, printer, name, base)
    if isinstance(d.result, sp.MatrixBase) and _too_wide(last.rhs):
        last = _entry_rows(d, d.result, printer, last.why, prefix=r"\therefore\; ")
        return rows + last
    return rows + [last]


#: The power of ``log b`` a quantity in base b is divided by (Fisher: scores of log_b p).
LOG_POWERS = {"fisher_information": 2}


def log_factor_latex(d, base, printer: InfoLatexPrinter) -> str:
    r"""``(\log b)`` or, for Fisher information, ``(\log b)^{2}``."""
    power = LOG_POWERS.get(d.quantity, 1)
    tex = r"(\log %s)" % printer.doprint(base)
    return tex if power == 1 else tex + "^{%d}" % power


def _expectation_rows(d, step, printer, lhs, name, base) -> list[Row]:
    expr, note = step.expr, step.note
    if not isinstance(expr, sp.Eq):
        return _generic_rows(step, printer)
    why = {StepKind.EXPECTATION: r"\text{%s}" % text_escape(
               note.replace("checked against numerical integration", "checked numerically")),
           StepKind.NO_CLOSED_FORM: r"\text{no closed form found: kept unevaluated}",
           StepKind.TIME_BUDGET: r"\text{%s: kept unevaluated}" % text_escape(note)}[step.kind]
    return [Row(printer.doprint(expr.lhs), expr_lines(expr.rhs, printer), why)]


UNDEFINED_TEX = r"\text{undefined}"


def undefined_rows(step, printer: InfoLatexPrinter) -> list[Row]:
    """``E[s] = undefined`` (an expectation with no value, the step's expression ``E(s)``),
    or the chain's ``= undefined`` (the step's expression nan)."""
    lhs = "=" if step.expr is sp.nan or not isinstance(step.expr, sp.Basic) \
        else printer.doprint(step.expr)
    return _justified([Row(lhs, (UNDEFINED_TEX,))], step.note or "no value")


def _chain(why: str, expectation: bool = False):
    def rows(d, step, printer, lhs, name, base) -> list[Row]:
        expr = sp.Function("E")(step.expr) if expectation else step.expr
        return [Row("=", expr_lines(expr, printer), why)]
    return rows


#: How each kind of step is printed: kind -> rows(d, step, printer, lhs, name, base).
STEP_ROWS = {
    StepKind.DEFINITION: lambda d, st, pr, lhs, name, base: definition_rows(
        d, st.expr, pr, lhs, name, base, st.note),
    StepKind.DENSITIES: _chain(r"\text{densities substituted}", expectation=True),
    StepKind.EXPANSION: _chain(
        r"\text{log-density expanded into coefficient} \times \text{statistic}",
        expectation=True),
    StepKind.LINEARITY: _chain(r"\text{linearity of expectation}"),
    StepKind.EXPECTATION: _expectation_rows,
    StepKind.NO_CLOSED_FORM: _expectation_rows,
    StepKind.TIME_BUDGET: _expectation_rows,
    StepKind.SUBSTITUTED: lambda d, st, pr, lhs, name, base: [
        Row(lhs, expr_lines(st.expr, pr), r"\text{expectations substituted}")],
    StepKind.SUPPORT: lambda d, st, pr, lhs, name, base: support_rows(d, st.expr, pr, st.note),
    StepKind.DIVERGENCE: lambda d, st, pr, lhs, name, base: [
        Row("=", (r"\infty",), r"\text{%s}" % text_escape(st.note or "divergence"))],
    StepKind.UNDEFINED: lambda d, st, pr, lhs, name, base: undefined_rows(st, pr),
    StepKind.CANCELLATION: lambda d, st, pr, lhs, name, base: [
        Row("=", ("0",), r"\text{%s}" % text_escape(st.note or "the log-densities cancel"))],
    StepKind.FINITE_SUM: lambda d, st, pr, lhs, name, base: [
        Row("=", expr_lines(st.expr, pr), finite_sum_why(d, pr, st.note))],
    StepKind.SIMPLIFICATION: lambda d, st, pr, lhs, name, base: [
        Row("=", expr_lines(textbook_form(st.expr), pr),
            r"\text{simplification (%s)}" % text_escape(st.note or "textbook form"))],
    StepKind.CHANGE_OF_BASE: lambda d, st, pr, lhs, name, base: change_of_base_rows(
        d, st.expr, pr, name, base),
    StepKind.NUMERIC_CHECK: lambda d, st, pr, lhs, name, base: [
        Row("", (), why) for why in numeric_check_why(st.expr, st.note, pr)],
    StepKind.NO_NUMERIC_CHECK: lambda d, st, pr, lhs, name, base: [
        Row("", (), r"\text{no numerical check: %s}" % text_escape(st.note))],
    StepKind.ADDITIVITY: lambda d, st, pr, lhs, name, base: [
        Row("=", expr_lines(st.expr, pr), r"\text{independent components: additivity}")],
    StepKind.MARGINAL: lambda d, st, pr, lhs, name, base: [
        Row(pr.doprint(st.expr.lhs), expr_lines(st.expr.rhs, pr),
            r"\text{%s}" % text_escape(st.note))],
    StepKind.COMPONENT: lambda d, st, pr, lhs, name, base: [
        Row(pr.doprint(st.expr.lhs), expr_lines(st.expr.rhs, pr),
            r"\text{%s}" % text_escape(st.note))],
    StepKind.POWER_INTEGRAL: lambda *a: power_integral_rows(*a),
    StepKind.NORMALISERS: lambda *a: _justified_chain(*a),
    StepKind.LIMIT: lambda *a: limit_rows(*a),
    StepKind.CROSSING_POINTS: lambda *a: crossing_rows(*a),
    StepKind.DIFFERENTIATION: lambda *a: _justified_chain(*a),
    StepKind.NUMERIC_VALUE: lambda *a: _justified_chain(*a),
}


def step_rows(d, step, printer: InfoLatexPrinter, lhs: str, name: str, base) -> list[Row]:
    """The rows of one step. A row whose ``lhs`` is ``"="`` continues the chain; a matrix too
    wide for a line is printed entry by entry."""
    rows = STEP_ROWS.get(step.kind)
    if rows is None:
        return _generic_rows(step, printer)
    out = rows(d, step, printer, lhs, name, base)
    if not isinstance(step.expr, sp.MatrixBase):
        return out
    tex = printer.doprint(step.expr)
    for k, row in enumerate(out):
        if row.rhs == (tex,) and _too_wide(row.rhs):
            return out[:k] + _entry_rows(d, step.expr, printer, row.why) + out[k + 1:]
    return out


# -- matrices and the steps of issue 12 ------------------------------------------------------------
MATRIX_WIDTH = 2 * WIDTH  # a matrix wider than this is printed entry by entry


def _too_wide(rhs: tuple[str, ...]) -> bool:
    return len(rhs) == 1 and visible_width(rhs[0]) > MATRIX_WIDTH


def entry_latex(d, i: int, j: int, printer: InfoLatexPrinter) -> str:
    r"""The name of entry (i, j): ``\mathcal{I}_{\mu \sigma}`` for a Fisher matrix in the
    parameters, ``[\cdot]_{1 2}`` otherwise."""
    if d.quantity == "fisher_information" and len(d.parameters) > max(i, j):
        return r"\mathcal{I}_{%s %s}" % (printer.doprint(d.parameters[i]),
                                          printer.doprint(d.parameters[j]))
    return r"\left[\,\cdot\,\right]_{%d %d}" % (i + 1, j + 1)


def _entry_rows(d, matrix, printer: InfoLatexPrinter, why: str, prefix: str = "") -> list[Row]:
    """One row per entry (the upper triangle of a symmetric matrix), the first justified."""
    rows, rows_count, cols = [], *matrix.shape
    symmetric = matrix.is_square and matrix.is_symmetric()
    for i in range(rows_count):
        for j in range(i if symmetric else 0, cols):
            rows.append(Row(prefix + entry_latex(d, i, j, printer),
                            expr_lines(matrix[i, j], printer), "" if rows else why))
    return rows


def note_whys(note: str) -> list[str]:
    r"""A note as ``\text{...}`` justifications of at most JUSTIFICATION_WIDTH characters."""
    return [r"\text{%s}" % text_escape(chunk)
            for chunk in textwrap.wrap(note, JUSTIFICATION_WIDTH)] or [""]


def _justified(rows: list[Row], note: str) -> list[Row]:
    """``rows`` justified by ``note``: a chunk per row, the rest on rows of their own."""
    whys = note_whys(note)
    out = [Row(r.lhs, r.rhs, whys[k] if k < len(whys) else r.why) for k, r in enumerate(rows)]
    return out + [Row("", (), why) for why in whys[len(rows):]]


def _equation_rows(expr, printer: InfoLatexPrinter, lhs: str = "=") -> list[Row]:
    """An ``Eq`` as ``lhs = rhs``; a tuple or set of them, a row each; else a chain row."""
    if isinstance(expr, sp.Eq):
        return [Row(printer.doprint(expr.lhs), expr_lines(expr.rhs, printer))]
    if isinstance(expr, (sp.Tuple, sp.FiniteSet, tuple, list)) and expr and all(
            isinstance(e, sp.Eq) for e in expr):
        return [row for e in expr for row in _equation_rows(e, printer)]
    return [Row(lhs, expr_lines(expr, printer))]


def _integral_symbol(d) -> sp.Symbol:
    """The symbol the definition calls the power integral (``I``)."""
    for step in d.steps:
        if step.kind is StepKind.DEFINITION and isinstance(step.expr, sp.Basic):
            named = [s for s in step.expr.free_symbols if s.name == "I"]
            if named:
                return named[0]
    return sp.Symbol("I")


def power_integral_rows(d, step, printer, lhs, name, base) -> list[Row]:
    r"""``I = \int p^\alpha q^{1 - \alpha}\,dx``, justified by the note."""
    symbol = printer.doprint(_integral_symbol(d))
    abstract = _abstract_power_integral(d, step.expr, printer)
    if abstract is None:
        return _justified(_equation_rows(step.expr, printer, symbol), step.note)
    x = step.expr.limits[0][0]
    return density_rows(d, x, printer) + _justified([Row(symbol, (abstract,))], step.note)


def _abstract_power_integral(d, expr, printer: InfoLatexPrinter) -> str | None:
    r"""``\int_{a}^{b} p(x)^{\alpha} q(x)^{1 - \alpha}\,dx`` when the integrand is a product
    of powers of the densities of P and Q (None otherwise)."""
    if not isinstance(expr, (sp.Integral, sp.Sum)) or len(expr.limits) != 1 or d.p is None:
        return None
    x, lo, hi = expr.limits[0]
    members = {"p": d.p, "q": d.q}
    powers = sp.Mul.make_args(expr.function)
    shown = printer.doprint(x)
    pieces = []
    for factor in powers:
        base, exponent = factor.as_base_exp()
        letter = next((k for k, m in members.items()
                       if m is not None and base == m.density_at(x)), None)
        if letter is None:
            return None
        power = "" if exponent == 1 else "^{%s}" % printer.doprint(exponent)
        pieces.append(r"%s(%s)%s" % (letter, shown, power))
    if d.p.discrete:
        op, tail = r"\sum_{%s=%s}^{%s}" % (shown, printer.doprint(lo), printer.doprint(hi)), ""
    else:
        op = r"\int_{%s}^{%s}" % (printer.doprint(lo), printer.doprint(hi))
        tail = r"\,d%s" % shown
    return "%s %s%s" % (op, " ".join(pieces), tail)


def limit_rows(d, step, printer, lhs, name, base) -> list[Row]:
    r"""``\lim_{\alpha \to 1^{+}} D_{\alpha}(P \parallel Q) = D_{KL}(P \parallel Q)``."""
    expr = step.expr
    if not (isinstance(expr, sp.Eq) and isinstance(expr.lhs, sp.Limit)):
        return _justified(_equation_rows(expr, printer), step.note)
    _, variable, point, direction = expr.lhs.args
    side = {"+": "^{+}", "-": "^{-}"}.get(str(direction), "")
    head = r"\lim_{%s \to %s%s} %s" % (printer.doprint(variable), printer.doprint(point),
                                        side, name)
    return _justified([Row(head, expr_lines(expr.rhs, printer))], step.note)


def crossing_rows(d, step, printer, lhs, name, base) -> list[Row]:
    """The crossing points ``x_1, x_2, ...`` of the densities, a row each."""
    points = list(step.expr) if isinstance(step.expr, (sp.FiniteSet, sp.Tuple)) else []
    letter = printer.variable_name if isinstance(printer.variable_name, str) else "x"
    rows = [Row(symbol_latex(f"{letter}_{k}"), expr_lines(point, printer))
            for k, point in enumerate(points, 1)]
    if not points and isinstance(step.expr, sp.Basic) and step.expr != sp.EmptySet:
        rows = [Row(symbol_latex(letter) + r" \in", expr_lines(step.expr, printer))]
    return _justified(rows, step.note or "crossing points of the densities")


def _justified_chain(d, step, printer, lhs, name, base) -> list[Row]:
    """The step's expression continuing the chain (``Eq`` and tuples of them as equations)."""
    return _justified(_equation_rows(step.expr, printer), step.note or str(step.rule))


def _generic_rows(step, printer: InfoLatexPrinter) -> list[Row]:
    """A step of another kind of derivation: its expression, justified by its rule and note."""
    rule, expr, note = step.rule, step.expr, step.note
    printable = (sp.Basic, sp.MatrixBase, tuple, list, dict)
    first, *more = textwrap.wrap(rule + (": " + note if note else ""), JUSTIFICATION_WIDTH)
    rows = [Row("=", expr_lines(expr, printer) if isinstance(expr, printable) else
                (r"\text{%s}" % text_escape(str(expr)),), r"\text{%s}" % text_escape(first))]
    return rows + [Row("", (), r"\text{%s}" % text_escape(chunk)) for chunk in more]


def definition_rows(d, expr, printer, lhs, name, base, note) -> list[Row]:
    """The density rows, then the definition with abstract densities ``p(x)``, ``q(x)``."""
    if d.quantity == "kl":
        why, more = r"\text{definition of } D_{\mathrm{KL}}", []
    else:
        why, *more = note_whys(note or "definition")
    if isinstance(expr, sp.MatrixBase) and d.p is not None:  # Fisher: E[...] under p
        x = integration_variable_of(d)
        return density_rows(d, x, printer) + _justified([Row(lhs, expr_lines(expr, printer))],
                                                        note or "definition")
    if not isinstance(expr, (sp.Integral, sp.Sum)) or d.p is None:
        return [Row(lhs, expr_lines(expr, printer), why)] + [Row("", (), w) for w in more]
    if len(expr.limits) > 1:  # over a region: x is the tuple of its variables
        x = tuple(limit[0] for limit in reversed(expr.limits))
        lo = hi = d.p.support_at(x)
    else:
        x, lo, hi = expr.limits[0]
    rows = density_rows(d, x, printer)
    abstract = abstract_definition(d, x, lo, hi, printer, r"\log")
    if abstract is None:
        return rows + [Row(lhs, expr_lines(expr, printer), why)] + [Row("", (), w) for w in more]
    rows.append(Row(lhs, (abstract,), why if base is None else r"\text{the same in nats}"))
    if base is not None:
        named = Row(name, (abstract_definition(d, x, lo, hi, printer, log_latex(base)),),
                    why + r"\text{, in %s}" % ("bits" if base == 2 else "base " + str(base)))
        rows.insert(-1, named)
    return rows + [Row("", (), w) for w in more]


def density_rows(d, x, printer: InfoLatexPrinter) -> list[Row]:
    """``p(x) = ...`` (and ``q(x) = ...``), each justified by its family."""
    rows = []
    for letter, member in (("p", d.p), ("q", d.q)):
        if member is None:
            continue
        role = "P" if letter == "p" else "Q"
        kind = "pmf" if member.discrete else "density"
        shown = ", ".join(map(printer.doprint, x)) if isinstance(x, tuple) else \
            printer.doprint(x)
        rows.append(Row(r"%s(%s)" % (letter, shown),
                        density_lines(member.density_at(x), x, printer),
                        r"\text{%s of } %s = %s" % (kind, role, family_latex(member, printer))))
    return rows


def density_lines(density, x, printer: InfoLatexPrinter) -> tuple[str, ...]:
    """A density on one line, or (when too wide) its constant factor, then its kernel."""
    lines = expr_lines(density, printer)
    if len(lines) > 1 or visible_width(lines[0]) <= WIDTH or not isinstance(x, tuple):
        return lines
    constant, kernel = density.as_independent(*x, as_Add=False)
    if constant == 1 or kernel == 1:
        return lines
    return (printer.doprint(constant) + r" \cdot", *expr_lines(kernel, printer))


#: The definition of a quantity with abstract densities: ``op`` the integral (or sum) sign with
#: its limits, ``tail`` its ``dx``, ``p`` and ``q`` the densities at x, ``log`` the logarithm.
ABSTRACT_DEFINITIONS = {
    "entropy": "-{op} {p} {log} {p}{tail}",
    "cross_entropy": "-{op} {p} {log} {q}{tail}",
    "kl": r"{op} {p} {log}\frac{{{p}}}{{{q}}}{tail}",
    "jeffreys": r"{op} \left({p} - {q}\right) {log}\frac{{{p}}}{{{q}}}{tail}",
    "total_variation": r"\frac{{1}}{{2}} {op} \left|{p} - {q}\right|{tail}",
    "jensen_shannon": r"\frac{{1}}{{2}} {op} {p} {log}\frac{{2 {p}}}{{{p} + {q}}}{tail} + "
                      r"\frac{{1}}{{2}} {op} {q} {log}\frac{{2 {q}}}{{{p} + {q}}}{tail}",
    "f_divergence": r"{op} {q}\, f\!\left(\frac{{{p}}}{{{q}}}\right){tail}",
}


def abstract_definition(d, x, lo, hi, printer, log: str) -> str | None:
    r"""``\int_{lo}^{hi} p(x) \log\frac{p(x)}{q(x)}\,dx`` (or the sum over the support);
    over a region (``x`` a tuple, ``lo`` the region) ``\int_{R} p(x_1, x_2) ... dx_1 dx_2``.
    None for a quantity without an abstract form in :data:`ABSTRACT_DEFINITIONS`."""
    xs = printer.doprint(x) if not isinstance(x, tuple) else ", ".join(map(printer.doprint, x))
    p, q = f"p({xs})", f"q({xs})"
    if isinstance(x, tuple) and not d.p.discrete and not lo.is_whole_space():
        # an iterated integral over the region: outermost first
        op = "".join(r"\int_{%s}^{%s}" % (printer.doprint(a), printer.doprint(b))
                     for _, a, b in lo.limits)
        tail = "".join(r"\,d%s" % printer.doprint(v) for v, _, _ in reversed(lo.limits))
    elif isinstance(x, tuple):
        region = printer.doprint(lo)
        op = (r"\sum_{(%s) \in %s}" if d.p.discrete else r"\int_{%s}") % (
            (xs, region) if d.p.discrete else (region,))
        tail = "" if d.p.discrete else "".join(r"\,d%s" % printer.doprint(v) for v in x)
    elif d.p.discrete:
        op, tail = r"\sum_{%s=%s}^{%s}" % (xs, printer.doprint(lo), printer.doprint(hi)), ""
    else:
        op = r"\int_{%s}^{%s}" % (printer.doprint(lo), printer.doprint(hi))
        tail = r"\,d%s" % xs
    template = ABSTRACT_DEFINITIONS.get(d.quantity)
    if template is None:
        return None
    return template.format(op=op, p=p, q=q, log=log, tail=tail)


def support_rows(d, expr, printer, note) -> list[Row]:
    """``supp P ⊆ supp Q`` as a remark, or the infinite value, or the Piecewise result."""
    if isinstance(expr, sp.Piecewise):
        return [Row("=", expr_lines(expr, printer), r"\text{infinite where } "
                    r"\operatorname{supp} P \not\subseteq \operatorname{supp} Q")]
    if expr == sp.oo:
        return [Row("=", (r"\infty",), r"\text{%s}" % text_escape(note))]
    if d.p is None or d.q is None:
        return [Row("", (), r"\text{%s}" % text_escape(note))]
    sets = r"\operatorname{supp} P = %s %%s \operatorname{supp} Q = %s" % (
        printer.doprint(d.p.support), printer.doprint(d.q.support))
    if expr == sp.true:
        return [Row("", (), sets % r"\subseteq")]
    if expr == sp.false:
        return [Row("", (), sets % r"\not\subseteq"),
                Row("=", (r"\infty",), r"\text{$P$ is not absolutely continuous w.r.t.\ $Q$}")]
    return [Row("", (), sets % r"\subseteq" + r"\iff " + printer.doprint(expr))]


def finite_sum_why(d, printer, note) -> str:
    if d.p is not None and isinstance(d.p.support, (sp.Range, sp.FiniteSet)):
        return r"\text{sum over the support } %s" % printer.doprint(d.p.support)
    return r"\text{%s}" % text_escape(note)


def change_of_base_rows(d, expr, printer, name, base) -> list[Row]:
    """Divide by ``log b``; then, where it reads better, the same with ``log_b``."""
    base = base if base is not None else d.base
    rows = [Row(name, expr_lines(expr, printer),
                r"\text{divide by } %s" % log_factor_latex(d, base, printer).strip("()")
                if LOG_POWERS.get(d.quantity, 1) == 1 else
                r"\text{divide by } %s" % log_factor_latex(d, base, printer))]
    if LOG_POWERS.get(d.quantity, 1) != 1:
        return rows
    rewritten = log_base_form(expr, base)
    if rewritten is not None:
        rows.append(Row("=", expr_lines(rewritten, printer),
                        r"\log_{%s} u = \log u / \log %s" % ((printer.doprint(base),) * 2)))
    return rows


def log_base_form(expr: sp.Expr, base) -> sp.Expr | None:
    r"""``expr`` (a quantity divided by ``log b``) written with ``\log_b`` in textbook form
    (:func:`.textbook.in_base`: ``c log u / log b = c \log_b u``, constants times
    ``\log_b e``); exact by construction. ``None`` when no term has a logarithm."""
    return in_base(expr, base)


def numeric_check_why(expr, note: str, printer: InfoLatexPrinter) -> list[str]:
    """``numerical check: relative difference 1.4e-17``, then ``at mu_1 = ...`` (or the note)."""
    if expr == sp.nan or not isinstance(expr, sp.Basic) or not expr.is_number:
        return [r"\text{%s}" % text_escape(note or "numerical check")]
    whys = [r"\text{numerical check: relative difference } %s" % printer.doprint(expr)]
    point = [f"{symbol_latex(k)} = {v}" for k, v in _POINT.findall(note)]
    for start in range(0, len(point), 3):
        whys.append((r"\text{at } " if not start else "") + ", ".join(point[start:start + 3]))
    return whys


def result_row(d, printer: InfoLatexPrinter, name: str, base) -> Row:
    """The last row: the result and where it holds."""
    result = d.result
    if d.status == "undefined":
        return Row(r"\therefore\; " + name, (UNDEFINED_TEX,),
                   r"\text{undefined: the integral has no value}")
    if base is not None and d.status != "infinite":
        result = log_base_form(result, base) or result
    elif d.status != "infinite":
        result = textbook_form(result)
    if d.status == "infinite":
        why = r"\text{infinite}"
    elif d.status == "no_closed_form":
        why = r"\text{no closed form found; evaluated numerically}"
    elif d.status == "timed_out":
        why = r"\text{no closed form within the budget; evaluated numerically}"
    elif d.status in ("maximum", "minimum", "supremum", "infimum", "unbounded"):
        why = r"\text{%s}" % d.status
    elif d.conditions == sp.true:
        why = r"\text{for all parameter values}"
    else:
        why = r"\text{for } " + printer.doprint(d.conditions)
    return Row(r"\therefore\; " + name, expr_lines(result, printer), why)


# -- line breaking -------------------------------------------------------------------------------
def visible_width(tex: str) -> int:
    """A rough count of the characters ``tex`` shows (commands count one, markup none)."""
    tex = _COMMAND.sub("", tex)
    tex = _OPERATOR_NAME.sub(lambda m: m.group(1), tex)  # \log, \exp, \det print their letters
    tex = _OTHER_COMMAND.sub("c", tex)
    return sum(1 for ch in tex if ch not in "{}^_ &")


JUSTIFICATION_WIDTH = 60  # characters of a justification per line


def _exponential_lines(expr, printer: InfoLatexPrinter, width: int) -> tuple[str, ...] | None:
    r"""``C \exp\Bigl(t_1 + t_2 ... \Bigr)`` broken between the terms of the exponent, for a
    product with one exponential of a sum (a multivariate density); None otherwise."""
    if isinstance(expr, sp.exp):
        expr = sp.Mul(1, expr, evaluate=False)
    if not isinstance(expr, sp.Mul):
        return None
    exps = [f for f in expr.args if isinstance(f, sp.exp)]
    if len(exps) != 1:
        return None
    argument = sp.expand(exps[0].args[0])
    if not isinstance(argument, sp.Add):
        return None
    rest = sp.Mul(*[f for f in expr.args if f is not exps[0]])
    head = "" if rest == 1 else printer.doprint(rest) + " "
    opening = head + r"\exp\Bigl("
    lines, current = [], opening
    for piece in printer.add_terms(argument):
        if current and visible_width(current + piece) > width:
            lines.append(current)
            current = ""
        current = (current + " " + piece).strip()
    lines.append(current + r"\Bigr)")
    return tuple(lines)


def _wide_terms_split(expr: sp.Add, printer: InfoLatexPrinter, width: int) -> list[str]:
    r"""The printed terms of a sum; a term wider than ``width`` that is c·(a sum) is printed
    ``c \Bigl(`` term, term, ... ``\Bigr)``, pieces the line breaker may put on new lines."""
    pieces = []
    for piece, term in zip(printer.add_terms(expr), printer._as_ordered_terms(expr)):
        if visible_width(piece) <= width or not isinstance(term, sp.Mul):
            pieces.append(piece)
            continue
        sign, body = ("- ", -term) if term.could_extract_minus_sign() else ("+ ", term)
        sums = [f for f in body.args if isinstance(f, sp.Add)]
        if len(sums) != 1:
            pieces.append(piece)
            continue
        rest = sp.Mul(*[f for f in body.args if f is not sums[0]])
        head = "" if rest == 1 else printer.doprint(rest) + " "
        inner = printer.add_terms(sums[0])
        sign = sign if pieces else sign.strip("+ ")
        pieces.append(f"{sign}{head}\\Bigl( {inner[0]}")
        pieces += inner[1:-1]
        pieces.append(f"{inner[-1]} \\Bigr)" if len(inner) > 1 else "\\Bigr)")
    return pieces


def _split_log_exp(expr) -> sp.Expr | None:
    """``expr`` with each log(C·e^Q) written log C + Q (None when there is none)."""
    def split(e):
        arg = e.args[0]
        factors = sp.Mul.make_args(arg)
        if len(factors) == 1:
            return e
        exps = [f for f in factors if isinstance(f, sp.exp)]
        rest = [f for f in factors if not isinstance(f, sp.exp)]
        # a density's factors are positive: log of a product is the sum of the logs
        return sp.Add(*[sp.expand_log(sp.log(f), force=True) for f in rest],
                      *[f.args[0] for f in exps])
    out = expr.replace(lambda e: isinstance(e, sp.log), split)
    return None if out == expr else sp.expand(out)


def _piecewise_lines(expr: sp.Piecewise, printer: InfoLatexPrinter,
                     width: int) -> tuple[str, ...]:
    r"""A wide Piecewise piece by piece: the lines of each value, then ``\text{if } c``
    (``\text{otherwise}`` after the last), so each value can be broken like any other."""
    lines: list[str] = []
    for value, condition in expr.args:
        value_lines = expr_lines(value, printer, width)
        when = r"\quad \text{otherwise}" if condition == sp.true else \
            r"\quad \text{if } %s" % printer.doprint(condition)
        if len(value_lines) == 1 and visible_width(value_lines[0] + when) <= width:
            lines.append(value_lines[0] + when)
            continue
        lines += [*value_lines, when.removeprefix(r"\quad ")]
    return tuple(lines)


def _product_lines(expr, printer: InfoLatexPrinter, width: int) -> tuple[str, ...] | None:
    r"""``c \Bigl( t_1 + t_2 ... \Bigr)`` broken between the terms, for a product with one
    sum among its factors (a Rényi divergence: the log of the integral over α - 1)."""
    if not isinstance(expr, sp.Mul):
        return None
    sign, body = ("- ", -expr) if expr.could_extract_minus_sign() else ("", expr)
    sums = [f for f in sp.Mul.make_args(body) if isinstance(f, sp.Add)]
    if len(sums) != 1:
        return None
    rest = sp.Mul(*[f for f in sp.Mul.make_args(body) if f is not sums[0]])
    head = sign + ("" if rest == 1 else printer.doprint(rest) + " ")
    inner = printer.add_terms(sums[0])
    lines, current = [], head + r"\Bigl("
    for piece in inner:
        if visible_width(current + piece) > width and current != head + r"\Bigl(":
            lines.append(current)
            current = ""
        current = (current + " " + piece).strip()
    lines.append(current + r" \Bigr)")
    return tuple(lines)


def expr_lines(expr, printer: InfoLatexPrinter, width: int = WIDTH) -> tuple[str, ...]:
    """``expr`` printed on one line, or broken before a ``+``/``-`` of its top-level sum.

    A sum inside an expectation is broken too, with ``\\Bigl[`` ... ``\\Bigr]``.
    """
    tex = printer.doprint(expr)
    if visible_width(tex) <= width:
        return (tex,)
    if isinstance(expr, sp.Piecewise):
        return _piecewise_lines(expr, printer, width)
    exponential = _exponential_lines(expr, printer, width)
    if exponential is not None:
        return exponential
    opening, closing = "", ""
    if isinstance(expr, sp.Function) and expr.func.__name__ == "E":
        split = _split_log_exp(expr.args[0])  # log(C e^Q) written log C + Q, to break it
        if split is not None:
            expr = expr.func(split)
    inner = expr
    if isinstance(expr, sp.Function) and expr.func.__name__ == "E" and \
            isinstance(expr.args[0], sp.Add):
        inner = expr.args[0]
        opening, closing = printer.expectation_open() + r"\Bigl[", r"\Bigr]"
    if not isinstance(inner, sp.Add):
        return _product_lines(inner, printer, width) or (tex,)
    if opening:
        with printer.expectation():
            pieces = _wide_terms_split(inner, printer, width)
    else:
        pieces = _wide_terms_split(inner, printer, width)
    lines, current = [], opening
    for piece in pieces:
        if current not in ("", opening) and visible_width(current + piece) > width:
            lines.append(current)
            current = ""
        current = (current + " " + piece).strip()
    lines.append(current + closing)
    return tuple(lines)
