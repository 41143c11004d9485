"""The history pages as people read them: each change with the field's German label and
values by name (“in Prüfung → veröffentlicht”, “01.12.2026”, regions by name), not as stored;
the duration as one change in the units it was entered in, as the form shows it."""

import dataclasses

from django.db import models
from django.utils.html import conditional_escape
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

from .. import changes


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    def context_for_delta_changes(self, delta):
        rows = []
        duration_done = False
        for change in delta.changes:
            if change.field in changes.DURATION_FIELDS:
                if not duration_done:
                    duration_done = True
                    row = self._duration_row(delta)
                    # Not when only the unit the minutes were shown in anyway was stated.
                    if row["old"] != row["new"]:
                        rows.append(row)
                continue
            formatted = self.format_delta_change(change)
            rows.append({"field": formatted.field, "old": formatted.old, "new": formatted.new})
        return rows

    def _duration_row(self, delta):
        """The minutes and the unit of both records as one row (“60–90 Minuten → 2–20
        Wochen”), instead of three rows of raw minutes and a unit."""
        old, new = (
            {name: getattr(record, name) for name in changes.DURATION_FIELDS}
            for record in (delta.old_record, delta.new_record)
        )
        change = changes.duration_change(old, new)
        return {
            "field": change.label,
            "old": conditional_escape(change.old),
            "new": conditional_escape(change.new),
        }

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
