"""Template filters for the public offer and provider pages."""

import re

from django import template

register = template.Library()


@register.filter
def tel_href(number):
    """A ``tel:`` link target from a phone number as printed (“06502 - 9208101”).

    Spaces, dashes and slashes are fine on paper but not in a URL.
    """
    return "tel:" + re.sub(r"[^\d+]", "", number)
