"""Sources: what produces a source folder for the build (the MediaWiki API client and fetch)."""
