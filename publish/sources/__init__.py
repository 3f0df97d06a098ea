"""Sources: what produces articles for the build (the MediaWiki API and fetch, XML dumps)."""
