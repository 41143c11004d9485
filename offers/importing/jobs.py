"""The confirmed import as a background job: started by the admin, run by the job queue
(django-rq over the Redis the portal already uses), watched on a progress page.

A job reads the file it carries (the staged upload, copied into its row, so a worker on
another machine needs no shared disk), checks it again (the catalogue may have changed since the dry
run) and writes it in one transaction: all or nothing. Its progress goes to the cache, as
the job's own transaction hides its writes from everyone else until it ends; its result (the
``ImportReport``) goes to its ``ImportJob`` row. Without a queue (``OFFER_IMPORT_QUEUE``
None: no Redis, as with ``make run`` and in the tests) the job runs at once, in-process.

A job that does not end, because the queue stopped it at ``OFFER_IMPORT_TIMEOUT`` or its
worker died, has written nothing (one transaction): the queue's failure callback marks it
failed, and so does the progress page once the time limit is well past, in case nobody was
left to call back.
"""

import dataclasses
import datetime
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from operations import queue

from ..models import ImportJob
from . import staging
from .report import ImportReport, RowReport

logger = logging.getLogger(__name__)

# The share of the progress bar that reading and checking the file take; writing the rest.
CHECKED = 40
# A job still unfinished this long after the queue's time limit has lost its worker.
STALE_AFTER_TIMEOUT = 10 * 60


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
    """Hand job ``job_id`` to the queue; a queue that cannot be reached fails the job at
    once, with nothing written, and its page says to start it again."""
    try:
        queue.enqueue(
            settings.OFFER_IMPORT_QUEUE,
            run_import_job,
            job_id,
            job_timeout=settings.OFFER_IMPORT_TIMEOUT,
            on_failure=queue_job_failed,
        )
    except queue.QueueUnavailable:
        logger.exception("offer import job %s could not be queued", job_id)
        _fail_if_unfinished(
            job_id,
            _(
                "The job queue could not be reached, so the import did not start; nothing "
                "was written. Please start it again in a few minutes."
            ),
        )


def queue_job_failed(rq_job, connection, *exc_info):
    """The queue's callback when the job raised, was stopped or ran out of time."""
    logger.error("offer import job %s did not end: %s", rq_job.args[0], exc_info[1:2])
    _fail_if_unfinished(rq_job.args[0])


def _fail_if_unfinished(job_id, reason=None):
    """Mark job ``job_id`` failed if it is still queued or running."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.state not in (ImportJob.State.QUEUED, ImportJob.State.RUNNING):
        return
    with translation.override(job.language):
        report = ImportReport(
            source_format="",
            rows=[],
            problems=[reason or _("The import was stopped before it ended; nothing was written.")],
        )
    job.data = b""
    job.report = dataclasses.asdict(report)
    job.state = ImportJob.State.FAILED
    job.finished_at = timezone.now()
    job.save(update_fields=["data", "report", "state", "finished_at"])
    set_progress(job.pk, 100)


def expire_if_stale(job):
    """``job``, marked failed first when it should long have ended (its worker died)."""
    limit = datetime.timedelta(seconds=settings.OFFER_IMPORT_TIMEOUT + STALE_AFTER_TIMEOUT)
    unfinished = job.state in (ImportJob.State.QUEUED, ImportJob.State.RUNNING)
    if unfinished and job.created_at < timezone.now() - limit:
        with translation.override(job.language):
            minutes = (settings.OFFER_IMPORT_TIMEOUT + STALE_AFTER_TIMEOUT) // 60
            _fail_if_unfinished(
                job.pk,
                _(
                    "The import did not end within %(minutes)s minutes and was given up; "
                    "nothing was written. Please start it again."
                )
                % {"minutes": minutes},
            )
        job.refresh_from_db()
    return job


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
