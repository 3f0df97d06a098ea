"""Readers: source formats → the document model (wikitext is the one format so far)."""
from __future__ import annotations

__all__ = ["MAX_SOURCE_BYTES"]

#: MediaWiki saves articles up to 2 MB of wikitext ($wgMaxArticleSize); larger sources are
#: refused before they are read, unless the caller raises the bound (``--max-size``).
MAX_SOURCE_BYTES = 2 * 1024 * 1024
