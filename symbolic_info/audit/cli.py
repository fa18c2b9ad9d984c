"""Command line: ``symbolic-info audit LIBRARY [--json FILE] [--html DIR] [--jobs N]
[--scheduler ADDRESS] [--points N] [--seed S] [--no-progress]``: the report as a
Markdown table on stdout.

An unknown library is one line on stderr and exit status 2. :func:`register_cli` adds the
command to the main click group (``symbolic_info.cli.cli``).
"""

from __future__ import annotations

from pathlib import Path

import click

from ..atlas.cli import scheduler_client


@click.command(name="audit")
@click.argument("library")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write the report as JSON to FILE.")
@click.option("--html", "html_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Write the report as an HTML page into DIR.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Local worker processes (default: this process).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run on the Dask scheduler at ADDRESS instead.")
@click.option("--points", type=click.IntRange(min=1), default=20, show_default=True,
              help="Random points per formula.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def audit_command(library: str, json_path: Path | None, html_dir: Path | None,
                  jobs: int | None, scheduler: str | None, points: int, seed: int,
                  no_progress: bool) -> None:
    """Audit the KL divergences and entropies LIBRARY ships (torch, tfp, numpyro, scipy)."""
    from . import audit, libraries

    if library not in libraries():
        click.echo(f"symbolic-info audit: unknown library {library!r}; known: "
                   f"{', '.join(libraries())}", err=True)
        raise SystemExit(2)
    client = None
    if scheduler:
        client = scheduler_client(scheduler)
    try:
        report = audit(library, points=points, seed=seed, jobs=jobs, client=client,
                       progress=not no_progress)
    except ImportError as exc:
        click.echo(f"symbolic-info audit: {library} is not installed ({exc}); "
                   f"pip install 'symbolic_info[audit]'", err=True)
        raise SystemExit(2) from None
    finally:
        if client is not None:
            client.close()
    click.echo(report.to_markdown(), nl=False)
    if json_path is not None:
        report.to_json(json_path)
    if html_dir is not None:
        click.echo(str(report.to_html(html_dir)))


def register_cli(group: click.Group) -> None:
    """Add the ``audit`` command to ``group``."""
    group.add_command(audit_command)
