"""A facet is one class and one entry in the registry.

A throw-away facet defined here only ("free of charge or not", read from the cost column)
is registered for the test and must then appear everywhere the search uses facets: the
form and the page's panel, the chips, the results, the counts of both engines (equal to the
reference counts) and the page cache's key, with no other module changed.
"""

import numpy as np
import pytest
from django.db.models import Count, Q
from django.http import QueryDict

from offers.search import engine as search_engine
from offers.search import facets, sql
from offers.search.forms import OfferFilterSet
from offers.search.index import SearchIndex
from offers.search.kinds import Facet
from offers.search.spec import SearchSpec, Vocabulary
from tests.factories import add_search_vocabulary, make_offer
from tests.test_page_cache import same_page

SEARCH = "/suche/"


class FreeOfCharge(Facet):
    """Whether an offer costs something; an empty cost means free."""

    columns = ("cost",)
    CONDITIONS = {"free": Q(cost=""), "paid": ~Q(cost="")}

    def choices(self, vocabulary):
        return [("free", "kostenlos"), ("paid", "kostenpflichtig")]

    def condition(self, values, vocabulary):
        return Q.create([self.CONDITIONS[key] for key in values], connector=Q.OR)

    def sql_counts(self, base, vocabulary):
        return base.aggregate(
            **{key: Count("pk", filter=condition) for key, condition in self.CONDITIONS.items()}
        )

    def pairs(self, build):
        paid = (build.column("cost") != "").astype(np.int64)
        return build.slots, paid  # value code 0 "free", 1 "paid"


@pytest.fixture
def cost_facet():
    search_engine.reset()
    with facets.registered_also(FreeOfCharge("cost", "Kosten")) as facet:
        yield facet
    search_engine.reset()


@pytest.fixture
def catalogue(taxonomy):
    vocab = add_search_vocabulary(taxonomy)
    make_offer(vocab, title="Roboter bauen", cost="", grade_min=5, grade_max=6)
    make_offer(vocab, title="Roboter löten", cost="5 € pro Person", grade_min=5, grade_max=8)
    make_offer(vocab, title="Chemielabor", cost="", grade_min=9, grade_max=10)
    make_offer(vocab, title="Entwurf", cost="", status="draft")
    return vocab


def test_a_new_facet_filters_and_counts_in_both_engines(catalogue, cost_facet):
    vocabulary = Vocabulary.load()
    for spec in (
        SearchSpec(cost=("free",)),
        SearchSpec(cost=("paid",), q="Roboter"),
        SearchSpec(cost=("free", "paid"), grade=9),
        SearchSpec(),
    ):
        plain = sql.search(spec, vocabulary)
        reference = sql.reference_counts(spec, vocabulary)
        indexed = SearchIndex.build().search(spec)
        assert plain.counts == reference, spec
        assert indexed.counts == plain.counts, spec
        assert [o.title for o in indexed.page] == [o.title for o in plain.page], spec
    free = sql.search(SearchSpec(cost=("free",)), vocabulary)
    assert sorted(o.title for o in free.page) == ["Chemielabor", "Roboter bauen"]
    assert free.counts["cost"] == {"free": 2, "paid": 1}
    assert sql.search(SearchSpec(grade=9), vocabulary).counts["cost"] == {"free": 1, "paid": 0}


def test_a_new_facet_is_in_the_form_the_page_and_the_chips(client, catalogue, cost_facet):
    filterset = OfferFilterSet(QueryDict("cost=paid&cost=gratis"))
    assert filterset.is_valid()
    assert filterset.spec.selected("cost") == ("paid",)
    assert ("Kosten", "gratis") in filterset.ignored_values()

    response = client.get(SEARCH, {"cost": "free"})
    html = response.content.decode()
    assert response.context["result"].total == 2
    assert 'name="cost" value="free" checked' in html
    assert 'name="cost" value="paid"' in html
    assert "Kosten: kostenlos" in html
    assert [chip["filter"] for chip in response.context["chips"]] == ["Kosten"]


def test_a_new_facets_parameter_is_part_of_the_page_cache_key(
    client, catalogue, cost_facet, django_assert_num_queries
):
    first = client.get(SEARCH, {"cost": "paid"})
    with django_assert_num_queries(1):  # the catalogue version; the page comes from the cache
        again = client.get(SEARCH, {"cost": "paid"})
    assert same_page(again, first)
    assert not same_page(client.get(SEARCH, {"cost": "free"}), first)


def test_an_unregistered_name_is_no_facet(catalogue):
    with pytest.raises(TypeError):
        SearchSpec(cost=("free",))
    assert "cost" not in facets.parameters()
