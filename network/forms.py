"""Forms of the public network pages: the directory filter and the support declaration."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from offers.models import Region, SchoolForm

from . import spam
from .models import Partner

DESCRIPTION_MAX_LENGTH = 1000

# The last label of a domain people receive mail at: letters (``de``, ``org``, ``museum``),
# or an internationalised one in its ASCII form (``.рф`` is ``xn--p1ai``).
TOP_LEVEL_DOMAIN = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}", re.IGNORECASE)


def has_mail_domain(address):
    """Whether ``address`` (already a valid e-mail address) ends in a public domain name.

    Django's EmailValidator also accepts ``x@[127.0.0.1]``, ``x@localhost`` and
    ``x@10.0.0.10``; the declaration sends a confirmation to the address typed, so it must
    not be a way to make the portal's mail server write to hosts of its own network.
    Internationalised domains (``info@müller.de``) are fine.
    """
    domain = address.rpartition("@")[2]
    if domain.startswith("["):  # an address literal: [127.0.0.1], [IPv6:::1]
        return False
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_domain.split(".")
    return len(labels) >= 2 and all(labels) and bool(TOP_LEVEL_DOMAIN.fullmatch(labels[-1]))


def checked_email(email):
    """``email`` if it ends in a public domain name (``has_mail_domain``), else a clear
    form error: the forms that mail a confirmation to the address typed use it."""
    if email and not has_mail_domain(email):
        raise forms.ValidationError(
            _("Please enter the address with its full domain name, such as name@example.org."),
            code="invalid_domain",
        )
    return email


def stripped_text(text, limit):
    """``text`` without surrounding space, or a form error naming both lengths when it is
    longer than ``limit`` characters."""
    text = text.strip()
    if len(text) > limit:
        raise forms.ValidationError(
            _("Please shorten the text to at most %(max)d characters (it has %(length)d)."),
            params={"max": limit, "length": len(text)},
            code="max_length",
        )
    return text


class DirectoryFilterForm(forms.Form):
    """Kind and region of the partner directory; unknown values are dropped, not errors.

    A stale or edited address shows the whole directory rather than an error page.
    """

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Partner.Kind.choices]
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        required=False,
        queryset=Region.objects.all(),
        to_field_name="slug",
        empty_label=_("All regions"),
    )

    def filters(self):
        """The valid filters as a dict, silently without the invalid ones."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            name: data[name]
            for name in ("kind", "region")
            if name not in self.errors and data.get(name)
        }


class DeclarationForm(forms.ModelForm):
    """The online support declaration; a valid one becomes a pending partner.

    Besides the partner's fields it asks for agreement to the declaration text and carries
    two quiet spam checks (a honeypot field and the time the form was handed out).
    """

    accept_declaration = forms.BooleanField(
        label=_(
            "I support the network on behalf of the organisation named above "
            "and agree to the declaration."
        ),
        error_messages={
            "required": _(
                "Please agree to the support declaration; "
                "without it we cannot add you to the network."
            )
        },
    )
    # The honeypot: hidden from people by CSS (and from screen readers with it), so only
    # programs that fill in every field give it a value. Its name sounds worth filling in.
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    # Text inputs with an input mode rather than type="url"/"email": a mistyped value comes
    # back in the form, and HTML does not allow an invalid value in those input types.
    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        max_length=200,
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
        error_messages={
            "invalid": _("Please enter a complete web address, such as https://www.example.org.")
        },
    )

    class Meta:
        model = Partner
        fields = [
            "name",
            "kind",
            "school_form",
            "region",
            "representative_name",
            "representative_function",
            "email",
            "phone",
            "website",
            "description",
            "public_listing",
        ]
        labels = {
            "name": _("Organisation"),
            "kind": _("Kind of organisation"),
            "school_form": _("School form"),
            "region": _("Region"),
            "representative_name": _("Name of the person who signs"),
            "representative_function": _("Function"),
            "email": _("E-mail"),
            "phone": _("Phone"),
            "description": _("What you do or plan to do for MINT"),
            "public_listing": _("List us in the public partner directory"),
        }
        help_texts = {
            "name": _("Private persons enter their own name."),
            "school_form": _("Only for schools."),
            "region": _("Where you are located or mainly active."),
            "representative_function": _("E.g. head teacher, managing director."),
            "email": _("We send the confirmation here. Not published."),
            "phone": _("For questions from the coordinating office. Not published."),
            "description": _("At most 1000 characters."),
            "public_listing": _(
                "Organisations are listed with name, kind, region, representative and website; "
                "private persons by their name only. Without this consent you are a member but "
                "not listed."
            ),
        }
        error_messages = {
            "name": {
                "required": _("Please enter the name of your organisation, or your own name.")
            },
            "kind": {
                "required": _("Please choose what kind of organisation you are."),
                "invalid_choice": _("Please choose one of the listed kinds."),
            },
            "school_form": {"invalid_choice": _("Please choose one of the listed school forms.")},
            "region": {"invalid_choice": _("Please choose one of the listed regions.")},
            "representative_name": {
                "required": _("Please enter the name of the person who signs the declaration.")
            },
            "email": {
                "required": _(
                    "Please enter an e-mail address so that we can confirm your declaration."
                ),
                "invalid": _("Please enter a valid e-mail address, such as name@example.org."),
            },
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4, "maxlength": DESCRIPTION_MAX_LENGTH}),
            "email": forms.TextInput(attrs={"inputmode": "email", "autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "representative_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "representative_function": forms.TextInput(
                attrs={"autocomplete": "organization-title"}
            ),
            "name": forms.TextInput(attrs={"autocomplete": "organization"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["representative_name"].required = True
        self.fields["email"].required = True
        self.fields["kind"].choices = [("", _("Please choose")), *Partner.Kind.choices]
        self.fields["school_form"].queryset = SchoolForm.objects.all()
        self.fields["school_form"].empty_label = _("Not a school")
        self.fields["region"].empty_label = _("Please choose, if in the region")

    def clean_email(self):
        return checked_email(self.cleaned_data["email"])

    def clean_description(self):
        return stripped_text(self.cleaned_data["description"], DESCRIPTION_MAX_LENGTH)

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get("homepage") or spam.filled_too_fast(self.data.get("started")):
            raise forms.ValidationError(
                _(
                    "Your declaration could not be sent because it looked automated. "
                    "Please check the form and send it again."
                ),
                code="spam",
            )
        if cleaned.get("kind") not in Partner.SCHOOL_KINDS:
            cleaned["school_form"] = None
        return cleaned
