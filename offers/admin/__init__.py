"""The coordinators' work tool: admin for taxonomies, providers, contacts and offers.

Provider editors (role "Anbieter-Redaktion") use the same screens, scoped to their own
organisations: every queryset, autocomplete, choice list, inline and history page goes
through ``scoping.ProviderScopedAdmin``. Coordinators manage provider editors' accounts, and
only superusers change roles and permissions (``users``). docs/curation.md describes the
roles and the workflow.

Django's autodiscovery imports this package; importing the modules registers their admins.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import autocomplete, offers, providers, taxonomies, users  # noqa: F401  (they register the admins)

# Coordinators and provider editors should see whose tool this is, not "Django".
admin.site.site_header = _("ReTriBuS – curation")
admin.site.site_title = _("ReTriBuS curation")
admin.site.index_title = _("Offers, providers and network")
