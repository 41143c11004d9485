"""The offer import in the admin: upload → dry run with every problem → confirm.

The upload is staged on disk (``offers.importing.staging``) between the dry run and the
confirmation, so the confirmed import reads exactly the file the dry run showed.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..importing import staging
from ..importing.columns import COLUMNS
from .scoping import admin_page


class ImportUploadForm(forms.Form):
    # A survey of a thousand offers is well under 2 MB; the limit keeps uploads harmless.
    MAX_BYTES = 10 * 1024 * 1024

    file = forms.FileField(
        label=_("spreadsheet"),
        help_text=_("XLSX, or CSV in UTF-8 or as Excel saves it (semicolons, Windows-1252)."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class OfferImportMixin:
    """The import page of the offer admin, at ``import/`` below the offer list."""

    def has_import_permission(self, request):
        return request.user.has_perm("offers.import_offers")

    def get_urls(self):
        return [
            admin_page(self, "import/", self.import_view, "offers_offer_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        upload_form, report, token = ImportUploadForm(), None, None
        if request.method == "POST" and "confirm" in request.POST:
            token = staging.pending_token(request.session, request.POST.get("token"))
            if token is None:
                self.message_user(
                    request,
                    gettext("The uploaded file has expired; upload it again."),
                    messages.ERROR,
                )
                return redirect("admin:offers_offer_import")
            report = staging.import_staged(token, user=request.user, dry_run=False)
            if report is not None and report.written:
                return self._import_done(request, token, report)
        elif request.method == "POST":
            upload_form, report, token = self._dry_run(request)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import offers"),
            "opts": self.opts,
            "form": upload_form,
            "report": report,
            "token": token,
            "file_name": staging.staged_name(request.session),
            "columns": COLUMNS.values(),
        }
        return TemplateResponse(request, "admin/offers/offer/import.html", context)

    def _dry_run(self, request):
        """The upload form, the dry run's report and the staged file's token (None if the
        file is missing, too large or unreadable)."""
        upload_form = ImportUploadForm(request.POST, request.FILES)
        if not upload_form.is_valid():
            return upload_form, None, None
        token = staging.stage_upload(request.session, upload_form.cleaned_data["file"])
        report = staging.import_staged(token, user=request.user, dry_run=True)
        if report is None:
            upload_form.add_error("file", gettext("The file could not be read as XLSX or CSV."))
            token = None
        return upload_form, report, token

    def _import_done(self, request, token, report):
        staging.forget_upload(request.session, token)
        self.message_user(
            request,
            gettext(
                "Import finished: %(new)s new, %(changed)s changed, %(unchanged)s unchanged offers."
            )
            % {
                "new": report.count("new"),
                "changed": report.count("changed"),
                "unchanged": report.count("unchanged"),
            },
            messages.SUCCESS,
        )
        return redirect("admin:offers_offer_changelist")
