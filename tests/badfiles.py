"""Broken and awkward input files for the robustness tests, made from the real corpus PDFs."""

from __future__ import annotations

import os
import random
import subprocess
import zlib
from pathlib import Path

import pikepdf
import pypdfium2


def truncated_pdf(good: Path, target: Path) -> Path:
    """The first 40% of a real PDF, as a download cut off part-way."""
    data = good.read_bytes()
    target.write_bytes(data[: len(data) * 2 // 5])
    return target


def zero_page_pdf(target: Path) -> Path:
    """A well-formed PDF with an empty page tree."""
    pdf = pypdfium2.PdfDocument.new()
    pdf.save(target)
    pdf.close()
    return target


def encrypted_pdf(good: Path, target: Path) -> Path:
    """A real PDF re-saved with a user password (AES-256), as some councils publish."""
    with pikepdf.open(good) as pdf:
        pdf.save(target, encryption=pikepdf.Encryption(user="council", owner="council-owner", R=6))
    return target


def _add_image_page(out: pypdfium2.PdfDocument, page: pypdfium2.PdfPage, scale: float, grayscale: bool = False) -> None:
    """Append ``page`` rendered at ``scale`` to ``out`` as an image the page's size: no text layer."""
    width, height = page.get_size()
    bitmap = page.render(scale=scale, grayscale=grayscale)
    added = out.new_page(width, height)
    image = pypdfium2.PdfImage.new(out)
    image.set_bitmap(bitmap)
    image.set_matrix(pypdfium2.PdfMatrix().scale(width, height))
    added.insert_obj(image)
    added.gen_content()


def scanned_pdf(good: Path, target: Path) -> Path:
    """Page 1 of ``good`` rendered to an image with no text layer, then ``good``'s own pages:
    the shape of a scanned signature page bound in front of a typed report."""
    source = pypdfium2.PdfDocument(good)
    out = pypdfium2.PdfDocument.new()
    _add_image_page(out, source[0], scale=1)
    out.import_pages(source)
    out.save(target)
    out.close()
    source.close()
    return target


def long_pdf(good: Path, target: Path, pages: int = 500) -> Path:
    """A ``pages``-page PDF made by repeating a real PDF's pages."""
    source = pypdfium2.PdfDocument(good)
    out = pypdfium2.PdfDocument.new()
    while len(out) < pages:
        wanted = min(len(source), pages - len(out))
        out.import_pages(source, list(range(wanted)))
    out.save(target)
    out.close()
    source.close()
    return target


def _one_page_pdf(target: Path, content: bytes, *, already_deflated: bool = False) -> Path:
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(595, 842))
        page = pdf.pages[0]
        page.Resources = pikepdf.Dictionary(
            Font=pikepdf.Dictionary(
                F1=pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
            )
        )
        stream = pikepdf.Stream(pdf, b"")
        if already_deflated:
            stream.write(content, filter=pikepdf.Name.FlateDecode)
        else:
            stream.write(content)
        page.Contents = pdf.make_indirect(stream)
        pdf.save(target, compress_streams=not already_deflated)
    return target


def slow_pdf(target: Path, operations: int = 2_000_000) -> Path:
    """One page whose content stream shows a letter two million times: a few hundred KB on
    disk, minutes of work for a PDF interpreter. Stands in for pathological real PDFs."""
    return _one_page_pdf(target, b"BT /F1 1 Tf 0 0 Td " + b"(x) Tj " * operations + b"ET")


def memory_bomb_pdf(target: Path, megabytes: int = 500) -> Path:
    """One page whose deflated content stream inflates to ``megabytes`` MB of spaces
    (about 2 MB on disk): reading it needs far more memory than any real paper."""
    squeeze = zlib.compressobj(1)
    chunk = b" " * (1 << 20)
    deflated = [squeeze.compress(b"BT /F1 12 Tf 72 720 Td (start) Tj ET ")]
    deflated += [squeeze.compress(chunk) for _ in range(megabytes)]
    deflated.append(squeeze.flush())
    return _one_page_pdf(target, b"".join(deflated), already_deflated=True)


def random_bytes(target: Path, size: int = 50_000, seed: int = 8) -> Path:
    target.write_bytes(random.Random(seed).randbytes(size))
    return target


def image_pdf(source: Path, pages: list[int], target: Path, dpi: int = 200) -> Path:
    """``source``'s pages rendered at ``dpi`` and written as images with no text layer: a scan."""
    pdf = pypdfium2.PdfDocument(source)
    out = pypdfium2.PdfDocument.new()
    for number in pages:
        _add_image_page(out, pdf[number - 1], scale=dpi / 72, grayscale=True)
    out.save(target)
    out.close()
    pdf.close()
    return target


def one_page(source: Path, number: int, target: Path) -> Path:
    """Page ``number`` of ``source`` alone, text layer and all (to compare a reading of it)."""
    with pikepdf.open(source) as pdf:
        for index in reversed(range(len(pdf.pages))):
            if index + 1 != number:
                del pdf.pages[index]
        pdf.save(target)
    return target


def no_unicode_map(source: Path, pages: list[int], target: Path) -> Path:
    """``source``'s pages with the glyphs kept and the text lost: each font's ToUnicode map
    removed and its embedded TrueType ``cmap`` table hidden, so no reader can get from a
    glyph to its character (pdfminer gives "(cid:37)(cid:28)..."), as with fonts some
    councils' PDF tools embed."""
    with pikepdf.open(source) as pdf:
        for index in reversed(range(len(pdf.pages))):
            if index + 1 not in pages:
                del pdf.pages[index]
        for page in pdf.pages:
            for font in page.resources.Font.values():
                if "/ToUnicode" in font:
                    del font["/ToUnicode"]
                for descendant in font.get("/DescendantFonts", []):
                    program = descendant.FontDescriptor.get("/FontFile2")
                    if program is None:
                        continue
                    data = bytearray(program.read_bytes())
                    for table in range(int.from_bytes(data[4:6], "big")):
                        at = 12 + 16 * table
                        if data[at : at + 4] == b"cmap":
                            data[at : at + 4] = b"xmap"
                    program.write(bytes(data))
        pdf.save(target)
    return target


# --- The attack corpus: files made to break a build ----------------------------------------


def one_line_text(seed_text: Path, target: Path, size: int = 1_000_000) -> Path:
    """A text file of ``size`` characters on one line: a real paper's words (seed 004's
    minutes) with every line break and full stop taken out, so nothing splits it."""
    words = seed_text.read_text(encoding="utf-8").replace(".", " ").split()
    text = " ".join(words[i % len(words)] for i in range(size // 4))[:size]
    target.write_text(text, encoding="utf-8")
    return target


def long_sentences_text(target: Path, sentences: int = 400) -> Path:
    """Sentences of about 4,500 characters, each naming many percentages and rates: the
    prose step's worst case (its work on a sentence grows with the sentence's square)."""
    clause = "the rate of re-referrals in July was 22.7% against a target of 24% and 85.5 per 10,000 "
    text = "".join(f"In quarter {n} " + clause * 52 + "was reported.\n" for n in range(sentences))
    target.write_text(text, encoding="utf-8")
    return target


def random_text_bytes(target: Path, size: int = 73_000, seed: int = 8) -> Path:
    """Random bytes with no NUL (and none of the five bytes Windows-1252 leaves undefined), so
    they decode as Windows-1252 "text": binary junk that a NUL check alone lets through."""
    undefined = {0, 0x81, 0x8D, 0x8F, 0x90, 0x9D}
    rng = random.Random(seed)
    data = bytearray()
    while len(data) < size:
        data += bytes(b for b in rng.randbytes(size) if b not in undefined)
    target.write_bytes(bytes(data[:size]))
    return target


#: Japanese minutes, as a test of encodings only: "Minutes: the committee approved the report.
#: Children's services performance was 85%." (no real Japanese council paper exists to use).
JAPANESE = "議事録：委員会は報告書を承認した。児童サービスの業績は85％でした。"


def encoded_html(target: Path, encoding: str, *, declared: bool) -> Path:
    """A minutes page with an English resolution and a Japanese line, saved in ``encoding``,
    with or without ``<meta charset>`` saying which."""
    meta = f'<meta charset="{encoding}">' if declared else ""
    page = (
        f"<!DOCTYPE html><html><head>{meta}<title>Minutes</title></head><body>"
        f"<p>{JAPANESE}</p><p>RESOLVED that the report be noted.</p></body></html>"
    )
    target.write_bytes(page.encode(encoding))
    return target


def latin1_named(folder: Path, text: str = "Minutes\nRESOLVED that the report be noted.\n") -> Path:
    """A text file named "café_minutes.txt" in Latin-1 (the byte 0xE9, not valid UTF-8), as an
    old Windows archive unpacked on Linux names it. Returns the path (with a surrogate)."""
    name = os.path.join(os.fsencode(folder), b"caf\xe9_minutes.txt")
    with open(name, "wb") as f:
        f.write(text.encode("utf-8"))
    return Path(os.fsdecode(name))


def mediabox_name_pdf(good: Path, target: Path) -> Path:
    """A real PDF whose first page's /MediaBox holds a name where a number belongs."""
    with pikepdf.open(good) as pdf:
        pdf.pages[0].obj.MediaBox = pikepdf.Array([pikepdf.Name("/x"), 0, 1])
        pdf.save(target)
    return target


def flipped_pdf(good: Path, target: Path, seed: int, flips: int = 20) -> Path:
    """A real PDF with ``flips`` bytes overwritten at random (a bad disk, a bad download)."""
    data = bytearray(good.read_bytes())
    rng = random.Random(seed)
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    target.write_bytes(bytes(data))
    return target


def crowded_pdf(target: Path, characters: int = 120_000) -> Path:
    """One page holding ``characters`` characters in 2-point type: no printed page holds so
    many (a dense A4 page about 5,000), only a crafted one."""
    line = b"(" + b"abcdefghij " * 30 + b") Tj T* "
    lines = characters // 330 + 1
    return _one_page_pdf(target, b"BT /F1 2 Tf 2 TL 10 830 Td " + line * lines + b"ET")


def in_small_filesystem(folder: Path, command: list[str], *, kilobytes: int = 1024, read_only: bool = False,
                        timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``command`` with an empty file system of ``kilobytes`` mounted at ``folder``
    (read-only if asked), in a mount namespace of its own: a full or unwritable disk, for
    real, seen by that process alone. Needs util-linux's unshare (and, when not root, user
    namespaces)."""
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={kilobytes}k" + (",ro" if read_only else "")
    user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    return subprocess.run(
        ["unshare", *user, "--mount", "sh", "-c",
         f'mount -t tmpfs -o {options} tmpfs "$0" && cd /tmp && exec "$@"', str(folder), *command],
        capture_output=True, text=True, timeout=timeout,
    )
