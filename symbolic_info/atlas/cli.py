"""Command line: ``symbolic-info atlas --out DIR [--families a,b | all] [--quantities entropy,kl]
[--jobs N] [--scheduler ADDRESS] [--timeout S] [--no-progress] [--no-pdf]``, writing
``DIR/atlas.json``, the site ``DIR/index.html`` (and its cell pages) and the book
``DIR/atlas.tex`` (``DIR/atlas.pdf`` where pdflatex is installed).

Without ``--families`` the atlas is a small default one (:data:`DEFAULT_FAMILIES`, about a
minute on a fresh machine); ``--families all`` is every built-in family.

:func:`register_cli` adds the command to the main click group (``symbolic_info.cli.cli``).
"""

from __future__ import annotations

from pathlib import Path

import click

DEFAULT_FAMILIES = ("normal", "exponential", "gamma", "laplace", "uniform", "bernoulli")


def _names(text: str | None) -> list[str] | None:
    if text is None:
        return list(DEFAULT_FAMILIES)
    if text.strip().lower() == "all":
        return None
    names = [n.strip().lower().replace("-", "_") for n in text.split(",") if n.strip()]
    if not names:
        raise click.BadParameter("give at least one name", param_hint="'--families'")
    return names


def scheduler_client(address: str):
    """A ``distributed.Client`` connected to the scheduler at ``address``."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise click.BadParameter("needs dask.distributed (pip install 'symbolic_info[dask]')",
                                 param_hint="'--scheduler'") from exc
    try:
        return Client(address, timeout=10)
    except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, a bad address
        raise click.BadParameter(f"cannot connect to {address}: {type(exc).__name__}: {exc}",
                                 param_hint="'--scheduler'") from exc


@click.command(name="atlas")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory to write atlas.json into (created).")
@click.option("--families", default=None, metavar="A,B,...",
              help="Comma-separated families, or 'all' for every built-in family (default: "
                   + ", ".join(DEFAULT_FAMILIES) + ").")
@click.option("--quantities", default="entropy,kl", show_default=True, metavar="Q,...",
              help="Comma-separated quantities: entropies and divergences (every ordered pair).")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Local worker processes (default: the number of cores).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run on the Dask scheduler at ADDRESS (tcp://host:port) instead.")
@click.option("--timeout", default=30.0, show_default=True,
              type=click.FloatRange(min=0, min_open=True),
              help="CPU-time budget of each cell, seconds.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option("--no-pdf", is_flag=True, help="Write atlas.tex without compiling it.")
def atlas_command(out: Path, families: str | None, quantities: str, jobs: int | None,
                  scheduler: str | None, timeout: float, no_progress: bool,
                  no_pdf: bool) -> None:
    """Derive the atlas: each family's entropy and every ordered pair's divergences."""
    from . import atlas

    names = _names(families)
    wanted = [q.strip().lower().replace("-", "_") for q in quantities.split(",") if q.strip()]
    if out.exists() and not out.is_dir():
        raise click.BadParameter(f"{out} exists and is not a directory", param_hint="'--out'")
    client = scheduler_client(scheduler) if scheduler else None
    try:
        result = atlas(names, wanted, jobs=jobs, client=client, timeout=timeout,
                       progress=not no_progress)
    finally:
        if client is not None:
            client.close()
    path = result.to_json(out / "atlas.json")
    index = result.to_html(out)
    book = result.to_latex(out / "atlas.tex")
    written = [path, index, book]
    if not no_pdf:
        from .book import compile_book
        pdf = compile_book(book)
        if pdf is not None:
            written.append(pdf)
    s = result.stats
    counts = ", ".join(f"{n} {status}" for status, n in sorted(result.counts().items()))
    click.echo(f"{', '.join(map(str, written))}: {s.total} cells ({counts}); derived "
               f"{s.derived}, from the store {s.from_store}, failed {s.failed}; "
               f"{s.wall_seconds:.1f} s")


def register_cli(group: click.Group) -> None:
    """Add the ``atlas`` command to ``group``."""
    group.add_command(atlas_command)
