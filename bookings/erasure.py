"""Personal data of requests: erased on a person's demand (DSGVO Art. 17) and after its
retention period, the way ``network.erasure`` does it for partners and contact persons:
the row and every history version cleared, the admin log's name replaced, and an
``ErasureRecord`` saying who did it, when and to which request — never what was erased.

What stays of an erased request is what coordinators need to see demand: the offer, the
date, the grade, the school form, the number of pupils, the school's town and the status.
docs/operations.md ("Personal data") gives the periods; the Datenschutz text names them.
"""

from datetime import timedelta

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from network.erasure import ERASED
from network.models import ErasureRecord

from .models import BookingRequest

# Days after the date (or, without one, after the last change) until a request's personal
# data is erased; an unconfirmed request (the link never clicked) is deleted after a week.
RETENTION_DAYS = 90
UNCONFIRMED_DAYS = 7
PERSONAL_FIELDS = {
    "school_name": ERASED,
    "teacher_name": ERASED,
    "email": "",
    "phone": "",
    "message": "",
    "answer": "",
    "preferred_period": "",
}


def _record(*, booking_id, reason, user=None, deleted=False, history_rows=0):
    return ErasureRecord.objects.create(
        erased_by=user,
        erased_by_name=user.get_username() if user else "",
        reason=reason,
        content_type=ContentType.objects.get_for_model(BookingRequest),
        object_id=booking_id,
        row_deleted=deleted,
        history_rows=history_rows,
    )


def _forget_in_admin_log(booking_id):
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(BookingRequest), object_id=str(booking_id)
    ).update(object_repr=ERASED)


@transaction.atomic
def request_erase(*, booking_id, user=None, reason=ErasureRecord.Reason.REQUEST, delete=False):
    """Clear a request's personal fields in its row and every history version (or delete
    the row, ``delete``). Places it held stay held until the provider or the teacher frees
    them: erasing data is not cancelling a visit."""
    history = BookingRequest.history.model.objects.filter(id=booking_id)
    if delete:
        deleted, _ = BookingRequest.objects.filter(pk=booking_id).delete()
        rows, _ = history.delete()
    else:
        deleted = 0
        BookingRequest.objects.filter(pk=booking_id).update(
            **PERSONAL_FIELDS, personal_data_erased_at=timezone.now()
        )
        rows = history.update(**PERSONAL_FIELDS)
    _forget_in_admin_log(booking_id)
    return _record(
        booking_id=booking_id, reason=reason, user=user, deleted=bool(deleted), history_rows=rows
    )


def requests_due(now=None):
    """Confirmed requests whose personal data is past retention: 90 days after the later of
    their date's end and their last change."""
    cutoff = (now or timezone.now()) - timedelta(days=RETENTION_DAYS)
    return BookingRequest.objects.filter(
        Q(session__isnull=True) | Q(session__ends_at__lt=cutoff),
        confirmed_at__isnull=False,
        personal_data_erased_at__isnull=True,
        updated_at__lt=cutoff,
    )


def unconfirmed_due(now=None):
    """Requests whose sender never clicked the confirmation link, after a week."""
    cutoff = (now or timezone.now()) - timedelta(days=UNCONFIRMED_DAYS)
    return BookingRequest.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff)


@transaction.atomic
def requests_purge(now=None):
    """Erase what is due; returns (requests cleared, unconfirmed requests deleted)."""
    cleared = deleted = 0
    for pk in requests_due(now).values_list("pk", flat=True):
        request_erase(booking_id=pk, reason=ErasureRecord.Reason.RETENTION)
        cleared += 1
    for pk in unconfirmed_due(now).values_list("pk", flat=True):
        request_erase(booking_id=pk, reason=ErasureRecord.Reason.RETENTION, delete=True)
        deleted += 1
    return cleared, deleted
