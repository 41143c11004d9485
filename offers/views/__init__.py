"""The public pages: ``pages`` (home, the walk, offer and provider pages) and ``search``."""
