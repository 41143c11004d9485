"""The offer signals that give codes and keep them taken (``codes.py``).

Signals because the offers workflow has several doors to publishing (the admin's actions
and form, services, fixtures) and the code must follow each; they run in the saving
transaction. Bulk writes send no signals: the import calls ``codes.assign_codes`` itself.
"""

from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from offers.models import Offer

from . import codes


@receiver(post_save, sender=Offer, dispatch_uid="insights-assign-code")
def give_published_offer_a_code(sender, instance, raw=False, **kwargs):
    # A fixture (raw) brings its own codes; they are respected by the numbering.
    if not raw and not instance.code and instance.status == Offer.Status.PUBLISHED:
        codes.assign_code(instance)


@receiver(pre_delete, sender=Offer, dispatch_uid="insights-keep-code")
def keep_code_of_deleted_offer(sender, instance, **kwargs):
    if instance.code:
        codes.register(instance, deleting=True)
