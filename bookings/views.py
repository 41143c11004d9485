"""The request pages: the form of an offer (on its own address, never page-cached, so the
cached offer page stays free of form tokens), and the pages behind the links in the mails
(confirm, cancel), which change something only on POST: mail scanners that open every link
must not confirm or cancel anything."""

from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from network import spam
from offers.models import Offer

from . import services
from .forms import RequestForm, new_submission_key, read_submission_key
from .models import BookingRequest

RATE_KIND = "requests"
# A school's teachers share one address: more than the declaration form's five an hour.
REQUESTS_PER_HOUR = 10


def _offer(pk):
    return get_object_or_404(
        Offer.objects.published().select_related("provider").defer("search_vector"), pk=pk
    )


@never_cache
def request_form(request, pk):
    """The request form of a published offer. A form with mistakes comes back filled in
    (400), a class that does not fit comes back with warnings to confirm (400), a flood from
    one address gets 429, the same form sent twice 409: nothing is sent twice."""
    offer = _offer(pk)
    status, problem = 200, None
    if request.method == "POST":
        form = RequestForm(request.POST, offer=offer)
        key = read_submission_key(request.POST.get("submission"))
        if spam.rate_limited(request, RATE_KIND, REQUESTS_PER_HOUR):
            status, problem = 429, "rate_limited"
        elif key is None:
            status, problem = 400, "stale_form"
        elif BookingRequest.objects.filter(submission_key=key).exists():
            status, problem = 409, "duplicate"
        elif form.is_valid():
            booking = form.save(commit=False)
            booking.submission_key = key
            try:
                services.request_submit(booking=booking, absolute_url=request.build_absolute_uri)
            except IntegrityError:  # the same form, sent twice at the same moment
                status, problem = 409, "duplicate"
            else:
                spam.count_submission(request, RATE_KIND)
                return redirect("bookings:sent", pk=offer.pk)
        else:
            status = 400
        submission = request.POST.get("submission") if key else new_submission_key()
    else:
        form = RequestForm(offer=offer)
        submission = new_submission_key()
    return render(
        request,
        "bookings/request_form.html",
        {
            "offer": offer,
            "form": form,
            "stamp": spam.form_stamp(),
            "submission": submission,
            "problem": problem,
        },
        status=status,
    )


def request_sent(request, pk):
    return render(request, "bookings/request_sent.html", {"offer": _offer(pk)})


@never_cache
def confirm(request, token):
    """The link of the confirmation mail: a button that sends the request to the provider."""
    booking = services.request_for_confirm_token(token)
    if booking is None:
        return render(request, "bookings/link_invalid.html")
    done = False
    if request.method == "POST" and booking.confirmed_at is None:
        booking, done = services.request_confirm(
            booking_id=booking.pk, absolute_url=request.build_absolute_uri
        )
    return render(request, "bookings/confirm.html", {"booking": booking, "done": done})


@never_cache
def cancel(request, token):
    """The cancellation link of the teacher's mails: a button that withdraws the request."""
    booking = services.request_for_cancel_token(token)
    if booking is None:
        return render(request, "bookings/link_invalid.html")
    done = False
    if request.method == "POST" and booking.status != BookingRequest.Status.CANCELLED:
        booking, done = services.request_cancel(
            booking_id=booking.pk, absolute_url=request.build_absolute_uri
        )
    return render(request, "bookings/cancel.html", {"booking": booking, "done": done})
