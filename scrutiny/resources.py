"""Where the project's bundled files are: the sample corpus and Datasette's metadata.yml.

From a source checkout (or an editable install) they are at the top of the repository;
a wheel carries copies inside the package, under ``scrutiny/_bundled/``.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ScrutinyError

__all__ = ["bundled"]

_PACKAGE = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """The path of a bundled file or folder ("corpus", "metadata.yml")."""
    for candidate in (_PACKAGE / "_bundled" / name, _PACKAGE.parent / name):
        if candidate.exists():
            return candidate
    raise ScrutinyError(
        f"The bundled {name} is missing from this installation; reinstall scrutiny "
        "(pip install -e . from a checkout) or pass a path explicitly."
    )
