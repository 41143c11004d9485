"""The upload waits on disk between the admin's dry run and its confirmation.

The file gets a random name that only the uploader's session holds, so nobody else can
import it; ``settings.OFFER_IMPORT_DIR`` is where it waits.
"""

import secrets
from pathlib import Path

from django.conf import settings

from .report import ImportReport
from .services import offers_import
from .spreadsheet import FileTooLarge, UnreadableFile, read_table

SESSION_KEY = "offer_import"


def _path(token):
    return Path(settings.OFFER_IMPORT_DIR) / token


def stage_upload(session, upload):
    """Keep ``upload`` (replacing the session's earlier one) and return its token."""
    directory = Path(settings.OFFER_IMPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    previous = session.get(SESSION_KEY, {}).get("token")
    if previous:
        (directory / previous).unlink(missing_ok=True)
    token = secrets.token_hex(16)
    with open(directory / token, "wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    session[SESSION_KEY] = {"token": token, "name": upload.name}
    return token


def staged_name(session):
    """The name the staged file had on the uploader's computer."""
    return session.get(SESSION_KEY, {}).get("name", "")


def pending_token(session, posted_token):
    """``posted_token`` if it is the session's staged file and the file is still there."""
    token = session.get(SESSION_KEY, {}).get("token")
    if not token or token != posted_token or not _path(token).exists():
        return None
    return token


def forget_upload(session, token):
    _path(token).unlink(missing_ok=True)
    session.pop(SESSION_KEY, None)


def staged_data(token):
    """The content of the staged file ``token``."""
    return _path(token).read_bytes()


def import_staged(token, *, user, dry_run):
    """``import_data`` of the staged file ``token``."""
    return import_data(staged_data(token), user=user, dry_run=dry_run)


def import_data(data, *, user, dry_run, progress=None, checked=None):
    """``offers_import`` of a file's content; None if it is neither XLSX nor CSV, a report
    with the one problem if it exceeds the limits of what the import reads. ``checked()`` is
    called once the file is read and checked, ``progress(step, steps)`` while it is written."""
    try:
        table = read_table(data)
    except FileTooLarge as error:
        return ImportReport(source_format=error.source_format, rows=[], problems=[str(error)])
    except UnreadableFile:
        return None
    return offers_import(
        dataset=table, dry_run=dry_run, user=user, progress=progress, checked=checked
    )
