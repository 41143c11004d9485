"""The request form (Anfrage) of an offer page.

It checks a request against its offer: a date of another offer, an unknown one or one that
is over is an error; a class that does not fit the offer (grade, school form, more pupils
than the offer takes or than places are left) is a warning the teacher may send anyway.
Spam is kept away as on the declaration form (``network.spam``): a honeypot field and a
time stamp. Each form handed out carries a signed key: the same form sent twice is one
request (``BookingRequest.submission_key``).
"""

import uuid

from django import forms
from django.core import signing
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from network import spam
from network.forms import checked_email, stripped_text
from offers.models import SchoolForm

from .models import BookingRequest

SUBMISSION_SALT = "bookings.request.submission"
MESSAGE_MAX_LENGTH = 2000


def new_submission_key():
    return signing.dumps(uuid.uuid4().hex, salt=SUBMISSION_SALT)


def read_submission_key(value):
    """The key inside a signed value from the form, or None if forged or missing."""
    try:
        key = signing.loads(value or "", salt=SUBMISSION_SALT)
    except signing.BadSignature:
        return None
    return key if isinstance(key, str) and len(key) == 32 else None


def session_label(session):
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    label = formats.date_format(start, "D, d.m.Y, H:i")
    if end.date() == start.date():
        label += f"–{formats.time_format(end, 'H:i')}"
    else:
        label += f" – {formats.date_format(end, 'D, d.m.Y, H:i')}"
    label += " " + gettext("o’clock")
    left = session.places_left
    if left is None:
        pass
    elif left == 0:
        label += " · " + gettext("fully booked, waiting list")
    else:
        label += " · " + ngettext("%(n)d place free", "%(n)d places free", left) % {"n": left}
    if session.note:
        label += f" · {session.note}"
    return label


class RequestForm(forms.ModelForm):
    """A teacher's request for ``offer``: school, contact, class, date, message."""

    session = forms.CharField(label=_("Date"), required=False)
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    confirm_anyway = forms.BooleanField(label=_("Send the request anyway"), required=False)

    class Meta:
        model = BookingRequest
        fields = [
            "school_name",
            "school_town",
            "teacher_name",
            "email",
            "phone",
            "grade",
            "school_form",
            "pupils",
            "preferred_period",
            "message",
        ]
        labels = {
            "school_name": _("Name of the school"),
            "school_town": _("Town of the school"),
            "teacher_name": _("Your name"),
            "email": _("Your e-mail address"),
            "phone": _("Phone"),
            "grade": _("Grade of the class"),
            "school_form": _("School form"),
            "pupils": _("Number of pupils"),
            "preferred_period": _("Preferred period"),
            "message": _("Message to the provider"),
        }
        help_texts = {
            "email": _(
                "We send you a link to confirm the request; the provider hears of it only then."
            ),
            "phone": _("For questions from the provider."),
            "pupils": _("Please do not send names of pupils."),
            "preferred_period": _("E.g. “a Tuesday in March” – if no date above suits you."),
            "message": _("At most 2000 characters. Please do not name pupils."),
        }
        widgets = {
            "school_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "school_town": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "teacher_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.TextInput(attrs={"inputmode": "email", "autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "grade": forms.TextInput(attrs={"inputmode": "numeric"}),
            "pupils": forms.TextInput(attrs={"inputmode": "numeric"}),
            "message": forms.Textarea(attrs={"rows": 5, "maxlength": MESSAGE_MAX_LENGTH}),
        }
        error_messages = {
            "school_name": {"required": _("Please enter the name of your school.")},
            "school_town": {"required": _("Please enter the town of your school.")},
            "teacher_name": {"required": _("Please enter your name.")},
            "email": {
                "required": _("Please enter your e-mail address; we send the confirmation there."),
                "invalid": _("Please enter a valid e-mail address, such as name@example.org."),
            },
            "grade": {
                "required": _("Please enter the grade of the class."),
                "invalid": _("Please enter the grade as a number from 1 to 13."),
            },
            "school_form": {
                "required": _("Please choose the school form."),
                "invalid_choice": _("Please choose one of the listed school forms."),
            },
            "pupils": {
                "required": _("Please enter how many pupils will come."),
                "invalid": _("Please enter the number of pupils as a whole number."),
            },
        }

    def __init__(self, *args, offer, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer = offer
        self.warnings = []
        self.chosen_session = None
        self.sessions = list(offer.sessions.open_for_requests())
        self.fields["school_form"].queryset = SchoolForm.objects.all()
        self.fields["school_form"].required = True
        self.fields["school_form"].empty_label = _("Please choose")
        self.fields["grade"].error_messages.update(
            {
                "min_value": _("Please enter a grade from 1 to 13."),
                "max_value": _("Please enter a grade from 1 to 13."),
            }
        )
        self.fields["pupils"].error_messages.update(
            {
                "min_value": _("At least one pupil, please."),
                "max_value": _("Please enter at most 999 pupils."),
            }
        )
        for name in ("school_name", "school_town", "teacher_name", "phone", "preferred_period"):
            field = self.fields[name]
            field.error_messages["max_length"] = _(
                "Please shorten this to at most %(limit_value)d characters (it has %(show_value)d)."
            )
        self.fields["session"].widget = forms.RadioSelect(
            choices=[
                *((str(s.pk), session_label(s)) for s in self.sessions),
                ("", gettext("No fixed date: I name a preferred period below")),
            ]
        )
        if not self.sessions:
            self.fields["session"].widget = forms.HiddenInput()

    @property
    def has_field_errors(self):
        """Mistakes in the fields or the form (not only warnings about the class)."""
        return any(name != "__all__" for name in self.errors) or any(
            error.code != "warnings" for error in self.errors.as_data().get("__all__", [])
        )

    def clean_email(self):
        return checked_email(self.cleaned_data["email"])

    def clean_message(self):
        return stripped_text(self.cleaned_data["message"], MESSAGE_MAX_LENGTH)

    def clean_session(self):
        value = (self.cleaned_data.get("session") or "").strip()
        if not value:
            return None
        session = None
        if value.isdigit() and len(value) < 19:
            session = self.offer.sessions.filter(pk=int(value)).first()
        if session is None:
            raise forms.ValidationError(
                _("Please choose one of the dates of this offer."), code="unknown_session"
            )
        if not session.is_open:
            raise forms.ValidationError(
                _(
                    "This date is over or its registration deadline has passed. "
                    "Please choose another date or name a preferred period."
                ),
                code="closed_session",
            )
        self.chosen_session = session
        return session

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("homepage") or spam.filled_too_fast(self.data.get("started")):
            raise forms.ValidationError(
                _(
                    "Your request could not be sent because it looked automated. "
                    "Please check the form and send it again."
                ),
                code="spam",
            )
        if self.errors:
            return cleaned
        session = cleaned.get("session")
        if session is None and not cleaned.get("preferred_period"):
            self.add_error(
                "preferred_period",
                forms.ValidationError(
                    _("Please choose a date or name a preferred period.")
                    if self.sessions
                    else _("Please name a preferred period (the provider arranges the date)."),
                    code="no_date",
                ),
            )
            return cleaned
        self.warnings = self._warnings(cleaned)
        if self.warnings and not cleaned.get("confirm_anyway"):
            raise forms.ValidationError(
                _("Your class does not quite fit this offer. Please check the notes below."),
                code="warnings",
            )
        return cleaned

    def _warnings(self, cleaned):
        """What does not fit the offer, in words for the teacher."""
        offer, found = self.offer, []
        grade, pupils = cleaned.get("grade"), cleaned.get("pupils")
        if grade is not None and not offer.grade_min <= grade <= offer.grade_max:
            found.append(
                gettext(
                    "The offer is meant for grades %(grades)s; your class is in grade %(grade)d."
                )
                % {"grades": offer.grades_label, "grade": grade}
            )
        school_form = cleaned.get("school_form")
        if (
            school_form is not None
            and not offer.all_school_forms
            and offer.school_forms.exists()
            and not offer.school_forms.filter(pk=school_form.pk).exists()
        ):
            found.append(
                gettext("The offer does not name the school form %(form)s.")
                % {"form": school_form.name}
            )
        if pupils is not None and offer.participants_max and pupils > offer.participants_max:
            found.append(
                gettext("The offer takes at most %(max)d pupils; you named %(pupils)d.")
                % {"max": offer.participants_max, "pupils": pupils}
            )
        if pupils is not None and offer.participants_min and pupils < offer.participants_min:
            found.append(
                gettext("The offer needs at least %(min)d pupils; you named %(pupils)d.")
                % {"min": offer.participants_min, "pupils": pupils}
            )
        session = cleaned.get("session")
        left = session.places_left if session is not None else None
        if pupils is not None and left is not None and pupils > left:
            found.append(
                gettext(
                    "Only %(left)d places are free on this date: your request goes on the "
                    "waiting list, and you hear from us when places become free."
                )
                % {"left": left}
            )
        return found

    def save(self, commit=True):
        booking = super().save(commit=False)
        booking.offer = self.offer
        booking.session = self.cleaned_data.get("session")
        booking.warnings_confirmed = bool(self.warnings)
        if commit:
            booking.save()
        return booking
