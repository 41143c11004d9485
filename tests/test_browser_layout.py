# ruff: noqa: E501  (the JavaScript run in the browser keeps its own lines)
"""The public pages' layout from a 320 px phone to a 1280 px desktop, in a real browser.

At every width nothing sticks out of the card or box it sits in (a count badge beside
"Wirtschaftsingenieurwesen" used to cross its card's border), the page never scrolls
sideways, German words hyphenate (``hyphens: auto`` on pages that say their language), and
a long word in a label beside a count breaks only where a hyphen shows
("Verwaltungswissen-schaft", never "Verwaltungswissenschaf|t").
"""

import pytest

# django_db: the demo server needs the test database (see conftest.demo_server).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WIDTHS = (320, 390, 768, 1280)
PAGES = (
    "/",
    "/angebote/ausbildung/",
    "/angebote/studium/",
    "/angebote/studium/chemie/",
    "/angebote/ausbildung/it-computer/alle-regionen/",
    "/suche/",
    "/suche/?type=betriebserkundung&sector=rechts-und-verwaltungswissenschaften",
    "/suche/?q=Xylophonbau",
    "/netzwerk/",
    "/netzwerk/partner/",
    "/en/",
    "/en/angebote/studium/",
    "/en/suche/?type=betriebserkundung",
)

# Every element with a left and a right border is a box (a card, a panel, a badge, a field);
# everything drawn inside it must stay within it. Elements hidden for sighted readers
# (.visually-hidden, clipped to a pixel) and those inside a scrolling box are left out.
FIND_OVERFLOW = """() => {
  const problems = [];
  const visible = (el) => {
    const style = getComputedStyle(el);
    return style.display !== "none" && style.visibility !== "hidden"
      && !el.closest(".visually-hidden, .skip-link, [hidden]");
  };
  const name = (el) => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).trim().split(/\\s+/).join(".") : "");
  if (document.documentElement.scrollWidth > window.innerWidth) {
    problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} px`);
  }
  for (const box of document.querySelectorAll("body *")) {
    const style = getComputedStyle(box);
    if (!(parseFloat(style.borderLeftWidth) > 0 && parseFloat(style.borderRightWidth) > 0)) continue;
    if (!visible(box) || ["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(box.tagName)) continue;
    const outer = box.getBoundingClientRect();
    if (outer.width === 0) continue;
    for (const el of box.querySelectorAll("*")) {
      if (!visible(el)) continue;
      let scroller = el.parentElement, scrolls = false;
      while (scroller && scroller !== box) {
        if (["auto", "scroll", "hidden"].includes(getComputedStyle(scroller).overflowX)) scrolls = true;
        scroller = scroller.parentElement;
      }
      if (scrolls) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 && rect.height === 0) continue;
      if (rect.right > outer.right + 1 || rect.left < outer.left - 1) {
        problems.push(`${name(el)} "${(el.textContent || "").trim().slice(0, 40)}" leaves ${name(box)} (${Math.round(rect.left)}–${Math.round(rect.right)} outside ${Math.round(outer.left)}–${Math.round(outer.right)})`);
      }
    }
  }
  return problems;
}"""

# A word of a label that runs over two lines must break after a hyphen (soft or written).
FIND_BROKEN_WORDS = """() => {
  const problems = [];
  const labels = document.querySelectorAll(".choice__label, .facet__options label, .region-group__name");
  for (const label of labels) {
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest(".visually-hidden, .count")) continue;
      const text = node.textContent;
      for (const match of text.matchAll(/[^\\s\\/]+/g)) {
        const range = document.createRange();
        const top = (i) => { range.setStart(node, i); range.setEnd(node, i + 1); const r = range.getClientRects(); return r.length ? r[0].top : null; };
        const start = match.index, end = match.index + match[0].length;
        const first = top(start);
        for (let i = start + 1; i < end; i++) {
          const t = top(i);
          if (t !== null && first !== null && t > first + 2) {
            // Chromium reports the first letter of the new line at the end of the old one,
            // so the break lies before i - 1 or before i.
            const hyphens = ["\\u00ad", "-"];
            if (!hyphens.includes(text[i - 1]) && !hyphens.includes(text[i - 2])) {
              problems.push(`"${match[0].replace(/\\u00ad/g, "")}" breaks without a hyphen before "${text.slice(i, end).replace(/\\u00ad/g, "")}"`);
            }
            break;
          }
        }
      }
    }
  }
  return problems;
}"""


@pytest.fixture(scope="module")
def page(browser, demo_server):
    context = browser.new_context(base_url=demo_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def partner_page(page):
    """A partner's own page, found through the directory."""
    page.goto("/netzwerk/partner/")
    return page.locator("main a[href^='/netzwerk/partner/']").first.get_attribute("href")


def test_nothing_leaves_its_box_and_long_words_break_with_a_hyphen_from_320_to_1280(page):
    paths = [*PAGES, partner_page(page)]
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            response = page.goto(path)
            assert response.status in (200, 404), path  # the empty search is a 200 too
            found = page.evaluate(FIND_OVERFLOW) + page.evaluate(FIND_BROKEN_WORDS)
            problems.extend(f"{width} px {path}: {problem}" for problem in found)
    assert problems == [], "\n".join(problems[:40])


def test_pages_hyphenate_in_their_own_language(page):
    for path, language in (("/angebote/studium/", "de"), ("/en/angebote/studium/", "en")):
        page.goto(path)
        assert page.evaluate("document.documentElement.lang") == language
        assert page.evaluate("getComputedStyle(document.querySelector('main')).hyphens") == "auto"
    # An e-mail address or a web address is copied, not read: never hyphenated.
    page.goto("/netzwerk/partner/")
    hyphens = page.evaluate(
        '[...document.querySelectorAll(\'main a[href^="http"], main a[href^="mailto:"]\')]'
        ".map((a) => getComputedStyle(a).hyphens)"
    )
    assert set(hyphens) <= {"manual"}
