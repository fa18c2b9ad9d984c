r"""How a mathematician writes symbol names, and text escaped for LaTeX.

``sigma_1`` -> ``\sigma_{1}``, ``lam`` -> ``\lambda``, ``s1`` -> ``s_{1}``, ``x0_1`` ->
``x_{0,1}``, ``shape_2`` -> ``\mathit{shape}_{2}``.  The mapping is given to sympy's
``LatexPrinter`` as its ``symbol_names`` setting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sympy as sp

GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
    "xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega".split())
UPPER_GREEK = frozenset("Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split())
ALIASES = {"lam": r"\lambda", "lamda": r"\lambda", "Lam": r"\Lambda", "Lamda": r"\Lambda"}
_LETTERS_DIGITS = re.compile(r"([A-Za-z]+?)(\d+)")
_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                 "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                 "^": r"\textasciicircum{}", "×": r"$\times$", "⊆": r"$\subseteq$",
                 "⊄": r"$\not\subseteq$", "≤": r"$\le$", "≥": r"$\ge$", "–": "--",
                 "—": "---", "→": r"$\to$", "∞": r"$\infty$", "<": r"$<$", ">": r"$>$",
                 "|": r"$|$"}


def word_latex(word: str) -> str:
    r"""One name part: ``sigma`` -> ``\sigma``, ``x`` -> ``x``, ``rate`` -> ``\mathit{rate}``."""
    if word in ALIASES:
        return ALIASES[word]
    if word in GREEK or word in UPPER_GREEK:
        return "\\" + word
    if len(word) <= 1 or word.isdigit():
        return word
    return r"\mathit{" + word.replace("_", r"\_") + "}"


def symbol_latex(name: str) -> str:
    r"""The LaTeX for a symbol called ``name``; parts after ``_`` become one subscript.

    A head ending in digits (``s1``, ``x0``) is a letter with a subscript, unless the head is
    a word that keeps its digits (no such words are known, so all split).
    """
    head, *rest = name.split("_")
    subs = [part for part in rest if part]
    if not head:  # a name starting with "_": keep it readable rather than clever
        return r"\mathit{" + name.replace("_", r"\_") + "}"
    match = _LETTERS_DIGITS.fullmatch(head)
    if match:
        head, subs = match.group(1), [match.group(2), *subs]
    tex = word_latex(head)
    if subs:
        tex += "_{" + ",".join(word_latex(s) for s in subs) + "}"
    return tex


def symbol_names(symbols: Iterable[sp.Symbol]) -> dict[sp.Symbol, str]:
    """The ``symbol_names`` setting of sympy's LaTeX printer for ``symbols``."""
    return {s: symbol_latex(s.name) for s in symbols if isinstance(s, sp.Symbol)}


VARIABLE_LETTERS = ("x", "t", "u", "y", "z", "w", "v", "s")


def variable_name(variable, others: Iterable[sp.Symbol]):
    """A name for the integration variable that no other symbol of the derivation prints as
    (``x`` unless a parameter is called ``x``, then ``t``, ``u``, ...); for a tuple of
    variables a tuple of names ``x_1, ..., x_k`` with such a letter."""
    variables = variable if isinstance(variable, tuple) else (variable,)
    others = [s for s in others if s not in variables]
    taken = {symbol_latex(s.name) for s in others} | {symbol_latex(s.name.upper()) for s in others}

    def names(letter: str) -> tuple[str, ...]:
        if not isinstance(variable, tuple):
            return (letter,)
        return tuple(f"{letter}_{i}" for i in range(1, len(variables) + 1))

    for letter in VARIABLE_LETTERS:
        candidate = names(letter)
        if not any(symbol_latex(n) in taken or symbol_latex(n.upper()) in taken
                   for n in candidate):
            return candidate if isinstance(variable, tuple) else candidate[0]
    fallback = names(variables[0].name.split("_")[0] + "_" * 2)
    return fallback if isinstance(variable, tuple) else fallback[0]


def text_escape(text: str) -> str:
    r"""``text`` safe inside ``\text{...}`` (special characters escaped, a few symbols as math)."""
    return "".join(_TEXT_ESCAPES.get(ch, ch) for ch in text)
