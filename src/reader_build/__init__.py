"""reader-build: annotated manuscripts into a typeset PDF, an EPUB 3 and handouts."""

__version__ = "0.1.0"
