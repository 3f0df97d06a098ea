"""Sources: what produces articles for the build (a MediaWiki dump, the MediaWiki API)."""
