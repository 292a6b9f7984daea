"""A page's text as blocks, column by column, from the positions of its words.

pdfplumber lays a page's text out line by line across the whole page, so two columns
printed side by side interleave: on Coventry's annual performance slides (dev corpus,
pp5-7) "Our GDP per head figure in 2019 was" is followed by a line of the next column,
and on Kent's Integrated Care Strategy slides (dev corpus, p3) the right-hand column
"Indicators for this outcome could include" shares each printed line with the middle
one. Sentences cut up like that can't be read.

``blocks()`` groups the words into lines, cuts each line where a gap wider than a
column gutter separates its words, and stacks the pieces that sit under one another
into blocks. Each line of a block is a piece of one line of the page's text, with the
same words and single spaces, so a sentence read from a block is still printed on the
page (``scrutiny.catalogue.quality.grounded`` checks each line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median
from typing import Any

from ..records import Cell, Table

__all__ = ["aligned_tables", "blocks", "page_words", "words_outside"]


@dataclass
class _Piece:
    """Words of one printed line that sit together (no gutter between them)."""

    words: list[dict[str, Any]]

    @property
    def x0(self) -> float:
        return self.words[0]["x0"]

    @property
    def x1(self) -> float:
        return self.words[-1]["x1"]

    @property
    def top(self) -> float:
        return min(w["top"] for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w["bottom"] for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w["text"] for w in self.words)


@dataclass
class _Block:
    pieces: list[_Piece] = field(default_factory=list)

    @property
    def x0(self) -> float:
        return min(p.x0 for p in self.pieces)

    @property
    def x1(self) -> float:
        return max(p.x1 for p in self.pieces)


def page_words(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The page's upright words, with their boxes (pdfplumber's word extraction), found once a
    page for the readers here and the table finder's checks."""
    from pdfplumber.utils import extract_words

    upright = [c for c in chars if c.get("upright", True) and c["text"].strip() or c["text"] == " "]
    return [w for w in extract_words(upright) if w.get("upright", True)]


def words_outside(words: list[dict[str, Any]], boxes: list[tuple[float, float, float, float]]) -> list[dict[str, Any]]:
    """The words that overlap none of ``boxes``."""
    return [
        w for w in words
        if not any(w["x0"] < x1 and w["x1"] > x0 and w["top"] < bottom and w["bottom"] > top for x0, top, x1, bottom in boxes)
    ]


def _lines(words: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Words in printed lines, top to bottom, each left to right (pdfplumber's 3 pt tolerance)."""
    lines: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        for line in lines[-3:]:
            if abs(line[0]["top"] - word["top"]) <= 3:
                line.append(word)
                break
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def _gaps(line: list[dict[str, Any]]) -> list[float]:
    return [b["x0"] - a["x1"] for a, b in pairwise(line)]


def _edges(lines: list[list[dict[str, Any]]]) -> set[int]:
    """Left edges of columns: where, on four or more lines, a word starts after a gap wider
    than the line's spaces (Kent's slides, dev corpus p3: the right-hand column starts at
    the same place on every line, only a few points from the middle column's last word)."""
    counts: dict[int, int] = {}
    for line in lines:
        gaps = _gaps(line)
        if not gaps:
            continue
        space = median(gaps)
        for word, gap in zip(line[1:], gaps):
            if gap > 1.8 * space and gap > 4:
                key = round(word["x0"])
                counts[key] = counts.get(key, 0) + 1
    return {x for x, n in counts.items() if n + counts.get(x - 1, 0) + counts.get(x + 1, 0) >= 4}


def _pieces(line: list[dict[str, Any]], edges: set[int]) -> list[_Piece]:
    """A line cut where a gutter parts its words: a gap much wider than the line's spaces,
    or a wider gap before a word that starts where a column starts on other lines."""
    height = median(w["bottom"] - w["top"] for w in line)
    gaps = _gaps(line)
    # a line of few words says little about its spaces: a space is about a third of its height
    space = median(gaps) if len(gaps) >= 4 else min([*gaps, 0.35 * height])
    gutter = max(2.5 * space, 0.6 * height, 5.0)
    pieces = [_Piece([line[0]])]
    for word, gap in zip(line[1:], gaps):
        at_edge = any(abs(word["x0"] - x) <= 1.5 for x in edges) and gap > max(1.8 * space, 4.0)
        if gap > gutter or at_edge:
            pieces.append(_Piece([word]))
        else:
            pieces[-1].words.append(word)
    return pieces


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def _stack(pieces: list[_Piece]) -> list[_Block]:
    """Pieces stacked into blocks: a piece joins the block whose last line is just above it
    and shares its horizontal span."""
    open_blocks: list[_Block] = []
    done: list[_Block] = []
    for piece in sorted(pieces, key=lambda p: (p.top, p.x0)):
        height = piece.bottom - piece.top
        best, best_overlap = None, 0.0
        for block in open_blocks:
            last = block.pieces[-1]
            gap = piece.top - last.bottom
            if gap > 1.2 * max(height, last.bottom - last.top) or gap < -0.5 * height:
                continue
            overlap = _overlap(piece.x0, piece.x1, last.x0, last.x1)
            aligned = abs(piece.x0 - last.x0) <= 3
            if (overlap > 0 or aligned) and overlap >= best_overlap:
                best, best_overlap = block, max(overlap, 0.0)
        if best is None:
            best = _Block()
            open_blocks.append(best)
        best.pieces.append(piece)
        # a block whose last line is far above this one is closed
        still = []
        for block in open_blocks:
            if piece.top - block.pieces[-1].bottom > 3 * height:
                done.append(block)
            else:
                still.append(block)
        open_blocks = still
    return done + open_blocks


def _reading_order(found: list[_Block]) -> list[_Block]:
    """Column by column: blocks ordered by their top, but a block whose span lies wholly to
    the right of another that starts above it comes after that one's column."""
    return sorted(found, key=lambda b: (round(b.x0 / 40), b.pieces[0].top))


def _side_by_side(found: list[_Block]) -> bool:
    """Two blocks of three or more lines each at the same height, one beside the other."""
    tall = [b for b in found if len(b.pieces) >= 3]
    for i, a in enumerate(tall):
        for b in tall[i + 1:]:
            vertical = _overlap(a.pieces[0].top, a.pieces[-1].bottom, b.pieces[0].top, b.pieces[-1].bottom)
            if vertical > 0 and _overlap(a.x0, a.x1, b.x0, b.x1) <= 0:
                return True
    return False


def blocks(words: list[dict[str, Any]]) -> tuple[str, ...]:
    """The text of ``words`` (``page_words``) in blocks, in reading order, each block's lines joined by
    "\\n"; empty when the text is not set in columns side by side (then the page's own
    text reads in order)."""
    if not words:
        return ()
    lines = _lines(words)
    edges = _edges(lines)
    pieces = [piece for line in lines for piece in _pieces(line, edges)]
    found = _stack(pieces)
    if not _side_by_side(found):
        return ()
    return tuple("\n".join(piece.text for piece in block.pieces) for block in _reading_order(found))


# --- Tables set out with whitespace --------------------------------------------------------

_NUMBER_PIECE = re.compile(r"^[(£+\-−–]*\s*\d[\d,]*(?:\.\d+)?\s*(?:%|[kKmM]\b|bn\b)?\)?(?:\s+[a-z]+)?$")


def _is_number(text: str) -> bool:
    return bool(_NUMBER_PIECE.match(text)) and not re.fullmatch(r"(?:19|20)\d\d", text.strip())


def _columns(rows: list[list[_Piece]]) -> list[float]:
    """Left edges shared by the pieces of several lines, left to right."""
    starts = sorted(piece.x0 for row in rows for piece in row)
    columns: list[list[float]] = []
    for x in starts:
        if columns and x - columns[-1][-1] <= 4:
            columns[-1].append(x)
        else:
            columns.append([x])
    return [group[0] for group in columns if len(group) >= 2]


def aligned_tables(words: list[dict[str, Any]], page: int) -> list[Table]:
    """Tables set out with whitespace, not rules: runs of three or more lines whose pieces
    start at shared left edges, one column of them numbers, each beside a label. Side by
    side lists ("2013/14" over "Merthyr Vale 2   16 places", "2014/15" over "Bedlinog 2   20
    places", Merthyr's expansion areas, dev corpus p1) are one table each."""
    if not words:
        return []
    lines = _lines(words)
    edges = _edges(lines)
    split = [_pieces(line, edges) for line in lines]
    tables: list[Table] = []
    run: list[list[_Piece]] = []

    def close() -> None:
        if len(run) >= 3:
            tables.extend(_run_tables(run, page))
        run.clear()

    previous_bottom = None
    for pieces in split:
        top = min(p.top for p in pieces)
        height = max(p.bottom for p in pieces) - top
        if previous_bottom is not None and top - previous_bottom > 1.5 * max(height, 8):
            close()
        if len(pieces) >= 2 or run and any(_is_number(p.text) for p in pieces):
            run.append(pieces)
        else:
            close()
            if len(pieces) == 1:
                run.append(pieces)  # a heading over the run ("2013/14")
        previous_bottom = max(p.bottom for p in pieces)
    close()
    return tables


def _run_tables(run: list[list[_Piece]], page: int) -> list[Table]:
    # a lone heading line at the start joins only if the run under it has two or more pieces a line
    columns = _columns(run)
    if len(columns) < 2:
        return []
    grid: list[list[str]] = []
    boxes: list[list[tuple[float, float, float, float] | None]] = []
    for pieces in run:
        row = [""] * len(columns)
        box: list[tuple[float, float, float, float] | None] = [None] * len(columns)
        for piece in pieces:
            j = max(i for i, x in enumerate(columns) if x <= piece.x0 + 4) if piece.x0 + 4 >= columns[0] else 0
            row[j] = f"{row[j]} {piece.text}".strip()
            box[j] = (piece.x0, piece.top, piece.x1, piece.bottom)
        grid.append(row)
        boxes.append(box)
    numeric = [sum(1 for row in grid if row[j] and _is_number(row[j])) for j in range(len(columns))]
    for j in range(len(columns)):
        printed = [row[j] for row in grid if row[j] and re.fullmatch(r"\d+", row[j])]
        if len(printed) >= 3 and all(int(a) <= int(b) for a, b in pairwise(printed)):
            numeric[j] = 0  # page numbers down a list of contents (Merton's agenda, dev corpus p2)
    filled = [sum(1 for row in grid if row[j]) for j in range(len(columns))]
    number_columns = [j for j in range(len(columns)) if numeric[j] >= 3 and numeric[j] >= 0.6 * filled[j]]
    if not number_columns:
        return []
    # side by side tables: a text column after a number column starts another table
    starts = [0] + [j for j in range(1, len(columns)) if j not in number_columns and j - 1 in number_columns]
    bounds = list(zip(starts, [*starts[1:], len(columns)]))
    tables = []
    for first, last in bounds:
        if not any(first <= j < last for j in number_columns) or last - first < 2:
            continue
        rows = []
        for row, box in zip(grid, boxes):
            cells = tuple(Cell(row[j], roman=row[j], bbox=box[j]) for j in range(first, last))
            if any(cell.text for cell in cells):
                rows.append(cells)
        kept = [b for row in boxes for b in row[first:last] if b]
        bbox = (min(b[0] for b in kept), min(b[1] for b in kept), max(b[2] for b in kept), max(b[3] for b in kept))
        tables.append(Table(page, tuple(rows), bbox=bbox, ruled=False))
    return tables
