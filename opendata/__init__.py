"""Open data and reach: the read-only JSON API, downloads, feeds, structured data, the
sitemap, robots.txt, the widget for school websites and the data page (/daten/).

Everything here shows published offers only, and of contact persons only what the offer
pages show. Searches are read with the search page's own ``OfferFilterSet`` and answered
by its engine (``offers.search.engine``), so a parameter means the same everywhere.
"""
