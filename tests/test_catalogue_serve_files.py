"""The ``/files/`` route: a source link names its file exactly, whatever the file is called,
and nothing but the catalogue's documents is served (issue 16; issue 17 items 13 and 15).

Councils publish files with spaces, ``&``, apostrophes, brackets and Welsh letters in their
names (every Kent paper as published: ``Printed minutes 30th-Jan-2025 10.00 Cabinet.pdf``).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from conftest import CORPUS

from scrutiny.cli import cli

#: Real papers copied under names as councils publish them: (bundled file, published name).
NAMES = [
    ("dev/newbiggin-pc_parish-council_2019-09-03_minutes.pdf", "Printed minutes 3rd-Sep-2019 19.00 Parish Council.pdf"),
    ("real/kcc_cabinet_2025-03-04_QPR_Q3_cover_report.pdf", "Q&A report (Quarter 3) [v2] #1.pdf"),
    ("dev/merthyr-tydfil_cabinet_2012-10-24_performance.pdf", "Adroddiad – Cyngor Bwrdeistref Sirol Merthyr Tudful ŵ'r.pdf"),
]
HOSTILE_MINUTES = "<html><body><p>RESOLVED that the pothole be filled.</p><script>alert(document.cookie)</script></body></html>"


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


def build(folders: list[Path], db_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", *map(str, folders), "--db", str(db_path), "-j", "1"])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def papers(tmp_path_factory) -> tuple[Path, Path]:
    """A folder of papers with awkward names, a manifest, hidden files; and its catalogue."""
    root = tmp_path_factory.mktemp("served")
    papers = root / "papers"
    (papers / "Cabinet (2025)").mkdir(parents=True)
    for source, name in NAMES:
        shutil.copy(CORPUS / source, papers / "Cabinet (2025)" / name)
    (papers / "minutes.html").write_text(HOSTILE_MINUTES, encoding="utf-8")
    (papers / "manifest.csv").write_text("file,authority\nminutes.html,Newbiggin Parish Council\n", encoding="utf-8")
    (papers / ".env").write_text("SECRET=do-not-publish\n", encoding="utf-8")
    (papers / ".partial").mkdir()
    shutil.copy(CORPUS / NAMES[0][0], papers / ".partial" / "half.pdf")
    (root / "outside").mkdir()
    (root / "outside" / "secret.pdf").write_bytes((CORPUS / NAMES[0][0]).read_bytes())
    db_path = root / "papers.db"
    build([papers], db_path)
    return papers, db_path


@pytest.fixture(scope="module")
def server(papers, tmp_path_factory):
    from conftest import Server, free_port

    folder, db_path = papers
    running = Server(["serve", "--db", str(db_path), "--files", str(folder)], free_port(), folder.parent)
    running.wait_until_up()
    yield running
    running.stop()


def test_every_documents_link_opens_that_very_file_whatever_its_name(server, papers):
    folder, _ = papers
    documents = soup(server.get("/papers/documents", _size="max"))
    links = {unquote(a["href"]): a["href"] for a in documents.select("td.col-path a")}
    expected = {f"/files/Cabinet (2025)/{name}" for _, name in NAMES} | {"/files/minutes.html"}
    assert set(links) == expected
    for shown, href in links.items():
        response = server.get(href)
        assert response.status_code == 200, href
        assert response.content == (folder / shown.removeprefix("/files/")).read_bytes(), href
        if href.endswith(".pdf"):
            assert response.headers["content-type"] == "application/pdf"


def test_a_search_result_opens_the_spaced_file_at_its_page(server, papers):
    folder, _ = papers
    # Newbiggin's minutes, page 3: "Pot Holes are again appearing on the Cart Roads".
    page = soup(server.get("/-/search", q="cart roads"))
    links = [a["href"] for a in page.select("section[data-table=pages] a.scrutiny-source")]
    assert links == ["/files/Cabinet%20%282025%29/Printed%20minutes%203rd-Sep-2019%2019.00%20Parish%20Council.pdf#page=3"]
    response = server.get(links[0].split("#")[0])
    assert response.status_code == 200
    assert response.content == (folder / "Cabinet (2025)" / NAMES[0][1]).read_bytes()


def test_a_served_html_source_runs_no_script_as_this_site(server):
    html = server.get("/files/minutes.html")
    assert html.status_code == 200 and "RESOLVED" in html.text
    assert html.headers["content-security-policy"] == "sandbox"
    assert html.headers["x-content-type-options"] == "nosniff"
    # PDFs are served as they are: Chromium shows no PDF under a sandbox policy.
    pdf = server.get("/files/Cabinet%20(2025)/Q%26A%20report%20(Quarter%203)%20%5Bv2%5D%20%231.pdf")
    assert pdf.status_code == 200 and "content-security-policy" not in pdf.headers


@pytest.mark.parametrize(
    "path",
    [
        "/files/.env",  # a hidden file
        "/files/manifest.csv",  # in the folder, but not a document
        "/files/.partial/half.pdf",  # a catalogued document's bytes, under a hidden folder
        "/files/%2e%2e/outside/secret.pdf",  # outside the folder, and it exists
        "/files/%2e%2e/outside/nothing.pdf",  # outside the folder, and it does not
        "/files/..%2foutside",  # a folder outside
        "/files/..%2fnowhere",  # no folder at all
        "/files/Cabinet%20(2025)",  # a folder inside
        "/files/Cabinet%20(2025)/",
        "/files/nothing.pdf",
        "/files/%ff.pdf",  # not UTF-8
        "/files-2/minutes.html",  # no second folder is served
    ],
)
def test_only_the_catalogues_documents_are_served_and_all_else_is_the_same_404(server, path):
    response = server.get(path)
    assert response.status_code == 404, path
    assert response.text == "Not found: no catalogued source file has this address."


def test_two_folders_sharing_a_path_tail_each_open_their_own_councils_file(start_server, corpus_pdf, tmp_path):
    """Doncaster's and Rotherham's folders both hold ``2016/report.pdf``: each council's
    links open its own file, never the other's (issue 17, item 13)."""
    doncaster, rotherham = tmp_path / "doncaster" / "2016", tmp_path / "rotherham" / "2016"
    doncaster.mkdir(parents=True)
    rotherham.mkdir(parents=True)
    shutil.copy(corpus_pdf("000"), doncaster / "report.pdf")  # seed 000 (Doncaster), page 7: "A1 Re-referrals"
    shutil.copy(corpus_pdf("002"), rotherham / "report.pdf")  # seed 002 (Rotherham), page 5: "Re-referral rates"
    db_path = tmp_path / "sy.db"
    build([doncaster.parent, rotherham.parent], db_path)
    server = start_server("serve", "--db", str(db_path), "--files", str(doncaster.parent), "--files", str(rotherham.parent))
    page = soup(server.get("/-/search", q="re-referrals"))
    links = {a["href"] for a in page.select("section[data-table=pages] a.scrutiny-source")}
    assert "/files/2016/report.pdf#page=7" in links
    assert "/files-2/2016/report.pdf#page=5" in links
    assert server.get("/files/2016/report.pdf").content == corpus_pdf("000").read_bytes()
    assert server.get("/files-2/2016/report.pdf").content == corpus_pdf("002").read_bytes()
