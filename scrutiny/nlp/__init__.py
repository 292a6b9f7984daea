"""NLP: spaCy rule pipelines built on ``spacy.blank("en")`` with rules and lookups (no model download).

``scrutiny.nlp.prose`` reads indicator values written in sentences; ``scrutiny.nlp.entities``
finds the people, roles and bodies minutes name; ``scrutiny.nlp.linking`` links each reported
measure to the measure registry. This package
never imports pdfplumber or sqlite-utils, and its modules are imported only when a build
needs them (spaCy is slow to load).
"""

__all__: list[str] = []
