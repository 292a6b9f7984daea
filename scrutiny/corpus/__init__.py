"""Corpus: find documents on disk, fetch them from ModernGov sites, and read and write manifests.

Never imports pdfplumber or spaCy: this stage deals in files and where they came from.
"""

from __future__ import annotations

from .discover import discover, sha256_of
from .manifest import MANIFEST_NAME, read_manifest
from .moderngov import Fetch, FetchSettings, FetchSummary, fetch, known_sites

__all__ = [
    "MANIFEST_NAME",
    "Fetch",
    "FetchSettings",
    "FetchSummary",
    "discover",
    "fetch",
    "known_sites",
    "read_manifest",
    "sha256_of",
]
