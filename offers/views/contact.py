"""E-mail addresses of contacts, shown only on request, so that robots cannot collect them.

Offer and provider pages never contain an address: they carry a small form with a button
“Show e-mail address” that posts here (static/js/contact-reveal.js shows the answer in
place; without JavaScript the browser shows this view's page). A GET shows the same button,
so a link followed by a crawler or the language switch finds no address either.

The form has no CSRF token on purpose: the pages that carry it are cached whole and must
set no cookie (offers/page_cache.py), and the POST changes nothing and reveals nothing a
visitor could not see by pressing the button, so a forged one gains an attacker nothing.
What keeps robots out is the POST and a limit per client address, counted in the shared
cache, or in the worker's own memory while that fails.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from operations import limits

from ..models import ContactPerson, Offer, Provider

# A teacher looks up a few contacts; a school's pupils share one address. A robot needs an
# hour for 120 addresses per client address, and must send a POST for each.
REVEALS_PER_WINDOW = 20
WINDOW_SECONDS = 10 * 60


def reveal_allowed(request):
    """Count this request against its client address; False when over the limit.

    Counted in the shared cache; while that fails, in this worker's memory, so the limit
    still holds (per worker) and the button still works.
    """
    key = limits.client_key("contact-reveal", request)
    count = limits.count(key, WINDOW_SECONDS, what="E-mail reveals")
    return count <= REVEALS_PER_WINDOW


def _back_url(request, fallback):
    """Where the visitor came from (the form's ``next``), if it is a page of this site."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return fallback


def _reveal(request, *, name, email, back_url):
    """The reveal page: the button (GET), the address (POST), or the limit's notice (429)."""
    context = {"name": name, "back_url": _back_url(request, back_url)}
    status = 200
    if request.method == "POST":
        if reveal_allowed(request):
            context["email"] = email
        else:
            context["limited"] = True
            status = 429
    response = render(request, "offers/contact_email.html", context, status=status)
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    if status == 429:
        response["Retry-After"] = str(WINDOW_SECONDS)
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def contact_email(request, pk):
    """The e-mail address of a public contact person who agreed to show it."""
    person = get_object_or_404(
        ContactPerson.objects.public().select_related("provider").exclude(email=""),
        pk=pk,
        show_email=True,
    )
    return _reveal(
        request,
        name=person.name,
        email=person.email,
        back_url=person.provider.get_absolute_url(),
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def provider_email(request, slug):
    """The e-mail address of a provider with a published offer."""
    provider = get_object_or_404(Provider.objects.exclude(email=""), slug=slug)
    if not Offer.objects.published().filter(provider=provider).exists():
        raise Http404("No published offers.")
    return _reveal(
        request,
        name=provider.name,
        email=provider.email,
        back_url=provider.get_absolute_url(),
    )
