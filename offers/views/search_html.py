"""The search page's content, built in Python rather than by the template language.

Every new search renders this page afresh, and a stream of different searches is the
portal's most expensive load: at 100,000 offers the template version spent about 3 ms of a
page's 11 ms in the template language's nodes — 30 translations, 11 URL reversals and six
includes a page — on markup that is the same on every page of a language. Here those parts
are made once per language (``_Fixed``) and a page only joins them with what it found: the
count, the chips, the facet panel, the cards and the links that carry the search.

The markup is that of the templates it replaced (``offers/search.html`` keeps the page's
title and head). Texts come from gettext with the templates' message ids; like
``{% translate %}`` their output is escaped, and like ``{% blocktranslate %}`` a message
with placeholders is filled with escaped values. Parts made elsewhere arrive safe and are
joined as they are: the facets' checkboxes (``search_tags``), the cards (``offer_tags``),
the Merken forms (``schooldesk.markers``) and the pagination.
"""

import functools

from django.urls import get_script_prefix, reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext, ngettext

from schooldesk.markers import detached_forms

from ..templatetags.offer_tags import offer_list_items, pagination
from ..templatetags.search_tags import chip_items, facet_fieldsets, grade_choices, sort_choices

esc = conditional_escape


class _Fixed:
    """The escaped texts and addresses of the search page in the active language."""

    def __init__(self):
        def text(message):
            return esc(gettext(message))

        self.search_url = esc(reverse("offers:search"))
        self.handout_url = esc(reverse("schooldesk:search_handout"))
        self.home_url = esc(reverse("offers:home"))
        self.head = (
            f'<div class="wrap search">\n  <h1>{text("Search offers")}</h1>\n'
            f'  <form class="search-layout" method="get" action="{self.search_url}">\n'
            f'    <div class="search-bar">\n'
            f'      <label for="search-q">{text("Search words")}</label>\n'
            f'      <div class="search-bar__row">\n'
            f'        <input type="search" id="search-q" name="q" value="'
        )
        self.search_bar_end = (
            f'        <button type="submit">{text("Search")}</button>\n      </div>\n'
            f'      <p class="search-bar__hint muted" id="search-q-hint">'
            f"{text('For example: Roboter, Praktikum Chemie, Labor -online')}</p>\n    </div>\n"
        )
        self.filters = text("Filters")
        self.active = text("active")
        self.class_start = (
            f'    <fieldset class="facet">\n      <legend>{text("Your class")}</legend>\n'
            f'      <label for="f-grade">{text("Grade")}</label>\n'
            f'      <select id="f-grade" name="grade">\n'
            f'        <option value="">{text("any grade")}</option>\n        '
        )
        self.size_start = (
            f"\n      </select>\n"
            f'      <label for="f-size">{text("Pupils in the class")}</label>\n'
            f'      <input type="number" id="f-size" name="size" min="1" max="999" '
            f'inputmode="numeric" value="'
        )
        self.size_end = (
            f'" aria-describedby="f-size-hint">\n'
            f'      <p class="facet__hint muted" id="f-size-hint">'
            f"{text('Shows offers that take this many pupils or have no fixed maximum.')}"
            f"</p>\n    </fieldset>\n"
        )
        self.apply = (
            f'    <button type="submit" class="facet-panel__apply">{text("Show results")}'
            f"</button>\n  </div>\n</details>\n"
        )
        self.ignored = text(
            "The address named values that do not exist (any more); we left them out:"
        )
        self.chips_start = (
            f'<div class="chips">\n  <p class="chips__title" id="chips-title">'
            f"{text('Active filters (select one to remove it):')}</p>\n"
            f'  <ul class="chips__list" aria-labelledby="chips-title">\n    '
        )
        self.chips_end = (
            f'\n    <li><a class="chip chip--clear" href="{self.search_url}">'
            f"{text('Clear all')}</a></li>\n  </ul>\n</div>\n"
        )
        self.handout = text("Print handout / PDF")
        self.sort_start = (
            f'        <div class="search-sort">\n'
            f'          <label for="search-sort">{text("Sort by")}</label>\n'
            f'          <select id="search-sort" name="sort">'
        )
        self.sort_end = (
            f"</select>\n"
            f'          <button type="submit" class="button--secondary">{text("Sort")}</button>\n'
            f"        </div>\n"
        )
        self.data_links = [
            (esc(reverse(name)), attribute, text(label))
            for name, attribute, label in (
                ("opendata:search_csv", " download", "CSV download"),
                ("opendata:search_json", " download", "JSON download"),
                ("opendata:feed", ' type="application/atom+xml"', "Atom feed"),
                ("opendata:calendar", ' type="text/calendar"', "calendar"),
                ("opendata:widget_builder", "", "widget for your school's website"),
            )
        ]
        self.data_lead = text("This search as")
        self.suggestions_lead = text(
            "No offer matches all of your filters. Without one of them there are results:"
        )
        self.nothing_helps = text(
            "No offer matches these filters, and dropping any single one of them does not "
            "help either."
        )
        self.new_search = text("Start a new search")
        self.no_offers = text("There are no published offers at the moment.")
        walk = f'<a href="{self.home_url}">{text("Go to the guided walk")}</a>'
        words_tip = text(
            "Tip: fewer or shorter search words find more; the guided walk shows what "
            "exists in each sector and region."
        )
        filters_tip = text(
            "Tip: fewer filters find more; the guided walk shows what exists in each sector "
            "and region."
        )
        self.words_tip, self.filters_tip = f"{words_tip} {walk}", f"{filters_tip} {walk}"


@functools.lru_cache(maxsize=16)
def _fixed_in(language, script_prefix):
    return _Fixed()


def _fixed():
    return _fixed_in(get_language(), get_script_prefix())


def _facet_panel(fixed, context):
    """The filter panel: a <details> that phones open on demand and wide screens always
    show (search.css); the class's grade and size, then every multi-valued facet."""
    chips = context["chips"]
    count = ""
    if chips:
        count = (
            f' <span class="count">{len(chips)}<span class="visually-hidden"> {fixed.active}'
            f"</span></span>"
        )
    size = context["spec"].size
    return (
        f'<details class="facet-panel" id="filters">\n'
        f'  <summary class="facet-panel__summary">\n    {fixed.filters}{count}\n  </summary>\n'
        f'  <div class="facet-panel__body">\n{fixed.class_start}'
        f"{grade_choices(context['grades'])}{fixed.size_start}"
        f"{'' if size is None else esc(size)}{fixed.size_end}"
        f"{facet_fieldsets(context['panels'])}{fixed.apply}"
    )


def _notices(fixed, context):
    parts = ['<div class="notice" role="note">\n']
    if ignored := context["ignored"]:
        items = "".join(
            "<li>"
            + gettext("%(label)s: “%(value)s”")
            % {"label": esc(label), "value": esc(Truncator(value).chars(60))}
            + "</li>"
            for label, value in ignored
        )
        parts.append(f"  <p>{fixed.ignored}</p>\n  <ul>{items}</ul>\n")
    if context["shortened"]:
        shortened = gettext("Your search words were shortened to %(limit)s characters.") % {
            "limit": localize(context["max_query_length"])
        }
        parts.append(f"  <p>{shortened}</p>\n")
    parts.append("</div>\n")
    return "".join(parts)


def _heading(total):
    words = ngettext("One offer", "%(counter)s offers", total) % {"counter": localize(total)}
    return f'<h2 id="results-heading" class="search-results__count">{words}</h2>\n'


def _chips(fixed, chips):
    if not chips:
        return ""
    return f"{fixed.chips_start}{chip_items(chips)}{fixed.chips_end}"


def _data_links(fixed, query):
    """This search as data (opendata/): downloads, feed, calendar and widget."""
    query = f"?{esc(query)}" if query else ""
    links = " ·\n  ".join(
        f'<a href="{url}{query}"{attribute}>{label}</a>'
        for url, attribute, label in fixed.data_links
    )
    return f'<p class="search-data no-print">{fixed.data_lead}\n  {links}\n</p>\n'


def _results(fixed, context):
    result, query = context["result"], context["query"]
    page = context["page_obj"]
    handout_query = f"?{esc(query)}" if query else ""
    return (
        f'<p class="search-handout"><a href="{fixed.handout_url}{handout_query}" '
        f'rel="nofollow">{fixed.handout}</a></p>\n'
        f"{fixed.sort_start}{sort_choices(context['sorts'], result.spec.sort)}{fixed.sort_end}"
        f'        <ul class="offer-list search-results__list">\n'
        f"{offer_list_items(page.object_list, save_button='detached')}\n        </ul>\n"
        f"{pagination(page, query)}{_data_links(fixed, query)}"
    )


def _empty_state(fixed, context):
    """What to do when nothing matches: the filters to drop, the most helpful first."""
    parts = ['<div class="empty-state">\n']
    chips = context["chips"]
    if suggestions := context["suggestions"]:
        items = "".join(
            f'<li><a href="{esc(suggestion["url"])}">'
            + ngettext(
                "Without %(filter)s (%(values)s): %(counter)s offer",
                "Without %(filter)s (%(values)s): %(counter)s offers",
                suggestion["count"],
            )
            % {
                "filter": esc(suggestion["filter"]),
                "values": esc(suggestion["values"]),
                "counter": localize(suggestion["count"]),
            }
            + "</a></li>\n"
            for suggestion in suggestions
        )
        parts.append(
            f'  <p class="empty-state__lead">{fixed.suggestions_lead}</p>\n'
            f'  <ul class="empty-state__list">\n{items}  </ul>\n'
        )
    elif chips:
        parts.append(
            f'  <p class="empty-state__lead">{fixed.nothing_helps}</p>\n'
            f'  <p><a href="{fixed.search_url}">{fixed.new_search}</a></p>\n'
        )
    else:
        parts.append(f'  <p class="empty-state__lead">{fixed.no_offers}</p>\n')
    if context["spec"].q:
        parts.append(f'  <p class="muted">{fixed.words_tip}</p>\n')
    elif chips:
        parts.append(f'  <p class="muted">{fixed.filters_tip}</p>\n')
    parts.append("</div>\n")
    return "".join(parts)


def search_content(context):
    """The search page's ``main`` content for the view's ``context``."""
    fixed = _fixed()
    spec, result = context["spec"], context["result"]
    notices = _notices(fixed, context) if context["ignored"] or context["shortened"] else ""
    found = _results(fixed, context) if result.total else _empty_state(fixed, context)
    return mark_safe(
        f'{fixed.head}{esc(spec.q)}" maxlength="{context["max_query_length"]}" '
        f'aria-describedby="search-q-hint">\n{fixed.search_bar_end}'
        f"{_facet_panel(fixed, context)}"
        f'    <section class="search-results" aria-labelledby="results-heading">\n'
        f"{notices}{_heading(result.total)}{_chips(fixed, context['chips'])}{found}"
        f"    </section>\n  </form>\n"
        f"{detached_forms([offer.pk for offer in context['page_obj'].object_list])}\n</div>\n"
    )
