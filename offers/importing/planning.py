"""What an import would do: each row matched to its provider and offer, the checks across
rows, and the columns that would change.

The plan is complete before anything is written, so the dry run and the real import report
the same problems and changes.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..models import Offer, Provider
from .columns import COLUMNS, OFFER_M2M, OFFER_SCALARS, PROVIDER_KEYS, normalize
from .matching import OfferMatcher, check_ranges
from .report import shown


@dataclass
class ProviderPlan:
    """One provider the file names, with the values its repeated columns agree on."""

    name: str  # as its first row spells it; the name of a new provider
    first: object  # the ``RowParser`` of that row
    existing: Provider | None
    columns: dict = field(default_factory=dict)  # key -> (value, line it was first given in)
    present: set = field(default_factory=set)  # provider keys of the columns its rows have
    changes: list = field(default_factory=list)  # keys of the fields that change


@dataclass
class RowPlan:
    row: object  # the ``RowReport``
    parser: object  # the parsed ``RowParser``
    provider: Provider | None  # the existing provider the row names
    offer: Offer | None  # the existing offer it updates

    @property
    def values(self):
        return self.parser.values


@dataclass
class ImportPlan:
    rows: list  # [RowPlan], in file order
    providers: dict  # normalized name -> ProviderPlan, in order of appearance
    new_providers: list  # names of the providers the import would add


def plan_import(parsed):
    """The ``ImportPlan`` of ``parsed`` (``parsing.parse_rows``); adds every problem it finds
    to the rows' reports and fills in each valid row's action and changes."""
    existing = _existing_providers()
    providers = _providers(parsed, existing)
    for plan in providers.values():
        if plan.existing is None and "region" not in plan.columns:
            plan.first.problem("region", _("is missing; a new provider needs a region"))
    matcher = OfferMatcher(parsed, {p.existing.pk for p in providers.values() if p.existing})
    rows = [_plan_row(row, parser, existing, matcher) for row, parser in parsed]
    for plan in providers.values():
        plan.changes = _provider_changes(plan)
    new_providers = _describe_changes(rows, providers)
    return ImportPlan(rows=rows, providers=providers, new_providers=new_providers)


def _existing_providers():
    """Every provider by its normalized name and slug."""
    providers = {}
    for provider in Provider.objects.select_related("region"):
        providers.setdefault(normalize(provider.name), provider)
        providers.setdefault(normalize(provider.slug), provider)
    return providers


def _providers(parsed, existing):
    """The providers of the rows; the columns repeated on their rows must agree."""
    providers = {}
    for row, parser in parsed:
        name = parser.values.get("provider")
        if not name:
            continue
        normalized = normalize(name)
        if normalized not in providers:
            providers[normalized] = ProviderPlan(
                name=name, first=parser, existing=existing.get(normalized)
            )
        plan = providers[normalized]
        plan.present.update(key for key in PROVIDER_KEYS if key in parser.cells)
        for key in PROVIDER_KEYS:
            if key not in parser.values or parser.cells.get(key, "") == "":
                continue
            value = parser.values[key]
            if key in plan.columns and plan.columns[key][0] != value:
                parser.problem(
                    key,
                    _("“%(value)s” differs from row %(other)s of the same provider")
                    % {"value": shown(parser.cells[key]), "other": plan.columns[key][1]},
                )
            plan.columns.setdefault(key, (value, row.line))
    return providers


def _plan_row(row, parser, existing, matcher):
    values = parser.values
    provider = existing.get(normalize(values.get("provider", "")))
    offer = matcher.match(parser, row.line, provider)
    if values.get("code", "") == "" and offer is not None:
        values.pop("code", None)  # an empty Code cell never removes a catalogue code
    if offer is None:
        values.setdefault("status", Offer.Status.DRAFT)
    check_ranges(parser, offer)
    row.errors.extend(parser.errors)
    return RowPlan(row=row, parser=parser, provider=provider, offer=offer)


def _provider_changes(plan):
    """The provider keys whose values differ from the existing provider (all for a new one)."""
    provider = plan.existing
    changed = [
        key
        for key, (value, _line) in plan.columns.items()
        if provider is None or getattr(provider, key) != value
    ]
    if provider is not None:
        # A provider column present but empty in every row clears the field (not Region).
        changed += [
            key
            for key in PROVIDER_KEYS
            if key != "region"
            and key not in plan.columns
            and key in plan.present
            and getattr(provider, key)
        ]
    return changed


def _describe_changes(rows, providers):
    """Set each valid row's action and changed columns; the provider's changes count for its
    first valid row. Returns the names of the new providers."""
    new_providers, reported = [], set()
    for plan in rows:
        if plan.row.errors:
            continue
        changes = _offer_changes(plan.offer, plan.values, plan.values.get("contact"))
        normalized = normalize(plan.values["provider"])
        if normalized not in reported:
            reported.add(normalized)
            provider_changes = providers[normalized].changes
            changes = [k for k in provider_changes if k not in changes] + changes
            if plan.provider is None:
                new_providers.append(plan.values["provider"])
        plan.row.changes = list(dict.fromkeys(_column_header(k) for k in changes))
        if plan.offer is None:
            plan.row.action = "new"
        else:
            plan.row.action = "changed" if changes else "unchanged"
    return new_providers


def _offer_changes(offer, values, contact_name):
    """The column keys whose values differ from ``offer`` (all of them for a new offer)."""
    changed = []
    for key in OFFER_SCALARS:
        if key in values and (offer is None or getattr(offer, key) != values[key]):
            changed.append(key)
    for key in OFFER_M2M:
        if key in values:
            wanted = {obj.pk for obj in values[key]}
            if offer is None or wanted != {obj.pk for obj in getattr(offer, key).all()}:
                changed.append(key)
    if contact_name is not None:
        current = offer.contact.name if offer is not None and offer.contact else ""
        if normalize(current) != normalize(contact_name):
            changed.append("contact")
    return changed


def _column_header(key):
    return COLUMNS["school_forms" if key == "all_school_forms" else key]
