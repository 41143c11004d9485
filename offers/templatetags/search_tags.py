"""Template tags of the search page."""

import functools

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

from .german import soft_hyphens
from .offer_tags import count_html_in

register = template.Library()


@functools.lru_cache(maxsize=4096)
def adds_html_in(language, adds):
    """What ticking a value beside a facet's selection adds: “+14”, read as “14 more
    offers” (values in a facet are OR-ed, so its plain count would promise too many).
    Made once per number and ``language``, the active language of the caller."""
    number = localize(adds)
    spoken = conditional_escape(
        ngettext("%(count)s more offer", "%(count)s more offers", adds) % {"count": number}
    )
    return (
        f'<span class="count count--adds"><span aria-hidden="true">+{number}</span>'
        f'<span class="visually-hidden">{spoken}</span></span>'
    )


def option_parts(name, key, label):
    """The parts of an option's checkbox that are the same on every page: before and after
    its ``checked``, up to its count."""
    option_id = conditional_escape(f"f-{name}-{key}")
    return (
        f'<li><input type="checkbox" id="{option_id}" name="{conditional_escape(name)}" '
        f'value="{conditional_escape(key)}"',
        f'><label for="{option_id}">{conditional_escape(soft_hyphens(label))} ',
    )


def _option_html(option, language, parts):
    start, label = option["parts"]
    if option["adds"] is None:
        count = count_html_in(language, option["count"])
    else:
        count = adds_html_in(language, option["adds"])
    parts.append(f"{start}{' checked' if option['selected'] else ''}{label}{count}</label>")
    if option["children"]:
        parts.append('<ul class="facet__options facet__options--nested">')
        for child in option["children"]:
            _option_html(child, language, parts)
        parts.append("</ul>")
    parts.append("</li>")


@register.simple_tag
def facet_fieldsets(panels):
    """The fieldsets of the multi-valued facets (``views.search.facet_panels``): per facet
    its legend, groups and checkboxes, each with its count, nested options below.

    Built in Python rather than by a template loop per facet, group and option: a national
    portal's facet panel has hundreds of options, and a template include costs about 20 µs
    each; the parts of a checkbox that are the same on every page come made
    (``option_parts``).
    """
    esc = conditional_escape
    language = get_language()
    adds_hint = esc(gettext("+ n: ticking it adds n more offers."))
    parts = []
    for panel in panels:
        parts.append(
            f'<fieldset class="facet facet--{esc(panel["name"])}">\n'
            f"<legend>{esc(panel['legend'])}</legend>\n"
        )
        if panel["adds"]:
            parts.append(f'<p class="facet__hint facet__hint--adds muted">{adds_hint}</p>\n')
        for group in panel["groups"]:
            if group["legend"]:
                parts.append(f'<p class="facet__group">{esc(group["legend"])}</p>\n')
            parts.append('<ul class="facet__options">')
            for option in group["options"]:
                _option_html(option, language, parts)
            parts.append("</ul>\n")
        parts.append("</fieldset>\n")
    return mark_safe("".join(parts))


@functools.lru_cache(maxsize=4096)
def _grade_label(language, grade, count):
    """“Grade 9 (1234 offers)” in ``language``, the active language of the caller."""
    return ngettext(
        "Grade %(number)s (%(counter)s offer)", "Grade %(number)s (%(counter)s offers)", count
    ) % {"number": localize(grade), "counter": localize(count)}


@register.simple_tag
def grade_choices(grades):
    """The options of the grade select (``views.search.grade_options``), each with its
    number of offers: thirteen translated plurals cost the template language a millisecond."""
    language = get_language()
    return mark_safe(
        "".join(
            f'<option value="{grade["value"]}"{" selected" if grade["selected"] else ""}>'
            f"{conditional_escape(_grade_label(language, grade['value'], grade['count']))}</option>"
            for grade in grades
        )
    )


@register.simple_tag
def chip_items(chips):
    """The active filters (``views.search.active_chips``) as links that remove one each."""
    esc = conditional_escape
    remove = esc(gettext("Remove filter"))
    return mark_safe(
        "\n".join(
            f'<li><a class="chip" href="{esc(chip["url"])}"><span class="visually-hidden">'
            f"{remove} </span>{esc(chip['filter'])}: {esc(chip['value'])}"
            f'<span class="chip__x" aria-hidden="true"> ×</span></a></li>'
            for chip in chips
        )
    )


@register.simple_tag
def sort_choices(sorts, current):
    """The options of the sort select, ``current`` selected."""
    esc = conditional_escape
    return mark_safe(
        "".join(
            f'<option value="{esc(key)}"{" selected" if key == current else ""}>'
            f"{esc(label)}</option>"
            for key, label in sorts
        )
    )
