"""The admin action “Erase personal data of selected …”, for partners and contact persons.

Coordinators hold the permission (``network.erase_personal_data``, given to Koordination
by ``setup_roles``); the action asks for confirmation first, then calls ``erase_one`` per
object (``network.erasure`` does the work and writes the record).
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

ERASE_PERMISSION = "network.erase_personal_data"


class ErasePersonalDataMixin:
    """Add ``"erase_personal_data"`` to the admin's ``actions`` and define ``erase_one``."""

    # What the action does to each selected object, shown on the confirmation page.
    erase_explanation = ""

    def erase_one(self, request, obj):
        raise NotImplementedError

    def also_named(self, queryset):
        """(label, object) of entries of another kind that seem to name the same people (a
        partner's representative is often a provider's contact person too): listed on the
        confirmation page, so that one request is carried out everywhere."""
        return []

    def has_erase_permission(self, request):
        return request.user.has_perm(ERASE_PERMISSION)

    @admin.action(
        description=_("Erase personal data of selected %(verbose_name_plural)s"),
        permissions=["erase"],
    )
    def erase_personal_data(self, request, queryset):
        if request.POST.get("post") != "yes":
            return TemplateResponse(
                request,
                "admin/erase_personal_data.html",
                {
                    **self.admin_site.each_context(request),
                    "title": gettext("Erase personal data"),
                    "opts": self.model._meta,
                    "queryset": queryset,
                    "explanation": self.erase_explanation,
                    "also_named": [
                        (label, reverse(admin_urlname(obj._meta, "change"), args=[obj.pk]))
                        for label, obj in self.also_named(queryset)
                    ],
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "media": self.media,
                },
            )
        erased = 0
        for obj in queryset:
            self.erase_one(request, obj)
            erased += 1
        self.message_user(
            request,
            ngettext(
                "The personal data of %(count)d entry was erased, also from its history.",
                "The personal data of %(count)d entries was erased, also from their history.",
                erased,
            )
            % {"count": erased},
            messages.SUCCESS,
        )
        return None
