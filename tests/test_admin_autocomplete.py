"""Choosing from long lists in the admin: sectors named with their track, and the offer and
provider lists' provider and region filters found by typing instead of listing thousands."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from offers.models import Provider, Region, Sector
from tests import factories
from tests.admin_support import make_user, setup_roles

CHANGELIST = "admin:offers_offer_changelist"


@pytest.fixture
def world(taxonomy):
    setup_roles()
    ausbildung_et = Sector.objects.create(
        name="Elektrotechnik", slug="elektrotechnik-a", track=taxonomy["ausbildung"]
    )
    studium_et = Sector.objects.create(
        name="Elektrotechnik", slug="elektrotechnik-s", track=taxonomy["studium"]
    )
    providers = [
        factories.make_provider(taxonomy, name=f"Betrieb {n:02}", slug=f"betrieb-{n:02}")
        for n in range(30)
    ]
    offer = factories.make_offer(
        taxonomy, provider=providers[0], sectors=[studium_et], title="Labortag E-Technik"
    )
    factories.make_offer(
        taxonomy,
        provider=providers[1],
        regions=[taxonomy["vulkaneifel"]],
        title="Werkstatttag Daun",
    )
    return {
        "taxonomy": taxonomy,
        "ausbildung_et": ausbildung_et,
        "studium_et": studium_et,
        "providers": providers,
        "offer": offer,
        "coordinator": make_user("Koordination"),
        "editor": make_user("Anbieter-Redaktion", providers=[providers[0]]),
    }


def autocomplete(client, model_name, field_name, term):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "offers", "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_sector_choices_name_their_track(client, world):
    client.force_login(world["coordinator"])
    assert sorted(autocomplete(client, "offer", "sectors", "Elektro")) == [
        "Elektrotechnik (Ausbildung)",
        "Elektrotechnik (Studium)",
    ]
    page = client.get(reverse("admin:offers_offer_change", args=[world["offer"].pk]))
    selected = re.search(r'<select name="sectors".*?</select>', page.text, flags=re.S).group()
    assert "Elektrotechnik (Studium)" in selected


def filter_form(page, param):
    """The sidebar form whose select sets ``param``."""
    forms = re.findall(
        r'<form method="get" class="autocomplete-filter">.*?</form>', page.text, re.S
    )
    chosen = [form for form in forms if f'<select id="filter-{param}" name="{param}"' in form]
    assert len(chosen) == 1, param
    return chosen[0]


def test_the_provider_filter_names_only_the_chosen_provider(client, world):
    client.force_login(world["coordinator"])
    page = client.get(reverse(CHANGELIST))
    form = filter_form(page, "provider")
    assert 'data-field-name="provider"' in form and "admin-autocomplete" in form
    assert "Betrieb" not in form  # no provider listed until one is chosen
    assert "Betrieb 29" not in page.text

    chosen = world["providers"][0]
    page = client.get(reverse(CHANGELIST), {"provider": chosen.pk, "q": "Labor"})
    assert [o.title for o in page.context["cl"].result_list] == ["Labortag E-Technik"]
    form = filter_form(page, "provider")
    assert f'<option value="{chosen.pk}" selected>Betrieb 00</option>' in form
    # Choosing another provider keeps the other parameters of the list.
    assert '<input type="hidden" name="q" value="Labor">' in form
    assert "Betrieb 01" not in form
    # Typing finds the others through the admin's own autocomplete.
    assert autocomplete(client, "offer", "provider", "Betrieb 17") == ["Betrieb 17"]


def test_the_region_filter_takes_an_id_or_an_old_slug_link(client, world):
    client.force_login(world["coordinator"])
    vulkaneifel = world["taxonomy"]["vulkaneifel"]
    for value in (vulkaneifel.pk, vulkaneifel.slug):
        page = client.get(reverse(CHANGELIST), {"region": value})
        assert [o.title for o in page.context["cl"].result_list] == ["Werkstatttag Daun"]
        assert "Landkreis Vulkaneifel</option>" in filter_form(page, "region")
    assert client.get(reverse(CHANGELIST), {"region": "nirgendwo"}).context["cl"].result_count == 0


def test_the_provider_lists_region_filter_is_an_autocomplete_too(client, world):
    Region.objects.bulk_create(
        Region(name=f"Kreis {n:03}", slug=f"kreis-{n:03}") for n in range(50)
    )
    client.force_login(world["coordinator"])
    url = reverse("admin:offers_provider_changelist")
    page = client.get(url)
    assert "Kreis 049" not in page.text
    assert 'data-field-name="region"' in filter_form(page, "region")
    trier = world["taxonomy"]["trier"]
    page = client.get(url, {"region": trier.pk})
    assert page.context["cl"].result_count == Provider.objects.filter(region=trier).count() == 30


def test_an_editor_cannot_learn_other_providers_through_the_filter(client, world):
    client.force_login(world["editor"])
    other = world["providers"][1]
    page = client.get(reverse(CHANGELIST), {"provider": other.pk})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 0
    assert "Betrieb 01" not in page.text
    assert autocomplete(client, "offer", "provider", "Betrieb") == ["Betrieb 00"]


def test_the_filters_work_under_the_admins_content_security_policy(client, world):
    client.force_login(world["coordinator"])
    page = client.get(reverse(CHANGELIST))
    policy = page.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert script_src.strip() == "'self'"  # no inline script allowed: none is needed
    for script in ("admin/js/autocomplete.js", "js/admin-autocomplete-filter.js"):
        assert re.search(rf'<script src="[^"]*{re.escape(script)}"', page.text), script
    assert not re.search(r"<script>(?!\s*</script>)", page.text)
    assert finders.find("js/admin-autocomplete-filter.js")
