"""The scrutiny command line: thin wrappers, one library call each."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Callable

import click

from . import __version__
from .errors import ScrutinyError
from .pipeline import Build, BuildSummary, Limits, default_workers

DEFAULT_DB = "catalogue.db"
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


def _friendly_errors(command: Callable) -> Callable:
    """Turn library errors into a one-line message and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ScrutinyError as error:
            raise click.ClickException(str(error)) from None

    return wrapper


db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="The catalogue database file.",
)
host_option = click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
port_option = click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
metadata_option = click.option(
    "--metadata",
    "metadata_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Datasette metadata file (default: the project's metadata.yml).",
)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="scrutiny")
@click.option("-v", "--verbose", count=True, help="Log more (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Turn council committee papers and minutes into a searchable catalogue.

    \b
    Example:
        scrutiny demo            # build the bundled corpus and serve it
        scrutiny build papers/ --db kent.db
        scrutiny serve --db kent.db
    """
    level = logging.ERROR if quiet else [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"quiet": quiet}


def serve_catalogue(db_path: Path, **options) -> None:
    """Datasette is imported here, not at start-up: `scrutiny build` never needs it."""
    from .catalogue.serve import serve

    serve(db_path, **options)


workers_option = click.option(
    "--workers",
    "-j",
    type=click.IntRange(min=1),
    default=default_workers(),
    show_default="one per CPU",
    help="Documents to read at once, each in its own process (1: read here, no limits).",
)
time_limit_option = click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=Limits.seconds,
    show_default=True,
    help="Seconds one document may take to read before it is stopped and recorded as a problem.",
)
memory_limit_option = click.option(
    "--memory-limit",
    type=click.IntRange(min=1),
    default=Limits.memory_mb,
    show_default=True,
    help="Megabytes of memory reading one document may use before it is stopped.",
)


def _run_build(
    paths: tuple[Path, ...],
    db_path: Path,
    quiet: bool,
    workers: int | None = None,
    limits: Limits | None = None,
) -> BuildSummary:
    job = Build(paths or None, db_path, workers=workers, limits=limits)
    if quiet:
        for _ in job.run():
            pass
        return job.summary
    with click.progressbar(
        job.run(),
        length=len(job),
        label=f"Building {db_path}",
        item_show_func=lambda outcome: outcome and Path(outcome.path).name,
    ) as outcomes:
        for _ in outcomes:
            pass
    click.echo(str(job.summary))
    for problem in job.summary.problems:
        where = f" page {problem.page}" if problem.page else ""
        click.echo(f"  problem: {problem.path}{where}: {problem.error}", err=True)
    return job.summary


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@db_option
@workers_option
@time_limit_option
@memory_limit_option
@click.pass_context
@_friendly_errors
def build(
    ctx: click.Context,
    paths: tuple[Path, ...],
    db_path: Path,
    workers: int,
    time_limit: float,
    memory_limit: int,
) -> None:
    """Build or update a catalogue from PDF, HTML and text files.

    Reads every .pdf, .html/.htm and .txt file under PATHS (default: the bundled
    sample corpus). Files already in the catalogue with the same content are not
    read again; changed files replace their old records. A file that can't be read
    is recorded in the problems table and the build carries on. Documents are read
    in parallel, each within a time and memory limit; only one build at a time may
    update a catalogue.

    \b
    Example:
        scrutiny build corpus/ --db catalogue.db
        scrutiny build ~/papers/doncaster ~/papers/rotherham --db sy.db --workers 4
    """
    _run_build(
        paths,
        db_path,
        ctx.obj["quiet"],
        workers=workers,
        limits=Limits(seconds=time_limit, memory_mb=memory_limit),
    )


@cli.command()
@db_option
@host_option
@port_option
@metadata_option
@_friendly_errors
def serve(db_path: Path, host: str, port: int, metadata_path: Path | None) -> None:
    """Publish a catalogue with Datasette: browse, facet and full-text search it.

    \b
    Example:
        scrutiny serve --db catalogue.db --port 8001
        then open http://127.0.0.1:8001/
    """
    click.echo(f"Serving {db_path} at http://{host}:{port}/ (Ctrl+C to stop)")
    serve_catalogue(db_path, host=host, port=port, metadata_path=metadata_path)


@cli.command()
@db_option
@host_option
@port_option
@click.pass_context
@_friendly_errors
def demo(ctx: click.Context, db_path: Path, host: str, port: int) -> None:
    """Build the bundled sample corpus into a catalogue and serve it.

    \b
    Example:
        scrutiny demo
        then open http://127.0.0.1:8001/ and search for "re-referrals"
    """
    _run_build((), db_path, ctx.obj["quiet"])
    click.echo(f"Serving {db_path} at http://{host}:{port}/ (Ctrl+C to stop)")
    serve_catalogue(db_path, host=host, port=port)
