"""Exceptions the library raises; the CLI turns them into messages."""

from __future__ import annotations


class ScrutinyError(Exception):
    """Base class: the message is a sentence a person can act on."""


class UnreadableDocument(ScrutinyError):
    """A file could not be read at all (broken, encrypted, not what its extension says)."""


class ManifestError(ScrutinyError):
    """A corpus manifest is malformed."""
