"""Builds that read on a real Dask cluster (a LocalCluster of worker processes, 2 x 1 thread).

Most tests share one cluster, reached by its scheduler's address as a remote one would be;
one starts its own with ``--dask local:2``, as a user on one machine does.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

import dask
import distributed
import pytest
import sqlite_utils
from click.testing import CliRunner

from scrutiny.catalogue.store import TABLES
from scrutiny.cli import cli
from scrutiny.errors import ScrutinyError
from scrutiny.pipeline import Build, Limits

import badfiles


REPO = Path(__file__).resolve().parent.parent
SEED_004_TEXT = REPO / "tests" / "fixtures" / "seeds" / "004_4b7e043a54d74d09.txt"

#: Columns that say when a row was written (or a file looked at), not what it holds.
WHEN = {"built_at", "recorded_at", "stat_ns"}


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster whose workers may start processes; a worker lost once fails its task."""
    with dask.config.set({"distributed.worker.daemon": False, "distributed.scheduler.allowed-failures": 0}):
        local = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(local)
    yield local.scheduler_address, client
    client.close()
    local.close()


def outcomes_of(job: Build) -> dict[str, object]:
    return {Path(o.path).name: o for o in job.run()}


def rows(db_path: Path, sql: str) -> list[dict]:
    with sqlite_utils.Database(db_path) as db:
        return list(db.query(sql))


def every_record(db_path: Path) -> dict[str, list[tuple]]:
    """Every row of every catalogue table (its full-text index included), without the times
    rows were written and the fingerprint of the review file (named after the catalogue)."""
    found = {}
    with sqlite_utils.Database(db_path) as db:
        names = [*TABLES, *(f"{name}_fts" for name in ("pages", "documents", "measures"))]
        for name in names:
            if name == "measure_inputs":
                continue
            columns = [c for c in db[name].columns_dict if c not in WHEN]
            select = ", ".join(f"[{c}]" for c in columns)
            found[name] = db.execute(f"select {select} from [{name}] order by rowid").fetchall()
    return found


def test_a_build_on_dask_stores_every_record_a_pool_build_stores(built_catalogue, tmp_path, monkeypatch):
    """Issue 20, item 2: the catalogue is the same whichever executor built it. built_catalogue
    was built with a local pool (one worker per CPU); this one starts a LocalCluster of two."""
    monkeypatch.chdir(REPO)
    db_path = tmp_path / "dask.db"
    result = CliRunner().invoke(cli, ["build", "--db", str(db_path), "--dask", "local:2"])
    assert result.exit_code == 0, result.output
    on_dask, pooled = every_record(db_path), every_record(built_catalogue)
    assert on_dask.keys() == pooled.keys()
    for table in on_dask:
        assert on_dask[table] == pooled[table], table
    for table in ("indicators", "indicator_values", "resolutions", "entities", "measure_links", "pages_fts"):
        assert on_dask[table], table


def test_a_dask_build_sent_the_bytes_reads_what_a_pool_reads(cluster, tmp_path):
    """--send-files: workers that share no filesystem are sent each file; the records name
    the file where the build found it."""
    address, _ = cluster
    papers = tmp_path / "papers"
    papers.mkdir()
    shutil.copy(REPO / "corpus" / "pdf" / "004_4b7e043a54d74d09.pdf", papers / "minutes_004.pdf")
    shutil.copy(REPO / "corpus" / "real" / "kcc_cabinet_2025-03-04_QPR_Q3_cover_report.pdf", papers / "qpr.pdf")
    sent, pooled = tmp_path / "sent.db", tmp_path / "pooled.db"
    assert {o.action for o in outcomes_of(Build([papers], sent, dask=address, send_files=True)).values()} == {"added"}
    assert {o.action for o in outcomes_of(Build([papers], pooled, workers=2)).values()} == {"added"}
    assert every_record(sent) == every_record(pooled)
    assert sorted(r["path"] for r in rows(sent, "select path from documents")) == [
        str(papers / "minutes_004.pdf"), str(papers / "qpr.pdf"),
    ]  # fmt: skip


def test_a_dask_worker_reads_the_bytes_it_is_sent_not_the_path(cluster, tmp_path):
    from scrutiny.cluster import read_on_worker
    from scrutiny.corpus.discover import sha256_of
    from scrutiny.records import SourceFile

    _, client = cluster
    text = tmp_path / "minutes.txt"
    text.write_text(SEED_004_TEXT.read_text(encoding="utf-8"), encoding="utf-8")
    source = SourceFile(str(tmp_path / "elsewhere" / "minutes.txt"), sha256_of(text), text.stat().st_size, "text")
    analysis = client.submit(read_on_worker, source, None, Limits(), text.read_bytes(), pure=False).result()
    assert analysis.failure is None
    assert analysis.document.path == source.path and analysis.document.sha256 == source.sha256
    # Seed 004 page 1 (Doncaster's panel minutes of 2013-07-03, as text): its first agenda item.
    assert "Performance Challenge of Doncaster Children's Services Trust" in analysis.pages[0].text


def test_a_pdf_past_the_time_limit_on_dask_is_a_problem_not_a_failed_build(cluster, tmp_path, corpus_pdf):
    """Dask can't stop a running task: the limit holds in the worker's reading process."""
    address, _ = cluster
    papers = tmp_path / "papers"
    papers.mkdir()
    badfiles.slow_pdf(papers / "a_slow.pdf")
    shutil.copy(corpus_pdf("kcc_cabinet_2025-03-04_agenda"), papers / "b_good.pdf")
    db_path = tmp_path / "c.db"
    outcomes = outcomes_of(Build([papers], db_path, dask=address, limits=Limits(seconds=3)))
    assert outcomes["b_good.pdf"].action == "added"
    assert outcomes["a_slow.pdf"].action == "failed"
    [problem] = outcomes["a_slow.pdf"].problems
    assert "took longer than the limit of 3 s and was stopped" in problem.error
    again = {name: o.action for name, o in outcomes_of(Build([papers], db_path, dask=address)).items()}
    assert again == {"a_slow.pdf": "failed", "b_good.pdf": "unchanged"}


def test_a_pdf_past_the_memory_limit_on_dask_is_a_problem(cluster, tmp_path, corpus_pdf):
    address, _ = cluster
    papers = tmp_path / "papers"
    papers.mkdir()
    badfiles.memory_bomb_pdf(papers / "bomb.pdf", megabytes=500)
    shutil.copy(corpus_pdf("kcc_cabinet_2025-03-04_agenda"), papers / "good.pdf")
    outcomes = outcomes_of(Build([papers], tmp_path / "c.db", dask=address, limits=Limits(seconds=120, memory_mb=200)))
    assert outcomes["good.pdf"].action == "added"
    [problem] = outcomes["bomb.pdf"].problems
    assert outcomes["bomb.pdf"].action == "failed"
    assert "memory" in problem.error and "--memory-limit" in problem.error


def test_a_spacy_step_past_the_time_limit_on_dask_keeps_the_document(cluster, tmp_path):
    address, _ = cluster
    papers = tmp_path / "papers"
    papers.mkdir()
    badfiles.long_sentences_text(papers / "sentences.txt")
    (papers / "minutes.txt").write_text(SEED_004_TEXT.read_text(encoding="utf-8"), encoding="utf-8")
    db_path = tmp_path / "c.db"
    outcomes = outcomes_of(Build([papers], db_path, dask=address, limits=Limits(seconds=3)))
    assert {name: o.action for name, o in outcomes.items()} == {"sentences.txt": "added", "minutes.txt": "added"}
    [problem] = outcomes["sentences.txt"].problems
    assert problem.stage == "prose" and "took longer than the limit of 3 s" in problem.error
    # The minutes were read in full on the cluster, spaCy's entities included.
    assert rows(db_path, "select count(*) as n from entities")[0]["n"] > 0


def test_a_dask_worker_that_dies_while_reading_is_a_problem_not_a_failed_build(cluster, tmp_path, corpus_pdf):
    address, client = cluster
    papers = tmp_path / "papers"
    papers.mkdir()
    badfiles.slow_pdf(papers / "a_slow.pdf")  # minutes to read: its worker is killed meanwhile
    shutil.copy(corpus_pdf("kcc_cabinet_2025-03-04_agenda"), papers / "b_good.pdf")

    def kill_the_reader() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            busy = [worker for worker, keys in client.processing().items() if keys]
            reading = [w for w in busy if any("read_on_worker" in str(k) for k in client.processing()[w])]
            if reading:
                time.sleep(2)  # well into the slow PDF (the good one takes under a second)
                still = [w for w, keys in client.processing().items() if keys]
                if still:
                    pid = client.run(os.getpid, workers=still[:1])[still[0]]
                    os.kill(pid, signal.SIGKILL)
                    return
            time.sleep(0.2)

    killer = threading.Thread(target=kill_the_reader)
    killer.start()
    outcomes = outcomes_of(Build([papers], tmp_path / "c.db", dask=address, limits=Limits(seconds=300)))
    killer.join()
    assert outcomes["b_good.pdf"].action == "added"
    assert outcomes["a_slow.pdf"].action == "failed"
    [problem] = outcomes["a_slow.pdf"].problems
    assert "The Dask worker reading" in problem.error and "died" in problem.error
    client.wait_for_workers(2, timeout=60)  # the nanny starts another


def test_dask_workers_that_may_not_start_processes_are_refused_with_what_to_do(tmp_path):
    local = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        (tmp_path / "a.txt").write_text("Minutes")
        with pytest.raises(ScrutinyError, match="DASK_DISTRIBUTED__WORKER__DAEMON=False"):
            list(Build([tmp_path / "a.txt"], tmp_path / "c.db", dask=local.scheduler_address).run())
    finally:
        local.close()


def test_a_dask_address_that_answers_nothing_says_what_to_do(tmp_path):
    from conftest import free_port

    (tmp_path / "a.txt").write_text("Minutes")
    with pytest.raises(ScrutinyError, match="Could not reach the Dask cluster"):
        list(Build([tmp_path / "a.txt"], tmp_path / "c.db", dask=f"tcp://127.0.0.1:{free_port()}").run())
