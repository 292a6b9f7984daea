"""pdfminer's page interpreter, fed content streams that qpdf (pikepdf) has tokenised.

pdfminer spends over half of a page's time splitting the page's content stream into
numbers, names, strings and operators, in Python; qpdf does it in C++. Everything after
that is pdfminer's own (its interpreter, fonts, text state and layout objects), so the
characters and rulings pdfplumber lays out are the same. ``tests/test_extract_pdf_fast.py``
checks that on every page of the corpora and on streams made to be awkward.

Where the two tokenisers read the same bytes differently, pdfminer's reading is kept: a
stream is handed back to pdfminer's own tokeniser when it has an inline image, ``null``, a
raw carriage return inside a string (qpdf turns it into a line feed), an escape pdfminer
drops (``\\q``) or an octal escape above 255, a hex string of odd length or with other
characters in it, a number qpdf can't hold, a word that isn't a PDF operator, a name that
isn't UTF-8, or anything qpdf can't parse or warns about. Those checks are cheap and err on the side of
pdfminer.
"""

from __future__ import annotations

import re
import warnings
from decimal import Decimal
from typing import Any, Sequence

import pikepdf
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import stream_value
from pdfminer.psparser import LIT

__all__ = ["QpdfInterpreter", "layout"]

#: The operators of PDF 1.7 / 2.0 content streams (ISO 32000, Annex A) except the inline
#: image ones, with the name of the pdfminer method that runs each.
_METHODS = {
    op: "do_" + op.replace("*", "_a").replace('"', "_w").replace("'", "_q")
    for op in (
        "b B b* B* BDC BMC BT BX c cm CS cs d d0 d1 Do DP EMC ET EX f F f* G g gs h i j J K k l "
        "m M MP n q Q re RG rg ri s S SC sc SCN scn sh T* Tc Td TD Tf Tj TJ TL Tm Tr Ts Tw Tz "
        "v w W W* y ' \""
    ).split()
}

# Bytes that the two tokenisers read differently, looked for anywhere in the stream (a
# match outside a string only costs the fast path for that stream).
_DIFFERENT = re.compile(
    rb"null"  # pdfminer keeps it as a keyword, qpdf as None
    rb"|\\[^btnfr()\\0-7\r\n]"  # an escape pdfminer drops with its character
    rb"|\\[4-7][0-7][0-7]"  # an octal escape above 255 (pdfminer fails, qpdf wraps)
    rb"|(?<![<>])<\s*(?:[0-9A-Fa-f]\s*[0-9A-Fa-f]\s*)*[0-9A-Fa-f]\s*>"  # odd-length hex string
    rb"|(?<![<>])<(?![<>])[^<>]*?[^0-9A-Fa-f\s<>][^<>]*>"  # a hex string with other characters
)
_STRING_EVENTS = re.compile(rb"\\.|[()%\r\n]", re.DOTALL)


def _carriage_return_in_a_string(data: bytes) -> bool:
    """Whether a literal string holds a raw CR (qpdf reads it as LF, pdfminer keeps it)."""
    if b"\r" not in data:
        return False
    depth, comment = 0, False
    for event in _STRING_EVENTS.finditer(data):
        c = event.group()
        if comment:
            comment = c not in (b"\r", b"\n")
        elif depth:
            if c == b"(":
                depth += 1
            elif c == b")":
                depth -= 1
            elif c == b"\r":
                return True
        elif c == b"(":
            depth = 1
        elif c == b"%":
            comment = True
    return False


class _Unlike(Exception):
    """qpdf gave something pdfminer's tokeniser would not have given."""


_STRING, _NAME, _ARRAY, _DICTIONARY = (
    pikepdf.ObjectType.string, pikepdf.ObjectType.name_, pikepdf.ObjectType.array, pikepdf.ObjectType.dictionary
)


def _operand(obj: Any) -> Any:
    """A pikepdf operand as pdfminer's tokeniser gives it."""
    kind = type(obj)
    if kind is int or kind is bool:
        return obj
    if kind is Decimal:
        return float(obj)  # qpdf keeps a real's digits, so this is float() of the text
    if obj is None:  # null, or what qpdf made of a token it couldn't read
        raise _Unlike("null")
    code = obj._type_code
    if code == _STRING:
        return bytes(obj)
    if code == _NAME:
        return LIT(str(obj)[1:])  # "#20" decoded, as pdfminer does; not UTF-8: UnicodeError
    if code == _ARRAY:
        return [_operand(item) for item in obj]
    if code == _DICTIONARY:
        return {key[1:]: _operand(obj[key]) for key in obj.keys()}
    raise _Unlike(str(code))


def _program(data: bytes) -> list[tuple[list[Any], str]] | None:
    """The stream as (operands, pdfminer method) pairs, or None where pdfminer must read it."""
    if _DIFFERENT.search(data) or _carriage_return_in_a_string(data):
        return None
    program = []
    append, method_of, no_operands = program.append, _METHODS.get, []
    try:
        with pikepdf.new() as owner, warnings.catch_warnings(record=True) as recovered:
            warnings.simplefilter("always")
            # qpdf warns where it recovered from bad syntax ("Unexpected end of stream")
            instructions = pikepdf.parse_content_stream(pikepdf.Stream(owner, data))
            if recovered:
                return None
            for operands, operator in instructions:
                method = method_of(str(operator))  # an inline image's is "INLINE IMAGE": None
                if method is None:
                    return None
                append(([_operand(obj) for obj in operands] if operands else no_operands, method))
    except (_Unlike, UnicodeError, pikepdf.PdfError):
        return None
    return program


class QpdfInterpreter(PDFPageInterpreter):
    """pdfminer's interpreter, running the operators qpdf read from the content streams."""

    def execute(self, streams: Sequence[object]) -> None:
        # Recent pdfminer.six tracks the streams it runs, to refuse a form that draws itself
        ids: set[int] | None = getattr(self, "stream_ids", None)
        if ids is not None:
            ids.clear()
        valid = []
        for obj in streams:
            stream = stream_value(obj)
            if ids is not None and (stream.objid is None or stream.objid in self.parent_stream_ids):
                return super().execute(streams)  # pdfminer warns and skips these
            valid.append(stream)
            if ids is not None:
                ids.add(stream.objid)
        # pdfminer reads a page's streams as one, with a line break where one ends (#1157)
        program = _program(b"\n".join(stream.get_data() for stream in valid))
        if program is None:
            return super().execute(streams)
        for operands, method in program:
            self.argstack.extend(operands)
            run = getattr(self, method, None)
            if run is None:
                continue
            wanted = run.__code__.co_argcount - 1
            if wanted:
                args = self.pop(wanted)
                if len(args) == wanted:
                    run(*args)
            else:
                run()


def layout(page: Any) -> Any:
    """``page.layout`` of a pdfplumber page (its pdfminer LTPage), parsed with qpdf's tokeniser."""
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    device = PDFPageAggregatorWithMarkedContent(
        page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams
    )
    QpdfInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    return device.get_result()
