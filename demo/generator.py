"""Deterministic generator of realistic offers, for benchmarks, load tests and a full-looking demo.

``generate_offers(count=..., seed=...)`` writes providers with contact persons and ``count``
offers whose German titles and descriptions are built from vocabulary that fits each sector,
with the skew of a real database: a few big providers and many small ones, internships and
company visits far more frequent than teacher trainings, grade ranges and class sizes that fit
the offer type. The same seed on the same taxonomy always gives the same offers.

Everything is written with ``bulk_create`` in batches (through rows of the many-to-many fields
included), without model signals, so 100,000 offers take seconds, not minutes; no history
entries are recorded for generated rows.

Generated data is recognisable by the slug prefix of its providers (``gen-``) and, for the
national region shape of ``ensure_national_regions``, by the official key in the district
slugs; ``clear_generated`` removes exactly that.
"""

import datetime
import itertools
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.text import slugify

from offers import models

from .vocabulary.offer_types import (
    COSTS,
    DATES_NOTES,
    DESCRIPTIONS,
    GENERIC_RULES,
    PLACES,
    STUDY_TITLES,
    SUMMARIES,
    TYPE_RULES,
    TYPE_WEIGHTS,
)
from .vocabulary.places import NAME_ENDS, NAME_STARTS, STREETS
from .vocabulary.providers import COMPANY_WORDS, FIRST_NAMES, PROVIDER_NAMES, ROLES, SURNAMES
from .vocabulary.sectors import (
    GENERIC_OCCUPATIONS,
    GENERIC_STUDY,
    OCCUPATIONS,
    SECTOR_SUBJECTS,
    SECTOR_WEIGHTS,
    STUDY_TOPICS,
)

PROVIDER_PREFIX = "gen-"
# Together with the slug prefix this marks generated providers: a real "Gen-Lab e.V." may
# well have a slug starting with "gen-", but never this placeholder website.
GENERATED_WEBSITE_PREFIX = "https://example.org/anbieter-"
# Offers are built in chunks of BATCH_SIZE (memory stays flat at any count) but inserted in
# statements of OFFER_INSERT_ROWS: psycopg parses client-side bound queries in Python, and
# short statements proved cheaper overall (4.1 s instead of 7.2 s CPU per 20,000 offers);
# SQLite caps a statement at 999 parameters, about 29 offers, anyway.
BATCH_SIZE = 5000
OFFER_INSERT_ROWS = 25


class GeneratorError(Exception):
    """The database lacks what the generator builds on (e.g. no taxonomy loaded)."""


@dataclass
class GenerationResult:
    offers: int
    published: int
    providers: int
    seconds: float


# ---------------------------------------------------------------------------------------------
# The national region shape: 16 states and their 400 districts
# ---------------------------------------------------------------------------------------------

# Official state keys, names and the number of districts (Kreise and kreisfreie Städte).
STATES = [
    ("01", "Schleswig-Holstein", 15),
    ("02", "Hamburg", 1),
    ("03", "Niedersachsen", 45),
    ("04", "Bremen", 2),
    ("05", "Nordrhein-Westfalen", 53),
    ("06", "Hessen", 26),
    ("07", "Rheinland-Pfalz", 36),
    ("08", "Baden-Württemberg", 44),
    ("09", "Bayern", 96),
    ("10", "Saarland", 6),
    ("11", "Berlin", 1),
    ("12", "Brandenburg", 18),
    ("13", "Mecklenburg-Vorpommern", 8),
    ("14", "Sachsen", 13),
    ("15", "Sachsen-Anhalt", 14),
    ("16", "Thüringen", 22),
]
CITY_STATE_DISTRICTS = {"02": ["Hamburg"], "04": ["Bremen", "Bremerhaven"], "11": ["Berlin"]}


def national_shape():
    """The 16 states and 400 districts as (key, name, level, parent key) rows, always the same.

    District names are invented from German place-name parts; official keys follow the AGS
    pattern (state key plus three digits).
    """
    rng = random.Random("national-shape")
    names = [start + end for start in NAME_STARTS for end in NAME_ENDS]
    rng.shuffle(names)
    pool = iter(names)
    rows = []
    for key, name, districts in STATES:
        rows.append((key, name, models.Region.Level.STATE, None))
        if key in CITY_STATE_DISTRICTS:
            for number, city in enumerate(CITY_STATE_DISTRICTS[key], start=1):
                district_key = f"{key}0{number:02d}" if len(CITY_STATE_DISTRICTS[key]) > 1 else key
                rows.append((district_key.ljust(5, "0"), city, models.Region.Level.DISTRICT, key))
            continue
        cities = max(1, districts // 4)
        for number in range(1, districts + 1):
            prefix = "Stadt" if number <= cities else "Landkreis"
            rows.append(
                (f"{key}{number:03d}", f"{prefix} {next(pool)}", models.Region.Level.DISTRICT, key)
            )
    return rows


def _district_slug(key, name):
    return f"{slugify(name)}-{key}"


def ensure_national_regions():
    """Create the states and districts of ``national_shape`` that are missing; return how many.

    A state that already has districts (Rheinland-Pfalz with the Trier districts of the
    fixtures) keeps them and only gets generated ones up to its real number, so running this
    twice, or after loading the Trier fixtures, adds nothing twice.
    """
    states = {
        r.official_key: r for r in models.Region.objects.filter(level=models.Region.Level.STATE)
    }
    districts = {}
    for region in models.Region.objects.filter(level=models.Region.Level.DISTRICT).exclude(
        official_key=""
    ):
        districts.setdefault(region.official_key[:2], set()).add(region.official_key[:5])
    targets = {key: number for key, _, number in STATES}
    created = 0
    for position, (key, name, level, parent_key) in enumerate(national_shape(), start=1):
        if level == models.Region.Level.STATE:
            if key not in states:
                states[key] = models.Region.objects.create(
                    name=name, slug=slugify(name), official_key=key, level=level, position=position
                )
                created += 1
            continue
        present = districts.setdefault(parent_key, set())
        if key in present or len(present) >= targets[parent_key]:
            continue
        models.Region.objects.create(
            name=name,
            slug=_district_slug(key, name),
            official_key=key,
            level=level,
            parent=states[parent_key],
            position=position,
        )
        present.add(key)
        created += 1
    return created


KIND_WEIGHTS = [
    (models.Provider.Kind.COMPANY, 70),
    (models.Provider.Kind.PUBLIC, 9),
    (models.Provider.Kind.EXTRACURRICULAR, 7),
    (models.Provider.Kind.UNIVERSITY, 4),
    (models.Provider.Kind.FOUNDATION, 4),
    (models.Provider.Kind.CHAMBER, 3),
    (models.Provider.Kind.SCHOOL, 3),
]
STATUS_WEIGHTS = [
    (models.Offer.Status.PUBLISHED, 93),
    (models.Offer.Status.DRAFT, 3),
    (models.Offer.Status.REVIEW, 2),
    (models.Offer.Status.ARCHIVED, 2),
]


# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------


@dataclass
class _Taxonomy:
    """The vocabulary rows the generator draws from, in a stable order."""

    tracks: dict
    sectors: dict  # track slug -> sectors offers are tagged with (finest level)
    types: dict
    school_forms: list
    subjects: dict
    districts: list

    @classmethod
    def load(cls):
        tracks = {track.slug: track for track in models.Track.objects.order_by("slug")}
        if not tracks:
            raise GeneratorError("No tracks: load the taxonomies first (manage.py load_demo_data).")
        sectors = {}
        all_sectors = list(models.Sector.objects.select_related("track").order_by("slug"))
        parents = {sector.parent_id for sector in all_sectors if sector.parent_id}
        for slug, track in tracks.items():
            leaves = [s for s in all_sectors if s.track_id == track.pk and s.pk not in parents]
            if leaves:
                sectors[slug] = leaves
        if not sectors:
            raise GeneratorError("No sectors: load the taxonomies first.")
        districts = list(
            models.Region.objects.filter(children__isnull=True).order_by("official_key", "slug")
        )
        types = {
            offer_type.slug: offer_type for offer_type in models.OfferType.objects.order_by("slug")
        }
        if not types or not districts:
            raise GeneratorError("No offer types or regions: load the taxonomies first.")
        return cls(
            tracks=tracks,
            sectors=sectors,
            types=types,
            school_forms=list(models.SchoolForm.objects.order_by("position", "slug")),
            subjects={subject.slug: subject for subject in models.Subject.objects.order_by("slug")},
            districts=districts,
        )


def _place_name(region):
    for prefix in ("Landkreis ", "Stadt ", "Eifelkreis ", "Kreis "):
        if region.name.startswith(prefix):
            return region.name.removeprefix(prefix)
    return region.name


def _weighted_sample(rng, sectors, k):
    """``k`` different sectors, popular ones (SECTOR_WEIGHTS) more likely."""
    pool = list(sectors)
    chosen = []
    while pool and len(chosen) < k:
        weights = [SECTOR_WEIGHTS.get(sector.slug, 1) for sector in pool]
        chosen.append(pool.pop(rng.choices(range(len(pool)), weights)[0]))
    return chosen


def _make_providers(rng, taxonomy, number, offset):
    """Providers with a home district, one or two sectors and one or two contact persons."""
    kinds, kind_weights = zip(*KIND_WEIGHTS, strict=True)
    district_weights = [3 if d.name.startswith("Stadt") else 1 for d in taxonomy.districts]
    providers, plans = [], []
    for n in range(offset + 1, offset + number + 1):
        kind = rng.choices(kinds, kind_weights)[0]
        region = rng.choices(taxonomy.districts, district_weights)[0]
        town = _place_name(region)
        wants_study = kind == models.Provider.Kind.UNIVERSITY or rng.random() < 0.08
        track = "studium" if wants_study and "studium" in taxonomy.sectors else None
        track = track or (
            "ausbildung" if "ausbildung" in taxonomy.sectors else next(iter(taxonomy.sectors))
        )
        sectors = _weighted_sample(rng, taxonomy.sectors[track], rng.choice([1, 1, 2, 3]))
        if kind == models.Provider.Kind.UNIVERSITY:
            sectors = rng.sample(taxonomy.sectors[track], k=min(6, len(taxonomy.sectors[track])))
        word = rng.choice(COMPANY_WORDS.get(sectors[0].slug) or [sectors[0].name])
        if track == "studium" and kind != models.Provider.Kind.UNIVERSITY:
            kind = models.Provider.Kind.EXTRACURRICULAR
            names = PROVIDER_NAMES["institute"]
        else:
            names = PROVIDER_NAMES[kind]
        name = rng.choice(names).format(surname=rng.choice(SURNAMES), word=word, town=town)
        slug = f"{PROVIDER_PREFIX}{slugify(name)[:150]}-{n}"
        providers.append(
            models.Provider(
                name=name,
                slug=slug,
                kind=kind,
                street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                postal_code=f"{rng.randint(10000, 99999)}",
                city=town,
                region=region,
                phone=f"0{rng.randint(200, 9999)} 0{rng.randint(10000, 99999)}",
                email=f"kontakt-{n}@example.org",
                website=f"{GENERATED_WEBSITE_PREFIX}{n}",
            )
        )
        contacts = [
            (f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}", rng.choice(ROLES))
            for _ in range(rng.choice([1, 1, 2]))
        ]
        plans.append((track, sectors, contacts))
    return providers, plans


def _neighbours(taxonomy):
    """Districts of the same state, which is where an offer is also served."""
    by_parent = {}
    for district in taxonomy.districts:
        by_parent.setdefault(district.parent_id, []).append(district)
    return {district.pk: by_parent[district.parent_id] for district in taxonomy.districts}


def _code_counters(subjects):
    """Code counters per subject letter, continuing after the highest code in the database."""
    highest = {}
    for code in models.Offer.objects.exclude(code="").values_list("code", flat=True):
        letter, _, number = code.partition(" ")
        if number.isdigit():
            highest[letter] = max(highest.get(letter, 0), int(number))
    return {
        subject.letter: itertools.count(highest.get(subject.letter, 0) + 1)
        for subject in subjects.values()
        if subject.letter
    }


class _OfferBuilder:
    """Draws one offer after another from the random stream; keeps per-run lookups."""

    def __init__(self, rng, taxonomy, today):
        self.rng = rng
        self.taxonomy = taxonomy
        self.today = today
        self.neighbours = _neighbours(taxonomy)
        self.codes = _code_counters(taxonomy.subjects)
        self.type_choices = {}
        for track in taxonomy.sectors:
            pairs = [
                (taxonomy.types[slug], weight)
                for slug, weight in TYPE_WEIGHTS.get(track, {}).items()
                if slug in taxonomy.types and weight
            ] or [(offer_type, 1) for offer_type in taxonomy.types.values()]
            self.type_choices[track] = tuple(zip(*pairs, strict=True))
        forms = taxonomy.school_forms
        self.primary_forms = [form for form in forms if form.slug == "grundschule"] or forms
        self.secondary_forms = [form for form in forms if form.slug != "grundschule"] or forms
        self.statuses = tuple(zip(*STATUS_WEIGHTS, strict=True))

    def _title(self, track, sectors, offer_type, rules):
        """The offer's sectors, its main sector, title, topic and what pupils do."""
        rng = self.rng
        chosen = {rng.choice(sectors)}
        if rng.random() < 0.15:
            chosen.add(rng.choice(self.taxonomy.sectors[track]))
        sector = min(chosen, key=lambda row: row.pk)
        if track == "ausbildung":
            occupations, topics, act = OCCUPATIONS.get(sector.slug, GENERIC_OCCUPATIONS)
            titles = rules["titles"]
        else:
            topics, act = STUDY_TOPICS.get(sector.slug, GENERIC_STUDY)
            occupations = [sector.name]
            titles = STUDY_TITLES.get(offer_type.slug, rules["titles"])
        topic = rng.choice(topics)
        title = rng.choice(titles).format(
            occ=rng.choice(occupations), topic=topic, field=sector.name
        )
        return chosen, sector, title, topic, act

    def _subjects_and_code(self, provider, sector, track):
        """The sector's MINT subjects, and a catalogue code for a university's offer."""
        subjects = [
            self.taxonomy.subjects[slug]
            for slug in SECTOR_SUBJECTS.get(sector.slug, [])
            if slug in self.taxonomy.subjects
        ]
        if not subjects and track == "studium" and "sonstige" in self.taxonomy.subjects:
            subjects = [self.taxonomy.subjects["sonstige"]]
        code = ""
        letter = subjects[0].letter if subjects else ""
        if provider.kind == models.Provider.Kind.UNIVERSITY and letter in self.codes:
            code = f"{letter} {next(self.codes[letter])}"
        return subjects, code

    def _forms_and_regions(self, provider, grade_max):
        """Whether all school forms are welcome, else which, and the regions served."""
        rng = self.rng
        all_forms = grade_max > 4 and rng.random() < 0.35
        if all_forms:
            forms = []
        elif grade_max <= 4:
            forms = self.primary_forms
        else:
            forms = rng.sample(
                self.secondary_forms, k=min(len(self.secondary_forms), rng.randint(1, 3))
            )
        served = {provider.region}
        if rng.random() < 0.45:
            nearby = self.neighbours[provider.region_id]
            served.update(rng.sample(nearby, k=min(len(nearby), rng.randint(1, 3))))
        return all_forms, forms, served

    def build(self, provider, track, sectors, contact):
        """Return an unsaved Offer and the targets of its four many-to-many fields."""
        rng = self.rng
        offer_type = rng.choices(*self.type_choices[track])[0]
        rules = TYPE_RULES.get(offer_type.slug, GENERIC_RULES)
        chosen, sector, title, topic, act = self._title(track, sectors, offer_type, rules)
        grade_min, grade_max = rng.choice(rules["grades"])
        participants_min, participants_max, participants_note = rng.choice(rules["participants"])
        duration_text, duration_min, duration_max = rng.choice(rules["durations"])
        venue = models.Offer.Venue.ONLINE if rng.random() < 0.05 else rules["venue"]
        confirmed = self.today - datetime.timedelta(days=int(abs(rng.gauss(0, 200))))
        created = confirmed - datetime.timedelta(days=rng.randint(0, 900))
        year_round = offer_type.slug != "ferienakademie" and rng.random() < 0.9
        subjects, code = self._subjects_and_code(provider, sector, track)
        all_forms, forms, served = self._forms_and_regions(provider, grade_max)
        offer = models.Offer(
            provider_id=provider.pk,
            code=code,
            title=title,
            summary=rng.choice(SUMMARIES).format(act=act, topic=topic),
            description=" ".join(rng.sample(DESCRIPTIONS, k=2)),
            offer_type_id=offer_type.pk,
            grade_min=grade_min,
            grade_max=grade_max,
            all_school_forms=all_forms,
            participants_min=participants_min,
            participants_max=participants_max,
            participants_note=participants_note,
            duration_text=duration_text,
            duration_min_minutes=duration_min,
            duration_max_minutes=duration_max,
            venue=venue,
            place=rng.choice(PLACES.get(venue, ["online"])),
            audience=models.Offer.Audience.TEACHERS
            if offer_type.slug == "lehrerfortbildung"
            else models.Offer.Audience.STUDENTS,
            year_round=year_round,
            dates_note="" if year_round else rng.choice(DATES_NOTES),
            cost="" if rng.random() < 0.88 else rng.choice(COSTS),
            contact_id=contact.pk if rng.random() < 0.7 else None,
            status=rng.choices(*self.statuses)[0],
            last_confirmed=confirmed,
            created_at=timezone.make_aware(datetime.datetime.combine(created, datetime.time(9))),
        )
        return offer, (chosen, served, set(forms), set(subjects))


def generate_offers(*, count, seed=1, providers=None, national=False, today=None):
    """Write ``count`` offers of newly generated providers; return a GenerationResult.

    ``providers`` defaults to one provider per 30 offers (at least three). With ``national``
    the 16 states and 400 districts of ``national_shape`` are created first, and providers
    are spread over all districts. ``today`` anchors the confirmation dates (default: the
    current date), so tests can pin it.
    """
    started = time.perf_counter()
    if national:
        ensure_national_regions()
    taxonomy = _Taxonomy.load()
    rng = random.Random(seed)
    number = providers or max(3, count // 30)
    builder = _OfferBuilder(rng, taxonomy, today or timezone.localdate())
    published = 0
    with transaction.atomic():
        offset = generated_providers().count()
        provider_rows, plans = _make_providers(rng, taxonomy, number, offset)
        models.Provider.objects.bulk_create(provider_rows, batch_size=BATCH_SIZE)
        contact_rows = [
            models.ContactPerson(
                provider=provider,
                name=name,
                role=role,
                position=position,
                email=f"{slugify(name).replace('-', '.')}@example.org",
                phone=f"{provider.phone[:-1]}{position}",
            )
            for provider, (_, _, contacts) in zip(provider_rows, plans, strict=True)
            for position, (name, role) in enumerate(contacts, start=1)
        ]
        models.ContactPerson.objects.bulk_create(contact_rows, batch_size=BATCH_SIZE)
        first_contact = {}
        for contact in contact_rows:
            first_contact.setdefault(contact.provider_id, contact)
        # A few big providers and many small ones: Zipf-like weights over a shuffled order.
        cum_weights = list(itertools.accumulate(1 / (rank + 3) for rank in range(number)))
        order = list(range(number))
        rng.shuffle(order)
        for start in range(0, count, BATCH_SIZE):
            offers, links = [], []
            for _ in range(min(BATCH_SIZE, count - start)):
                index = order[rng.choices(range(number), cum_weights=cum_weights)[0]]
                provider = provider_rows[index]
                track, sectors, _ = plans[index]
                offer, link = builder.build(provider, track, sectors, first_contact[provider.pk])
                published += offer.status == models.Offer.Status.PUBLISHED
                offers.append(offer)
                links.append(link)
            models.Offer.objects.bulk_create(offers, batch_size=OFFER_INSERT_ROWS)
            _write_links(offers, links)
    return GenerationResult(
        offers=count,
        published=published,
        providers=number,
        seconds=time.perf_counter() - started,
    )


def _write_links(offers, links):
    """Write the through rows of the four many-to-many fields in bulk."""
    fields = (
        (models.Offer.sectors.through, "sector_id"),
        (models.Offer.regions.through, "region_id"),
        (models.Offer.school_forms.through, "schoolform_id"),
        (models.Offer.subjects.through, "subject_id"),
    )
    for position, (through, column) in enumerate(fields):
        # Auto-created through models have exactly (id, offer, target); positional arguments
        # skip the keyword matching that dominates Model.__init__ for 400,000 small rows.
        assert [field.attname for field in through._meta.fields] == ["id", "offer_id", column]
        rows = [
            through(None, offer.pk, target.pk)
            for offer, link in zip(offers, links, strict=True)
            for target in sorted(link[position], key=lambda row: row.pk)
        ]
        through.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def generated_providers():
    """Providers this module wrote: both markers, so no real provider is ever taken for one."""
    return models.Provider.objects.filter(
        slug__startswith=PROVIDER_PREFIX, website__startswith=GENERATED_WEBSITE_PREFIX
    )


def clear_generated():
    """Delete generated offers, providers and contact persons, and unused generated regions.

    The demo fixtures and anything a coordinator entered stay: offers and contact persons go
    with their ``gen-`` providers; districts only if their slug is one of ``national_shape``
    and nothing refers to them any more; states of the shape only once they have no
    districts and no references left. Returns the number of offers deleted.
    """
    generated = generated_providers()
    offers = models.Offer.objects.filter(provider__in=generated)
    shape = national_shape()
    district_slugs = [
        _district_slug(key, name)
        for key, name, level, _ in shape
        if level == models.Region.Level.DISTRICT
    ]
    state_keys = [key for key, _, level, _ in shape if level == models.Region.Level.STATE]
    unused = {"providers__isnull": True, "offers__isnull": True, "partners__isnull": True}
    # History is off for the clean-up: generated rows never had any, and recording 100,000
    # deletions would take far longer than the deletion itself.
    with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
        for field in ("sectors", "regions", "school_forms", "subjects"):
            getattr(models.Offer, field).through.objects.filter(offer__in=offers).delete()
        deleted, _ = offers.delete()
        models.ContactPerson.objects.filter(provider__in=generated).delete()
        generated.delete()
        models.Region.objects.filter(slug__in=district_slugs, **unused).delete()
        models.Region.objects.filter(
            level=models.Region.Level.STATE,
            official_key__in=state_keys,
            children__isnull=True,
            **unused,
        ).delete()
    return deleted
