from django.urls import path, register_converter

from . import views


class TokenConverter:
    """A shared list's token; anything else is not a list address (a plain 404)."""

    regex = r"[A-Za-z0-9_-]{20,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TokenConverter, "listtoken")

app_name = "schooldesk"

urlpatterns = [
    path("merkliste/", views.merkliste, name="list"),
    path("merkliste/merken/", views.add, name="add"),
    path("merkliste/entfernen/", views.remove, name="remove"),
    path("merkliste/notiz/", views.note, name="note"),
    path("merkliste/teilen/", views.share, name="share"),
    path("merkliste/handzettel/", views.merkliste_handout, name="handout"),
    path(
        "merkliste/handzettel.pdf",
        views.merkliste_handout,
        {"as_pdf": True},
        name="handout_pdf",
    ),
    path("merkliste/kalender.ics", views.merkliste_ics, name="ics"),
    path("merkliste/<listtoken:token>/", views.shared, name="shared"),
    path("merkliste/<listtoken:token>/uebernehmen/", views.copy, name="copy"),
    path("merkliste/<listtoken:token>/handzettel/", views.shared_handout, name="shared_handout"),
    path(
        "merkliste/<listtoken:token>/handzettel.pdf",
        views.shared_handout,
        {"as_pdf": True},
        name="shared_handout_pdf",
    ),
    path("merkliste/<listtoken:token>/kalender.ics", views.shared_ics, name="shared_ics"),
    path("handzettel/", views.search_handout, name="search_handout"),
    path("handzettel.pdf", views.search_handout, {"as_pdf": True}, name="search_handout_pdf"),
    path("angebot/<int:pk>/kalender.ics", views.offer_ics, name="offer_ics"),
]
