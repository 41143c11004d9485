"""The Merkliste in a real browser, with JavaScript off and on: three offers saved from the
walk, the search and an offer page, a note, a shared link opened in a second browser that
copies the list and removes one; the list, shared and handout pages pass axe-core and the
Nu HTML checker at 390 and 1280 px; the seed search's PDF handout holds every result's
title and public phone number."""

import io
import json
import re
import subprocess
import urllib.request

import pytest
from django.db.models import Q

from offers.models import Offer
from tests.browser_support import AXE_JS, DESKTOP, PHONE, VNU_JAR, require_file, require_java

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WALK = "/angebote/ausbildung/it-computer/landkreis-trier-saarburg/"
SEARCH = "/suche/?q=Labor"
SEED_SEARCH = "grade=8&schoolform=realschule-plus&size=28"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def squeeze(text):
    return re.sub(r"\s+", "", text)


def save_one(page, path, taken, *, javascript):
    """Press Merken on the first offer of ``path`` not saved yet; returns its form id."""
    from playwright.sync_api import expect

    page.goto(path)
    forms = page.locator("main .merken")
    ids = [forms.nth(i).get_attribute("id") for i in range(forms.count())]
    form_id = next(i for i in ids if i not in taken)
    form = page.locator(f"#{form_id}")
    if javascript:
        page.evaluate("window.notReloaded = true")
    form.locator("button").click()  # a form, or a button tied to one (search page)
    expect(page.locator(f"#{form_id} .merken__status")).to_contain_text("auf Ihrer Merkliste")
    assert page.url.split("#")[0].endswith(path.split("/", 3)[-1] if "?" in path else path)
    if javascript:
        assert page.evaluate("window.notReloaded === true"), "the page was reloaded"
    expect(page.locator("[data-merkliste-count]")).to_have_text(str(len(taken) + 1))
    taken.append(form_id)
    return form_id


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_a_teacher_collects_shares_and_a_colleague_copies(browser, demo_server, javascript):
    from playwright.sync_api import expect

    teacher = browser.new_context(base_url=demo_server.url, java_script_enabled=javascript)
    colleague = browser.new_context(base_url=demo_server.url, java_script_enabled=javascript)
    try:
        page = teacher.new_page()
        page.set_default_timeout(10_000)
        taken = []
        save_one(page, WALK, taken, javascript=javascript)
        save_one(page, SEARCH, taken, javascript=javascript)
        offer = (
            Offer.objects.published()
            .exclude(pk__in=[int(i.split("-")[1]) for i in taken])
            .order_by("pk")
            .first()
        )
        save_one(page, offer.get_absolute_url(), taken, javascript=javascript)

        page.goto("/merkliste/")
        expect(page.locator("main .desk-item")).to_have_count(3)
        page.get_by_label("Notiz zu dieser Liste").fill("Klasse 8b, Mai")
        page.get_by_role("button", name="Notiz speichern").click()
        expect(page.locator(".desk-messages")).to_contain_text("Die Notiz wurde gespeichert.")
        page.get_by_role("button", name="Liste teilen").click()
        link = page.locator("#share-url").input_value()
        assert re.fullmatch(rf"{re.escape(demo_server.url)}/merkliste/[\w-]{{43}}/", link)

        other = colleague.new_page()
        other.set_default_timeout(10_000)
        other.goto(link)
        expect(other.locator("main")).to_contain_text("Klasse 8b, Mai")
        expect(other.locator("main .desk-item")).to_have_count(3)
        expect(other.locator("main .desk-remove")).to_have_count(0)
        other.get_by_role("button", name="In meine Merkliste übernehmen").click()
        expect(other.locator(".desk-messages")).to_contain_text("3 Angebote wurden")
        expect(other.locator("[data-merkliste-count]")).to_have_text("3")
        other.locator("main .desk-remove button").first.click()
        expect(other.locator("main .desk-item")).to_have_count(2)
        expect(other.locator("[data-merkliste-count]")).to_have_text("2")

        # The teacher's list and its shared copy are untouched by the colleague.
        page.goto(link)
        expect(page.locator("main .desk-item")).to_have_count(3)
    finally:
        teacher.close()
        colleague.close()


def test_the_seed_search_handout_pdf_holds_every_title_and_public_phone(client, demo_server):
    from pypdf import PdfReader

    titles, page_number = [], 1
    while True:  # the results as the search page lists them, page by page
        html = client.get(f"/suche/?{SEED_SEARCH}&page={page_number}").content.decode()
        titles += re.findall(r'class="offer-card__title"><a href="/angebot/(\d+)/"', html)
        if 'rel="next"' not in html:
            break
        page_number += 1
    assert len(titles) > 5

    response = client.get(f"/handzettel.pdf?{SEED_SEARCH}&notiz=Klasse+8b")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = squeeze(" ".join(page.extract_text() for page in reader.pages))
    assert "Klasse8b" in text
    offers = Offer.objects.select_related("contact", "provider").in_order_of(map(int, titles))
    for offer in offers:
        assert squeeze(offer.title) in text, offer.title
        people = (
            [offer.contact]
            if offer.contact
            else offer.provider.contacts.filter(Q(show_phone=True) | Q(phone=""))
        )
        for person in people:
            if person.phone and person.show_phone:
                assert squeeze(person.phone) in text, (offer.title, person.phone)
            elif person.phone:
                assert squeeze(person.phone) not in text


@pytest.fixture(scope="module")
def desk_paths(browser, demo_server):
    """A list with the walk's offers, shared: the three pages to audit, as the teacher's
    browser sees them (the list page is per visitor)."""
    context = browser.new_context(base_url=demo_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(WALK)
    for i in range(3):
        page.goto(WALK)
        page.locator("main .merken button").nth(i).click()
    page.goto("/merkliste/")
    page.get_by_label("Notiz zu dieser Liste").fill("Klasse 8b, Mai")
    page.get_by_role("button", name="Notiz speichern").click()
    page.get_by_role("button", name="Liste teilen").click()
    shared = page.locator("#share-url").input_value().replace(demo_server.url, "")
    cookies = context.cookies()
    yield (
        {
            "list": "/merkliste/",
            "shared": shared,
            "handout": f"{shared}handzettel/",
            "search handout": f"/handzettel/?{SEED_SEARCH}",
        },
        cookies,
    )
    context.close()


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1280"])
def test_desk_pages_have_no_axe_violations(browser, demo_server, desk_paths, size):
    require_file(AXE_JS, "run `make a11y-tools`")
    paths, cookies = desk_paths
    context = browser.new_context(base_url=demo_server.url, bypass_csp=True, **size)
    context.add_cookies(cookies)
    page = context.new_page()
    width = size["viewport"]["width"]
    try:
        for name, path in paths.items():
            assert page.goto(path).status == 200
            assert page.locator("h1").count() == 1, name
            if name == "list":
                assert page.locator("main .desk-item").count() == 3
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{name} scrolls sideways at {width} px"
            page.evaluate(AXE_JS.read_text(encoding="utf-8"))
            result = page.evaluate(
                "async (tags) => await axe.run(document, "
                "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                WCAG_TAGS,
            )
            violations = [
                f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
                for v in result["violations"]
            ]
            assert violations == [], name
    finally:
        context.close()


def test_desk_pages_are_valid_html(demo_server, desk_paths, tmp_path):
    require_java()
    require_file(VNU_JAR, "run `make a11y-tools`")
    paths, cookies = desk_paths
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
    files = {}
    for name, path in paths.items():
        request = urllib.request.Request(demo_server.url + path, headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=30) as response:
            html = response.read()
        if name == "list":
            assert b"desk-item" in html
        files[name] = tmp_path / f"{name.replace(' ', '-')}.html"
        files[name].write_bytes(html)
    result = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--stdout"]
        + ["--exit-zero-always", *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.stdout.strip(), result.stderr[:500]
    errors = [
        f"{m['url'].rsplit('/', 1)[-1]} line {m.get('lastLine')}: {m['message']}"
        for m in json.loads(result.stdout)["messages"]
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert errors == []
