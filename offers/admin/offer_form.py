"""The offer form of the admin: the duration as a value or range with a unit; and how a
sector is named in its choices."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..durations import DurationRangeField
from ..models import Offer


def sector_label(sector):
    """“Elektrotechnik (Studium)”: the same name can be an occupational field and a field of
    study. Needs ``track`` selected."""
    return f"{sector.name} ({sector.track.name})"


class OfferAdminForm(forms.ModelForm):
    duration = DurationRangeField(
        label=_("duration for the search"),
        required=False,
        help_text=_(
            "A value or a range with its unit, e.g. from 2 to 20 weeks; a day counts 8 hours, "
            "a week 5 days. The search's duration filter uses it; the pages show it when the "
            "duration text above is empty."
        ),
    )

    class Meta:
        model = Offer
        fields = "__all__"  # noqa: DJ007 (the admin passes the fields of its fieldsets)

    class Media:
        # After the autocomplete widgets' own scripts: names their select2 boxes by the
        # fields' labels (the widgets' media come first in a form's media).
        js = ["js/admin-select2-names.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "duration" in self.fields and "duration" not in self.initial:
            offer = self.instance
            self.initial["duration"] = (
                offer.duration_min_minutes,
                offer.duration_max_minutes,
                offer.duration_unit,
            )

    def clean(self):
        cleaned = super().clean()
        if "duration" in self.fields and "duration" in cleaned:
            low, high, unit = cleaned["duration"]
            self.instance.duration_min_minutes = low
            self.instance.duration_max_minutes = high
            self.instance.duration_unit = unit
        return cleaned
