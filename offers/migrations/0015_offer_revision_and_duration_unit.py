"""Pending revisions: a provider editor's change of a published offer waits for a coordinator
while the published version stays online; and the unit an offer's duration was entered in."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from offers import freshness


def drop_fulltext_triggers(apps, schema_editor):
    """SQLite cannot rebuild the offer table while another table's trigger names it (the
    full-text triggers of 0013 do); the post_migrate handler puts them back."""
    if schema_editor.connection.vendor != "sqlite":
        return
    try:
        from offers.search import sqlite_fts
    except ImportError:  # a checkout from before the SQLite full text
        return
    if sqlite_fts.exists(schema_editor.connection):
        sqlite_fts.drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("offers", "0014_pages_only_change_log"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_fulltext_triggers, migrations.RunPython.noop),
        migrations.AddField(
            model_name="historicaloffer",
            name="duration_unit",
            field=models.CharField(
                blank=True,
                choices=[
                    ("minutes", "minutes"),
                    ("hours", "hours"),
                    ("days", "days"),
                    ("weeks", "weeks"),
                ],
                help_text="The unit the duration was entered in and is shown in.",
                max_length=10,
                verbose_name="duration unit",
            ),
        ),
        migrations.AddField(
            model_name="offer",
            name="duration_unit",
            field=models.CharField(
                blank=True,
                choices=[
                    ("minutes", "minutes"),
                    ("hours", "hours"),
                    ("days", "days"),
                    ("weeks", "weeks"),
                ],
                help_text="The unit the duration was entered in and is shown in.",
                max_length=10,
                verbose_name="duration unit",
            ),
        ),
        migrations.CreateModel(
            name="OfferRevision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("values", models.JSONField(default=dict, verbose_name="proposed values")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "waiting for review"),
                            ("published", "published"),
                            ("rejected", "rejected"),
                        ],
                        db_index=True,
                        default="pending",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="proposed"
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="last changed"
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided")),
                (
                    "reason",
                    models.TextField(
                        blank=True,
                        help_text="Why the change was rejected; the editor reads it.",
                        verbose_name="reason",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="proposed by",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "offer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revisions",
                        to="offers.offer",
                        verbose_name="offer",
                    ),
                ),
            ],
            options={
                "verbose_name": "change of an offer",
                "verbose_name_plural": "changes of offers",
                "ordering": ["-updated_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state", "pending")),
                        fields=("offer",),
                        name="offer_revision_one_pending",
                    )
                ],
            },
        ),
        # SQLite rebuilds the altered offer table without its triggers: put them back.
        migrations.RunPython(freshness.watch_tables, migrations.RunPython.noop),
    ]
