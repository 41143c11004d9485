"""Reading the search page's query string: ``OfferFilterSet`` reads one whose values all
make sense with its form class's fields alone, and builds the form only for one with a value
to complain about. Either way it must read every query string as the form does."""

from urllib.parse import urlencode

from django.http import QueryDict
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from offers.search import facets
from offers.search.forms import OfferFilterSet
from offers.search.spec import SORTS, Vocabulary
from tests.factories import add_search_vocabulary
from tests.test_robustness import query_strings

BUDGET = hypothesis_settings(max_examples=200, deadline=None, derandomize=True, database=None)


class ThroughTheForm(OfferFilterSet):
    """The filterset as django-filter reads a query string: always with the form."""

    def is_valid(self):
        return self.is_bound and self.form.is_valid()

    @property
    def cleaned_data(self):
        return self.form.cleaned_data


def sensible_pairs(vocabulary):
    """A value that makes sense for each parameter: every facet's keys, both ends of each
    number, every sort, a second page, words."""
    pairs = [("sort", key) for key in SORTS] + [("page", "2"), ("q", "Roboter"), ("q", "N 23")]
    for facet in facets.registered():
        if facet.multiple:
            pairs += [(facet.name, key) for key, _label in facet.choices(vocabulary)]
        else:
            pairs += [(facet.name, str(number)) for number in facet.bounds]
    return pairs


def test_the_filterset_reads_every_query_string_as_its_form_does(taxonomy):
    add_search_vocabulary(taxonomy)
    vocabulary = Vocabulary.load()
    sensible = st.sampled_from(sensible_pairs(vocabulary)).map(lambda pair: urlencode([pair]))
    odd = query_strings(facets.parameters() | {"notiz"})

    @BUDGET
    @given(query=st.lists(st.one_of(sensible, odd), max_size=6).map("&".join))
    @example(query="type=praktikum&region=alt&sort=best&grade=9&page=3")
    @example(query="region=trier&region=trier&region=&grade=9&grade=abc")
    @example(query="grade=abc&size=-3&page=0")
    @example(query="page=99999999999&q=" + "Roboter " * 300)
    @example(query="q=a%00b&type=a%00b")
    @example(query="type=&grade=&size=&sort=&page=&q=")
    def check(query):
        data = QueryDict(query)
        quick = OfferFilterSet(data, vocabulary=vocabulary)
        reference = ThroughTheForm(data, vocabulary=vocabulary)

        assert quick.is_valid() == reference.is_valid()
        if reference.is_valid():
            assert quick.spec == reference.spec
            assert quick.ignored_values() == reference.ignored_values()
        else:
            assert quick.form.errors == reference.form.errors
            assert quick.unreadable_parameters() == reference.unreadable_parameters()

    check()
