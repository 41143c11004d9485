"""Contact persons choose what the public pages show of them; existing ones keep showing
both (the e-mail address now only behind the reveal button)."""

from django.db import migrations, models

from offers import freshness

SHOW_EMAIL = models.BooleanField(
    default=True,
    help_text=(
        "Visitors of the offer and provider pages can have the address shown with a button; "
        "it never appears in the page itself."
    ),
    verbose_name="show e-mail address",
)
SHOW_PHONE = models.BooleanField(
    default=True,
    help_text="The phone number is shown on the offer and provider pages.",
    verbose_name="show phone number",
)


class Migration(migrations.Migration):
    dependencies = [("offers", "0010_catalog_change_log")]

    operations = [
        migrations.AddField(model_name="contactperson", name="show_email", field=SHOW_EMAIL),
        migrations.AddField(model_name="contactperson", name="show_phone", field=SHOW_PHONE),
        migrations.AddField(
            model_name="historicalcontactperson", name="show_email", field=SHOW_EMAIL.clone()
        ),
        migrations.AddField(
            model_name="historicalcontactperson", name="show_phone", field=SHOW_PHONE.clone()
        ),
        # SQLite rebuilds the altered table without its triggers: put them back.
        migrations.RunPython(freshness.watch_tables, migrations.RunPython.noop),
    ]
