"""PDFs made by the job queue instead of the web worker.

WeasyPrint lays out a few A4 pages a second and holds them all in memory: a handout of 200
offers (67 pages) took 15–20 s and raised a gunicorn worker from 150 to 350 MB, and any
visitor can ask for one. With a queue (``PDF_QUEUE``), the first request renders the HTML,
hands it to a job, and answers a page that shows the PDF once the job has put it into the
shared cache. The PDF is found again by what its HTML was made from (``key``), so the
page's checks render nothing, and whoever asks for the same PDF gets it at once. Without a queue
(``make run``, the tests) the PDF is made in the request. When Redis fails, the request
makes nothing and says to use the print view, which needs no PDF.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.module_loading import import_string

from . import queue

logger = logging.getLogger(__name__)

# A PDF stays in the cache this long after it was made.
READY_SECONDS = 60 * 60
# A failed PDF is not tried again for this long.
FAILED_SECONDS = 10 * 60
# The waiting page's script asks whether the PDF is ready this often (seconds).
RELOAD_SECONDS = 3


def _keys(key, make):
    digest = hashlib.sha256(repr((make, *key)).encode()).hexdigest()
    return {name: f"pdf-{name}:{digest}" for name in ("ready", "pending", "failed")}


def make_pdf(keys, make, html):
    """The job: the PDF of ``html`` by the function ``make`` (a dotted path), into the cache."""
    cache.set(keys["ready"], import_string(make)(html), READY_SECONDS)
    cache.delete(keys["pending"])


def pdf_job_failed(rq_job, connection, *exc_info):
    """The queue's callback when a PDF job raised or ran out of time."""
    keys = rq_job.args[0]
    logger.error("PDF job %s failed: %s", keys["ready"], exc_info[1:2])
    cache.set(keys["failed"], True, FAILED_SECONDS)
    cache.delete(keys["pending"])


def pdf_file(pdf, filename):
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def respond(request, *, key, html, make, filename, print_url):
    """The PDF made by ``make`` (a dotted path to a function html → bytes) of the HTML
    ``html()`` returns, or the page that waits for it. ``key``: a tuple of everything the
    HTML is made from; ``print_url``: the same content as a web page."""
    if settings.PDF_QUEUE is None:
        return pdf_file(import_string(make)(html()), filename)
    keys = _keys(key, make)
    try:
        pdf = cache.get(keys["ready"])
        if pdf is not None:
            return pdf_file(pdf, filename)
        failed = bool(cache.get(keys["failed"]))
        if not failed and cache.add(keys["pending"], True, settings.PDF_TIMEOUT + 30):
            try:
                queue.enqueue(
                    settings.PDF_QUEUE,
                    make_pdf,
                    keys,
                    make,
                    html(),
                    job_timeout=settings.PDF_TIMEOUT,
                    on_failure=pdf_job_failed,
                )
            except queue.QueueUnavailable:
                cache.delete(keys["pending"])
                raise
    except Exception:  # the cache or the queue failed: make nothing here
        logger.exception("no PDF job for %s", request.path)
        return _waiting(request, print_url, status=503, unavailable=True)
    return _waiting(request, print_url, status=503 if failed else 200, failed=failed)


def _waiting(request, print_url, *, status, failed=False, unavailable=False):
    response = render(
        request,
        "operations/pdf_waiting.html",
        {
            "print_url": print_url,
            "failed": failed,
            "unavailable": unavailable,
            "reload_seconds": RELOAD_SECONDS,
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
