"""Never a 500 for what a browser can send: Hypothesis throws odd input at every public page.

Query strings with repeated and malformed parameters, huge page numbers, odd Unicode, NUL
bytes, broken percent-escapes and 10 KB values go to every public URL pattern (found from
the URLconf, see tests/public_urls.py); odd values go into the path; arbitrary form data
is POSTed to every public form. The answer must be a normal page, a redirect, or a
friendly German 400/404 page. The example budget is fixed and derandomised, so CI runs
the same examples on SQLite and PostgreSQL every time (HYPOTHESIS_MAX_EXAMPLES raises it
for a deeper local search).
"""

import os
import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.public_urls import forms_on, populate, public_endpoints

BUDGET = hypothesis_settings(
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "40")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

GET_ANSWERS = {200, 301, 302, 400, 404}
# A form may also be re-shown (200), accepted (302/303) or throttled by a rate limit (429).
POST_ANSWERS = {200, 302, 303, 400, 404, 429}

# Parameter names any list page might read, besides those its own forms declare.
COMMON_PARAMETERS = ["page", "q", "sort", "order", "grade", "size", "per_page", "region", "type"]

characters = st.characters(exclude_categories=("Cs",))  # a browser cannot send lone surrogates
odd_text = st.text(alphabet=characters, max_size=40)
malformed_numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        ["", "-1", "0", "1e9999", "NaN", "inf", "0x1F", "١٢", " 7", "7 ", "1.5", "+3", "9" * 400]
    ),
)
long_text = st.builds(lambda char, n: char * n, characters, st.integers(1000, 10_000))
tricky = st.sampled_from(
    [
        *["\x00", "a\x00b", "%", "'", '"><script>', "Praktikum", "Roboter ÄÖÜß", "\u202e"],
        # Plausible form values, so that some POSTs get past the first validation errors.
        *["🦉" * 30, "schule@example.org", "https://example.org/", "on", "school", "1"],
    ]
)
values = st.one_of(odd_text, malformed_numbers, long_text, tricky)
raw_garbage = st.sampled_from(["%", "%ZZ", "%FF%FE", "&&&", "==", "a=%E0%A4%A", ";", "+", "=x"])


def query_strings(names):
    """URL query strings: known and arbitrary keys, repeated, with odd values and raw junk."""
    keys = st.one_of(st.sampled_from(sorted(names)), odd_text)
    pairs = st.lists(st.tuples(keys, values), max_size=8)
    return st.builds(
        lambda pairs, junk: "&".join(filter(None, [urlencode(pairs), *junk])),
        pairs,
        st.lists(raw_garbage, max_size=3),
    )


@dataclass
class Site:
    urls: dict
    get_parameters: set
    post_forms: list


@pytest.fixture
def site(client, db, settings):
    """The public site in production mode (real error pages) over a small linked database."""
    settings.DEBUG = False
    values = populate()
    urls, actions = public_endpoints(client, values)
    missing = [name for name, url in urls.items() if url is None]
    assert not missing, f"no data to build these public URLs from: {missing}"
    parameters, post_forms = set(COMMON_PARAMETERS), {}
    # The admin login is not a public page, but anyone on the internet can post to it.
    for url in [*urls.values(), reverse("admin:login")]:
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue  # a PDF, a calendar file, a download: no forms to find
        # getvalue(): a page's content, or a streamed one's.
        for form in forms_on(response.getvalue().decode()):
            if form["method"] == "post":
                # The same form on many pages (Merken on every card) is posted to once.
                fields = post_forms.setdefault(form["action"] or url, set())
                fields.update(form["fields"])
            else:
                parameters.update(form["fields"])
    # An address that takes only POST and that no form on a public page showed (a form seen
    # only with a Merkliste, say) gets the fields of every public form.
    every_field = set().union(*post_forms.values())
    for url in actions.values():
        post_forms.setdefault(url, every_field)
    return Site(
        urls=urls,
        get_parameters=parameters,
        post_forms=[(action, sorted(fields)) for action, fields in sorted(post_forms.items())],
    )


def assert_friendly(response, request_line):
    assert response.status_code in GET_ANSWERS | POST_ANSWERS, (
        f"{request_line} answered {response.status_code}"
    )
    if response.status_code in {400, 404}:
        html = response.content.decode()
        assert '<html lang="de">' in html and "<h1" in html, f"{request_line}: no friendly page"


def test_public_urls_are_discovered_from_the_urlconf(site):
    assert "offers:home" in site.urls
    assert "pages:impressum" in site.urls
    assert len(site.urls) >= 5


def test_every_public_page_answers_odd_query_strings_without_error(client, site):
    @BUDGET
    @given(query=query_strings(site.get_parameters))
    def check(query):
        for url in site.urls.values():
            response = client.get(f"{url}?{query}")
            assert_friendly(response, f"GET {url}?{query[:300]}")

    check()


def test_odd_values_in_the_path_answer_404_not_500(client, site):
    @BUDGET
    @given(
        number=st.integers(min_value=10**9, max_value=10**40),
        text=st.text(alphabet=characters, min_size=1, max_size=60),
    )
    def check(number, text):
        for url in site.urls.values():
            segments = [segment for segment in url.split("/") if segment]
            for index, segment in enumerate(segments):
                if segment in {"en"}:
                    continue
                replacement = str(number) if segment.isdigit() else quote(text, safe="")
                odd = "/" + "/".join([*segments[:index], replacement, *segments[index + 1 :]]) + "/"
                response = client.get(odd)
                assert_friendly(response, f"GET {odd}")

    check()


def test_every_public_form_survives_arbitrary_posts(client, site):
    if not site.post_forms:
        pytest.skip("no public page has a POST form yet")

    @BUDGET
    @given(data=st.data())
    def check(data):
        for action, fields in site.post_forms:
            # Every field of the form, each with an odd value or left out, plus stray keys.
            pairs = [(name, data.draw(values)) for name in fields if data.draw(st.booleans())]
            pairs += data.draw(st.lists(st.tuples(odd_text, values), max_size=3))
            body = urlencode(pairs)
            response = client.post(action, body, content_type="application/x-www-form-urlencoded")
            assert_friendly(response, f"POST {action} {body[:300]}")

    check()


def test_nul_bytes_in_the_query_string_get_the_friendly_400_page(client, site):
    response = client.get(site.urls["offers:home"] + "?q=a%00b")

    assert response.status_code == 400
    assert re.search(r'<main id="main"', response.content.decode())
