"""The Kooperationshandbuch, generated: every published offer as the printed MINT-
Kooperationshandbuch lists them, grouped by provider kind, provider and field, with each
provider's public contact block, a cover, a table of contents and the date of the data.

Built from the database on request (HTML, and PDF through WeasyPrint) or by
``manage.py build_handbook``, which keeps the last PDF of the whole region
(``HANDBOOK_DIR``) so that nobody waits for it; never edited by hand, so print never
drifts from the portal again.

Only what the public pages show is printed: contact persons' phone numbers only if they
agreed, and no e-mail address at all (the pages hide them from robots; a PDF cannot).
"""

import datetime
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from offers.models import CatalogVersion, ContactPerson, Provider, Sector
from offers.search import sql
from offers.search.spec import SearchSpec, Vocabulary

from . import filters

FILTERS = ("track", "region", "sector")
# Provider kinds in the order the handbook's chapters follow: the universities first, as
# the printed handbook was theirs.
KIND_ORDER = [
    Provider.Kind.UNIVERSITY,
    Provider.Kind.COMPANY,
    Provider.Kind.CHAMBER,
    Provider.Kind.EXTRACURRICULAR,
    Provider.Kind.FOUNDATION,
    Provider.Kind.PUBLIC,
    Provider.Kind.SCHOOL,
    Provider.Kind.OTHER,
]


BadFilters = filters.BadFilters


@dataclass
class ProviderSection:
    provider: Provider
    anchor: str
    fields: list = field(default_factory=list)  # [(field name, [offers])]

    @property
    def count(self):
        return sum(len(offers) for _name, offers in self.fields)


@dataclass
class Chapter:
    label: str
    anchor: str
    providers: list = field(default_factory=list)


@dataclass
class Handbook:
    chapters: list
    spec: SearchSpec
    filter_labels: list
    data_date: datetime.datetime
    offer_count: int


def read_filters(query_dict, vocabulary=None):
    """The handbook's filters (track, region, sector) as a ``SearchSpec``, and the
    vocabulary they were read with (``filters.read``)."""
    vocabulary = vocabulary or Vocabulary.load()
    return filters.read(query_dict, FILTERS, vocabulary), vocabulary


def _broad_field(offer, sectors):
    """The name of the offer's first broad sector or field of study (finer ones folded)."""
    names = []
    for link in offer.sectors.all():
        sector = sectors.get(link.parent_id) if link.parent_id else link
        names.append((sector.track.position, sector.position, sector.name))
    return min(names)[2] if names else _("Other")


def build(spec, vocabulary):
    """The handbook of the published offers matching ``spec`` (a handful of queries)."""
    offers = (
        sql.matching_offers(spec, vocabulary)
        .select_related("provider", "offer_type")
        .prefetch_related("school_forms", "sectors")
        .defer("description", "search_vector")
        .order_by("provider__name", "provider_id", "title", "pk")
    )
    sectors = {s.pk: s for s in Sector.objects.select_related("track")}
    public_contacts = ContactPerson.objects.order_by("position", "name")
    by_provider = {}
    for offer in offers:
        section = by_provider.get(offer.provider_id)
        if section is None:
            section = by_provider[offer.provider_id] = ProviderSection(
                offer.provider, f"p-{offer.provider.slug}", {}
            )
        section.fields.setdefault(_broad_field(offer, sectors), []).append(offer)
    for section in by_provider.values():
        section.fields = sorted(section.fields.items())
    providers = Provider.objects.filter(pk__in=by_provider).prefetch_related(
        Prefetch("contacts", queryset=public_contacts)
    )
    for provider in providers:
        by_provider[provider.pk].provider = provider
    chapters = []
    labels = dict(Provider.Kind.choices)
    for kind in KIND_ORDER:
        sections = [s for s in by_provider.values() if s.provider.kind == kind]
        if sections:
            chapters.append(Chapter(str(labels[kind]), f"k-{kind}", sections))
    filter_labels = [
        (
            name,
            ", ".join(
                str(label) for key, label in vocabulary.choices(name) if key in spec.selected(name)
            ),
        )
        for name in FILTERS
        if spec.selected(name)
    ]
    return Handbook(
        chapters=chapters,
        spec=spec,
        filter_labels=filter_labels,
        data_date=timezone.localtime(),
        offer_count=sum(s.count for s in by_provider.values()),
    )


def render_html(handbook, *, for_print=False, public=False, pdf_available=False):
    """The handbook's HTML; ``public``: with the links a visitor of the portal needs."""
    return render_to_string(
        "insights/handbook.html",
        {
            "handbook": handbook,
            "for_print": for_print,
            "public": public,
            "pdf_available": pdf_available,
            "portal_name": getattr(settings, "PORTAL_NAME", "ReTriBuS"),
        },
    )


def render_pdf(handbook):
    """The handbook as PDF bytes."""
    return pdf_of_html(render_html(handbook, for_print=True))


def pdf_of_html(html):
    """The print HTML of a handbook as PDF bytes (WeasyPrint; its CSS and fonts from this
    machine only)."""
    from weasyprint import CSS, HTML

    style = CSS(filename=str(Path(__file__).parent / "static" / "insights" / "handbook.css"))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[style])


def stored_path():
    return Path(settings.HANDBOOK_DIR) / "kooperationshandbuch.pdf"


def _version_path():
    return stored_path().with_suffix(".version")


def store(pdf_bytes, version):
    """Keep ``pdf_bytes`` as the last built handbook of the whole region, built at catalogue
    ``version`` (written aside, then renamed, so a reader never gets half a file)."""
    target = stored_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    for path, data in ((target, pdf_bytes), (_version_path(), (version or "").encode())):
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    return target


def current_pdf():
    """The kept PDF if it was built at the current catalogue version, else None."""
    try:
        built_at = _version_path().read_text()
        if built_at and built_at == CatalogVersion.current():
            return stored_path().read_bytes()
    except OSError:
        pass
    return None
