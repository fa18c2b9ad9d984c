r"""How a mathematician writes symbol names, and text escaped for LaTeX.

``sigma_1`` -> ``\sigma_{1}``, ``lam`` -> ``\lambda``, ``s1`` -> ``s_{1}``, ``x0_1`` ->
``x_{0,1}``, ``shape_2`` -> ``\mathit{shape}_{2}``.  The mapping is given to sympy's
``LatexPrinter`` as its ``symbol_names`` setting.
"""

from __future__ import annotations

import re
import unicodedata
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
                 "|": r"$|$", "·": r"$\cdot$", "∂": r"$\partial$", "∫": r"$\int$",
                 "∑": r"$\sum$", "∏": r"$\prod$", "√": r"$\surd$", "∈": r"$\in$",
                 "∉": r"$\notin$", "≠": r"$\ne$", "≈": r"$\approx$", "±": r"$\pm$",
                 "∇": r"$\nabla$", "‖": r"$\|$", "∩": r"$\cap$", "∪": r"$\cup$",
                 "⊂": r"$\subset$", "∅": r"$\emptyset$", "⁻": r"$^{-}$", "⁺": r"$^{+}$",
                 "ᵀ": r"$^{\top}$", "′": r"$'$", "…": r"\ldots{}", "−": "-", "∖": r"$\setminus$",
                 "\u2019": "'", "\u2018": "`", "\u201c": "``", "\u201d": "''", "\u00a0": "~",
                 "ε": r"$\varepsilon$", "ϑ": r"$\vartheta$", "φ": r"$\phi$"}
#: LaTeX accents by the Unicode combining mark of an accented letter (é = e + U+0301).
_ACCENTS = {"\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0308": '"',
            "\u0304": "=", "\u0307": ".", "\u030a": "r", "\u030c": "v", "\u0327": "c",
            "\u0306": "u", "\u030b": "H"}
#: Capital Greek letters that look like Latin ones (LaTeX has no command for them).
_LATIN_CAPITALS = {"Alpha": "A", "Beta": "B", "Epsilon": "E", "Zeta": "Z", "Eta": "H",
                   "Iota": "I", "Kappa": "K", "Mu": "M", "Nu": "N", "Omicron": "O", "Rho": "P",
                   "Tau": "T", "Chi": "X"}
_SCRIPT_DIGITS = {**{ch: f"$^{{{d}}}$" for d, ch in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")},
                  **{ch: f"$_{{{d}}}$" for d, ch in enumerate("₀₁₂₃₄₅₆₇₈₉")}}


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
    star = name.endswith("*")
    if star:  # mu^* (a matched parameter) -> \mu^{*}
        tex = symbol_latex(name.rstrip("*").removesuffix("^") or "x")
        return tex + "^{*}"
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
    r"""``text`` safe inside ``\text{...}`` for pdflatex: special characters escaped; Greek
    letters, super- and subscript digits and a few symbols as math; accented letters as LaTeX
    accents (Rényi -> R\'{e}nyi); any other non-ASCII character as its ASCII fold or ``?``."""
    return "".join(_char_escape(ch) for ch in text)


def _char_escape(ch: str) -> str:
    """One character of :func:`text_escape`."""
    if ch in _TEXT_ESCAPES:
        return _TEXT_ESCAPES[ch]
    if ch.isascii():
        return ch
    if ch in _SCRIPT_DIGITS:
        return _SCRIPT_DIGITS[ch]
    greek = _greek_command(ch)
    if greek is not None:
        return f"${greek}$"
    decomposed = unicodedata.normalize("NFD", ch)
    if len(decomposed) == 2 and decomposed[0].isascii() and decomposed[1] in _ACCENTS:
        return "\\" + _ACCENTS[decomposed[1]] + "{" + decomposed[0] + "}"
    folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return "".join(_TEXT_ESCAPES.get(c, c) for c in folded) or "?"


def _greek_command(ch: str) -> str | None:
    r"""``α`` -> ``\alpha``, ``Σ`` -> ``\Sigma`` (None when ``ch`` is not a Greek letter
    LaTeX has a command for: capital alpha is an A)."""
    parts = unicodedata.name(ch, "").split()
    if len(parts) != 4 or parts[:2] != ["GREEK", "SMALL" if ch.islower() else "CAPITAL"]:
        return None
    word = parts[3].lower().replace("lamda", "lambda")
    if ch.islower() and word in GREEK:
        return "\\" + word
    word = word.capitalize()
    if word in UPPER_GREEK:
        return "\\" + word
    latin = _LATIN_CAPITALS.get(word)
    return None if latin is None else r"\mathrm{" + latin + "}"
