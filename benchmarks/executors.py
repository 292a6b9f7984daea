"""One corpus built in-process, with the local pool and on a Dask LocalCluster: wall time,
CPU seconds per page and peak memory, as ratios to the pool within one run.

    python benchmarks/executors.py [--scales 1,16] [--repeat 3] [--modes pool,dask] [--ocr never]

Each build is ``scrutiny build`` in a subprocess, as a user runs it: ``--workers 1``
(in-process: no pool), ``--workers 2`` (the local pool) and ``--dask local:2`` (a
LocalCluster of two single-threaded workers, started by the build and counted in its time).
The three run back to back within each attempt, in a rotating order, and each ratio is taken
within its attempt (the machine is shared: its speed drifts between attempts more than
within one); the medians are printed.

- wall: the subprocess's elapsed time;
- CPU: user + system seconds of the build and every process under it (Dask's scheduler,
  nannies and workers, the pool's and the Dask workers' reading processes, Tesseract), per
  catalogued page: each process's last reading of /proc/PID/stat, sampled every 0.25 s, so a
  process's last quarter second, and a process that lives less than that, are missed
  (``RUSAGE_CHILDREN`` can't be used: pool workers are the forkserver's children and are not
  waited for). On a loaded 2-core machine wall time swings with the load; CPU seconds much less;
- memory: the largest peak resident set (VmHWM) of any one process of the build, sampled at
  the same time (the sampling costs each build the same).

``--ocr`` is passed to the build (``never``: text PDFs' throughput alone; the bundled corpus
has pages with no text layer, which ``auto`` reads by OCR at about 3 s a page).

The corpus is the bundled one copied N times (``--scales``), every copy's files given bytes
of their own at the end (``% copy K``, a PDF comment after ``%%EOF``) so their SHA-256s differ
and each is read; N copies should take N times as long, in the same memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlite_utils
from build_speed import _descendants, _peak_rss_kb

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"

MODES = {
    "in-process": ["--workers", "1"],
    "pool": ["--workers", "2"],
    "dask": ["--dask", "local:2"],
}


def corpus_copies(copies: int, target: Path) -> Path:
    """The bundled corpus's PDFs copied ``copies`` times, each copy's bytes distinct."""
    pdfs = sorted(CORPUS.rglob("*.pdf"))
    for copy in range(copies):
        folder = target / f"copy{copy}"
        for pdf in pdfs:
            destination = folder / pdf.relative_to(CORPUS)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(pdf.read_bytes() + f"\n% copy {copy}\n".encode())
    return target


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of one process so far (/proc/PID/stat), None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15)


def build(corpus: Path, db_path: Path, mode: str, ocr: str) -> dict:
    """``scrutiny build`` of ``corpus`` by ``mode``: wall, CPU and peak RSS of its processes."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "scrutiny", "-q", "build", str(corpus), "--db", str(db_path), "--ocr", ocr,
         *MODES[mode]],
        stdout=subprocess.DEVNULL,
        cwd=REPO,
    )  # fmt: skip
    peak = 0
    cpu_of: dict[int, float] = {}
    while process.poll() is None:
        for pid in _descendants(process.pid):
            peak = max(peak, _peak_rss_kb(pid))
            seconds = _cpu_seconds(pid)
            if seconds is not None:
                cpu_of[pid] = seconds
        time.sleep(0.25)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"scrutiny build ({mode}) failed with status {process.returncode}")
    with sqlite_utils.Database(db_path) as db:
        pages = db["pages"].count
        documents = db["documents"].count
    cpu = sum(cpu_of.values())
    return {"wall": wall, "cpu": cpu, "pages": pages, "documents": documents, "rss_mb": peak / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,16", help="how many copies of the corpus, e.g. 1,4,16")
    parser.add_argument("--repeat", type=int, default=3, help="attempts at each scale; medians reported")
    parser.add_argument("--modes", default=",".join(MODES), help="of: " + ", ".join(MODES))
    parser.add_argument("--ocr", default="never", choices=["auto", "always", "never"])
    args = parser.parse_args()
    modes = args.modes.split(",")
    print(f"CPUs: {os.cpu_count()}; load: {os.getloadavg()[0]:.1f}; --ocr {args.ocr}")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for scale in (int(s) for s in args.scales.split(",")):
            corpus = corpus_copies(scale, scratch / f"corpus{scale}")
            runs: dict[str, list[dict]] = {mode: [] for mode in modes}
            for attempt in range(args.repeat):
                order = modes[attempt % len(modes):] + modes[: attempt % len(modes)]
                for mode in order:
                    db_path = scratch / f"{mode}.db"
                    runs[mode].append(build(corpus, db_path, mode, args.ocr))
                    db_path.unlink()
                    for suffix in ("-wal", "-shm"):
                        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
                line = ", ".join(
                    f"{mode} {runs[mode][-1]['wall']:.1f} s wall, {runs[mode][-1]['cpu']:.1f} CPU s" for mode in modes
                )
                print(f"  x{scale} attempt {attempt + 1}: {line} (load {os.getloadavg()[0]:.1f})")
            first = runs[modes[0]][0]
            print(f"corpus x{scale}: {first['documents']} documents, {first['pages']} pages; medians of {args.repeat}:")
            for mode in modes:
                wall = statistics.median(r["wall"] for r in runs[mode])
                cpu = statistics.median(r["cpu"] for r in runs[mode])
                rss = max(r["rss_mb"] for r in runs[mode])
                pages = runs[mode][0]["pages"]
                ratio = ""
                if "pool" in runs and mode != "pool":
                    wall_ratio = statistics.median(r["wall"] / p["wall"] for r, p in zip(runs[mode], runs["pool"], strict=True))
                    cpu_ratio = statistics.median(r["cpu"] / p["cpu"] for r, p in zip(runs[mode], runs["pool"], strict=True))
                    ratio = f"; to the pool: wall {wall_ratio:.2f}, CPU {cpu_ratio:.2f}"
                print(
                    f"  {mode:<10} wall {wall:7.1f} s ({pages / wall:5.1f} pages/s), CPU {cpu:7.1f} s "
                    f"({cpu / pages:.3f} CPU s/page), peak RSS {rss:4.0f} MB{ratio}"
                )


if __name__ == "__main__":
    main()
