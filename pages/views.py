"""The legal pages, read from the database."""

from django.shortcuts import get_object_or_404, render

from .models import LegalPage


def legal_page(request, kind):
    page = get_object_or_404(LegalPage, kind=kind)
    return render(request, "pages/legal_page.html", {"page": page})
