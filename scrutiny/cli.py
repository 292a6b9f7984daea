"""The scrutiny command line: thin wrappers, one library call each."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

import click

from . import __version__
from .catalogue.measures import links_report
from .catalogue.quality import quality_report
from .errors import ScrutinyError
from .pipeline import Build, BuildSummary, Limits, OcrSettings, default_workers
from .registry import REVIEW_COLUMNS

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
files_option = click.option(
    "--files",
    "files",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder the catalogue was built from, served at /files/ so results link to the "
    "source PDF's page (repeat for more; default: the bundled sample corpus).",
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
        scrutiny fetch kent --committee cabinet --corpus papers/
        scrutiny build papers/ --db kent.db
        scrutiny serve --db kent.db
    """
    level = logging.ERROR if quiet else [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"quiet": quiet}


def serve_catalogue(db_path: Path, **options) -> None:
    """Datasette is imported here, not at start-up: `scrutiny build` never needs it."""
    from .catalogue.serve import serve

    serve(db_path, announce=click.echo, **options)


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
ocr_option = click.option(
    "--ocr",
    type=click.Choice(["auto", "always", "never"]),
    default=OcrSettings.mode,
    show_default=True,
    help="Read PDF pages by OCR (Tesseract): auto, those with no usable text (scans, garbled "
    "fonts); always, every page; never, none.",
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
    review: Path | None = None,
    ocr: str | None = None,
    **options,
) -> BuildSummary:
    job = Build(paths or None, db_path, workers=workers, limits=limits, review=review, ocr=ocr, **options)
    if quiet:
        for _ in job.run():
            pass
        return job.summary
    with click.progressbar(
        length=len(job),
        label=f"Building {db_path}",
        item_show_func=lambda outcome: outcome and _progress_name(outcome),
    ) as bar:
        for outcome in job.run():
            if outcome.ocr_waiting:  # its scanned pages are read later: one more step
                bar.length += 1
            bar.update(1, outcome)
    click.echo(str(job.summary))
    for problem in job.summary.problems:
        where = f" page {problem.page}" if problem.page else ""
        click.echo(f"  problem: {problem.path}{where}: {problem.error}", err=True)
    return job.summary


def _progress_name(outcome) -> str:
    name = Path(outcome.path).name
    return f"{name} (OCR)" if outcome.action == "ocr" else name


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@db_option
@workers_option
@time_limit_option
@memory_limit_option
@ocr_option
@click.option(
    "--review",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Review file of link decisions (default: <db>.review.csv beside the catalogue).",
)
@click.option(
    "--dask",
    metavar="ADDRESS",
    help="Read on a Dask cluster: its scheduler (tcp://host:8786), or local / local:N to start "
    "N worker processes here. Replaces --workers.",
)
@click.option(
    "--send-files",
    is_flag=True,
    help="With --dask: send the workers each file's bytes (they share no filesystem with this machine).",
)
@click.option(
    "--rehash",
    is_flag=True,
    help="Hash every file again, even one whose size and modification time are unchanged.",
)
@click.pass_context
@_friendly_errors
def build(
    ctx: click.Context,
    paths: tuple[Path, ...],
    db_path: Path,
    workers: int,
    time_limit: float,
    memory_limit: int,
    ocr: str,
    review: Path | None,
    dask: str | None,
    send_files: bool,
    rehash: bool,
) -> None:
    """Build or update a catalogue from PDF, HTML and text files.

    Reads every .pdf, .html/.htm and .txt file under PATHS (default: the bundled
    sample corpus). Files already in the catalogue with the same content are not
    read again; changed files replace their old records. A file that can't be read
    is recorded in the problems table and the build carries on. Documents are read
    in parallel, each within a time and memory limit; only one build at a time may
    update a catalogue. Then every reported measure is linked to the measure registry,
    respecting the decisions in the review file (see `scrutiny links`).

    PDF pages with no usable text (scans, fonts with no Unicode map) are read by OCR
    with Tesseract (install tesseract-ocr), after every document's text, in whichever
    workers are free; each such page is read once per version of its file.

    A file whose size and modification time are those of the last build is taken as
    unchanged without being opened (--rehash hashes every file). With --dask, documents
    are read on a Dask cluster, the spaCy steps too, each within the same limits.

    \b
    Example:
        scrutiny build corpus/ --db catalogue.db
        scrutiny build ~/papers/doncaster ~/papers/rotherham --db sy.db --workers 4
        scrutiny build ~/papers/archive --db archive.db --ocr always
        scrutiny build /shared/papers --db all.db --dask tcp://scheduler:8786
        scrutiny build papers/ --db kent.db --dask local:2
    """
    _run_build(
        paths,
        db_path,
        ctx.obj["quiet"],
        workers=workers,
        limits=Limits(seconds=time_limit, memory_mb=memory_limit),
        review=review,
        ocr=ocr,
        dask=dask,
        send_files=send_files,
        rehash=rehash,
    )


@cli.command()
@db_option
@host_option
@port_option
@metadata_option
@files_option
@_friendly_errors
def serve(
    db_path: Path, host: str, port: int, metadata_path: Path | None, files: tuple[Path, ...]
) -> None:
    """Publish a catalogue with Datasette: search, measures, compare, trace.

    The catalogue is opened read-only (immutable); serve it once its build has finished.
    Search results and values link to the source PDF at their page, served from --files.

    \b
    Example:
        scrutiny serve --db catalogue.db --port 8001
        scrutiny serve --db kent.db --files papers/
        then open http://127.0.0.1:8001/
    """
    serve_catalogue(db_path, host=host, port=port, metadata_path=metadata_path, files=files)


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
    serve_catalogue(db_path, host=host, port=port)


@cli.command()
@click.argument("catalogues", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@click.option(
    "--review",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Review file of link decisions (default: <db>.review.csv beside the catalogue).",
)
@click.pass_context
@_friendly_errors
def merge(ctx: click.Context, catalogues: tuple[Path, ...], db_path: Path, review: Path | None) -> None:
    """Merge catalogues built apart (one per council, on other machines) into one.

    Documents are matched by content (SHA-256): one already in --db is not copied again, its
    other path is kept. Every record is copied with its ids renumbered, then the measures are
    linked once for the whole catalogue. --db may exist already; the catalogues given are
    only read.

    \b
    Example:
        scrutiny merge kent.db medway.db --db south-east.db
        scrutiny merge councils/*.db --db all.db
    """
    from .pipeline import merge as merge_catalogues

    merged, summary = merge_catalogues(catalogues, db_path, review=review)
    if not ctx.obj["quiet"]:
        for one in merged:
            click.echo(f"{one.path}: {one.documents} documents copied, {one.duplicates} already in {db_path}")
        click.echo(str(summary))


@cli.command()
@db_option
@_friendly_errors
def quality(db_path: Path) -> None:
    """Report, per document, the indicator values found and whether each is grounded.

    Counts the values read from each document, how many have a period (and dates for
    it) and a target, how many the extractor is highly, fairly or little sure of (high,
    medium, low confidence), the numbers its tables print (table_cells), and how many
    values are ungrounded: their context is not on the page they cite, or the number is
    not written in its context. Exits with status 1 if any value is ungrounded (that is
    a bug in scrutiny: please report it).

    \b
    Example:
        scrutiny quality --db catalogue.db
    """
    if not db_path.exists():
        raise click.ClickException(f"No catalogue at {db_path}; run `scrutiny build --db {db_path}` first.")
    report = quality_report(db_path)
    if not report:
        click.echo("No indicator values in this catalogue.")
        return
    width = max(len(Path(row.path).name) for row in report)
    click.echo(f"{'document':<{width}}  values  period  dates  target  high  medium  low  cells  ungrounded")
    for row in report:
        click.echo(
            f"{Path(row.path).name:<{width}}  {row.values:>6}  {row.with_period:>6}  "
            f"{row.with_dates:>5}  {row.with_target:>6}  {row.high:>4}  {row.medium:>6}  {row.low:>3}  "
            f"{row.cells:>5}  {row.ungrounded:>10}"
        )
        for example in row.examples:
            click.echo(f"    ungrounded: {example}", err=True)
    total = sum(row.values for row in report)
    bad = sum(row.ungrounded for row in report)
    levels = ", ".join(f"{sum(getattr(row, level) for row in report)} {level}" for level in ("high", "medium", "low"))
    unrated = sum(row.unrated for row in report)
    click.echo(f"by confidence: {levels}" + (f", {unrated} not rated (read by an older scrutiny)" if unrated else ""))
    click.echo(f"{total} values in {len(report)} documents; {bad} ungrounded")
    if bad:
        raise click.ClickException(f"{bad} values are not grounded on the page they cite.")


@cli.command()
@db_option
@click.option("--pending", is_flag=True, help="Only links that need a person's review.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["automatic", "pending", "confirmed", "rejected"]),
    help="Only links with this status (repeatable).",
)
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV in the review file's columns, ready to edit.")
@_friendly_errors
def links(db_path: Path, pending: bool, statuses: tuple[str, ...], as_csv: bool) -> None:
    """List the links from reported measures to registry measures, least sure first.

    To review: write the pending links as CSV to the review file beside the catalogue,
    put "confirm" or "reject" in the decision column (change measure_id to relink), and
    build again; the build respects the file. Rows left without a decision are ignored.

    \b
    Example:
        scrutiny links --db catalogue.db --pending
        scrutiny links --db catalogue.db --pending --csv > catalogue.review.csv
    """
    rows = links_report(db_path, ("pending",) if pending else statuses)
    if as_csv:
        import csv
        import sys

        writer = csv.DictWriter(sys.stdout, [*REVIEW_COLUMNS, "score", "status", "evidence"],
                                extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row, "decision": "", "note": ""} for row in rows)
        return
    for row in rows:
        click.echo(
            f"{row['status']:<9} {row['score']:>5.1f}  {row['authority'] or '?'} {row['code'] or ''} "
            f"'{row['title']}' -> {row['measure_id']}"
        )
        click.echo(f"          {row['evidence']}")
    click.echo(f"{len(rows)} links")


@cli.command()
@db_option
@click.option("--authority", help="Only this authority's requests (any case).")
@click.option("--committee", help="Only the requests of this committee (any case).")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["overdue", "outstanding", "returned"]),
    help="Only requests with this status (repeatable).",
)
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV in the returns review file's columns, ready to edit.")
@_friendly_errors
def followups(db_path: Path, authority: str | None, committee: str | None, statuses: tuple[str, ...],
              as_csv: bool) -> None:
    """List what meetings asked to come back, and whether and where it came back.

    Each request (a report back, a briefing note, an update to a future meeting, a deferred
    item) with its status: returned (with the meeting and paper it came back in, and why that
    one), outstanding, or overdue (its date, or the next meeting it was due at, has passed).
    To review a return: write the list as CSV to <db>.returns.csv beside the catalogue, put
    "confirm" or "reject" in the decision column (to confirm another paper, put its committee,
    date and title as the return; for one no paper holds, such as a note emailed to members,
    write what came back and when), and build again. Rows left without a decision are ignored.

    \b
    Example:
        scrutiny followups --db catalogue.db --status overdue
        scrutiny followups --db catalogue.db --committee "corporate parenting panel"
        scrutiny followups --db catalogue.db --csv > catalogue.returns.csv
    """
    from .catalogue.followups import report
    from .followups import RETURNS_COLUMNS

    rows = report(db_path, statuses, authority=authority, committee=committee)
    if as_csv:
        import csv
        import sys

        writer = csv.DictWriter(sys.stdout, [*RETURNS_COLUMNS, "status", "score", "evidence"],
                                extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row, "request": row["text"], "decision": "", "note": ""} for row in rows)
        return
    for row in rows:
        asked = f"{row['authority']} {row['committee'] or '?'} {row['meeting_date'] or '(undated)'}"
        click.echo(f"{row['status']:<11} {asked}: {row['subject']}")
        due = ", ".join(part for part in (row["due_committee"], row["due_date"] or row["due"]) if part)
        if due:
            click.echo(f"            due: {due}")
        if row["return_title"]:
            click.echo(f"            {'came back' if row['status'] == 'returned' else 'perhaps'}: "
                       f"{row['return_committee'] or row['return_kind']} {row['return_date'] or ''}: {row['return_title']} "
                       f"({row['return_status']}, {row['score']:.0f})")
    click.echo(f"{len(rows)} requests")


_ISO_DATE = click.DateTime(formats=["%Y-%m-%d"])


@cli.command()
@click.argument("site", required=False)
@click.option(
    "--sites",
    "sites_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CSV of sites to fetch at once (columns: site, and optionally authority and committee), instead of SITE.",
)
@click.option(
    "--parallel",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="With --sites: how many sites to fetch at once (each host still gets one request at a time).",
)
@click.option("--authority", help="The council the site belongs to (default: from the registry of known sites).")
@click.option(
    "--committee",
    "committees",
    multiple=True,
    help="A committee id, or part of its title (any case). Repeat for more. Default: every committee.",
)
@click.option("--since", type=_ISO_DATE, help="First meeting date, YYYY-MM-DD (default: a year before --until).")
@click.option("--until", type=_ISO_DATE, help="Last meeting date, YYYY-MM-DD (default: today).")
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="papers",
    show_default=True,
    help="Folder to save the files and manifest.csv in.",
)
@click.option("--delay", type=float, default=1.0, show_default=True, help="Seconds between requests to the site.")
@click.option("--retries", type=int, default=4, show_default=True, help="Retries after a timeout, dropped connection or 5xx.")
@click.option("--backoff", type=float, default=2.0, show_default=True, help="Seconds before the first retry; doubles each time.")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds to wait for an answer.")
@click.option(
    "--max-time",
    type=float,
    default=600.0,
    show_default=True,
    help="Seconds one file's download may take in all; a slower one is recorded as failed.",
)
@click.option(
    "--allow-host",
    "hosts",
    multiple=True,
    help="Another host the site's documents may come from (a redirect or link to it is followed). Repeatable.",
)
@click.option("--max-size", type=float, default=200.0, show_default=True, help="Largest file to save, in MB.")
@click.option("--refresh", is_flag=True, help="Ask the site whether files already held have changed (conditional requests).")
@click.option("--contact", help="An email address or URL to add to the User-Agent, so the council can reach you.")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any file or meeting could not be fetched.")
@click.pass_context
@_friendly_errors
def fetch(
    ctx: click.Context,
    site: str | None,
    sites_file: Path | None,
    parallel: int,
    authority: str | None,
    committees: tuple[str, ...],
    since,
    until,
    corpus_dir: Path,
    delay: float,
    retries: int,
    backoff: float,
    timeout: float,
    max_time: float,
    hosts: tuple[str, ...],
    max_size: float,
    refresh: bool,
    contact: str | None,
    strict: bool,
) -> None:
    """Fetch committee papers and minutes from a council's ModernGov site.

    SITE is the site's address (https://democracy.example.gov.uk) or the name of a council
    scrutiny knows (doncaster, rotherham, kent, ...; see scrutiny/data/moderngov_sites.csv).
    Saves every published document and each agenda item's minutes (as HTML) under the
    corpus folder, with a manifest.csv that `scrutiny build` reads. A re-run downloads only
    what is missing. Cancelled meetings and restricted or exempt papers are passed over.
    Files that fail (404, an HTML page where a PDF should be, a cut-off download) are
    listed in the manifest and the summary; the command still exits 0 unless --strict.
    Only the site's own host is read (redirects elsewhere are not followed) unless
    --allow-host names another. --sites fetches many councils at once into one corpus,
    each host one request at a time.

    \b
    Example:
        scrutiny fetch doncaster --committee "children and young people" --since 2024-01-01
        scrutiny fetch https://democracy.kent.gov.uk --authority Kent --committee cabinet --corpus kent/
        scrutiny fetch https://democracy.example.gov.uk --authority Example --allow-host docs.example.gov.uk
        scrutiny fetch --sites councils.csv --since 2024-01-01 --corpus papers/
        scrutiny build papers/ --db catalogue.db
    """
    from .corpus import Fetch, FetchSettings  # httpx and defusedxml load only to fetch
    from .corpus.moderngov import FetchSites, read_sites

    if (site is None) == (sites_file is None):
        raise click.UsageError("Give a SITE, or a file of sites with --sites (not both).")

    settings = FetchSettings(
        delay=delay,
        retries=retries,
        backoff=backoff,
        timeout=timeout,
        max_seconds=max_time,
        hosts=tuple(hosts),
        max_bytes=int(max_size * 1024 * 1024),
        refresh=refresh,
        contact=contact,
    )
    dates = {"since": since.date() if since else None, "until": until.date() if until else None}
    if sites_file is not None:
        if authority or committees:
            raise click.UsageError("With --sites, give each site's authority and committees in the file.")
        job = FetchSites(read_sites(sites_file), corpus_dir, settings=settings, parallel=parallel, **dates)
        described = f"{len(job.jobs)} sites"
    else:
        job = Fetch(site, corpus_dir, authority=authority, committees=committees, settings=settings, **dates)
        described = f"{job.site.authority} from {job.site.base_url}"
    quiet = ctx.obj["quiet"]
    if not quiet:
        click.echo(f"Fetching {described} into {corpus_dir}/")
    events = job.run()
    if quiet:
        for _ in events:
            pass
    else:
        with click.progressbar(
            events,
            label="Fetching",
            show_pos=True,
            item_show_func=lambda event: event and f"{event.action} {event.file or event.detail or ''}"[:60],
        ) as shown:
            for _ in shown:
                pass
        click.echo(str(job.summary))
    summary = job.summary
    for failure in summary.failures:
        click.echo(f"  failed: {failure.url}: {failure.detail}", err=True)
    for where, error in getattr(job, "errors", {}).items():
        click.echo(f"  stopped: {where}: {error}", err=True)
    if strict and (summary.failed or getattr(job, "errors", None)):
        ctx.exit(1)
