"""The actions of the offer list: the workflow steps, duplicating, and the exports.

The workflow actions are made from one table, ``WORKFLOW_STEPS``: each step runs a service
of ``offers.services`` on every selected offer, reports how many moved and how many their
status did not allow.
"""

from dataclasses import dataclass

from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from .. import services
from ..importing import spreadsheet


@dataclass(frozen=True)
class WorkflowStep:
    name: str  # the action's name, as the admin posts it
    service: object  # ``service(offer=..., user=...)``, may raise ``TransitionNotAllowed``
    permission: str  # checked through ``OfferAdmin.has_<permission>_permission``
    description: Promise  # the label in the action menu
    done: Promise  # the success message, plural by its ``count``


WORKFLOW_STEPS = (
    WorkflowStep(
        "publish",
        services.offer_publish,
        "publish",
        _("Publish selected offers"),
        ngettext_lazy("%(count)s offer published.", "%(count)s offers published.", "count"),
    ),
    WorkflowStep(
        "submit_for_review",
        services.offer_submit_for_review,
        "change",
        _("Submit selected drafts for review"),
        ngettext_lazy(
            "%(count)s offer submitted for review.",
            "%(count)s offers submitted for review.",
            "count",
        ),
    ),
    WorkflowStep(
        "send_to_draft",
        services.offer_send_to_draft,
        "publish",
        _("Send selected offers back to draft"),
        ngettext_lazy(
            "%(count)s offer sent back to draft.", "%(count)s offers sent back to draft.", "count"
        ),
    ),
    WorkflowStep(
        "archive",
        services.offer_archive,
        "publish",
        _("Archive selected offers"),
        ngettext_lazy("%(count)s offer archived.", "%(count)s offers archived.", "count"),
    ),
    WorkflowStep(
        "confirm_today",
        services.offer_confirm,
        "change",
        _("Mark selected offers as confirmed today"),
        ngettext_lazy(
            "%(count)s offer confirmed as current today.",
            "%(count)s offers confirmed as current today.",
            "count",
        ),
    ),
)


def _workflow_action(step):
    def action(modeladmin, request, queryset):
        moved, skipped = 0, 0
        for offer in queryset.select_related(None):
            try:
                step.service(offer=offer, user=request.user)
                moved += 1
            except services.TransitionNotAllowed:
                skipped += 1
        if moved:
            modeladmin.message_user(request, step.done % {"count": moved}, messages.SUCCESS)
        if skipped:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)s offer was skipped: its status does not allow this step.",
                    "%(count)s offers were skipped: their status does not allow this step.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    action.__name__ = action.__qualname__ = step.name
    return admin.action(description=step.description, permissions=[step.permission])(action)


WORKFLOW_ACTIONS = [_workflow_action(step) for step in WORKFLOW_STEPS]


@admin.action(description=_("Duplicate selected offers as drafts"), permissions=["add"])
def duplicate(modeladmin, request, queryset):
    copies = [services.offer_duplicate(offer=o, user=request.user) for o in queryset]
    if len(copies) == 1:
        return redirect("admin:offers_offer_change", copies[0].pk)
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)s copy created as a draft.",
            "%(count)s copies created as drafts.",
            len(copies),
        )
        % {"count": len(copies)},
        messages.SUCCESS,
    )
    return None


# --- Exports: name, format, label ---------------------------------------------------------

EXPORTS = (
    ("export_xlsx", "xlsx", _("Export selected offers as XLSX")),
    ("export_csv", "csv", _("Export selected offers as CSV (UTF-8)")),
    (
        "export_excel_csv",
        "excel-csv",
        _("Export selected offers as CSV for Excel (semicolon, Windows-1252)"),
    ),
)


def _export(modeladmin, request, queryset, export_format):
    offers = spreadsheet.export_queryset(queryset.order_by("provider__name", "code", "title"))
    stamp = timezone.localdate().isoformat()
    if export_format == "xlsx":
        data = spreadsheet.write_xlsx(offers)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        filename = f"angebote-{stamp}.xlsx"
    else:
        flavour = "utf8" if export_format == "csv" else "excel"
        data, lost = spreadsheet.write_csv(offers, flavour)
        charset = "utf-8" if flavour == "utf8" else "windows-1252"
        content_type = f"text/csv; charset={charset}"
        filename = f"angebote-{stamp}{'' if flavour == 'utf8' else '-excel'}.csv"
        if lost:
            modeladmin.message_user(
                request,
                gettext(
                    "%(count)s characters do not exist in Windows-1252 and were written as "
                    "“?”. Use the XLSX or UTF-8 export to keep them."
                )
                % {"count": lost},
                messages.WARNING,
            )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export_action(name, export_format, description):
    def action(modeladmin, request, queryset):
        return _export(modeladmin, request, queryset, export_format)

    action.__name__ = action.__qualname__ = name
    return admin.action(description=description, permissions=["view"])(action)


EXPORT_ACTIONS = [_export_action(*export) for export in EXPORTS]
