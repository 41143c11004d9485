"""Public pages: the home page, the guided walk, offer and provider pages.

Only published offers are ever shown; a draft or archived offer is a 404 for the public.
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from bookings.search import upcoming_sessions
from opendata.templatetags.opendata_tags import json_ld, offer_data

from .. import linked, provider_table, walk
from ..models import Provider, Region, Sector, Track
from ..page_cache import catalog_version
from ..search import engine
from . import offer_html

# Thirty cards render fast on a phone and still show most providers of a region at once.
OFFERS_PER_PAGE = 30
# The provider page's table shows this many offers per page.
PROVIDER_OFFERS_PER_PAGE = 50
# An offer page lists this many other offers of its provider; the provider page has them all.
OTHER_OFFERS_SHOWN = 12


def _catalog(request):
    return walk.Catalog(walk.counts_for(catalog_version(request)))


def home(request):
    """The start of the walk: each track with the number of published offers behind it."""
    catalog = _catalog(request)
    return render(
        request,
        "offers/home.html",
        {"tracks": catalog.tracks(), "offer_count": catalog.offer_count()},
    )


# The question of the walk's second step, by track: Studium offers fields of study, not
# sectors; a track added later gets the neutral question.
TRACK_QUESTIONS = {
    "ausbildung": _("%(track)s: which occupational field interests you?"),
    "studium": _("%(track)s: which field of study interests you?"),
}
OTHER_TRACK_QUESTION = _("%(track)s: which field interests you?")


def walk_track(request, track):
    """Step 2: the sectors (Ausbildung) or fields of study (Studium) of a track."""
    track = get_object_or_404(Track, slug=track)
    question = TRACK_QUESTIONS.get(track.slug, OTHER_TRACK_QUESTION)
    return render(
        request,
        "offers/walk_track.html",
        {
            "track": track,
            "question": question % {"track": track.name},
            "sectors": _catalog(request).sectors(track),
            "breadcrumbs": walk.trail(track),
        },
    )


def _get_sector(track_slug, sector_slug):
    return get_object_or_404(
        Sector.objects.select_related("track", "parent"),
        track__slug=track_slug,
        slug=sector_slug,
    )


def walk_sector(request, track, sector):
    """Step 3: where the offers of the sector can be taken up, with an “all regions” choice."""
    sector = _get_sector(track, sector)
    total, region_groups, single_regions = _catalog(request).regions(sector)
    return render(
        request,
        "offers/walk_sector.html",
        {
            "track": sector.track,
            "sector": sector,
            "total": total,
            "region_groups": region_groups,
            "single_regions": single_regions,
            "sector_url": walk.sector_url(sector, sector.track),
            "all_regions_url": walk.region_url(sector.track, sector, walk.ALL_REGIONS),
            "breadcrumbs": walk.trail(sector.track, sector),
        },
    )


def walk_region(request, track, sector, region):
    """The last step: the matching offers grouped by provider, as ReTriBuS listed them."""
    sector = _get_sector(track, sector)
    region = None if region == walk.ALL_REGIONS else get_object_or_404(Region, slug=region)
    page = _catalog(request).offer_page(sector, region, request.GET.get("page"), OFFERS_PER_PAGE)
    return render(
        request,
        "offers/walk_region.html",
        {
            "track": sector.track,
            "sector": sector,
            "region": region,
            "page_obj": page,
            "search_url": _search_url(sector, region),
            "breadcrumbs": walk.trail(sector.track, sector, region, all_regions=region is None),
        },
    )


def _search_url(sector, region):
    """The search page with the walk's choices as filters, to refine them further."""
    params = [("track", sector.track.slug), ("sector", sector.slug)]
    if region is not None:
        params.append(("region", region.slug))
    return f"{reverse('offers:search')}?{urlencode(params)}"


def walk_trail(sector, region, page):
    """Breadcrumbs that put a page (a ``walk.Crumb``) where the walk leads to it, so a
    visitor can step back into the walk from an offer or provider page.

    The trail is derived from the page's own data (an offer's first field and region, a
    provider's main field), not from the step the visitor came from: a cached page is
    stored once per URL for everybody (``page_cache.catalog_page``), and a parameter naming
    the referring step would multiply the cached copies and the addresses of one offer.
    """
    if sector is None:
        return [walk.Crumb(_("Start"), reverse("offers:home")), page]
    trail = walk.trail(sector.track, sector, region, all_regions=region is None)
    return [*trail, page]


def _main_sector(per_sector, vocabulary):
    """The field with most of a provider's published offers (ties: the walk's order), or
    None; ``per_sector``: the number of its offers linked to each field, by the field's id.
    The field, its track and its parent come from ``vocabulary``, whose order is the
    database's."""
    nodes = list(vocabulary.sector.values())
    ranked = [
        (-per_sector[node.pk], node.track.position, rank)
        for rank, node in enumerate(nodes)
        if node.pk in per_sector
    ]
    if not ranked:
        return None
    sector = nodes[min(ranked)[2]]
    if sector.parent_id is not None:
        sector.parent = next(node for node in nodes if node.pk == sector.parent_id)
    return sector


def offer_detail(request, pk):
    """Everything a teacher needs to decide on an offer and to call its provider."""
    version = catalog_version(request)
    vocabulary = engine.vocabulary(version)
    offer = linked.published_offer(pk, vocabulary)
    if offer is None:
        raise Http404("No published offer.")
    # Its school forms, subjects, regions and sectors: one query, objects from the engine.
    linked.attach([offer], vocabulary)
    provider = offer.provider
    sectors = sorted(offer.sectors.all(), key=lambda s: (s.track.position, s.position, s.name))
    regions = list(offer.regions.all())
    offer_url, provider_url = offer.get_absolute_url(), provider.get_absolute_url()
    content = offer_html.offer_content(
        offer,
        provider_url=provider_url,
        contacts=[offer.contact] if offer.contact else linked.public_contacts(provider),
        sessions=upcoming_sessions(offer, engine.index_for(version)),
        # One more than shown tells whether to point to the provider page for the rest.
        others=linked.other_offers(offer, vocabulary, OTHER_OFFERS_SHOWN + 1),
        others_shown=OTHER_OFFERS_SHOWN,
        back_path=request.get_full_path(),
    )
    return render(
        request,
        "offers/offer_detail.html",
        {
            "offer": offer,
            "provider": provider,
            "content": content,
            "json_ld": json_ld(
                offer_data(request, offer, path=offer_url, provider_path=provider_url)
            ),
            "breadcrumbs": walk_trail(
                sectors[0] if sectors else None,
                regions[0] if regions else None,
                walk.Crumb(offer.title, offer_url),
            ),
        },
    )


def provider_detail(request, slug):
    """A provider's contact data and the table of its published offers.

    Providers without any published offer are not public: they have nothing to show.
    """
    provider = get_object_or_404(Provider, slug=slug)
    version = catalog_version(request)
    offers = provider_table.provider_offers(provider, version)
    if not offers.count():
        raise Http404("No published offers.")
    # A large university or a national chain can have thousands of offers.
    page = Paginator(offers, PROVIDER_OFFERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "offers/provider_detail.html",
        {
            "provider": provider,
            "contacts": linked.public_contacts(provider),
            "page_obj": page,
            "breadcrumbs": walk_trail(
                _main_sector(offers.per_sector(), engine.vocabulary(version)),
                None,
                walk.Crumb(provider.name, provider.get_absolute_url()),
            ),
        },
    )
