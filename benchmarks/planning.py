"""A rebuild that changes nothing: what an unchanged file costs, by size and mtime and by hashing.

    python benchmarks/planning.py [--files 2000]

Makes ``--files`` one-line minutes (text files), builds them in-process, waits past the racy
window (a file modified within 2 s of being hashed is not trusted), then rebuilds twice as
planned (``file_index``: size and mtime) and once with ``rehash`` (every file hashed): wall and
CPU seconds, and milliseconds a file.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

from scrutiny.pipeline import Build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}; load: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as scratch:
        papers, db_path = Path(scratch) / "papers", Path(scratch) / "c.db"
        papers.mkdir()
        for number in range(args.files):
            (papers / f"m{number}.txt").write_text(f"Minutes of meeting {number}. The Committee noted the report.\n")
        started = time.perf_counter()
        actions = Counter(o.action for o in Build([papers], db_path, workers=1, ocr="never").run())
        print(f"first build: {time.perf_counter() - started:.1f} s {dict(actions)}")
        time.sleep(3)
        for rehash in (False, False, True):
            wall, cpu = time.perf_counter(), time.process_time()
            actions = Counter(o.action for o in Build([papers], db_path, workers=1, ocr="never", rehash=rehash).run())
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(
                f"rebuild{' --rehash' if rehash else ''}: {wall:.2f} s wall, {cpu:.2f} CPU s, "
                f"{wall / args.files * 1000:.3f} ms wall and {cpu / args.files * 1000:.3f} CPU ms a file {dict(actions)}"
            )


if __name__ == "__main__":
    main()
