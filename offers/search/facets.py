"""The search's facets: the registry of the facets the portal has, in page order.

Everything else is read from here: the form's fields (``forms.py``), the ``SearchSpec``'s
keyword arguments, the page's panels, chips and parameters, the parameters the page cache
keys on, and both engines' counts. Adding a facet is one class (or an instance of a kind in
``kinds.py``) and one line in ``REGISTRY``.
"""

import contextlib

from django.utils.translation import gettext_lazy as _

from bookings.search import PeriodFacet
from offers import models

from .kinds import AtLeastFacet, ColumnFacet, GradeFacet, LinkFacet, RangeBandFacet, TreeFacet

# Duration bands: (label, shortest minutes, longest minutes); a day counts 480 minutes.
DURATION_BANDS = {
    "bis-2-stunden": (_("up to 2 hours"), 0, 120),
    "halber-tag": (_("half a day"), 121, 240),
    "ein-tag": (_("one day"), 241, 480),
    "mehrere-tage": (_("several days"), 481, 2399),
    "wochen": (_("a week or longer"), 2400, None),
}
MAX_CLASS_SIZE = 999

# The portal's facets, in the order the page shows them; values OR-ed, facets AND-ed.
REGISTRY = [
    LinkFacet(
        "track", _("Vocational training or studies"), "sectors", "sector__track", model=models.Track
    ),
    TreeFacet(
        "sector", _("Sector or field of study"), "sectors", "sector",
        model=models.Sector, group_by="track",
    ),
    ColumnFacet("type", _("Type of offer"), "offer_type", model=models.OfferType),
    LinkFacet("subject", _("MINT subject"), "subjects", "subject", model=models.Subject),
    LinkFacet(
        "schoolform", _("School form"), "school_forms", "schoolform",
        model=models.SchoolForm, open_to_all="all_school_forms",
    ),
    TreeFacet("region", _("Region"), "regions", "region", model=models.Region),
    ColumnFacet("venue", _("Venue"), "venue", choices=models.Offer.Venue.choices),
    RangeBandFacet(
        "duration", _("Duration"), "duration_min_minutes", "duration_max_minutes", DURATION_BANDS
    ),
    PeriodFacet("period", _("Period")),  # dated sessions (bookings/search.py)
    GradeFacet(
        "grade", _("Grade"), "grade_min", "grade_max",
        list(range(models.GRADE_MIN, models.GRADE_MAX + 1)),
    ),
    AtLeastFacet("size", _("Class size"), "participants_max", (1, MAX_CLASS_SIZE)),
]  # fmt: skip


def registered():
    """The facets in page order."""
    return REGISTRY


def get(name):
    """The facet called ``name``, or None."""
    for facet in REGISTRY:
        if facet.name == name:
            return facet
    return None


def counted():
    """The facets whose values the page counts."""
    return [facet for facet in REGISTRY if facet.counted]


def parameters():
    """The query parameters of the search page: the words, every facet, sort and page."""
    return {"q", *(facet.name for facet in REGISTRY), "sort", "page"}


@contextlib.contextmanager
def registered_also(facet):
    """Register ``facet`` for the duration of a ``with`` block (tests of a new facet)."""
    REGISTRY.append(facet)
    try:
        yield facet
    finally:
        REGISTRY.remove(facet)
