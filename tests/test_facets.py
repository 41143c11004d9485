"""The search engine: each filter means what it says, and the facet counts are right.

Counts are disjunctive: the number beside a value is the number of results with that value
as the facet's only selection and every other active filter kept. The grouped engine the
page uses must equal the plain reference engine for random filter combinations.
"""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from offers.models import Offer
from offers.search import facets, sql
from offers.search.spec import SearchSpec, Vocabulary
from offers.search.sql import matching_offers
from tests.factories import add_search_vocabulary, make_offer, make_provider

HOUR, DAY = 60, 480


@pytest.fixture
def vocab(taxonomy):
    return add_search_vocabulary(taxonomy)


def titles(spec):
    vocabulary = Vocabulary.load()
    return sorted(matching_offers(spec, vocabulary).values_list("title", flat=True))


def test_grade_matches_offers_whose_range_includes_it(vocab):
    make_offer(vocab, title="5 bis 7", grade_min=5, grade_max=7)
    make_offer(vocab, title="9 bis 13", grade_min=9, grade_max=13)
    make_offer(vocab, title="nur 10", grade_min=10, grade_max=10)

    assert titles(SearchSpec(grade=7)) == ["5 bis 7"]
    assert titles(SearchSpec(grade=9)) == ["9 bis 13"]
    assert titles(SearchSpec(grade=10)) == ["9 bis 13", "nur 10"]
    assert titles(SearchSpec(grade=8)) == []


def test_class_size_needs_a_big_enough_maximum_or_none(vocab):
    make_offer(vocab, title="max 20", participants_max=20)
    make_offer(vocab, title="max 30", participants_max=30)
    make_offer(vocab, title="offen", participants_max=None, participants_note="nach Absprache")

    assert titles(SearchSpec(size=25)) == ["max 30", "offen"]
    assert titles(SearchSpec(size=30)) == ["max 30", "offen"]
    assert titles(SearchSpec(size=31)) == ["offen"]


def test_offer_for_all_school_forms_matches_every_school_form(vocab):
    make_offer(vocab, title="alle", all_school_forms=True)
    make_offer(vocab, title="Gymnasium").school_forms.set([vocab["gym"]])
    make_offer(vocab, title="RS+").school_forms.set([vocab["rs"]])
    make_offer(vocab, title="keine Angabe")

    assert titles(SearchSpec(schoolform=("gymnasium",))) == ["Gymnasium", "alle"]
    assert titles(SearchSpec(schoolform=("igs",))) == ["alle"]
    assert titles(SearchSpec(schoolform=("gymnasium", "realschule-plus"))) == [
        "Gymnasium",
        "RS+",
        "alle",
    ]


def test_broad_sector_includes_its_finer_fields(vocab):
    make_offer(vocab, title="Chemie", sectors=[vocab["chemie"]])
    make_offer(vocab, title="Physik", sectors=[vocab["physik"]])
    make_offer(vocab, title="MINT allgemein", sectors=[vocab["mint"]])
    make_offer(vocab, title="IT", sectors=[vocab["it"]])

    assert titles(SearchSpec(sector=("mathematik-naturwissenschaften",))) == [
        "Chemie",
        "MINT allgemein",
        "Physik",
    ]
    assert titles(SearchSpec(sector=("chemie",))) == ["Chemie"]
    assert titles(SearchSpec(sector=("chemie", "it-computer"))) == ["Chemie", "IT"]


def test_state_includes_its_districts(vocab):
    make_offer(vocab, title="Trier", regions=[vocab["trier"]])
    make_offer(vocab, title="Vulkaneifel", regions=[vocab["vulkaneifel"]])
    make_offer(vocab, title="ganz RLP", regions=[vocab["rlp"]])
    make_offer(vocab, title="Saarland", regions=[vocab["saarland"]])

    assert titles(SearchSpec(region=("rheinland-pfalz",))) == ["Trier", "Vulkaneifel", "ganz RLP"]
    assert titles(SearchSpec(region=("stadt-trier",))) == ["Trier"]


def test_track_type_subject_and_venue_filter(vocab):
    studium = make_offer(
        vocab, title="Studium", sectors=[vocab["physik"]], venue=Offer.Venue.SCHOOL
    )
    studium.subjects.set([vocab["technik"]])
    make_offer(vocab, title="Ausbildung", offer_type=vocab["workshop"], venue=Offer.Venue.ONLINE)

    assert titles(SearchSpec(track=("studium",))) == ["Studium"]
    assert titles(SearchSpec(track=("studium", "ausbildung"))) == ["Ausbildung", "Studium"]
    assert titles(SearchSpec(type=("workshop",))) == ["Ausbildung"]
    assert titles(SearchSpec(subject=("technik",))) == ["Studium"]
    assert titles(SearchSpec(venue=("school",))) == ["Studium"]


def test_duration_bands_take_offers_whose_range_touches_them(vocab):
    make_offer(vocab, title="90 min", duration_min_minutes=90, duration_max_minutes=90)
    make_offer(vocab, title="2-4 h", duration_min_minutes=2 * HOUR, duration_max_minutes=4 * HOUR)
    make_offer(vocab, title="1 Tag", duration_min_minutes=DAY, duration_max_minutes=None)
    make_offer(vocab, title="2-20 Wochen", duration_min_minutes=10 * DAY, duration_max_minutes=None)
    make_offer(
        vocab, title="3-10 Tage", duration_min_minutes=3 * DAY, duration_max_minutes=10 * DAY
    )
    make_offer(vocab, title="ohne Angabe")

    assert titles(SearchSpec(duration=("bis-2-stunden",))) == ["2-4 h", "90 min"]
    assert titles(SearchSpec(duration=("halber-tag",))) == ["2-4 h"]
    assert titles(SearchSpec(duration=("ein-tag",))) == ["1 Tag"]
    assert titles(SearchSpec(duration=("mehrere-tage",))) == ["3-10 Tage"]
    assert titles(SearchSpec(duration=("wochen",))) == ["2-20 Wochen", "3-10 Tage"]


def test_filters_combine_with_and_across_facets(vocab):
    make_offer(vocab, title="passt", grade_min=9, grade_max=10, offer_type=vocab["workshop"])
    make_offer(
        vocab, title="falsche Klasse", grade_min=5, grade_max=6, offer_type=vocab["workshop"]
    )
    make_offer(vocab, title="falscher Typ", grade_min=9, grade_max=10)

    assert titles(SearchSpec(grade=9, type=("workshop",))) == ["passt"]


def test_drafts_archived_and_in_review_offers_never_match_or_count(vocab):
    make_offer(vocab, title="öffentlich")
    for status in (Offer.Status.DRAFT, Offer.Status.REVIEW, Offer.Status.ARCHIVED):
        make_offer(vocab, title=f"nicht öffentlich {status}", status=status)

    result = sql.search(SearchSpec(), Vocabulary.load())

    assert [offer.title for offer in result.page] == ["öffentlich"]
    assert result.total == 1
    assert result.counts["type"]["praktikum"] == 1
    assert sum(result.counts["grade"].values()) == 13


def test_counts_of_a_facet_ignore_its_own_selection_but_respect_the_others(vocab):
    make_offer(vocab, title="A", offer_type=vocab["praktikum"], grade_min=9, grade_max=9)
    make_offer(vocab, title="B", offer_type=vocab["workshop"], grade_min=9, grade_max=9)
    make_offer(vocab, title="C", offer_type=vocab["workshop"], grade_min=5, grade_max=5)

    counts = sql.grouped_counts(SearchSpec(type=("praktikum",), grade=9), Vocabulary.load())

    assert counts["type"] == {"praktikum": 1, "workshop": 1, "vortrag": 0}
    assert counts["grade"][9] == 1
    assert counts["grade"][5] == 0


def test_ticking_a_value_beside_a_selection_adds_what_the_additions_say(vocab):
    # Two offers are both a company visit and in the sector the pupil already ticked.
    make_offer(vocab, title="Praktikum IT", offer_type=vocab["praktikum"], sectors=[vocab["it"]])
    make_offer(vocab, title="Praktikum Chemie", offer_type=vocab["praktikum"])
    make_offer(vocab, title="Workshop IT", offer_type=vocab["workshop"], sectors=[vocab["it"]])
    make_offer(vocab, title="Workshop Chemie", offer_type=vocab["workshop"])
    make_offer(vocab, title="Workshop Chemie 2", offer_type=vocab["workshop"])
    vocabulary = Vocabulary.load()
    spec = SearchSpec(type=("praktikum",))

    result = sql.search(spec, vocabulary)

    assert result.total == 2
    # The plain count promises three workshops, but ticking one gives 2 + 3 = 5 results.
    assert result.counts["type"]["workshop"] == 3
    assert result.additions == {"type": {"praktikum": 0, "workshop": 3, "vortrag": 0}}
    ticked = spec.replace(type=("praktikum", "workshop"))
    assert matching_offers(ticked, vocabulary).count() == result.total + 3
    # A facet without a selection has no additions: its counts already say what ticking gives.
    assert "sector" not in result.additions


def test_additions_equal_the_reference_and_the_growth_of_the_result(vocab):
    rng = random.Random(20261202)
    random_catalogue(vocab, rng)
    vocabulary = Vocabulary.load()
    checked = 0
    for _ in range(25):
        spec = random_spec(rng, vocabulary)
        additions = sql.grouped_additions(spec, vocabulary)
        assert additions == sql.reference_additions(spec, vocabulary), spec
        total = matching_offers(spec, vocabulary).count()
        for name, adds in additions.items():
            for key, n in adds.items():
                if key not in spec.selected(name):
                    ticked = spec.replace(**{name: (*spec.selected(name), key)})
                    assert matching_offers(ticked, vocabulary).count() == total + n, (spec, key)
                    checked += 1
    assert checked > 20


def test_an_offer_in_a_broad_sector_and_its_finer_field_counts_once(vocab):
    make_offer(vocab, sectors=[vocab["mint"], vocab["chemie"], vocab["physik"]])
    make_offer(vocab, sectors=[vocab["chemie"], vocab["physik"]])

    counts = sql.grouped_counts(SearchSpec(), Vocabulary.load())

    assert counts["sector"]["mathematik-naturwissenschaften"] == 2
    assert counts["sector"]["chemie"] == 2
    assert counts["track"] == {"ausbildung": 0, "studium": 2}


def random_catalogue(vocab, rng, size=45):
    """Offers with random values in every facet, some of them drafts."""
    sectors = [vocab[k] for k in ("it", "metall", "mint", "chemie", "physik")]
    regions = [vocab[k] for k in ("trier", "vulkaneifel", "rlp", "saarland")]
    forms = [vocab[k] for k in ("gym", "rs", "igs")]
    subjects = [vocab[k] for k in ("informatik", "technik", "mathematik")]
    types = [vocab[k] for k in ("praktikum", "workshop", "vortrag")]
    providers = [make_provider(vocab) for _ in range(4)]
    words = ["Robotik-Workshop", "Praktikum im Labor", "Chemie erleben", "Betriebsbesichtigung"]
    now = timezone.now()
    for i in range(size):
        low = rng.randint(1, 13)
        shortest = rng.choice([None, 60, 180, 480, 1440, 4800])
        offer = make_offer(
            vocab,
            title=f"{rng.choice(words)} {i}",
            provider=rng.choice(providers),
            offer_type=rng.choice(types),
            sectors=rng.sample(sectors, rng.randint(1, 3)),
            regions=rng.sample(regions, rng.randint(1, 2)),
            grade_min=low,
            grade_max=rng.randint(low, 13),
            all_school_forms=rng.random() < 0.2,
            participants_max=rng.choice([None, 10, 20, 30]),
            duration_min_minutes=shortest,
            duration_max_minutes=rng.choice([shortest, None, (shortest or 0) * 3 or None]),
            venue=rng.choice(Offer.Venue.values),
            status=rng.choice([Offer.Status.PUBLISHED] * 5 + [Offer.Status.DRAFT]),
            created_at=now - timedelta(days=i),
        )
        offer.school_forms.set(rng.sample(forms, rng.randint(0, 2)))
        offer.subjects.set(rng.sample(subjects, rng.randint(0, 2)))


def random_spec(rng, vocabulary):
    """A search with a few random facets, values, and sometimes grade, size or text."""
    chosen = {}
    for name in rng.sample(
        [facet.name for facet in facets.registered() if facet.multiple], rng.randint(0, 3)
    ):
        keys = [key for key, _label in vocabulary.choices(name)]
        chosen[name] = tuple(rng.sample(keys, rng.randint(1, 2)))
    if rng.random() < 0.4:
        chosen["grade"] = rng.randint(1, 13)
    if rng.random() < 0.3:
        chosen["size"] = rng.choice([5, 15, 25])
    if rng.random() < 0.25:
        chosen["q"] = rng.choice(["Praktika", "Roboter", "Labor", "Chemie"])
    return SearchSpec(**chosen)


def with_only(spec, name, key):
    """``spec`` with ``key`` as the only selection of facet ``name``."""
    return spec.replace(**{name: key if name == "grade" else (key,)})


def test_grouped_counts_equal_the_reference_and_the_results_of_choosing_the_value(vocab):
    rng = random.Random(20261125)
    random_catalogue(vocab, rng)
    vocabulary = Vocabulary.load()

    for _ in range(60):
        spec = random_spec(rng, vocabulary)
        grouped = sql.grouped_counts(spec, vocabulary)
        assert grouped == sql.reference_counts(spec, vocabulary), spec
        for name, counts in grouped.items():
            for key, count in counts.items():
                if count:
                    chosen = with_only(spec, name, key)
                    assert matching_offers(chosen, vocabulary).count() == count, (spec, name, key)


def test_relaxations_count_the_results_without_each_filter(vocab):
    make_offer(vocab, title="Trier 9", regions=[vocab["trier"]], grade_min=9, grade_max=9)
    make_offer(vocab, title="Eifel 5", regions=[vocab["vulkaneifel"]], grade_min=5, grade_max=5)
    make_offer(vocab, title="Eifel 7", regions=[vocab["vulkaneifel"]], grade_min=7, grade_max=7)
    spec = SearchSpec(region=("landkreis-vulkaneifel",), grade=9)

    result = sql.search(spec, Vocabulary.load())

    assert result.total == 0
    assert result.relaxations == {"region": 1, "grade": 2}


def test_a_deeper_sector_tree_still_counts_like_the_reference(vocab):
    from offers.models import Sector

    biochemie = Sector.objects.create(
        name="Biochemie", slug="biochemie", track=vocab["studium"], parent=vocab["chemie"]
    )
    make_offer(vocab, sectors=[biochemie])
    make_offer(vocab, sectors=[vocab["chemie"], biochemie])
    make_offer(vocab, sectors=[vocab["physik"]])
    vocabulary = Vocabulary.load()

    grouped = sql.grouped_counts(SearchSpec(), vocabulary)

    assert grouped == sql.reference_counts(SearchSpec(), vocabulary)
    assert grouped["sector"]["chemie"] == 2
