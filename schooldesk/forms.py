from django import forms
from django.utils.translation import gettext_lazy as _

from .merkliste import NOTE_LENGTH


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note for this list"),
        max_length=NOTE_LENGTH,
        required=False,
        help_text=_("For example “Klasse 8b, Mai”. It is printed on the handout."),
    )


class HandoutNoteForm(NoteForm):
    """The note of a search handout, carried in its address (``notiz``)."""

    note = forms.CharField(
        label=_("Note for the handout"),
        max_length=NOTE_LENGTH,
        required=False,
        help_text=_("For example “Klasse 8b, Mai”."),
    )
