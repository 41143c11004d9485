"""The request pages. Not page-cached: they hold form tokens and personal data."""

from django.urls import path

from . import views

app_name = "bookings"

urlpatterns = [
    path("angebot/<int:pk>/anfrage/", views.request_form, name="request"),
    path("angebot/<int:pk>/anfrage/gesendet/", views.request_sent, name="sent"),
    path("anfrage/bestaetigen/<str:token>/", views.confirm, name="confirm"),
    path("anfrage/stornieren/<str:token>/", views.cancel, name="cancel"),
]
