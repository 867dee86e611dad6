"""The dashboards keep the strict Content-Security-Policy: no inline script or style, no
eval; and every dashboard needs a login and the permission to view KPIs."""

import re

import pytest
from django.contrib.auth.models import User

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PAGES = ["/", "/?month=2022-05&sort=-rag", "/kpis/1/", "/kpis/CIC/", "/trend/2022-23/q1/"]


def directives(policy: str) -> dict[str, str]:
    return dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())


@pytest.mark.parametrize("path", PAGES)
def test_script_src_allows_no_inline_script_or_eval(manager_client, demo_kpis, path):
    response = manager_client.get(path)
    assert response.status_code == 200
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]


@pytest.mark.parametrize("path", PAGES)
def test_the_pages_need_no_inline_script_or_style(manager_client, demo_kpis, path):
    page = manager_client.get(path).content.decode()
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S):
        if 'type="application/json"' in attributes:
            continue  # data for a chart module, not code
        assert "src=" in attributes
        assert not body.strip()
    assert " style=" not in page
    assert "<style" not in page
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers


@pytest.mark.parametrize("path", ["/", "/kpis/1/", "/trend/2022-23/q1/", "/?download=csv"])
def test_someone_without_the_permission_is_refused(demo_kpis, path):
    nobody = client_for(User.objects.create_user("no.role", password="x-long-password-1"))
    assert nobody.get(path).status_code == 403
