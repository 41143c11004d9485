"""No page makes the browser contact another host, and nothing inline needs a CSP exception.

Every public page (found from the URLconf) is rendered and parsed with html.parser: scripts,
stylesheets, icons, fonts, images, media and frames must come from our own origin, and
there must be no inline <script>, <style> or style="" attribute, which the strict
Content-Security-Policy would block. Our stylesheets must not pull anything from elsewhere.
"""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.public_urls import populate, public_urls

STATIC = Path(__file__).resolve().parent.parent / "static"
# Attributes that make the browser fetch something by itself (links users click are fine).
FETCHING = {
    "script": ["src"],
    "img": ["src", "srcset"],
    "source": ["src", "srcset"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "iframe": ["src"],
    "embed": ["src"],
    "object": ["data"],
    "input": ["src"],
}
FETCHING_LINK_RELS = {"stylesheet", "icon", "preload", "prefetch", "manifest", "modulepreload"}


def is_external(url):
    url = url.strip()
    parts = urlsplit(url)
    return bool(parts.netloc) or url.startswith("//") or parts.scheme not in {"", "data"}


class ResourceAudit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.problems.append(f'inline style="" on <{tag}>')
        if any(name.startswith("on") for name in attrs):
            self.problems.append(f"inline event handler on <{tag}>")
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/ld+json":
            self._open = "script"
        if tag == "style":
            self.problems.append("inline <style> block")
        urls = [attrs.get(name) or "" for name in FETCHING.get(tag, [])]
        if tag == "link" and FETCHING_LINK_RELS & set((attrs.get("rel") or "").lower().split()):
            urls.append(attrs.get("href") or "")
        for value in urls:
            for candidate in value.split(","):
                candidate = candidate.strip().split(" ")[0]
                if candidate and is_external(candidate):
                    self.problems.append(f"<{tag}> loads {candidate}")

    def handle_data(self, data):
        if self._open == "script" and data.strip():
            self.problems.append("inline <script>")

    def handle_endtag(self, tag):
        if tag == self._open:
            self._open = None


def audit(html):
    parser = ResourceAudit()
    parser.feed(html)
    return parser.problems


def test_the_audit_catches_external_and_inline_resources():
    html = (
        '<link rel="stylesheet" href="https://cdn.example.com/x.css">'
        '<script src="//cdn.example.com/x.js"></script><script>alert(1)</script>'
        '<img src="/static/a.png" srcset="/static/a.png 1x, https://img.example.com/b.png 2x">'
        '<p style="color:red">x</p><a href="https://example.org/">fine</a>'
    )

    assert len(audit(html)) == 5


@pytest.mark.parametrize("language", ["", "/en"])
def test_no_public_page_loads_anything_from_another_host(client, db, language):
    urls = public_urls(client, populate())
    assert None not in urls.values(), f"no data to build some public URLs from: {urls}"

    checked = 0
    for url in urls.values():
        response = client.get(language + url if language else url)
        if response.status_code != 200 or "html" not in response["Content-Type"]:
            continue
        checked += 1
        assert audit(response.content.decode()) == [], url
    assert checked >= 5


def test_error_pages_load_nothing_from_another_host(client, db, settings):
    settings.DEBUG = False
    for url in ["/gibt-es-nicht/", "/?q=%00"]:
        response = client.get(url)
        assert response.status_code in {400, 404}
        assert audit(response.content.decode()) == [], url


def test_our_stylesheets_import_nothing_from_another_host():
    for stylesheet in STATIC.rglob("*.css"):
        css = stylesheet.read_text()
        for reference in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
            assert not is_external(reference), f"{stylesheet.name}: {reference}"
        assert "@import" not in css or not re.search(r"@import\s+(url\()?['\"]?(https?:)?//", css)
