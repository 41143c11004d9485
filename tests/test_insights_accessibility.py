"""The coordinators' dashboard passes axe-core (WCAG 2.1 A/AA) at 1280 px, as the role
Lesezugriff sees it, and loads nothing from another host."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from insights.models import SearchCount
from tests.browser_support import AXE_JS, require_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "lese-zugriff-2026"


@pytest.fixture(scope="module")
def reader_page(browser, demo_server, django_db_blocker):
    from django.core.management import call_command
    from django.utils import timezone

    with django_db_blocker.unblock():
        call_command("setup_roles", verbosity=0)
        user = get_user_model().objects.create_user("leser", password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name="Lesezugriff"))
        SearchCount.objects.create(
            day=timezone.localdate(), words="raketen", filters="grade=5", results=0, searches=4
        )
    context = browser.new_context(
        base_url=demo_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto("/admin/login/")
    page.fill("#id_username", "leser")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    yield page
    context.close()


def test_the_dashboard_has_no_axe_violations(reader_page, demo_server):
    require_file(AXE_JS, "run `make a11y-tools`")
    hosts = set()
    reader_page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    response = reader_page.goto("/admin/insights/dashboard/?track=studium&grade=5")
    assert response.status == 200
    assert "raketen" in reader_page.content()
    assert reader_page.locator("td.insights-gap").count() > 0
    assert hosts == {urlsplit(demo_server.url).netloc}

    reader_page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = reader_page.evaluate(
        "async (tags) => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in result["violations"]
    ]
    assert violations == []
