"""Broken and awkward input files for the robustness tests, made from the real corpus PDFs."""

from __future__ import annotations

import random
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


def scanned_pdf(good: Path, target: Path) -> Path:
    """Page 1 of ``good`` rendered to an image with no text layer, then ``good``'s own pages:
    the shape of a scanned signature page bound in front of a typed report."""
    source = pypdfium2.PdfDocument(good)
    out = pypdfium2.PdfDocument.new()
    width, height = source[0].get_size()
    bitmap = source[0].render(scale=1)
    page = out.new_page(width, height)
    image = pypdfium2.PdfImage.new(out)
    image.set_bitmap(bitmap)
    image.set_matrix(pypdfium2.PdfMatrix().scale(width, height))
    page.insert_obj(image)
    page.gen_content()
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
        width, height = pdf[number - 1].get_size()
        bitmap = pdf[number - 1].render(scale=dpi / 72, grayscale=True)
        page = out.new_page(width, height)
        image = pypdfium2.PdfImage.new(out)
        image.set_bitmap(bitmap)
        image.set_matrix(pypdfium2.PdfMatrix().scale(width, height))
        page.insert_obj(image)
        page.gen_content()
    out.save(target)
    out.close()
    pdf.close()
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
