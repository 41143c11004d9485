"""The history pages as people read them: each change with the field's German label and
values by name (“in Prüfung → veröffentlicht”, “01.12.2026”, regions by name), not as stored."""

import dataclasses

from django.db import models
from django.utils.html import conditional_escape
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

from .. import changes


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    def format_delta_change(self, change):
        field = self.model._meta.get_field(change.field)
        return dataclasses.replace(
            change,
            field=changes.label(field),
            old=conditional_escape(self._display(field, change.old)),
            new=conditional_escape(self._display(field, change.new)),
        )

    def _display(self, field, value):
        if isinstance(field, models.ManyToManyField):
            # The history's link rows (dicts, foreign keys as objects) → the objects.
            target = get_m2m_reverse_field_name(field)
            value = [row[target] for row in value or []]
        text = changes.display(field, value)
        limit = self.max_displayed_delta_change_chars
        return text if len(text) <= limit else text[: limit - 1] + "…"
