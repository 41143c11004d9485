"""The offer import: a ``spreadsheet.Table`` checked cell by cell, then written or not."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .parsing import column_keys, parse_rows
from .planning import plan_import
from .report import ImportReport
from .writing import write_plan


def offers_import(*, dataset, dry_run, user, progress=None, checked=None):
    """Validate every cell of ``dataset`` (a ``spreadsheet.Table``) and, if all rows are valid
    and ``dry_run`` is false, write all of them in one transaction.

    Rows are matched to existing offers by code, else by provider and title; a row that
    matches and equals the offer changes nothing, so importing a file twice is harmless.
    Returns an ``ImportReport`` naming every problem in every row. ``checked()`` is called
    when every row is checked, ``progress(step, steps)`` while they are written.
    """
    report = ImportReport(source_format=dataset.source_format, rows=[])
    if not user.has_perm("offers.import_offers"):
        raise PermissionDenied
    keys, report.problems = column_keys(dataset.headers)
    if not dataset.rows:
        report.problems.append(_("The file has no rows below the header."))
    if report.problems:
        return report
    plan = plan_import(parse_rows(dataset, keys, user))
    report.rows = [row_plan.row for row_plan in plan.rows]
    report.new_providers = plan.new_providers
    if dry_run or not report.is_valid:
        return report
    if checked is not None:
        checked()
    report.written = write_plan(plan, user, problems=report.problems, progress=progress)
    return report
