"""Pending revisions in the offer admin: a provider editor's save of a published offer keeps
the published version online and stores the change as the offer's pending revision
(``OfferRevision``); coordinators compare it field by field on its own page and publish or
reject it. Saves that do change the offer write one history record, after the links.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import changes, services
from ..models import Offer, OfferRevision
from .scoping import admin_page

PUBLISH = "offers.publish_offer"


class RejectRevisionForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for the editor"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Optional. The provider editor reads it on the offer's form."),
    )


def proposed_values(form):
    """The values of the revised fields as the editor's valid ``form`` holds them, as
    JSON. Only fields the form edits (the duration's three through its one field)."""
    editable = set(form.fields)
    if "duration" in editable:
        editable |= {"duration_min_minutes", "duration_max_minutes", "duration_unit"}
    values = {}
    for field in changes.revised_fields():
        if field.name not in editable:
            continue
        if field.many_to_many:
            values[field.name] = changes.to_json(field, form.cleaned_data[field.name])
        else:
            values[field.name] = changes.to_json(field, getattr(form.instance, field.attname))
    return values


class RevisionAdminMixin:
    """For ``OfferAdmin``: the revision path of a provider editor's save, the one history
    record per save, the notices on the form and the revision page."""

    def proposes_revision(self, request, obj, change):
        """Whether a save becomes a pending revision: a provider editor's save of an offer
        that is published now. Read from the database: a restored old version carries the
        status it had then."""
        if not change or request.user.has_perm(PUBLISH):
            return False
        if not hasattr(obj, "_proposes_revision"):
            published = Offer.objects.filter(pk=obj.pk, status=Offer.Status.PUBLISHED)
            obj._proposes_revision = published.exists()
        return obj._proposes_revision

    def save_model(self, request, obj, form, change):
        if self.proposes_revision(request, obj, change):
            published = Offer.objects.get(pk=obj.pk)
            request.offer_revision = services.offer_revision_propose(
                offer=published, values=proposed_values(form), user=request.user
            )
            form.save_m2m = lambda: None  # the links stay as published, too
            return
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)
        save_m2m = form.save_m2m

        def save_m2m_then_record_history():
            # One history record per save, with the links as saved: the signals would write
            # one for the row and one more for every link table that changed.
            try:
                save_m2m()
            finally:
                del obj.skip_history_when_saving
            services.offer_record_history(
                offer=obj,
                user=request.user,
                reason=getattr(obj, "_change_reason", ""),
                history_type="~" if change else "+",
            )
            if not request.user.has_perm(PUBLISH):
                # The editor's form showed the pending values: they are saved now.
                OfferRevision.objects.pending().filter(offer=obj).delete()

        form.save_m2m = save_m2m_then_record_history

    def response_change(self, request, obj):
        if not hasattr(request, "offer_revision"):
            return super().response_change(request, obj)
        if request.offer_revision is None:
            self.message_user(
                request,
                gettext("Nothing differs from the published version; no change waits for review."),
                messages.INFO,
            )
        else:
            self.message_user(
                request,
                gettext(
                    "Your change was saved and waits for the coordinators' review. Until they "
                    "publish it, the published version stays online unchanged."
                ),
                messages.SUCCESS,
            )
        if "_continue" in request.POST:
            return HttpResponseRedirect(reverse("admin:offers_offer_change", args=[obj.pk]))
        return HttpResponseRedirect(reverse("admin:offers_offer_changelist"))

    # -- the form: notices and the pending values --

    def latest_revision(self, offer_id):
        return (
            OfferRevision.objects.filter(offer_id=offer_id)
            .select_related("author", "decided_by")
            .order_by("-pk")
            .first()
        )

    def revision_context(self, request, offer):
        revision = self.latest_revision(offer.pk)
        pending = revision if revision and revision.state == OfferRevision.State.PENDING else None
        return {
            "revision": revision,
            "pending_revision": pending,
            "revision_changes": self.revision_changes(offer, pending) if pending else [],
            "proposes_revisions": not request.user.has_perm(PUBLISH),
            "offer_is_published": offer.status == Offer.Status.PUBLISHED,
        }

    def revision_changes(self, offer, revision):
        """The change field by field against the offer as published now (all its values: a
        duration's unit alone shows with the minutes)."""
        return changes.compare(changes.offer_values(offer), revision.values)

    def pending_initial(self, request, obj):
        """The pending revision's values as the form's initial values, for its editor."""
        if obj is None or request.user.has_perm(PUBLISH):
            return None
        revision = OfferRevision.objects.pending().filter(offer=obj).first()
        if revision is None:
            return None
        fields = {f.name: f for f in changes.revised_fields()}
        initial = {
            name: changes.from_json(fields[name], value)
            for name, value in revision.values.items()
            if name in fields
        }
        duration = [
            initial.get(name, getattr(obj, name))
            for name in ("duration_min_minutes", "duration_max_minutes", "duration_unit")
        ]
        initial["duration"] = tuple(duration)
        return initial

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and obj.pk:
            context.update(self.revision_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    # -- the list: which offers have a change waiting --

    def get_queryset(self, request):
        pending = OfferRevision.objects.pending().filter(offer=OuterRef("pk"))
        return super().get_queryset(request).annotate(has_pending_revision=Exists(pending))

    # -- the revision page --

    def get_urls(self):
        page = admin_page(
            self, "<path:object_id>/revision/", self.revision_view, "offers_offer_revision"
        )
        return [page, *super().get_urls()]

    def revision_view(self, request, object_id):
        """The pending change of an offer, field by field; coordinators publish or reject
        it here. Provider editors see their own organisations' changes, without buttons."""
        offer = self.get_object(request, unquote(object_id))
        if offer is None:
            raise Http404
        if not self.has_view_or_change_permission(request, offer):
            raise PermissionDenied
        revision = (
            OfferRevision.objects.pending().filter(offer=offer).select_related("author").first()
        )
        may_decide = (
            revision is not None
            and request.user.has_perm(PUBLISH)
            and revision.author_id != request.user.pk
        )
        reject_form = RejectRevisionForm(request.POST if "_reject" in request.POST else None)
        change_url = reverse("admin:offers_offer_change", args=[offer.pk])
        if request.method == "POST":
            if revision is None:
                self.message_user(request, gettext("No change waits for review."), messages.INFO)
                return redirect(change_url)
            if not may_decide:
                raise PermissionDenied
            response = self._decide(request, offer, revision, reject_form)
            if response is not None:
                return response
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Change waiting for review: %(offer)s") % {"offer": offer},
            "opts": self.opts,
            "original": offer,
            "revision": revision,
            "revision_changes": self.revision_changes(offer, revision) if revision else [],
            "may_decide": may_decide,
            "reject_form": reject_form,
            "change_url": change_url,
            "public_url": offer.get_absolute_url()
            if offer.status == Offer.Status.PUBLISHED
            else None,
        }
        return TemplateResponse(request, "admin/offers/offer/revision.html", context)

    def _decide(self, request, offer, revision, reject_form):
        changelist = reverse("admin:offers_offer_changelist") + "?pending_change=yes"
        try:
            if "_publish" in request.POST:
                services.offer_revision_publish(revision=revision, user=request.user)
                self.message_user(
                    request,
                    gettext("The change of “%(offer)s” is published.") % {"offer": offer},
                    messages.SUCCESS,
                )
                return redirect(changelist)
            if "_reject" in request.POST and reject_form.is_valid():
                services.offer_revision_reject(
                    revision=revision, user=request.user, reason=reject_form.cleaned_data["reason"]
                )
                self.message_user(
                    request,
                    gettext("The change of “%(offer)s” is rejected; the published version stays.")
                    % {"offer": offer},
                    messages.SUCCESS,
                )
                return redirect(changelist)
        except services.TransitionNotAllowed:
            self.message_user(
                request, gettext("This change was decided on meanwhile."), messages.WARNING
            )
            return redirect(changelist)
        except ValidationError as error:
            self.message_user(
                request,
                gettext("The change cannot be published: %(errors)s")
                % {"errors": " ".join(error.messages)},
                messages.ERROR,
            )
        return None
