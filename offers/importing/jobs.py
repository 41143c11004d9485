"""The confirmed import as a background job: started by the admin, run by the job queue
(django-rq over the Redis the portal already uses), watched on a progress page.

A job reads the file it carries (the staged upload, copied into its row, so a worker on
another machine needs no shared disk), checks it again (the catalogue may have changed since the dry
run) and writes it in one transaction: all or nothing. Its progress goes to the cache, as
the job's own transaction hides its writes from everyone else until it ends; its result (the
``ImportReport``) goes to its ``ImportJob`` row. Without a queue (``OFFER_IMPORT_QUEUE``
None: no Redis, as with ``make run`` and in the tests) the job runs at once, in-process.
"""

import dataclasses
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import ImportJob
from . import staging
from .report import ImportReport, RowReport

logger = logging.getLogger(__name__)

# The share of the progress bar that reading and checking the file take; writing the rest.
CHECKED = 40


def start_import(*, data, file_name, user, language):
    """Record a job for the file content ``data`` and hand it to the queue."""
    job = ImportJob.objects.create(
        data=data, file_name=file_name[:255], user=user, language=language or "de"
    )
    set_progress(job.pk, 0)
    if settings.OFFER_IMPORT_QUEUE is None:
        run_import_job(job.pk)
    else:
        # The worker must find the job's row: enqueue once it is committed (at once when
        # no transaction is open).
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id):
    import django_rq

    django_rq.get_queue(settings.OFFER_IMPORT_QUEUE).enqueue(run_import_job, job_id)


def run_import_job(job_id):
    """The job the queue runs: the import of job ``job_id``'s staged file, once."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.state != ImportJob.State.QUEUED:
        return
    job.state = ImportJob.State.RUNNING
    job.save(update_fields=["state"])
    with translation.override(job.language):
        try:
            report = staging.import_data(
                bytes(job.data),
                user=job.user,
                dry_run=False,
                progress=lambda step, steps: set_progress(
                    job.pk, CHECKED + (100 - CHECKED) * step // steps
                ),
                checked=lambda: set_progress(job.pk, CHECKED),
            )
        except Exception:
            logger.exception("offer import job %s failed", job.pk)
            report = ImportReport(
                source_format="",
                rows=[],
                problems=[_("The import failed unexpectedly; nothing was written.")],
            )
        if report is None:
            unreadable = _("The file could not be read as XLSX or CSV.")
            report = ImportReport(source_format="", rows=[], problems=[unreadable])
    job.data = b""
    job.report = dataclasses.asdict(report)
    job.state = ImportJob.State.DONE if report.written else ImportJob.State.FAILED
    job.finished_at = timezone.now()
    job.save(update_fields=["data", "report", "state", "finished_at"])
    set_progress(job.pk, 100)


def _progress_key(job_id):
    return f"offer-import-job:{job_id}:progress"


def set_progress(job_id, percent):
    cache.set(_progress_key(job_id), percent, timeout=24 * 3600)


def progress_of(job):
    """How far ``job`` is, in percent (100 once it has ended)."""
    if job.state in (ImportJob.State.DONE, ImportJob.State.FAILED):
        return 100
    return cache.get(_progress_key(job.pk), 0)


def report_of(job):
    """The ``ImportReport`` of an ended job, or None while it runs."""
    if job.report is None:
        return None
    data = dict(job.report)
    data["rows"] = [RowReport(**row) for row in data.get("rows", [])]
    return ImportReport(**data)
