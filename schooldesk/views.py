"""The teacher's desk: the Merkliste, its shared copies, class handouts and calendar files.

None of these pages is cached (they show a visitor's own list, or are rendered on
demand); the Merken buttons on the cached catalogue pages post here. Each writing view
answers a fetch from static/js/merkliste.js with JSON, and a plain form post with a
redirect back to where the visitor was.
"""

import re

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from offers.models import Offer
from offers.page_cache import catalog_version, release
from offers.search.engine import engine
from offers.search.forms import OfferFilterSet
from offers.views.search import active_chips, bad_request, spec_params
from operations import pdfs

from . import calendar, handout
from .forms import HandoutNoteForm, NoteForm
from .markers import FLASH_KEY
from .merkliste import Merkliste, entries
from .models import SharedList

TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _wants_json(request):
    return request.headers.get("X-Requested-With") == "fetch"


def _back(request, fallback):
    """Where the form was sent from (its ``next``), if that is a page of this site."""
    url = request.POST.get("next", "")
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return fallback


def _bad_request(request, message):
    if _wants_json(request):
        return JsonResponse({"message": message}, status=400)
    return render(request, "400.html", status=400)


def _offer_id(request):
    try:
        return int(request.POST.get("offer", ""))
    except ValueError:
        return None


def _shared_or_404(token):
    if not TOKEN.fullmatch(token):
        raise Http404("No such list.")
    shared = SharedList.objects.filter(token=token).first()
    if shared is None:
        raise Http404("No such list.")
    return shared


@require_POST
def add(request):
    """Merken: put a published offer on the visitor's list."""
    offer_id = _offer_id(request)
    if offer_id is None:
        return _bad_request(request, _("No offer was named."))
    offer = get_object_or_404(Offer.objects.published().select_related("provider"), pk=offer_id)
    merkliste = Merkliste(request.session)
    if merkliste.add(offer):
        text = _("“%(title)s” is on your shortlist now.") % {"title": offer.title}
    elif offer.pk in merkliste:
        text = _("“%(title)s” is on your shortlist already.") % {"title": offer.title}
    else:
        text = _("Your shortlist is full. Remove offers you no longer need first.")
    if _wants_json(request):
        return JsonResponse({"count": len(merkliste), "message": text})
    request.session[FLASH_KEY] = {"offer": offer.pk, "text": text}
    return redirect(_back(request, reverse("schooldesk:list")) + f"#merken-{offer.pk}")


@require_POST
def remove(request):
    offer_id = _offer_id(request)
    if offer_id is None:
        return _bad_request(request, _("No offer was named."))
    merkliste = Merkliste(request.session)
    item = next((item for item in merkliste.items if item[0] == offer_id), None)
    merkliste.remove(offer_id)
    text = (
        _("“%(title)s” was removed from your shortlist.") % {"title": item[1]}
        if item
        else _("That offer was not on your shortlist.")
    )
    if _wants_json(request):
        return JsonResponse({"count": len(merkliste), "message": text})
    messages.success(request, text)
    return redirect("schooldesk:list")


def merkliste_page(request, *, note_form=None, status=200):
    """The visitor's list: grouped by provider, with the note, sharing and the handout."""
    # Reading an empty session creates none: nobody gets a session cookie by looking.
    merkliste = Merkliste(request.session)
    groups = entries(merkliste.items)
    return render(
        request,
        "schooldesk/merkliste.html",
        {
            "merkliste": merkliste,
            "groups": groups,
            "dated": _dated(groups),
            "note_form": note_form or NoteForm(initial={"note": merkliste.note}),
            "share_url": (
                request.build_absolute_uri(reverse("schooldesk:shared", args=[merkliste.token]))
                if merkliste.token
                else ""
            ),
        },
        status=status,
    )


def _dated(groups):
    return any(offer and offer.start_date for _name, _p, rows in groups for _i, offer in rows)


@require_GET
def merkliste(request):
    return merkliste_page(request)


@require_POST
def note(request):
    form = NoteForm(request.POST)
    if not form.is_valid():
        return merkliste_page(request, note_form=form, status=400)
    Merkliste(request.session).set_note(form.cleaned_data["note"])
    messages.success(request, _("The note was saved."))
    return redirect("schooldesk:list")


@require_POST
def share(request):
    merkliste = Merkliste(request.session)
    if not len(merkliste):
        messages.error(request, _("Your shortlist is empty: there is nothing to share yet."))
        return redirect("schooldesk:list")
    merkliste.share()
    messages.success(
        request,
        _("Anyone with the link below can now read your list; it always shows the list as it is."),
    )
    return redirect(reverse("schooldesk:list") + "#teilen")


@require_GET
def shared(request, token):
    """A shared list, read-only for anybody who has the link."""
    shared_list = _shared_or_404(token)
    shared_list.touch()
    groups = entries(shared_list.items)
    return render(
        request,
        "schooldesk/shared.html",
        {"shared": shared_list, "groups": groups, "dated": _dated(groups)},
    )


@require_POST
def copy(request, token):
    """In meine Merkliste übernehmen: the shared list's offers into the visitor's own."""
    shared_list = _shared_or_404(token)
    added = Merkliste(request.session).add_items(shared_list.items)
    messages.success(
        request,
        _("%(count)s offers were added to your shortlist.") % {"count": added}
        if added != 1
        else _("One offer was added to your shortlist."),
    )
    return redirect("schooldesk:list")


def _handout(request, *, title, note, ids, as_pdf, pdf_url, html_url, total=None, extra=None):
    def page(template, with_email):
        offers = handout.offers_in_order(ids)
        context = {
            "title": title,
            "note": note,
            "today": timezone.localdate(),
            "entries": handout.entries(offers, request.build_absolute_uri, with_email=with_email),
            "total": total if total is not None else len(offers),
            "limit": handout.LIMIT,
            "pdf_url": pdf_url,
            "html_url": html_url,
            **(extra or {}),
        }
        return render(request, template, context)

    if as_pdf:
        with_email = handout.emails_left(request)

        def pdf_html():
            handout.emails_allowed(request)  # counts the handout
            return page("schooldesk/handout_pdf.html", with_email).content.decode()

        # What the PDF's HTML is made from, so that its waiting page renders nothing.
        key = (
            release(), catalog_version(request), get_language(), timezone.localdate(),
            request.get_full_path(), title, note, tuple(ids), total, with_email,
        )  # fmt: skip
        response = pdfs.respond(
            request,
            key=key,
            html=pdf_html,
            make="schooldesk.handout.pdf",
            filename="handzettel.pdf",
            print_url=html_url,
        )
    else:
        response = page("schooldesk/handout.html", handout.emails_allowed(request))
    # Contact data for teachers on paper, not for search engines.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# HEAD too: the PDF's waiting page asks with HEAD whether the PDF is ready.
@require_safe
def merkliste_handout(request, as_pdf=False):
    merkliste = Merkliste(request.session)
    return _handout(
        request,
        title=_("Our career orientation offers"),
        note=merkliste.note,
        ids=merkliste.ids(),
        as_pdf=as_pdf,
        pdf_url=reverse("schooldesk:handout_pdf"),
        html_url=reverse("schooldesk:handout"),
        extra={"back_url": reverse("schooldesk:list")},
    )


# HEAD too: the PDF's waiting page asks with HEAD whether the PDF is ready.
@require_safe
def shared_handout(request, token, as_pdf=False):
    shared_list = _shared_or_404(token)
    return _handout(
        request,
        title=_("Our career orientation offers"),
        note=shared_list.note,
        ids=[item[0] for item in shared_list.items],
        as_pdf=as_pdf,
        pdf_url=reverse("schooldesk:shared_handout_pdf", args=[token]),
        html_url=reverse("schooldesk:shared_handout", args=[token]),
        extra={"back_url": shared_list.get_absolute_url()},
    )


# HEAD too: the PDF's waiting page asks with HEAD whether the PDF is ready.
@require_safe
def search_handout(request, as_pdf=False):
    """The handout of a search: the same query parameters as the search page, plus the
    note (``notiz``); the first ``handout.LIMIT`` results in the search's order."""
    data = request.GET.copy()
    note_form = HandoutNoteForm({"note": data.pop("notiz", [""])[-1]})
    search_engine = engine(catalog_version(request))
    vocabulary = search_engine.vocabulary()
    filterset = OfferFilterSet(data, vocabulary=vocabulary)
    if not filterset.is_valid():
        return bad_request(request, filterset)
    if not note_form.is_valid():
        return render(request, "400.html", status=400)
    spec = filterset.spec.replace(page=1)
    result = search_engine.search(spec, per_page=handout.LIMIT)
    query = spec_params(spec, page=False)
    handout_note = note_form.cleaned_data["note"]
    note_query = [("notiz", handout_note)] if handout_note else []
    search_url = reverse("offers:search") + (f"?{urlencode(query)}" if query else "")
    handout_query = f"?{urlencode(query + note_query)}" if query or note_query else ""
    return _handout(
        request,
        title=_("Career orientation offers"),
        note=handout_note,
        ids=[offer.pk for offer in result.page.object_list],
        total=result.total,
        as_pdf=as_pdf,
        pdf_url=reverse("schooldesk:search_handout_pdf") + handout_query,
        html_url=reverse("schooldesk:search_handout") + handout_query,
        extra={
            "back_url": search_url,
            "filters": active_chips(spec, vocabulary),
            "note_form": note_form,
            "query": query,
        },
    )


def _ics(calendar_, filename):
    response = HttpResponse(calendar_.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def offer_ics(request, pk):
    """The offer's dates as a calendar file: its own first-to-last date and whatever the
    other event sources add (dated sessions); 404 when there is nothing to put in it."""
    offer = get_object_or_404(Offer.objects.published().select_related("provider"), pk=pk)
    calendar_ = calendar.calendar_for([offer], request.build_absolute_uri)
    if not calendar_.walk("VEVENT"):
        raise Http404("This offer has no dates.")
    return _ics(calendar_, f"angebot-{pk}.ics")


def _list_ics(request, items):
    offers = handout.offers_in_order([item[0] for item in items])
    return _ics(calendar.calendar_for(offers, request.build_absolute_uri), "merkliste.ics")


@require_GET
def merkliste_ics(request):
    merkliste = Merkliste(request.session)
    return _list_ics(request, merkliste.items)


@require_GET
def shared_ics(request, token):
    return _list_ics(request, _shared_or_404(token).items)
