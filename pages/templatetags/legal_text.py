"""Turns the plain text coordinators type into headings, paragraphs and lists.

Everything is escaped (urlize with autoescape), so a coordinator cannot break the page or
the Content-Security-Policy by pasting HTML.
"""

from itertools import groupby

from django import template
from django.utils.html import format_html, format_html_join, urlize
from django.utils.safestring import mark_safe

register = template.Library()


def _inline(text):
    return mark_safe(urlize(text, autoescape=True))


def _block_html(lines):
    """A heading, then runs of ``- `` lines as lists and runs of other lines as paragraphs."""
    if lines[0].startswith("## "):
        yield format_html("<h2>{}</h2>", lines.pop(0)[3:].strip())
    for is_list, run in groupby(lines, key=lambda line: line.startswith("- ")):
        run = list(run)
        if is_list:
            items = format_html_join("", "<li>{}</li>", ((_inline(line[2:]),) for line in run))
            yield format_html("<ul>{}</ul>", items)
        else:
            yield format_html("<p>{}</p>", mark_safe("<br>".join(map(_inline, run))))


@register.filter
def legal_text(value):
    """Blocks separated by blank lines; see LegalPage.body's help text for the markup."""
    html = []
    for block in str(value).replace("\r\n", "\n").split("\n\n"):
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        if lines:
            html.extend(_block_html(lines))
    return mark_safe("\n".join(html))
