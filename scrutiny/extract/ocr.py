"""Scanned and unreadable PDF pages, read with Tesseract OCR.

A page needs OCR when its text layer is missing (a scan: no text, or only a few words
stamped on an image that fills the page) or unreadable (``(cid:NN)`` from a font with no
Unicode map, private-use or replacement characters, or letters that make almost no common
English words, as a font whose codes are shifted gives). ``text_layer()`` says which.

Such a page is rendered with pypdfium2 (the PDF renderer Chromium uses) at 300 dpi and
read by Tesseract. What comes back are words with their boxes and confidences; they are
turned into characters in pdfplumber's shape, so the same layout code (``pdf.text_of``)
lays out the page's text and the same table finder (``tables.read_tables``) reads its
tables, given the ruled lines found in the image (``find_rulings``). Those lines are
erased before Tesseract reads the page: left in, they come back as "|" words.

**Why the tesseract command, not a Python binding.** Each page is read by Debian's
``tesseract`` program (``tesseract-ocr`` and ``tesseract-ocr-eng``), the image piped in
and the words read back as TSV. pytesseract does the same through temporary files and adds
a dependency for what is a dozen lines here. tesserocr runs libtesseract inside the
worker: a crash in it would kill the worker and lose the whole document, a page it is
stuck on could not be stopped at the document's time limit, and its wheel bundles its own
libtesseract (5.5) beside the system's. A process per page costs about 0.1 s of start-up
and model loading against about 2 s of reading (benchmarks/ocr_speed.py); in return a
crash loses one page, a page is killed when the document's time runs out, and it dies
with its worker (``PR_SET_PDEATHSIG``). It inherits the worker's memory limit, and runs
on one thread (``OMP_THREAD_LIMIT=1``): the build's workers are the parallelism.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from ..errors import ScrutinyError
from ..records import LOW_OCR_CONFIDENCE, Problem, Word
from ..vocab import vocabulary

__all__ = [
    "MODES", "OcrPlan", "OcrSettings", "PageReader", "Reading", "chars_from_words", "engine_problem",
    "find_rulings", "recognise", "text_layer",
]

log = logging.getLogger(__name__)

#: ``--ocr`` values: ``auto`` reads pages with no usable text, ``always`` every PDF page,
#: ``never`` none (they are kept with the text layer they have, and reported).
MODES = ("auto", "always", "never")

INSTALL = "install tesseract-ocr to read scanned pages (Debian: apt-get install tesseract-ocr tesseract-ocr-eng)"

# -- Which pages need OCR -----------------------------------------------------------------

_CID = re.compile(r"\(cid:\d+\)")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
#: Share of a page's visible characters that may be unreadable glyphs before the page is.
_MAX_UNREADABLE = 0.3
#: Below this share of common English words (among at least _MIN_WORDS words), the text is
#: garbage: the bundled papers' pages, tables of figures included, have 25% or more.
_MIN_COMMON = 0.1
_MIN_WORDS = 20
#: A page whose text layer has fewer characters than this and whose images cover this much
#: of it is a scan with a few words stamped on (ModernGov prints "Page 12" on agenda packs).
_STAMP_CHARS = 100
_SCAN_COVER = 0.8


def _unreadable_char(char: str) -> bool:
    return (
        char == "\ufffd"
        or "\ue000" <= char <= "\uf8ff"
        or (unicodedata.category(char) == "Cc" and char not in "\n\r\t\f")
    )


def text_layer(text: str, page: Any = None) -> str:
    """What a PDF page's text layer is: ``usable``, ``none`` or ``unreadable``.

    ``page`` (pdfplumber's) lets a page with a few words over a full-page image count as a
    scan; it is looked at only when the text is that short.
    """
    visible = sum(1 for char in text if not char.isspace())
    if not visible:
        return "none"
    cid = sum(len(match) for match in _CID.findall(text))
    rest = _CID.sub(" ", text)
    if cid + sum(map(_unreadable_char, rest)) > _MAX_UNREADABLE * visible:
        return "unreadable"
    words = _LETTER_WORD.findall(rest)
    if len(words) >= _MIN_WORDS:
        common = _common_words()
        if sum(word.lower() in common for word in words) < _MIN_COMMON * len(words):
            return "unreadable"
    if page is not None and visible < _STAMP_CHARS and _image_cover(page) >= _SCAN_COVER:
        return "none"
    return "usable"


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    return frozenset(row["word"] for row in vocabulary("common_words"))


def _image_cover(page: Any) -> float:
    """The share of the page that its images cover (overlaps counted twice; capped at 1)."""
    area = float(page.width * page.height) or 1.0
    try:
        images = page.images
    except Exception:  # noqa: BLE001 - an image pdfplumber can't place is no reason to OCR
        return 0.0
    covered = sum(max(0.0, image["x1"] - image["x0"]) * max(0.0, image["bottom"] - image["top"]) for image in images)
    return min(1.0, covered / area)


# -- Settings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OcrSettings:
    """How the build reads scanned pages: ``mode`` (auto, always, never), the resolution
    pages are rendered at and Tesseract's language (a traineddata name, "eng")."""

    mode: str = "auto"
    dpi: int = 300  # Tesseract's own advice; 250, 350 and 400 read the bundled pages no better
    language: str = "eng"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ScrutinyError(f"--ocr must be one of {', '.join(MODES)}, not {self.mode!r}.")
        if not 72 <= self.dpi <= 1200:
            raise ScrutinyError("The OCR resolution must be between 72 and 1200 dpi.")
        if not re.fullmatch(r"[A-Za-z_]+(\+[A-Za-z_]+)*", self.language):
            raise ScrutinyError(f"{self.language!r} is not a Tesseract language name (such as eng).")

    @classmethod
    def resolve(cls, value: OcrSettings | Mapping[str, Any] | str | None) -> OcrSettings:
        """Settings from settings, a dict of them, a mode name, or None (the defaults)."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            return cls(mode=value)
        return cls(**value)


@dataclass(frozen=True)
class OcrPlan:
    """What one reading of a document does with the pages that need OCR.

    ``now`` False: find them and keep them with the text they have (the build reads every
    document's text first and queues the scans, so OCR never holds up a page with text).
    ``now`` True: read them, within ``seconds`` for the whole document, taking the words of
    any page in ``done`` (read by OCR before, for this file) instead of reading it again.
    ``missing``: why Tesseract can't run here, when it can't.
    """

    settings: OcrSettings = field(default_factory=OcrSettings)
    now: bool = False
    missing: str | None = None
    seconds: float | None = None
    done: Mapping[int, tuple[Word, ...]] = field(default_factory=dict)


@cache
def engine_problem(language: str = "eng") -> str | None:
    """Why Tesseract can't read ``language`` here (not installed, no language data), or None."""
    program = shutil.which("tesseract")
    if program is None:
        return f"Tesseract is not installed: {INSTALL}."
    try:
        listed = subprocess.run(
            [program, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        return f"Tesseract ({program}) could not be run ({error}): {INSTALL}."
    languages = {line.strip() for line in (listed.stdout + listed.stderr).splitlines()[1:]}
    missing = [name for name in language.split("+") if name not in languages]
    if missing:
        return (
            f"Tesseract has no {'+'.join(missing)} language data: install tesseract-ocr-"
            f"{missing[0]} (Debian) to read scanned pages."
        )
    return None


# -- Reading a page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One page read by OCR: its words and, in pdfplumber's shapes and the page's
    coordinates, characters made from them and the ruled lines found in the image."""

    words: tuple[Word, ...]
    chars: list[dict[str, Any]]
    rulings: list[dict[str, Any]]
    confidence: float | None  # mean word confidence; None when the page has no words


@dataclass(frozen=True)
class OcrPage:
    """``PageReader.page()``'s answer for one page."""

    reading: Reading | None
    fields: dict[str, Any]  # for the Page record: text_layer, and source etc. when read by OCR
    problems: list[Problem]


class OcrFailed(Exception):
    """Tesseract could not read a page (it crashed, or ran out of the document's time)."""


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Tesseract is killed if its worker is (a document stopped at its time limit)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def recognise(
    image: Any, settings: OcrSettings, timeout: float | None = None, dpi: float | None = None
) -> list[dict[str, Any]]:
    """Tesseract's words for a greyscale PIL image rendered at ``dpi`` (default: the
    settings'): text, pixel box, confidence, and the block, paragraph and line each is in.
    Raises OcrFailed."""
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PPM")  # uncompressed: nothing to spend encoding it
    command = [
        "tesseract", "stdin", "stdout", "--dpi", str(round(dpi or settings.dpi)), "--psm", "3",
        "-l", settings.language, "tsv",
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command,
            input=buffer.getvalue(),
            capture_output=True,
            timeout=timeout,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise OcrFailed("the document's time limit ran out while Tesseract read it") from None
    except OSError as error:
        raise OcrFailed(f"Tesseract could not be started ({error})") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrFailed(f"Tesseract failed (exit {done.returncode}: {message[-1] if message else 'no message'})")
    words = []
    for line in done.stdout.decode("utf-8", "replace").splitlines()[1:]:
        cells = line.split("\t", 11)
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        left, top, width, height = (int(cells[i]) for i in range(6, 10))
        words.append(
            {
                "text": cells[11].strip(),
                "x0": left, "top": top, "x1": left + width, "bottom": top + height,
                "confidence": max(0.0, float(cells[10])),
                "line": (int(cells[2]), int(cells[3]), int(cells[4])),
            }
        )  # fmt: skip
    return words


def _mean(words: list[dict[str, Any]]) -> float:
    return sum(w["confidence"] for w in words) / len(words) if words else 0.0


def orientation(image: Any, settings: OcrSettings, timeout: float | None = None, dpi: float | None = None) -> int:
    """Degrees (90, 180, 270) to turn a page image clockwise to read it, by Tesseract's
    orientation detection (``--psm 0``, the osd data Debian's tesseract-ocr installs);
    0 when it is upright, or unsure, or can't tell."""
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PPM")
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "--dpi", str(round(dpi or settings.dpi)), "--psm", "0"],
            input=buffer.getvalue(), capture_output=True, timeout=timeout,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return 0
    found = dict(
        line.split(":", 1) for line in done.stdout.decode("utf-8", "replace").splitlines() if ":" in line
    )
    try:
        turn, sure = int(found.get("Rotate", "0")), float(found.get("Orientation confidence", "0"))
    except ValueError:
        return 0
    return turn if turn in (90, 180, 270) and sure >= 2 else 0


def _runs(mask: Any, min_length: int) -> tuple[Any, Any, Any]:
    """Runs of True along each row of ``mask`` at least ``min_length`` long: (row, start, end)."""
    import numpy as np

    rows, width = mask.shape
    padded = np.zeros((rows, width + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    step = np.diff(padded, axis=1)
    start_rows, starts = np.nonzero(step == 1)
    _, ends = np.nonzero(step == -1)  # row-major order: the ends pair with the starts
    keep = (ends - starts) >= min_length
    return start_rows[keep], starts[keep], ends[keep]


def _bands(mask: Any, min_length: int) -> list[list[int]]:
    """Long runs on consecutive rows that overlap, joined: [first row, last row, start, end]."""
    bands: list[list[int]] = []
    open_bands: list[list[int]] = []
    for row, start, end in zip(*_runs(mask, min_length)):
        row, start, end = int(row), int(start), int(end)
        still_open = [band for band in open_bands if band[1] >= row - 1]
        for band in still_open:
            if band[1] == row - 1 and min(end, band[3]) - max(start, band[2]) > (end - start) // 2:
                band[1], band[2], band[3] = row, min(start, band[2]), max(end, band[3])
                break
        else:
            band = [row, row, start, end]
            bands.append(band)
            still_open.append(band)
        open_bands = still_open
    return bands


def find_rulings(grey: Any, dpi: int) -> tuple[list[tuple[str, float, float, float]], list[tuple[slice, slice]]]:
    """Ruled lines in a greyscale page image: ("h", y, x0, x1) and ("v", x, top, bottom) in
    pixels, and the thin lines' pixels (to erase before OCR).

    A line is a dark run at least a quarter of an inch long. A thin one (up to 1.5 pt) is
    one ruling; a thicker band is a filled box, and its two long sides are rulings (as
    pdfplumber makes edges from a filled rectangle).
    """
    dark = grey < 160
    min_length = dpi // 4
    thin = max(2, dpi // 50)
    lines: list[tuple[str, float, float, float]] = []
    erase: list[tuple[slice, slice]] = []
    for orientation, mask in (("h", dark), ("v", dark.T)):
        for first, last, start, end in _bands(mask, min_length):
            if last - first + 1 <= thin:
                lines.append((orientation, (first + last + 1) / 2, start, end))
                rows, columns = slice(max(0, first - 3), last + 4), slice(max(0, start - 3), end + 3)
                erase.append((rows, columns) if orientation == "h" else (columns, rows))
            else:
                lines.append((orientation, first, start, end))
                lines.append((orientation, last + 1, start, end))
    return lines, erase


def chars_from_words(words: list[Word] | tuple[Word, ...]) -> list[dict[str, Any]]:
    """Characters in pdfplumber's shape from OCR words, for its layout and table code.

    Each word's box is shared out evenly among its letters. The words Tesseract puts on
    one line share that line's top and bottom (else a capital and a lower-case word could
    land on different lines), and a space goes between neighbours, as a text layer has.
    """
    lines: dict[int, tuple[float, float]] = {}
    for word in words:
        top, bottom = lines.get(word.line, (word.top, word.bottom))
        lines[word.line] = (min(top, word.top), max(bottom, word.bottom))
    chars: list[dict[str, Any]] = []
    previous: Word | None = None
    for word in words:
        top, bottom = lines[word.line]
        if previous is not None and previous.line == word.line and word.x0 > previous.x1:
            chars.append(_char(" ", previous.x1, word.x0, top, bottom))
        width = (word.x1 - word.x0) / len(word.text)
        for i, letter in enumerate(word.text):
            chars.append(_char(letter, word.x0 + i * width, word.x0 + (i + 1) * width, top, bottom))
        previous = word
    return chars


def _char(text: str, x0: float, x1: float, top: float, bottom: float) -> dict[str, Any]:
    return {
        "text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
        "upright": True, "fontname": "OCR",
    }  # fmt: skip


#: The largest page image rendered for OCR: an A3 page at 300 dpi (17.4 megapixels), then some.
_MAX_PIXELS = 36_000_000


class PageReader:
    """Reads one document's pages by OCR as ``plan`` says, keeping to its time budget.

    The PDF is opened with pypdfium2 on the first page that needs it.
    """

    def __init__(self, path: Path, plan: OcrPlan | None):
        self.path = path
        self.plan = plan or OcrPlan(OcrSettings(mode="never"))
        self.settings = self.plan.settings
        self.started = time.monotonic()
        self.slowest = 0.0  # seconds the slowest page took, to judge whether another fits
        self.out_of_time: list[int] = []
        self._pdf = None

    def page(self, number: int, page: Any, text: str, unreadable: bool = False) -> OcrPage:
        """What OCR makes of a page whose text layer gave ``text`` (``unreadable``: the
        layer could not be parsed at all): the reading, if it was read now, the Page
        fields that say so, and the problems to record."""
        layer = "unreadable" if unreadable else text_layer(text, page)
        fields: dict[str, Any] = {"text_layer": layer}
        if not self.wanted(layer):
            problem = self.waiting(number, layer) if layer != "usable" else None
            return OcrPage(None, fields, [problem] if problem else [])
        reading, problem = self.read(number, page)
        if reading is None:
            waiting = self.waiting(number, layer)
            return OcrPage(None, fields, [waiting] if waiting else [])
        fields.update(source="ocr", ocr_confidence=reading.confidence, words=reading.words)
        if problem is None and reading.confidence is not None and reading.confidence < LOW_OCR_CONFIDENCE:
            problem = Problem(
                str(self.path), "ocr",
                f"Page {number} was read by OCR with low confidence ({reading.confidence:.0f}%): "
                "check what was read from it against the page.",
                page=number,
            )  # fmt: skip
        return OcrPage(reading, fields, [problem] if problem else [])

    def wanted(self, layer: str) -> bool:
        """Whether a page with this text layer is one for OCR."""
        if self.settings.mode == "never":
            return False
        return self.settings.mode == "always" or layer != "usable"

    def waiting(self, number: int, layer: str) -> Problem | None:
        """The problem to record for a page that needs OCR and is not read by it now."""
        what = {
            "none": "has no text layer (a scanned image or a blank page)",
            "unreadable": "has a text layer that can't be read (a font with no Unicode map, or garbage)",
            "usable": "is to be read by OCR (--ocr always)",
        }[layer]
        if self.settings.mode == "never":
            if layer == "usable":
                return None
            action = "it is kept as it is; build with --ocr auto to read it by OCR."
        elif self.plan.missing:
            action = f"it is kept as it is. {self.plan.missing}"
        elif number in self.out_of_time:
            action = (
                f"it is kept as it is: the document's time limit ({self.plan.seconds:g} s) ran out "
                "before OCR reached it. The next pass or build carries on where this one stopped."
            )
        else:
            action = "it is queued to be read by OCR."
        return Problem(str(self.path), "ocr", f"Page {number} {what}; {action}", page=number)

    def read(self, number: int, page: Any) -> tuple[Reading | None, Problem | None]:
        """Read page ``number`` by OCR: the reading (None if it is not for now) and any problem."""
        if not self.plan.now or self.plan.missing:
            return None, None
        done = self.plan.done.get(number)
        timeout = self._time_left()
        if done is None and timeout is not None and timeout < max(2 * self.slowest, 5.0):
            self.out_of_time.append(number)
            return None, None
        began = time.monotonic()
        try:
            reading = self._read(number, page, done, timeout)
        except OcrFailed as error:
            if "time limit" in str(error):
                self.out_of_time.append(number)
                return None, None
            problem = f"Page {number} could not be read by OCR ({error}); it is kept with no text."
            return Reading((), [], [], None), Problem(str(self.path), "ocr", problem, page=number)
        except MemoryError:
            raise
        except Exception as error:  # noqa: BLE001 - a page pdfium can't render loses only itself
            problem = (
                f"Page {number} could not be rendered for OCR ({type(error).__name__}: {error}); "
                "it is kept with no text."
            )
            return Reading((), [], [], None), Problem(str(self.path), "ocr", problem, page=number)
        if done is None:
            self.slowest = max(self.slowest, time.monotonic() - began)
        return reading, None

    def _time_left(self) -> float | None:
        if self.plan.seconds is None:
            return None
        # Leave a margin for the rest of the document's reading and extraction.
        return self.plan.seconds * 0.9 - (time.monotonic() - self.started)

    def _read(self, number: int, page: Any, done: tuple[Word, ...] | None, timeout: float | None) -> Reading:
        import numpy as np
        from PIL import Image

        settings = self.settings
        if self._pdf is None:
            import pypdfium2

            self._pdf = pypdfium2.PdfDocument(str(self.path))
        width, height = self._pdf[number - 1].get_size()
        # A poster or a plan can be metres across: no more than _MAX_PIXELS, whatever the dpi.
        dpi = min(settings.dpi, 72 * (_MAX_PIXELS / max(1.0, width * height)) ** 0.5)
        image = self._pdf[number - 1].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        grey = np.asarray(image)
        scale = 72 / dpi
        left, top = float(page.bbox[0]), float(page.bbox[1])
        lines, erase = find_rulings(grey, round(dpi))
        rulings = [_ruling(line, scale, left, top, page) for line in lines]
        if done is not None:
            words = list(done)
        elif not (grey < 128).any():
            words = []  # a blank page: nothing for Tesseract to read
        else:
            cleaned = grey.copy()
            for rows, columns in erase:
                cleaned[rows, columns] = 255
            found = recognise(Image.fromarray(cleaned), settings, timeout, dpi)
            if _mean(found) < LOW_OCR_CONFIDENCE:
                # A page printed turned (a landscape table on a portrait page: Merthyr Tydfil,
                # cabinet 2012-02-29, page 7) reads as nonsense: if Tesseract sees it turned,
                # read it turned upright, and lay it out that way (its words' boxes and ruled
                # lines are then in the upright page's frame).
                turn = orientation(image, settings, self._time_left(), dpi)
                if turn:
                    upright = np.asarray(image.rotate(-turn, expand=True))
                    lines, erase = find_rulings(upright, round(dpi))
                    cleaned = upright.copy()
                    for rows, columns in erase:
                        cleaned[rows, columns] = 255
                    turned = recognise(Image.fromarray(cleaned), settings, self._time_left(), dpi)
                    if _mean(turned) > _mean(found):
                        found = turned
                        rulings = [_ruling(line, scale, left, top, page) for line in lines]
            numbered = {line: n for n, line in enumerate(dict.fromkeys(w["line"] for w in found))}
            words = [
                Word(
                    w["text"],
                    round(left + w["x0"] * scale, 2),
                    round(top + w["top"] * scale, 2),
                    round(left + w["x1"] * scale, 2),
                    round(top + w["bottom"] * scale, 2),
                    round(w["confidence"], 1),
                    numbered[w["line"]],
                )
                for w in found
            ]
        chars = chars_from_words(words)
        for char in chars:
            char["doctop"] = page.initial_doctop + char["top"]
        confidence = round(sum(w.confidence for w in words) / len(words), 1) if words else None
        return Reading(tuple(words), chars, rulings, confidence)

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None


def _ruling(line: tuple[str, float, float, float], scale: float, left: float, top: float, page: Any) -> dict[str, Any]:
    """A ruled line from the image as pdfplumber's "line" object, in the page's coordinates."""
    orientation, position, start, end = line
    if orientation == "h":
        x0, x1 = left + start * scale, left + end * scale
        y0 = y1 = top + position * scale
    else:
        x0 = x1 = left + position * scale
        y0, y1 = top + start * scale, top + end * scale
    return {
        "x0": x0, "x1": x1, "top": y0, "bottom": y1, "doctop": page.initial_doctop + y0,
        "y0": page.height - y1, "y1": page.height - y0, "width": x1 - x0, "height": y1 - y0,
        "object_type": "line",
    }  # fmt: skip
