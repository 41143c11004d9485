"""The saved offers' links (sectors, subjects, school forms, regions) and their history, in
bulk: a few queries per link table for the whole import.

The offers themselves are written with ``bulk_create`` / ``bulk_update`` first; their history
entries are made here, after the links, so that each offer gets exactly one entry that
records its links as the import left them. (``simple_history.utils.bulk_create_with_history``
makes the same entries but does not return them, and they are needed for the link history.)
"""

from simple_history.models import HistoricalRecords

from ..models import Offer
from .columns import OFFER_M2M

BATCH = 500


def write_links(saved, user, reason):
    """Replace the links each saved offer's row gives, where they differ, and write one
    history entry per offer. ``saved``: [(RowPlan, offer, is_new)]."""
    for key in OFFER_M2M:
        _replace_links(key, saved)
    history = Offer.history
    entries = []
    for is_new in (True, False):
        offers = [offer for _row, offer, new in saved if new is is_new]
        if offers:
            entries += history.bulk_history_create(
                offers,
                batch_size=BATCH,
                update=not is_new,
                default_user=user,
                default_change_reason=reason,
            )
    _link_history(entries)


def _replace_links(key, saved):
    """Delete the links of the offers whose set of ``key`` changes and create the new ones."""
    field = Offer._meta.get_field(key)
    through = field.remote_field.through
    offer_column, target_column = field.m2m_field_name(), field.m2m_reverse_field_name()
    stale, rows = [], []
    for row_plan, offer, is_new in saved:
        if key not in row_plan.values:
            continue
        wanted = [obj.pk for obj in row_plan.values[key]]
        if not is_new and set(wanted) == {obj.pk for obj in getattr(row_plan.offer, key).all()}:
            continue
        if not is_new:
            stale.append(offer.pk)
        rows += [
            through(**{f"{offer_column}_id": offer.pk, f"{target_column}_id": pk}) for pk in wanted
        ]
    for start in range(0, len(stale), BATCH):
        through.objects.filter(**{f"{offer_column}_id__in": stale[start : start + BATCH]}).delete()
    through.objects.bulk_create(rows, batch_size=BATCH)


def _link_history(entries):
    """The links of each history entry's offer, as they are now, beside the entry."""
    if not entries:
        return
    by_offer = {entry.id: entry for entry in entries}
    for field in Offer._meta.many_to_many:
        history_model = HistoricalRecords.m2m_models.get(field)
        if history_model is None:
            continue
        through = field.remote_field.through
        offer_column, target_column = field.m2m_field_name(), field.m2m_reverse_field_name()
        ids = list(by_offer)
        rows = []
        for start in range(0, len(ids), BATCH):
            links = through.objects.filter(**{f"{offer_column}_id__in": ids[start : start + BATCH]})
            for link in links.values_list("id", f"{offer_column}_id", f"{target_column}_id"):
                rows.append(
                    history_model(
                        id=link[0],
                        history=by_offer[link[1]],
                        **{f"{offer_column}_id": link[1], f"{target_column}_id": link[2]},
                    )
                )
        history_model.objects.bulk_create(rows, batch_size=BATCH)
