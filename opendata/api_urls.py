"""/api/v1/: the read-only JSON API (namespace ``api``), outside the language prefixes:
labels follow the Accept-Language header, German by default."""

from csp.decorators import csp_update
from django.urls import path, re_path

from . import api

app_name = "api"

urlpatterns = [
    path("v1/", api.Root.as_view(), name="root"),
    path("v1/offers/", api.OfferList.as_view(), name="offers"),
    path("v1/offers/<int:pk>/", api.OfferDetail.as_view(), name="offer"),
    path("v1/providers/", api.ProviderList.as_view(), name="providers"),
    path("v1/providers/<slug:slug>/", api.ProviderDetail.as_view(), name="provider"),
    path("v1/taxonomies/", api.Taxonomies.as_view(), name="taxonomies"),
    path("v1/regions/", api.Regions.as_view(), name="regions"),
    path("v1/schema/", api.Schema.as_view(), name="schema"),
    # Swagger UI draws its icons as data: images; only this page may load them.
    path("v1/docs/", csp_update({"img-src": ["data:"]})(api.Docs.as_view()), name="docs"),
    re_path(r"^(?P<rest>.*)$", api.NotFoundView.as_view(), name="not_found"),
]
