"""The public Kooperationshandbuch: teachers printed and passed on the old one (it went to
every secondary school in Trier) and quote its codes on the phone, so the generated one is
public too. The HTML is rendered per request and kept by the page cache; the PDF is only
ever the one ``manage.py build_handbook`` kept, never built on a public request (it costs
tens of seconds of a worker)."""

from django.http import FileResponse, Http404, HttpResponse

from . import handbook

PARAMS = set(handbook.FILTERS)


def handbook_page(request):
    """The handbook as one printable page, narrowed by track, region or sector if asked."""
    spec, vocabulary = handbook.read_filters(request.GET)
    book = handbook.build(spec, vocabulary)
    pdf = handbook.stored_path().is_file()
    return HttpResponse(handbook.render_html(book, public=True, pdf_available=pdf))


def handbook_pdf(request):
    """The last PDF of the whole region (its cover says how current it is)."""
    path = handbook.stored_path()
    if not path.is_file():
        raise Http404("no handbook built yet")
    response = FileResponse(path.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="kooperationshandbuch.pdf"'
    return response
