"""scrutiny: turn English councils' committee papers and minutes into a searchable catalogue.

    >>> import scrutiny
    >>> summary = scrutiny.build(["corpus/"], "catalogue.db")
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import ScrutinyError, UnreadableDocument
from .pipeline import Build, BuildSummary, build

try:
    __version__ = version("scrutiny")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["Build", "BuildSummary", "ScrutinyError", "UnreadableDocument", "__version__", "build"]
