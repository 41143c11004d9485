"""The admin's autocomplete answers, with sectors named with their track: “Elektrotechnik
(Studium)” and “Elektrotechnik (Ausbildung)” are different choices that read alike."""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView

from ..models import Sector
from .offer_form import sector_label


class TrackNamingAutocompleteJsonView(AutocompleteJsonView):
    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Sector):
            result["text"] = sector_label(obj)
        return result


def autocomplete_view(request):
    return TrackNamingAutocompleteJsonView.as_view(admin_site=admin.site)(request)


# The site builds its URLs from this attribute when they are first read (retribus/urls.py),
# after the admin modules are imported.
admin.site.autocomplete_view = autocomplete_view
