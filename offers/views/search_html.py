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
joined as they are: the cards (``offer_tags``), the Merken forms (``schooldesk.markers``)
and the pagination. The facet panel's checkboxes are written straight from the search's
counts (``_facet_fieldsets``), with no list of options in between.
"""

import functools
import weakref

from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext, ngettext

from retribus.per_language import per_language
from schooldesk.markers import detached_forms

from ..search import facets
from ..search.spec import SORTS
from ..templatetags.german import soft_hyphens
from ..templatetags.offer_tags import count_html_in, offer_list_items, pagination

esc = conditional_escape

# A hierarchical facet with more values than this (a national portal's 400 districts) lists
# the children of a node only once the node is ticked.
EXPAND_ALL_UP_TO = 100


class _Fixed:
    """The escaped texts and addresses of the search page in the active language. Each
    message is written out in a ``gettext`` call outside any f-string, where makemessages
    finds it."""

    def __init__(self):
        self.search_url = esc(reverse("offers:search"))
        self.handout_url = esc(reverse("schooldesk:search_handout"))
        self.home_url = esc(reverse("offers:home"))
        search_offers = esc(gettext("Search offers"))
        search_words = esc(gettext("Search words"))
        self.head = (
            f'<div class="wrap search">\n  <h1>{search_offers}</h1>\n'
            f'  <form class="search-layout" method="get" action="{self.search_url}">\n'
            f'    <div class="search-bar">\n'
            f'      <label for="search-q">{search_words}</label>\n'
            f'      <div class="search-bar__row">\n'
            f'        <input type="search" id="search-q" name="q" value="'
        )
        search = esc(gettext("Search"))
        example = esc(gettext("For example: Roboter, Praktikum Chemie, Labor -online"))
        self.search_bar_end = (
            f'        <button type="submit">{search}</button>\n      </div>\n'
            f'      <p class="search-bar__hint muted" id="search-q-hint">'
            f"{example}</p>\n    </div>\n"
        )
        self.filters = esc(gettext("Filters"))
        adds = esc(gettext("+ n: ticking it adds n more offers."))
        self.adds_hint = f'<p class="facet__hint facet__hint--adds muted">{adds}</p>\n'
        self.remove_filter = esc(gettext("Remove filter"))
        self.active = esc(gettext("active"))
        your_class, grade = esc(gettext("Your class")), esc(gettext("Grade"))
        any_grade = esc(gettext("any grade"))
        self.class_start = (
            f'    <fieldset class="facet">\n      <legend>{your_class}</legend>\n'
            f'      <label for="f-grade">{grade}</label>\n'
            f'      <select id="f-grade" name="grade">\n'
            f'        <option value="">{any_grade}</option>\n        '
        )
        pupils = esc(gettext("Pupils in the class"))
        self.size_start = (
            f"\n      </select>\n"
            f'      <label for="f-size">{pupils}</label>\n'
            f'      <input type="number" id="f-size" name="size" min="1" max="999" '
            f'inputmode="numeric" value="'
        )
        size_hint = esc(
            gettext("Shows offers that take this many pupils or have no fixed maximum.")
        )
        self.size_end = (
            f'" aria-describedby="f-size-hint">\n'
            f'      <p class="facet__hint muted" id="f-size-hint">{size_hint}'
            f"</p>\n    </fieldset>\n"
        )
        show_results = esc(gettext("Show results"))
        self.apply = (
            f'    <button type="submit" class="facet-panel__apply">{show_results}'
            f"</button>\n  </div>\n</details>\n"
        )
        self.ignored = esc(
            gettext("The address named values that do not exist (any more); we left them out:")
        )
        chips_title = esc(gettext("Active filters (select one to remove it):"))
        self.chips_start = (
            f'<div class="chips">\n  <p class="chips__title" id="chips-title">'
            f"{chips_title}</p>\n"
            f'  <ul class="chips__list" aria-labelledby="chips-title">\n    '
        )
        clear_all = esc(gettext("Clear all"))
        self.chips_end = (
            f'\n    <li><a class="chip chip--clear" href="{self.search_url}">'
            f"{clear_all}</a></li>\n  </ul>\n</div>\n"
        )
        self.handout = esc(gettext("Print handout / PDF"))
        sort_by = esc(gettext("Sort by"))
        self.sort_start = (
            f'        <div class="search-sort">\n'
            f'          <label for="search-sort">{sort_by}</label>\n'
            f'          <select id="search-sort" name="sort">'
        )
        self.sort_options = [
            (key, f'<option value="{esc(key)}"', f">{esc(label)}</option>")
            for key, label in SORTS.items()
        ]
        sort = esc(gettext("Sort"))
        self.sort_end = (
            f"</select>\n"
            f'          <button type="submit" class="button--secondary">{sort}</button>\n'
            f"        </div>\n"
        )
        self.data_links = [
            (esc(reverse("opendata:search_csv")), " download", esc(gettext("CSV download"))),
            (esc(reverse("opendata:search_json")), " download", esc(gettext("JSON download"))),
            (
                esc(reverse("opendata:feed")),
                ' type="application/atom+xml"',
                esc(gettext("Atom feed")),
            ),
            (esc(reverse("opendata:calendar")), ' type="text/calendar"', esc(gettext("calendar"))),
            (
                esc(reverse("opendata:widget_builder")),
                "",
                esc(gettext("widget for your school's website")),
            ),
        ]
        self.data_lead = esc(gettext("This search as"))
        self.suggestions_lead = esc(
            gettext("No offer matches all of your filters. Without one of them there are results:")
        )
        self.nothing_helps = esc(
            gettext(
                "No offer matches these filters, and dropping any single one of them does not "
                "help either."
            )
        )
        self.new_search = esc(gettext("Start a new search"))
        self.no_offers = esc(gettext("There are no published offers at the moment."))
        guided_walk = esc(gettext("Go to the guided walk"))
        walk = f'<a href="{self.home_url}">{guided_walk}</a>'
        words_tip = esc(
            gettext(
                "Tip: fewer or shorter search words find more; the guided walk shows what "
                "exists in each sector and region."
            )
        )
        filters_tip = esc(
            gettext(
                "Tip: fewer filters find more; the guided walk shows what exists in each sector "
                "and region."
            )
        )
        self.words_tip, self.filters_tip = f"{words_tip} {walk}", f"{filters_tip} {walk}"


_fixed = per_language(_Fixed)


class _Node:
    """An option of a facet as far as it is the same on every page of one vocabulary and
    language: its key, the escaped parts of its checkbox before and after its ``checked``
    (up to its count), and the options below it."""

    __slots__ = ("key", "start", "label", "children", "keys_below")

    def __init__(self, name, key, label, children):
        self.key = key
        option_id = esc(f"f-{name}-{key}")
        self.start = (
            f'<li><input type="checkbox" id="{option_id}" name="{esc(name)}" value="{esc(key)}"'
        )
        self.label = f'><label for="{option_id}">{esc(soft_hyphens(label))} '
        self.children = [_Node(name, *child) for child in children]
        self.keys_below = frozenset(child.key for child in self.children)


class _Layout:
    """A multi-valued facet's part of the panel as far as it is the same on every page of
    one vocabulary and language: the fieldset's start with its legend, and the groups the
    facet gives its values (sectors by track) as ``(escaped legend or "", [_Node])``."""

    def __init__(self, facet, vocabulary):
        self.head = (
            f'<fieldset class="facet facet--{esc(facet.name)}">\n'
            f"<legend>{esc(facet.label)}</legend>\n"
        )
        self.groups = [
            (esc(legend) if legend else "", [_Node(facet.name, *node) for node in tree])
            for legend, tree in facet.option_tree(vocabulary)
        ]


# Vocabulary → language → [(facet, _Layout)]: labels are escaped and hyphenated once per
# catalogue's taxonomy rather than on every page.
_layouts = weakref.WeakKeyDictionary()


def _panel_layout(vocabulary, language):
    """The multi-valued facets with their ``_Layout`` for ``vocabulary`` in ``language``,
    the active language."""
    kept = _layouts.get(vocabulary)
    if kept is None:
        kept = _layouts.setdefault(vocabulary, {})
    if language not in kept:
        kept[language] = [
            (facet, _Layout(facet, vocabulary)) for facet in facets.counted() if facet.multiple
        ]
    return kept[language]


@functools.lru_cache(maxsize=4096)
def adds_html_in(language, adds):
    """What ticking a value beside a facet's selection adds: “+14”, read as “14 more
    offers” (values in a facet are OR-ed, so its plain count would promise too many).
    Made once per number and ``language``, the active language of the caller."""
    number = localize(adds)
    spoken = esc(
        ngettext("%(count)s more offer", "%(count)s more offers", adds) % {"count": number}
    )
    return (
        f'<span class="count count--adds"><span aria-hidden="true">+{number}</span>'
        f'<span class="visually-hidden">{spoken}</span></span>'
    )


class _Options:
    """The checkboxes of one facet on one page: those with results or a tick. The children
    of an option are listed when the facet is small enough to show whole, or when the
    option or a child is ticked. In a facet with a selection an unticked option shows what
    ticking it adds (``additions``), a ticked one its count."""

    def __init__(self, chosen, counts, additions, expand_all, language):
        self.chosen, self.counts, self.additions = chosen, counts, additions
        self.expand_all, self.language = expand_all, language

    def write(self, nodes, parts):
        """Append the items of ``nodes`` to ``parts``; False if none was listed."""
        listed = False
        for node in nodes:
            selected = node.key in self.chosen
            ticked = selected or not self.chosen.isdisjoint(node.keys_below)
            count = self.counts[node.key]
            if not (count or ticked):
                continue
            listed = True
            if self.additions is None or selected:
                badge = count_html_in(self.language, count)
            else:
                badge = adds_html_in(self.language, self.additions[node.key])
            parts.append(f"{node.start}{' checked' if selected else ''}{node.label}{badge}</label>")
            if node.children and (self.expand_all or ticked):
                parts.append('<ul class="facet__options facet__options--nested">')
                if self.write(node.children, parts):
                    parts.append("</ul>")
                else:
                    parts.pop()
            parts.append("</li>")
        return listed


def _facet_fieldsets(fixed, spec, vocabulary, result):
    """The fieldsets of the multi-valued facets: per facet its legend, its groups and their
    checkboxes, finer ones nested.

    A national portal's facet panel has hundreds of options: they are written straight from
    the facet's layout and the search's counts, the parts of a checkbox that are the same
    on every page made once (``_Layout``)."""
    language = get_language()
    parts = []
    for facet, layout in _panel_layout(vocabulary, language):
        counts = result.counts[facet.name]
        additions = result.additions.get(facet.name)
        options = _Options(
            frozenset(spec.selected(facet.name)),
            counts,
            additions,
            len(counts) <= EXPAND_ALL_UP_TO,
            language,
        )
        start = len(parts)
        parts.append(layout.head)
        if additions is not None:
            parts.append(fixed.adds_hint)
        listed = False
        for legend, nodes in layout.groups:
            group = len(parts)
            if legend:
                parts.append(f'<p class="facet__group">{legend}</p>\n')
            parts.append('<ul class="facet__options">')
            if options.write(nodes, parts):
                parts.append("</ul>\n")
                listed = True
            else:
                del parts[group:]
        if listed:
            parts.append("</fieldset>\n")
        else:
            del parts[start:]
    return "".join(parts)


@functools.lru_cache(maxsize=4096)
def _grade_option(language, grade, count, selected):
    """The grade select's option “Grade 9 (1234 offers)” in ``language``, the active
    language of the caller."""
    label = ngettext(
        "Grade %(number)s (%(counter)s offer)", "Grade %(number)s (%(counter)s offers)", count
    ) % {"number": localize(grade), "counter": localize(count)}
    return f'<option value="{grade}"{" selected" if selected else ""}>{esc(label)}</option>'


def _grade_choices(spec, result):
    """The options of the grade select, each with its number of offers."""
    language, chosen = get_language(), spec.grade
    return "".join(
        _grade_option(language, grade, count, grade == chosen)
        for grade, count in result.counts["grade"].items()
    )


def _chip_items(fixed, chips):
    """The active filters (``views.search.active_chips``) as links that remove one each."""
    return "\n".join(
        f'<li><a class="chip" href="{esc(chip["url"])}"><span class="visually-hidden">'
        f"{fixed.remove_filter} </span>{esc(chip['filter'])}: {esc(chip['value'])}"
        f'<span class="chip__x" aria-hidden="true"> ×</span></a></li>'
        for chip in chips
    )


def _sort_choices(fixed, current):
    """The options of the sort select, ``current`` selected."""
    return "".join(
        f"{start}{' selected' if key == current else ''}{end}"
        for key, start, end in fixed.sort_options
    )


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
    spec, result = context["spec"], context["result"]
    return (
        f'<details class="facet-panel" id="filters">\n'
        f'  <summary class="facet-panel__summary">\n    {fixed.filters}{count}\n  </summary>\n'
        f'  <div class="facet-panel__body">\n{fixed.class_start}'
        f"{_grade_choices(spec, result)}{fixed.size_start}"
        f"{'' if spec.size is None else esc(spec.size)}{fixed.size_end}"
        f"{_facet_fieldsets(fixed, spec, context['vocabulary'], result)}{fixed.apply}"
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
    return f"{fixed.chips_start}{_chip_items(fixed, chips)}{fixed.chips_end}"


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
        f"{fixed.sort_start}{_sort_choices(fixed, result.spec.sort)}{fixed.sort_end}"
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
