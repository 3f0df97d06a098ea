"""Readers: source formats → the document model (wikitext is the one format so far)."""
