"""The in-memory search index answers exactly what the plain ORM queries answer.

For a few hundred random searches over generated offers (every facet, grade, class size,
German text with websearch syntax, every sort, several pages) the index's page of offers,
its total, every facet count, what ticking a value adds to a facet with a selection and the
empty-state counts equal the SQL engine's, and for a share of them the one-COUNT-per-value
reference engine's. Publishing, archiving and editing
links replace the catalogue token, and the next search answers from a new index.
"""

import random
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo import generator
from offers.models import CatalogVersion, ContactPerson, Offer, OfferType, SchoolForm, Sector
from offers.search import engine as search_engine
from offers.search import facets, sql
from offers.search.index import SearchIndex
from offers.search.spec import SORTS, SearchSpec, Vocabulary
from tests.factories import add_search_vocabulary, make_offer
from tests.test_facets import random_catalogue

WORDS = [
    "Praktikum",
    "Praktika",
    "Workshop",
    "Beratung",
    "Apotheke",
    "Automatisierung",
    "Zukunft Beruf",
    "Metallbau -Beratung",
    '"rund um"',
    "Pflege or Verwaltung",
    "Mosel",
    "Xylophon",
]


pytestmark = pytest.mark.usefixtures("fresh_index")


@pytest.fixture
def generated(db):
    call_command("loaddata", "fixtures/taxonomies.json", verbosity=0)
    generator.generate_offers(count=700, seed=5)
    return Vocabulary.load()


def random_search(rng, vocabulary):
    """A search with up to four facets of one to three values, sometimes grade, size, text."""
    chosen = {}
    for name in rng.sample(
        [facet.name for facet in facets.registered() if facet.multiple],
        rng.choice([0, 1, 1, 2, 3, 4]),
    ):
        keys = [key for key, _label in vocabulary.choices(name)]
        chosen[name] = tuple(rng.sample(keys, min(len(keys), rng.randint(1, 3))))
    if rng.random() < 0.35:
        chosen["grade"] = rng.randint(1, 13)
    if rng.random() < 0.25:
        chosen["size"] = rng.choice([1, 8, 15, 25, 40])
    if rng.random() < 0.45:
        chosen["q"] = rng.choice(WORDS)
    return SearchSpec(**chosen, sort=rng.choice(list(SORTS)), page=rng.choice([1, 1, 2, 3, 99]))


def assert_same(index, spec, vocabulary, *, per_page, reference=False):
    """The index against ``facets.search``, the SQL engine, on the same data."""
    count_facets = sql.reference_counts if reference else sql.grouped_counts
    count_additions = sql.reference_additions if reference else sql.grouped_additions
    plain = sql.search(
        spec,
        vocabulary,
        per_page=per_page,
        count_facets=count_facets,
        count_additions=count_additions,
    )
    fast = index.search(spec, per_page=per_page)
    assert fast.total == plain.total, spec
    assert fast.counts == plain.counts, spec
    assert fast.additions == plain.additions, spec
    assert set(fast.additions) == {
        name for name in spec.active_filters if name != "q" and facets.get(name).multiple
    }, spec
    assert fast.relaxations == plain.relaxations, spec
    assert fast.page.number == plain.page.number, spec
    assert [offer.pk for offer in fast.page] == [offer.pk for offer in plain.page], spec
    return plain.total


def test_index_equals_the_sql_engine_on_random_searches_over_generated_offers(generated):
    rng = random.Random(7)
    index = search_engine.engine()
    assert isinstance(index, SearchIndex)
    assert index.size == Offer.objects.published().count() > 500
    totals = []
    for i in range(300):
        spec = random_search(rng, generated)
        totals.append(assert_same(index, spec, generated, per_page=9, reference=i % 15 == 0))
    # The random searches reach empty, small and large results alike.
    assert min(totals) == 0
    assert sum(1 for total in totals if 0 < total < 9) > 10
    assert max(totals) > 300


def test_index_equals_the_reference_on_edge_cases(taxonomy):
    vocab = add_search_vocabulary(taxonomy)
    rng = random.Random(3)
    random_catalogue(vocab, rng, size=60)
    now = timezone.now()
    # Offers that differ only in ties: same title, same creation time.
    for _ in range(3):
        make_offer(vocab, title="Praktikum im Labor", created_at=now)
    # Linked to a broad sector and one of its fields, a state and one of its districts.
    make_offer(
        vocab,
        title="Doppelt verlinkt",
        sectors=[vocab["mint"], vocab["chemie"]],
        regions=[vocab["rlp"], vocab["trier"]],
        all_school_forms=True,
        created_at=now - timedelta(days=400),
    ).school_forms.set([vocab["gym"]])
    make_offer(vocab, title="Ohne Dauer", duration_min_minutes=None, duration_max_minutes=None)
    make_offer(vocab, title="Nur bis", duration_min_minutes=None, duration_max_minutes=2400)
    make_offer(vocab, title="Nur ab", duration_min_minutes=121, duration_max_minutes=None)
    vocabulary = Vocabulary.load()
    index = search_engine.engine()
    for i in range(120):
        spec = random_search(rng, vocabulary)
        if spec.q:
            spec = spec.replace(q=rng.choice(["Praktika", "Roboter", "Labor"]))
        assert_same(index, spec, vocabulary, per_page=4, reference=i % 3 == 0)


def test_publishing_archiving_and_relinking_reach_the_next_search(taxonomy):
    vocab = add_search_vocabulary(taxonomy)
    draft = make_offer(
        vocab, title="Roboter bauen", status=Offer.Status.DRAFT, sectors=[vocab["chemie"]]
    )
    make_offer(vocab, title="Roboter programmieren", sectors=[vocab["it"]])
    spec = SearchSpec(q="Roboter", sort="title")

    first = search_engine.engine()
    assert [o.title for o in first.search(spec).page] == ["Roboter programmieren"]
    assert search_engine.engine() is first

    Offer.objects.filter(pk=draft.pk).update(status=Offer.Status.PUBLISHED)
    published = search_engine.engine()
    assert published is not first
    assert [o.title for o in published.search(spec).page] == [
        "Roboter bauen",
        "Roboter programmieren",
    ]
    assert published.search(spec).counts["sector"]["it-computer"] == 1

    draft.sectors.add(vocab["it"])
    relinked = search_engine.engine()
    assert relinked is not published
    assert relinked.search(spec).counts["sector"]["it-computer"] == 2

    Offer.objects.filter(title="Roboter programmieren").update(status=Offer.Status.ARCHIVED)
    archived = search_engine.engine()
    assert [o.title for o in archived.search(spec).page] == ["Roboter bauen"]
    assert archived.search(spec).counts["sector"]["it-computer"] == 1

    Sector.objects.filter(pk=vocab["it"].pk).update(name="Informatik")
    assert search_engine.engine().vocabulary().sector["it-computer"].name == "Informatik"


def test_school_forms_subjects_types_and_contacts_alone_replace_the_token(taxonomy):
    """Changes that touch no offer row (an M2M link alone, a renamed offer type, a new
    school form, a contact person) reach the next search too."""
    vocab = add_search_vocabulary(taxonomy)
    offer = make_offer(vocab, title="Roboter bauen")
    spec = SearchSpec(schoolform=("igs",))
    before = search_engine.engine()
    assert before.search(spec).total == 0

    offer.school_forms.add(vocab["igs"])
    linked = search_engine.engine()
    assert linked is not before
    assert linked.search(spec).total == 1

    offer.subjects.add(vocab["technik"])
    assert search_engine.engine().search(SearchSpec(subject=("technik",))).total == 1

    OfferType.objects.filter(pk=offer.offer_type_id).update(name="Schnuppertag")
    assert search_engine.engine().vocabulary().type[offer.offer_type.slug].name == "Schnuppertag"

    SchoolForm.objects.create(name="Kolleg", slug="kolleg")
    assert "kolleg" in search_engine.engine().vocabulary().schoolform

    token = CatalogVersion.current()
    ContactPerson.objects.create(provider=offer.provider, name="Erika Beispiel")
    assert CatalogVersion.current() != token


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_sql_engine_answers_while_the_index_is_built(taxonomy):
    # Another transactional test's flush may have emptied the table the migration filled.
    CatalogVersion.objects.get_or_create(pk=1, defaults={"token": "after-a-flush"})
    vocab = add_search_vocabulary(taxonomy)
    make_offer(vocab, title="Roboter bauen")
    spec = SearchSpec(q="Roboter")

    while_building = search_engine.engine()
    assert isinstance(while_building, sql.CachedSearch)
    assert [o.title for o in while_building.search(spec).page] == ["Roboter bauen"]
    search_engine.wait_for_build()
    built = search_engine.engine()
    assert isinstance(built, SearchIndex)
    assert [o.title for o in built.search(spec).page] == ["Roboter bauen"]

    make_offer(vocab, title="Roboter programmieren")
    assert isinstance(search_engine.engine(), sql.CachedSearch)
    search_engine.wait_for_build()
    assert len(search_engine.engine().search(spec).page) == 2


@pytest.mark.django_db(transaction=True)
def test_a_failing_build_is_not_retried_on_every_request(taxonomy, monkeypatch):
    CatalogVersion.objects.get_or_create(pk=1, defaults={"token": "after-a-flush"})
    vocab = add_search_vocabulary(taxonomy)
    make_offer(vocab, title="Roboter bauen")
    builds = []

    def failing_build():
        builds.append(1)
        raise RuntimeError("database gone")

    monkeypatch.setattr(SearchIndex, "build", staticmethod(failing_build))
    spec = SearchSpec(q="Roboter")
    for _ in range(3):
        engine = search_engine.engine()
        assert isinstance(engine, sql.CachedSearch)
        assert engine.search(spec).total == 1
        search_engine.wait_for_build()
    assert len(builds) == 1

    monkeypatch.setattr(search_engine._State, "failed_at", -1e9)  # long ago
    search_engine.engine()
    search_engine.wait_for_build()
    assert len(builds) == 2
