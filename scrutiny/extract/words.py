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

from dataclasses import dataclass, field
from statistics import median
from typing import Any

__all__ = ["blocks"]


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


def _words(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from pdfplumber.utils import extract_words

    upright = [c for c in chars if c.get("upright", True) and c["text"].strip() or c["text"] == " "]
    return [w for w in extract_words(upright) if w.get("upright", True)]


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
    return [b["x0"] - a["x1"] for a, b in zip(line, line[1:])]


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
    space = median(gaps) if gaps else 0.0
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


def blocks(chars: list[dict[str, Any]]) -> tuple[str, ...]:
    """The text of ``chars`` in blocks, in reading order, each block's lines joined by
    "\\n"; empty when the text is not set in columns side by side (then the page's own
    text reads in order)."""
    words = _words(chars)
    if not words:
        return ()
    lines = _lines(words)
    edges = _edges(lines)
    pieces = [piece for line in lines for piece in _pieces(line, edges)]
    found = _stack(pieces)
    if not _side_by_side(found):
        return ()
    return tuple("\n".join(piece.text for piece in block.pieces) for block in _reading_order(found))
