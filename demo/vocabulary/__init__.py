"""Words the offer generator builds German titles, descriptions and names from.

Keyed by the slugs of fixtures/taxonomies.json; a sector the tables do not know falls back
to generic words, so the generator also runs on another region's vocabulary.
"""
