"""Every admin page loads the style sheets and scripts its admin declares: a ``media``
property written into a model admin once made Django drop that admin's ``class Media``, and the
offer form lost the wide title fields of ``admin-offers.css``."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from tests import factories
from tests.admin_support import make_user, setup_roles


def declared_media(model_admin):
    """The files named in the ``class Media`` of ``model_admin``'s class and its bases."""
    files = []
    for cls in type(model_admin).__mro__:
        definition = cls.__dict__.get("Media")
        if definition is None:
            continue
        for paths in getattr(definition, "css", {}).values():
            files.extend(paths)
        files.extend(getattr(definition, "js", ()))
    return files


def model_admins_with_media():
    return [
        model_admin for model_admin in admin.site._registry.values() if declared_media(model_admin)
    ]


def test_some_admins_declare_media():
    # Guards the test below against passing because it found nothing to check.
    assert any(type(m).__name__ == "OfferAdmin" for m in model_admins_with_media())


@pytest.mark.parametrize(
    "model_admin", model_admins_with_media(), ids=lambda model_admin: type(model_admin).__name__
)
def test_each_admin_loads_the_media_its_class_declares(model_admin):
    loaded = str(model_admin.media)
    for path in declared_media(model_admin):
        assert f"/static/{path}" in loaded, (type(model_admin).__name__, path)


def stylesheets(response):
    return re.findall(r'<link href="/static/([^"]+\.css)"', response.text)


@pytest.mark.django_db
def test_the_offer_list_and_form_load_their_styles_and_the_filters_scripts(client, taxonomy):
    setup_roles()
    client.force_login(make_user("Koordination"))
    offer = factories.make_offer(taxonomy)

    form = client.get(reverse("admin:offers_offer_change", args=[offer.pk]))
    assert form.status_code == 200
    assert {"css/admin-offers.css", "css/admin-curation.css"} <= set(stylesheets(form))

    listing = client.get(reverse("admin:offers_offer_changelist"))
    assert listing.status_code == 200
    assert {"css/admin-offers.css", "css/admin-curation.css"} <= set(stylesheets(listing))
    # The autocomplete filters' script, after the admin's own, which sets select2 up.
    scripts = re.findall(r'<script src="/static/([^"]+)"', listing.text)
    assert scripts.index("admin/js/autocomplete.js") < scripts.index(
        "js/admin-autocomplete-filter.js"
    )
