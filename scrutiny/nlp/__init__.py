"""NLP: the spaCy pipeline, measure linking and entities.

Built on ``spacy.blank("en")`` with rules and lookups; never imports pdfplumber or
sqlite-utils. ``scrutiny.nlp.prose`` reads indicator values written in sentences; it is
imported on demand, so loading scrutiny does not load spaCy.
"""

__all__: list[str] = []
