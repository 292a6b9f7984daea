"""NLP: the spaCy pipeline, measure linking and entities.

Empty until measure linking lands (see the issues): it will build on ``spacy.blank("en")``
with rules and lookups, and never import pdfplumber or sqlite-utils.
"""

__all__: list[str] = []
