"""An offer's duration in human units: entered in the admin as a value or a range with a
unit (“2 bis 20 Wochen”), stored in minutes for the search facet (``duration_min_minutes``,
``duration_max_minutes``: a day counts 480 minutes, a week five days, as the bands of
``offers/search/facets.py``) together with the unit, and shown in that unit on the public
pages when the provider wrote no duration text."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .models import DurationUnit

# Ten years of weeks: anything longer is a typing error, not an orientation offer.
LONGEST_MINUTES = 520 * DurationUnit.WEEKS.minutes


def best_unit(*minutes):
    """The largest unit in which every given number of minutes is a whole number."""
    given = [m for m in minutes if m]
    for unit in reversed(DurationUnit):
        if given and all(m % unit.minutes == 0 for m in given):
            return unit
    return DurationUnit.MINUTES


def amount(minutes, unit):
    """``minutes`` in ``unit`` as a German number: “2”, “1,5”."""
    value = Decimal(minutes) / DurationUnit(unit).minutes
    places = 0 if value == value.to_integral_value() else 2
    text = number_format(value, places, use_l10n=True)
    if places:
        text = text.rstrip("0").rstrip(",.")
    return text


def _unit_phrase(unit, text, count):
    unit = DurationUnit(unit)
    if unit == DurationUnit.WEEKS:
        phrase = ngettext("%(amount)s week", "%(amount)s weeks", count)
    elif unit == DurationUnit.DAYS:
        phrase = ngettext("%(amount)s day", "%(amount)s days", count)
    elif unit == DurationUnit.HOURS:
        phrase = ngettext("%(amount)s hour", "%(amount)s hours", count)
    else:
        phrase = ngettext("%(amount)s minute", "%(amount)s minutes", count)
    return phrase % {"amount": text}


def duration_label(low, high, unit=""):
    """“2–20 Wochen”, “90 Minuten”, “bis 3 Stunden”; empty without minutes."""
    if low is None and high is None:
        return ""
    unit = DurationUnit(unit) if unit in DurationUnit.values else best_unit(low, high)
    # One word form for the whole range, as for its upper end (“1–2 Tage”).
    top = high if high is not None else low
    count = 1 if top == unit.minutes else 2
    if low is not None and high is not None and low != high:
        text = f"{amount(low, unit)}–{amount(high, unit)}"
    else:
        text = amount(top, unit)
    phrase = _unit_phrase(unit, text, count)
    if low is None:
        return _("up to %(duration)s") % {"duration": phrase}
    return phrase


class DurationRangeWidget(forms.MultiWidget):
    """“from [ ] to [ ] [unit]” in one row."""

    def __init__(self, attrs=None):
        number = {"inputmode": "decimal", "size": 6, "class": "duration-amount"}
        super().__init__(
            [
                forms.TextInput(attrs=number),
                forms.TextInput(attrs=number),
                forms.Select(choices=[("", "–"), *DurationUnit.choices]),
            ],
            attrs,
        )

    def get_context(self, name, value, attrs):
        # The field's value is a tuple of minutes; a bound form's is a list of the texts typed.
        if isinstance(value, tuple):
            value = self.decompress(value)
        return super().get_context(name, value, attrs)

    def render(self, name, value, attrs=None, renderer=None):
        # Each box with its own label; built here because the form renderer does not read
        # the project's template folder.
        context = self.get_context(name, value, attrs)
        labels = (gettext("from"), gettext("to (optional)"), gettext("unit"))
        parts = []
        for subwidget, text in zip(context["widget"]["subwidgets"], labels, strict=True):
            parts.append(format_html('<label for="{}">{}</label>', subwidget["attrs"]["id"], text))
            parts.append(self._render(subwidget["template_name"], {"widget": subwidget}, renderer))
        return format_html(
            '<div class="duration-range" role="group" aria-label="{}">{}</div>',
            gettext("Duration"),
            mark_safe("".join(parts)),
        )

    def decompress(self, value):
        if not value:
            return [None, None, ""]
        low, high, unit = value
        if low is None and high is None:
            return [None, None, unit or ""]
        unit = unit if unit in DurationUnit.values else best_unit(low, high)
        return [
            amount(low, unit) if low is not None else None,
            amount(high, unit) if high is not None and high != low else None,
            unit,
        ]


class DurationRangeField(forms.MultiValueField):
    """A value or a range with a unit; cleans to ``(low, high, unit)`` in minutes, or
    ``(None, None, "")`` when left empty. A single value is a fixed duration (low = high)."""

    widget = DurationRangeWidget
    default_error_messages = {
        "number": _("Enter the duration as a number, e.g. 2 or 1,5."),
        "negative": _("The duration must be more than zero."),
        "whole": _("The duration must come to whole minutes."),
        "too_long": _("The duration cannot be longer than ten years."),
        "unit": _("Choose the unit of the duration (minutes, hours, days or weeks)."),
        "order": _("The end of the range must not be below its start."),
    }

    def __init__(self, **kwargs):
        fields = [
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.ChoiceField(choices=DurationUnit.choices, required=False),
        ]
        super().__init__(fields, require_all_fields=False, **kwargs)

    def _minutes(self, text, unit):
        try:
            value = Decimal(text.strip().replace(" ", "").replace(",", "."))
        except InvalidOperation:
            raise ValidationError(self.error_messages["number"], code="number") from None
        if not value.is_finite():
            raise ValidationError(self.error_messages["number"], code="number")
        if value <= 0:
            raise ValidationError(self.error_messages["negative"], code="negative")
        minutes = value * DurationUnit(unit).minutes
        if minutes > LONGEST_MINUTES:
            raise ValidationError(self.error_messages["too_long"], code="too_long")
        if minutes != minutes.to_integral_value():
            raise ValidationError(self.error_messages["whole"], code="whole")
        return int(minutes)

    def compress(self, data_list):
        low_text, high_text, unit = (list(data_list) + [None, None, None])[:3]
        low_text, high_text, unit = low_text or "", high_text or "", unit or ""
        if not low_text.strip() and not high_text.strip():
            return (None, None, "")
        if unit not in DurationUnit.values:
            raise ValidationError(self.error_messages["unit"], code="unit")
        low = self._minutes(low_text, unit) if low_text.strip() else None
        high = self._minutes(high_text, unit) if high_text.strip() else None
        if low is not None and high is None:
            high = low
        if low is not None and low > high:
            raise ValidationError(self.error_messages["order"], code="order")
        return (low, high, unit)
