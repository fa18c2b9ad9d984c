"""export(): a standalone module that runs where sympy and symbolic_info cannot be imported,
and agrees with Derivation.lambdify (to 1e-14 relative; the same printed expression).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from optional import needs

from symbolic_info.errors import InvalidParameter
from symbolic_info.numeric.export import export, module_source
from symbolic_info.numeric.printing import UnsupportedFunction

CASES = {"kl_normal": ("kl", "normal", "normal"), "kl_gamma": ("kl", "gamma", "gamma"),
         "beta_entropy": ("entropy", "beta", None),
         "kl_bernoulli": ("kl", "bernoulli", "bernoulli"),
         "kl_uniform": ("kl", "uniform", "uniform")}
POINTS = {"kl_normal": [[0.1, 1.2, -0.3, 0.8], [2.0, 0.5, 0.0, 3.0]],
          "kl_gamma": [[0.7, 1.5, 2.5, 0.4], [30.0, 2.0, 1.1, 0.9]],
          "beta_entropy": [[0.5, 2.0], [1.4616, 40.0]],
          "kl_bernoulli": [[0.2, 0.7], [0.0, 0.3], [0.4, 0.0]],
          "kl_uniform": [[0.0, 1.0, -1.0, 2.0], [0.0, 3.0, -1.0, 2.0]]}

RUNNER = textwrap.dedent('''
    import importlib.abc, importlib.util, json, sys

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("sympy", "symbolic_info"):
                raise ImportError(f"{name} is blocked in this test")
            return None

    sys.meta_path.insert(0, Block())
    for name in list(sys.modules):
        if name.split(".")[0] in ("sympy", "symbolic_info"):
            del sys.modules[name]
    try:
        import sympy  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("sympy still importable")
    spec = importlib.util.spec_from_file_location("exported", sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    points = json.loads(sys.argv[2])
    out = {name: [float(getattr(module, name)(*row)) for row in rows]
           for name, rows in points.items()}
    out["__vector__"] = getattr(module, "kl_normal")([0.0, 1.0], 1.0, 0.0, [[1.0], [2.0]]).tolist()
    out["__doc__"] = module.kl_normal.__doc__
    print(json.dumps(out))
''')


def run_blocked(path) -> dict:
    done = subprocess.run([sys.executable, "-c", RUNNER, str(path), json.dumps(POINTS)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("backend", ["numpy", pytest.param("numba", marks=needs("numba"))])
def test_exported_module_runs_without_sympy(tmp_path, derive, backend):
    derivations = {name: derive(*case) for name, case in CASES.items()}
    path = export(derivations, tmp_path / f"info_{backend}.py", backend=backend)
    text = path.read_text()
    assert "import sympy" not in text and "import symbolic_info" not in text
    got = run_blocked(path)
    for name, rows in POINTS.items():
        f = derivations[name].lambdify(backend)
        expected = [float(f(*row)) for row in rows]
        np.testing.assert_allclose(got[name], expected, rtol=1e-14, atol=0)
    f = derivations["kl_normal"].lambdify()
    np.testing.assert_allclose(got["__vector__"],
                               f(np.array([0.0, 1.0]), 1.0, 0.0, np.array([[1.0], [2.0]])),
                               rtol=1e-14)
    assert "Formula:" in got["__doc__"] and "LaTeX:" in got["__doc__"]
    assert "\\sigma_{2}" in got["__doc__"]


def test_names_come_from_derivations_or_dict_keys(derive):
    d = derive("kl", "normal", "normal")
    assert f"def {d.name}(" in module_source(d)
    assert f"def {d.name}(" in module_source([d, derive("entropy", "beta")])
    assert "def my_kl(mu_1, sigma_1, mu_2, sigma_2):" in module_source({"my_kl": d})
    with pytest.raises(InvalidParameter, match="two derivations"):
        module_source([d, d])
    with pytest.raises(InvalidParameter, match="identifier"):
        module_source({"not valid": d})
    with pytest.raises(InvalidParameter, match="backend"):
        module_source(d, backend="fortran")


def test_results_without_closed_form_are_refused(derive):
    import symbolic_info as si
    d = si.entropy(si.family("poisson", lam="mu"))
    # the Poisson entropy keeps the series sum_k p(k) log k!: no elementary closed form
    assert d.status == "no_closed_form", d.status
    with pytest.raises(UnsupportedFunction, match="Integral or Sum"):
        module_source(d)


def test_export_cli(tmp_path):
    import click
    from click.testing import CliRunner

    from symbolic_info.numeric.export_cli import register_cli

    @click.group()
    def group():
        pass

    register_cli(group)
    out = tmp_path / "kl.py"
    result = CliRunner().invoke(group, ["export", "kl", "normal", "normal", "-o", str(out),
                                        "--name", "kl_nn"])
    assert result.exit_code == 0, result.output
    assert "def kl_nn(mu_1, sigma_1, mu_2, sigma_2):" in out.read_text()
