"""The catalogue version also changes with the tables 0006 left out at first.

Offer types, school forms and subjects are facets of the search index and labels on every
offer page; an offer's subjects and school forms are filtered on; contact persons are shown
on offer and provider pages. A change to any of them alone must replace the token like a
change to an offer does. The triggers now follow ``offers.models.CATALOG_TABLES``; this
migration installs them on a database that 0006 set up with fewer tables.
"""

from django.db import migrations

from offers import freshness


class Migration(migrations.Migration):
    dependencies = [
        ("offers", "0007_offer_search_sort_indexes"),
    ]

    operations = [migrations.RunPython(freshness.watch_tables, migrations.RunPython.noop)]
