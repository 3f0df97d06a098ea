"""Writers: the document model → HTML, then PDF (WeasyPrint) and EPUB 3 (packaged here from templates)."""
