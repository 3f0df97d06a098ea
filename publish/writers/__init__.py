"""Writers: the document model → HTML, then PDF (WeasyPrint) and EPUB 3 (packaged here from templates)."""
from pathlib import Path

#: The Jinja templates of every writer (here, not in ``html``, so that the rebuild cache can
#: digest them without importing Jinja).
TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
