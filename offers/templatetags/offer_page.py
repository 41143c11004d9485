"""Parts of the offer page written in Python: a list the template engine would build node
by node, at a few hundredths of a millisecond per node, for each of a dozen rows."""

from django import template
from django.utils.html import format_html_join
from django.utils.translation import gettext

from offers.models import grades_label

from .offer_tags import offer_url_parts

register = template.Library()


@register.simple_tag
def other_offers_list(others, shown):
    """The ``<li>`` items of the provider's other offers, ``others`` being rows of
    (pk, title, grade_min, grade_max, offer type name); the first ``shown`` of them."""
    grades = gettext("grades %(grades)s")
    before, after = offer_url_parts()
    return format_html_join(
        "\n",
        '<li><a href="{}{}{}">{}</a> <span class="muted">({}, {})</span></li>',
        (
            (
                before,
                pk,
                after,
                title,
                type_name,
                grades % {"grades": grades_label(grade_min, grade_max)},
            )
            for pk, title, grade_min, grade_max, type_name in others[:shown]
        ),
    )
