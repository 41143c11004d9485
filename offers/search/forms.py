"""The one place that reads the search page's query parameters.

``OfferFilterSet`` parses and validates a query string into a ``SearchSpec``: values that
name nothing (an old region slug, ``sort=best``) are dropped and reported, numbers that
cannot be read (``grade=abc``, ``size=-3``) make the form invalid, which the view answers
with a 400 page. Its filters and fields are made once per vocabulary from the facet registry
(``facets.py``), whose classes also say what each selection means. Most query strings are read
with the fields alone; only one with a value to refuse builds the form, for its messages.
"""

import weakref

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from offers.models import Offer

from . import facets, text
from .spec import DEFAULT_SORT, SORTS, Choices, SearchSpec, Vocabulary
from .sql import filter_condition, order_offers

MAX_PAGE = 10**9


class KnownChoicesField(forms.MultipleChoiceField):
    """Keeps the values it knows and drops the rest instead of rejecting the whole list:
    a stale bookmark with a renamed region still shows the other filters' results. Its
    choices are a ``Choices``, which knows its keys as a set."""

    def validate(self, value):
        pass

    def clean(self, value):
        known = self.choices.known
        return [item for item in dict.fromkeys(self.to_python(value)) if item in known]

    def __deepcopy__(self, memo):
        # Every form deep-copies its fields; the choices (400 districts on a national portal)
        # are never changed afterwards, so the copy shares them instead of copying each label.
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result


class KnownChoiceField(forms.ChoiceField):
    """A single choice that falls back to its initial value when the value is unknown; its
    choices are a ``Choices``."""

    def validate(self, value):
        pass

    def clean(self, value):
        value = self.to_python(value)
        return value if value in self.choices.known else self.initial


class PageField(forms.IntegerField):
    """A page number from 1; one far past the end is still readable: the view shows the last."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, **kwargs)

    def clean(self, value):
        return min(super().clean(value) or 1, MAX_PAGE)


class VocabularyFilter:
    """A facet's filter, given the vocabulary its values name rather than reading it from
    its filterset (its ``parent``): it then holds nothing of one search, and every
    filterset over the vocabulary shares it (``_shared``). It holds the vocabulary weakly:
    ``_shared`` keeps the filter as long as the vocabulary lives, and a strong reference
    back would make that forever."""

    def __init__(self, *args, vocabulary, **kwargs):
        super().__init__(*args, **kwargs)
        self._vocabulary = weakref.ref(vocabulary)

    @property
    def vocabulary(self):
        return self._vocabulary()


class FacetFilter(VocabularyFilter, django_filters.MultipleChoiceFilter):
    """A multi-valued facet; its meaning is its facet's ``condition``."""

    field_class = KnownChoicesField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(filter_condition(self.field_name, value, self.vocabulary))


class NumberFilter(VocabularyFilter, django_filters.NumberFilter):
    """A whole number (``grade``, ``size``): "9.5" is as unreadable as "abc"."""

    field_class = forms.IntegerField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(filter_condition(self.field_name, (int(value),), self.vocabulary))


class TextFilter(django_filters.CharFilter):
    """The search words, in German full text (``text.py``)."""

    def filter(self, qs, value):
        query = text.clean_query(value)
        if not text.is_searchable(query):
            return qs
        return qs.filter(text.text_condition(query))


class SearchForm(forms.Form):
    """Fields of the search page that choose how to show results rather than which.

    No ``clean_<name>()`` and no ``clean()``: ``OfferFilterSet`` reads most query strings
    with the fields alone, so a field's class says all its value means (``PageField``)."""

    sort = KnownChoiceField(
        label=_("Sort by"),
        choices=Choices(list(SORTS.items())),
        initial=DEFAULT_SORT,
        required=False,
    )
    page = PageField(required=False)


def facet_filter(facet, vocabulary):
    """The form filter of one facet, with the facet's values as its choices."""
    if facet.multiple:
        return FacetFilter(
            field_name=facet.name,
            lookup_expr="in",
            label=facet.label,
            choices=vocabulary.choices(facet.name),
            vocabulary=vocabulary,
        )
    low, high = facet.bounds
    return NumberFilter(
        field_name=facet.name,
        lookup_expr="exact",
        label=facet.label,
        min_value=low,
        max_value=high,
        vocabulary=vocabulary,
    )


class _Shared:
    """What every filterset over one vocabulary shares: the filters of the words and of
    every facet, and the form class that the first filterset to ask makes from them."""

    def __init__(self, vocabulary):
        self.filters = {
            "q": TextFilter(
                field_name="search_vector", lookup_expr="search", label=_("Search words")
            ),
            **{facet.name: facet_filter(facet, vocabulary) for facet in facets.registered()},
        }
        self.form_class = None


# Vocabulary → facets → ``_Shared``: the filters and the form's fields, 400 districts among
# their choices, are made once per catalogue's taxonomy rather than on every page. A facet
# registered for a while (``facets.registered_also``) gets its own.
_shared = weakref.WeakKeyDictionary()


class OfferFilterSet(django_filters.FilterSet):
    """The search page's filters; ``spec`` is the validated result the engines work on.

    None is declared here: the words' and the facets' filters are made once per vocabulary
    (``_Shared``), as a filterset would otherwise deep-copy its declared ones on every page."""

    class Meta:
        model = Offer
        fields = []
        form = SearchForm

    def __init__(self, data=None, *, vocabulary=None):
        # The queryset (all offers; ``filter_queryset`` keeps the published ones) is only read
        # by ``qs``, which the engines do not use: a filtered one would cost every page.
        super().__init__(data)
        self.vocabulary = vocabulary if vocabulary is not None else Vocabulary.load()
        per_registry = _shared.setdefault(self.vocabulary, {})
        registry = tuple(facets.registered())
        if registry not in per_registry:
            per_registry[registry] = _Shared(self.vocabulary)
        self._shared = per_registry[registry]
        self.filters.update(self._shared.filters)

    def get_form_class(self):
        if self._shared.form_class is None:
            self._shared.form_class = super().get_form_class()
        return self._shared.form_class

    def is_valid(self):
        # A form copies each of its fields and their widgets, which costs more than all the
        # rest of reading a search. So the query string is first read with the form class's
        # own fields (cleaning a value leaves its field as it was), as the form would read it;
        # only a value one of them refuses builds the form, for its error messages.
        return self.is_bound and (self._cleaned_without_form() is not None or self.form.is_valid())

    def _cleaned_without_form(self):
        """The form's cleaned data, when every field accepts its value; else None."""
        if not hasattr(self, "_cleaned"):
            fields = self.get_form_class().base_fields
            try:
                self._cleaned = {
                    name: field.clean(field.widget.value_from_datadict(self.data, {}, name))
                    for name, field in fields.items()
                }
            except ValidationError:
                self._cleaned = None
        return self._cleaned

    @property
    def cleaned_data(self):
        """The validated values by parameter name; only meaningful when ``is_valid()``."""
        cleaned = self._cleaned_without_form()
        return self.form.cleaned_data if cleaned is None else cleaned

    def filter_queryset(self, queryset):
        queryset = queryset.published()
        for name, filter_ in self.filters.items():
            queryset = filter_.filter(queryset, self.cleaned_data.get(name))
        return order_offers(queryset, self.spec)

    @property
    def spec(self):
        """The validated search; only meaningful when ``is_valid()``."""
        data = self.cleaned_data
        selections = {}
        for facet in facets.registered():
            value = data.get(facet.name)
            if facet.multiple:
                selections[facet.name] = tuple(value or ())
            else:
                selections[facet.name] = int(value) if value is not None else None
        return SearchSpec(
            q=text.clean_query(data.get("q")),
            sort=data.get("sort") or DEFAULT_SORT,
            page=data.get("page") or 1,
            **selections,
        )

    def ignored_values(self):
        """(filter label, value) pairs the query string named but that name nothing."""
        cleaned = self.cleaned_data
        ignored = []
        for facet in facets.registered():
            if not facet.multiple:
                continue
            kept = set(cleaned.get(facet.name) or ())
            for value in self.data.getlist(facet.name):
                if value and value not in kept:
                    ignored.append((facet.label, value))
        sort = self.data.get("sort")
        if sort and sort not in SORTS:
            ignored.append((_("Sort by"), sort))
        return ignored

    def unreadable_parameters(self):
        """Names of parameters whose values could not be read (grade=abc, size=-3)."""
        return sorted(self.form.errors)
