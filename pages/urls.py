from django.urls import path

from . import views
from .models import LegalPage

app_name = "pages"

urlpatterns = [
    path(f"{kind}/", views.legal_page, {"kind": kind}, name=kind) for kind in LegalPage.Kind.values
]
