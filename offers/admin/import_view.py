"""The offer import in the admin: upload → dry run with every problem → confirm → a
progress page while the import runs as a background job, then its report.

The upload is staged on disk (``offers.importing.staging``) between the dry run and the
confirmation, so the confirmed import reads exactly the file the dry run showed; the job
(``offers.importing.jobs``) runs outside the web request.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..importing import jobs, staging
from ..importing.columns import COLUMNS
from ..models import ImportJob
from .import_format import import_format_view, import_sample_view
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
            admin_page(
                self, "import/format/", self.import_format_view, "offers_offer_import_format"
            ),
            admin_page(
                self, "import/sample.csv", self.import_sample_view, "offers_offer_import_sample"
            ),
            admin_page(
                self, "import/<int:job_id>/", self.import_job_view, "offers_offer_import_job"
            ),
            *super().get_urls(),
        ]

    def import_format_view(self, request):
        """The spreadsheet's columns and rules; for everyone who may see offers (providers
        fill in the sheets the coordinators import)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return import_format_view(self, request, upload_bytes=ImportUploadForm.MAX_BYTES)

    def import_sample_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return import_sample_view(self, request)

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
            job = jobs.start_import(
                data=staging.staged_data(token),
                file_name=staging.staged_name(request.session),
                user=request.user,
                language=request.LANGUAGE_CODE,
            )
            staging.forget_upload(request.session, token)
            return redirect("admin:offers_offer_import_job", job_id=job.pk)
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

    def import_job_view(self, request, job_id):
        """How far a started import is; its report once it has ended. A script keeps the
        progress up to date (static/js/import-progress.js)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = jobs.expire_if_stale(
            get_object_or_404(ImportJob.objects.select_related("user"), pk=job_id)
        )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import job"),
            "opts": self.opts,
            "job": job,
            "progress": jobs.progress_of(job),
            "report": jobs.report_of(job),
        }
        return TemplateResponse(request, "admin/offers/offer/import_job.html", context)
