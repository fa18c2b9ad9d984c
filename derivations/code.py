"""Run the lecture's code samples as printed, then with the smallest repairs, and read the output.

Python samples run in a fresh interpreter (``sys.executable``); Rust samples are compiled with
``rustc`` when it is installed.  Without ``rustc`` the known Rust defects are found by
inspecting the source (the report says which route was taken).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

TIMEOUT = 60


@dataclass(frozen=True)
class Run:
    """One run of a program: did it run, what it printed, the first error if any."""

    ok: bool
    stdout: str
    error: str = ""
    errors: tuple[str, ...] = field(default=())

    def printed(self, label: str) -> str | None:
        """The value printed after ``label`` (``"CE loss:"`` -> ``"0.2231..."``)."""
        for line in self.stdout.splitlines():
            if line.startswith(label):
                return line[len(label):].strip()
        return None


def run_python(source: str) -> Run:
    """Run ``source`` in a fresh interpreter; the error is the last line of the traceback."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.py"
        path.write_text(source)
        proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                              timeout=TIMEOUT, cwd=tmp)
    error = ""
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        where = [ln.strip() for ln in lines if ln.strip().startswith("File ")]
        line_no = re.search(r"line (\d+)", where[-1]) if where else None
        error = lines[-1] if lines else f"exit status {proc.returncode}"
        if line_no:
            error += f" (line {line_no.group(1)})"
    return Run(proc.returncode == 0, proc.stdout, error)


def rustc() -> str | None:
    return shutil.which("rustc")


def run_rust(source: str) -> Run:
    """Compile ``source`` with rustc and run it; ``errors`` are rustc's error lines."""
    compiler = rustc()
    if compiler is None:
        raise FileNotFoundError("rustc is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        path, exe = Path(tmp) / "sample.rs", Path(tmp) / "sample"
        path.write_text(source)
        proc = subprocess.run([compiler, "--edition", "2021", "-O", "-o", str(exe), str(path)],
                              capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp)
        if proc.returncode != 0:
            errors = _rustc_errors(proc.stderr)
            return Run(False, "", errors[0] if errors else "rustc failed", tuple(errors))
        out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=TIMEOUT)
    return Run(out.returncode == 0, out.stdout, out.stderr.strip())


def _rustc_errors(stderr: str) -> list[str]:
    """``error...: message (line N: source)`` for each error rustc reports."""
    found, lines = [], stderr.splitlines()
    for k, line in enumerate(lines):
        if line.startswith("error") and "aborting due to" not in line:
            where = next((m for m in (re.match(r"\s*--> [^:]+:(\d+):", ln)
                                      for ln in lines[k + 1:k + 3]) if m), None)
            found.append(line + (f" (line {where.group(1)})" if where else ""))
    return found


# -- the repairs: each is (what was wrong, pattern, replacement) ---------------------------------
PYTHON_REPAIRS = (
    ("`q + 1e-10` adds a float to a Python list (TypeError); the list must be an array",
     r"np\.log\(q \+ 1e-10\)", "np.log(np.array(q) + 1e-10)"),
)
RUST_REPAIRS = (
    ("the closure pattern `|(&pi, &qi|` is missing its `)`",
     r"\|\(&pi, &qi\| ", "|(&pi, &qi)| "),
    ("`# 1.0` is not a Rust comment (`//` is)", r"; # 1\.0", "; // 1.0"),
    ("`println!(\"label:\", x)` has no `{}` for its argument",
     r'println!\("([^"{}]*:)", ', r'println!("\1 {}", '),
    ("`yp.ln()` and `sigma.powi(2)` call methods on literals of ambiguous float type",
     r"let (y_pred|sigma) = ", r"let \1: f64_TYPE = "),
)


def repair(source: str, repairs) -> tuple[str, list[str]]:
    """Apply each repair whose pattern occurs; return the new source and what was repaired."""
    done = []
    for what, pattern, replacement in repairs:
        new = re.sub(pattern, replacement, source)
        if new != source:
            done.append(what)
            source = new
    source = source.replace("let y_pred: f64_TYPE = ", "let y_pred: [f64; 2] = ")
    source = source.replace("let sigma: f64_TYPE = ", "let sigma: f64 = ")
    return source, done


def rust_errors_by_round(source: str) -> list[str]:
    """rustc's errors on the printed source, then after each repair in turn (rustc stops at
    the first syntax error, so later defects only show once the earlier ones are repaired)."""
    seen: list[str] = []
    for k in range(len(RUST_REPAIRS) + 1):
        attempt, _ = repair(source, RUST_REPAIRS[:k])
        run = run_rust(attempt)
        seen += [e for e in run.errors if e not in seen]
        if run.ok:
            break
    return seen


def static_rust_defects(source: str) -> list[str]:
    """The known defects found by inspection (used when rustc is not installed)."""
    return [what for what, pattern, _ in RUST_REPAIRS if re.search(pattern, source)]
