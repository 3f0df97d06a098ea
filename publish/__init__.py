"""publish: MediaWiki articles → typeset PDF and EPUB books in simplified and traditional Chinese."""
__version__ = "0.1.0"
