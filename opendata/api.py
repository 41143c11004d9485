"""The read-only JSON API under /api/v1/ (Django REST Framework, schema by drf-spectacular).

``/api/v1/offers/`` takes the search page's parameters with the same names and meaning and
is answered by the same engine (the worker's index), facet counts included. Every view is
anonymous (no session, no cookie, no CSRF), answers GET, HEAD and OPTIONS, allows any origin
(CORS, no credentials) and counts against the API's own limit per client address. Errors are
JSON: ``{"error": {"status": 400, "message": "…", "parameters": {"grade": ["…"]}}}``.
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView, exception_handler

from offers import page_cache
from offers.models import Provider, Region, Sector
from offers.search import facets
from offers.search.spec import SORTS, Vocabulary

from . import searching
from .ratelimit import ApiRateThrottle
from .serializers import (
    OfferDetailSerializer,
    OfferSerializer,
    ProviderDetailSerializer,
    ProviderSerializer,
    RegionSerializer,
    SectorSerializer,
    offer_detail_queryset,
    offers_for_serializer,
    provider_counts,
    public_providers,
)

API_PARAMETERS = {searching.PAGE_SIZE_PARAMETER, "format"}


class BadParameters(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_parameters"

    def __init__(self, problems):
        super().__init__(_("Some parameters of the request cannot be used."))
        self.problems = problems


def json_errors(exc, context):
    """Every error as ``{"error": {"status", "message"[, "parameters"]}}``, in German by
    default (the request's language)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    response = exception_handler(exc, context)
    if response is None:
        return None
    error = {"status": response.status_code, "message": str(getattr(exc, "detail", exc))}
    if isinstance(exc, BadParameters):
        error["parameters"] = exc.problems
    elif isinstance(exc, exceptions.Throttled):
        error["message"] = _("Too many requests. Please wait %(seconds)s seconds.") % {
            "seconds": exc.wait or 60
        }
    response.data = {"error": error}
    return response


class CorsMixin:
    """Any site may read the API from a browser: GET without credentials (CORS)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        if request.method == "OPTIONS":
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Accept, Accept-Language"
            response["Access-Control-Max-Age"] = "86400"
        return response


class OpenDataView(CorsMixin, APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ApiRateThrottle]
    renderer_classes = [JSONRenderer]
    http_method_names = ["get", "head", "options"]

    def get_exception_handler(self):
        return json_errors

    def refuse_unknown_parameters(self, request, allowed=("page", "page_size", "format")):
        problems = {
            name: [_("Unknown parameter.")] for name in request.GET if name not in set(allowed)
        }
        if problems:
            raise BadParameters(problems)


def page_size(request):
    size, error = searching.read_page_size(request)
    if error:
        raise BadParameters({searching.PAGE_SIZE_PARAMETER: [error]})
    return size


def page_links(request, page):
    """Absolute URLs of the next and previous page, or None."""

    def link(number):
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
    }


def paged(request, page, results):
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "page_size": page.paginator.per_page,
        **page_links(request, page),
        "results": results,
    }


def facet_parameters():
    """The search page's parameters as OpenAPI query parameters, from the facet registry."""
    parameters = [
        OpenApiParameter(
            "q",
            OpenApiTypes.STR,
            description="Search words, as on the search page (German full text).",
        )
    ]
    for facet in facets.registered():
        if facet.multiple:
            parameters.append(
                OpenApiParameter(
                    facet.name,
                    {"type": "array", "items": {"type": "string"}},
                    explode=True,
                    description=(
                        f"{facet.label}: one or more keys (repeat the parameter), OR-ed; see "
                        "/api/v1/taxonomies/ for the keys. Facets are AND-ed."
                    ),
                )
            )
        else:
            low, high = facet.bounds
            parameters.append(
                OpenApiParameter(
                    facet.name,
                    {"type": "integer", "minimum": low, "maximum": high},
                    description=str(facet.label),
                )
            )
    parameters += [
        OpenApiParameter("sort", OpenApiTypes.STR, enum=list(SORTS), description="Sort order."),
        OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="Page number."),
    ]
    return parameters


PAGING = [
    OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="Page number."),
    OpenApiParameter(
        searching.PAGE_SIZE_PARAMETER,
        {"type": "integer", "minimum": 1, "maximum": searching.MAX_PAGE_SIZE},
        description=f"Results per page (default {searching.DEFAULT_PAGE_SIZE}).",
    ),
]
ERROR = OpenApiResponse(
    inline_serializer(
        "Error",
        {
            "error": inline_serializer(
                "ErrorBody",
                {
                    "status": serializers.IntegerField(),
                    "message": serializers.CharField(),
                    "parameters": serializers.DictField(
                        child=serializers.ListField(child=serializers.CharField()),
                        required=False,
                    ),
                },
            )
        },
    ),
    description="A JSON error.",
)


def page_fields(item):
    return {
        "count": serializers.IntegerField(),
        "page": serializers.IntegerField(),
        "pages": serializers.IntegerField(),
        "page_size": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": item(many=True),
    }


def page_of(name, item):
    return inline_serializer(name, page_fields(item))


class OfferList(OpenDataView):
    @extend_schema(
        operation_id="offers_search",
        summary="Search published offers",
        description=(
            "The search page's filters with the same names and meaning, its facet counts "
            "(disjunctive: the number of results with that value added to its facet) and "
            "its sort orders. Unknown parameters and values are refused with 400."
        ),
        parameters=[*facet_parameters(), PAGING[1]],
        responses={
            200: inline_serializer(
                "OfferPage",
                {
                    **page_fields(OfferSerializer),
                    "facets": serializers.DictField(
                        child=serializers.DictField(child=serializers.IntegerField()),
                        help_text="Facet name → value key → number of results.",
                    ),
                },
            ),
            400: ERROR,
            429: ERROR,
        },
    )
    def get(self, request):
        search_engine, filterset = searching.read_search(request)
        problems = searching.api_problems(request, filterset, allowed=API_PARAMETERS)
        size, size_error = searching.read_page_size(request)
        if size_error:
            problems[searching.PAGE_SIZE_PARAMETER] = [size_error]
        if problems:
            raise BadParameters(problems)
        result = search_engine.search(filterset.spec, per_page=size)
        # The search's offers hold only what a result card shows (``SearchIndex``).
        offers = offers_for_serializer().in_order_of([offer.pk for offer in result.page])
        results = OfferSerializer(offers, many=True, context={"request": request}).data
        return Response(
            {
                **paged(request, result.page, results),
                "count": result.total,
                "facets": {
                    name: {str(key): count for key, count in counts.items()}
                    for name, counts in result.counts.items()
                },
            }
        )


class OfferDetail(OpenDataView):
    @extend_schema(
        operation_id="offer",
        summary="One published offer",
        responses={200: OfferDetailSerializer, 404: ERROR},
    )
    def get(self, request, pk):
        self.refuse_unknown_parameters(request, allowed=("format",))
        offer = get_object_or_404(offer_detail_queryset(), pk=pk)
        return Response(OfferDetailSerializer(offer, context={"request": request}).data)


class ProviderList(OpenDataView):
    @extend_schema(
        operation_id="providers",
        summary="Providers with published offers",
        parameters=PAGING,
        responses={200: page_of("ProviderPage", ProviderSerializer), 400: ERROR},
    )
    def get(self, request):
        self.refuse_unknown_parameters(request)
        size = page_size(request)
        counts = page_cache.cached(
            "opendata", page_cache.catalog_version(request), "provider-counts", provider_counts
        )
        page = Paginator(counts, size).get_page(request.GET.get("page"))
        providers = Provider.objects.select_related("region").in_bulk(
            [pk for pk, _count in page.object_list]
        )
        for pk, count in page.object_list:
            providers[pk].offer_count = count
        rows = [providers[pk] for pk, _count in page.object_list]
        data = ProviderSerializer(rows, many=True, context={"request": request}).data
        return Response(paged(request, page, data))


class ProviderDetail(OpenDataView):
    @extend_schema(
        operation_id="provider",
        summary="One provider with published offers",
        responses={200: ProviderDetailSerializer, 404: ERROR},
    )
    def get(self, request, slug):
        self.refuse_unknown_parameters(request, allowed=("format",))
        provider = get_object_or_404(public_providers(), slug=slug)
        provider.public_contacts = list(provider.contacts.order_by("position", "name"))
        return Response(ProviderDetailSerializer(provider, context={"request": request}).data)


def _taxonomies():
    vocabulary = Vocabulary.load()
    return {
        "facets": [
            {
                "name": facet.name,
                "label": str(facet.label),
                "multiple": facet.multiple,
                "values": [
                    {"key": str(key), "label": str(label)}
                    for key, label in vocabulary.choices(facet.name)
                ],
            }
            for facet in facets.registered()
        ],
        "sectors": SectorSerializer(
            Sector.objects.select_related("track", "parent"), many=True
        ).data,
    }


class Taxonomies(OpenDataView):
    @extend_schema(
        operation_id="taxonomies",
        summary="Every search parameter with the keys it takes",
        responses={
            200: inline_serializer(
                "Taxonomies",
                {
                    "facets": inline_serializer(
                        "Facet",
                        {
                            "name": serializers.CharField(),
                            "label": serializers.CharField(),
                            "multiple": serializers.BooleanField(),
                            "values": inline_serializer(
                                "FacetValue",
                                {"key": serializers.CharField(), "label": serializers.CharField()},
                                many=True,
                            ),
                        },
                        many=True,
                    ),
                    "sectors": SectorSerializer(many=True),
                },
            )
        },
    )
    def get(self, request):
        self.refuse_unknown_parameters(request, allowed=("format",))
        data = page_cache.cached(
            "opendata",
            page_cache.catalog_version(request),
            f"taxonomies:{get_language()}",
            _taxonomies,
        )
        return Response(data)


class Regions(OpenDataView):
    @extend_schema(
        operation_id="regions",
        summary="States, districts and cities",
        responses={200: RegionSerializer(many=True)},
    )
    def get(self, request):
        self.refuse_unknown_parameters(request, allowed=("format",))
        data = page_cache.cached(
            "opendata",
            page_cache.catalog_version(request),
            "regions",
            lambda: RegionSerializer(Region.objects.select_related("parent"), many=True).data,
        )
        return Response(data)


class Root(OpenDataView):
    @extend_schema(exclude=True)
    def get(self, request):
        def url(name, **kwargs):
            return reverse(f"api:{name}", kwargs=kwargs, request=request)

        return Response(
            {
                "offers": url("offers"),
                "providers": url("providers"),
                "taxonomies": url("taxonomies"),
                "regions": url("regions"),
                "schema": url("schema"),
                "docs": url("docs"),
            }
        )


class NotFoundView(OpenDataView):
    """Any other address under /api/: a JSON 404, not the portal's HTML page."""

    @extend_schema(exclude=True)
    def get(self, request, rest=""):
        raise exceptions.NotFound(_("Not found."))


class Schema(CorsMixin, SpectacularAPIView):
    throttle_classes = [ApiRateThrottle]


class Docs(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files; its settings come as a script of their own
    (``?script``), so the page needs no inline script."""

    url_name = "api:schema"
    template_name = "opendata/api_docs.html"
