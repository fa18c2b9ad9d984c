"""torch and jax evaluators of a :class:`StableForm`: the numpy backend's branches as ``where``.

The numpy code (:mod:`.codegen`) evaluates the near-equality series and the Stirling form on
the subsets of points that need them; an autodiff library must instead evaluate every branch
everywhere and select, differentiably, with ``where``. :func:`tensor_function` writes

    out = direct                                       (the rewritten closed form)
    out = where(large, stirling form, out)             (some log Γ/ψ argument ≥ LARGE)
    near = out < GATE
    δ = where(near, θ_Q - θ_P, 0)                      (the double where)
    out = where(near and last terms ≤ eps·scale, Σ c_k(θ_P, δ), out)

The gradient of ``where(c, a, b)`` is ``where(c, a', b')`` computed as a' · c + b' · (1 - c), so
an overflowing unselected branch (the series' δ¹² terms far from P = Q, 1/z¹⁵ in a Stirling
remainder at small z) would give 0 · inf = nan: the inner ``where`` moves such a branch to a
point where it is finite (δ = 0: every term is 0; z = LARGE) before it is evaluated. The
Stirling and direct forms are both finite wherever the result is, so the large-argument switch
needs no inner ``where``. ``eps`` is :data:`.stable.EPS` scaled to the tensors' dtype (the
series' criterion is the direct form's rounding error, ~10⁶ times larger in float32).

Arguments may mix Python numbers, numpy arrays and tensors: all are converted to the floating
dtype and the device of the tensors among them (torch: ``torch.promote_types`` of their
floating dtypes; jax: ``jax.numpy.result_type``), or to float64 (torch) / jax's default float
when there is none. The source names only ``math`` and ``torch`` (or ``jax``), so
:func:`symbolic_info.numeric.export.export` writes it as a standalone module.
"""

from __future__ import annotations

import inspect

import sympy as sp
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from sympy.printing.numpy import JaxPrinter
from sympy.printing.pytorch import TorchPrinter

from .codegen import near_parts
from .printing import UnsupportedFunction, calls_by_name, polygamma_order
from .remainders import TERMS, THRESHOLD, coefficients
from .stable import EPS, GATE, StableForm

LIBRARIES = ("torch", "jax")
INDENT = "    "

_CALLS = {
    "torch": {"xlogy": "torch.special.xlogy", "xlog1py": "torch.special.xlog1py",
              "log1p": "torch.log1p", "expm1": "torch.expm1",
              "loggamma": "torch.special.gammaln", "erf": "torch.special.erf",
              "erfc": "torch.special.erfc", "Max": "_maximum", "Min": "_minimum",
              "gamma": "_gamma",
              "stirling_remainder": "stirling_remainder",
              "digamma_remainder": "digamma_remainder", "exp_e1": "exp_e1",
              "ive": "ive", "ive_difference": "ive_difference"},
    "jax": {"xlogy": "jax.scipy.special.xlogy", "xlog1py": "jax.scipy.special.xlog1py",
            "log1p": "jax.numpy.log1p", "expm1": "jax.numpy.expm1",
            "loggamma": "jax.scipy.special.gammaln", "erf": "jax.scipy.special.erf",
            "erfc": "jax.scipy.special.erfc", "Max": "_maximum", "Min": "_minimum",
            "gamma": "jax.scipy.special.gamma",
            "stirling_remainder": "stirling_remainder",
            "digamma_remainder": "digamma_remainder", "exp_e1": "exp_e1",
            "ive": "ive", "ive_difference": "ive_difference"},
}
_DIGAMMA = {"torch": "_digamma", "jax": "jax.scipy.special.digamma"}
#: ψ'(x) = ζ(2, x): torch's own polygamma(1, ·) is ~5e-10 relative, its Hurwitz zeta exact
_TRIGAMMA = {"torch": "torch.special.zeta(2.0, {})", "jax": "jax.scipy.special.polygamma(1, {})"}
_POLYGAMMA = {"torch": "torch.special.polygamma", "jax": "jax.scipy.special.polygamma"}
_WHERE = {"torch": "torch.where", "jax": "jax.numpy.where"}


def _printer_class(library: str) -> type:
    base = TorchPrinter if library == "torch" else JaxPrinter

    class Printer(calls_by_name(_CALLS[library]), base):
        """The library's sympy printer; special functions fully qualified, Max/Min and
        Piecewise through helpers that accept Python numbers, polygamma by integer order."""

        def _print_polygamma(self, e):
            n = polygamma_order(e.args[0])
            if n is None:
                raise UnsupportedFunction(f"backend {library!r}: polygamma({e.args[0]}, ·) "
                                          f"needs a non-negative integer order")
            if n == 0:
                return f"{_DIGAMMA[library]}({self._print(e.args[1])})"
            if n == 1:
                return _TRIGAMMA[library].format(self._print(e.args[1]))
            return f"{_POLYGAMMA[library]}({n}, {self._print(e.args[1])})"

        def _print_Or(self, e):
            return self._logical("logical_or", e)

        def _print_And(self, e):
            return self._logical("logical_and", e)

        def _logical(self, name: str, e) -> str:
            """Nested binary logical operations (arguments of different shapes broadcast;
            sympy's jax printer stacks them into one array, which needs equal shapes)."""
            module = "torch" if library == "torch" else "jax.numpy"
            text = self._print(e.args[0])
            for a in e.args[1:]:
                text = f"{module}.{name}({text}, {self._print(a)})"
            return text

        def _print_factorial(self, e):
            return self._print(sp.gamma(e.args[0] + 1))

        def _print_beta(self, e):
            """B(a, b) = exp(log Γ(a) + log Γ(b) - log Γ(a + b)) (positive a, b)."""
            a, b = e.args
            return self._print(sp.exp(sp.loggamma(a) + sp.loggamma(b) - sp.loggamma(a + b)))

        def _print_Piecewise(self, e):
            *cases, (last, condition) = e.args
            if condition != sp.true:
                cases.append((last, condition))
                last = sp.nan
            text = self._print(last)
            for value, condition in reversed(cases):
                text = f"_where({self._print(condition)}, {self._print(value)}, {text})"
            return text

    return Printer


def tensor_code(expr: sp.Expr, library: str) -> str:
    """``expr`` as torch or jax code (Python numbers allowed where the helpers take them)."""
    if expr.has(sp.Integral, sp.Sum):
        raise UnsupportedFunction(f"backend {library!r} needs a closed form; this result "
                                  f"keeps an Integral or Sum (use backend='numpy')")
    constants = [e for e in expr.atoms(sp.Function, sp.Pow) if e.is_number]
    expr = expr.xreplace({e: e.evalf(17) for e in constants})  # log(2π): a float, no tensor
    printer = _printer_class(library)({"fully_qualified_modules": True, "strict": True})
    try:
        return printer.doprint(expr)
    except PrintMethodNotImplementedError:
        names = sorted({type(f).__name__ for f in expr.atoms(sp.Function)
                        if not _printable(f, library)})
        raise UnsupportedFunction(f"backend {library!r} cannot evaluate "
                                  f"{', '.join(names) or 'this expression'}") from None


def _printable(f: sp.Expr, library: str) -> bool:
    """Whether the function application ``f`` prints on its own (for naming the culprits)."""
    printer = _printer_class(library)({"fully_qualified_modules": True, "strict": True})
    try:
        printer.doprint(f)
    except PrintMethodNotImplementedError:
        return False
    return True


def _remainder_source(library: str) -> str:
    """R(z) and S(z) of :mod:`.remainders` with the double ``where``: the series at
    max(z, THRESHOLD), the defining difference at min(z, THRESHOLD)."""
    r, s = coefficients()  # the same Bernoulli coefficients as numpy and numba
    assert len(r) == TERMS

    def horner(coefficients):
        text = coefficients[-1]
        for c in reversed(coefficients[:-1]):
            text = f"({c} + w * {text})"
        return text

    half_log_2pi = repr(float(sp.log(2 * sp.pi) / 2))
    where = _WHERE[library]
    lgamma = _CALLS[library]["loggamma"]
    log = "torch.log" if library == "torch" else "jax.numpy.log"
    return f'''

def stirling_remainder(z):
    big = z >= {THRESHOLD!r}
    zb = {where}(big, z, {THRESHOLD!r})
    zs = {where}(big, {THRESHOLD!r}, z)
    w = 1.0 / (zb * zb)
    return {where}(big, {horner(r)} / zb,
                   {lgamma}(zs) - (zs - 0.5) * {log}(zs) + zs - {half_log_2pi})


def digamma_remainder(z):
    big = z >= {THRESHOLD!r}
    zb = {where}(big, z, {THRESHOLD!r})
    zs = {where}(big, {THRESHOLD!r}, z)
    w = 1.0 / (zb * zb)
    return {where}(big, {horner(s)} * w, {_DIGAMMA[library]}(zs) - {log}(zs) + 0.5 / zs)
'''


_TORCH_HEADER = '''import math

import torch


def _promote(*values):
    """The values as tensors of the tensors' floating dtype and device (float64 if none)."""
    tensors = [v for v in values if isinstance(v, torch.Tensor)]
    floating = [t.dtype for t in tensors if t.is_floating_point()]
    dtype = torch.float64
    if floating:
        dtype = floating[0]
        for other in floating[1:]:
            dtype = torch.promote_types(dtype, other)
    device = tensors[0].device if tensors else None
    return tuple(torch.as_tensor(v, dtype=dtype, device=device) for v in values)


def _like(value, *tensors):
    """value as a tensor of the broadcast shape, dtype and device of ``tensors``."""
    ref = tensors[0]
    value = torch.as_tensor(value, dtype=ref.dtype, device=ref.device)
    return value.expand(torch.broadcast_shapes(value.shape, *(t.shape for t in tensors)))


def _where(condition, a, b):
    if not isinstance(a, torch.Tensor) and not isinstance(b, torch.Tensor):
        a = torch.as_tensor(a, dtype=torch.float64)
    return torch.where(condition, a, b)


def _maximum(a, *rest):
    for b in rest:
        a = torch.maximum(*_pair(a, b))
    return a


def _minimum(a, *rest):
    for b in rest:
        a = torch.minimum(*_pair(a, b))
    return a


def _pair(a, b):
    ref = a if isinstance(a, torch.Tensor) else b
    return (torch.as_tensor(a, dtype=ref.dtype, device=ref.device),
            torch.as_tensor(b, dtype=ref.dtype, device=ref.device))


def _zeros(out):
    return torch.zeros_like(out)


def _gamma(x):
    """Γ(x) as ±exp(log|Γ(x)|): Γ < 0 on (-1, 0), (-3, -2), ..."""
    negative = (x < 0) & (torch.remainder(torch.floor(x), 2) == 1)
    return torch.where(negative, -1.0, 1.0).to(x.dtype) * torch.exp(torch.special.gammaln(x))


class _Digamma(torch.autograd.Function):
    """ψ with the derivative ζ(2, x) (torch's polygamma(1, ·), its own backward, is ~5e-10
    relative); twice differentiable (ζ is)."""

    generate_vmap_rule = True

    @staticmethod
    def forward(x):
        return torch.special.digamma(x)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * torch.special.zeta(2.0, x)


def _digamma(x):
    return _Digamma.apply(x)


def _eps(out):
    return {EPS!r} * torch.finfo(out.dtype).eps / 2.220446049250313e-16
'''.replace("{EPS!r}", repr(EPS))

_JAX_HEADER = '''import math

import jax
import jax.numpy
import jax.scipy.special


def _promote(*values):
    """The values as arrays of the arrays' floating dtype (jax's default float if none)."""
    floating = [v.dtype for v in values if isinstance(v, jax.Array)
                and jax.numpy.issubdtype(v.dtype, jax.numpy.floating)]
    dtype = jax.numpy.result_type(*floating) if floating else jax.numpy.result_type(float)
    return tuple(jax.numpy.asarray(v, dtype=dtype) for v in values)


def _like(value, *arrays):
    """value as an array of the broadcast shape and dtype of ``arrays``."""
    value = jax.numpy.asarray(value, dtype=arrays[0].dtype)
    return jax.numpy.broadcast_to(value, jax.numpy.broadcast_shapes(
        value.shape, *(a.shape for a in arrays)))


def _where(condition, a, b):
    return jax.numpy.where(condition, a, b)


def _maximum(a, *rest):
    for b in rest:
        a = jax.numpy.maximum(a, b)
    return a


def _minimum(a, *rest):
    for b in rest:
        a = jax.numpy.minimum(a, b)
    return a


def _zeros(out):
    return jax.numpy.zeros_like(out)


def _eps(out):
    return {EPS!r} * jax.numpy.finfo(out.dtype).eps / 2.220446049250313e-16
'''.replace("{EPS!r}", repr(EPS))


#: the functions of :mod:`.array_special`, each bound to the library under its own name
ARRAY_SPECIAL = ("exp_e1", "ive", "ive_difference")


def _exp_e1_source(library: str) -> str:
    """e^z E1(z), e^-z I_nu(z) and its difference of :mod:`.array_special`, its text copied
    (it imports only ``math`` and the library)."""
    from . import array_special
    text = inspect.getsource(array_special).replace("from __future__ import annotations\n", "")
    for name in ARRAY_SPECIAL:
        text = text.replace(f"def {name}(library: str):", f"def _{name}_of(library: str):")
    bound = "".join(f"{name} = _{name}_of({library!r})\n" for name in ARRAY_SPECIAL)
    return f"\n\n{text}\n\n{bound}"


def header(library: str) -> str:
    """Imports and helpers every generated function of ``library`` uses."""
    if library not in LIBRARIES:
        raise ValueError(f"unknown library {library!r}; known: {', '.join(LIBRARIES)}")
    return ((_TORCH_HEADER if library == "torch" else _JAX_HEADER) + _remainder_source(library)
            + _exp_e1_source(library))


def tensor_function(name: str, args: list[str], form: StableForm, mapping: dict,
                    library: str, doc: str = "") -> str:
    """``def name(args)``: torch or jax code for ``form`` with its branches as ``where``
    (see the module docstring; symbols renamed by ``mapping``)."""
    def code(e: sp.Expr) -> str:
        return tensor_code(e, library)

    direct = form.direct.xreplace(mapping)
    lines = []
    if form.large is not None:
        lines += [f"def _{name}_large({', '.join(args)}):",
                  f"{INDENT}return {code(form.large.form.xreplace(mapping))}", "", ""]
    lines.append(f"def {name}({', '.join(args)}):")
    if doc:
        lines.append(INDENT + doc)
    if not args:
        lines.append(f"{INDENT}return _promote({code(direct)})[0]")
        return "\n".join(lines) + "\n"
    lines.append(f"{INDENT}{', '.join(args)}, = _promote({', '.join(args)})")
    lines.append(f"{INDENT}out = _like({code(direct)}, {', '.join(args)})")
    if form.large is not None:
        condition = code(form.large.condition.xreplace(mapping))
        lines.append(f"{INDENT}out = _where({condition}, _{name}_large({', '.join(args)}), "
                     f"out)")
    if form.near is not None:
        steps, names, last, scale = near_parts(form.near, mapping)
        differences = len(form.near.differences)
        lines.append(f"{INDENT}_near = out < {GATE!r}")
        for k, (target, e) in enumerate(steps):
            text = code(e)
            if k < differences:  # δ: the double where (every term vanishes at δ = 0)
                text = f"_where(_near, {text}, _zeros(out))"
            lines.append(f"{INDENT}{target} = {text}")
        lines += [f"{INDENT}_taylor = {' + '.join(reversed(names))}",
                  f"{INDENT}_last = _maximum({', '.join(f'abs({n})' for n in last)})",
                  f"{INDENT}out = _where(_near & (_last <= _eps(out) * {scale}), _taylor, out)"]
    lines.append(f"{INDENT}return out")
    return "\n".join(lines) + "\n"


def tensor_evaluator(derivation, parameters, library: str):
    """(core function, source) of ``derivation`` for ``library``: the stable form's code
    executed in a namespace holding only the header's names."""
    import importlib

    from .stable import stable_form
    try:
        importlib.import_module(library)
    except ImportError as exc:
        raise ImportError(f"backend {library!r} needs {library} installed") from exc
    form = stable_form(derivation)
    if form.direct.has(sp.Integral, sp.Sum):
        raise NotImplementedError(f"backend {library!r} needs a closed form; this result "
                                  f"keeps an Integral or Sum (use backend='numpy')")
    args = [f"_a{k}" for k in range(len(parameters))]
    mapping = dict(zip(parameters, map(sp.Symbol, args)))
    source = tensor_function("_evaluate", args, form, mapping, library)
    namespace: dict = {}
    exec(compile(header(library) + "\n\n" + source, f"<{library} backend>", "exec"),
         namespace)
    return namespace["_evaluate"], source


__all__ = ["LIBRARIES", "header", "tensor_code", "tensor_evaluator", "tensor_function"]
