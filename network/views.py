"""Public pages of the network: about, directory, partner pages, certificate, declaration."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst

from offers.models import Offer

from . import services, spam
from .directory import group_partners
from .forms import DeclarationForm, DirectoryFilterForm
from .models import NetworkProfile, Partner


def network_home(request):
    """What the network is, who stands behind it, how many take part and how to join."""
    profile = NetworkProfile.load()
    approved = Partner.objects.filter(status=Partner.Status.APPROVED)
    return render(
        request,
        "network/home.html",
        {
            "profile": profile,
            "member_count": approved.count(),
            "listed_count": approved.filter(public_listing=True).count(),
            "ambassador_count": approved.filter(ambassador_since__isnull=False).count(),
        },
    )


def directory(request):
    """All public partners, grouped by kind, filterable by kind and region, with counts.

    The choices of each filter carry the number of partners they would show given the
    other filter, so nobody picks a combination that is empty without knowing it.
    """
    form = DirectoryFilterForm(request.GET)
    filters = form.filters()
    public = Partner.objects.public()
    partners = public.filter(**filters).select_related("region", "school_form")

    kind_counts = dict(
        public.filter(**{k: v for k, v in filters.items() if k != "kind"})
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    region_counts = dict(
        public.filter(**{k: v for k, v in filters.items() if k != "region"})
        .values_list("region__slug")
        .annotate(n=Count("pk"))
    )
    form.fields["kind"].choices = [
        ("", form.fields["kind"].choices[0][1]),
        *(
            (value, f"{capfirst(label)} ({kind_counts.get(value, 0)})")
            for value, label in Partner.Kind.choices
            # A choice that would show nobody is left out, unless it is the one chosen.
            if kind_counts.get(value) or value == filters.get("kind")
        ),
    ]
    region_field = form.fields["region"]
    chosen = filters.get("region")
    region_field.queryset = region_field.queryset.filter(
        Q(slug__in=[slug for slug, n in region_counts.items() if n])
        | Q(pk=chosen.pk if chosen else None)
    )
    region_field.label_from_instance = lambda region: (
        f"{region.name} ({region_counts.get(region.slug, 0)})"
    )

    partners = list(partners)
    return render(
        request,
        "network/directory.html",
        {
            "form": form,
            "filters": filters,
            "groups": group_partners(partners),
            "partner_count": len(partners),
        },
    )


def partner_detail(request, slug):
    """Who the partner is, since when it supports the network, and its live offers."""
    partner = get_object_or_404(
        Partner.objects.public().select_related("region", "school_form", "provider"), slug=slug
    )
    offers = []
    if partner.provider_id and not partner.is_private_person:
        offers = list(
            Offer.objects.published().filter(provider=partner.provider).select_related("offer_type")
        )
    return render(
        request,
        "network/partner_detail.html",
        {"partner": partner, "offers": offers, "profile": NetworkProfile.load()},
    )


def certificate(request, slug):
    """The printable "MINT-Botschafter" certificate of an ambassador.

    Public for listed partners; coordinators also print it for those who are not listed.
    """
    partners = Partner.objects.filter(
        status=Partner.Status.APPROVED, ambassador_since__isnull=False
    )
    if not request.user.has_perm("network.view_partner"):
        partners = partners.filter(public_listing=True)
    partner = get_object_or_404(partners, slug=slug)
    return render(
        request, "network/certificate.html", {"partner": partner, "profile": NetworkProfile.load()}
    )


def declaration(request):
    """The online support declaration: a valid one becomes a pending partner.

    A form with mistakes comes back filled in with a message at each field; a flood from
    one address gets a 429 page that still holds what was typed.
    """
    profile = NetworkProfile.load()
    if not profile.declaration_text:
        # Nobody can agree to a text the coordinators have not written yet.
        return render(request, "network/declaration_closed.html", {"profile": profile})
    status = 200
    if request.method == "POST":
        form = DeclarationForm(request.POST)
        if spam.rate_limited(request):
            status = 429
        elif form.is_valid():
            services.declaration_submit(
                partner=form.save(commit=False), absolute_url=request.build_absolute_uri
            )
            spam.count_submission(request)
            return redirect("network:declaration_thanks")
    else:
        form = DeclarationForm()
    return render(
        request,
        "network/declaration.html",
        {
            "form": form,
            "profile": profile,
            "stamp": spam.form_stamp(),
            "rate_limited": status == 429,
        },
        status=status,
    )


def declaration_thanks(request):
    return render(request, "network/declaration_thanks.html", {"profile": NetworkProfile.load()})
