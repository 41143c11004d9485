"""Shared fixtures: a small, known offer database built from factories."""

import pytest

from tests import factories


@pytest.fixture
def taxonomy(db):
    return factories.make_taxonomy()
