"""Corpus: find documents on disk (or, later, fetch them from ModernGov sites) and read manifests.

Never imports pdfplumber or spaCy: this stage deals in files and where they came from.
"""

from __future__ import annotations

from .discover import discover, sha256_of
from .manifest import MANIFEST_NAME, read_manifest

__all__ = ["MANIFEST_NAME", "discover", "read_manifest", "sha256_of"]
