from django.urls import path

from offers.page_cache import catalog_page

from . import views

app_name = "insights"

urlpatterns = [
    path(
        "kooperationshandbuch/",
        catalog_page(views.handbook_page, params=views.PARAMS),
        name="handbook",
    ),
    path("kooperationshandbuch.pdf", views.handbook_pdf, name="handbook_pdf"),
]
