"""What the API, the JSON download and the data page publish of an offer or a provider.

Only public fields: no status, no editors, no internal dates of curation. Of a contact
person the name and role, the phone number only where the person agreed to show it
(``show_phone``); e-mail addresses never, as on the portal's pages (robots harvest them):
``email_on_request`` says that the offer page shows it on request.
"""

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from offers.models import ContactPerson, Offer, Provider, Region, Sector


def _terms(rows):
    return [{"slug": row.slug, "name": row.name} for row in rows]


def _iso(value):
    """A date or time as DRF's DateField and DateTimeField write it."""
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def absolute(request, path):
    return request.build_absolute_uri(path) if request is not None else path


class TermSerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text="Value of the search parameter of this taxonomy.")
    name = serializers.CharField()


class SectorSerializer(TermSerializer):
    track = serializers.SlugField(source="track.slug", help_text="Slug of the track.")
    parent = serializers.SerializerMethodField(help_text="Slug of the broader field, if any.")

    @extend_schema_field(OpenApiTypes.STR)
    def get_parent(self, sector):
        return sector.parent.slug if sector.parent_id else None


class RegionSerializer(TermSerializer):
    level = serializers.CharField()
    official_key = serializers.CharField(help_text="Amtlicher Gemeindeschlüssel, may be empty.")
    parent = serializers.SerializerMethodField(help_text="Slug of the state, if any.")

    @extend_schema_field(OpenApiTypes.STR)
    def get_parent(self, region):
        return region.parent.slug if region.parent_id else None


class ChoiceSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class ProviderRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The provider's page on the portal.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, provider):
        return absolute(self.context.get("request"), provider.get_absolute_url())


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    phone = serializers.SerializerMethodField(
        help_text="Only when the person agreed to show it; null otherwise."
    )
    email_on_request = serializers.SerializerMethodField(
        help_text="The offer page shows an e-mail address on request (never in the data)."
    )

    @extend_schema_field(OpenApiTypes.STR)
    def get_phone(self, person):
        return person.phone if person.show_phone and person.phone else None

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_email_on_request(self, person):
        return bool(person.email and person.show_email)


class OfferSerializer(serializers.Serializer):
    """An offer as lists show it (every field but the long description and contacts)."""

    id = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="The offer's page on the portal.")
    code = serializers.CharField(help_text="Catalogue code such as “N 23”; may be empty.")
    title = serializers.CharField()
    summary = serializers.CharField()
    offer_type = TermSerializer()
    provider = ProviderRefSerializer()
    sectors = SectorSerializer(many=True)
    subjects = TermSerializer(many=True)
    school_forms = TermSerializer(many=True)
    all_school_forms = serializers.BooleanField(
        help_text="Open to every school form; school_forms is then not a restriction."
    )
    grade_min = serializers.IntegerField()
    grade_max = serializers.IntegerField()
    participants_min = serializers.IntegerField(allow_null=True)
    participants_max = serializers.IntegerField(allow_null=True)
    participants_note = serializers.CharField()
    duration_text = serializers.CharField()
    duration_min_minutes = serializers.IntegerField(allow_null=True)
    duration_max_minutes = serializers.IntegerField(allow_null=True)
    venue = serializers.SerializerMethodField()
    place = serializers.CharField()
    regions = TermSerializer(many=True, help_text="Where schools can take up the offer.")
    audience = serializers.SerializerMethodField()
    year_round = serializers.BooleanField()
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    dates_note = serializers.CharField()
    cost = serializers.CharField(help_text="Empty means free of charge.")
    free_of_charge = serializers.SerializerMethodField()
    last_confirmed = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, offer):
        """The fields above, written out: DRF's generic walk over 30 fields and five nested
        lists cost more than the whole search at 100,000 offers (the fields stay the schema)."""
        request = self.context.get("request")
        provider = offer.provider
        return {
            "id": offer.pk,
            "url": absolute(request, offer.get_absolute_url()),
            "code": offer.code,
            "title": offer.title,
            "summary": offer.summary,
            "offer_type": {"slug": offer.offer_type.slug, "name": offer.offer_type.name},
            "provider": {
                "slug": provider.slug,
                "name": provider.name,
                "url": absolute(request, provider.get_absolute_url()),
            },
            "sectors": [
                {
                    "slug": sector.slug,
                    "name": sector.name,
                    "track": sector.track.slug,
                    "parent": sector.parent.slug if sector.parent_id else None,
                }
                for sector in offer.sectors.all()
            ],
            "subjects": _terms(offer.subjects.all()),
            "school_forms": _terms(offer.school_forms.all()),
            "all_school_forms": offer.all_school_forms,
            "grade_min": offer.grade_min,
            "grade_max": offer.grade_max,
            "participants_min": offer.participants_min,
            "participants_max": offer.participants_max,
            "participants_note": offer.participants_note,
            "duration_text": offer.duration_text,
            "duration_min_minutes": offer.duration_min_minutes,
            "duration_max_minutes": offer.duration_max_minutes,
            "venue": self.get_venue(offer),
            "place": offer.place,
            "regions": _terms(offer.regions.all()),
            "audience": self.get_audience(offer),
            "year_round": offer.year_round,
            "start_date": _iso(offer.start_date),
            "end_date": _iso(offer.end_date),
            "dates_note": offer.dates_note,
            "cost": offer.cost,
            "free_of_charge": not offer.cost,
            "last_confirmed": _iso(offer.last_confirmed),
            "created_at": _iso(offer.created_at),
            "updated_at": _iso(offer.updated_at),
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, offer):
        return absolute(self.context.get("request"), offer.get_absolute_url())

    @extend_schema_field(ChoiceSerializer)
    def get_venue(self, offer):
        return {"key": offer.venue, "label": offer.get_venue_display()}

    @extend_schema_field(ChoiceSerializer)
    def get_audience(self, offer):
        audience = offer.audience
        label = Offer.Audience(audience).label if audience in Offer.Audience else audience
        return {"key": audience, "label": str(label)}

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_free_of_charge(self, offer):
        return not offer.cost


class OfferDetailSerializer(OfferSerializer):
    """One offer with its description and the contact persons its page shows."""

    def to_representation(self, offer):
        data = super().to_representation(offer)
        data["description"] = offer.description
        data["contacts"] = self.get_contacts(offer)
        return data

    description = serializers.CharField()
    contacts = serializers.SerializerMethodField(
        help_text="The offer's contact person, or else the provider's contact persons."
    )

    @extend_schema_field(ContactSerializer(many=True))
    def get_contacts(self, offer):
        people = [offer.contact] if offer.contact else list(offer.provider.contacts.all())
        return ContactSerializer(people, many=True).data


class ProviderSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    kind = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The provider's page on the portal.")
    street = serializers.CharField()
    postal_code = serializers.CharField()
    city = serializers.CharField()
    region = TermSerializer()
    phone = serializers.CharField()
    email_on_request = serializers.SerializerMethodField(
        help_text="The provider page shows an e-mail address on request (never in the data)."
    )
    website = serializers.URLField()
    description = serializers.CharField()
    offer_count = serializers.IntegerField(help_text="Published offers.")

    @extend_schema_field(ChoiceSerializer)
    def get_kind(self, provider):
        return {"key": provider.kind, "label": str(provider.get_kind_display())}

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, provider):
        return absolute(self.context.get("request"), provider.get_absolute_url())

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_email_on_request(self, provider):
        return bool(provider.email)


class ProviderDetailSerializer(ProviderSerializer):
    contacts = ContactSerializer(many=True, source="public_contacts")


def offer_relations():
    """What the offer serializers read besides the offer's own columns, for
    ``prefetch_related_objects`` or ``prefetch_related`` (one query each)."""
    return [
        Prefetch("sectors", queryset=Sector.objects.select_related("track", "parent")),
        Prefetch("regions", queryset=Region.objects.all()),
        "subjects",
        "school_forms",
    ]


def offers_for_serializer():
    """Published offers with everything ``OfferSerializer`` reads, without the long
    description and search vector."""
    return (
        Offer.objects.published()
        .select_related("provider", "offer_type")
        .prefetch_related(*offer_relations())
        .defer("description", "search_vector")
    )


def offer_detail_queryset():
    return (
        Offer.objects.published()
        .select_related("provider", "offer_type", "contact")
        .prefetch_related(
            *offer_relations(),
            Prefetch(
                "provider__contacts", queryset=ContactPerson.objects.order_by("position", "name")
            ),
        )
        .defer("search_vector")
    )


def provider_counts():
    """(provider id, published offers) of every provider with some, in the order of names:
    one grouped query over the offers, which the API keeps under the catalogue version."""
    return list(
        Provider.objects.filter(offers__status=Offer.Status.PUBLISHED)
        .annotate(offer_count=Count("offers"))
        .order_by("name", "pk")
        .values_list("pk", "offer_count")
    )


def public_providers():
    """Providers with at least one published offer, with their number of them."""
    return (
        Provider.objects.annotate(
            offer_count=Count("offers", filter=Q(offers__status=Offer.Status.PUBLISHED))
        )
        .filter(offer_count__gt=0)
        .select_related("region")
        .order_by("name", "pk")
    )
