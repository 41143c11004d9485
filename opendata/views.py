"""The data page, robots.txt, and the widget for school websites with its builder."""

from urllib.parse import urlencode

from csp.decorators import csp_replace, csp_update
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt

from offers.page_cache import catalog_page
from offers.search import facets
from offers.views.search import bad_request

from . import searching
from .feeds import search_page_url, search_words

WIDGET_DEFAULT_ITEMS = 5
WIDGET_MAX_ITEMS = 20
# The builder's choices: one value each, the facets a teacher is likely to pick.
BUILDER_FACETS = ("track", "sector", "type", "subject", "schoolform", "region")

# (field, meaning, schema.org, HSDS) of /daten/: what the API and downloads publish.
FIELDS = [
    (
        "id",
        _("Number of the offer in the portal; its page is /angebot/<id>/."),
        "identifier",
        "service.id",
    ),
    ("url", _("Address of the offer's page."), "url", "service.url"),
    (
        "code",
        _("Catalogue code such as “N 23”, if the offer has one."),
        "identifier",
        "service.alternate_name",
    ),
    ("title", _("Title."), "name", "service.name"),
    ("summary", _("One or two sentences."), "description", "service.description"),
    (
        "description",
        _("The full description (single offer only)."),
        "description",
        "service.description",
    ),
    (
        "offer_type",
        _("Type of offer (internship, company visit …)."),
        "learningResourceType",
        "service.category / taxonomy_term",
    ),
    (
        "provider",
        _("The organisation that offers it."),
        "provider / organizer → Organization",
        "organization",
    ),
    (
        "sectors",
        _("Occupational fields or fields of study, with their track."),
        "about",
        "taxonomy_term",
    ),
    ("subjects", _("MINT subjects."), "about", "taxonomy_term"),
    (
        "school_forms, all_school_forms",
        _("For which school forms; all_school_forms: open to all."),
        "audience",
        "eligibility",
    ),
    (
        "grade_min, grade_max",
        _("Grades the offer is suited for."),
        "audience.educationalLevel",
        "eligibility",
    ),
    (
        "participants_min, participants_max, participants_note",
        _("Group size."),
        "maximumAttendeeCapacity",
        "service_capacity",
    ),
    (
        "duration_text, duration_min_minutes, duration_max_minutes",
        _("Duration as given and in minutes (a day counts 480)."),
        "duration / timeRequired",
        "schedule",
    ),
    (
        "venue, place",
        _("Where it takes place: at the provider, in the school, online, elsewhere."),
        "location → Place / VirtualLocation",
        "location / service_at_location",
    ),
    ("regions", _("Where schools can take it up."), "areaServed", "service_area"),
    ("audience", _("Pupils, teachers or both."), "audience.educationalRole", "eligibility"),
    (
        "year_round, start_date, end_date, dates_note",
        _("All year by arrangement, or its dates."),
        "startDate, endDate",
        "schedule",
    ),
    (
        "cost, free_of_charge",
        _("Cost as given; empty means free of charge."),
        "offers → Offer (price)",
        "cost_option",
    ),
    (
        "contacts",
        _("Name, role and, where agreed, the phone number; never an e-mail address."),
        "contactPoint",
        "contact",
    ),
    (
        "last_confirmed, updated_at",
        _("When the provider last confirmed it, when it last changed."),
        "dateModified",
        "service.last_modified",
    ),
]


def robots_txt(request):
    """Crawlers may read the public pages, not the back office; the sitemap lists them."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /en/admin/",
        "Disallow: /kontakt/",
        "Disallow: /api/",
        # Downloads of every search are data, not pages; the widget says noindex itself.
        "Disallow: /suche/export.",
        "Disallow: /en/suche/export.",
        "Allow: /",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def data_page(request):
    """/daten/: what the portal publishes, under which licence, and where."""
    return render(
        request,
        "opendata/data.html",
        {
            "license": settings.OPEN_DATA_LICENSE,
            "fields": FIELDS,
            "facet_names": [facet.name for facet in facets.registered()],
            "download_max": settings.OPEN_DATA_DOWNLOAD_MAX,
            "rate": settings.OPEN_DATA_API_REQUESTS_PER_MINUTE,
        },
    )


def widget_items(request):
    """The number of offers the widget lists (``n``), within bounds."""
    try:
        number = int(request.GET.get("n", WIDGET_DEFAULT_ITEMS))
    except ValueError:
        number = WIDGET_DEFAULT_ITEMS
    return max(1, min(number, WIDGET_MAX_ITEMS))


def widget_parameters():
    """The query parameters the widget reads (its page is cached whole under them)."""
    return facets.parameters() | {"n"}


def widget(request):
    """/einbetten/?…: a saved search as a compact list for an iframe on a school's website.

    The only page other sites may frame (``framed_widget``: CSP ``frame-ancestors *``, no
    X-Frame-Options); it sets no cookie and reads no session. Links open the portal in a
    new tab.
    """
    data = request.GET.copy()
    data.pop("page", None)
    data.pop("n", None)
    search_engine, filterset = searching.read_search(request, data)
    if not filterset.is_valid():
        return bad_request(request, filterset)
    spec = filterset.spec
    result = search_engine.search(spec, per_page=widget_items(request))
    response = render(
        request,
        "opendata/widget.html",
        {
            "result": result,
            "offers": result.page.object_list,
            "words": search_words(spec, filterset.vocabulary),
            "search_url": request.build_absolute_uri(search_page_url(spec)),
            "home_url": request.build_absolute_uri(reverse("offers:home")),
        },
    )
    return response


# The decorators sit outside the page cache, so that a page served from it is framed too.
framed_widget = xframe_options_exempt(
    csp_replace({"frame-ancestors": ["*"]})(catalog_page(widget, params=widget_parameters))
)


def _widget_query(cleaned, items):
    params = [("q", cleaned["q"])] if cleaned.get("q") else []
    for name in BUILDER_FACETS:
        params += [(name, value) for value in cleaned.get(name) or ()]
    if cleaned.get("grade"):
        params.append(("grade", cleaned["grade"]))
    if items != WIDGET_DEFAULT_ITEMS:
        params.append(("n", items))
    return urlencode(params)


@csp_update({"frame-src": ["'self'"]})
def widget_builder(request):
    """/einbetten/erstellen/: a GET form where a teacher picks filters and gets the
    iframe snippet to copy, with a preview (works without JavaScript)."""
    search_engine, filterset = searching.read_search(request)
    if not filterset.is_valid():
        return bad_request(request, filterset)
    vocabulary = search_engine.vocabulary()
    cleaned = filterset.cleaned_data
    items = widget_items(request)
    selects = [
        {
            "name": name,
            "label": facets.get(name).label,
            "choices": list(vocabulary.choices(name)),
            "selected": (cleaned.get(name) or [""])[0],
        }
        for name in BUILDER_FACETS
    ]
    chosen = bool(request.GET)
    widget_url = None
    if chosen:
        query = _widget_query(
            {**cleaned, **{name: (cleaned.get(name) or [])[:1] for name in BUILDER_FACETS}},
            items,
        )
        widget_url = request.build_absolute_uri(reverse("opendata:widget")) + (
            f"?{query}" if query else ""
        )
    return render(
        request,
        "opendata/widget_builder.html",
        {
            "selects": selects,
            "q": cleaned.get("q") or "",
            "grade": cleaned.get("grade"),
            "grades": [key for key, _label in vocabulary.choices("grade")],
            "items": items,
            "max_items": WIDGET_MAX_ITEMS,
            "widget_url": widget_url,
        },
    )
