"""Build speed against naive pdfplumber, rebuild speed, and memory as the corpus grows.

    python benchmarks/build_speed.py [--workers N] [--scales 1,3] [--repeat 3]

Everything is timed from this process, one after another, and each ratio is taken within
one attempt (baseline and builds back to back), so the ratios hold on a busy machine better
than the seconds do; every attempt is printed, then the medians:

- baseline: pdfplumber ``extract_text()`` and ``extract_tables()`` on every page of the
  bundled corpus's PDFs, one file after another (what a naive build would do);
- full build: ``Build`` of the bundled corpus into an empty catalogue (goal: <= 0.5 x baseline);
  and once with ``workers=1`` (no pool), which shows what the pool adds;
- rebuild: the same build again, nothing changed (goal: <= 0.1 x full build);
- the same two through the CLI, ``scrutiny build`` as a subprocess (includes start-up);
- memory: the largest peak resident set of any process of a CLI build (the builder or a
  worker) of the corpus copied 1x, 3x, ... (goal: flat as the corpus grows). Linux only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pdfplumber

from scrutiny.pipeline import Build, default_workers

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"


def naive_pdfplumber(pdfs: list[Path]) -> int:
    pages = 0
    for path in pdfs:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.extract_tables()
                page.close()
                pages += 1
    return pages


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def run_build(paths, db_path: Path, workers: int) -> dict[str, int]:
    job = Build(paths, db_path, workers=workers)
    for _ in job.run():
        pass
    return job.summary.actions


def _descendants(root: int) -> list[int]:
    """The process ``root`` and every process under it, from /proc (Linux)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    family, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    return sorted(family)


def _peak_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cli_build(paths: list[str], db_path: Path, workers: int, memory: bool = False) -> tuple[float, int]:
    """Wall time of ``scrutiny build``, and with ``memory`` the largest peak RSS (KB) of it
    or any of its worker processes (sampled from /proc every 50 ms, which takes CPU from
    the build: the timed runs don't sample)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "scrutiny", "-q", "build", *paths, "--db", str(db_path), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
    )
    peak = 0
    if not memory:
        process.wait()
    while process.poll() is None:
        for pid in _descendants(process.pid):
            peak = max(peak, _peak_rss_kb(pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"scrutiny build failed with status {process.returncode}")
    return elapsed, peak


def corpus_times(scale: int, target: Path) -> Path:
    """The bundled corpus copied ``scale`` times (each copy is read: a different path)."""
    for copy in range(scale):
        shutil.copytree(CORPUS, target / f"copy{copy}", ignore=shutil.ignore_patterns("manifest.csv"))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--scales", default="1,3", help="corpus sizes for the memory check")
    parser.add_argument("--repeat", type=int, default=3, help="attempts; the medians are reported")
    args = parser.parse_args()
    pdfs = sorted(CORPUS.rglob("*.pdf"))
    print(f"corpus: {len(pdfs)} PDFs; workers: {args.workers}; CPUs: {os.cpu_count()}; load: {os.getloadavg()[0]:.1f}")

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        # Each attempt times the baseline and the builds back to back, and its ratios are
        # taken within the attempt: the machine's speed drifts (other VMs' load) between
        # attempts more than within one. The medians are the figures; all are shown.
        attempts = []
        for attempt in range(args.repeat):
            baseline, pages = timed(lambda: naive_pdfplumber(pdfs))
            db_path = scratch / f"inprocess{attempt}.db"
            full, actions = timed(lambda: run_build([CORPUS], db_path, args.workers))  # noqa: B023
            assert actions == {"added": len(pdfs)}, actions
            rebuild, actions = timed(lambda: run_build([CORPUS], db_path, args.workers))  # noqa: B023
            assert actions == {"unchanged": len(pdfs)}, actions
            cli_full, _ = cli_build([str(CORPUS)], scratch / f"cli{attempt}.db", args.workers)
            cli_rebuild, _ = cli_build([str(CORPUS)], scratch / f"cli{attempt}.db", args.workers)
            attempts.append((baseline, full, rebuild, cli_full, cli_rebuild))
            print(
                f"  attempt {attempt + 1}: baseline {baseline:.2f} s, full {full:.2f} s ({full / baseline:.2f}), "
                f"rebuild {rebuild:.2f} s, CLI full {cli_full:.2f} s ({cli_full / baseline:.2f}), "
                f"CLI rebuild {cli_rebuild:.2f} s (load {os.getloadavg()[0]:.1f})"
            )
        baseline, full, rebuild, cli_full, cli_rebuild = (statistics.median(c) for c in zip(*attempts, strict=True))
        ratio = lambda top, bottom: statistics.median([a[top] / a[bottom] for a in attempts])  # noqa: E731
        print(f"medians of {len(attempts)} attempts (each ratio the median of the attempts' own ratios):")
        print(f"baseline, naive pdfplumber text+tables: {baseline:6.2f} s ({pages} pages, {baseline / pages:.3f} s/page)")
        print(f"full build (in-process Build.run):     {full:6.2f} s  ratio to baseline {ratio(1, 0):.2f} (goal <= 0.5)")
        print(f"rebuild, nothing changed:               {rebuild:6.2f} s  ratio to full build {ratio(2, 1):.3f} (goal <= 0.1)")
        print(f"CLI full build (subprocess):            {cli_full:6.2f} s  ratio to baseline {ratio(3, 0):.2f}")
        print(f"CLI rebuild (subprocess):               {cli_rebuild:6.2f} s  ratio to CLI full build {ratio(4, 3):.3f}")
        one_worker, _ = timed(lambda: run_build([CORPUS], scratch / "one_worker.db", 1))
        print(f"full build, --workers 1 (no pool):      {one_worker:6.2f} s  (once, after the attempts)")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import scrutiny.cli"], check=True)
        print(f"  of which Python start-up + imports:   {time.perf_counter() - started:6.2f} s")

        for scale in (int(s) for s in args.scales.split(",")):
            corpus = corpus_times(scale, scratch / f"scaled{scale}")
            elapsed, rss = cli_build([str(corpus)], scratch / f"scaled{scale}.db", args.workers, memory=True)
            print(
                f"memory, corpus x{scale} ({scale * len(pdfs)} PDFs, {scale * pages} pages): "
                f"max RSS {rss / 1024:.0f} MB in {elapsed:.1f} s"
            )


if __name__ == "__main__":
    main()
